/** Messages between the queue process and its scanner workers (`child_process.fork` IPC, JSON). */
import type { SQSRecord } from "aws-lambda";
import type { StoreStats } from "#shared/store/index.ts";
import type { CallCounts } from "./call-observer.ts";
import type { Chain } from "./chain.ts";

export interface StartMessage {
  type: "start";
  simHost: string;
  dynamoHost: string;
  simLatencyMs: number;
  dynamoFloorMs: number;
  /** The function's timeout: each invocation's `getRemainingTimeInMillis` counts down from it. */
  timeoutMs: number;
  memoryMb: number;
}

export interface BatchMessage {
  type: "batch";
  records: SQSRecord[];
  /** How long the queue held the worker's request before it had records (not IPC overhead). */
  heldMs: number;
}

/** The queue is closed and empty: the worker reports and exits. */
export interface DrainMessage {
  type: "drain";
  heldMs: number;
}

/** Answered at once with a pong: the IPC's own round trip, measured before the run. */
export interface PingMessage {
  type: "ping";
}

export type ToWorker = PingMessage | StartMessage | BatchMessage | DrainMessage;

export interface ReadyMessage {
  type: "ready";
  /** `await import(handler bundle)`: the module scope the handler builds once per container. */
  initMs: number;
  rssAfterInitMb: number;
}

/** Asks for the next batch; carries the outcome of the previous one. */
export interface TakeMessage {
  type: "take";
  records: number;
  failed: number;
}

export interface WorkerReport {
  worker: number;
  pid: number;
  records: number;
  failedRecords: number;
  batches: number;
  /** The handler threw (it should answer batch failures instead): its error name and message. */
  errors: string[];
  initMs: number;
  rssAfterInitMb: number;
  /** Highest RSS sampled every 100 ms during the run. */
  peakRssMb: number;
  /** The kernel's high-water mark for the process (`resourceUsage().maxRSS`), module loading included. */
  maxRssMb: number;
  peakHeapUsedMb: number;
  /**
   * Heap still in use after a full collection once the run has drained (what the process retains), and the
   * RSS then; absent without `--expose-gc`.
   */
  heapAfterGcMb?: number;
  rssAfterGcMb?: number;
  /** CPU from the start message to the drain message (user + system). */
  cpu: { userMs: number; systemMs: number };
  /** `performance.eventLoopUtilization()` over the run: 1 = CPU-bound. */
  eventLoopUtilization: number;
  /** Start message to drain message. */
  runMs: number;
  /** Time inside `handler(event, context)`. */
  handlerMs: number;
  chain: Chain;
  calls: CallCounts;
  ipc: {
    /** Request-to-batch round trips minus the time the queue held the request: the IPC's own cost. */
    overheadMs: number;
    maxOverheadMs: number;
    heldMs: number;
  };
  /** Time the harness spent reading the function's stdout (EMF and scope lines). */
  harnessMs: number;
  /** The container's `FindingsStore.stats()`: DynamoDB calls and items written by kind. */
  store: StoreStats | null;
  /** EMF metrics the function emitted, summed: `Name` or `Name|dimension=value`. */
  metrics: Record<string, number>;
  /** From the function's per-scope log lines (`clusters`, `nodegroups`). */
  scopes: { logged: number; withClusters: number; clusters: number; nodegroups: number };
  /** The function's WARN and ERROR log lines, counted by `level message`. */
  warnings: Record<string, number>;
  /** The first few of them with the error's name and message (never a task body). */
  errorSamples: string[];
}

export interface ReportMessage {
  type: "report";
  report: WorkerReport;
}

export interface PongMessage {
  type: "pong";
}

export type FromWorker = ReadyMessage | PongMessage | TakeMessage | ReportMessage;
