import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { type PublishedMessage, type Simulator, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE, setEnv, simulatorEnv } from "#test/functions/support.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import { CrashMonitor, type CrashPoint } from "./crash.ts";
import {
  deliver,
  findingStates,
  type Item,
  isFinding,
  isScope,
  loadScanner,
  pagesOf,
  reportFigures,
  type ScannerModule,
  scopeOf,
  tableItems,
  taskRecord,
  topicArn,
} from "./support.ts";

/**
 * Guarantee 2 (README "Reliability"): the scanner dies in the middle of a scope, after some of its
 * DynamoDB writes landed, or SNS Publish fails; SQS redelivers the same record to another container. The
 * table ends exactly as after a clean run, and the scope is paged once.
 */

const monitor = new CrashMonitor();
let sim: Simulator;
let dynamo: LocalDynamo;
let restoreEnv: () => void;
let estate: Estate;
const figures: Record<string, unknown>[] = [];

const RUN_1: Pick<ScanTask, "runId" | "scheduledAt"> = {
  runId: "20261125T061500Z-c1a5c1a5",
  scheduledAt: "2026-11-25T06:15:00.000Z",
};
const RUN_2: Pick<ScanTask, "runId" | "scheduledAt"> = {
  runId: "20261126T061500Z-c1a5c1a5",
  scheduledAt: "2026-11-26T06:15:00.000Z",
};

/** Payments (one finding of every severity), a scope with two clusters, and the ETL account. */
const PAYMENTS = { accountId: "222233334444", region: "eu-west-1" };
const EDGE = { accountId: "111122223333", region: "us-east-1" };
const ETL = { accountId: "333344445555", region: "eu-west-1" };

/** Run 2's change in payments: node group batch is deleted (its findings resolve), ledger gets an SSH key (NEW). */
function changedPayments(base: Estate): Estate {
  const changed = structuredClone(base);
  const cluster = changed.accounts[PAYMENTS.accountId]?.regions[PAYMENTS.region]?.eks.clusters[0];
  const ledger = cluster?.nodegroups.find((n) => n.nodegroupName === "ledger");
  if (cluster === undefined || ledger === undefined)
    throw new Error("sample estate changed: no ledger node group");
  cluster.nodegroups = cluster.nodegroups.filter((n) => n.nodegroupName !== "batch");
  ledger.remoteAccess = { ec2SshKey: "payments-ops" };
  return changed;
}

/** SQS hands a failed record out again after the visibility timeout: 6 × the scanner's 5-minute timeout. */
const VISIBILITY_TIMEOUT_MS = 30 * 60_000;

function scanner(table: string, topic: string): Promise<ScannerModule> {
  return loadScanner({ TABLE_NAME: table, TOPIC_ARN: topic, ALERT_MIN_SEVERITY: "LOW" });
}

function record(scope: { accountId: string; region: string }, run: typeof RUN_1): SQSRecord {
  return taskRecord({ ...run, ...scope });
}

interface Outcome {
  clean: Item[];
  crashed: Item[];
  cleanPages: PublishedMessage[];
  crashPages: PublishedMessage[];
  failedReceives: number;
  crashed_at: string;
}

/** What of a page must not depend on how the run got there. */
function pageView(m: PublishedMessage): unknown {
  const json = JSON.parse(JSON.parse(m.message).sqs) as {
    transitions: { type: string; ruleId: string; resourceId: string; severity: string }[];
  };
  return {
    subject: m.subject,
    attributes: m.messageAttributes,
    transitions: json.transitions.map((t) => `${t.type} ${t.severity} ${t.ruleId} ${t.resourceId}`).sort(),
  };
}

/**
 * The same task on two fresh tables: once cleanly, once with a crash at `at` followed by the
 * redelivery to a fresh container. With `second`, both tables first get a clean run 1 and the estate
 * changes before the (crashed) run 2.
 */
