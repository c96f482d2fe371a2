import { describe, expect, it } from "vitest";
import { reconcileWaitWithin, scanBudgetMs } from "#functions/scanner/deadline.ts";

describe("Function: scanBudgetMs", () => {
  it("lets a scan run until the reserve for writing is all that is left", () => {
    expect(scanBudgetMs(300_000, 30_000)).toBe(270_000);
    expect(scanBudgetMs(60_000, 30_000)).toBe(30_000);
  });

  it("defers a record when less than the reserve would be left to scan", () => {
    expect(scanBudgetMs(59_999, 30_000)).toBe("defer");
    expect(scanBudgetMs(1_000, 30_000)).toBe("defer");
  });

  it("sets no deadline without a Lambda context", () => {
    expect(scanBudgetMs(undefined, 30_000)).toBeUndefined();
  });
});

describe("Function: reconcileWaitWithin", () => {
  it("leaves time for the run's own writes after waiting for another run's lease", () => {
    for (const reserve of [1_000, 30_000, 120_000]) {
      const wait = reconcileWaitWithin(reserve);
      expect(wait).toBeGreaterThan(0);
      expect(reserve - wait).toBeGreaterThanOrEqual(wait);
    }
  });
});
