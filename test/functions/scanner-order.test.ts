import { AsyncLocalStorage } from "node:async_hooks";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { FindingsStore } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { loadScanner, pagesOf, type ScannerModule, taskRecord, topicArn } from "#test/reliability/support.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import { captureOutput, lambdaContext, SAMPLE_ESTATE, setEnv, simulatorEnv, sqsEvent } from "./support.ts";

/**
 * Issue 14.5 through the scanner handler: yesterday's run of a scope, slowed down by its simulator,
 * reconciles while today's run of the same scope is writing. The older run must not overwrite what the
 * newer one wrote — nor what it left alone because nothing had changed.
 */

const PAYMENTS = { accountId: "222233334444", region: "eu-west-1" };
const RUN_0 = { runId: "20261124T061500Z-0dd0dd00", scheduledAt: "2026-11-24T06:15:00.000Z" };
const OLDER = { runId: "20261125T061500Z-0dd0dd01", scheduledAt: "2026-11-25T06:15:00.000Z" };
const NEWER = { runId: "20261126T061500Z-0dd0dd02", scheduledAt: "2026-11-26T06:15:00.000Z" };

let dynamo: LocalDynamo;
/** Serves the older run: node group batch deleted (its findings would resolve), and slow. */
let slowSim: Simulator;
/** Serves the setup run and the newer run: batch still there; ledger gets an SSH key (NEW). */
let fastSim: Simulator;
let base: Estate;
let restoreEnv: () => void;

function withoutBatch(estate: Estate): Estate {
  const next = structuredClone(estate);
  const cluster = next.accounts[PAYMENTS.accountId]?.regions[PAYMENTS.region]?.eks.clusters[0];
  if (cluster === undefined) throw new Error("sample estate changed: no payments cluster");
  cluster.nodegroups = cluster.nodegroups.filter((n) => n.nodegroupName !== "batch");
  return { ...next, faults: { latencyMs: 40 } };
}

function withLedgerSshKey(estate: Estate): Estate {
  const next = structuredClone(estate);
  const ledger = next.accounts[PAYMENTS.accountId]?.regions[
    PAYMENTS.region
  ]?.eks.clusters[0]?.nodegroups.find((n) => n.nodegroupName === "ledger");
  if (ledger === undefined) throw new Error("sample estate changed: no ledger node group");
  ledger.remoteAccess = { ec2SshKey: "payments-ops" };
  return next;
}

function scanner(table: string, topic: string, sim: Simulator): Promise<ScannerModule> {
  return loadScanner({
    TABLE_NAME: table,
    TOPIC_ARN: topic,
    ALERT_MIN_SEVERITY: "LOW",
    EKS_AUDITOR_ENDPOINT_URL: sim.url,
  });
}

function invoke(container: ScannerModule, run: Pick<ScanTask, "runId" | "scheduledAt">) {
  return container.handler(
    sqsEvent([taskRecord({ ...run, ...PAYMENTS })]),
    lambdaContext("eks-auditor-scanner"),
  );
}

beforeAll(async () => {
  base = { ...(await loadEstateFile(SAMPLE_ESTATE)), faults: {} };
  [slowSim, fastSim, dynamo] = await Promise.all([
    startSimulator({ estate: withoutBatch(base) }),
    startSimulator({ estate: base }),
    startDynalite(),
  ]);
  restoreEnv = setEnv(simulatorEnv({ simulator: fastSim.url, dynamodb: dynamo.endpoint }));
});

afterAll(async () => {
  vi.restoreAllMocks();
  restoreEnv();
  await Promise.all([slowSim.close(), fastSim.close(), dynamo.stop()]);
});

