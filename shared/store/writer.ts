import type { PutCommandInput } from "@aws-sdk/lib-dynamodb";
import pLimit from "p-limit";
import { type Finding, findingKey, isAboutUnread, severityRank } from "#shared/findings/index.ts";
import { CoverageResolutionError, ReconcileConflictError, ScopeMismatchError } from "./errors.ts";
import { isConditionalCheckFailed, MAX_WRITE_ATTEMPTS, type TableHandle } from "./handle.ts";
import { countsOf, historyItem, parseFindingItem } from "./items.ts";
import { type AccountRegion, accountPk, findingSk } from "./keys.ts";
import { consoleQueries } from "./queries.ts";
import { type ScopeLeases, type ScopeSnapshot, ScopeUpdate } from "./scope-lease.ts";
import {
  compareTransitions,
  type Decision,
  decideAbsent,
  decideCoverageResolved,
  decideProduced,
  isQuietTransition,
} from "./transitions.ts";
import type { CoverageResolution, FindingItem, ReconcileOutcome, ScopeCounts, Transition } from "./types.ts";

/** Rounds of read → decide → conditional write a reconcile tries before giving up (lease waits aside). */
const MAX_SCOPE_ROUNDS = 8;

export interface FindingsWriterOptions {
  historyRetentionDays: number;
  writeConcurrency: number;
}

type HistoryRecord = ReturnType<typeof historyItem>;

/** One finding a round may write, decided again from the item as re-read after a conflict. */
interface Work {
  sk: string;
  decide: (current: FindingItem | undefined) => Decision;
}

interface Applied {
  item: FindingItem | undefined;
  transition?: Transition;
}

/** What one round plans for a scope, decided from its snapshot. */
interface ScopePlan {
  work: Work[];
  /**
   * The scope item's part of the round's last write, given the findings as they ended and the
   * transitions made; undefined: write nothing when no finding is written (a coverage resolution).
   */
  record?: (stored: Iterable<FindingItem>, transitions: readonly Transition[]) => ScopeUpdate;
  /** The round ends with `ADD pendingEpoch 1` even without a transition (markers an earlier run left). */
  leftovers: boolean;
  /** No finding to write: write nothing at all (a coverage resolution), instead of the scope record alone. */
  onlyWithFindingWrites?: boolean;
}

function toIso(at: string | Date, field: string): string {
  const date = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) throw new RangeError(`${field}: not a date: ${String(at)}`);
  return date.toISOString();
}

/**
 * Writes the findings table: merges a scope's scan into findings, transitions and history
 * (`reconcileScope`), and closes the coverage findings of scopes that are no longer planned
 * (`resolveCoverage`).
 *
 * Concurrency: every finding write is conditional (`attribute_not_exists(pk)` for a new finding,
 * `version = :v AND lastChangedAt <= :at` otherwise), and a scope's finding writes happen under its
 * reconcile lease (shared/store/scope-lease.ts), so under SQS redelivery, two scanners of one scope, or
 * an older run finishing after a newer one, no update is lost, an older run never overwrites a newer
 * one, and each transition is won — and reported — by exactly one writer.
 */
export class FindingsWriter {
  constructor(
    private readonly table: TableHandle,
    private readonly leases: ScopeLeases,
    private readonly options: FindingsWriterOptions,
  ) {}

