import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEstate } from "#bench/generate-estate.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import type { Estate, EstateFaults } from "#shared/estate/index.ts";
import { parseScanTask, type ScanTask } from "#shared/scan/scan-task.ts";
import { FaultState } from "#sim/faults.ts";
import { type CallRecord, type Simulator, simAccessKeyId, startSimulator } from "#sim/index.ts";
import { lambdaContext, QUEUE_URL, setEnv, simulatorEnv } from "#test/functions/support.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import {
  capture,
  copyTable,
  type Delivery,
  deliver,
  findingStates,
  type Item,
  isFinding,
  isHistory,
  isScope,
  loadPlanner,
  loadScanner,
  pagesOf,
  reportFigures,
  scopeOf,
  tableItems,
  taskRecord,
  topicArn,
} from "./support.ts";

/**
 * Guarantee 1 (README "Reliability"): a run under every fault at once completes; a failed scope keeps its
 * findings and gets its scan.* finding; a scope that completed ends exactly as in a fault-free run.
 *
 * One mid-size generated estate (bench/generate-estate.ts: 20 accounts × 2 regions) is planned and
 * scanned twice through the real planner and scanner handlers, the store (dynalite) and the SNS
 * notifier (the simulator): once without faults into one table, then — into a second table seeded with
 * the first run's items — with AssumeRole denied, regions not enabled, a throttling storm, 5xx, slow
 * calls and small pages, all at once.
 */

const REGIONS = ["eu-west-1", "us-east-1"];
/** The scanner's SQS batch size and the queue's maxReceiveCount (infra/stacks/central-stack.ts). */
const BATCH_SIZE = 5;
const MAX_RECEIVES = 3;
/** Lambda containers consuming the queue at once (the event source's maximum concurrency). */
const CONTAINERS = 4;
/** The scanner's client request timeout (REQUEST_TIMEOUT_MS), and the slow calls just under it. */
const REQUEST_TIMEOUT_MS = 1_000;
const SLOW_CALL_MS = 850;

const CLEAN_TOPIC = topicArn("eks-auditor-clean");
const FAULTY_TOPIC = topicArn("eks-auditor-faulty");

const sqsMock = mockClient(SQSClient);
let sim: Simulator;
let dynamo: LocalDynamo;
let restoreEnv: () => void;

const estate: Estate = generateEstate({ seed: 2026, accounts: 20, regions: REGIONS, faults: {} });
const management = estate.organization.managementAccountId ?? "";
const accountIds = Object.keys(estate.accounts);
const clustersOf = (accountId: string, region: string) =>
  estate.accounts[accountId]?.regions[region]?.eks.clusters.length ?? 0;
/** Member accounts with clusters, so that the faults hit scopes that have findings to keep. */
const withClusters = accountIds.filter(
  (id) => id !== management && REGIONS.some((r) => clustersOf(id, r) > 0),
);
/** 10 % of the accounts deny AssumeRole. */
const denied = withClusters.slice(0, Math.ceil(accountIds.length / 10));
/** Two more accounts have us-east-1 (with clusters in it) not enabled. */
const notEnabled = withClusters
  .filter((id) => !denied.includes(id) && clustersOf(id, "us-east-1") > 0)
  .slice(0, 2);

const FAULTS: EstateFaults = {
  seed: 7,
  assumeRoleDenied: denied,
  regionsNotEnabled: Object.fromEntries(notEnabled.map((id) => [id, ["us-east-1"]])),
  throttle: { bucket: 10, refillPerSecond: 2 },
  serverErrorRate: 0.05,
  slowCalls: { rate: 0.02, delayMs: SLOW_CALL_MS },
  maxPageSize: 5,
};

interface Run {
  runId: string;
  tasks: ScanTask[];
  delivery: Delivery;
  items: Item[];
}

let clean: Run;
let faulty: Run;
let calls: readonly CallRecord[];

/** Plans a run with the planner handler (SQS captured), then delivers its tasks to scanner containers. */
async function runOnce(
  table: string,
  topic: string,
  schedule: string,
  extraEnv: Record<string, string> = {},
) {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: (input.Entries ?? []).map((e) => ({
      Id: e.Id,
      MessageId: `m-${e.Id}`,
      MD5OfMessageBody: "x",
    })),
    Failed: [],
  }));
  const planner = await loadPlanner({ REGIONS: REGIONS.join(","), QUEUE_URL });
  const planned = await planner.handler(
    { scheduledTime: schedule, executionId: `reliability-${schedule}` },
    lambdaContext("eks-auditor-planner"),
  );
  const tasks = sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => parseScanTask(e.MessageBody ?? "")));
  const containers = [];
  for (let i = 0; i < CONTAINERS; i++) {
    containers.push(
      await loadScanner({ TABLE_NAME: table, TOPIC_ARN: topic, ALERT_MIN_SEVERITY: "HIGH", ...extraEnv }),
    );
  }
  const delivery = await deliver(containers, tasks.map(taskRecord), {
    batchSize: BATCH_SIZE,
    maxReceives: MAX_RECEIVES,
  });
  return { runId: planned.runId, tasks, delivery, items: await tableItems(dynamo.doc, table) };
}

