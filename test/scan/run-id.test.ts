import { describe, expect, it } from "vitest";
import { RUN_ID_PATTERN, runIdOf } from "#shared/scan/run-id.ts";

describe("Function: runIdOf", () => {
  it("is the run's second in UTC and 8 hex digits, the same for the same seed", () => {
    const at = new Date("2026-11-25T06:15:00.123Z");
    expect(runIdOf(at, "exec-1")).toMatch(/^20261125T061500Z-[0-9a-f]{8}$/);
    expect(runIdOf(at, "exec-1")).toBe(runIdOf(at, "exec-1"));
    expect(runIdOf(at, "exec-2")).not.toBe(runIdOf(at, "exec-1"));
  });

  it("matches RUN_ID_PATTERN with a random seed, and sorts by time", () => {
    const a = runIdOf(new Date("2026-01-01T00:00:00Z"));
    const b = runIdOf(new Date("2026-01-01T00:00:01Z"));
    expect(a).toMatch(RUN_ID_PATTERN);
    expect([b, a].sort()).toEqual([a, b]);
  });
});
