import { SNSClient } from "@aws-sdk/client-sns";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import { SnsNotifier } from "#shared/notify/index.ts";
import {
  accountPk,
  BY_RULE_INDEX,
  FindingsStore,
  findingSk,
  type ReconcileOutcome,
  type Transition,
} from "#shared/store/index.ts";
import { SuppressionMatcher, suppressionsByKey } from "#shared/suppress/match.ts";
import { parseSuppressions } from "#shared/suppress/parse.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { TOPIC_ARN } from "#test/notify/fixtures.ts";
import { ACCOUNT, at, finding, REGION, SCOPE } from "#test/store/fixtures.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";

let dynamo: LocalDynamo;
let sim: Simulator;
let sns: SNSClient;
let table: string;
let store: FindingsStore;
let notifier: SnsNotifier;

const estate = parseEstate({
  version: 1,
  organization: { accounts: [{ Id: ACCOUNT, Status: "ACTIVE" }] },
  accounts: { [ACCOUNT]: { regions: { [REGION]: {} } } },
});

/** The deliberate pattern: blue and green share a VPC, each tags the other's subnets. */
const FOREIGN_TAG = finding({
  cluster: "payments-blue",
  ruleId: "elb.foreign-cluster-tag",
  resourceId: "subnet-0a1b",
  severity: "HIGH",
  title: "Role-tagged subnet subnet-0a1b excluded by payments-green's tag",
});
const OTHER = finding({ ruleId: "ip.subnet-exhausted", resourceId: "subnet-9", severity: "CRITICAL" });
const CLUSTER_TAGS = { "payments-blue": { team: "payments" } };
const DAY = 24 * 60;

function suppressionsUntil(
  expires: string,
  reason = "Blue and green share vpc-0a1b on purpose (CHG-1234)",
  owner?: string,
) {
  return new SuppressionMatcher(
    parseSuppressions(
      [
        "suppressions:",
        "  - rule: elb.foreign-cluster-tag",
        "    cluster: payments-*",
        "    tags: [team=payments]",
        `    reason: ${reason}`,
        ...(owner ? [`    owner: ${owner}`] : []),
        `    expires: ${expires}`,
        "",
      ].join("\n"),
      "suppressions.yaml",
    ),
  );
}

/** One scan task as the scanner runs it: match the suppressions at the scan's time, reconcile, notify. */
async function run(
  minutes: number,
  findings: Finding[],
  suppressions?: SuppressionMatcher,
  runId = `run-${minutes}`,
): Promise<{ transitions: Transition[]; published: number }> {
  const scannedAt = at(minutes);
  const suppressed = suppressions?.suppressed(findings, CLUSTER_TAGS, Date.parse(scannedAt)) ?? [];
  const outcome: ReconcileOutcome = { status: "complete", runId, scannedAt };
  if (suppressed.length > 0) outcome.suppressed = suppressionsByKey(suppressed);
  const before = sim.published.length;
  const transitions = await store.writer.reconcileScope(SCOPE, findings, outcome);
  await notifier.notify(SCOPE, runId, transitions);
  return { transitions, published: sim.published.length - before };
}

async function rawItem(f: Finding): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo.doc.send(
    new GetCommand({ TableName: table, Key: { pk: accountPk(f.accountId), sk: findingSk(f) } }),
  );
  return out.Item;
}

const summary = (ts: readonly Transition[]) =>
  ts.map((t) => `${t.type} ${t.finding.ruleId}${t.suppression ? " (quiet)" : ""}`);

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
  notifier = new SnsNotifier({ sns, topicArn: TOPIC_ARN, ledger: store.ledger, minSeverity: "HIGH" });
});

