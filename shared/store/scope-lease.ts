import { randomUUID } from "node:crypto";
import { ReconcileConflictError } from "./errors.ts";
import { isConditionalCheckFailed, type Raw, type TableHandle } from "./handle.ts";
import { parseReconcileLease } from "./items.ts";
import { type AccountRegion, accountPk, scopeSk } from "./keys.ts";
import type { ReconcileLease } from "./types.ts";

/*
 * ─── Time only moves forward: the reconcile lease of a scope, without transactions ────────────────
 *
 * Goal: an older run of a scope (scannedAt t1) never overwrites what a newer run (t2 > t1) wrote —
 * neither a finding item nor the scope record — although an unchanged finding is never written (so
 * "the newer run saw F open and left it" leaves no trace on F), and DynamoDB (and dynalite) give
 * single-item conditional writes only.
 *
 * Per-item conditions are not enough: newer run N sees F unchanged and writes nothing for it; older
 * run O then resolves F, whose last write (t0) is older than O. The scope item is the one place both
 * runs touch, so it orders them:
 *
 * 1. Read. `lastScanAt` (the `scannedAt` of the last reconcile that completed), `reconcileSeq` (a
 *    counter every lease bumps) and `reconcileLease` — the scope item FIRST, then the scope's findings
 *    (strongly consistent). Newer `lastScanAt` than ours: write nothing, report nothing. A live lease:
 *    wait (backoff, bounded by `reconcileWaitMs`) and read again.
 * 2. Decide every finding from that snapshot.
 * 3a. No finding to write (the common re-run): ONE conditional scope write,
 *       IF (no lastScanAt OR lastScanAt <= :at) AND reconcileSeq = <as read>
 *     The seq condition is what the per-item conditions cannot give: had any reconcile taken the lease
 *     after our read (and maybe resolved F, and even released), the write fails and we read again.
 * 3b. Finding writes to make: take the lease first,
 *       SET reconcileLease = {owner, runId, at, leaseUntil} ADD reconcileSeq 1
 *       IF (no lastScanAt OR lastScanAt <= :at) AND reconcileSeq = <as read>
 *     (the seq being unchanged also means the lease we read — none, or an expired one — is still the
 *     one there). Then the finding writes, each conditional on the version read AND on
 *     `lastChangedAt <= :at` (the `scannedAt` of the item's last writer); a conflict re-reads the item
 *     and decides again, leaving an item a newer run wrote as it is. Then the history, then the scope
 *     record, which releases the lease:
 *       SET lastScanAt = :at, … REMOVE reconcileLease  IF reconcileLease.owner = me
 * 4. A failed condition at 3a/3b means someone got there first: read again from 1 (bounded rounds).
 *
 * Why it holds: finding items change only under a lease (or through the notifier's marker removal,
 * which changes no state). A lease is granted only on the snapshot its holder decided from, and a
 * lease-free reconcile commits only if no lease was taken since its snapshot. So every reconcile that
 * writes decided on the state the previous writer left, and `lastScanAt` — checked at every step —
 * never moves back: once N has written its scope record, O finds `lastScanAt` > t1 and stops; while N
 * holds the lease, O waits; if O holds it first, N waits and then decides on O's writes.
 *
 * Crash safety: a holder that dies leaves its lease; it expires after `reconcileLeaseMs` (default
 * 60 s; SQS redelivers after the 30-minute visibility timeout) and the next reconcile takes over —
 * finding writes the dead holder made carry their markers (outbox), so they still page. A holder that
 * fails (an exception) removes its lease at once and announces what it wrote. A holder that outlives
 * its lease (writes slower than the lease) loses the scope record to the next holder and only
 * announces its transitions (`ADD pendingEpoch`).
 *
 * Cost: one more scope write (the lease) per reconcile that changes findings; an unchanged re-run is
 * still one scope write and no finding write.
 */

export const DEFAULT_RECONCILE_LEASE_MS = 60_000;
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1_000;

/** What a reconcile read of the scope item, before it read the scope's findings. */
export interface ScopeSnapshot {
  raw: Raw | undefined;
  lastScanAt?: string;
  /** `reconcileSeq`: bumped by every lease taken; undefined before the first. */
  seq?: number;
  lease?: ReconcileLease;
}

/** A lease this reconcile holds. */
export interface HeldLease {
  scope: AccountRegion;
  owner: string;
  leaseUntil: number;
}

/**
 * Names and values of one UpdateItem on the scope item, built up by parts: the lease and the record
 * of the reconcile (or of the coverage resolution) each add theirs.
 */
export class ScopeUpdate {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly adds: string[] = [];
  private readonly conditions: string[] = [];

  /** `#a.#b` for the path `a.b`, registering the names. */
  path(dotted: string): string {
    return dotted
      .split(".")
      .map((part) => {
        this.names[`#${part}`] = part;
        return `#${part}`;
      })
      .join(".");
  }

  value(name: string, value: unknown): string {
    this.values[`:${name}`] = value;
    return `:${name}`;
  }

  set(dotted: string, name: string, value: unknown): this {
    this.sets.push(`${this.path(dotted)} = ${this.value(name, value)}`);
    return this;
  }

