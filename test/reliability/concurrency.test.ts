import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { FindingsStore, findingSk, type ReconcileOutcome, type Transition } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE, setEnv, simulatorEnv } from "#test/functions/support.ts";
import { at, complete, failed, finding, REGION, SCOPE, scanErrorFinding } from "#test/store/fixtures.ts";
import { pausingClient } from "#test/store/pausing-client.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import {
  deliver,
  findingStates,
  type Item,
  isFinding,
  isHistory,
  loadScanner,
  pagesOf,
  reportFigures,
  type ScannerModule,
  tableItems,
  taskRecord,
  topicArn,
} from "./support.ts";

/**
 * Guarantee 3 (README "Reliability"): two scanners on the same scope at once — SQS delivering a message
 * twice, each copy to its own Lambda container (own store and notifier, one table) — end in the state a
 * single scanner reaches, with each transition recorded once and one page per scope. And an older run of
 * a scope racing a newer one (a slow scanner of yesterday's run finishing during today's) never
 * overwrites what the newer one wrote, at whichever DynamoDB call the two interleave.
 */

const SCOPES = [
  { accountId: "111122223333", region: "eu-west-1" },
  { accountId: "111122223333", region: "us-east-1" },
  { accountId: "222233334444", region: "eu-west-1" },
  { accountId: "333344445555", region: "eu-west-1" },
];
const RUN_1 = { runId: "20261125T061500Z-0c0c0c0c", scheduledAt: "2026-11-25T06:15:00.000Z" };
const RUN_2 = { runId: "20261126T061500Z-0c0c0c0c", scheduledAt: "2026-11-26T06:15:00.000Z" };

let sim: Simulator;
let dynamo: LocalDynamo;
let restoreEnv: () => void;
let estate: Estate;
const figures: Record<string, unknown>[] = [];

function tasks(run: typeof RUN_1): ScanTask[] {
  return SCOPES.map((scope) => ({ ...run, ...scope }));
}

/** Run 2 changes payments: node group web is deleted (its findings resolve), ledger gets an SSH key (NEW). */
function changed(base: Estate): Estate {
  const next = structuredClone(base);
  const cluster = next.accounts["222233334444"]?.regions["eu-west-1"]?.eks.clusters[0];
  const ledger = cluster?.nodegroups.find((n) => n.nodegroupName === "ledger");
  if (cluster === undefined || ledger === undefined)
    throw new Error("sample estate changed: no ledger node group");
  cluster.nodegroups = cluster.nodegroups.filter((n) => n.nodegroupName !== "web");
  ledger.remoteAccess = { ec2SshKey: "payments-ops" };
  return next;
}

async function containers(n: number, table: string, topic: string): Promise<ScannerModule[]> {
  const out: ScannerModule[] = [];
  for (let i = 0; i < n; i++) {
    out.push(await loadScanner({ TABLE_NAME: table, TOPIC_ARN: topic, ALERT_MIN_SEVERITY: "LOW" }));
  }
  return out;
}

/** Each transition as recorded in the history: finding and type (its time is the scanning container's). */
function transitionsOf(items: readonly Item[], runId: string): string[] {
  return items
    .filter((i) => isHistory(i) && i.runId === runId)
    .map((i) => `${String(i.findingSk)} ${String(i.type)}`)
    .sort();
}

function pagesPerScope(topic: string): number[] {
  return SCOPES.map((scope) => pagesOf(sim.published, topic, scope).length);
}

interface Compared {
  single: Item[];
  raced: Item[];
  singlePages: number[];
  racedPages: number[];
  /** What each raced container's notifier did, per scope of the last run ("published", "busy", …). */
  notifications: Record<string, string[]>;
}

/**
 * The same runs into two tables: once by one scanner, once by two scanners that each get every record of
 * the run at the same time (`Promise.all` of two handler invocations). `runs` lists each run's estate.
 */
