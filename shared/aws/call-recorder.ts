/** Counts the AWS API calls the auditor makes, per scope (`<account>/<region>`) and operation. */
export class CallRecorder {
  private readonly calls = new Map<string, Map<string, number>>();
  private retriesTotal = 0;

  /** One call sent (its first attempt). */
  record(scope: string, operation: string): void {
    let ops = this.calls.get(scope);
    if (!ops) {
      ops = new Map();
      this.calls.set(scope, ops);
    }
    ops.set(operation, (ops.get(operation) ?? 0) + 1);
  }

  /** One more attempt of a call already counted (after throttling, a 5xx or a timeout). */
  recordRetry(_scope: string, _operation: string): void {
    this.retriesTotal += 1;
  }

  /** Calls of one scope by operation (`EC2.DescribeSubnets` → 1). */
  forScope(scope: string): Record<string, number> {
    return Object.fromEntries([...(this.calls.get(scope) ?? new Map<string, number>())].sort());
  }

  total(scope?: string): number {
    const scopes = scope === undefined ? [...this.calls.values()] : [this.calls.get(scope) ?? new Map()];
    let n = 0;
    for (const ops of scopes) for (const c of ops.values()) n += c;
    return n;
  }

  /** Attempts beyond the first, i.e. what the SDK's retry strategy re-sent (throttling, 5xx, timeouts). */
  retries(): number {
    return this.retriesTotal;
  }

  scopes(): string[] {
    return [...this.calls.keys()].sort();
  }

  /**
   * Drops one scope's counts (the scanner, once it logged them): a container that scans many scopes in one
   * run keeps no entry per scope it has finished. Later calls of the scope count from zero.
   */
  forget(scope: string): void {
    this.calls.delete(scope);
  }
}

export function scopeKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}
