/** `ok`, `throttled` (token bucket empty), `serverError` (injected 5xx), or the AWS error code answered. */
export type CallOutcome = "ok" | "throttled" | "serverError" | (string & {});

export interface CallRecord {
  service: string;
  operation: string;
  accountId: string;
  region: string;
  outcome: CallOutcome;
}

export type CallFilter = Partial<CallRecord>;

function matches(record: CallRecord, filter: CallFilter | undefined): boolean {
  if (filter === undefined) return true;
  return (
    (filter.service === undefined || filter.service === record.service) &&
    (filter.operation === undefined || filter.operation === record.operation) &&
    (filter.accountId === undefined || filter.accountId === record.accountId) &&
    (filter.region === undefined || filter.region === record.region) &&
    (filter.outcome === undefined || filter.outcome === record.outcome)
  );
}

/** Every call the simulator answered, faulted ones included, in arrival order. */
export class CallLog {
  private records: CallRecord[] = [];

  record(call: CallRecord): void {
    this.records.push(call);
  }

  clear(): void {
    this.records = [];
  }

  all(): readonly CallRecord[] {
    return this.records;
  }

  total(): number {
    return this.records.length;
  }

  count(filter?: CallFilter): number {
    return this.records.filter((r) => matches(r, filter)).length;
  }

  /** Calls per operation name, e.g. `{ DescribeSubnets: 3 }`. */
  byOperation(filter?: CallFilter): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.records) {
      if (matches(r, filter)) out[r.operation] = (out[r.operation] ?? 0) + 1;
    }
    return out;
  }

  /** Calls per `accountId/region`, then per operation. */
  byScope(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const r of this.records) {
      const scope = `${r.accountId}/${r.region}`;
      const ops = out[scope] ?? {};
      ops[r.operation] = (ops[r.operation] ?? 0) + 1;
      out[scope] = ops;
    }
    return out;
  }

  throttled(): number {
    return this.count({ outcome: "throttled" });
  }
}
