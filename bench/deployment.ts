/**
 * One scheduled run, shaped like the deployment. This process is the planner and the SQS queue: the
 * planner's own code path (`planRun` → `tasksOfPlan` → `enqueueScanTasks`) sends SendMessageBatch to an
 * in-memory SQS stand-in. `concurrency` scanner workers — separate processes, each with its own event
 * loop, as Lambda containers are (bench/worker.ts) — import the scanner's deployed bundle and receive
 * batches of `batchSize` records over `child_process.fork` IPC, one invocation at a time (the event
 * source's maximum concurrency and batch size). The simulator and dynalite run in their own processes.
 *
 * Measured here: the run's time (plan start to the end of the last batch), the planner's critical chain,
 * the idle round trip to dynalite (the weight of a DynamoDB call in the bound), the CPU of every process
 * involved and of the machine, and each worker's report.
 */
import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { dynamoClient } from "#functions/commons/clients.ts";
import { accountSelectionOf, plannerConfigFromEnv, scannerConfigFromEnv } from "#functions/commons/config.ts";
import { enqueueScanTasks, plannerFactories, runOfInvocation } from "#functions/commons/planner.ts";
import { planRun, tasksOfPlan } from "#shared/scan/plan.ts";
import { createTableInput, type StoreStats } from "#shared/store/index.ts";
import { CallObserver } from "./call-observer.ts";
import type { Chain } from "./chain.ts";
import { machineBusyMs, processCpuMs } from "./proc-stat.ts";
import { BoundedQueue, InMemorySqs, sqsRecord } from "./queue.ts";
import type { FromWorker, ReadyMessage, ToWorker, WorkerReport } from "./worker-protocol.ts";

/**
 * The flags the Lambda Node.js runtime starts `node` with for a function of `memoryMb` (its bootstrap,
 * aws-lambda-base-images `/var/runtime/bootstrap`: new space a tenth of the memory, half of it the semi-space,
 * the rest the old space; `--expose-gc`; `--max-http-header-size 81920`), so a worker's heap is sized, and
 * collected, as the container's is.
 */
