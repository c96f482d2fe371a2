/**
 * One scheduled run of the real pipeline, in this process: the planner's `planRun` (Organizations
 * ListAccounts × the configured regions) and `enqueueScanTasks` into a bounded in-memory queue, and N
 * scanner "containers" that receive SQS batches from it and hand them to the scanner's own
 * `ScanRecordHandler` through Powertools' `processPartialResponse`, exactly as functions/scanner/handler.ts
 * does — real SDK clients, AssumeRole per account, DynamoDB writes, SNS Publish. Results are folded into
 * counters as each scope finishes; nothing per scope is kept.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { type MetricResolution, Metrics, type MetricUnit } from "@aws-lambda-powertools/metrics";

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];
type Resolution = (typeof MetricResolution)[keyof typeof MetricResolution];

import type { SQSRecord } from "aws-lambda";
import { dynamoClient, snsClient } from "#functions/commons/clients.ts";
import { accountSelectionOf, plannerConfigFromEnv, scannerConfigFromEnv } from "#functions/commons/config.ts";
import { enqueueScanTasks, plannerFactories, runOfInvocation } from "#functions/commons/planner.ts";
import { METRICS_NAMESPACE, SCANNER_METRICS, SCANNER_SERVICE } from "#functions/commons/powertools/names.ts";
import { ScanRecordHandler } from "#functions/scanner/scan-record.ts";
import { type Notifier, type NotifyResult, type NotifyStatus, SnsNotifier } from "#shared/notify/index.ts";
import { planRun, tasksOfPlan } from "#shared/scan/plan.ts";
import type { AccountRegion, StoreStats, Transition, TransitionType } from "#shared/store/index.ts";
import { FindingsStore } from "#shared/store/index.ts";
import { BoundedQueue, InMemorySqs, sqsRecord } from "./queue.ts";
import { Timeline } from "./timeline.ts";

export interface PipelineOptions {
  /** Environment the functions read their settings from (TABLE_NAME, TOPIC_ARN, REGIONS, ...). */
  env: Readonly<Record<string, string | undefined>>;
  /** Scanner containers running at once: scopes in flight. */
  concurrency: number;
  /** SQS records per invocation (processed one after another, as the handler does). */
  batchSize: number;
  /** `host` header of simulator requests (`127.0.0.1:PORT`), for the per-scope timeline. */
  simHost: string;
  /** `host` header of DynamoDB (dynalite) requests. */
  dynamoHost?: string;
  /** Label of the run in the report. */
  label: string;
  /** RSS sampling interval. */
  sampleMs?: number;
}

export interface Tally {
  scopes: number;
  sum: number;
  max: number;
}

export interface RunSummary {
  label: string;
  runId: string;
  accounts: number;
  scopes: number;
  /** Plan start to the last scope's end. */
  wallMs: number;
  /** planRun: ListAccounts and the task list. */
  planMs: number;
  scopesPerSecond: number;
  concurrency: number;
  batchSize: number;
  scopeConcurrency: number | "default";
  records: { ok: number; failed: number };
  /** Scopes whose scan failed (a scan.* finding was stored instead). */
  scanErrors: number;
  /** Scopes where the collector found clusters (more than the region-wide listings and AssumeRole). */
  scopesWithClusters: number;
  /** The scanner's own ApiCalls metric: EC2/EKS calls of the factory clients, retries excluded. */
  collectorCalls: number;
  alertsPublished: number;
  notifications: Partial<Record<NotifyStatus, number>>;
  transitions: Record<TransitionType, number>;
  dynamo: StoreStats;
  /** Sequential simulator call rounds per scope, by whether the scope has clusters. */
  rounds: { empty: Tally; withClusters: Tally; histogram: Record<string, number> };
  /** Rounds per scope that ended in a Publish (the notifier's round trip). */
  publishRounds: number;
  /** HTTP attempts sent to the simulator (retries included). */
  simAttempts: number;
  scopeMs: { mean: number; max: number; histogram: Record<string, number> };
  /** Mean per scope: time with a simulator call open, time with a DynamoDB call open, DynamoDB calls. */
  perScope: { simMs: number; dynamoMs: number; dynamoCalls: number };
  /** CPU time of this process (user + system) and how busy its event loop was: 1 = CPU-bound. */
  cpu: { userMs: number; systemMs: number; perScopeMs: number; eventLoopUtilization: number };
  queue: { capacity: number; highWater: number; sendMessageBatchCalls: number };
  memory: {
    baselineRssMb: number;
    peakRssMb: number;
    maxRssMb: number;
    peakHeapUsedMb: number;
    samples: number;
    /**
     * Live heap (after a full GC) when every scope is done but the containers still exist, and after
     * they dropped their per-run clients (`ScanRecordHandler.destroy()`): the difference is what the
     * containers kept for the run.
     */
    liveHeapAtEndMb: number;
    liveHeapAfterReleaseMb: number;
  };
}