describe("Function: scanner — an older run reconciling during a newer run of the same scope", () => {
  it("leaves the newer run's view: nothing the older run saw is written, nothing of it is paged", async () => {
    // Prepare: run 0 records payments with node group batch and its findings
    const table = await dynamo.createTable();
    const topic = topicArn("scanner-order");
    const setup = await captureOutput(async () => invoke(await scanner(table, topic, fastSim), RUN_0));
    expect(setup.result.batchItemFailures).toEqual([]);
    const store = new FindingsStore(dynamo.doc, table);
    const batchOpen = (
      await store.reader.queryFindings({ accountId: PAYMENTS.accountId, status: "open" })
    ).filter((f) => f.resourceId === "batch" || f.evidence.nodegroup === "batch");
    expect(batchOpen.length).toBeGreaterThan(0);
    fastSim.setEstate(withLedgerSshKey(base));
    const pagesBefore = pagesOf(fastSim.published, topic).length + pagesOf(slowSim.published, topic).length;

    // The interleaving: the newer run stops just before its scope record (its finding writes done, its
    // lease held); the older run's first DynamoDB call waits for that, and once that call has been
    // answered the newer run goes on.
    const who = new AsyncLocalStorage<"older" | "newer">();
    let newerStopped: () => void = () => undefined;
    const newerAtRecord = new Promise<void>((resolve) => {
      newerStopped = resolve;
    });
    let releaseNewer: () => void = () => undefined;
    const newerReleased = new Promise<void>((resolve) => {
      releaseNewer = resolve;
    });
    let olderCalls = 0;
    let stoppedOnce = false;
    const send = DynamoDBDocumentClient.prototype.send;
    vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (
      this: DynamoDBDocumentClient,
      ...args: unknown[]
    ) {
      const command = args[0];
      const run = who.getStore();
      if (
        run === "newer" &&
        !stoppedOnce &&
        command instanceof UpdateCommand &&
        String(command.input.Key?.sk).startsWith("SCOPE#") &&
        String(command.input.UpdateExpression).includes("#lastScanAt = :at")
      ) {
        stoppedOnce = true;
        newerStopped();
        await newerReleased;
      }
      if (run === "older" && olderCalls++ === 0) {
        await newerAtRecord;
        const out = await Reflect.apply(send, this, args);
        releaseNewer();
        return out;
      }
      return Reflect.apply(send, this, args);
    } as typeof send);
    const [olderContainer, newerContainer] = [
      await scanner(table, topic, slowSim),
      await scanner(table, topic, fastSim),
    ];

    // Act: the older run starts first (its scannedAt is earlier), the newer one once the older one's
    // slow scan is under way
    const { lines } = await captureOutput(async () => {
      const older = who.run("older", () => invoke(olderContainer, OLDER));
      for (let i = 0; i < 400 && slowSim.calls.total() === 0; i++)
        await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 50));
      const newer = who.run("newer", () => invoke(newerContainer, NEWER));
      const results = await Promise.all([older, newer]);
      for (const r of results) expect(r.batchItemFailures).toEqual([]);
    });
    vi.restoreAllMocks();

    // Assess
    expect(slowSim.calls.total()).toBeGreaterThan(0);
    expect(stoppedOnce).toBe(true);
    const scanned = lines.filter((l) => l.message === "Scope scanned");
    const byRun = Object.fromEntries(scanned.map((l) => [String(l.runId), l]));
    expect(byRun[OLDER.runId]).toMatchObject({ transitions: 0, notification: "nothing-pending" });
    expect(byRun[NEWER.runId]).toMatchObject({ transitions: 1 });
    const open = await store.reader.queryFindings({ accountId: PAYMENTS.accountId, status: "open" });
    for (const f of batchOpen) {
      expect(
        open.map((o) => `${o.ruleId} ${o.resourceId}`),
        "batch's findings stay open",
      ).toContain(`${f.ruleId} ${f.resourceId}`);
    }
    expect(open.map((o) => `${o.ruleId} ${o.resourceId}`)).toContain("sg.ssh-open-to-world ledger");
    const history = await store.reader.scopeHistory(PAYMENTS.accountId, PAYMENTS.region);
    expect(history.filter((h) => h.runId === OLDER.runId)).toEqual([]);
    expect(history.filter((h) => h.runId === NEWER.runId).map((h) => `${h.type} ${h.resourceId}`)).toEqual([
      "NEW ledger",
    ]);
    const scope = await store.reader.getScope(PAYMENTS.accountId, PAYMENTS.region);
    expect(scope).toMatchObject({ runId: NEWER.runId, status: "complete" });
    expect(scope?.reconcileLease).toBeUndefined();
    const pages = [...pagesOf(fastSim.published, topic), ...pagesOf(slowSim.published, topic)];
    expect(pages.length - pagesBefore).toBe(1);
  }, 120_000);
});
