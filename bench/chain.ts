/**
 * The critical path of one scanner worker, measured as it runs: the heaviest chain of calls each of which
 * started at or after the end of the one before. Calls that overlap cannot both be on one chain, so the
 * weights along any chain add up to at most the time the worker spent: a lower bound on its busy time.
 *
 * Each call is weighted by a floor, never by its measured duration: a simulator attempt by the
 * simulator's fixed latency, a DynamoDB call by the idle round trip to dynalite, and a retry by the wait
 * the SDK actually made between the failed attempt and the next one (the throttling the simulator
 * imposed). Streaming: calls are added as they end (so in end order), O(log n) each, two numbers kept
 * per call until `settle` says no later call starts before a time: then only the heaviest chain ending by it
 * stays, so the harness's own memory does not grow with the calls (the worker settles at every invocation).
 */

/** What a chain is made of. */
export interface ChainParts {
  /** Simulator attempts (every service, retries included), each weighted by the simulator's latency. */
  simAttempts: number;
  /** Of those, STS (AssumeRole) and SNS (Publish) attempts. */
  stsAttempts: number;
  snsAttempts: number;
  /** DynamoDB calls, each weighted by the idle round trip to dynalite. */
  dynamoCalls: number;
  /** Time between a failed (throttled) attempt and its retry. */
  retryWaitMs: number;
  retries: number;
}

export interface Chain {
  ms: number;
  parts: ChainParts;
}

export interface Link {
  start: number;
  end: number;
  weightMs: number;
  parts: Partial<ChainParts>;
}

export const EMPTY_CHAIN: Chain = Object.freeze({
  ms: 0,
  parts: Object.freeze({
    simAttempts: 0,
    stsAttempts: 0,
    snsAttempts: 0,
    dynamoCalls: 0,
    retryWaitMs: 0,
    retries: 0,
  }),
});

function plus(a: ChainParts, b: Partial<ChainParts>): ChainParts {
  return {
    simAttempts: a.simAttempts + (b.simAttempts ?? 0),
    stsAttempts: a.stsAttempts + (b.stsAttempts ?? 0),
    snsAttempts: a.snsAttempts + (b.snsAttempts ?? 0),
    dynamoCalls: a.dynamoCalls + (b.dynamoCalls ?? 0),
    retryWaitMs: a.retryWaitMs + (b.retryWaitMs ?? 0),
    retries: a.retries + (b.retries ?? 0),
  };
}

/** Weighted longest chain of non-overlapping intervals, fed in order of their end. */
export class CriticalChain {
  private readonly ends: number[] = [];
  /** best[i]: the heaviest chain among the first i+1 intervals (a prefix maximum). */
  private readonly best: Chain[] = [];
  private settledAt = Number.NEGATIVE_INFINITY;

  add(link: Link): void {
    const last = this.ends.at(-1);
    if (last !== undefined && link.end < last)
      throw new RangeError(`intervals must be added in end order (${link.end} after ${last})`);
    if (link.end < link.start) throw new RangeError("an interval ends before it starts");
    if (link.start < this.settledAt)
      throw new RangeError(
        `an interval starts (${link.start}) before the chain was settled (${this.settledAt})`,
      );
    const before = this.lastEndingBy(link.start);
    const prev = before < 0 ? EMPTY_CHAIN : (this.best[before] ?? EMPTY_CHAIN);
    const candidate: Chain = { ms: prev.ms + link.weightMs, parts: plus(prev.parts, link.parts) };
    const top = this.best.at(-1);
    this.best.push(top !== undefined && top.ms >= candidate.ms ? top : candidate);
    this.ends.push(link.end);
  }

  get result(): Chain {
    return this.best.at(-1) ?? EMPTY_CHAIN;
  }

  /**
   * No interval added from now on starts before `t` (a new invocation, with no call of the last one still
   * open): the intervals ending by `t` collapse into the last of them, whose prefix maximum is all a later
   * interval can extend. An interval that starts before `t` after all is refused.
   */
  settle(t: number): void {
    const last = this.lastEndingBy(t);
    if (last > 0) {
      this.ends.splice(0, last);
      this.best.splice(0, last);
    }
    this.settledAt = Math.max(this.settledAt, t);
  }

  /** Intervals kept (every one added since the last `settle`, and the one it kept). */
  get size(): number {
    return this.ends.length;
  }

  /** Index of the last interval ending at or before `t`, or -1. */
  private lastEndingBy(t: number): number {
    let lo = 0;
    let hi = this.ends.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.ends[mid] ?? Number.POSITIVE_INFINITY) <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
