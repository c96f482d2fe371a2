/**
 * One scanner "Lambda container" in its own process, with its own event loop: it imports the scanner's
 * deployed bundle (esbuild, as the stack builds it; `BENCH_HANDLER_URL`), so the handler's module scope
 * — configuration, DynamoDB and SNS clients, store, notifier, batch processor — is built once, as in a
 * container's init. Then it asks the queue process for SQS batches over IPC and hands each to
 * `handler(event, context)`, one invocation at a time, with a Lambda context whose
 * `getRemainingTimeInMillis` counts down from the function's timeout.
 *
 * What it measures of itself: CPU (`process.cpuUsage()`), RSS, event-loop utilisation, the critical chain
 * of its calls (`CallObserver`), the IPC round trips, the store's write counters (the handler module's
 * `store`), and the function's own output read as CloudWatch would (EMF metrics, per-scope log lines),
 * which is then written on to its stdout (/dev/null) as Lambda would write it.
 *
 * Built by `bench/deployment.ts` into a small bundle of its own (node built-ins only) and started with
 * `child_process.fork` and no tsx, so its memory is the function's.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { StoreStats } from "#shared/store/index.ts";
import { CallObserver } from "./call-observer.ts";
import type { FromWorker, StartMessage, ToWorker, WorkerReport } from "./worker-protocol.ts";

interface ScannerModule {
  handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  store?: { stats(): StoreStats };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const workerId = Number(process.env.BENCH_WORKER ?? 0);

function send(message: FromWorker, then?: () => void): void {
  if (process.send === undefined) throw new Error("bench/worker.ts runs under child_process.fork only");
  process.send(message, undefined, {}, () => then?.());
}

// ---- the function's output, read as CloudWatch would -------------------------------------------------

const metrics: Record<string, number> = {};
const scopes = { logged: 0, withClusters: 0, clusters: 0, nodegroups: 0 };
let harnessMs = 0;

function addEmf(line: Record<string, unknown>): void {
  const aws = line._aws as
    | { CloudWatchMetrics?: { Metrics?: { Name?: string }[]; Dimensions?: string[][] }[] }
    | undefined;
  for (const directive of aws?.CloudWatchMetrics ?? []) {
    const dims = (directive.Dimensions ?? [])
      .flat()
      .filter((d) => d !== "service")
      .map((d) => `${d}=${String(line[d])}`);
    for (const { Name } of directive.Metrics ?? []) {
      if (Name === undefined) continue;
      const value = line[Name];
      const values = Array.isArray(value) ? value : [value];
      const sum = values.reduce<number>((n, v) => n + (typeof v === "number" ? v : 0), 0);
      const key = [Name, ...dims].join("|");
      metrics[key] = (metrics[key] ?? 0) + sum;
    }
  }
}

function addScopeLine(line: Record<string, unknown>): void {
  if (typeof line.clusters !== "number" || typeof line.durationMs !== "number") return;
  scopes.logged++;
  scopes.clusters += line.clusters;
  if (line.clusters > 0) scopes.withClusters++;
  if (typeof line.nodegroups === "number") scopes.nodegroups += line.nodegroups;
}

const warnings: Record<string, number> = {};
const errorSamples: string[] = [];

/** WARN and ERROR lines, counted by message; the first few errors by name and message (no task body). */
function addWarning(line: Record<string, unknown>): void {
  const key = `${String(line.level)} ${String(line.message)}`;
  warnings[key] = (warnings[key] ?? 0) + 1;
  if (errorSamples.length >= 5) return;
  const error = line.error as { name?: unknown; message?: unknown } | undefined;
  const why = error ? `${String(error.name)}: ${String(error.message)}` : line.reason;
  if (why !== undefined) errorSamples.push(`${key}: ${String(why).slice(0, 300)}`);
}

function readOutput(text: string): void {
  for (const raw of text.split("\n")) {
    const emf = raw.includes('"_aws"');
    const warning = raw.includes('"level":"WARN"') || raw.includes('"level":"ERROR"');
    if (!emf && !warning && !raw.includes('"clusters"')) continue;
    try {
      const line = JSON.parse(raw) as Record<string, unknown>;
      if (emf) addEmf(line);
      else {
        if (warning) addWarning(line);
        addScopeLine(line);
      }
    } catch {
      // Not one JSON line: not a metric.
    }
  }
}

/** Reads what the function writes: Powertools prints INFO and metrics to stdout, WARN and ERROR to stderr. */
function readStream(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (c: string | Uint8Array, ...r: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const t = performance.now();
    readOutput(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    harnessMs += performance.now() - t;
    return write(chunk, ...rest);
  }) as typeof stream.write;
}
readStream(process.stdout);
readStream(process.stderr);

// ---- the container's init ------------------------------------------------------------------------------

const handlerUrl = process.env.BENCH_HANDLER_URL;
if (handlerUrl === undefined) throw new Error("BENCH_HANDLER_URL is not set (the scanner bundle's file URL)");
const initStarted = performance.now();
const scanner = (await import(handlerUrl)) as ScannerModule;
const initMs = performance.now() - initStarted;
const rssAfterInit = mb(process.memoryUsage().rss);

// ---- the run ---------------------------------------------------------------------------------------------