function scopeItemsOf(run: Run): Item[] {
  return run.items.filter((i) => isScope(i) && i.runId === run.runId);
}

function failedScopes(run: Run): Set<string> {
  return new Set(
    scopeItemsOf(run)
      .filter((i) => i.status === "failed")
      .map(scopeOf),
  );
}

function completedScopes(run: Run): Set<string> {
  return new Set(
    scopeItemsOf(run)
      .filter((i) => i.status === "complete")
      .map(scopeOf),
  );
}

/** How many calls the fault section slowed: the simulator decides per call key and ordinal, so a replay of the log recounts them. */
function slowCalls(log: readonly CallRecord[]): number {
  const replay = new FaultState({ seed: FAULTS.seed, slowCalls: FAULTS.slowCalls });
  return log.filter((c) => replay.decide(c).delayMs > 0).length;
}

beforeAll(async () => {
  // Prepare
  [sim, dynamo] = await Promise.all([startSimulator({ estate }), startDynalite()]);
  restoreEnv = setEnv({
    ...simulatorEnv(
      { simulator: sim.url, dynamodb: dynamo.endpoint },
      { accessKeyId: simAccessKeyId(management) },
    ),
  });
  const cleanTable = await dynamo.createTable();
  const faultyTable = await dynamo.createTable();

  // Act: a fault-free run, then the same estate with every fault, into a table seeded with the first run
  clean = await runOnce(cleanTable, CLEAN_TOPIC, "2026-11-25T06:15:00Z");
  await copyTable(dynamo.doc, cleanTable, faultyTable);
  sim.setEstate({ ...estate, faults: FAULTS });
  sim.resetCounters();
  faulty = await runOnce(faultyTable, FAULTY_TOPIC, "2026-11-26T06:15:00Z", {
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  });
  calls = [...sim.calls.all()];
}, 120_000);

afterAll(async () => {
  restoreEnv();
  sqsMock.restore();
  await Promise.all([sim.close(), dynamo.stop()]);
});

