import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE, setEnv, simulatorEnv } from "#test/functions/support.ts";
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
 * single scanner reaches, with each transition recorded once and one page per scope.
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