let observer: CallObserver | undefined;
let settings: StartMessage | undefined;
let cpuAtStart = process.cpuUsage();
let eluAtStart = performance.eventLoopUtilization();
let startedAt = 0;
let peakRss = process.memoryUsage.rss();
let peakHeap = process.memoryUsage().heapUsed;
// rss() alone every 100 ms: process.memoryUsage() also walks the V8 heap spaces, which cost the worker
// ~4 % of its CPU in a profile; the heap is sampled once a second.
let ticks = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (++ticks % 10 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 100);
sampler.unref();

const tally = { records: 0, failed: 0, batches: 0, handlerMs: 0, errors: [] as string[] };
const ipc = { overheadMs: 0, maxOverheadMs: 0, heldMs: 0 };
let askedAt = 0;

function ask(records: number, failed: number): void {
  askedAt = performance.now();
  send({ type: "take", records, failed });
}

function contextOf(start: StartMessage): Context {
  const deadline = Date.now() + start.timeoutMs;
  const region = process.env.AWS_REGION ?? "us-east-1";
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "eks-auditor-scanner",
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:eks-auditor-scanner`,
    memoryLimitInMB: String(start.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: "/aws/lambda/eks-auditor-scanner",
    logStreamName: `bench/[$LATEST]worker${workerId}`,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function invoke(records: SQSEvent["Records"]): Promise<void> {
  if (settings === undefined) throw new Error("batch before start");
  observer?.settle();
  const t = performance.now();
  let failed = 0;
  try {
    const response = await scanner.handler({ Records: records }, contextOf(settings));
    failed = response.batchItemFailures.length;
  } catch (err) {
    failed = records.length;
    if (tally.errors.length < 5)
      tally.errors.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }
  tally.handlerMs += performance.now() - t;
  tally.batches++;
  tally.records += records.length;
  tally.failed += failed;
  ask(records.length, failed);
}

function report(): WorkerReport {
  const cpu = process.cpuUsage(cpuAtStart);
  const elu = performance.eventLoopUtilization(eluAtStart);
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  // After the CPU, the peaks and the kernel's high-water mark are read: the collection is not measured.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const afterGc = gc === undefined ? undefined : process.memoryUsage();
  const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  if (snapshotDir !== undefined) {
    mkdirSync(snapshotDir, { recursive: true });
    writeHeapSnapshot(join(snapshotDir, `worker-${workerId}.heapsnapshot`));
  }
  const chain = observer?.result;
  const counts = observer?.counts;
  observer?.stop();
  return {
    worker: workerId,
    pid: process.pid,
    records: tally.records,
    failedRecords: tally.failed,
    batches: tally.batches,
    errors: tally.errors,
    initMs: Math.round(initMs * 10) / 10,
    rssAfterInitMb: rssAfterInit,
    peakRssMb: mb(peakRss),
    maxRssMb: mb(maxRss),
    peakHeapUsedMb: mb(peakHeap),
    ...(afterGc === undefined ? {} : { heapAfterGcMb: mb(afterGc.heapUsed), rssAfterGcMb: mb(afterGc.rss) }),
    cpu: { userMs: Math.round(cpu.user / 1000), systemMs: Math.round(cpu.system / 1000) },
    eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
    runMs: Math.round(performance.now() - startedAt),
    handlerMs: Math.round(tally.handlerMs),
    chain: chain ?? {
      ms: 0,
      parts: { simAttempts: 0, stsAttempts: 0, snsAttempts: 0, dynamoCalls: 0, retryWaitMs: 0, retries: 0 },
    },
    calls: counts ?? {
      simAttempts: 0,
      retries: 0,
      retryWaitMs: 0,
      simObservedMs: 0,
      dynamoCalls: 0,
      dynamoObservedMs: 0,
    },
    ipc: {
      overheadMs: Math.round(ipc.overheadMs * 100) / 100,
      maxOverheadMs: Math.round(ipc.maxOverheadMs * 100) / 100,
      heldMs: Math.round(ipc.heldMs),
    },
    harnessMs: Math.round(harnessMs * 10) / 10,
    store: scanner.store?.stats() ?? null,
    metrics,
    scopes,
    warnings,
    errorSamples,
  };
}

process.on("message", (message: ToWorker) => {
  if (message.type === "ping") {
    send({ type: "pong" });
    return;
  }
  if (message.type === "start") {
    settings = message;
    observer = new CallObserver(message);
    cpuAtStart = process.cpuUsage();
    eluAtStart = performance.eventLoopUtilization();
    startedAt = performance.now();
    observer.begin();
    ask(0, 0);
    return;
  }
  const roundTrip = performance.now() - askedAt;
  const overhead = Math.max(0, roundTrip - message.heldMs);
  ipc.overheadMs += overhead;
  ipc.maxOverheadMs = Math.max(ipc.maxOverheadMs, overhead);
  ipc.heldMs += message.heldMs;
  if (message.type === "batch") {
    void invoke(message.records);
    return;
  }
  clearInterval(sampler);
  send({ type: "report", report: report() }, () => process.exit(0));
});

send({ type: "ready", initMs: Math.round(initMs * 10) / 10, rssAfterInitMb: rssAfterInit });
