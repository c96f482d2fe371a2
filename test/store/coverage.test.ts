import { SNSClient } from "@aws-sdk/client-sns";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import { type Finding, findingKey } from "#shared/findings/index.ts";
import { SnsNotifier } from "#shared/notify/index.ts";
import {
  accountPk,
  COVERAGE_RULE_IDS,
  CoverageResolutionError,
  type FindingsStore,
  findingSk,
  scopeSk,
  type Transition,
} from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { freshStorePerTest, type LocalDynamo } from "#test/support/dynalite.ts";
import { ACCOUNT, at, baseline, complete, failed, finding, REGION, SCOPE } from "./fixtures.ts";

let dynamo: LocalDynamo;
let table: string;
let store: FindingsStore;

freshStorePerTest((fresh) => {
  ({ dynamo, table, store } = fresh);
});

async function rawItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo.doc.send(new GetCommand({ TableName: table, Key: { pk, sk } }));
  return out.Item;
}

function _summary(transitions: readonly Transition[]): string[] {
  return transitions.map((t) => `${t.type} ${t.finding.accountId} ${findingKey(t.finding)}`).sort();
}

/** A coverage finding of `scope`, as shared/scan/scan-scope.ts makes them. */
function coverage(
  ruleId: "scan.access-denied" | "scan.region-unavailable" | "scan.error",
  scope: { accountId: string; region: string } = SCOPE,
): Finding {
  return finding({
    ...scope,
    cluster: "-",
    ruleId,
    resourceId: `${scope.accountId}/${scope.region}`,
    severity: "MEDIUM",
    title: `Scan failed: ${scope.accountId} ${scope.region} was not scanned`,
    detail: "AccessDenied on sts:AssumeRole.",
    remediation: "Deploy the member role.",
    evidence: { errorName: "AccessDenied" },
  });
}

describe("Method: FindingsReader.openCoverageFindings", () => {
  it("lists every open scan.* finding of the organisation from GSI2, one Query per scan.* rule", async () => {
    // Prepare: two scopes with coverage findings (one since recovered), one with ordinary findings
    const denied = { accountId: "444455556666", region: "eu-west-1" };
    const optIn = { accountId: "555566667777", region: "ap-south-1" };
    await store.writer.reconcileScope(
      denied,
      [coverage("scan.access-denied", denied)],
      failed("run-1", at(0)),
    );
    await store.writer.reconcileScope(
      optIn,
      [coverage("scan.region-unavailable", optIn)],
      failed("run-1", at(0)),
    );
    await store.writer.reconcileScope(SCOPE, [coverage("scan.error")], failed("run-1", at(0)));
    await store.writer.reconcileScope(SCOPE, baseline(), complete("run-2", at(60)));
    store.resetStats();

    // Act
    const open = await store.reader.openCoverageFindings();

    // Assess
    expect(open.map((f) => `${f.ruleId} ${f.accountId} ${f.region} ${f.status}`)).toEqual([
      "scan.access-denied 444455556666 eu-west-1 OPEN",
      "scan.region-unavailable 555566667777 ap-south-1 OPEN",
    ]);
    expect(COVERAGE_RULE_IDS).toEqual(["scan.access-denied", "scan.region-unavailable", "scan.error"]);
    expect(store.stats().readCalls).toBe(COVERAGE_RULE_IDS.length);
  });
});

