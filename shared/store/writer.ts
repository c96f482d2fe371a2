import type { PutCommandInput } from "@aws-sdk/lib-dynamodb";
import pLimit from "p-limit";
import { type Finding, severityRank } from "#shared/findings/index.ts";
import { ReconcileConflictError, ScopeMismatchError } from "./errors.ts";
import { isConditionalCheckFailed, MAX_WRITE_ATTEMPTS, type TableHandle } from "./handle.ts";
import { historyItem, parseFindingItem } from "./items.ts";
import { type AccountRegion, accountPk, findingSk, scopeSk } from "./keys.ts";
import { consoleQueries } from "./queries.ts";
import { compareTransitions, type Decision, decideAbsent, decideProduced } from "./transitions.ts";
import type { FindingItem, ReconcileOutcome, ScopeCounts, Transition } from "./types.ts";

export interface FindingsWriterOptions {
  historyRetentionDays: number;
  writeConcurrency: number;
}

type HistoryRecord = ReturnType<typeof historyItem>;

interface Applied {
  item: FindingItem | undefined;
  transition?: Transition;
}

function toIso(at: string | Date): string {
  const date = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) throw new RangeError(`scannedAt: not a date: ${String(at)}`);
  return date.toISOString();
}

/**
 * Writes the findings table: merges a scope's scan into findings, transitions and history.
 *
 * Concurrency: every finding write is conditional (`attribute_not_exists(pk)` for a new finding,
 * `version = :v` otherwise). On ConditionalCheckFailedException the item is re-read and the decision
 * made again, so under SQS redelivery or two scanners of one scope no update is lost and each
 * transition is won — and reported — by exactly one writer.
 */
export class FindingsWriter {
  constructor(
    private readonly table: TableHandle,
    private readonly options: FindingsWriterOptions,
  ) {}

