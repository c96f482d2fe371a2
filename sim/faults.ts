import { createHash } from "node:crypto";
import type { EstateFaults, FailingCall } from "#shared/estate/index.ts";

export interface CallKey {
  accountId: string;
  region: string;
  operation: string;
}

/** What the fault section decides for one call, before the operation runs. */
export interface FaultDecision {
  delayMs: number;
  regionNotEnabled: boolean;
  failing?: FailingCall;
  throttled: boolean;
  /** An injected retryable 5xx; `unavailable` picks the 503 flavour over the 500 one. */
  serverError?: { unavailable: boolean };
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Hashes (seed, call key, n-th call) so interleaving cannot change outcomes; buckets use real time. */
export class FaultState {
  private readonly calls = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly faults: EstateFaults | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  reset(): void {
    this.calls.clear();
    this.buckets.clear();
  }

  get maxPageSize(): number | undefined {
    return this.faults?.maxPageSize;
  }

  isAssumeRoleDenied(accountId: string): boolean {
    return this.faults?.assumeRoleDenied?.includes(accountId) ?? false;
  }

  isRegionNotEnabled(accountId: string, region: string): boolean {
    return this.faults?.regionsNotEnabled?.[accountId]?.includes(region) ?? false;
  }

  regionsNotEnabled(accountId: string): string[] {
    return this.faults?.regionsNotEnabled?.[accountId] ?? [];
  }

  decide(key: CallKey): FaultDecision {
    const f = this.faults ?? {};
    const id = `${key.accountId}|${key.region}|${key.operation}`;
    const n = this.calls.get(id) ?? 0;
    this.calls.set(id, n + 1);
    const roll = (salt: string) => unitHash(`${f.seed ?? 0}|${salt}|${id}|${n}`);

    let delayMs = f.latencyMs ?? 0;
    if (f.slowCalls && f.slowCalls.rate > 0 && roll("slow") < f.slowCalls.rate)
      delayMs += f.slowCalls.delayMs;
    const decision: FaultDecision = {
      delayMs,
      regionNotEnabled: this.isRegionNotEnabled(key.accountId, key.region),
      throttled: false,
    };
    if (decision.regionNotEnabled) return decision;
    decision.failing = this.failingCalls(key).find((c) => c.resources === undefined);
    if (decision.failing) return decision;
    if (f.throttle && !this.takeToken(id, f.throttle.bucket, f.throttle.refillPerSecond)) {
      decision.throttled = true;
      return decision;
    }
    if (f.serverErrorRate && f.serverErrorRate > 0 && roll("5xx") < f.serverErrorRate) {
      decision.serverError = { unavailable: roll("5xx-kind") < 0.5 };
    }
    return decision;
  }

  /**
   * The failing call that targets resources the decoded request names, if any: checked once the request is
   * decoded, after `decide`.
   */
  failingFor(key: CallKey, input: unknown): FailingCall | undefined {
    const named = new Set(valuesOf(input));
    return this.failingCalls(key).find((c) => c.resources?.every((r) => named.has(r)) === true);
  }

  private failingCalls(key: CallKey): FailingCall[] {
    return (this.faults?.failingCalls ?? []).filter(
      (c) =>
        c.accountId === key.accountId &&
        c.operation === key.operation &&
        (c.region === undefined || c.region === key.region),
    );
  }

  private takeToken(id: string, capacity: number, refillPerSecond: number): boolean {
    const now = this.now();
    const bucket = this.buckets.get(id) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * refillPerSecond);
    bucket.at = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** Every string a decoded request holds, at any depth. */
function valuesOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(valuesOf);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(valuesOf);
  return [];
}

/** A uniform number in [0, 1) derived from `text`. */
export function unitHash(text: string): number {
  const digest = createHash("sha256").update(text).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 12);
}