describe("Reliability: a run under every fault at once", () => {
  it("injects each fault: denied AssumeRole, regions not enabled, throttling, 5xx, slow calls, small pages", () => {
    // Assess
    const assumeDenied = calls.filter((c) => c.operation === "AssumeRole" && c.outcome === "AccessDenied");
    const offRegions = calls.filter((c) => FAULTS.regionsNotEnabled?.[c.accountId]?.includes(c.region));
    expect(assumeDenied.length).toBeGreaterThan(0);
    expect(offRegions.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.outcome === "throttled").length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.outcome === "serverError").length).toBeGreaterThan(0);
    expect(slowCalls(calls)).toBeGreaterThan(0);
    // Listings span many pages: more DescribeSubnets calls than scopes.
    expect(calls.filter((c) => c.operation === "DescribeSubnets").length).toBeGreaterThan(
      faulty.tasks.length,
    );
    expect(denied.length).toBe(2);
    expect(notEnabled.length).toBe(2);
  });

  it("completes: every planned scope is recorded by the run, nothing is left for the DLQ", () => {
    // Assess
    expect(faulty.tasks).toHaveLength(accountIds.length * REGIONS.length);
    expect(faulty.delivery.deadLetters).toEqual([]);
    const recorded = [...completedScopes(faulty), ...failedScopes(faulty)].sort();
    expect(recorded).toEqual(faulty.tasks.map((t) => `${t.accountId}/${t.region}`).sort());
    expect(completedScopes(clean).size).toBe(clean.tasks.length);
  });

  it("gives every failed scope its scan.* finding: access denied, region unavailable, or scan error", () => {
    // Assess
    const failed = failedScopes(faulty);
    for (const id of denied) {
      for (const region of REGIONS) expect(failed).toContain(`${id}/${region}`);
    }
    for (const id of notEnabled) expect(failed).toContain(`${id}/us-east-1`);
    for (const scope of failed) {
      const scanFindings = faulty.items.filter(
        (i) =>
          isFinding(i) && scopeOf(i) === scope && String(i.ruleId).startsWith("scan.") && i.status === "OPEN",
      );
      const [accountId = "", region = ""] = scope.split("/");
      const expected = denied.includes(accountId)
        ? "scan.access-denied"
        : FAULTS.regionsNotEnabled?.[accountId]?.includes(region)
          ? "scan.region-unavailable"
          : "scan.error";
      // The storm may also exhaust the retries of the AssumeRole call before the denial shows: scan.error.
      const error = scopeItemsOf(faulty).find((i) => scopeOf(i) === scope)?.error as
        | { name?: string }
        | undefined;
      const throttled = /Throttl|RequestLimitExceeded/.test(String(error?.name));
      expect(
        scanFindings.map((i) => i.ruleId),
        scope,
      ).toEqual([throttled ? "scan.error" : expected]);
    }
  });

  it("resolves nothing in a failed scope: its findings stay open exactly as the clean run left them", () => {
    // Assess
    const failed = failedScopes(faulty);
    const withoutScan = (items: Item[]) => items.filter((i) => !String(i.ruleId).startsWith("scan."));
    expect(findingStates(withoutScan(faulty.items), failed)).toEqual(findingStates(clean.items, failed));
    const kept = clean.items.filter((i) => isFinding(i) && failed.has(scopeOf(i)));
    expect(kept.length).toBeGreaterThan(0);
    const resolved = faulty.items.filter(
      (i) => failed.has(scopeOf(i)) && (i.status === "RESOLVED" || (isHistory(i) && i.type === "RESOLVED")),
    );
    expect(resolved).toEqual([]);
  });

  it("ends every completed scope with the same findings as the fault-free run, without a transition", () => {
    // Assess
    const completed = completedScopes(faulty);
    expect(findingStates(faulty.items, completed)).toEqual(findingStates(clean.items, completed));
    const history = faulty.items.filter((i) => isHistory(i) && i.runId === faulty.runId);
    expect(history.filter((i) => completed.has(scopeOf(i)))).toEqual([]);
    expect(completed.size).toBeGreaterThan(faulty.tasks.length / 2);
  });

  it("pages at most once per scope: the new HIGH scan.* findings, nothing for completed scopes", () => {
    // Assess
    const pages = pagesOf(sim.published, FAULTY_TOPIC);
    const paged = pages.map(
      (m) => `${m.messageAttributes.accountId?.StringValue}/${m.messageAttributes.region?.StringValue}`,
    );
    expect(new Set(paged).size).toBe(paged.length);
    // Which scopes must page: those with a transition of this run at or above HIGH (ALERT_MIN_SEVERITY).
    const mustPage = new Set(
      faulty.items
        .filter(
          (i) => isHistory(i) && i.runId === faulty.runId && ["HIGH", "CRITICAL"].includes(String(i.to)),
        )
        .map(scopeOf),
    );
    expect(paged.sort()).toEqual([...mustPage].sort());
    for (const scope of paged) expect(failedScopes(faulty)).toContain(scope);
    expect(paged.length).toBeGreaterThan(0);
    expect(pagesOf(sim.published, CLEAN_TOPIC).length).toBeGreaterThan(0);
  });

  it("reports its figures", () => {
    // Assess
    const failed = failedScopes(faulty);
    const completed = completedScopes(faulty);
    const compared = findingStates(clean.items, completed).length;
    const keptInFailed = findingStates(clean.items, failed).length;
    // Lost: a finding of the clean run that is not, exactly so, in the table after the faulty run.
    const after = new Set(findingStates(faulty.items));
    const lost = findingStates(clean.items).filter((state) => !after.has(state)).length;
    expect(lost).toBe(0);
    reportFigures("faults during a run", {
      scopes: faulty.tasks.length,
      completedScopes: completed.size,
      failedScopes: failed.size,
      failedByRule: Object.fromEntries(
        ["scan.access-denied", "scan.region-unavailable", "scan.error"].map((rule) => [
          rule,
          faulty.items.filter((i) => isFinding(i) && i.ruleId === rule && i.runId === faulty.runId).length,
        ]),
      ),
      faults: {
        calls: calls.length,
        throttled: calls.filter((c) => c.outcome === "throttled").length,
        throttledByOperation: sim.calls.byOperation({ outcome: "throttled" }),
        serverErrors: calls.filter((c) => c.outcome === "serverError").length,
        assumeRoleDenied: calls.filter((c) => c.operation === "AssumeRole" && c.outcome === "AccessDenied")
          .length,
        regionNotEnabled: calls.filter((c) => FAULTS.regionsNotEnabled?.[c.accountId]?.includes(c.region))
          .length,
        slow: slowCalls(calls),
        describeSubnetsPages: calls.filter((c) => c.operation === "DescribeSubnets").length,
      },
      scanErrors: scopeItemsOf(faulty)
        .filter((i) => i.status === "failed")
        .map((i) => `${scopeOf(i)}: ${String((i.error as { name?: string } | undefined)?.name)}`),
      redeliveries: faulty.delivery.redeliveries,
      findingsCompared: compared,
      findingsKeptInFailedScopes: keptInFailed,
      lost,
    });
  });
});

describe("Reliability: the client request timeout", () => {
  it("aborts a call slower than REQUEST_TIMEOUT_MS with a TimeoutError instead of waiting for it", async () => {
    // Prepare: every call answered after 1.5 s, a 300 ms timeout, no retry
    const slowSim = await startSimulator({
      estate: { ...estate, faults: { slowCalls: { rate: 1, delayMs: 1_500 } } },
    });
    const factory = new AwsClientFactory({
      runId: "timeout",
      endpoint: slowSim.url,
      homeRegion: "eu-west-1",
      credentials: async () => ({ accessKeyId: simAccessKeyId(management), secretAccessKey: "simulator" }),
      requestTimeoutMs: 300,
      maxAttempts: 1,
    });

    try {
      // Act
      const { result } = await capture(() =>
        factory.callerIdentity().then(
          () => "answered",
          (err: unknown) => (err instanceof Error ? err.name : "error"),
        ),
      );

      // Assess
      expect(result).toBe("TimeoutError");
    } finally {
      factory.destroy();
      await slowSim.close();
    }
  });
});