const EMPTY_STATS = (): StoreStats => ({
  writeCalls: 0,
  writesByOperation: { PutItem: 0, UpdateItem: 0, DeleteItem: 0, BatchWriteItem: 0 },
  itemsWritten: { finding: 0, scope: 0, history: 0 },
  readCalls: 0,
});

function addStats(into: StoreStats, s: StoreStats): void {
  into.writeCalls += s.writeCalls;
  into.readCalls += s.readCalls;
  for (const k of Object.keys(into.writesByOperation) as (keyof StoreStats["writesByOperation"])[])
    into.writesByOperation[k] += s.writesByOperation[k];
  for (const k of Object.keys(into.itemsWritten) as (keyof StoreStats["itemsWritten"])[])
    into.itemsWritten[k] += s.itemsWritten[k];
}

/** The scanner's metrics as they are emitted, summed (the EMF output itself still goes to stdout). */
class CountingMetrics extends Metrics {
  readonly totals = new Map<string, number>();

  override addMetric(name: string, unit: Unit, value: number, resolution?: Resolution): this {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
    return resolution === undefined
      ? super.addMetric(name, unit, value)
      : super.addMetric(name, unit, value, resolution);
  }

  total(name: string): number {
    return this.totals.get(name) ?? 0;
  }
}

/** Passes through to the SNS notifier and counts what it did. */
class CountingNotifier implements Notifier {
  constructor(
    private readonly inner: Notifier,
    private readonly statuses: Partial<Record<NotifyStatus, number>>,
    private readonly transitions: Record<TransitionType, number>,
  ) {}

  async notify(
    scope: AccountRegion,
    runId: string,
    transitions: readonly Transition[],
  ): Promise<NotifyResult> {
    for (const t of transitions) this.transitions[t.type]++;
    const result = await this.inner.notify(scope, runId, transitions);
    this.statuses[result.status] = (this.statuses[result.status] ?? 0) + 1;
    return result;
  }
}

function tally(t: Tally, value: number): void {
  t.scopes++;
  t.sum += value;
  t.max = Math.max(t.max, value);
}