export function lambdaNodeArgs(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    "--expose-gc",
    "--max-http-header-size",
    "81920",
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

export interface DeploymentOptions {
  /** The functions' environment (TABLE_NAME, TOPIC_ARN, REGIONS, endpoints…); also this process's. */
  env: Record<string, string>;
  /** Scanner workers: the event source's maximum concurrency. */
  concurrency: number;
  /** SQS records per invocation. */
  batchSize: number;
  label: string;
  /** The scanner's bundle, built as the stack builds it. */
  handlerBundle: string;
  /** bench/worker.ts, bundled. */
  workerBundle: string;
  simUrl: string;
  dynamoUrl: string;
  /** The simulator's fixed latency per attempt. */
  simLatencyMs: number;
  /** The function's timeout and memory, for the Lambda context. */
  functionTimeoutMs: number;
  functionMemoryMb: number;
  /** Processes whose CPU is read from /proc. */
  simPid?: number;
  dynamoPid?: number;
  /** Each worker writes a V8 CPU profile here. */
  profileDir?: string;
  /** Each worker writes a heap snapshot here once its run drained (after a full collection). */
  heapSnapshotDir?: string;
}

/**
 * Idle round trip to dynalite: sequential GetItem calls of a missing key (the cheapest call), after a
 * warm-up. The minimum is the weight of a DynamoDB call in the bound: a floor, whatever the load.
 */
export interface DynamoFloor {
  medianMs: number;
  minMs: number;
  samples: number;
}

export interface DeploymentRun {
  label: string;
  runId: string;
  accounts: number;
  /** Scan tasks enqueued (account-regions). */
  scopes: number;
  /** Plan start to the end of the last batch. */
  wallMs: number;
  /** planRun (ListAccounts) until the tasks exist. */
  planMs: number;
  /** The planner's critical chain (weighted as the workers' chains). */
  planChain: Chain;
  concurrency: number;
  batchSize: number;
  dynamoFloor: DynamoFloor;
  records: { ok: number; failed: number };
  workers: WorkerReport[];
  /** The workers' reports summed. */
  totals: {
    store: StoreStats;
    metrics: Record<string, number>;
    scopes: WorkerReport["scopes"];
    /** The handler threw (it should report batch failures instead). */
    errors: string[];
    warnings: Record<string, number>;
    errorSamples: string[];
  };
  /** Slowest worker's last batch end, by worker: how unevenly the queue's work spread. */
  workerFinishMs: { first: number; last: number };
  queue: {
    sendMessageBatchCalls: number;
    highWater: number;
    /** Round trip of an empty message to an idle worker and back (median, p99 over every worker's pings). */
    idlePingMs: { median: number; p99: number; samples: number };
    /** Worker requests answered, and the IPC's own cost per request (round trip minus the queue's hold). */
    requests: number;
    overheadMs: { total: number; meanPerRequest: number; max: number };
  };
  /** CPU in milliseconds over the run; undefined where /proc cannot be read. */
  cpu: {
    workersMs: number;
    /** This process: the planner, the queue and the IPC. */
    queueProcessMs: number;
    simulatorMs?: number;
    dynaliteMs?: number;
    /** Every process on the machine (all cores). */
    machineBusyMs?: number;
    /** Machine busy minus the benchmark's own processes: other work sharing the cores. */
    othersMs?: number;
    cores: number;
  };
  /** One-minute load average at the start, the end, and the highest sampled every 2 s. */
  loadAverage: { start: number; end: number; max: number };
  /** `uptime`'s three load averages (1, 5, 15 min) at the run's start and end. */
  uptime: { start: number[]; end: number[] };
  /** Worker start-up (fork + import of the bundle), not part of the run's time. */
  startup: { ms: number; initMs: { median: number; max: number } };
}

export function emptyStats(): StoreStats {
  return {
    writeCalls: 0,
    writesByOperation: { PutItem: 0, UpdateItem: 0, DeleteItem: 0, BatchWriteItem: 0 },
    itemsWritten: { finding: 0, scope: 0, history: 0, sample: 0 },
    readCalls: 0,
  };
}

export function addStats(into: StoreStats, s: StoreStats): StoreStats {
  into.writeCalls += s.writeCalls;
  into.readCalls += s.readCalls;
  for (const k of Object.keys(into.writesByOperation) as (keyof StoreStats["writesByOperation"])[])
    into.writesByOperation[k] += s.writesByOperation[k];
  for (const k of Object.keys(into.itemsWritten) as (keyof StoreStats["itemsWritten"])[])
    into.itemsWritten[k] += s.itemsWritten[k];
  return into;
}

function totalsOf(reports: readonly WorkerReport[]): DeploymentRun["totals"] {
  const totals: DeploymentRun["totals"] = {
    store: emptyStats(),
    metrics: {},
    scopes: { logged: 0, withClusters: 0, clusters: 0, nodegroups: 0 },
    errors: [],
    warnings: {},
    errorSamples: [],
  };
  for (const r of reports) {
    if (r.store) addStats(totals.store, r.store);
    for (const [k, v] of Object.entries(r.metrics)) totals.metrics[k] = (totals.metrics[k] ?? 0) + v;
    totals.scopes.logged += r.scopes.logged;
    totals.scopes.withClusters += r.scopes.withClusters;
    totals.scopes.clusters += r.scopes.clusters;
    totals.scopes.nodegroups += r.scopes.nodegroups;
    totals.errors.push(...r.errors);
    for (const [k, v] of Object.entries(r.warnings)) totals.warnings[k] = (totals.warnings[k] ?? 0) + v;
    for (const e of r.errorSamples) if (totals.errorSamples.length < 10) totals.errorSamples.push(e);
  }
  return totals;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** The weight of one DynamoDB call: the idle round trip from a fresh client, as the scanner's store sends it. */
export async function measureDynamoFloor(env: Record<string, string>, samples = 31): Promise<DynamoFloor> {
  const config = scannerConfigFromEnv(env);
  const tableName = config.tableName;
  const client = dynamoClient(config);
  const key = Object.fromEntries(
    (createTableInput(tableName).KeySchema ?? []).map((k) => [k.AttributeName ?? "", { S: "bench#floor" }]),
  );
  try {
    const times: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
      const t = performance.now();
      await client.send(new GetItemCommand({ TableName: tableName, Key: key }));
      if (i >= 5) times.push(performance.now() - t);
    }
    return { medianMs: r2(median(times)), minMs: r2(Math.min(...times)), samples: times.length };
  } finally {
    client.destroy();
  }
}

interface Worker {
  id: number;
  child: ChildProcess;
  /** Resolves the pending ping. */
  pong: (() => void) | undefined;
  ready: ReadyMessage | undefined;
  report: WorkerReport | undefined;
  /** When its last batch ended (its `take` after the batch arrived). */
  lastBatchEnd: number;
  stderr: string;
}

/** Sequential pings to each idle worker, one worker after the other: the IPC's own round trip. */
async function pingAll(workers: readonly Worker[], perWorker: number): Promise<number[]> {
  const times: number[] = [];
  for (const w of workers) {
    for (let i = 0; i < perWorker; i++) {
      const t = performance.now();
      await new Promise<void>((resolve) => {
        w.pong = resolve;
        w.child.send({ type: "ping" } satisfies ToWorker);
      });
      times.push(performance.now() - t);
    }
    w.pong = undefined;
  }
  return times;
}

/** Runs plan → queue → N scanner workers once over the whole organisation. */
export async function runDeployment(o: DeploymentOptions): Promise<DeploymentRun> {
  const plannerConfig = plannerConfigFromEnv(o.env);
  const dynamoFloor = await measureDynamoFloor(o.env);
  const queue = new BoundedQueue(100_000);
  const sqs = new InMemorySqs(queue);
  const caller = (o.env.AWS_ACCESS_KEY_ID ?? "").slice(4, 16);
  const queueArn = `arn:aws:sqs:${plannerConfig.homeRegion}:${caller}:eks-auditor-scan-tasks`;
  const overhead = { requests: 0, total: 0, max: 0 };
  const records = { ok: 0, failed: 0 };

  // ---- the containers' init, before the clock starts (cold starts are measured with the bundles) ----
  const startupBegan = performance.now();
  let failWorkers: (err: Error) => void = () => undefined;
  const workerFailure = new Promise<never>((_, reject) => {
    failWorkers = reject;
  });
  workerFailure.catch(() => undefined);
  let readyCount = 0;
  let reportCount = 0;
  let allReady: () => void = () => undefined;
  let allReported: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    allReady = resolve;
  });
  const reported = new Promise<void>((resolve) => {
    allReported = resolve;
  });

  const workers: Worker[] = Array.from({ length: o.concurrency }, (_, id) => {
    const child = fork(o.workerBundle, [], {
      execArgv: [
        ...lambdaNodeArgs(o.functionMemoryMb),
        ...(o.profileDir ? ["--cpu-prof", "--cpu-prof-dir", o.profileDir] : []),
      ],
      env: {
        ...process.env,
        ...o.env,
        BENCH_HANDLER_URL: new URL(`file://${o.handlerBundle}`).href,
        BENCH_WORKER: String(id),
        ...(o.heapSnapshotDir ? { BENCH_HEAP_SNAPSHOT_DIR: o.heapSnapshotDir } : {}),
      },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "json",
    });
    const worker: Worker = {
      id,
      child,
      pong: undefined,
      ready: undefined,
      report: undefined,
      lastBatchEnd: 0,
      stderr: "",
    };
    child.stderr?.on("data", (chunk: Buffer) => {
      worker.stderr = (worker.stderr + chunk.toString("utf8")).slice(-4000);
    });
    child.once("exit", (code, signal) => {
      if (worker.report === undefined)
        failWorkers(
          new Error(`scanner worker ${id} exited (${code ?? signal}) before it reported\n${worker.stderr}`),
        );
    });
    child.on("message", (message: FromWorker) => {
      if (message.type === "ready") {
        worker.ready = message;
        if (++readyCount === o.concurrency) allReady();
        return;
      }
      if (message.type === "pong") {
        worker.pong?.();
        return;
      }
      if (message.type === "report") {
        worker.report = message.report;
        if (++reportCount === o.concurrency) allReported();
        return;
      }
      const arrived = performance.now();
      if (message.records > 0) {
        worker.lastBatchEnd = arrived;
        records.failed += message.failed;
        records.ok += message.records - message.failed;
      }
      queue.take(o.batchSize).then(
        (bodies) => {
          const heldMs = performance.now() - arrived;
          overhead.requests++;
          const reply: ToWorker =
            bodies.length === 0
              ? { type: "drain", heldMs }
              : {
                  type: "batch",
                  heldMs,
                  records: bodies.map((b) => sqsRecord(b, queueArn, plannerConfig.homeRegion)),
                };
          child.send(reply);
        },
        (err: unknown) => failWorkers(err instanceof Error ? err : new Error(String(err))),
      );
    });
    return worker;
  });

  try {
    await Promise.race([ready, workerFailure]);
    const startupMs = performance.now() - startupBegan;
    const pings = await Promise.race([pingAll(workers, 20), workerFailure]);

    // ---- the run ------------------------------------------------------------------------------------
    const uptimeAtStart = loadavg().map(r2);
    const load = { start: loadavg()[0] ?? 0, max: loadavg()[0] ?? 0 };
    const loadSampler = setInterval(() => {
      load.max = Math.max(load.max, loadavg()[0] ?? 0);
    }, 2_000);
    const before = {
      self: process.cpuUsage(),
      sim: processCpuMs(o.simPid),
      dynamo: processCpuMs(o.dynamoPid),
      machine: machineBusyMs(),
    };
    const started = performance.now();
    const simHost = new URL(o.simUrl).host;
    const dynamoHost = new URL(o.dynamoUrl).host;
    for (const w of workers) {
      w.child.send({
        type: "start",
        simHost,
        dynamoHost,
        simLatencyMs: o.simLatencyMs,
        dynamoFloorMs: dynamoFloor.minMs,
        timeoutMs: o.functionTimeoutMs,
        memoryMb: o.functionMemoryMb,
      } satisfies ToWorker);
    }

    const run = runOfInvocation({}, `bench-${o.label}-${Date.now()}`);
    const planner = plannerFactories(plannerConfig, run.runId);
    const planObserver = new CallObserver({
      simHost,
      simLatencyMs: o.simLatencyMs,
      dynamoFloorMs: dynamoFloor.minMs,
    });
    let planMs = 0;
    let planChain: Chain | undefined;
    let tasks: ReturnType<typeof tasksOfPlan> = [];
    const producer = (async () => {
      try {
        planObserver.begin();
        const plan = await planRun(
          planner.factory,
          { accounts: accountSelectionOf(plannerConfig.accounts), regions: plannerConfig.regions },
          { organizations: planner.organizations },
        );
        planChain = planObserver.result;
        planObserver.stop();
        tasks = tasksOfPlan(plan, run);
        planMs = performance.now() - started;
        await enqueueScanTasks(sqs.asClient(), plannerConfig.queueUrl, tasks);
      } finally {
        planObserver.stop();
        planner.destroy();
        queue.close();
      }
    })();
    await Promise.race([producer, workerFailure]);
    await Promise.race([reported, workerFailure]);
    const endedAt = Math.max(started, ...workers.map((w) => w.lastBatchEnd));
    clearInterval(loadSampler);
    const selfCpu = process.cpuUsage(before.self);
    const after = {
      sim: processCpuMs(o.simPid),
      dynamo: processCpuMs(o.dynamoPid),
      machine: machineBusyMs(),
    };
    const reports = workers.map((w) => w.report).filter((r): r is WorkerReport => r !== undefined);
    const workersMs = reports.reduce((n, r) => n + r.cpu.userMs + r.cpu.systemMs, 0);
    const queueProcessMs = Math.round((selfCpu.user + selfCpu.system) / 1000);
    const delta = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? undefined : b - a;
    const simulatorMs = delta(before.sim, after.sim);
    const dynaliteMs = delta(before.dynamo, after.dynamo);
    const machine = delta(before.machine, after.machine);
    const ours = workersMs + queueProcessMs + (simulatorMs ?? 0) + (dynaliteMs ?? 0);
    const finishes = workers.map((w) => w.lastBatchEnd).filter((t) => t > 0);
    for (const r of reports) {
      overhead.total += r.ipc.overheadMs;
      overhead.max = Math.max(overhead.max, r.ipc.maxOverheadMs);
    }
    return {
      label: o.label,
      runId: run.runId,
      accounts: new Set(tasks.map((t) => t.accountId)).size,
      scopes: tasks.length,
      wallMs: Math.round(endedAt - started),
      planMs: Math.round(planMs),
      planChain: planChain ?? planObserver.result,
      concurrency: o.concurrency,
      batchSize: o.batchSize,
      dynamoFloor,
      records,
      workers: reports,
      totals: totalsOf(reports),
      workerFinishMs: {
        first: Math.round(Math.min(...finishes, endedAt) - started),
        last: Math.round(endedAt - started),
      },
      queue: {
        sendMessageBatchCalls: sqs.sendCalls,
        highWater: queue.highWater,
        idlePingMs: {
          median: r2(median(pings)),
          p99: r2([...pings].sort((a, b) => a - b)[Math.floor(pings.length * 0.99)] ?? 0),
          samples: pings.length,
        },
        requests: overhead.requests,
        overheadMs: {
          total: r2(overhead.total),
          meanPerRequest: r2(overhead.total / Math.max(1, overhead.requests)),
          max: r2(overhead.max),
        },
      },
      cpu: {
        workersMs,
        queueProcessMs,
        ...(simulatorMs === undefined ? {} : { simulatorMs }),
        ...(dynaliteMs === undefined ? {} : { dynaliteMs }),
        ...(machine === undefined ? {} : { machineBusyMs: machine, othersMs: Math.max(0, machine - ours) }),
        cores: availableParallelism(),
      },
      loadAverage: { start: r2(load.start), end: r2(loadavg()[0] ?? 0), max: r2(load.max) },
      uptime: { start: uptimeAtStart, end: loadavg().map(r2) },
      startup: {
        ms: Math.round(startupMs),
        initMs: {
          median: r2(median(workers.map((w) => w.ready?.initMs ?? 0))),
          max: r2(Math.max(...workers.map((w) => w.ready?.initMs ?? 0))),
        },
      },
    };
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill();
  }
}
