import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import { FindingsStore } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import { lambdaContext, QUEUE_URL, SAMPLE_ESTATE, setEnv, simulatorEnv, TOPIC_ARN } from "./support.ts";

const sqsMock = mockClient(SQSClient);
let sim: Simulator;
let dynamo: LocalDynamo;
let store: FindingsStore;
let restoreEnv: () => void;

/** A scope-level coverage finding as the scanner records it for a scope it could not scan. */
function coverage(accountId: string, region: string): Finding {
  return {
    accountId,
    region,
    cluster: "-",
    ruleId: "scan.access-denied",
    resourceId: `arn:aws:iam::${accountId}:role/EksAuditorReadRole`,
    severity: "HIGH",
    title: `Access denied: ${accountId} ${region} was not scanned`,
    detail: "AccessDenied",
    remediation: "Deploy the member role.",
    evidence: {},
  };
}

beforeAll(async () => {
  [sim, dynamo] = await Promise.all([
    loadEstateFile(SAMPLE_ESTATE).then((estate) => startSimulator({ estate })),
    startDynalite(),
  ]);
  const tableName = await dynamo.createTable();
  store = new FindingsStore(dynamo.doc, tableName);
  // Prepare: a failed scan of an account that has since left the organisation, one of a region the
  // configuration no longer scans, and one of a scope that is still planned
  const failed = (f: Finding) =>
    store.writer.reconcileScope(f, [f], {
      status: "failed",
      runId: "20261101T061500Z-00000001",
      scannedAt: "2026-11-01T06:15:00.000Z",
      error: { name: "AccessDenied", message: "denied" },
    });
  await failed(coverage("999900001111", "eu-west-1"));
  await failed(coverage("111122223333", "ap-south-1"));
  await failed(coverage("444455556666", "eu-west-1"));
  restoreEnv = setEnv({
    ...simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }, { logLevel: "SILENT" }),
    QUEUE_URL,
    REGIONS: "eu-west-1,us-east-1",
    TABLE_NAME: tableName,
    TOPIC_ARN,
  });
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: (input.Entries ?? []).map((e) => ({
      Id: e.Id,
      MessageId: `m-${e.Id}`,
      MD5OfMessageBody: "",
    })),
    Failed: [],
  }));
  vi.resetModules();
});

afterAll(async () => {
  restoreEnv();
  sqsMock.restore();
  await Promise.all([sim.close(), dynamo.stop()]);
});

describe("Function: planner, with the findings table", () => {
  it("resolves the coverage findings of account-regions its plan no longer includes, with the reason, and pages them", async () => {
    // Act
    const { handler } = await import("#functions/planner/handler.ts");
    const published = sim.published.length;
    const summary = await handler(
      { scheduledTime: "2026-12-05T06:15:00Z", executionId: "exec-coverage" },
      lambdaContext("eks-auditor-planner"),
    );

    // Assess
    expect(summary.coverageResolved).toBe(2);
    const gone = await store.reader.getFinding(coverage("999900001111", "eu-west-1"));
    const unscanned = await store.reader.getFinding(coverage("111122223333", "ap-south-1"));
    const planned = await store.reader.getFinding(coverage("444455556666", "eu-west-1"));
    expect(gone).toMatchObject({ status: "RESOLVED" });
    expect(gone?.resolvedReason).toMatch(/^account 999900001111 is no longer planned/);
    expect(unscanned).toMatchObject({ status: "RESOLVED" });
    expect(unscanned?.resolvedReason).toMatch(/^region ap-south-1 is no longer scanned for 111122223333/);
    // Still planned: its own scan decides
    expect(planned).toMatchObject({ status: "OPEN" });
    // A HIGH finding resolved pages at the default threshold, as coverage
    const messages = sim.published.slice(published);
    expect(messages.map((m) => m.messageAttributes?.kind?.StringValue)).toEqual(["coverage", "coverage"]);
  });
});