describe("Accepted risks in the store, across runs", () => {
  it("OPEN → SUPPRESSED (no page) → unchanged (no write) → expired: REOPENED (one page) → SUPPRESSED → gone: RESOLVED quietly", async () => {
    // Act / Assess — run 1: no suppression yet, the finding is NEW and pages.
    const first = await run(0, [FOREIGN_TAG]);
    expect(summary(first.transitions)).toEqual(["NEW elb.foreign-cluster-tag"]);
    expect(first.published).toBe(1);

    // Run 2: the team accepts the risk until the end of 2025-06-01 (the runs start that day at 10:00 UTC).
    const accepted = suppressionsUntil("2025-06-01");
    const second = await run(60, [FOREIGN_TAG], accepted);
    expect(summary(second.transitions)).toEqual(["SUPPRESSED elb.foreign-cluster-tag (quiet)"]);
    expect(second.transitions[0]).toMatchObject({
      from: "HIGH",
      to: "HIGH",
      suppression: { reason: "Blue and green share vpc-0a1b on purpose (CHG-1234)", expires: "2025-06-01" },
    });
    expect(second.published).toBe(0);
    const item = await rawItem(FOREIGN_TAG);
    expect(item).toMatchObject({
      status: "SUPPRESSED",
      suppression: { reason: expect.any(String), expires: "2025-06-01", since: at(60) },
      gsi2sk: expect.stringMatching(/^SUPPRESSED#/),
    });
    expect(item?.gsi1pk).toBeUndefined();
    expect(item?.notifyPending).toBeUndefined();
    expect(await store.ledger.hasPendingNotifications(SCOPE)).toBe(false);
    const scope = await store.reader.getScope(ACCOUNT, REGION);
    expect(scope?.counts).toMatchObject({ open: 0, suppressed: 1, transitions: { SUPPRESSED: 1 } });

    // Run 3: still suppressed: nothing but the scope item is written, nothing is paged.
    store.resetStats();
    const third = await run(120, [FOREIGN_TAG], accepted);
    expect(third.transitions).toEqual([]);
    expect(third.published).toBe(0);
    expect(store.stats().itemsWritten).toEqual({ finding: 0, scope: 1, history: 0, sample: 0 });
    expect(store.stats().writeCalls).toBe(1);

    // Run 4, the next day: the entry has expired, the finding is REOPENED and pages once.
    const fourth = await run(DAY, [FOREIGN_TAG], accepted);
    expect(summary(fourth.transitions)).toEqual(["REOPENED elb.foreign-cluster-tag"]);
    expect(fourth.transitions[0]?.suppressionEnded).toEqual({
      reason: "Blue and green share vpc-0a1b on purpose (CHG-1234)",
      expires: "2025-06-01",
    });
    expect(fourth.published).toBe(1);
    expect(sim.published.at(-1)?.messageAttributes.transitions?.StringValue).toBe('["REOPENED"]');
    // SQS redelivers the same task: no second page.
    const redelivered = await run(DAY, [FOREIGN_TAG], accepted, `run-${DAY}`);
    expect(redelivered.transitions).toEqual([]);
    expect(redelivered.published).toBe(0);
    expect(await rawItem(FOREIGN_TAG)).toMatchObject({ status: "OPEN", gsi1pk: "OPEN#HIGH" });

    // Run 5: the acceptance is renewed: SUPPRESSED again, quietly.
    const renewed = suppressionsUntil("2025-12-31", "Renewed after review (CHG-1300)");
    const fifth = await run(DAY + 60, [FOREIGN_TAG], renewed);
    expect(summary(fifth.transitions)).toEqual(["SUPPRESSED elb.foreign-cluster-tag (quiet)"]);
    expect(fifth.published).toBe(0);

    // Run 6: the scan no longer produces it: RESOLVED quietly (an accepted risk going away pages nobody).
    const sixth = await run(DAY + 120, [OTHER], renewed);
    expect(summary(sixth.transitions)).toEqual([
      "NEW ip.subnet-exhausted",
      "RESOLVED elb.foreign-cluster-tag (quiet)",
    ]);
    expect(sixth.published).toBe(1);
    expect(sim.published.at(-1)?.messageAttributes.ruleIds?.StringValue).toBe('["ip.subnet-exhausted"]');
    expect(await rawItem(FOREIGN_TAG)).toMatchObject({
      status: "RESOLVED",
      resolvedAt: at(DAY + 120),
      suppression: { reason: "Renewed after review (CHG-1300)", expires: "2025-12-31" },
    });

    // The history keeps every step, the quiet ones with their accepted risk.
    const history = (await store.reader.scopeHistory(ACCOUNT, REGION)).filter(
      (h) => h.ruleId === "elb.foreign-cluster-tag",
    );
    expect(history.map((h) => `${h.type}${h.suppression ? ` ${h.suppression.expires}` : ""}`)).toEqual([
      "NEW",
      "SUPPRESSED 2025-06-01",
      "REOPENED",
      "SUPPRESSED 2025-12-31",
      "RESOLVED 2025-12-31",
    ]);
    expect(sim.published).toHaveLength(3);
  });

  it("drops an unsent page of a finding that becomes suppressed", async () => {
    // Prepare: NEW written, never notified (the notifier was down)
    await store.writer.reconcileScope(SCOPE, [FOREIGN_TAG], {
      status: "complete",
      runId: "r1",
      scannedAt: at(0),
    });
    expect(await store.ledger.hasPendingNotifications(SCOPE)).toBe(true);

    // Act
    const next = await run(60, [FOREIGN_TAG], suppressionsUntil("2025-06-01"));

    // Assess
    expect(next.published).toBe(0);
    expect(await store.ledger.pendingTransitions(SCOPE)).toEqual([]);
    expect((await rawItem(FOREIGN_TAG))?.notifyPending).toBeUndefined();
  });

  it("lets an older run neither reopen nor re-suppress what a newer run wrote", async () => {
    // Prepare: the newer run (10:60) suppressed the finding
    await run(60, [FOREIGN_TAG], suppressionsUntil("2025-06-01"));

    // Act: an older run (10:30) without the suppression finishes late
    const late = await store.writer.reconcileScope(SCOPE, [FOREIGN_TAG], {
      status: "complete",
      runId: "older",
      scannedAt: at(30),
    });

    // Assess
    expect(late).toEqual([]);
    expect(await rawItem(FOREIGN_TAG)).toMatchObject({ status: "SUPPRESSED", runId: "run-60" });
  });

  it("writes a suppressed finding again, silently, only when its suppression or content changes", async () => {
    // Prepare
    await run(0, [FOREIGN_TAG], suppressionsUntil("2025-06-30"));
    store.resetStats();

    // Act
    const extended = await run(60, [FOREIGN_TAG], suppressionsUntil("2025-07-31"));
    const critical = { ...FOREIGN_TAG, severity: "CRITICAL" as const };
    const escalated = await run(120, [critical], suppressionsUntil("2025-07-31"));
    const handedOver = await run(180, [critical], suppressionsUntil("2025-07-31", undefined, "payments-sre"));
    const same = await run(240, [critical], suppressionsUntil("2025-07-31", undefined, "payments-sre"));

    // Assess
    const runs = [extended, escalated, handedOver, same];
    expect(runs.flatMap((r) => r.transitions)).toEqual([]);
    expect(runs.reduce((n, r) => n + r.published, 0)).toBe(0);
    expect(store.stats().itemsWritten.finding).toBe(3);
    expect(await rawItem(FOREIGN_TAG)).toMatchObject({
      status: "SUPPRESSED",
      severity: "CRITICAL",
      suppression: { expires: "2025-07-31", owner: "payments-sre", since: at(0) },
    });
  });

  it("lists suppressed findings through the by-rule index, never among the open ones, never with a Scan", async () => {
    // Prepare
    await run(0, [FOREIGN_TAG, OTHER], suppressionsUntil("2025-06-30"));
    const send = vi.spyOn(dynamo.doc, "send");

    // Act
    const suppressed = await store.reader.queryFindings({ status: "suppressed" });
    const open = await store.reader.queryFindings({ status: "open" });
    const ofAccount = await store.reader.queryFindings({ status: "suppressed", accountId: ACCOUNT });

    // Assess
    expect(suppressed.map((f) => `${f.status} ${f.ruleId}`)).toEqual(["SUPPRESSED elb.foreign-cluster-tag"]);
    expect(suppressed[0]?.suppression).toEqual({
      reason: "Blue and green share vpc-0a1b on purpose (CHG-1234)",
      expires: "2025-06-30",
      since: at(0),
    });
    expect(open.map((f) => f.ruleId)).toEqual(["ip.subnet-exhausted"]);
    expect(ofAccount.map((f) => f.ruleId)).toEqual(["elb.foreign-cluster-tag"]);
    const commands = send.mock.calls.map(([command]) => command.constructor.name);
    expect(new Set(commands)).toEqual(new Set(["QueryCommand"]));
    const firstQuery = send.mock.calls[0]?.[0].input as { IndexName?: string };
    expect(firstQuery.IndexName).toBe(BY_RULE_INDEX);
    send.mockRestore();
  });
});
