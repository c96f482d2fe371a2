import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import { findingKey } from "#shared/findings/index.ts";
import {
  accountPk,
  consoleQueries,
  EVIDENCE_MAX_BYTES,
  FINDINGS_TABLE,
  FindingsStore,
  findingSk,
  MAX_PENDING_MARKERS,
  ScopeMismatchError,
  scopeSk,
  type Transition,
} from "#shared/store/index.ts";
import { freshStorePerTest, type LocalDynamo } from "#test/support/dynalite.ts";
import {
  ACCOUNT,
  at,
  baseline,
  complete,
  failed,
  finding,
  REGION,
  SCOPE,
  scanErrorFinding,
} from "./fixtures.ts";

let dynamo: LocalDynamo;
let table: string;
let store: FindingsStore;

freshStorePerTest((fresh) => {
  ({ dynamo, table, store } = fresh);
});

async function rawFinding(f: Parameters<typeof findingSk>[0]): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo.doc.send(
    new GetCommand({ TableName: table, Key: { pk: accountPk(f.accountId), sk: findingSk(f) } }),
  );
  return out.Item;
}

function summary(transitions: readonly Transition[]): string[] {
  return transitions.map((t) => `${t.type} ${findingKey(t.finding)} ${t.from ?? "-"}>${t.to}`).sort();
}

