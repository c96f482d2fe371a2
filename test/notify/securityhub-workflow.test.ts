import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import { type Finding, findingKey } from "#shared/findings/index.ts";
import { SnsNotifier } from "#shared/notify/index.ts";
import {
  asffIdOf,
  OutboxNotifier,
  SecurityHubChannel,
  SecurityHubWorkflowError,
  SecurityHubWorkflowUpdater,
  SnsChannel,
  type WorkflowChange,
} from "#shared/notify/securityhub/index.ts";
import { FindingsStore, type ReconcileOutcome, type Suppression } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { ACCOUNT, at, baseline, complete, finding, REGION, SCOPE } from "#test/store/fixtures.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import { TOPIC_ARN } from "./fixtures.ts";

const PRODUCT = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;
const RISK: Suppression = { reason: "kept on purpose (CHG-7)", owner: "team-edge" };

let dynamo: LocalDynamo;
let sim: Simulator;
let sns: SNSClient;
let hub: SecurityHubClient;
let store: FindingsStore;

const estate = parseEstate({
  version: 1,
  organization: { accounts: [{ Id: ACCOUNT, Status: "ACTIVE" }] },
  accounts: { [ACCOUNT]: { regions: { [REGION]: {} } } },
});
const credentials = { accessKeyId: "AKIA111122223333TEST", secretAccessKey: "x" };

beforeAll(async () => {
  [dynamo, sim] = await Promise.all([startDynalite(), startSimulator({ estate })]);
  sns = new SNSClient({ endpoint: sim.url, region: REGION, credentials, maxAttempts: 1 });
  hub = new SecurityHubClient({
    endpoint: sim.url,
    region: REGION,
    credentials,
    retryStrategy: new ConfiguredRetryStrategy(1, 0),
  });
});

afterAll(async () => {
  sns.destroy();
  hub.destroy();
  await Promise.all([dynamo.stop(), sim.close()]);
});

beforeEach(async () => {
  sim.setEstate(estate);
  sim.published.length = 0;
  sim.securityHub.clear();
  store = new FindingsStore(dynamo.doc, await dynamo.createTable());
});

function notifier(): OutboxNotifier {
  const securityHub = new SecurityHubChannel({
    client: hub,
    target: { accountId: ACCOUNT, partition: "aws", region: REGION },
    rounds: 2,
    retryDelayMs: 0,
  });
  const page = new SnsChannel(new SnsNotifier({ sns, topicArn: TOPIC_ARN, minSeverity: "LOW" }));
  return new OutboxNotifier({
    channels: [securityHub, page],
    ledger: store.ledger,
    claimRetryDelayMs: 1,
    claimAttempts: 2,
  });
}

/** What the scanner does for one SQS message: reconcile (with the accepted risks), then notify. */
async function scanTask(findings: Finding[], outcome: ReconcileOutcome, suppressed: Finding[] = []) {
  const transitions = await store.writer.reconcileScope(SCOPE, findings, {
    ...outcome,
    ...(suppressed.length > 0 ? { suppressed: new Map(suppressed.map((f) => [findingKey(f), RISK])) } : {}),
  });
  return notifier().notify(SCOPE, outcome.runId, transitions);
}

describe("Class: OutboxNotifier (accepted risks to Security Hub)", () => {
  it("exports a suppression (no outbox marker) to Security Hub with workflow SUPPRESSED, and pages nobody", async () => {
    // Prepare: a finding imported open and paged
    const kept = finding({ resourceId: "vpc-kept", severity: "HIGH" });
    await scanTask([kept, ...baseline()], complete("run-1", at(0)));
    const paged = sim.published.length;

    // Act: accepted as a risk
    await scanTask([kept, ...baseline()], complete("run-2", at(60)), [kept]);

    // Assess
    expect(sim.published).toHaveLength(paged);
    expect(await store.ledger.pendingTransitions(SCOPE)).toEqual([]);
    expect(sim.securityHub.findings.get(`${PRODUCT}|${asffIdOf(kept)}`)).toMatchObject({
      RecordState: "ACTIVE",
      UpdatedAt: at(60),
      Workflow: { Status: "SUPPRESSED" },
      Note: { Text: "eks-auditor: accepted risk: kept on purpose (CHG-7); owner team-edge" },
    });
  });

  it("exports a suppression even while another notifier holds the scope's lease", async () => {
    // Prepare
    const kept = finding({ resourceId: "vpc-kept", severity: "HIGH" });
    await scanTask([kept], complete("run-1", at(0)));
    const other = await store.ledger.claimNotifications(SCOPE, "run-other", {
      owner: "other",
      leaseMs: 60_000,
    });
    expect(other).toBeDefined();

    // Act
    const result = await scanTask([kept], complete("run-2", at(60)), [kept]);

    // Assess
    expect(result.status).toBe("busy");
    expect(sim.securityHub.workflowOf(PRODUCT, asffIdOf(kept))).toBe("SUPPRESSED");
  });
});

