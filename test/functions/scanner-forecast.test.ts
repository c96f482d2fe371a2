import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubnetSample } from "#shared/inventory/types.ts";
import { subnetSamples } from "#shared/models/forecast/samples.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import type { FindingsStore } from "#shared/store/index.ts";
import type { Simulator } from "#sim/index.ts";
import { estateSeries, SERIES_SUBNET } from "#test/support/estate-series.ts";
import { inventoryFromEstate } from "#test/support/inventory.ts";
import { type ScannerContainer, startScannerContainer } from "./scanner-container.ts";
import { captureOutput, lambdaContext, sqsEvent, sqsRecord } from "./support.ts";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const DAY = 86_400_000;
/** Free IPs now; 30 a day were used over the last 9 days. One more m5.large needs 20. */
const FREE_NOW = 200;

let sim: Simulator;
let store: FindingsStore;
let container: ScannerContainer;
let scanner: typeof import("#functions/scanner/handler.ts");

beforeAll(async () => {
  const [estate] = estateSeries([FREE_NOW]);
  if (!estate) throw new Error("no estate");
  container = await startScannerContainer(estate, { ALERT_MIN_SEVERITY: "MEDIUM" });
  ({ sim, store, scanner } = container);
  // The history earlier scheduled scans recorded: the same subnet, 30 more IPs free each day before.
  const [template] = subnetSamples(inventoryFromEstate(estate, ACCOUNT, REGION), new Date().toISOString());
  if (!template) throw new Error("the estate has no capacity subnet");
  const history: SubnetSample[] = [];
  for (let d = 9; d >= 1; d--) {
    history.push({
      ...template,
      at: new Date(Date.now() - d * DAY).toISOString(),
      availableIps: FREE_NOW + 30 * d,
    });
  }
  expect(await store.samples.record(history)).toBe(9);
});

afterAll(() => container.stop());

describe("Function: scanner, forecast from the stored samples", () => {
  it("records this scan's sample and pages the forecast with its date and the nodes left", async () => {
    // Prepare
    const now = new Date();
    const body: ScanTask = {
      runId: "20261205T061500Z-f0reca57",
      scheduledAt: now.toISOString(),
      accountId: ACCOUNT,
      region: REGION,
    };

    // Act
    const { result } = await captureOutput(() =>
      scanner.handler(sqsEvent([sqsRecord(JSON.stringify(body))]), lambdaContext("eks-auditor-scanner")),
    );

    // Assess: (200 − 20) / 30 = 6 days: HIGH.
    expect(result).toEqual({ batchItemFailures: [] });
    const [forecast, ...others] = await store.reader.queryFindings({
      ruleId: "ip.subnet-exhaustion-forecast",
    });
    expect(others).toEqual([]);
    expect(forecast).toMatchObject({ resourceId: SERIES_SUBNET, severity: "HIGH", status: "OPEN" });
    const evidence = forecast?.evidence as {
      forecast: { daysLeft: number; date: string; samplesUsed: number };
    };
    expect(evidence.forecast.samplesUsed).toBe(10);
    expect(evidence.forecast.daysLeft).toBeCloseTo(6, 0);
    const samples = await store.samples.ofSubnet(
      SERIES_SUBNET,
      new Date(now.getTime() - 3_600_000).toISOString(),
      new Date(Date.now() + 1_000).toISOString(),
    );
    expect(samples.map((s) => s.availableIps)).toEqual([FREE_NOW]);
    const alert = sim.published.find((m) => m.message.includes("ip.subnet-exhaustion-forecast"));
    expect(alert?.message).toContain(evidence.forecast.date);
    expect(alert?.message).toMatch(/\(\d+ left\)/);
  });

  it("writes no sample when the scope is scanned again within the hour", async () => {
    // Prepare: the first test's scan recorded this hour's sample (unless the hour turned meanwhile: then the
    // first scan below records it, and the second is the one within the hour).
    const record = (runId: string) =>
      sqsRecord(
        JSON.stringify({ runId, scheduledAt: new Date().toISOString(), accountId: ACCOUNT, region: REGION }),
      );
    await captureOutput(() =>
      scanner.handler(sqsEvent([record("20261205T071500Z-5a3e0001")]), lambdaContext("eks-auditor-scanner")),
    );
    scanner.store.resetStats();

    // Act
    const { result } = await captureOutput(() =>
      scanner.handler(sqsEvent([record("20261205T071600Z-5a3e0002")]), lambdaContext("eks-auditor-scanner")),
    );

    // Assess: the scan read the hour's sample with its history and sent nothing.
    expect(result).toEqual({ batchItemFailures: [] });
    const stats = scanner.store.stats();
    expect(stats.itemsWritten.sample).toBe(0);
    expect(stats.readCalls).toBeGreaterThan(0);
  });
});