  /**
   * Merges one scan of an account-region into the table and returns the transitions this call made:
   * NEW (never seen), REOPENED (was RESOLVED, or SUPPRESSED and no accepted risk covers it any more),
   * ESCALATED (severity rose) and — only when `outcome.status` is `complete` — RESOLVED (open or
   * suppressed, this scan did not produce it, and it is not about something the scan could not read:
   * `outcome.unread`). A produced finding that `outcome.suppressed` covers is SUPPRESSED instead (a quiet
   * transition, once; no outbox marker), and a suppressed finding that goes away is RESOLVED quietly.
   * A severity that fell, or changed text or evidence, is written without a transition; an unchanged
   * finding (a suppressed one included) is not written at all. A failed scan resolves nothing; its
   * `scan.*` finding arrives in `findings`.
   *
   * Writes: one conditional PutItem per changed finding under the scope's reconcile lease (one scope
   * UpdateItem to take it), the history items of the transitions (BatchWriteItem), and the scope item
   * (one UpdateItem, releasing the lease). A re-run with nothing changed writes only the scope item.
   * A result older than the scope's last scan (a slow scanner finishing after a newer one) is ignored:
   * it returns no transitions and writes nothing.
   */
  async reconcileScope(
    scope: AccountRegion,
    findings: readonly Finding[],
    outcome: ReconcileOutcome,
  ): Promise<Transition[]> {
    const at = toIso(outcome.scannedAt, "scannedAt");
    const produced = new Map<string, Finding>();
    for (const f of findings) {
      if (f.accountId !== scope.accountId || f.region !== scope.region) {
        throw new ScopeMismatchError(
          `Finding ${f.ruleId} ${f.resourceId} belongs to ${f.accountId} ${f.region}, not to the reconciled scope ${scope.accountId} ${scope.region}.`,
        );
      }
      const sk = findingSk(f);
      const seen = produced.get(sk);
      // Two findings with one identity are a rule bug; keep the worse so nothing is under-reported.
      if (seen === undefined || severityRank(f.severity) > severityRank(seen.severity)) produced.set(sk, f);
    }
    const unread = outcome.unread ?? [];
    const suppressed = outcome.suppressed ?? new Map();

    return this.inScope(scope, at, outcome.runId, (storedItems) => {
      const work: Work[] = [];
      for (const [sk, f] of produced) {
        const suppression = suppressed.get(findingKey(f));
        work.push({ sk, decide: (current) => decideProduced(current, f, at, outcome.runId, suppression) });
      }
      if (outcome.status === "complete") {
        for (const item of storedItems) {
          if (item.status === "RESOLVED" || produced.has(item.sk)) continue;
          // What the scan could not read is not gone: its findings keep the state they had.
          if (isAboutUnread(item, unread)) continue;
          work.push({ sk: item.sk, decide: (current) => decideAbsent(current, at, outcome.runId) });
        }
      }
      return {
        work,
        leftovers: storedItems.some((item) => item.notifyPending !== undefined),
        record: (stored, transitions) =>
          scopeRecord(scope, outcome, at, scopeCounts(produced.size, stored, transitions)),
      };
    });
  }

  /**
   * Closes `scan.*` findings whose scope is no longer planned (the account left the organisation, the
   * region was disabled, the planner fell back): each one still OPEN is RESOLVED with its `reason`
   * (stored as `resolvedReason` on the finding and `reason` on the history item and the transition),
   * with an outbox marker so the notifier pages it once. Returns the RESOLVED transitions it made.
   *
   * Written like a reconcile — under the scope's reconcile lease, each finding conditional on its
   * version and on `lastChangedAt <= at` — but it is not a scan: `lastScanAt` and the scope's status
   * stay, its open counts are recomputed. A scope scanned after `at` is left alone (the newer scan
   * decides). Findings already resolved or gone are skipped: a second call writes nothing.
   */
  async resolveCoverage(
    items: readonly CoverageResolution[],
    options: { runId: string; at: string | Date },
  ): Promise<Transition[]> {
    const at = toIso(options.at, "at");
    const byScope = new Map<string, { scope: AccountRegion; reasons: Map<string, string> }>();
    for (const { finding, reason } of items) {
      if (!finding.ruleId.startsWith("scan.")) {
        throw new CoverageResolutionError(
          `resolveCoverage: ${finding.ruleId} ${finding.resourceId} in ${finding.accountId} ${finding.region} is not a coverage (scan.*) finding.`,
        );
      }
      if (reason.trim() === "") {
        throw new CoverageResolutionError(
          `resolveCoverage: no reason given for ${finding.ruleId} ${finding.resourceId} in ${finding.accountId} ${finding.region}.`,
        );
      }
      const key = `${finding.accountId}#${finding.region}`;
      const entry = byScope.get(key) ?? {
        scope: { accountId: finding.accountId, region: finding.region },
        reasons: new Map<string, string>(),
      };
      entry.reasons.set(findingSk(finding), reason);
      byScope.set(key, entry);
    }

    const out: Transition[] = [];
    for (const { scope, reasons } of byScope.values()) {
      const made = await this.inScope(scope, at, options.runId, (storedItems, snapshot) => ({
        work: [...reasons].map(([sk, reason]) => ({
          sk,
          decide: (current: FindingItem | undefined) =>
            decideCoverageResolved(current, at, options.runId, reason),
        })),
        leftovers: storedItems.some((item) => item.notifyPending !== undefined),
        record: (stored) => {
          const update = new ScopeUpdate();
          // Not a scan: only the open counts change, and only on a scope a scan recorded.
          if (snapshot.raw?.counts !== undefined) {
            const counts = countsOf(snapshot.raw.counts);
            const open = openCounts(stored);
            update.set("counts", "counts", { ...counts, ...open });
          }
          return update;
        },
        onlyWithFindingWrites: true,
      }));
      out.push(...made);
    }
    return out.sort(compareTransitions);
  }

