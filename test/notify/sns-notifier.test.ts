import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import { type Finding, findingId } from "#shared/findings/index.ts";
import { type AlertJson, SNS_MAX_MESSAGE_BYTES, SnsNotifier, StdoutNotifier } from "#shared/notify/index.ts";
import { FindingsStore, type ReconcileOutcome } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { ACCOUNT, at, baseline, complete, finding, REGION, SCOPE } from "#test/store/fixtures.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import { policyMatches } from "./filter-policy.ts";
import { TOPIC_ARN, transition } from "./fixtures.ts";

let dynamo: LocalDynamo;
let sim: Simulator;
let sns: SNSClient;
let table: string;
let store: FindingsStore;

const estate = parseEstate({
  version: 1,
  organization: { accounts: [{ Id: ACCOUNT, Status: "ACTIVE" }] },
  accounts: { [ACCOUNT]: { regions: { [REGION]: {} } } },
});

beforeAll(async () => {
  [dynamo, sim] = await Promise.all([startDynalite(), startSimulator({ estate })]);
  sns = new SNSClient({
    endpoint: sim.url,
    region: REGION,
    credentials: { accessKeyId: "AKIA111122223333TEST", secretAccessKey: "x" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sns.destroy();
  await Promise.all([dynamo.stop(), sim.close()]);
});

beforeEach(async () => {
  sim.published.length = 0;
  table = await dynamo.createTable();
  store = new FindingsStore(dynamo.doc, table);
});

function notifier(s: FindingsStore = store, topicArn = TOPIC_ARN): SnsNotifier {
  return new SnsNotifier({
    sns,
    topicArn,
    ledger: s.ledger,
    minSeverity: "HIGH",
    claimRetryDelayMs: 20,
    claimAttempts: 50,
  });
}

/** What the scanner does for one SQS message: reconcile, then notify. */
async function scanTask(s: FindingsStore, n: SnsNotifier, findings: Finding[], outcome: ReconcileOutcome) {
  const transitions = await s.writer.reconcileScope(SCOPE, findings, outcome);
  return n.notify(SCOPE, outcome.runId, transitions);
}

function jsonOf(message: string): AlertJson {
  return JSON.parse((JSON.parse(message) as { sqs: string }).sqs) as AlertJson;
}

describe("Class: SnsNotifier", () => {
  describe("Method: notify", () => {
    it("publishes one message for the scope's run with subject, JSON structure and attributes", async () => {
      // Act
      const result = await scanTask(store, notifier(), baseline(), complete("run-1", at(0)));

      // Assess
      expect(result).toMatchObject({ status: "published", transitions: 2 });
      expect(sim.published).toHaveLength(1);
      const [message] = sim.published;
      expect(message?.subject).toBe(
        `[eks-auditor] CRITICAL NEW sg.ssh-open-to-world on prod in ${ACCOUNT} ${REGION} (+1 more)`,
      );
      expect(message?.messageStructure).toBe("json");
      expect(message?.messageAttributes).toEqual({
        severity: { DataType: "String", StringValue: "CRITICAL" },
        kind: { DataType: "String", StringValue: "findings" },
        accountId: { DataType: "String", StringValue: ACCOUNT },
        region: { DataType: "String", StringValue: REGION },
        ruleIds: {
          DataType: "String.Array",
          StringValue: '["elb.no-eligible-subnet","sg.ssh-open-to-world"]',
        },
        transitions: { DataType: "String.Array", StringValue: '["NEW"]' },
        team: { DataType: "String.Array", StringValue: '["-"]' },
        teamSeverity: { DataType: "String.Array", StringValue: '["-:CRITICAL"]' },
      });
      const json = jsonOf(message?.message ?? "{}");
      expect(json.transitions.map((t) => `${t.type} ${t.ruleId} ${t.severity}`)).toEqual([
        "NEW sg.ssh-open-to-world CRITICAL",
        "NEW elb.no-eligible-subnet HIGH",
      ]);
      expect(await store.ledger.hasPendingNotifications(SCOPE)).toBe(false);
      expect(await store.ledger.pendingTransitions(SCOPE)).toEqual([]);
      expect((await store.reader.getScope(ACCOUNT, REGION))?.notifiedState).toMatchObject({
        status: "sent",
        runId: "run-1",
        messageId: message?.messageId,
        transitions: 4,
      });
    });

    it("does not page again when SQS redelivers the same scope result", async () => {
      // Prepare
      const outcome = complete("run-1", at(0));
      await scanTask(store, notifier(), baseline(), outcome);
      store.resetStats();

      // Act
      const again = await scanTask(store, notifier(), baseline(), outcome);

      // Assess
      expect(again.status).toBe("nothing-pending");
      expect(sim.published).toHaveLength(1);
      expect(store.stats().writeCalls).toBe(1); // the scope item, nothing else
    });

    it("still pages on redelivery after a crash between reconcile and publish", async () => {
      // Prepare: the first delivery reconciled, then died before notifying.
      await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));

      // Act: redelivery rescans (nothing new) and notifies; then a third delivery.
      const redelivered = await scanTask(store, notifier(), baseline(), complete("run-1", at(5)));
      const third = await scanTask(store, notifier(), baseline(), complete("run-1", at(10)));

      // Assess
      expect(redelivered).toMatchObject({ status: "published", transitions: 2 });
      expect(third.status).toBe("nothing-pending");
      expect(sim.published).toHaveLength(1);
      expect(jsonOf(sim.published[0]?.message ?? "{}").transitions.map((t) => t.type)).toEqual([
        "NEW",
        "NEW",
      ]);
    });

    it("pages once when two scanners reconcile and notify the same scope at once", async () => {
      for (let round = 0; round < 5; round++) {
        // Prepare
        sim.published.length = 0;
        const name = await dynamo.createTable();
        const many = [
          ...baseline(),
          ...Array.from({ length: 12 }, (_, i) =>
            finding({ ruleId: "node.health-issues", resourceId: `ng-${i}`, severity: "HIGH" }),
          ),
        ];
        const a = new FindingsStore(dynamo.doc, name, { writeConcurrency: 2 });
        const b = new FindingsStore(dynamo.doc, name, { writeConcurrency: 3 });
        const outcome = complete("run-1", at(0));

        // Act
        const results = await Promise.all([
          scanTask(a, notifier(a), many, outcome),
          scanTask(b, notifier(b), many, outcome),
        ]);

        // Assess
        expect(sim.published).toHaveLength(1);
        expect(results.map((r) => r.status).sort()).toEqual(["nothing-pending", "published"]);
        expect(jsonOf(sim.published[0]?.message ?? "{}").total).toBe(14);
        expect(await a.ledger.pendingTransitions(SCOPE)).toEqual([]);
      }
    });

    it("sends no message below the threshold and clears what it handled", async () => {
      // Act
      const result = await scanTask(
        store,
        notifier(),
        [finding({ severity: "LOW" }), finding({ ruleId: "ip.subnet-nearly-full", severity: "MEDIUM" })],
        complete("run-1", at(0)),
      );

      // Assess
      expect(result.status).toBe("below-threshold");
      expect(sim.published).toHaveLength(0);
      expect(await store.ledger.pendingTransitions(SCOPE)).toEqual([]);
      expect(await store.ledger.hasPendingNotifications(SCOPE)).toBe(false);
    });

    it("pages a resolution of a finding at the threshold, as info", async () => {
      // Prepare
      await scanTask(store, notifier(), baseline(), complete("run-1", at(0)));

      // Act
      await scanTask(store, notifier(), baseline().slice(1), complete("run-2", at(60)));

      // Assess
      expect(sim.published).toHaveLength(2);
      expect(sim.published[1]?.subject).toBe(
        `[eks-auditor] INFO RESOLVED elb.no-eligible-subnet on prod in ${ACCOUNT} ${REGION}`,
      );
      expect(sim.published[1]?.messageAttributes.transitions?.StringValue).toBe('["RESOLVED"]');
    });

    it("keeps the transitions pending when Publish fails, and pages them on the retry", async () => {
      // Prepare
      const transitions = await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));

      // Act
      const failure = notifier(store, "not-a-topic-arn").notify(SCOPE, "run-1", transitions);
      await expect(failure).rejects.toThrow();
      const retry = await notifier().notify(SCOPE, "run-1", []);

      // Assess
      expect(retry.status).toBe("published");
      expect(sim.published).toHaveLength(1);
    });

    it("summarises a message that would pass the SNS size limit, and SNS accepts it", async () => {
      // Prepare
      const findings = Array.from({ length: 150 }, (_, i) =>
        finding({
          ruleId: "ip.subnet-nearly-full",
          resourceId: `subnet-${String(i).padStart(4, "0")}`,
          severity: "HIGH",
          detail: `Node group ng-${i} cannot reach maxSize 50: 12 nodes fit in 190 free addresses. `.repeat(
            10,
          ),
        }),
      );

      // Act
      const result = await scanTask(store, notifier(), findings, complete("run-1", at(0)));

      // Assess
      expect(result).toMatchObject({ status: "published", summarised: true, transitions: 150 });
      const message = sim.published[0];
      expect(Buffer.byteLength(message?.message ?? "")).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
      const json = jsonOf(message?.message ?? "{}");
      expect(json.summarised).toBe(true);
      expect(json.omitted + json.transitions.length).toBe(150);
      expect(JSON.parse(message?.message ?? "{}").default).toContain(`…and ${json.omitted} more.`);
    });

    it("routes a change re-read from the store after a crash by the team stored on its finding", async () => {
      // Prepare: the first delivery reconciled the tagged findings, then died before notifying
      const findings = [
        finding({ team: "payments" }),
        finding({
          cluster: "etl",
          ruleId: "sg.ssh-open-to-world",
          resourceId: "ng-a",
          severity: "CRITICAL",
          team: "data",
        }),
      ];
      await store.writer.reconcileScope(SCOPE, findings, complete("run-1", at(0)));

      // Act: the redelivery pages from the store's outbox, with the account's name from its task
      const result = await notifier().notify({ ...SCOPE, accountName: "payments-prod" }, "run-1", []);

      // Assess
      expect(result.status).toBe("published");
      const [message] = sim.published;
      expect(message?.messageAttributes.team).toEqual({
        DataType: "String.Array",
        StringValue: '["data","payments"]',
      });
      expect(message?.messageAttributes.teamSeverity?.StringValue).toBe('["data:CRITICAL","payments:HIGH"]');
      expect(message?.subject).toBe(
        `CRITICAL NEW sg.ssh-open-to-world on etl in payments-prod (${ACCOUNT}) ${REGION} (+1 more)`,
      );
      const json = jsonOf(message?.message ?? "{}");
      expect(json.accountName).toBe("payments-prod");
      expect(json.transitions.map((t) => [t.team, t.findingId])).toEqual(
        [findings[1], findings[0]].map((f) => [f?.team, f ? findingId(f) : ""]),
      );
      for (const policy of [{ team: ["payments"] }, { team: ["data"] }]) {
        expect(policyMatches(policy, message?.messageAttributes ?? {})).toBe(true);
      }
      expect(policyMatches({ team: ["-"] }, message?.messageAttributes ?? {})).toBe(false);
    });

    it("stores a team that changed on a finding without a transition, and routes its resolution by it", async () => {
      // Prepare: the cluster got its team tag after the finding was first seen
      await scanTask(store, notifier(), [finding()], complete("run-1", at(0)));
      await scanTask(store, notifier(), [finding({ team: "payments" })], complete("run-2", at(10)));

      // Act: the finding goes away
      await scanTask(store, notifier(), [], complete("run-3", at(20)));

      // Assess: one page for NEW (no team), none for the team change, one for RESOLVED routed to payments
      expect(sim.published.map((m) => m.messageAttributes.transitions?.StringValue)).toEqual([
        '["NEW"]',
        '["RESOLVED"]',
      ]);
      expect(sim.published[1]?.messageAttributes.team?.StringValue).toBe('["payments"]');
    });

    it("without a ledger publishes the transitions it is given", async () => {
      // Prepare
      const plain = new SnsNotifier({ sns, topicArn: TOPIC_ARN, minSeverity: "MEDIUM" });

      // Act
      const result = await plain.notify(SCOPE, "run-1", [transition("NEW", "MEDIUM")]);

      // Assess
      expect(result.status).toBe("published");
      expect(sim.published[0]?.messageAttributes.severity?.StringValue).toBe("MEDIUM");
    });
  });
});

describe("Class: StdoutNotifier", () => {
  it("prints the subject and the email text", async () => {
    // Prepare
    const lines: string[] = [];
    const stdout = new StdoutNotifier({ minSeverity: "HIGH", write: (text) => lines.push(text) });

    // Act
    const result = await stdout.notify(SCOPE, "run-1", [
      transition("NEW", "HIGH"),
      transition("NEW", "LOW", { ruleId: "elb.stale-cluster-tag" }),
    ]);

    // Assess
    expect(result).toMatchObject({ status: "printed", transitions: 1 });
    expect(lines.join("")).toContain(
      `Subject: [eks-auditor] HIGH NEW elb.no-eligible-subnet on prod in ${ACCOUNT} ${REGION}`,
    );
    expect(lines.join("")).toContain("Fix: aws ec2 create-tags");
  });
});