async function singleVersusRaced(name: string, runs: [Estate, typeof RUN_1][]): Promise<Compared> {
  const [singleTable, racedTable] = [await dynamo.createTable(), await dynamo.createTable()];
  const [singleTopic, racedTopic] = [topicArn(`single-${name}`), topicArn(`raced-${name}`)];
  const before = { single: pagesPerScope(singleTopic), raced: pagesPerScope(racedTopic) };
  let notifications: Record<string, string[]> = {};
  for (const [runEstate, run] of runs) {
    sim.setEstate(runEstate);
    const [single] = await containers(1, singleTable, singleTopic);
    if (single === undefined) throw new Error("no container");
    await deliver([single], tasks(run).map(taskRecord), { batchSize: SCOPES.length });
    const raced = await containers(2, racedTable, racedTopic);
    const records = tasks(run).map(taskRecord);
    // Act: both containers get the same batch at once (batch size = every scope of the run)
    const both = await deliver(raced, records, {
      batchSize: SCOPES.length,
      everyContainerGetsEachRecord: true,
    });
    expect(both.receives, `${name}: each container got every record`).toBe(2 * records.length);
    expect(both.deadLetters, `${name}: no record failed`).toEqual([]);
    notifications = {};
    for (const line of both.lines.filter((l) => l.message === "Scope scanned")) {
      const scope = `${String(line.accountId)}/${String(line.region)}`;
      notifications[scope] = [...(notifications[scope] ?? []), String(line.notification)].sort();
    }
  }
  const after = { single: pagesPerScope(singleTopic), raced: pagesPerScope(racedTopic) };
  return {
    single: await tableItems(dynamo.doc, singleTable),
    raced: await tableItems(dynamo.doc, racedTable),
    singlePages: after.single.map((n, i) => n - (before.single[i] ?? 0)),
    racedPages: after.raced.map((n, i) => n - (before.raced[i] ?? 0)),
    notifications,
  };
}

beforeAll(async () => {
  // Prepare: the sample organisation without its coverage faults
  estate = { ...(await loadEstateFile(SAMPLE_ESTATE)), faults: {} };
  [sim, dynamo] = await Promise.all([startSimulator({ estate }), startDynalite()]);
  restoreEnv = setEnv({
    ...simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }),
  });
});

afterAll(async () => {
  restoreEnv();
  await Promise.all([sim.close(), dynamo.stop()]);
  reportFigures("concurrency", { cases: figures });
});

describe("Reliability: two scanners on the same scopes at once", () => {
  it("first run: the same findings as one scanner, each NEW recorded once, one page per scope", async () => {
    // Act
    const out = await singleVersusRaced("first", [[estate, RUN_1]]);

    // Assess
    expect(findingStates(out.raced)).toEqual(findingStates(out.single));
    expect(out.raced.filter(isFinding).length).toBeGreaterThan(20);
    expect(transitionsOf(out.raced, RUN_1.runId)).toEqual(transitionsOf(out.single, RUN_1.runId));
    // One page per scope with a change at or above LOW (the first scope has only INFO findings).
    expect(out.singlePages).toEqual([0, 1, 1, 1]);
    expect(out.racedPages).toEqual(out.singlePages);
    expect(Object.values(out.notifications)).toHaveLength(SCOPES.length);
    for (const [i, scope] of SCOPES.entries()) {
      const statuses = out.notifications[`${scope.accountId}/${scope.region}`] ?? [];
      expect(statuses).toHaveLength(2);
      expect(statuses.filter((s) => s === "published")).toHaveLength(out.racedPages[i] ?? -1);
    }
    figures.push({
      case: "first run",
      findings: out.raced.filter(isFinding).length,
      pages: out.racedPages,
      notifications: out.notifications,
    });
  });

  it("second run with changes: RESOLVED and NEW each won by one scanner, one page for the changed scope only", async () => {
    // Act
    const out = await singleVersusRaced("second", [
      [estate, RUN_1],
      [changed(estate), RUN_2],
    ]);

    // Assess
    expect(findingStates(out.raced)).toEqual(findingStates(out.single));
    const second = transitionsOf(out.raced, RUN_2.runId);
    expect(second).toEqual(transitionsOf(out.single, RUN_2.runId));
    expect(second.some((t) => t.endsWith(" RESOLVED"))).toBe(true);
    expect(second.some((t) => t.endsWith(" NEW"))).toBe(true);
    // Run 1 paged as above, run 2 only payments (index 2), once.
    expect(out.singlePages).toEqual([0, 1, 2, 1]);
    expect(out.racedPages).toEqual(out.singlePages);
    const payments = out.notifications["222233334444/eu-west-1"] ?? [];
    expect(payments.filter((s) => s === "published")).toHaveLength(1);
    figures.push({
      case: "second run",
      transitions: second.length,
      pages: out.racedPages,
      notifications: out.notifications,
    });
  });
});