  // ---- one scope, under its reconcile lease (shared/store/scope-lease.ts) -------------------------

  private async inScope(
    scope: AccountRegion,
    at: string,
    runId: string,
    plan: (stored: FindingItem[], snapshot: ScopeSnapshot) => ScopePlan,
  ): Promise<Transition[]> {
    const startedAt = this.table.clock();
    let waits = 0;
    for (let round = 0; round < MAX_SCOPE_ROUNDS; ) {
      const snapshot = await this.leases.read(scope);
      if (snapshot.lastScanAt !== undefined && snapshot.lastScanAt > at) return [];
      if (this.leases.isLive(snapshot.lease)) {
        await this.leases.waitOut(scope, snapshot.lease, startedAt, waits++);
        continue;
      }
      round++;
      const storedItems = await this.findingsOfScope(scope);
      const stored = new Map(storedItems.map((item) => [item.sk, item]));
      const p = plan(storedItems, snapshot);
      const work = p.work.filter(({ sk, decide }) => decide(stored.get(sk)).write);

      if (work.length === 0) {
        if (p.onlyWithFindingWrites) return [];
        // The common re-run: one scope write, valid only if no lease was taken since the snapshot.
        const update = p.record?.(stored.values(), []) ?? new ScopeUpdate();
        if (snapshot.lease !== undefined) update.remove("reconcileLease"); // an expired one, of a dead holder
        if (p.leftovers) update.add("pendingEpoch", "one", 1);
        this.leases.unchangedSince(update, snapshot, at);
        try {
          await this.table.update("scope", update.input(scope));
          return [];
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
          continue;
        }
      }

      const held = await this.leases.take(scope, snapshot, { runId, at });
      if (held === undefined) continue;
      let wrote = false;
      try {
        const limit = pLimit(this.options.writeConcurrency);
        // allSettled: on a failure, no write of ours is still in flight once the lease is let go.
        const settled = await Promise.allSettled(
          work.map(({ sk, decide }) =>
            limit(async () => {
              const result = await this.apply(accountPk(scope.accountId), sk, stored.get(sk), decide);
              if (result.transition !== undefined) wrote = true;
              return result;
            }),
          ),
        );
        const failed = settled.find((s) => s.status === "rejected");
        if (failed !== undefined) throw failed.reason;
        const applied = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
        const transitions: Transition[] = [];
        const history: HistoryRecord[] = [];
        for (const [i, result] of applied.entries()) {
          const sk = work[i]?.sk;
          if (sk === undefined) continue;
          if (result.item === undefined) stored.delete(sk);
          else stored.set(sk, result.item);
          const t = result.transition;
          if (t === undefined || result.item === undefined) continue;
          transitions.push(t);
          history.push(historyItem(result.item, t, this.options.historyRetentionDays));
        }
        transitions.sort(compareTransitions);
        await this.table.batchPut(history, "history");

        // Quiet transitions (suppressions) leave no marker: nothing for the notifier to look at.
        const announce = transitions.some((t) => !isQuietTransition(t)) || p.leftovers;
        const update = this.leases.releasing(
          p.record?.(stored.values(), transitions) ?? new ScopeUpdate(),
          held,
        );
        if (announce) update.add("pendingEpoch", "one", 1);
        try {
          await this.table.update("scope", update.input(scope));
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
          // The lease ran out and another reconcile holds the scope: leave its record, announce ours.
          if (announce) {
            await this.table.update("scope", new ScopeUpdate().add("pendingEpoch", "one", 1).input(scope));
          }
        }
        return transitions;
      } catch (err) {
        await this.leases.abandon(held, wrote);
        throw err;
      }
    }
    throw new ReconcileConflictError(
      `${scope.accountId} ${scope.region}: the scope kept changing under ${MAX_SCOPE_ROUNDS} reconcile attempts.`,
    );
  }

