/**
 * Watches every HTTP attempt the process sends to the simulator and to dynalite, without touching the
 * product code: Node's `http.client.*` diagnostics channels report each request's start and its
 * response. The SDK marks each attempt with `amz-sdk-invocation-id` (one per logical call) and
 * `amz-sdk-request: attempt=N`, so a retry and the wait before it are recognised. Everything feeds the
 * process's `CriticalChain` and a few counters; nothing per call is kept once it ended.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import { type Chain, CriticalChain, type Link } from "./chain.ts";

export interface ObserverOptions {
  /** `host` header of simulator requests, e.g. `127.0.0.1:43567`. */
  simHost: string;
  /** `host` header of dynalite requests. */
  dynamoHost?: string;
  /** The simulator's fixed latency per attempt: the weight of a simulator attempt. */
  simLatencyMs: number;
  /** Idle round trip to dynalite: the weight of a DynamoDB call. */
  dynamoFloorMs: number;
}

export interface CallCounts {
  simAttempts: number;
  /** Attempts with `attempt ≥ 2`: retries after a throttled (or failed) attempt. */
  retries: number;
  /** Sum of the waits before those retries. */
  retryWaitMs: number;
  /** Sum of the simulator attempts' measured durations. */
  simObservedMs: number;
  dynamoCalls: number;
  /** Sum of the DynamoDB calls' measured durations (dynalite's queueing included). */
  dynamoObservedMs: number;
}

interface Open {
  start: number;
  dynamo: boolean;
  service: string;
  invocation: string | undefined;
}

const SERVICE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;
const ATTEMPT = /attempt=(\d+)/;

function header(request: ClientRequest, name: string): string | undefined {
  const value = request.getHeader(name);
  return typeof value === "string" ? value : Array.isArray(value) ? value[0] : undefined;
}

export class CallObserver {
  readonly chain = new CriticalChain();
  readonly counts: CallCounts = {
    simAttempts: 0,
    retries: 0,
    retryWaitMs: 0,
    simObservedMs: 0,
    dynamoCalls: 0,
    dynamoObservedMs: 0,
  };
  private readonly open = new WeakMap<ClientRequest, Open>();
  /** Logical calls whose last attempt failed: when that attempt ended (a retry may follow). */
  private readonly failedAt = new Map<string, number>();
  private running = false;
  private openCalls = 0;

  private readonly onStart = (message: unknown) => {
    if (!this.running) return;
    const { request } = message as { request: ClientRequest };
    const host = header(request, "host");
    const dynamo = host !== undefined && host === this.options.dynamoHost;
    if (!dynamo && host !== this.options.simHost) return;
    const start = performance.now();
    const invocation = header(request, "amz-sdk-invocation-id");
    const service = SERVICE.exec(header(request, "authorization") ?? "")?.[1] ?? "unknown";
    const attempt = Number(ATTEMPT.exec(header(request, "amz-sdk-request") ?? "")?.[1] ?? 1);
    this.open.set(request, { start, dynamo, service, invocation });
    this.openCalls++;
    if (attempt < 2 || invocation === undefined) return;
    const failedAt = this.failedAt.get(invocation);
    this.failedAt.delete(invocation);
    if (failedAt === undefined) return;
    const wait = Math.max(0, start - failedAt);
    this.counts.retries++;
    this.counts.retryWaitMs += wait;
    this.chain.add({ start: failedAt, end: start, weightMs: wait, parts: { retryWaitMs: wait, retries: 1 } });
  };

  private readonly onFinish = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    this.close(request, (response.statusCode ?? 500) >= 400);
  };

  private readonly onError = (message: unknown) => {
    this.close((message as { request: ClientRequest }).request, true);
  };

  constructor(private readonly options: ObserverOptions) {
    subscribe("http.client.request.start", this.onStart);
    subscribe("http.client.response.finish", this.onFinish);
    subscribe("http.client.request.error", this.onError);
  }

  /** Starts counting (calls already open are ignored). */
  begin(): void {
    this.running = true;
  }

  get result(): Chain {
    return this.chain.result;
  }

  /** A new invocation starts and no call is open: the chain forgets what no later call can follow. */
  settle(): void {
    if (this.openCalls === 0) this.chain.settle(performance.now());
  }

  stop(): void {
    this.running = false;
    unsubscribe("http.client.request.start", this.onStart);
    unsubscribe("http.client.response.finish", this.onFinish);
    unsubscribe("http.client.request.error", this.onError);
  }

  private close(request: ClientRequest, failed: boolean): void {
    const open = this.open.get(request);
    if (open === undefined) return;
    this.open.delete(request);
    this.openCalls--;
    const end = performance.now();
    const link: Link = open.dynamo
      ? { start: open.start, end, weightMs: this.options.dynamoFloorMs, parts: { dynamoCalls: 1 } }
      : {
          start: open.start,
          end,
          weightMs: this.options.simLatencyMs,
          parts: {
            simAttempts: 1,
            stsAttempts: open.service === "sts" ? 1 : 0,
            snsAttempts: open.service === "sns" ? 1 : 0,
          },
        };
    if (open.dynamo) {
      this.counts.dynamoCalls++;
      this.counts.dynamoObservedMs += end - open.start;
    } else {
      this.counts.simAttempts++;
      this.counts.simObservedMs += end - open.start;
    }
    this.chain.add(link);
    if (open.invocation === undefined) return;
    if (failed) this.failedAt.set(open.invocation, end);
    else this.failedAt.delete(open.invocation);
    // Failures that are never retried (a missing add-on's 404) would otherwise stay: the SDK's longest
    // backoff is 20 s.
    if (this.failedAt.size > 500) {
      for (const [id, at] of this.failedAt) if (end - at > 60_000) this.failedAt.delete(id);
    }
  }
}
