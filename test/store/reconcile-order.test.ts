import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findingKey } from "#shared/findings/index.ts";
import {
  accountPk,
  FindingsStore,
  type FindingsStoreOptions,
  findingSk,
  ReconcileConflictError,
  type Transition,
} from "#shared/store/index.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import { ACCOUNT, at, complete, finding, REGION, SCOPE } from "./fixtures.ts";
import { pausingClient } from "./pausing-client.ts";

let dynamo: LocalDynamo;
let table: string;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.stop();
});

beforeEach(async () => {
  table = await dynamo.createTable();
});

const F = finding({
  ruleId: "sg.ssh-open-to-world",
  resourceId: "ng-web",
  severity: "HIGH",
  title: "SSH open",
});
const G = finding({ ruleId: "ip.subnet-nearly-full", resourceId: "subnet-1", severity: "MEDIUM" });

function store(options: FindingsStoreOptions = {}, doc = dynamo.doc): FindingsStore {
  return new FindingsStore(doc, table, options);
}

async function rawItem(sk: string): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo.doc.send(
    new GetCommand({ TableName: table, Key: { pk: accountPk(ACCOUNT), sk } }),
  );
  return out.Item;
}

function summary(transitions: readonly Transition[]): string[] {
  return transitions.map((t) => `${t.type} ${findingKey(t.finding)}`).sort();
}

