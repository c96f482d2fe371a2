import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TableHandle } from "./handle.ts";
import { FindingsLedger } from "./ledger.ts";
import { FindingsReader } from "./reader.ts";
import { SampleLog } from "./samples.ts";
import { DEFAULT_RECONCILE_LEASE_MS, ScopeLeases } from "./scope-lease.ts";
import type { StoreStats } from "./types.ts";
import { FindingsWriter } from "./writer.ts";

export const DEFAULT_HISTORY_RETENTION_DAYS = 400;
const DEFAULT_WRITE_CONCURRENCY = 8;

export interface FindingsStoreOptions {
  /** History items expire (DynamoDB TTL on `expiresAt`) this many days after their transition. */
  historyRetentionDays?: number;
  /** Conditional finding writes in flight at once during one reconcile (and marker removals). */
  writeConcurrency?: number;
  /** How long a reconcile holds its scope's lease at most (default 60 s); must exceed its finding writes. */
  reconcileLeaseMs?: number;
  /** How long a reconcile waits for another's lease before it gives up (default: the lease + 5 s). */
  reconcileWaitMs?: number;
  /** Epoch milliseconds; reconcile and notification leases are measured with it. */
  clock?: () => number;
  /** Waits between lease polls (tests observe a reconcile waiting through it). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The findings table, one handle for its jobs: `writer` (reconcile a scan, resolve coverage
 * findings), `reader` (the console's and CLI's queries) and `ledger` (the notification outbox and
 * lease, for shared/notify). Kept as one object because a container builds its store once and the
 * three share one DynamoDB client and one set of call counters — `stats()` is what the benchmark and
 * the tests read to prove that an unchanged re-run writes one scope item and no finding item,
 * notifier included. Callers use the part they need: `store.writer.reconcileScope(…)`,
 * `store.reader.queryFindings(…)`, `ledger: store.ledger`.
 */
export class FindingsStore {
  readonly tableName: string;
  readonly writer: FindingsWriter;
  readonly reader: FindingsReader;
  readonly ledger: FindingsLedger;
  /** Subnet samples of complete scans: the exhaustion forecast's history. */
  readonly samples: SampleLog;
  private readonly table: TableHandle;

  constructor(
    client: DynamoDBDocumentClient | DynamoDBClient,
    tableName: string,
    options: FindingsStoreOptions = {},
  ) {
    this.table = new TableHandle(client, tableName, {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    this.tableName = tableName;
    const writeConcurrency = options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
    const leaseMs = options.reconcileLeaseMs ?? DEFAULT_RECONCILE_LEASE_MS;
    const leases = new ScopeLeases(this.table, leaseMs, options.reconcileWaitMs ?? leaseMs + 5_000);
    this.writer = new FindingsWriter(this.table, leases, {
      historyRetentionDays: options.historyRetentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS,
      writeConcurrency,
    });
    this.reader = new FindingsReader(this.table);
    this.ledger = new FindingsLedger(this.table, writeConcurrency);
    this.samples = new SampleLog(this.table, writeConcurrency);
  }

  /** DynamoDB calls made so far by all three parts: tests prove an unchanged re-run writes no finding item. */
  stats(): StoreStats {
    return this.table.stats();
  }

  resetStats(): void {
    this.table.resetStats();
  }
}
