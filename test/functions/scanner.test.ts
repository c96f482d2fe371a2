import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { type FindingsStore, FindingsWriter } from "#shared/store/index.ts";
import type { Simulator } from "#sim/index.ts";
import { type ScannerContainer, startScannerContainer } from "./scanner-container.ts";
import {
  captureOutput,
  emfSum,
  lambdaContext,
  SAMPLE_ESTATE,
  sqsEvent,
  sqsRecord,
  TOPIC_ARN,
} from "./support.ts";

type ScannerModule = typeof import("#functions/scanner/handler.ts");

let sim: Simulator;
let store: FindingsStore;
let scanner: ScannerModule;
let container: ScannerContainer;

const RUN = { runId: "20261125T061500Z-5ca1ab1e", scheduledAt: "2026-11-25T06:15:00.000Z" };

function task(accountId: string, region: string, run = RUN): SQSRecord {
  const body: ScanTask = { ...run, accountId, region };
  return sqsRecord(JSON.stringify(body));
}

function publishedFor(accountId: string, region: string) {
  return sim.published.filter(
    (m) =>
      m.messageAttributes.accountId?.StringValue === accountId &&
      m.messageAttributes.region?.StringValue === region,
  );
}

beforeAll(async () => {
  container = await startScannerContainer(await loadEstateFile(SAMPLE_ESTATE), {
    ALERT_MIN_SEVERITY: "HIGH",
  });
  ({ sim, store, scanner } = container);
});

afterAll(() => container.stop());

beforeEach(() => {
  vi.restoreAllMocks();
});

describe("Function: scanner", () => {
  const payments = task("222233334444", "eu-west-1");
  const edge = task("111122223333", "us-east-1");
  const malformed = sqsRecord('{"runId": "20261125T061500Z-5ca1ab1e", "accountId": "not-an-account"');
  const sandbox = task("444455556666", "eu-west-1");
  const batch = sqsEvent([payments, edge, malformed, sandbox]);

  it("reports only the malformed record; the others' findings are stored and paged once each", async () => {
    // Act
    const { result, lines } = await captureOutput(() =>
      scanner.handler(batch, lambdaContext("eks-auditor-scanner")),
    );

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: malformed.messageId }]);
    const paymentsFindings = await store.reader.queryFindings({ accountId: "222233334444", status: "open" });
    expect(paymentsFindings.map((f) => f.ruleId)).toEqual(
      expect.arrayContaining([
        "ip.subnet-exhausted",
        "sg.ssh-open-to-world",
        "sg.missing-control-plane-rules",
      ]),
    );
    const edgeFindings = await store.reader.queryFindings({ accountId: "111122223333", status: "open" });
    expect(edgeFindings.map((f) => f.ruleId)).toContain("elb.no-eligible-subnet");
    expect(await store.reader.getScope("444455556666", "eu-west-1")).toMatchObject({ status: "failed" });
    expect(publishedFor("222233334444", "eu-west-1")).toHaveLength(1);
    expect(publishedFor("111122223333", "us-east-1")).toHaveLength(1);
    expect(publishedFor("444455556666", "eu-west-1")).toHaveLength(1);
    expect(sim.published.every((m) => m.topicArn === TOPIC_ARN)).toBe(true);

    const malformedLog = lines.find(
      (l) => l.message === "Malformed scan task: record left for redelivery and the DLQ",
    );
    expect(malformedLog).toMatchObject({ level: "ERROR", messageId: malformed.messageId });
    const scanned = lines.filter((l) => l.message === "Scope scanned");
    expect(scanned.map((l) => `${String(l.accountId)}/${String(l.region)}`).sort()).toEqual([
      "111122223333/us-east-1",
      "222233334444/eu-west-1",
    ]);
    for (const l of scanned) expect(l).toMatchObject({ runId: RUN.runId, level: "INFO" });
    // Each scope's log line counts its own calls: the ones the simulator answered for it, none of another scope's.
    for (const l of scanned) {
      const served = sim.calls
        .all()
        .filter(
          (c) =>
            c.accountId === l.accountId &&
            c.region === l.region &&
            c.service !== "sts" &&
            c.service !== "sns",
        ).length;
      expect(l.apiCalls).toBe(served);
    }
    expect(lines.find((l) => l.message === "Scope not scanned: its scan.* finding is stored")).toMatchObject({
      accountId: "444455556666",
      region: "eu-west-1",
    });

    expect(emfSum(lines, "ScopesScanned")).toBe(3);
    expect(emfSum(lines, "ScanErrors")).toBe(1);
    expect(emfSum(lines, "FailedRecords")).toBe(1);
    expect(emfSum(lines, "ApiCalls")).toBeGreaterThan(10);
    expect(emfSum(lines, "Findings", { severity: "CRITICAL" })).toBeGreaterThanOrEqual(1);
    expect(emfSum(lines, "Transitions", { transition: "NEW" })).toBe(
      paymentsFindings.length + edgeFindings.length + 1,
    );
    expect(lines.find((l) => "ScopesScanned" in l)).toMatchObject({ service: "eks-auditor-scanner" });
  });

  it("does not page again when SQS redelivers the batch", async () => {
    // Prepare
    const publishedBefore = sim.published.length;

    // Act
    const { result } = await captureOutput(() =>
      scanner.handler(batch, lambdaContext("eks-auditor-scanner")),
    );

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: malformed.messageId }]);
    expect(sim.published.length).toBe(publishedBefore);
  });

  it("reports only the record whose reconcile throws; the next record of the batch is still processed", async () => {
    // Prepare
    const reconcile = FindingsWriter.prototype.reconcileScope;
    vi.spyOn(FindingsWriter.prototype, "reconcileScope").mockImplementation(function (
      this: FindingsWriter,
      scope,
      findings,
      outcome,
    ) {
      if (scope.accountId === "555566667777")
        return Promise.reject(new Error("ProvisionedThroughputExceededException"));
      return reconcile.call(this, scope, findings, outcome);
    });
    const failing = task("555566667777", "eu-west-1");
    const etl = task("333344445555", "eu-west-1");

    // Act
    const { result, lines } = await captureOutput(() =>
      scanner.handler(sqsEvent([failing, etl]), lambdaContext("eks-auditor-scanner")),
    );

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
    expect(await store.reader.getScope("555566667777", "eu-west-1")).toBeUndefined();
    const etlFindings = await store.reader.queryFindings({ accountId: "333344445555", status: "open" });
    expect(etlFindings.map((f) => f.ruleId)).toContain("sg.pod-eni-unsupported-instance");
    expect(lines.find((l) => l.message === "Scan task failed: reconcile or notify threw")).toMatchObject({
      level: "ERROR",
      accountId: "555566667777",
      messageId: failing.messageId,
    });
  });

  it("treats a scan that failed as a stored result, not a record failure", async () => {
    // Prepare
    const broken = task("222233334444", "us-east-1");

    // Act
    const { result } = await captureOutput(() =>
      scanner.handler(sqsEvent([broken]), lambdaContext("eks-auditor-scanner")),
    );

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const findings = await store.reader.queryFindings({ accountId: "222233334444", status: "open" });
    expect(findings.filter((f) => f.region === "us-east-1").map((f) => f.ruleId)).toEqual(["scan.error"]);
  });
});