  remove(dotted: string): this {
    this.removes.push(this.path(dotted));
    return this;
  }

  add(dotted: string, name: string, value: number): this {
    this.adds.push(`${this.path(dotted)} ${this.value(name, value)}`);
    return this;
  }

  condition(expression: string): this {
    this.conditions.push(`(${expression})`);
    return this;
  }

  get empty(): boolean {
    return this.sets.length + this.removes.length + this.adds.length === 0;
  }

  input(scope: AccountRegion) {
    const clauses = [
      this.sets.length > 0 ? `SET ${this.sets.join(", ")}` : "",
      this.removes.length > 0 ? `REMOVE ${this.removes.join(", ")}` : "",
      this.adds.length > 0 ? `ADD ${this.adds.join(", ")}` : "",
    ].filter((c) => c !== "");
    return {
      Key: { pk: accountPk(scope.accountId), sk: scopeSk(scope.region) },
      UpdateExpression: clauses.join(" "),
      ...(this.conditions.length > 0 ? { ConditionExpression: this.conditions.join(" AND ") } : {}),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** The scope item's lease and ordering attributes, and the waits and writes around them. */
export class ScopeLeases {
  constructor(
    private readonly table: TableHandle,
    private readonly leaseMs: number,
    readonly waitMs: number,
  ) {}

  async read(scope: AccountRegion): Promise<ScopeSnapshot> {
    const raw = await this.table.get(accountPk(scope.accountId), scopeSk(scope.region));
    const snapshot: ScopeSnapshot = { raw };
    if (typeof raw?.lastScanAt === "string") snapshot.lastScanAt = raw.lastScanAt;
    if (typeof raw?.reconcileSeq === "number") snapshot.seq = raw.reconcileSeq;
    const lease = parseReconcileLease(raw?.reconcileLease);
    if (lease !== undefined) snapshot.lease = lease;
    return snapshot;
  }

  isLive(lease: ReconcileLease | undefined): lease is ReconcileLease {
    return lease !== undefined && lease.leaseUntil >= this.table.clock();
  }

  /** Sleeps while another reconcile holds the scope; throws once `waitMs` since `startedAt` are spent. */
  async waitOut(
    scope: AccountRegion,
    lease: ReconcileLease,
    startedAt: number,
    attempt: number,
  ): Promise<void> {
    const now = this.table.clock();
    const left = startedAt + this.waitMs - now;
    if (left <= 0) {
      throw new ReconcileConflictError(
        `${scope.accountId} ${scope.region}: another reconcile (run ${lease.runId}) holds the scope until ${new Date(lease.leaseUntil).toISOString()}; gave up after waiting ${this.waitMs} ms.`,
      );
    }
    const backoff = Math.min(MAX_POLL_MS, FIRST_POLL_MS * 2 ** attempt);
    await this.table.sleep(Math.max(1, Math.min(backoff, lease.leaseUntil - now + 1, left)));
  }

  /** Adds the "nothing changed since my read, and I am not older than the last scan" condition. */
  unchangedSince(update: ScopeUpdate, snapshot: ScopeSnapshot, at: string): ScopeUpdate {
    const last = update.path("lastScanAt");
    const seq = update.path("reconcileSeq");
    update.condition(`attribute_not_exists(${last}) OR ${last} <= ${update.value("at", at)}`);
    return snapshot.seq === undefined
      ? update.condition(`attribute_not_exists(${seq})`)
      : update.condition(`${seq} = ${update.value("seenSeq", snapshot.seq)}`);
  }

  /** Takes the lease on the snapshot; undefined when the scope changed since (read again). */
  async take(
    scope: AccountRegion,
    snapshot: ScopeSnapshot,
    holder: { runId: string; at: string },
  ): Promise<HeldLease | undefined> {
    const owner = `${holder.runId}/${randomUUID()}`;
    const leaseUntil = this.table.clock() + this.leaseMs;
    const lease: ReconcileLease = { owner, runId: holder.runId, at: holder.at, leaseUntil };
    const update = new ScopeUpdate().set("reconcileLease", "lease", lease).add("reconcileSeq", "one", 1);
    this.unchangedSince(update, snapshot, holder.at);
    try {
      await this.table.update("scope", update.input(scope));
      return { scope, owner, leaseUntil };
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  /** Makes `update` the lease's release: it removes the lease and applies only while we still own it. */
  releasing(update: ScopeUpdate, held: HeldLease): ScopeUpdate {
    return update
      .remove("reconcileLease")
      .condition(`${update.path("reconcileLease.owner")} = ${update.value("owner", held.owner)}`);
  }

  /**
   * Lets go of a lease after a failure: the next reconcile need not wait for it to expire. Announces
   * the transitions already written so the notifier looks. Best effort: the lease expires anyway.
   */
  async abandon(held: HeldLease, announce: boolean): Promise<void> {
    const update = this.releasing(new ScopeUpdate(), held);
    if (announce) update.add("pendingEpoch", "one", 1);
    await this.table.update("scope", update.input(held.scope)).catch(() => undefined);
  }
}
