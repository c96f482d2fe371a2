import { existsSync } from "node:fs";
import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "#shared/cli/common/io.ts";
import { type DemoRun, FILLED, FIXED, runDemo } from "#sim/demo.ts";

let runs: DemoRun[] = [];
let stdout = "";

beforeAll(async () => {
  // Act: the three runs of `npm run demo`, in-process
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stdout += text;
    },
    env: process.env,
    stderrIsTTY: false,
    stderrStream: new PassThrough(),
    columns: 160,
  };
  runs = await runDemo(io);
});

function printedAlerts(run: DemoRun | undefined): number {
  return run?.report?.notifications.filter((n) => n.result.status === "printed").length ?? 0;
}

describe("Demo: npm run demo", () => {
  it("runs three scans that each exit 4: the sample plants account-regions that cannot be scanned", () => {
    expect(runs.map((r) => r.code)).toEqual([4, 4, 4]);
    expect(stdout).toMatch(/4 of 10 account-regions could not be scanned/);
  });

  it("run 1 records the organisation's findings and prints their alerts", () => {
    const [first] = runs;
    expect(first?.title).toBe("Run 1 — first scan of the organisation");
    expect(first?.report?.findings.length).toBeGreaterThan(30);
    const transitions = first?.report?.transitions ?? [];
    expect(transitions.length).toBe(first?.report?.findings.length);
    expect(transitions.every((t) => t.type === "NEW")).toBe(true);
    expect(printedAlerts(first)).toBeGreaterThanOrEqual(1);
  });

  it("run 2 shows the fix as RESOLVED, the filled subnet as NEW, and pages exactly once", () => {
    const second = runs[1];
    const transitions = second?.report?.transitions ?? [];
    expect(second?.title).toBe(`Run 2 — after: ${FIXED.name} fixed, ${FILLED.name} filled up`);
    expect(transitions.filter((t) => t.type === "RESOLVED").length).toBeGreaterThanOrEqual(1);
    expect(transitions.filter((t) => t.type === "NEW").length).toBeGreaterThanOrEqual(1);
    expect(transitions).toContainEqual(
      expect.objectContaining({
        type: "RESOLVED",
        finding: expect.objectContaining({ ruleId: "ip.subnet-exhausted", resourceId: FIXED.subnetId }),
      }),
    );
    expect(transitions).toContainEqual(
      expect.objectContaining({
        type: "NEW",
        finding: expect.objectContaining({ ruleId: "ip.subnet-exhausted", resourceId: FILLED.subnetId }),
      }),
    );
    expect(printedAlerts(second)).toBe(1);
  });

  it("run 3 shows that nothing changed: no transition, no message", () => {
    const third = runs[2];
    expect(third?.title).toBe("Run 3 — nothing changed");
    expect(third?.report?.transitions).toEqual([]);
    expect(printedAlerts(third)).toBe(0);
  });

  it("prints the three headings, only the changes in runs 2 and 3, and cleans up its store", () => {
    const [, afterFirst = ""] = stdout.split("Run 2 — after:");
    const [second = "", third = ""] = afterFirst.split("Run 3 — nothing changed");
    expect(stdout).toMatch(/^Run 1 — first scan of the organisation$/m);
    expect(second).not.toMatch(/┌/);
    expect(second).toMatch(/^ {2}NEW +CRITICAL /m);
    expect(second).toMatch(/^ {2}RESOLVED +was CRITICAL /m);
    expect(second.match(/^Subject: /gm)).toHaveLength(1);
    expect(third).toMatch(/^No changes since the last scan \(store dynalite:.*\): nothing to page\.$/m);
    expect(third).not.toMatch(/^Subject: /m);
    const dir = runs[0]?.report?.store?.replace(/^dynalite:/, "") ?? "";
    expect(dir).toMatch(/eks-audit-demo-/);
    expect(existsSync(dir)).toBe(false);
  });
});