/** A sleep that says when it is first called: a reconcile is waiting for another's lease. */
function observedSleep(): { sleep: (ms: number) => Promise<void>; waiting: Promise<void>; slept: number[] } {
  const slept: number[] = [];
  let signal: () => void = () => undefined;
  const waiting = new Promise<void>((resolve) => {
    signal = resolve;
  });
  return {
    slept,
    waiting,
    sleep: (ms) => {
      slept.push(ms);
      signal();
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
  };
}

describe("Class: FindingsWriter — time only moves forward in a scope", () => {
  it("an older run that read before a newer one wrote nothing for an unchanged finding does not resolve it", async () => {
    // Prepare: F open since t0; older run O (t1) no longer sees F, newer run N (t2) still does
    await store().writer.reconcileScope(SCOPE, [F], complete("run-0", at(0)));
    const older = pausingClient(dynamo.client, { pauseBefore: 3 }); // after O's two reads
    const o = store({}, older.doc).writer.reconcileScope(SCOPE, [], complete("run-O", at(10)));
    await older.reached;

    // Act: N reconciles in the gap (F unchanged: it writes only the scope item), then O resumes
    const n = await store().writer.reconcileScope(SCOPE, [F], complete("run-N", at(20)));
    older.release();
    const fromOlder = await o;

    // Assess
    expect(n).toEqual([]);
    expect(fromOlder).toEqual([]);
    expect(await rawItem(findingSk(F))).toMatchObject({ status: "OPEN", lastChangedAt: at(0), version: 1 });
    expect(await store().reader.getScope(ACCOUNT, REGION)).toMatchObject({
      runId: "run-N",
      lastScanAt: at(20),
    });
    expect(await store().reader.scopeHistory(ACCOUNT, REGION)).toHaveLength(1); // the NEW of run-0
  });

  it("an older run does not reopen what a newer run resolved while it was deciding", async () => {
    // Prepare: F open since t0; O (t1) sees F at CRITICAL (a write), N (t2) no longer sees F
    await store().writer.reconcileScope(SCOPE, [F, G], complete("run-0", at(0)));
    const older = pausingClient(dynamo.client, { pauseBefore: 3 });
    const o = store({}, older.doc).writer.reconcileScope(
      SCOPE,
      [{ ...F, severity: "CRITICAL" }, G],
      complete("run-O", at(10)),
    );
    await older.reached;

    // Act
    const n = await store().writer.reconcileScope(SCOPE, [G], complete("run-N", at(20)));
    older.release();
    const fromOlder = await o;

    // Assess
    expect(summary(n)).toEqual([`RESOLVED ${findingKey(F)}`]);
    expect(fromOlder).toEqual([]);
    expect(await rawItem(findingSk(F))).toMatchObject({
      status: "RESOLVED",
      severity: "HIGH",
      resolvedAt: at(20),
    });
    expect((await store().reader.scopeHistory(ACCOUNT, REGION)).map((h) => `${h.type} ${h.at}`)).toEqual([
      `NEW ${at(0)}`,
      `NEW ${at(0)}`,
      `RESOLVED ${at(20)}`,
    ]);
  });

  it("a newer run that meets an older run's live lease waits, then decides on what the older one wrote", async () => {
    // Prepare: O (t1) resolves F and holds the lease (stopped before its first finding write)
    await store().writer.reconcileScope(SCOPE, [F], complete("run-0", at(0)));
    const older = pausingClient(dynamo.client, { pauseBefore: 4 }); // get, query, lease, ▶ put
    const o = store({}, older.doc).writer.reconcileScope(SCOPE, [], complete("run-O", at(10)));
    await older.reached;
    expect((await store().reader.getScope(ACCOUNT, REGION))?.reconcileLease).toMatchObject({
      runId: "run-O",
      at: at(10),
    });
    const newer = observedSleep();

    // Act: N (t2) sees F again; it waits for O, which then finishes
    const n = store({ sleep: newer.sleep }).writer.reconcileScope(SCOPE, [F], complete("run-N", at(20)));
    await newer.waiting;
    older.release();
    const [fromOlder, fromNewer] = await Promise.all([o, n]);

    // Assess: each change reported once, by the run that made it; F ends as the newer run saw it
    expect(summary(fromOlder)).toEqual([`RESOLVED ${findingKey(F)}`]);
    expect(summary(fromNewer)).toEqual([`REOPENED ${findingKey(F)}`]);
    expect(newer.slept.length).toBeGreaterThan(0);
    expect(await rawItem(findingSk(F))).toMatchObject({ status: "OPEN", lastChangedAt: at(20) });
    const scope = await store().reader.getScope(ACCOUNT, REGION);
    expect(scope).toMatchObject({ runId: "run-N", lastScanAt: at(20) });
    expect(scope?.reconcileLease).toBeUndefined();
  });

  it("an older run that meets a newer run's live lease waits, then writes nothing", async () => {
    // Prepare: N (t2) resolves F and holds the lease
    await store().writer.reconcileScope(SCOPE, [F], complete("run-0", at(0)));
    const newerClient = pausingClient(dynamo.client, { pauseBefore: 4 });
    const n = store({}, newerClient.doc).writer.reconcileScope(SCOPE, [], complete("run-N", at(20)));
    await newerClient.reached;
    const older = observedSleep();
    const olderStore = store({ sleep: older.sleep });

    // Act
    const o = olderStore.writer.reconcileScope(
      SCOPE,
      [{ ...F, severity: "CRITICAL" }],
      complete("run-O", at(10)),
    );
    await older.waiting;
    olderStore.resetStats();
    newerClient.release();
    const [fromNewer, fromOlder] = await Promise.all([n, o]);

    // Assess
    expect(summary(fromNewer)).toEqual([`RESOLVED ${findingKey(F)}`]);
    expect(fromOlder).toEqual([]);
    expect(olderStore.stats().writeCalls).toBe(0);
    expect(await rawItem(findingSk(F))).toMatchObject({ status: "RESOLVED", severity: "HIGH" });
  });

  it("takes over the lease of a crashed reconcile once it expires, keeping what a newer crashed run wrote", async () => {
    // Prepare: a fake clock; N (t2) resolves F and dies after its lease and that finding write
    let now = Date.parse("2026-06-01T10:00:00.000Z");
    const clock = () => now;
    await store({ clock }).writer.reconcileScope(SCOPE, [F, G], complete("run-0", at(0)));
    const dead = pausingClient(dynamo.client, { dieAt: 5 }); // get, query, lease, put F, ✗ history
    await expect(
      store({ clock, writeConcurrency: 1 }, dead.doc).writer.reconcileScope(
        SCOPE,
        [G],
        complete("run-N", at(20)),
      ),
    ).rejects.toThrow(/simulated crash/);
    const sleeps: number[] = [];
    const older = store({
      clock,
      reconcileLeaseMs: 60_000,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });

    // Act: O (t1 < t2) sees F at CRITICAL and G gone
    const fromOlder = await older.writer.reconcileScope(
      SCOPE,
      [{ ...F, severity: "CRITICAL" }],
      complete("run-O", at(10)),
    );

    // Assess: O waited out the dead lease, left F as N wrote it, resolved G, and recorded its scan
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(60_000);
    expect(summary(fromOlder)).toEqual([`RESOLVED ${findingKey(G)}`]);
    expect(await rawItem(findingSk(F))).toMatchObject({
      status: "RESOLVED",
      lastChangedAt: at(20),
      runId: "run-N",
    });
    const scope = await older.reader.getScope(ACCOUNT, REGION);
    expect(scope).toMatchObject({ runId: "run-O", lastScanAt: at(10) });
    expect(scope?.reconcileLease).toBeUndefined();
  });

  it("gives up waiting for a live lease after reconcileWaitMs with an error naming the holder", async () => {
    // Prepare
    await store().writer.reconcileScope(SCOPE, [F], complete("run-0", at(0)));
    const holder = pausingClient(dynamo.client, { pauseBefore: 4 });
    const held = store({}, holder.doc).writer.reconcileScope(SCOPE, [], complete("run-A", at(10)));
    await holder.reached;

    // Act
    const waiting = store({ reconcileWaitMs: 300 }).writer.reconcileScope(
      SCOPE,
      [F],
      complete("run-B", at(20)),
    );

    // Assess
    await expect(waiting).rejects.toThrow(ReconcileConflictError);
    await expect(waiting).rejects.toThrow(
      /another reconcile \(run run-A\) holds the scope until .*gave up after waiting 300 ms/,
    );
    holder.release();
    await held;
  });

  it("lets go of its lease at once when a write fails, announcing what it wrote", async () => {
    // Prepare: F and G open; the run resolves both, and its second finding write fails
    await store().writer.reconcileScope(SCOPE, [F, G], complete("run-0", at(0)));
    const failing = pausingClient(dynamo.client, { failAt: 5 }); // get, query, lease, put, ✗ put
    const sleeps: number[] = [];
    const next = store({ sleep: async (ms) => void sleeps.push(ms) });

    // Act
    await expect(
      store({ writeConcurrency: 1 }, failing.doc).writer.reconcileScope(SCOPE, [], complete("run-A", at(10))),
    ).rejects.toThrow(/simulated InternalServerError/);
    const afterFailure = await next.reader.getScope(ACCOUNT, REGION);
    const pending = await next.ledger.pendingTransitions(SCOPE);
    const redelivered = await next.writer.reconcileScope(SCOPE, [], complete("run-A", at(15)));

    // Assess: no lease left, the written RESOLVED announced; the redelivery did not wait and finished the job
    expect(afterFailure?.reconcileLease).toBeUndefined();
    expect(afterFailure?.runId).toBe("run-0");
    expect(await next.ledger.hasPendingNotifications(SCOPE)).toBe(true);
    const resolvedBeforeFailure = pending.filter((t) => t.type === "RESOLVED");
    expect(resolvedBeforeFailure).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(summary(redelivered)).toHaveLength(1);
    expect(summary([...resolvedBeforeFailure, ...redelivered])).toEqual(
      [`RESOLVED ${findingKey(F)}`, `RESOLVED ${findingKey(G)}`].sort(),
    );
  });
});
