/**
 * Per-scope timing of the HTTP attempts the pipeline sends to the simulator, without touching the product
 * code: the work of one scan task runs inside `timeline.run(scope, fn)` (AsyncLocalStorage), and the
 * `http.client.*` diagnostics channels report each request's start and the end of its response. The
 * AssumeRole of the task's account, its collector calls and its Publish all land in the task's scope.
 *
 * `sequentialRounds` turns a scope's attempts into the number of call rounds it waited through one after
 * another: the longest chain of attempts each of which started after the previous one had finished.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";

export interface Interval {
  start: number;
  end: number;
}

/** Longest chain of intervals where each starts at or after the end of the one before (O(n²), n is small). */
export function sequentialRounds(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  let best = 0;
  for (const [i, current] of sorted.entries()) {
    let d = 1;
    for (let j = 0; j < i; j++) {
      const before = sorted[j];
      const dj = depth[j];
      if (before !== undefined && dj !== undefined && before.end <= current.start) d = Math.max(d, dj + 1);
    }
    depth.push(d);
    best = Math.max(best, d);
  }
  return best;
}

/** Milliseconds covered by at least one interval. */
export function coveredMs(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const i of sorted) {
    if (i.end <= end) continue;
    total += i.end - Math.max(i.start, end);
    end = i.end;
  }
  return total;
}

export interface ScopeTiming {
  /** HTTP attempts sent to the simulator for this scope (retries included). */
  attempts: number;
  /** Sequential call rounds (see `sequentialRounds`). */
  rounds: number;
  /** Attempts still open when the scope ended (0 unless a socket failed). */
  unfinished: number;
  /** Time with at least one simulator request open. */
  simMs: number;
  /** DynamoDB requests (when a DynamoDB host is watched) and the time with one open. */
  dynamoCalls: number;
  dynamoMs: number;
}

interface Pending {
  scope: string;
  start: number;
  dynamo: boolean;
}

interface RequestStart {
  request: ClientRequest;
}

interface ResponseFinish {
  request: ClientRequest;
  response: IncomingMessage;
}

interface RequestError {
  request: ClientRequest;
}

/** Records, per scope, the intervals of the HTTP attempts to one host (the simulator). */
export class Timeline {
  private readonly als = new AsyncLocalStorage<string>();
  private readonly open = new WeakMap<ClientRequest, Pending>();
  private readonly done = new Map<string, Interval[]>();
  private readonly dynamo = new Map<string, Interval[]>();
  private readonly openCount = new Map<string, number>();
  private readonly onStart = (message: unknown) => {
    const { request } = message as RequestStart;
    const scope = this.als.getStore();
    if (scope === undefined) return;
    const host = request.getHeader("host");
    if (host === this.dynamoHost) {
      this.open.set(request, { scope, start: performance.now(), dynamo: true });
      return;
    }
    if (host !== this.host) return;
    this.open.set(request, { scope, start: performance.now(), dynamo: false });
    this.openCount.set(scope, (this.openCount.get(scope) ?? 0) + 1);
  };
  private readonly onFinish = (message: unknown) => this.close((message as ResponseFinish).request);
  private readonly onError = (message: unknown) => this.close((message as RequestError).request);

  /** `host`: the `host` header of the simulator's requests, e.g. `127.0.0.1:43567`; `dynamoHost` dynalite's. */
  constructor(
    private readonly host: string,
    private readonly dynamoHost?: string,
  ) {
    subscribe("http.client.request.start", this.onStart);
    subscribe("http.client.response.finish", this.onFinish);
    subscribe("http.client.request.error", this.onError);
  }

  run<T>(scope: string, fn: () => Promise<T>): Promise<T> {
    return this.als.run(scope, fn);
  }

  /** The scope's timing; forgets its intervals (memory stays flat however many scopes run). */
  take(scope: string): ScopeTiming {
    const intervals = this.done.get(scope) ?? [];
    const unfinished = this.openCount.get(scope) ?? 0;
    const dynamo = this.dynamo.get(scope) ?? [];
    this.done.delete(scope);
    this.dynamo.delete(scope);
    this.openCount.delete(scope);
    return {
      attempts: intervals.length + unfinished,
      rounds: sequentialRounds(intervals),
      unfinished,
      simMs: coveredMs(intervals),
      dynamoCalls: dynamo.length,
      dynamoMs: coveredMs(dynamo),
    };
  }

  stop(): void {
    unsubscribe("http.client.request.start", this.onStart);
    unsubscribe("http.client.response.finish", this.onFinish);
    unsubscribe("http.client.request.error", this.onError);
  }

  private close(request: ClientRequest): void {
    const pending = this.open.get(request);
    if (pending === undefined) return;
    this.open.delete(request);
    const into = pending.dynamo ? this.dynamo : this.done;
    if (!pending.dynamo) this.openCount.set(pending.scope, (this.openCount.get(pending.scope) ?? 1) - 1);
    const list = into.get(pending.scope) ?? [];
    list.push({ start: pending.start, end: performance.now() });
    into.set(pending.scope, list);
  }
}