async function crashAndRedeliver(
  name: string,
  scope: { accountId: string; region: string },
  at: CrashPoint | "publish-fails",
  options: { second?: boolean } = {},
): Promise<Outcome> {
  const [cleanTable, crashTable] = [await dynamo.createTable(), await dynamo.createTable()];
  const [cleanTopic, crashTopic] = [topicArn(`clean-${name}`), topicArn(`crash-${name}`)];
  const run = options.second ? RUN_2 : RUN_1;
  if (options.second) {
    sim.setEstate(estate);
    await deliver([await scanner(cleanTable, cleanTopic)], [record(scope, RUN_1)]);
    await deliver([await scanner(crashTable, crashTopic)], [record(scope, RUN_1)]);
    sim.setEstate(changedPayments(estate));
  }
  const before = sim.published.length;
  await deliver([await scanner(cleanTable, cleanTopic)], [record(scope, run)]);

  // Act: the first delivery dies at the crash point; SQS hands the record to another container
  const message = record(scope, run);
  if (at === "publish-fails") {
    sim.setEstate({
      ...(options.second ? changedPayments(estate) : estate),
      faults: {
        failingCalls: [{ accountId: "111122223333", operation: "Publish", errorCode: "InternalError" }],
      },
    });
  } else {
    monitor.arm(crashTable, at);
  }
  const first = await deliver([await scanner(crashTable, crashTopic)], [message], { maxReceives: 1 });
  const crashed = at === "publish-fails" || monitor.crashed();
  monitor.disarm();
  sim.setEstate(options.second ? changedPayments(estate) : estate);
  // The redelivery comes after the visibility timeout: a lease the dead container held has expired.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + VISIBILITY_TIMEOUT_MS);
  const second = await deliver([await scanner(crashTable, crashTopic)], [message], {
    maxReceives: 1,
  }).finally(() => vi.useRealTimers());

  expect(crashed, `${name}: the crash point was reached`).toBe(true);
  expect(first.deadLetters, `${name}: the crashed delivery failed the record`).toHaveLength(1);
  expect(second.deadLetters, `${name}: the redelivery succeeded`).toEqual([]);
  const published = sim.published.slice(before);
  return {
    clean: await tableItems(dynamo.doc, cleanTable),
    crashed: await tableItems(dynamo.doc, crashTable),
    cleanPages: pagesOf(published, cleanTopic, scope),
    crashPages: pagesOf(published, crashTopic, scope),
    failedReceives: first.deadLetters.length,
    crashed_at: at === "publish-fails" ? at : `${at.kind}#${at.nth}`,
  };
}

function assessSameAsClean(name: string, o: Outcome, scope: { accountId: string; region: string }): void {
  const scopes = new Set([`${scope.accountId}/${scope.region}`]);
  expect(findingStates(o.crashed, scopes), name).toEqual(findingStates(o.clean, scopes));
  expect(findingStates(o.crashed).length, name).toBeGreaterThan(0);
  const scopeItem = (items: Item[]) => items.find((i) => isScope(i) && scopeOf(i) === [...scopes][0]);
  expect(scopeItem(o.crashed)?.status, name).toBe("complete");
  expect(
    o.crashed.filter(
      (i) => isFinding(i) && Object.keys((i.notifyPending as object | undefined) ?? {}).length > 0,
    ),
    `${name}: every transition was notified`,
  ).toEqual([]);
  expect(o.cleanPages, name).toHaveLength(1);
  expect(o.crashPages, `${name}: one page after the redelivery`).toHaveLength(1);
  const [crashPage, cleanPage] = [o.crashPages[0], o.cleanPages[0]];
  if (crashPage === undefined || cleanPage === undefined) throw new Error("no page");
  expect(pageView(crashPage), name).toEqual(pageView(cleanPage));
  figures.push({
    case: name,
    crashAt: o.crashed_at,
    findings: findingStates(o.crashed, scopes).length,
    pages: o.crashPages.length,
  });
}