describe("Class: SecurityHubWorkflowUpdater", () => {
  const change = (id: string): WorkflowChange => ({
    id,
    status: "SUPPRESSED",
    note: "eks-auditor: accepted risk: secret-ish reason",
    quiet: true,
  });

  async function imported(ids: string[]) {
    const channel = new SecurityHubChannel({
      client: hub,
      target: { accountId: ACCOUNT, partition: "aws", region: REGION },
    });
    await channel.deliver(
      SCOPE,
      "run-1",
      ids.map((id) => ({
        type: "NEW",
        finding: finding({ resourceId: id }),
        to: "HIGH",
        at: at(0),
        runId: "run-1",
      })),
    );
    return ids.map((id) => asffIdOf(finding({ resourceId: id })));
  }

  it("sends again what came back in UnprocessedFindings, at most 100 identifiers a call", async () => {
    // Prepare
    const ids = await imported(Array.from({ length: 120 }, (_, i) => `vpc-${i}`));
    sim.securityHub.rejectNextUpdates(2, "ConcurrentUpdateError");
    const updater = new SecurityHubWorkflowUpdater({ client: hub, rounds: 3, retryDelayMs: 0 });

    // Act
    const report = await updater.update(PRODUCT, ids.map(change));

    // Assess
    expect(report).toEqual({ updated: 120, calls: 3, resent: 2 });
    expect(sim.securityHub.updates.map((u) => u.identifiers.length)).toEqual([100, 20, 2]);
    expect(ids.every((id) => sim.securityHub.workflowOf(PRODUCT, id) === "SUPPRESSED")).toBe(true);
  });

  it("throws what is still refused after its last round, naming the findings and codes but never the note", async () => {
    // Prepare
    const [id = ""] = await imported(["vpc-a"]);
    sim.securityHub.rejectNextUpdates(10, "InternalFailure");
    const updater = new SecurityHubWorkflowUpdater({ client: hub, rounds: 2, retryDelayMs: 0 });

    // Act
    const err = await updater
      .update(PRODUCT, [change(id), change("never-imported")])
      .catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(SecurityHubWorkflowError);
    expect((err as SecurityHubWorkflowError).refused.map((r) => [r.id, r.errorCode])).toEqual([
      [id, "InternalFailure"],
      ["never-imported", "FindingNotFound"],
    ]);
    expect((err as Error).message).toContain(`${id} → SUPPRESSED: InternalFailure`);
    expect((err as Error).message).toContain("no later scan sends them again");
    expect((err as Error).message).not.toContain("secret-ish");
  });

  it("gets through throttling by re-sending the throttled call", async () => {
    // Prepare: two calls' worth; one call may go, then one more every half second
    const ids = await imported(Array.from({ length: 101 }, (_, i) => `vpc-${i}`));
    sim.setEstate(parseEstate({ ...estate, faults: { throttle: { bucket: 1, refillPerSecond: 2 } } }));
    const updater = new SecurityHubWorkflowUpdater({ client: hub, rounds: 6, retryDelayMs: 100 });

    // Act
    const report = await updater.update(PRODUCT, ids.map(change));

    // Assess
    expect(sim.calls.throttled()).toBeGreaterThan(0);
    expect(report.updated).toBe(101);
    expect(report.resent).toBeGreaterThan(0);
  });
});