describe("Method: FindingsWriter.resolveCoverage", () => {
  const left = { accountId: "444455556666", region: "eu-west-1" };
  const disabled = { accountId: "555566667777", region: "ap-south-1" };
  const LEFT_ORG = "account 444455556666 is no longer an ACTIVE member of the organisation";
  const REGION_OFF = "region ap-south-1 is no longer enabled in 555566667777";

  beforeEach(async () => {
    await store.writer.reconcileScope(left, [coverage("scan.access-denied", left)], failed("run-1", at(0)));
    await store.writer.reconcileScope(
      disabled,
      [coverage("scan.region-unavailable", disabled)],
      failed("run-1", at(0)),
    );
    store.resetStats();
  });

  it("resolves each open one with its reason on the finding, the history and the outbox, and fixes the counts", async () => {
    // Act
    const transitions = await store.writer.resolveCoverage(
      [
        { finding: coverage("scan.access-denied", left), reason: LEFT_ORG },
        { finding: coverage("scan.region-unavailable", disabled), reason: REGION_OFF },
      ],
      { runId: "plan-2", at: at(60) },
    );

    // Assess
    expect(
      transitions.map((t) => `${t.type} ${t.finding.ruleId} ${t.reason} ${t.at} ${t.runId}`).sort(),
    ).toEqual([
      `RESOLVED scan.access-denied ${LEFT_ORG} ${at(60)} plan-2`,
      `RESOLVED scan.region-unavailable ${REGION_OFF} ${at(60)} plan-2`,
    ]);
    const stored = await store.reader.getFinding(coverage("scan.access-denied", left));
    expect(stored).toMatchObject({ status: "RESOLVED", resolvedAt: at(60), resolvedReason: LEFT_ORG });
    const raw = await rawItem(accountPk(left.accountId), findingSk(coverage("scan.access-denied", left)));
    expect(raw).not.toHaveProperty("gsi1pk");
    expect(raw?.gsi2sk).toMatch(/^RESOLVED#/);
    const history = await store.reader.scopeHistory(left.accountId, left.region);
    expect(history.map((h) => `${h.type} ${h.reason ?? "-"}`)).toEqual(["NEW -", `RESOLVED ${LEFT_ORG}`]);
    const pending = await store.ledger.pendingTransitions(left);
    expect(pending.filter((t) => t.type === "RESOLVED").map((t) => t.reason)).toEqual([LEFT_ORG]);
    expect(await store.ledger.hasPendingNotifications(left)).toBe(true);
    const scope = await store.reader.getScope(left.accountId, left.region);
    expect(scope).toMatchObject({
      status: "failed",
      lastScanAt: at(0),
      runId: "run-1",
      counts: { open: 0, openBySeverity: { MEDIUM: 0 }, findings: 1 },
    });
    expect(scope?.reconcileLease).toBeUndefined();
    expect(await store.reader.openCoverageFindings()).toEqual([]);
  });

  it("writes nothing when called again, nor for findings already resolved", async () => {
    // Prepare
    const items = [{ finding: coverage("scan.access-denied", left), reason: LEFT_ORG }];
    await store.writer.resolveCoverage(items, { runId: "plan-2", at: at(60) });
    store.resetStats();

    // Act
    const again = await store.writer.resolveCoverage(items, { runId: "plan-3", at: at(120) });

    // Assess
    expect(again).toEqual([]);
    expect(store.stats().writeCalls).toBe(0);
  });

  it("leaves a scope alone that a scan recorded after the resolution's time", async () => {
    // Prepare: the account was scanned again (still denied) after the planner's decision
    await store.writer.reconcileScope(left, [coverage("scan.access-denied", left)], failed("run-3", at(90)));

    // Act
    const transitions = await store.writer.resolveCoverage(
      [{ finding: coverage("scan.access-denied", left), reason: LEFT_ORG }],
      { runId: "plan-2", at: at(60) },
    );

    // Assess
    expect(transitions).toEqual([]);
    expect((await store.reader.getFinding(coverage("scan.access-denied", left)))?.status).toBe("OPEN");
  });

  it("is undone by a later scan that sees the problem again: REOPENED, the reason cleared", async () => {
    // Prepare
    await store.writer.resolveCoverage(
      [{ finding: coverage("scan.access-denied", left), reason: LEFT_ORG }],
      {
        runId: "plan-2",
        at: at(60),
      },
    );

    // Act
    const transitions = await store.writer.reconcileScope(
      left,
      [coverage("scan.access-denied", left)],
      failed("run-3", at(120)),
    );

    // Assess
    expect(transitions.map((t) => t.type)).toEqual(["REOPENED"]);
    const stored = await store.reader.getFinding(coverage("scan.access-denied", left));
    expect(stored?.status).toBe("OPEN");
    expect(stored).not.toHaveProperty("resolvedReason");
    expect(stored).not.toHaveProperty("resolvedAt");
  });

  it("refuses a finding that is not a coverage finding, or one without a reason, before writing anything", async () => {
    // Act & Assess
    await expect(
      store.writer.resolveCoverage([{ finding: finding(), reason: LEFT_ORG }], {
        runId: "plan-2",
        at: at(60),
      }),
    ).rejects.toThrow(CoverageResolutionError);
    await expect(
      store.writer.resolveCoverage([{ finding: coverage("scan.access-denied", left), reason: " " }], {
        runId: "plan-2",
        at: at(60),
      }),
    ).rejects.toThrow(/no reason given for scan\.access-denied/);
    expect(store.stats().writeCalls).toBe(0);
    expect((await rawItem(accountPk(left.accountId), scopeSk(left.region)))?.reconcileLease).toBeUndefined();
  });

  describe("paged once through the notifier", () => {
    let sim: Simulator;
    let sns: SNSClient;

    beforeAll(async () => {
      const estate = parseEstate({
        version: 1,
        organization: { accounts: [{ Id: ACCOUNT, Status: "ACTIVE" }] },
        accounts: { [ACCOUNT]: { regions: { [REGION]: {} } } },
      });
      sim = await startSimulator({ estate });
      sns = new SNSClient({
        endpoint: sim.url,
        region: REGION,
        credentials: { accessKeyId: "AKIA111122223333TEST", secretAccessKey: "x" },
        maxAttempts: 1,
      });
    });

    afterAll(async () => {
      sns.destroy();
      await sim.close();
    });

    it("pages the resolution once, even when the planner runs again", async () => {
      // Prepare
      const topicArn = "arn:aws:sns:eu-west-1:111122223333:coverage";
      const notifier = new SnsNotifier({ sns, topicArn, ledger: store.ledger, minSeverity: "MEDIUM" });
      const items = [{ finding: coverage("scan.access-denied", left), reason: LEFT_ORG }];
      // The NEW of run-1 was never paged in this test: page it first so only the resolution is left
      await notifier.notify(left, "run-1", []);
      const before = sim.published.filter((m) => m.topicArn === topicArn).length;

      // Act: the planner resolves and notifies; then a second planner run does the same
      for (const run of ["plan-2", "plan-3"]) {
        const made = await store.writer.resolveCoverage(items, {
          runId: run,
          at: at(run === "plan-2" ? 60 : 120),
        });
        await notifier.notify(left, run, made);
      }

      // Assess
      const pages = sim.published.filter((m) => m.topicArn === topicArn).slice(before);
      expect(pages).toHaveLength(1);
      expect(pages[0]?.messageAttributes.transitions?.StringValue).toBe('["RESOLVED"]');
      expect(await store.ledger.pendingTransitions(left)).toEqual([]);
    });
  });
});