const bump = (h: Record<string, number>, key: string) => {
  h[key] = (h[key] ?? 0) + 1;
};

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Heap in use after a full GC (`--expose-gc`), or without one when GC is not exposed. */
function liveHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** Runs plan → scan → store → notify once over the whole organisation and returns the counters. */
export async function runPipeline(options: PipelineOptions): Promise<RunSummary> {
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeap = process.memoryUsage().heapUsed;
  let samples = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    samples++;
  }, options.sampleMs ?? 50);

  const plannerConfig = plannerConfigFromEnv(options.env);
  const scannerConfig = scannerConfigFromEnv(options.env);
  const timeline = new Timeline(options.simHost, options.dynamoHost);
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const perScope = { simMs: 0, dynamoMs: 0, dynamoCalls: 0 };
  const queue = new BoundedQueue(Math.max(10, 2 * options.concurrency * options.batchSize));
  const sqs = new InMemorySqs(queue);
  const queueArn = `arn:aws:sqs:${plannerConfig.homeRegion}:000000000000:eks-auditor-scan-tasks`;

  const statuses: Partial<Record<NotifyStatus, number>> = {};
  const transitions: Record<TransitionType, number> = {
    NEW: 0,
    REOPENED: 0,
    ESCALATED: 0,
    SUPPRESSED: 0,
    RESOLVED: 0,
  };
  const dynamo = EMPTY_STATS();
  const rounds = {
    empty: { scopes: 0, sum: 0, max: 0 },
    withClusters: { scopes: 0, sum: 0, max: 0 },
    histogram: {},
  };
  const scopeMs = { sum: 0, max: 0, histogram: {} as Record<string, number> };
  const records = { ok: 0, failed: 0 };
  let scanErrors = 0;
  let collectorCalls = 0;
  let alertsPublished = 0;
  let publishRounds = 0;
  let simAttempts = 0;
  let scopes = 0;

  const started = performance.now();
  const run = runOfInvocation({}, `bench-${options.label}-${Date.now()}`);
  const planner = plannerFactories(plannerConfig, run.runId);
  let planMs = 0;
  let accounts = 0;
  const producer = (async () => {
    try {
      const plan = await planRun(
        planner.factory,
        { accounts: accountSelectionOf(plannerConfig.accounts), regions: plannerConfig.regions },
        { organizations: planner.organizations },
      );
      const tasks = tasksOfPlan(plan, run);
      planMs = performance.now() - started;
      accounts = new Set(tasks.map((t) => t.accountId)).size;
      await enqueueScanTasks(sqs.asClient(), plannerConfig.queueUrl, tasks);
    } finally {
      planner.destroy();
      queue.close();
    }
  })();

  let loopsRunning = options.concurrency;
  let loopsDone: () => void = () => undefined;
  const allLoopsDone = new Promise<void>((resolve) => {
    loopsDone = resolve;
  });
  const waitForLoops = () => allLoopsDone;
  const container = async (n: number) => {
    // Module scope of one scanner container (functions/scanner/handler.ts), per worker.
    const store = new FindingsStore(dynamoClient(scannerConfig), scannerConfig.tableName, {
      ...(scannerConfig.historyRetentionDays
        ? { historyRetentionDays: scannerConfig.historyRetentionDays }
        : {}),
    });
    const notifier = new CountingNotifier(
      new SnsNotifier({
        sns: snsClient(scannerConfig),
        topicArn: scannerConfig.topicArn,
        minSeverity: scannerConfig.alertMinSeverity,
        ledger: store.ledger,
      }),
      statuses,
      transitions,
    );
    const logger = new Logger({ serviceName: SCANNER_SERVICE });
    const metrics = new CountingMetrics({ namespace: METRICS_NAMESPACE, serviceName: SCANNER_SERVICE });
    const scanRecord = new ScanRecordHandler({ config: scannerConfig, store, notifier, logger, metrics });
    const processor = new BatchProcessor(EventType.SQS);

    const handle = (record: SQSRecord) => {
      const scope = `${n}/${record.messageId}`;
      const t0 = performance.now();
      const publishedBefore = metrics.total(SCANNER_METRICS.alertsPublished);
      return timeline
        .run(scope, () => scanRecord.handle(record))
        .finally(() => {
          const ms = performance.now() - t0;
          const published = metrics.total(SCANNER_METRICS.alertsPublished) - publishedBefore;
          const timing = timeline.take(scope);
          scopes++;
          simAttempts += timing.attempts;
          perScope.simMs += timing.simMs;
          perScope.dynamoMs += timing.dynamoMs;
          perScope.dynamoCalls += timing.dynamoCalls;
          publishRounds += published;
          // A scope without clusters sends ListClusters and DescribeSubnets (and maybe AssumeRole); one with
          // clusters at least ten calls.
          tally(timing.attempts >= 6 ? rounds.withClusters : rounds.empty, timing.rounds);
          bump(rounds.histogram, String(timing.rounds));
          scopeMs.sum += ms;
          scopeMs.max = Math.max(scopeMs.max, ms);
          bump(scopeMs.histogram, `${Math.floor(ms / 100) * 100}`);
        });
    };

    try {
      for (;;) {
        const bodies = await queue.take(options.batchSize);
        if (bodies.length === 0) break;
        const event = { Records: bodies.map((b) => sqsRecord(b, queueArn, plannerConfig.homeRegion)) };
        const response = await processPartialResponse(event, handle, processor, {
          processInParallel: false,
          throwOnFullBatchFailure: false,
        });
        records.failed += response.batchItemFailures.length;
        records.ok += bodies.length - response.batchItemFailures.length;
        metrics.publishStoredMetrics();
      }
    } finally {
      // What the container still holds once the queue is empty, measured before it lets go.
      loopsRunning--;
      if (loopsRunning === 0) loopsDone();
      await drained;
      scanRecord.destroy();
      addStats(dynamo, store.stats());
      scanErrors += metrics.total(SCANNER_METRICS.scanErrors);
      collectorCalls += metrics.total(SCANNER_METRICS.apiCalls);
      alertsPublished += metrics.total(SCANNER_METRICS.alertsPublished);
    }
  };

  let release: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => {
    release = resolve;
  });
  const heap = { held: 0, released: 0 };
  let endedAt = 0;
  try {
    const containers = Array.from({ length: options.concurrency }, (_, i) => container(i));
    await producer;
    // Every container is at `await drained` or still scanning; wait for the loops, then measure.
    await waitForLoops();
    endedAt = performance.now();
    heap.held = liveHeap();
    release();
    await Promise.all(containers);
    heap.released = liveHeap();
  } finally {
    release();
    clearInterval(sampler);
    timeline.stop();
  }
  const wallMs = endedAt - started;
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  return {
    label: options.label,
    runId: run.runId,
    accounts,
    scopes,
    wallMs: Math.round(wallMs),
    planMs: Math.round(planMs),
    scopesPerSecond: Math.round((scopes / (wallMs / 1000)) * 10) / 10,
    concurrency: options.concurrency,
    batchSize: options.batchSize,
    scopeConcurrency: scannerConfig.scopeConcurrency ?? "default",
    records,
    scanErrors,
    scopesWithClusters: rounds.withClusters.scopes,
    collectorCalls,
    alertsPublished,
    notifications: statuses,
    transitions,
    dynamo,
    rounds,
    publishRounds,
    simAttempts,
    scopeMs: {
      mean: Math.round(scopeMs.sum / Math.max(1, scopes)),
      max: Math.round(scopeMs.max),
      histogram: scopeMs.histogram,
    },
    perScope: {
      simMs: Math.round(perScope.simMs / Math.max(1, scopes)),
      dynamoMs: Math.round(perScope.dynamoMs / Math.max(1, scopes)),
      dynamoCalls: Math.round((perScope.dynamoCalls / Math.max(1, scopes)) * 10) / 10,
    },
    cpu: {
      userMs: Math.round(cpu.user / 1000),
      systemMs: Math.round(cpu.system / 1000),
      perScopeMs: Math.round((cpu.user + cpu.system) / 1000 / Math.max(1, scopes)),
      eventLoopUtilization: Math.round(elu.utilization * 100) / 100,
    },
    queue: { capacity: queue.capacity, highWater: queue.highWater, sendMessageBatchCalls: sqs.sendCalls },
    memory: {
      baselineRssMb: mb(baselineRss),
      peakRssMb: mb(peakRss),
      maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
      peakHeapUsedMb: mb(peakHeap),
      samples,
      liveHeapAtEndMb: mb(heap.held),
      liveHeapAfterReleaseMb: mb(heap.released),
    },
  };
}