beforeAll(async () => {
  // Prepare: the sample organisation without its coverage faults, so every scope completes
  estate = { ...(await loadEstateFile(SAMPLE_ESTATE)), faults: {} };
  [sim, dynamo] = await Promise.all([startSimulator({ estate }), startDynalite()]);
  restoreEnv = setEnv({
    ...simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }, { logLevel: "WARN" }),
  });
  monitor.install();
});

afterAll(async () => {
  vi.restoreAllMocks();
  restoreEnv();
  await Promise.all([sim.close(), dynamo.stop()]);
  reportFigures("crash and redelivery", { cases: figures });
});

describe("Reliability: the scanner crashes mid-scope and SQS redelivers the record", () => {
  it.each<[string, { accountId: string; region: string }, CrashPoint]>([
    ["at the first finding write", PAYMENTS, { kind: "finding", nth: 1 }],
    ["half-way through the finding writes", EDGE, { kind: "finding", nth: 6 }],
    ["at the history write, after every finding landed", ETL, { kind: "history", nth: 1 }],
    ["at the reconcile lease, before any finding write", EDGE, { kind: "scope", nth: 1 }],
    ["at the scope item write, the last of the reconcile", PAYMENTS, { kind: "scope", nth: 2 }],
    ["at the notification lease, after the reconcile and before Publish", EDGE, { kind: "scope", nth: 3 }],
    ["while holding the lease, before Publish", ETL, { kind: "query", nth: 2 }],
  ])("crash %s: the redelivery ends with the clean run's table and one page", async (name, scope, at) => {
    // Act
    const outcome = await crashAndRedeliver(name.replace(/\W+/g, "-"), scope, at);

    // Assess
    assessSameAsClean(name, outcome, scope);
  });

  it("SNS Publish fails (500 after the SDK's retries): the transitions stay pending and page once on redelivery", async () => {
    // Act
    const outcome = await crashAndRedeliver("publish-fails", PAYMENTS, "publish-fails");

    // Assess
    assessSameAsClean("publish fails", outcome, PAYMENTS);
  });

  it("crash in a run that resolves the findings of a deleted node group and opens another: same table, one page", async () => {
    // Act
    const outcome = await crashAndRedeliver(
      "second-run",
      PAYMENTS,
      { kind: "finding", nth: 1 },
      { second: true },
    );

    // Assess
    assessSameAsClean("second run, crash at its first finding write", outcome, PAYMENTS);
    const ssh = outcome.crashed.filter((i) => isFinding(i) && i.ruleId === "sg.ssh-open-to-world");
    expect(ssh.map((i) => `${String(i.resourceId)} ${String(i.status)}`).sort()).toEqual([
      "batch RESOLVED",
      "ledger OPEN",
    ]);
    expect(
      outcome.crashed.filter((i) => isFinding(i) && i.resourceId === "batch").map((i) => i.status),
    ).not.toContain("OPEN");
    const page = outcome.crashPages[0];
    expect(page?.messageAttributes.transitions?.StringValue).toContain("RESOLVED");
    expect(page?.messageAttributes.transitions?.StringValue).toContain("NEW");
  });

  it("the one window left (shared/notify/sns-notifier.ts): a crash after Publish, before the markers are cleared, may page twice but never zero times", async () => {
    // Act
    const outcome = await crashAndRedeliver("after-publish", ETL, { kind: "marker", nth: 1 });

    // Assess
    const scopes = new Set([`${ETL.accountId}/${ETL.region}`]);
    expect(findingStates(outcome.crashed, scopes)).toEqual(findingStates(outcome.clean, scopes));
    expect(outcome.crashPages.length).toBeGreaterThanOrEqual(1);
    expect(outcome.crashPages.length).toBeLessThanOrEqual(2);
    figures.push({
      case: "after Publish (documented window)",
      crashAt: "marker#1",
      pages: outcome.crashPages.length,
    });
  });
});
