import type { Context, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import type { FindingsStore } from "#shared/store/index.ts";
import type { Simulator } from "#sim/index.ts";
import { type ScannerContainer, startScannerContainer } from "./scanner-container.ts";
import { captureOutput, emfSum, lambdaContext, SAMPLE_ESTATE, sqsEvent, sqsRecord } from "./support.ts";

type ScannerModule = typeof import("#functions/scanner/handler.ts");

/** SCAN_WRITE_RESERVE_MS of these tests: a scan stops when this is left, a record starts with twice it. */
const RESERVE_MS = 500;
const RUN = { runId: "20261125T061500Z-dead11e0", scheduledAt: "2026-11-25T06:15:00.000Z" };

let estate: Estate;
let sim: Simulator;
let store: FindingsStore;
let scanner: ScannerModule;
let container: ScannerContainer;

function task(accountId: string, region: string): SQSRecord {
  const body: ScanTask = { ...RUN, accountId, region };
  return sqsRecord(JSON.stringify(body));
}

/** A Lambda context whose invocation ends `ms` from now. */
function endingIn(ms: number): Context {
  const end = Date.now() + ms;
  return { ...lambdaContext("eks-auditor-scanner"), getRemainingTimeInMillis: () => end - Date.now() };
}

beforeAll(async () => {
  estate = await loadEstateFile(SAMPLE_ESTATE);
  container = await startScannerContainer(estate, {
    ALERT_MIN_SEVERITY: "HIGH",
    SCAN_WRITE_RESERVE_MS: String(RESERVE_MS),
  });
  ({ sim, store, scanner } = container);
  // The run's caller identity is known before the slow part starts (the first record of a run asks STS).
  const warm = await captureOutput(() =>
    scanner.handler(sqsEvent([task("111122223333", "eu-west-1")]), endingIn(300_000)),
  );
  expect(warm.result.batchItemFailures).toEqual([]);
});

afterAll(() => container.stop());

describe("Function: scanner, at the invocation's deadline", () => {
  const inFlight = task("111122223333", "us-east-1");
  const notStarted = [task("555566667777", "eu-west-1"), task("555566667777", "us-east-1")];
  const batch = sqsEvent([inFlight, ...notStarted]);

  it("aborts the scope in flight, hands back the records it cannot finish, and writes nothing of them", async () => {
    // Prepare: every AWS call answered after a minute; the invocation ends in 1.7 s
    sim.setEstate({ ...estate, faults: { slowCalls: { rate: 1, delayMs: 60_000 } } });
    const publishedBefore = sim.published.length;
    const started = Date.now();

    // Act
    const { result, lines } = await captureOutput(() =>
      scanner.handler(batch, endingIn(3 * RESERVE_MS + 200)),
    );
    const elapsedMs = Date.now() - started;
    sim.setEstate(estate);

    // Assess: returned at the deadline, not after the slow calls
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      batch.Records.map((r) => r.messageId),
    );
    expect(elapsedMs).toBeLessThan(2 * RESERVE_MS + 200 + 3_000);
    for (const r of [inFlight, ...notStarted]) {
      const { accountId, region } = JSON.parse(r.body) as ScanTask;
      expect(await store.reader.getScope(accountId, region), `${accountId} ${region}`).toBeUndefined();
    }
    expect(sim.published.length).toBe(publishedBefore);
    const deferred = lines.filter(
      (l) => l.message === "Record deferred to a later invocation: nothing written",
    );
    expect(deferred.map((l) => l.messageId)).toEqual(batch.Records.map((r) => r.messageId));
    expect(String(deferred[0]?.reason)).toContain("scan aborted");
    expect(String(deferred[1]?.reason)).toContain("too little to scan and store");
    expect(emfSum(lines, "RecordsDeferred")).toBe(3);
    expect(emfSum(lines, "FailedRecords")).toBe(0);
    expect(emfSum(lines, "ScopesScanned")).toBe(0);
  });

  it("scans and stores the same records when SQS hands them out again with time to spare", async () => {
    // Act
    const { result, lines } = await captureOutput(() => scanner.handler(batch, endingIn(300_000)));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await store.reader.getScope("111122223333", "us-east-1")).toMatchObject({ status: "complete" });
    expect(await store.reader.getScope("555566667777", "eu-west-1")).toMatchObject({ status: "complete" });
    expect(emfSum(lines, "ScopesCompleted")).toBe(3);
    expect(emfSum(lines, "RecordsDeferred")).toBe(0);
  });
});