// ---- an older run against a newer run of the same scope ---------------------------------------------

const A = finding();
const B = finding({ ruleId: "ip.subnet-nearly-full", resourceId: "subnet-1", severity: "MEDIUM" });
const C = finding({ ruleId: "sg.ssh-open-to-world", resourceId: "ng-web", severity: "CRITICAL" });
const D = finding({ ruleId: "elb.stale-cluster-tag", cluster: "-", resourceId: "subnet-9", severity: "LOW" });
const E = finding({ ruleId: "node.health-issues", resourceId: "ng-new", severity: "HIGH" });
const F = finding({ ruleId: "ip.cluster-subnet-low", resourceId: "subnet-c", severity: "MEDIUM" });

interface RunView {
  findings: Finding[];
  outcome: (runId: string, scannedAt: string) => ReconcileOutcome;
}

/** Before both runs: A, B, D open, C resolved (run -1 at t-10 saw all four, run 0 at t0 not C). */
interface OrderScenario {
  name: string;
  older: RunView;
  newer: RunView;
}

const ORDER_SCENARIOS: OrderScenario[] = [
  {
    // Every transition type both ways: O resolves A, escalates B, reopens C, opens E; N resolves D, opens F.
    name: "both complete, every transition type",
    older: { findings: [{ ...B, severity: "CRITICAL" }, C, D, E], outcome: complete },
    newer: { findings: [A, B, F], outcome: complete },
  },
  {
    // The newer run changes nothing (it writes only the scope item); the older one would resolve all.
    name: "the newer run sees nothing changed",
    older: { findings: [], outcome: complete },
    newer: { findings: [A, B, D], outcome: complete },
  },
  {
    name: "the newer run failed (scan.error), the older completed",
    older: { findings: [A], outcome: complete },
    newer: { findings: [scanErrorFinding()], outcome: failed },
  },
];

const T_OLDER = at(10);
const T_NEWER = at(20);

