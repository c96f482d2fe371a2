import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import { OutboxNotifier, SecurityHubChannel } from "#shared/notify/securityhub/index.ts";
import { FindingsStore } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import {
  lambdaContext,
  MANAGEMENT_ACCESS_KEY,
  QUEUE_URL,
  SAMPLE_ESTATE,
  setEnv,
  simulatorEnv,
  TOPIC_ARN,
} from "#test/functions/support.ts";
import { loadPlanner } from "#test/reliability/support.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";

const CENTRAL = "111122223333";

const sqsMock = mockClient(SQSClient);
let sim: Simulator;
let dynamo: LocalDynamo;
let store: FindingsStore;
let tableName: string;
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
  tableName = await dynamo.createTable();
  store = new FindingsStore(dynamo.doc, tableName);
  // Prepare: coverage findings of an account that left the organisation and of a scope still planned,
  // already in Security Hub (the scanner imported them when they were NEW)
  const hub = new SecurityHubClient({
    endpoint: sim.url,
    region: "eu-west-1",
    credentials: { accessKeyId: MANAGEMENT_ACCESS_KEY, secretAccessKey: "x" },
  });
  const imported = new OutboxNotifier({
    channels: [
      new SecurityHubChannel({
        client: hub,
        target: { accountId: CENTRAL, partition: "aws", region: "eu-west-1" },
      }),
    ],
    ledger: store.ledger,
  });
  for (const f of [coverage("999900001111", "eu-west-1"), coverage("444455556666", "eu-west-1")]) {
    const transitions = await store.writer.reconcileScope(f, [f], {
      status: "failed",
      runId: "20261101T061500Z-00000001",
      scannedAt: "2026-11-01T06:15:00.000Z",
      error: { name: "AccessDenied", message: "denied" },
    });
    await imported.notify(f, "20261101T061500Z-00000001", transitions);
  }
  hub.destroy();
  restoreEnv = setEnv(
    simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }, { logLevel: "SILENT" }),
  );
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: (input.Entries ?? []).map((e) => ({
      Id: e.Id,
      MessageId: `m-${e.Id}`,
      MD5OfMessageBody: "",
    })),
    Failed: [],
  }));
});

afterAll(async () => {
  restoreEnv();
  sqsMock.restore();
  await Promise.all([sim.close(), dynamo.stop()]);
});

describe("Function: planner with SECURITY_HUB_IMPORT=true", () => {
  it("archives in Security Hub the coverage findings it resolves, and pages them", async () => {
    // Prepare
    const { handler } = await loadPlanner({
      QUEUE_URL,
      REGIONS: "eu-west-1,us-east-1",
      TABLE_NAME: tableName,
      TOPIC_ARN,
      SECURITY_HUB_IMPORT: "true",
    });
    const calls = sim.securityHub.imports.length;
    const held = () =>
      [...sim.securityHub.findings.values()].map(
        (f) => `${f.ProductFields?.["eksAuditor/AccountId"]} ${f.RecordState}`,
      );
    const before = held().sort();

    // Act
    const summary = await handler(
      { scheduledTime: "2026-12-05T06:15:00Z", executionId: "exec-sechub" },
      lambdaContext("eks-auditor-planner"),
    );

    // Assess
    expect(summary.coverageResolved).toBe(1);
    expect(before).toEqual(["444455556666 ACTIVE", "999900001111 ACTIVE"]);
    expect(held().sort()).toEqual(["444455556666 ACTIVE", "999900001111 ARCHIVED"]);
    const archive = sim.securityHub.imports.slice(calls).flatMap((c) => c.findings);
    expect(archive).toHaveLength(1);
    expect(archive[0]).toMatchObject({
      AwsAccountId: CENTRAL,
      Compliance: { Status: "PASSED" },
      ProductFields: expect.objectContaining({
        "eksAuditor/ResolvedReason": expect.stringMatching(/^account 999900001111 is no longer planned/),
      }),
    });
    expect(sim.published.map((m) => m.messageAttributes.kind?.StringValue)).toEqual(["coverage"]);
  });
});