  /**
   * Merges one scan of an account-region into the table and returns the transitions this call made:
   * NEW (never seen), REOPENED (was RESOLVED), ESCALATED (severity rose) and — only when
   * `outcome.status` is `complete` — RESOLVED (open, and this scan did not produce it). A severity
   * that fell, or changed text or evidence, is written without a transition; an unchanged finding is
   * not written at all. A failed scan resolves nothing; its `scan.*` finding arrives in `findings`.
   *
   * Writes: one conditional PutItem per changed finding, the history items of the transitions
   * (BatchWriteItem), and the scope item (one UpdateItem). A re-run with nothing changed writes only
   * the scope item. A result older than the scope's last scan (a slow scanner finishing after a newer
   * one) is ignored: it returns no transitions and writes nothing.
   */
  async reconcileScope(
    scope: AccountRegion,
    findings: readonly Finding[],
    outcome: ReconcileOutcome,
  ): Promise<Transition[]> {
    const at = toIso(outcome.scannedAt);
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

    const pk = accountPk(scope.accountId);
    const [storedItems, scopeRaw] = await Promise.all([
      this.findingsOfScope(scope),
      this.table.get(pk, scopeSk(scope.region)),
    ]);
    if (typeof scopeRaw?.lastScanAt === "string" && scopeRaw.lastScanAt > at) return [];
    const stored = new Map(storedItems.map((item) => [item.sk, item]));
    const leftovers = storedItems.some((item) => item.notifyPending !== undefined);

    const work: { sk: string; decide: (current: FindingItem | undefined) => Decision }[] = [];
    for (const [sk, f] of produced) {
      work.push({ sk, decide: (current) => decideProduced(current, f, at, outcome.runId) });
    }
    if (outcome.status === "complete") {
      for (const item of storedItems) {
        if (item.status === "OPEN" && !produced.has(item.sk)) {
          work.push({ sk: item.sk, decide: (current) => decideAbsent(current, at, outcome.runId) });
        }
      }
    }

    const limit = pLimit(this.options.writeConcurrency);
    const applied = await Promise.all(
      work.map(({ sk, decide }) => limit(() => this.apply(pk, sk, stored.get(sk), decide))),
    );

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
      const marker = result.item.notifyPending?.[t.at];
      if (marker !== undefined)
        history.push(historyItem(result.item, t.at, marker, this.options.historyRetentionDays));
    }
    transitions.sort(compareTransitions);
    await this.table.batchPut(history, "history");
    await this.writeScope(scope, outcome, at, {
      counts: scopeCounts(produced.size, stored.values(), transitions),
      announcePending: transitions.length > 0 || leftovers,
    });
    return transitions;
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
      input.ConditionExpression =
        decision.expectStatus === undefined ? "#version = :v" : "#version = :v AND #status = :status";
      input.ExpressionAttributeNames = {
        "#version": "version",
        ...(decision.expectStatus === undefined ? {} : { "#status": "status" }),
      };
      input.ExpressionAttributeValues = {
        ":v": decision.expectVersion,
        ...(decision.expectStatus === undefined ? {} : { ":status": decision.expectStatus }),
      };
    }
    await this.table.put("finding", input);
  }

  private async writeScope(
    scope: AccountRegion,
    outcome: ReconcileOutcome,
    at: string,
    { counts, announcePending }: { counts: ScopeCounts; announcePending: boolean },
  ): Promise<void> {
    const names: Record<string, string> = {
      "#itemType": "itemType",
      "#accountId": "accountId",
      "#region": "region",
      "#lastScanAt": "lastScanAt",
      "#status": "status",
      "#runId": "runId",
      "#counts": "counts",
      "#error": "error",
    };
    const values: Record<string, unknown> = {
      ":itemType": "SCOPE",
      ":accountId": scope.accountId,
      ":region": scope.region,
      ":at": at,
      ":status": outcome.status,
      ":runId": outcome.runId,
      ":counts": counts,
    };
    const set = [
      "#itemType = :itemType",
      "#accountId = :accountId",
      "#region = :region",
      "#lastScanAt = :at",
      "#status = :status",
      "#runId = :runId",
      "#counts = :counts",
    ];
    let remove = "";
    if (outcome.status === "complete") {
      names["#lastCompleteScanAt"] = "lastCompleteScanAt";
      set.push("#lastCompleteScanAt = :at");
      remove = " REMOVE #error";
    } else {
      values[":error"] = {
        name: outcome.error?.name ?? "Error",
        message: outcome.error?.message ?? "the scan did not complete",
      };
      set.push("#error = :error");
    }
    let add = "";
    if (announcePending) {
      names["#pendingEpoch"] = "pendingEpoch";
      values[":one"] = 1;
      add = " ADD #pendingEpoch :one";
    }
    const key = { pk: accountPk(scope.accountId), sk: scopeSk(scope.region) };
    try {
      await this.table.update("scope", {
        Key: key,
        UpdateExpression: `SET ${set.join(", ")}${remove}${add}`,
        // A newer scan has already recorded the scope: keep its status.
        ConditionExpression: "attribute_not_exists(#lastScanAt) OR #lastScanAt <= :at",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      if (announcePending) {
        await this.table.update("scope", {
          Key: key,
          UpdateExpression: "ADD #pendingEpoch :one",
          ExpressionAttributeNames: { "#pendingEpoch": "pendingEpoch" },
          ExpressionAttributeValues: { ":one": 1 },
        });
      }
    }
  }

  private async findingsOfScope(scope: AccountRegion): Promise<FindingItem[]> {
    const input = {
      ...consoleQueries.findingsOfAccount(this.table.tableName, scope.accountId, scope.region),
      ConsistentRead: true,
    };
    return (await this.table.queryAll(input)).map(parseFindingItem);
  }
}

function scopeCounts(
  produced: number,
  items: Iterable<FindingItem>,
  transitions: readonly Transition[],
): ScopeCounts {
  const counts: ScopeCounts = {
    findings: produced,
    open: 0,
    openBySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 },
    transitions: { NEW: 0, REOPENED: 0, ESCALATED: 0, RESOLVED: 0 },
  };
  for (const item of items) {
    if (item.status !== "OPEN") continue;
    counts.open++;
    counts.openBySeverity[item.severity]++;
  }
  for (const t of transitions) counts.transitions[t.type]++;
  return counts;
}