describe("Class: FindingsStore", () => {
  describe("Method: reconcileScope", () => {
    it("reports NEW for findings never seen and stores them open with firstSeen and history", async () => {
      // Prepare
      const findings = baseline();

      // Act
      const transitions = await store.writer.reconcileScope(SCOPE, findings, complete("run-1", at(0)));

      // Assess
      expect(transitions.map((t) => t.type)).toEqual(["NEW", "NEW", "NEW", "NEW"]);
      expect(transitions[0]?.finding.ruleId).toBe("sg.ssh-open-to-world");
      expect(transitions.every((t) => t.from === undefined && t.to === t.finding.severity)).toBe(true);
      const item = await rawFinding(finding());
      expect(item).toMatchObject({
        pk: `ACCOUNT#${ACCOUNT}`,
        sk: `FINDING#${REGION}#prod#elb.no-eligible-subnet#vpc-0abc`,
        status: "OPEN",
        severity: "HIGH",
        firstSeen: at(0),
        lastChangedAt: at(0),
        gsi1pk: "OPEN#HIGH",
        gsi1sk: `${ACCOUNT}#${REGION}#prod#elb.no-eligible-subnet#vpc-0abc`,
        gsi2pk: "RULE#elb.no-eligible-subnet",
        gsi2sk: `OPEN#${ACCOUNT}#${REGION}#prod#vpc-0abc`,
        version: 1,
        evidence: JSON.stringify({ scheme: "internal", subnets: 6 }),
      });
      const history = await store.reader.scopeHistory(ACCOUNT, REGION);
      expect(history).toHaveLength(4);
      expect(history[0]).toMatchObject({ type: "NEW", at: at(0), runId: "run-1" });
      expect(history[0]?.expiresAt).toBe(Date.parse(at(0)) / 1000 + 400 * 86_400);
      const scope = await store.reader.getScope(ACCOUNT, REGION);
      expect(scope).toMatchObject({
        status: "complete",
        runId: "run-1",
        lastScanAt: at(0),
        lastCompleteScanAt: at(0),
        counts: {
          findings: 4,
          open: 4,
          openBySeverity: { CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 1, INFO: 0 },
          transitions: { NEW: 4, REOPENED: 0, ESCALATED: 0, RESOLVED: 0 },
        },
      });
    });

    it("writes only the scope item when nothing changed (counted write calls)", async () => {
      // Prepare
      await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));
      const firstRun = store.stats();
      store.resetStats();

      // Act
      const transitions = await store.writer.reconcileScope(SCOPE, baseline(), complete("run-2", at(60)));

      // Assess
      // 4 finding PutItems + 1 history BatchWriteItem + 2 scope UpdateItems (the reconcile lease, the record)
      expect(firstRun.writeCalls).toBe(7);
      expect(firstRun.itemsWritten).toEqual({ finding: 4, scope: 2, history: 4, sample: 0 });
      expect(transitions).toEqual([]);
      const rerun = store.stats();
      expect(rerun.writeCalls).toBe(1);
      expect(rerun.writesByOperation).toEqual({
        PutItem: 0,
        UpdateItem: 1,
        DeleteItem: 0,
        BatchWriteItem: 0,
      });
      expect(rerun.itemsWritten).toEqual({ finding: 0, scope: 1, history: 0, sample: 0 });
      expect(await store.reader.getScope(ACCOUNT, REGION)).toMatchObject({
        runId: "run-2",
        lastScanAt: at(60),
      });
    });

    it("reports ESCALATED with from/to when the severity rises", async () => {
      // Prepare
      await store.writer.reconcileScope(SCOPE, [finding({ severity: "MEDIUM" })], complete("run-1", at(0)));

      // Act
      const transitions = await store.writer.reconcileScope(
        SCOPE,
        [finding({ severity: "CRITICAL" })],
        complete("run-2", at(60)),
      );

      // Assess
      expect(transitions).toHaveLength(1);
      expect(transitions[0]).toMatchObject({ type: "ESCALATED", from: "MEDIUM", to: "CRITICAL", at: at(60) });
      expect(await rawFinding(finding())).toMatchObject({
        severity: "CRITICAL",
        gsi1pk: "OPEN#CRITICAL",
        firstSeen: at(0),
        lastChangedAt: at(60),
        version: 2,
      });
    });

    it("updates a severity that fell, and changed content, silently", async () => {
      // Prepare
      await store.writer.reconcileScope(SCOPE, [finding({ severity: "HIGH" })], complete("run-1", at(0)));
      store.resetStats();

      // Act
      const fell = await store.writer.reconcileScope(
        SCOPE,
        [finding({ severity: "LOW" })],
        complete("run-2", at(60)),
      );
      const reworded = await store.writer.reconcileScope(
        SCOPE,
        [finding({ severity: "LOW", detail: "0 of 7 subnets now." })],
        complete("run-3", at(120)),
      );

      // Assess
      expect(fell).toEqual([]);
      expect(reworded).toEqual([]);
      expect(store.stats().itemsWritten.finding).toBe(2);
      expect(await rawFinding(finding())).toMatchObject({
        severity: "LOW",
        gsi1pk: "OPEN#LOW",
        detail: "0 of 7 subnets now.",
        firstSeen: at(0),
        lastChangedAt: at(120),
        version: 3,
      });
    });

    it("reports RESOLVED when a complete scan no longer produces an open finding", async () => {
      // Prepare
      await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));
      const [kept, ...gone] = baseline();

      // Act
      const transitions = await store.writer.reconcileScope(
        SCOPE,
        kept ? [kept] : [],
        complete("run-2", at(60)),
      );

      // Assess
      expect(summary(transitions)).toEqual(
        summary(
          gone.map((f) => ({
            type: "RESOLVED",
            finding: f,
            from: f.severity,
            to: f.severity,
            at: at(60),
            runId: "run-2",
          })),
        ),
      );
      const resolved = await rawFinding(finding({ ruleId: "sg.ssh-open-to-world", resourceId: "ng-web" }));
      expect(resolved).toMatchObject({
        status: "RESOLVED",
        severity: "CRITICAL",
        resolvedAt: at(60),
        firstSeen: at(0),
        gsi2sk: `RESOLVED#${ACCOUNT}#${REGION}#prod#ng-web`,
        title: "SSH open",
      });
      expect(resolved).not.toHaveProperty("gsi1pk");
      expect(resolved).not.toHaveProperty("gsi1sk");
      expect((await store.reader.getScope(ACCOUNT, REGION))?.counts.open).toBe(1);
    });

    it("reports REOPENED for a resolved finding, keeping firstSeen and adding reopenedAt", async () => {
      // Prepare
      await store.writer.reconcileScope(SCOPE, [finding({ severity: "MEDIUM" })], complete("run-1", at(0)));
      await store.writer.reconcileScope(SCOPE, [], complete("run-2", at(60)));

      // Act
      const transitions = await store.writer.reconcileScope(
        SCOPE,
        [finding({ severity: "HIGH" })],
        complete("run-3", at(120)),
      );

      // Assess
      expect(transitions).toHaveLength(1);
      expect(transitions[0]).toMatchObject({ type: "REOPENED", from: "MEDIUM", to: "HIGH", runId: "run-3" });
      const item = await rawFinding(finding());
      expect(item).toMatchObject({
        status: "OPEN",
        firstSeen: at(0),
        reopenedAt: at(120),
        gsi1pk: "OPEN#HIGH",
        version: 3,
      });
      expect(item).not.toHaveProperty("resolvedAt");
      const history = await store.reader.scopeHistory(ACCOUNT, REGION);
      expect(history.map((h) => h.type)).toEqual(["NEW", "RESOLVED", "REOPENED"]);
    });

    it("resolves nothing on a failed scan and records its scan.* finding instead", async () => {
      // Prepare
      await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));

      // Act
      const transitions = await store.writer.reconcileScope(
        SCOPE,
        [scanErrorFinding()],
        failed("run-2", at(60)),
      );
      const recovered = await store.writer.reconcileScope(SCOPE, baseline(), complete("run-3", at(120)));

      // Assess
      expect(summary(transitions)).toEqual([`NEW ${findingKey(scanErrorFinding())} ->MEDIUM`]);
      const scope = await store.reader.getScope(ACCOUNT, REGION);
      expect(recovered.map((t) => `${t.type} ${t.finding.ruleId}`)).toEqual(["RESOLVED scan.error"]);
      expect(scope).toMatchObject({ status: "complete", lastCompleteScanAt: at(120) });
      expect(scope?.error).toBeUndefined();
    });

    it("keeps lastCompleteScanAt and stores the error of a failed scan", async () => {
      // Prepare
      await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));

      // Act
      await store.writer.reconcileScope(SCOPE, [scanErrorFinding()], failed("run-2", at(60)));

      // Assess
      const scope = await store.reader.getScope(ACCOUNT, REGION);
      expect(scope).toMatchObject({
        status: "failed",
        lastScanAt: at(60),
        lastCompleteScanAt: at(0),
        error: { name: "ThrottlingException", message: "Rate exceeded" },
        counts: { findings: 1, open: 5 },
      });
    });

    it("changes nothing when the same scope result is delivered again", async () => {
      // Prepare
      const outcome = complete("run-1", at(0));
      await store.writer.reconcileScope(SCOPE, baseline(), outcome);
      await store.writer.reconcileScope(SCOPE, [baseline()[0] ?? finding()], complete("run-2", at(60)));
      const before = await store.reader.queryFindings({ accountId: ACCOUNT });
      store.resetStats();

      // Act
      const again = await store.writer.reconcileScope(
        SCOPE,
        [baseline()[0] ?? finding()],
        complete("run-2", at(60)),
      );

      // Assess
      expect(again).toEqual([]);
      expect(store.stats().itemsWritten).toEqual({ finding: 0, scope: 1, history: 0, sample: 0 });
      expect(await store.reader.queryFindings({ accountId: ACCOUNT })).toEqual(before);
    });

    it("ignores a result older than the scope's last scan", async () => {
      // Prepare
      await store.writer.reconcileScope(SCOPE, baseline(), complete("run-2", at(60)));
      store.resetStats();

      // Act
      const stale = await store.writer.reconcileScope(SCOPE, [], complete("run-1", at(0)));

      // Assess
      expect(stale).toEqual([]);
      expect(store.stats().writeCalls).toBe(0);
      expect((await store.reader.getScope(ACCOUNT, REGION))?.runId).toBe("run-2");
    });

    it("rejects findings of another scope", async () => {
      // Prepare
      const foreign = finding({ region: "us-east-1" });

      // Act & Assess
      await expect(store.writer.reconcileScope(SCOPE, [foreign], complete("run-1", at(0)))).rejects.toThrow(
        ScopeMismatchError,
      );
    });

    it("caps big evidence, says so, and does not rewrite it when unchanged", async () => {
      // Prepare
      const big = finding({
        evidence: { scheme: "internal", subnets: Array.from({ length: 5_000 }, (_, i) => `subnet-${i}`) },
      });
      await store.writer.reconcileScope(SCOPE, [big], complete("run-1", at(0)));
      store.resetStats();

      // Act
      await store.writer.reconcileScope(SCOPE, [big], complete("run-2", at(60)));

      // Assess
      const item = await rawFinding(big);
      expect(item?.evidenceTruncated).toBe(true);
      expect(Buffer.byteLength(String(item?.evidence))).toBeLessThanOrEqual(EVIDENCE_MAX_BYTES);
      expect(JSON.parse(String(item?.evidence))).toMatchObject({ scheme: "internal" });
      expect(item?.evidenceBytes).toBeGreaterThan(EVIDENCE_MAX_BYTES);
      expect(store.stats().itemsWritten.finding).toBe(0);
    });

    it("keeps at most the latest outbox markers on a finding that flaps without a notifier", async () => {
      // Prepare
      const runs = Array.from({ length: MAX_PENDING_MARKERS + 6 }, (_, i) => i);

      // Act
      for (const i of runs) {
        await store.writer.reconcileScope(SCOPE, i % 2 === 0 ? [finding()] : [], complete(`run-${i}`, at(i)));
      }

      // Assess
      const pending = await store.ledger.pendingTransitions(SCOPE);
      expect(pending).toHaveLength(MAX_PENDING_MARKERS);
      expect(
        pending
          .map((t) => t.at)
          .sort()
          .at(-1),
      ).toBe(at(runs.length - 1));
      expect(await store.ledger.hasPendingNotifications(SCOPE)).toBe(true);
    });

    it("ends two concurrent reconciles of one scope in one consistent state, each transition reported once", async () => {
      for (let round = 0; round < 5; round++) {
        // Prepare
        const name = await dynamo.createTable();
        const setup = new FindingsStore(dynamo.doc, name);
        const [escalating, staying, resolving, reopening] = baseline();
        if (!escalating || !staying || !resolving || !reopening) throw new Error("fixture");
        await setup.writer.reconcileScope(
          SCOPE,
          [escalating, staying, resolving, reopening],
          complete("run-0", at(0)),
        );
        await setup.writer.reconcileScope(SCOPE, [escalating, staying, resolving], complete("run-1", at(30)));
        const next = [
          { ...escalating, severity: "CRITICAL" as const },
          staying,
          reopening,
          finding({ ruleId: "node.health-issues", resourceId: "ng-new", severity: "HIGH" }),
          finding({ ruleId: "ip.cluster-subnet-low", resourceId: "subnet-c", severity: "MEDIUM" }),
        ];
        const scannerA = new FindingsStore(dynamo.doc, name, { writeConcurrency: 2 });
        const scannerB = new FindingsStore(dynamo.doc, name, { writeConcurrency: 3 });

        // Act
        const [a, b] = await Promise.all([
          scannerA.writer.reconcileScope(SCOPE, next, complete("run-2", at(60))),
          scannerB.writer.reconcileScope(SCOPE, next, complete("run-2", at(60))),
        ]);

        // Assess
        expect(summary([...a, ...b])).toEqual(
          [
            `ESCALATED ${findingKey(escalating)} HIGH>CRITICAL`,
            `NEW ${REGION}#prod#ip.cluster-subnet-low#subnet-c ->MEDIUM`,
            `NEW ${REGION}#prod#node.health-issues#ng-new ->HIGH`,
            `REOPENED ${findingKey(reopening)} LOW>LOW`,
            `RESOLVED ${findingKey(resolving)} CRITICAL>CRITICAL`,
          ].sort(),
        );
        const check = new FindingsStore(dynamo.doc, name);
        const open = await check.reader.queryFindings({ status: "open" });
        expect(open.map((f) => `${f.ruleId} ${f.severity}`).sort()).toEqual(
          [
            "elb.no-eligible-subnet CRITICAL",
            "elb.stale-cluster-tag LOW",
            "ip.cluster-subnet-low MEDIUM",
            "ip.subnet-nearly-full MEDIUM",
            "node.health-issues HIGH",
          ].sort(),
        );
        const history = await check.reader.scopeHistory(ACCOUNT, REGION);
        expect(history.filter((h) => h.at === at(60))).toHaveLength(5);
      }
    });
  });

  describe("Method: queryFindings", () => {
    beforeEach(async () => {
      const other = { accountId: "444455556666", region: "us-east-1" };
      await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));
      await store.writer.reconcileScope(SCOPE, baseline().slice(0, 3), complete("run-2", at(60)));
      await store.writer.reconcileScope(
        other,
        [
          finding({ ...other, severity: "HIGH" }),
          finding({ ...other, ruleId: "sg.ssh-open-to-world", resourceId: "ng-1", severity: "LOW" }),
        ],
        complete("run-2", at(60)),
      );
      store.resetStats();
    });

    it("serves open findings at or above a severity from GSI1, one Query per severity", async () => {
      // Act
      const open = await store.reader.queryFindings({ status: "open", minSeverity: "HIGH" });

      // Assess
      expect(open.map((f) => `${f.severity} ${f.accountId} ${f.ruleId}`)).toEqual([
        `CRITICAL ${ACCOUNT} sg.ssh-open-to-world`,
        "HIGH 111122223333 elb.no-eligible-subnet",
        "HIGH 444455556666 elb.no-eligible-subnet",
      ]);
      expect(store.stats().readCalls).toBe(2);
    });

    it("serves one rule from GSI2 and one account from the table", async () => {
      // Act
      const rule = await store.reader.queryFindings({ ruleId: "elb.no-eligible-subnet" });
      const account = await store.reader.queryFindings({ accountId: ACCOUNT });
      const resolved = await store.reader.queryFindings({ accountId: ACCOUNT, status: "resolved" });
      const limited = await store.reader.queryFindings({ status: "open", limit: 2 });

      // Assess
      expect(rule.map((f) => f.accountId)).toEqual([ACCOUNT, "444455556666"]);
      expect(account).toHaveLength(4);
      expect(resolved.map((f) => `${f.ruleId} ${f.status} ${f.resolvedAt}`)).toEqual([
        `elb.stale-cluster-tag RESOLVED ${at(60)}`,
      ]);
      expect(limited).toHaveLength(2);
      expect(store.stats().readCalls).toBe(5);
    });

    it("answers organisation-wide resolved findings through GSI2, never a Scan", async () => {
      // Act
      const resolved = await store.reader.queryFindings({ status: "resolved", minSeverity: "LOW" });

      // Assess
      expect(resolved.map((f) => f.ruleId)).toEqual(["elb.stale-cluster-tag"]);
    });
  });

  describe("Console queries", () => {
    it("answers each console question with one Query call", async () => {
      // Prepare
      const other = { accountId: "444455556666", region: REGION };
      await store.writer.reconcileScope(SCOPE, baseline(), complete("run-1", at(0)));
      await store.writer.reconcileScope(SCOPE, baseline().slice(1), complete("run-2", at(60)));
      await store.writer.reconcileScope(other, [finding({ ...other })], complete("run-2", at(60)));
      const queries = {
        openHigh: consoleQueries.openBySeverity(table, "HIGH"),
        account: consoleQueries.findingsOfAccount(table, ACCOUNT),
        rule: consoleQueries.findingsOfRule(table, "elb.no-eligible-subnet"),
        scope: consoleQueries.scopeStatus(table, ACCOUNT, REGION),
      };

      // Act
      const [openHigh, account, rule, scope] = await Promise.all(
        Object.values(queries).map((q) => dynamo.doc.send(new QueryCommand(q))),
      );

      // Assess
      expect(openHigh?.Items?.map((i) => i.pk)).toEqual(["ACCOUNT#444455556666"]);
      expect(account?.Items?.map((i) => `${i.ruleId} ${i.status}`).sort()).toEqual([
        "elb.no-eligible-subnet RESOLVED",
        "elb.stale-cluster-tag OPEN",
        "ip.subnet-nearly-full OPEN",
        "sg.ssh-open-to-world OPEN",
      ]);
      expect(rule?.Items?.map((i) => i.gsi2sk)).toEqual([
        `OPEN#444455556666#${REGION}#prod#vpc-0abc`,
        `RESOLVED#${ACCOUNT}#${REGION}#prod#vpc-0abc`,
      ]);
      expect(scope?.Items).toEqual([expect.objectContaining({ sk: scopeSk(REGION), status: "complete" })]);
      for (const out of [openHigh, account, rule, scope]) expect(out?.LastEvaluatedKey).toBeUndefined();
    });
  });

  describe("Table definition", () => {
    it("creates the table with both GSIs from the exported constants", async () => {
      // Act
      const out = await dynamo.client.send(new DescribeTableCommand({ TableName: table }));

      // Assess
      const t = out.Table;
      expect(t?.KeySchema).toEqual([
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ]);
      expect(t?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(
        FINDINGS_TABLE.globalSecondaryIndexes.map((g) => g.indexName).sort(),
      );
      expect(t?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
      expect(FINDINGS_TABLE.timeToLiveAttribute).toBe("expiresAt");
    });
  });
});