  /** One finding: decide from the item as read, write conditionally, and on conflict re-read and re-decide. */
  private async apply(
    pk: string,
    sk: string,
    initial: FindingItem | undefined,
    decide: (current: FindingItem | undefined) => Decision,
  ): Promise<Applied> {
    let current = initial;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const decision = decide(current);
      if (!decision.write) return { item: current };
      try {
        await this.putFinding(decision);
        return decision.transition
          ? { item: decision.item, transition: decision.transition }
          : { item: decision.item };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        const raw = await this.table.get(pk, sk);
        current = raw === undefined ? undefined : parseFindingItem(raw);
      }
    }
    throw new ReconcileConflictError(
      `${pk} ${sk}: still changed by another writer after ${MAX_WRITE_ATTEMPTS} conditional writes.`,
    );
  }

  private async putFinding(decision: Extract<Decision, { write: true }>): Promise<void> {
    const input: Omit<PutCommandInput, "TableName"> = { Item: decision.item };
    if (decision.expectVersion === undefined) {
      input.ConditionExpression = "attribute_not_exists(pk)";
    } else {
      // The version pins the item as read; `lastChangedAt <= :at` states the rule itself: no write over
      // an item a newer run (a later `scannedAt`) wrote.
      const status = decision.expectStatus === undefined ? "" : " AND #status = :status";
      input.ConditionExpression = `#version = :v AND #lastChangedAt <= :at${status}`;
      input.ExpressionAttributeNames = {
        "#version": "version",
        "#lastChangedAt": "lastChangedAt",
        ...(decision.expectStatus === undefined ? {} : { "#status": "status" }),
      };
      input.ExpressionAttributeValues = {
        ":v": decision.expectVersion,
        ":at": decision.item.lastChangedAt,
        ...(decision.expectStatus === undefined ? {} : { ":status": decision.expectStatus }),
      };
    }
    await this.table.put("finding", input);
  }

  private async findingsOfScope(scope: AccountRegion): Promise<FindingItem[]> {
    const input = {
      ...consoleQueries.findingsOfAccount(this.table.tableName, scope.accountId, scope.region),
      ConsistentRead: true,
    };
    return (await this.table.queryAll(input)).map(parseFindingItem);
  }
}

/** The scope item as a reconcile leaves it: the scan's status, time and counts. */
function scopeRecord(
  scope: AccountRegion,
  outcome: ReconcileOutcome,
  at: string,
  counts: ScopeCounts,
): ScopeUpdate {
  const update = new ScopeUpdate()
    .set("itemType", "itemType", "SCOPE")
    .set("accountId", "accountId", scope.accountId)
    .set("region", "region", scope.region)
    .set("lastScanAt", "at", at)
    .set("status", "status", outcome.status)
    .set("runId", "runId", outcome.runId)
    .set("counts", "counts", counts);
  if (outcome.status === "complete") {
    return update.set("lastCompleteScanAt", "at", at).remove("error");
  }
  return update.set("error", "error", {
    name: outcome.error?.name ?? "Error",
    message: outcome.error?.message ?? "the scan did not complete",
  });
}

function openCounts(
  items: Iterable<FindingItem>,
): Pick<ScopeCounts, "open" | "openBySeverity" | "suppressed"> {
  const counts: Pick<ScopeCounts, "open" | "openBySeverity" | "suppressed"> = {
    open: 0,
    openBySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 },
    suppressed: 0,
  };
  for (const item of items) {
    if (item.status === "SUPPRESSED") counts.suppressed++;
    if (item.status !== "OPEN") continue;
    counts.open++;
    counts.openBySeverity[item.severity]++;
  }
  return counts;
}

function scopeCounts(
  produced: number,
  items: Iterable<FindingItem>,
  transitions: readonly Transition[],
): ScopeCounts {
  const counts: ScopeCounts = {
    findings: produced,
    ...openCounts(items),
    transitions: { NEW: 0, REOPENED: 0, ESCALATED: 0, SUPPRESSED: 0, RESOLVED: 0 },
  };
  for (const t of transitions) counts.transitions[t.type]++;
  return counts;
}