/** A sleep that says when a reconcile first waits for another's lease. */
function observedSleep(): { sleep: (ms: number) => Promise<void>; waiting: Promise<void> } {
  let signal: () => void = () => undefined;
  const waiting = new Promise<void>((resolve) => {
    signal = resolve;
  });
  return {
    waiting,
    sleep: (ms) => {
      signal();
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
  };
}

interface Interleaving {
  table: string;
  setup: Transition[];
  older: Transition[];
  newer: Transition[];
  /** Whether the paused run reached the pause point (false: it has fewer calls). */
  paused: boolean;
}

/**
 * One interleaving: the `stopped` run stops before its `call`-th DynamoDB call; the other run reconciles
 * in that gap (until it finishes, or until it waits for the stopped run's lease); then the stopped run
 * resumes.
 */
async function interleave(s: OrderScenario, stopped: "older" | "newer", call: number): Promise<Interleaving> {
  const table = await dynamo.createTable();
  const setupStore = new FindingsStore(dynamo.doc, table);
  const setup = [
    ...(await setupStore.writer.reconcileScope(SCOPE, [A, B, C, D], complete("run-m1", at(-10)))),
    ...(await setupStore.writer.reconcileScope(SCOPE, [A, B, D], complete("run-0", at(0)))),
  ];
  const gate = pausingClient(dynamo.client, { pauseBefore: call });
  const other = observedSleep();
  const stores = {
    stopped: new FindingsStore(gate.doc, table, { writeConcurrency: 1 }),
    other: new FindingsStore(dynamo.doc, table, { writeConcurrency: 1, sleep: other.sleep }),
  };
  const run = (which: "older" | "newer", store: FindingsStore) => {
    const view = s[which];
    const runId = which === "older" ? "run-O" : "run-N";
    return store.writer.reconcileScope(
      SCOPE,
      view.findings,
      view.outcome(runId, which === "older" ? T_OLDER : T_NEWER),
    );
  };
  const first = run(stopped, stores.stopped);
  const paused = await Promise.race([gate.reached.then(() => true), first.then(() => false)]);
  const second = run(stopped === "older" ? "newer" : "older", stores.other);
  if (paused) await Promise.race([second, other.waiting]);
  gate.release();
  const [fromStopped, fromOther] = await Promise.all([first, second]);
  return {
    table,
    setup,
    older: stopped === "older" ? fromStopped : fromOther,
    newer: stopped === "newer" ? fromStopped : fromOther,
    paused,
  };
}

const transitionKey = (sk: string, type: string, at: string) => `${sk} ${type} ${at}`;

/** What must hold after any interleaving of an older and a newer run. */
async function assessOrder(s: OrderScenario, o: Interleaving, label: string): Promise<void> {
  const items = await tableItems(dynamo.doc, o.table);
  const findings = items.filter(isFinding);
  const scope = items.find((i) => i.sk === `SCOPE#${REGION}`);

  // The scope record is the newer run's, and no lease is left behind.
  expect(scope, label).toMatchObject({
    runId: "run-N",
    lastScanAt: T_NEWER,
    status: s.newer.outcome("x", T_NEWER).status,
  });
  expect(scope?.reconcileLease, label).toBeUndefined();

  // A complete newer run: the table's open findings are exactly what it saw, and its counts agree.
  const open = findings
    .filter((i) => i.status === "OPEN")
    .map((i) => `${String(i.sk)} ${String(i.severity)}`);
  if (s.newer.outcome("x", T_NEWER).status === "complete") {
    expect(open.sort(), label).toEqual(s.newer.findings.map((f) => `${findingSk(f)} ${f.severity}`).sort());
  } else {
    expect(open, label).toContain(`${findingSk(scanErrorFinding())} MEDIUM`);
  }
  expect((scope?.counts as { open?: number } | undefined)?.open, label).toBe(open.length);

  // Each reported transition is in the history once and in the outbox once, and nothing else is.
  const reported = [...o.setup, ...o.older, ...o.newer]
    .map((t) => transitionKey(findingSk(t.finding), t.type, t.at))
    .sort();
  const history = items
    .filter(isHistory)
    .map((h) => transitionKey(String(h.findingSk), String(h.type), String(h.at)))
    .sort();
  const outbox = findings
    .flatMap((i) =>
      Object.entries((i.notifyPending as Record<string, { type: string }> | undefined) ?? {}).map(([t, m]) =>
        transitionKey(String(i.sk), m.type, t),
      ),
    )
    .sort();
  expect(history, label).toEqual(reported);
  expect(outbox, label).toEqual(reported);

  // Each finding's history, in time order, is a valid life ending in its stored state: an older run's
  // write after a newer run's would show as e.g. REOPENED@t1 before RESOLVED@t2 on an item left OPEN.
  for (const item of findings) {
    const life = items
      .filter((h) => isHistory(h) && h.findingSk === item.sk)
      .sort((a, b) => String(a.at).localeCompare(String(b.at)));
    let status: string | undefined;
    for (const h of life) {
      const before = status;
      status = h.type === "RESOLVED" ? "RESOLVED" : "OPEN";
      const valid =
        (h.type === "NEW" && before === undefined) ||
        (h.type === "REOPENED" && before === "RESOLVED") ||
        ((h.type === "RESOLVED" || h.type === "ESCALATED") && before === "OPEN");
      expect(valid, `${label}: ${String(item.sk)} ${String(h.type)}@${String(h.at)} after ${before}`).toBe(
        true,
      );
    }
    expect(item.status, `${label}: ${String(item.sk)} ends as its history says`).toBe(status);
    expect(String(item.lastChangedAt) <= T_NEWER, label).toBe(true);
  }
}

describe("Reliability: an older run of a scope racing a newer one", () => {
  for (const s of ORDER_SCENARIOS) {
    it(`${s.name}: at every DynamoDB call of either run, the newer run's view wins and each transition is reported once`, async () => {
      let points = 0;
      for (const stopped of ["older", "newer"] as const) {
        for (let call = 1; call <= 40; call++) {
          // Act
          const o = await interleave(s, stopped, call);

          // Assess
          await assessOrder(s, o, `${s.name}, ${stopped} run stopped before call #${call}`);
          if (!o.paused) break;
          points++;
        }
      }
      expect(points).toBeGreaterThanOrEqual(8);
      figures.push({ case: `older vs newer: ${s.name}`, interleavings: points });
    });
  }
});
