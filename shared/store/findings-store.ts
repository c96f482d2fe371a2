import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import pLimit from "p-limit";
import { atLeast, type Finding, RULE_IDS, SEVERITIES, severityRank } from "#shared/findings/index.ts";
import {
  historyItem,
  itemToFinding,
  itemToStoredFinding,
  parseFindingItem,
  parseHistoryItem,
  parseScopeItem,
  pendingNotifications,
} from "./items.ts";
import { type AccountRegion, accountPk, findingPrefix, findingSk, scopeSk } from "./keys.ts";
import { consoleQueries } from "./queries.ts";
import { compareTransitions, type Decision, decideAbsent, decideProduced } from "./transitions.ts";
import type {
  FindingItem,
  FindingQuery,
  HistoryEntry,
  NotifiedState,
  ReconcileOutcome,
  ScopeCounts,
  ScopeStatus,
  StoredFinding,
  StoreStats,
  Transition,
} from "./types.ts";

export const DEFAULT_HISTORY_RETENTION_DAYS = 400;
const DEFAULT_WRITE_CONCURRENCY = 8;
/** Re-read-and-re-decide rounds before giving up on a finding another writer keeps changing. */
const MAX_WRITE_ATTEMPTS = 8;
const BATCH_WRITE_MAX_ITEMS = 25;

export interface FindingsStoreOptions {
  /** History items expire (DynamoDB TTL on `expiresAt`) this many days after their transition. */
  historyRetentionDays?: number;
  /** Conditional finding writes in flight at once during one reconcile. */
  writeConcurrency?: number;
  /** Epoch milliseconds; notification leases are measured with it. */
  clock?: () => number;
}

/** A held notification lease on a scope; see shared/notify/sns-notifier.ts for the protocol. */
export interface NotificationClaim extends AccountRegion {
  runId: string;
  owner: string;
  /** `pendingEpoch` of the scope when the lease was taken: everything announced up to it gets handled. */
  epoch: number;
  leaseUntil: number;
}

export interface NotificationRelease {
  status: "sent" | "idle" | "failed";
  messageId?: string;
  transitions: number;
}

export class ReconcileConflictError extends Error {
  override readonly name = "ReconcileConflictError";
}

export class ScopeMismatchError extends Error {
  override readonly name = "ScopeMismatchError";
}

type Raw = Record<string, unknown>;
type WriteOperation = keyof StoreStats["writesByOperation"];
type ItemKind = keyof StoreStats["itemsWritten"];
type HistoryRecord = ReturnType<typeof historyItem>;

interface Applied {
  item: FindingItem | undefined;
  transition?: Transition;
}

function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === "ConditionalCheckFailedException";
}

function toIso(at: string | Date): string {
  const date = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) throw new RangeError(`scannedAt: not a date: ${String(at)}`);
  return date.toISOString();
}

function emptyStats(): StoreStats {
  return {
    writeCalls: 0,
    writesByOperation: { PutItem: 0, UpdateItem: 0, DeleteItem: 0, BatchWriteItem: 0 },
    itemsWritten: { finding: 0, scope: 0, history: 0 },
    readCalls: 0,
  };
}

/**
 * The findings table: reconcile a scope's scan result into findings, transitions and history, answer
 * the CLI's queries, and keep the notification outbox (see shared/notify/sns-notifier.ts).
 *
 * Concurrency: every finding write is conditional (`attribute_not_exists(pk)` for a new finding,
 * `version = :v` otherwise). On ConditionalCheckFailedException the item is re-read and the decision
 * made again, so under SQS redelivery or two scanners of one scope no update is lost and each
 * transition is won — and reported — by exactly one writer.
 */
export class FindingsStore {
  readonly tableName: string;
  private readonly doc: DynamoDBDocumentClient;
  private readonly retentionDays: number;
  private readonly writeConcurrency: number;
  private readonly clock: () => number;
  private counters: StoreStats = emptyStats();

  constructor(
    client: DynamoDBDocumentClient | DynamoDBClient,
    tableName: string,
    options: FindingsStoreOptions = {},
  ) {
    this.doc =
      client instanceof DynamoDBClient
        ? DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } })
        : client;
    this.tableName = tableName;
    this.retentionDays = options.historyRetentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS;
    this.writeConcurrency = options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
    this.clock = options.clock ?? Date.now;
  }

  /** DynamoDB calls made so far: tests prove an unchanged re-run writes no finding item. */
  stats(): StoreStats {
    return structuredClone(this.counters);
  }

  resetStats(): void {
    this.counters = emptyStats();
  }

  // ---- reconcile ------------------------------------------------------------------------------

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

    const [storedItems, scopeRaw] = await Promise.all([this.findingsOfScope(scope), this.scopeItem(scope)]);
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

    const pk = accountPk(scope.accountId);
    const limit = pLimit(this.writeConcurrency);
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
      if (marker !== undefined) history.push(historyItem(result.item, t.at, marker, this.retentionDays));
    }
    transitions.sort(compareTransitions);
    await this.batchPut(history, "history");
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
        current = await this.findingItem(pk, sk);
      }
    }
    throw new ReconcileConflictError(
      `${pk} ${sk}: still changed by another writer after ${MAX_WRITE_ATTEMPTS} conditional writes.`,
    );
  }

  private async putFinding(decision: Extract<Decision, { write: true }>): Promise<void> {
    const input: PutCommandInput = { TableName: this.tableName, Item: decision.item };
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
    await this.write("PutItem", "finding", 1, () => this.doc.send(new PutCommand(input)));
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
      await this.update("scope", {
        TableName: this.tableName,
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
        await this.update("scope", {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: "ADD #pendingEpoch :one",
          ExpressionAttributeNames: { "#pendingEpoch": "pendingEpoch" },
          ExpressionAttributeValues: { ":one": 1 },
        });
      }
    }
  }

  // ---- queries --------------------------------------------------------------------------------

  /** The status of one account-region's last scan, or undefined when it was never reconciled. */
  async getScope(accountId: string, region: string): Promise<ScopeStatus | undefined> {
    const raw = await this.scopeItem({ accountId, region });
    return raw === undefined ? undefined : parseScopeItem(raw);
  }

  async getFinding(
    f: Pick<Finding, "accountId" | "region" | "cluster" | "ruleId" | "resourceId">,
  ): Promise<StoredFinding | undefined> {
    const item = await this.findingItem(accountPk(f.accountId), findingSk(f));
    return item === undefined ? undefined : itemToStoredFinding(item);
  }

  /** History of one account-region, oldest first. */
  async scopeHistory(accountId: string, region: string): Promise<HistoryEntry[]> {
    const items = await this.queryAll(consoleQueries.historyOfScope(this.tableName, accountId, region));
    return items.map(parseHistoryItem);
  }

  /**
   * Findings for the CLI, worst first. Index choice:
   * - `ruleId` → GSI2 (`RULE#<ruleId>`, sort key prefix `<STATUS>#[<accountId>#]`);
   * - `status: "open"` → GSI1, one Query per severity at or above `minSeverity` (`OPEN#<SEV>`,
   *   prefix `<accountId>#` when given), stopping at `limit`;
   * - `accountId` → the base table (`ACCOUNT#<id>`, `begins_with(sk, FINDING#)`);
   * - otherwise (resolved or all, organisation-wide) → GSI2 once per rule id: still indexed, never a Scan.
   */
  async queryFindings(filter: FindingQuery = {}): Promise<StoredFinding[]> {
    const minimum = filter.minSeverity ?? "INFO";
    const severities = SEVERITIES.filter((s) => atLeast(s, minimum));
    const status = filter.status === undefined ? undefined : filter.status === "open" ? "OPEN" : "RESOLVED";
    const limit = filter.limit;

    if (filter.ruleId === undefined && status === "OPEN") {
      const out: StoredFinding[] = [];
      for (const severity of severities) {
        const remaining = limit === undefined ? undefined : limit - out.length;
        if (remaining !== undefined && remaining <= 0) break;
        const items = await this.queryAll(
          consoleQueries.openBySeverity(this.tableName, severity, filter.accountId),
          remaining,
        );
        out.push(...items.map((raw) => itemToStoredFinding(parseFindingItem(raw))));
      }
      return out;
    }

    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (severities.length < SEVERITIES.length) {
      names["#severity"] = "severity";
      filters.push(`#severity IN (${severities.map((_, i) => `:sev${i}`).join(", ")})`);
      for (const [i, s] of severities.entries()) values[`:sev${i}`] = s;
    }
    const withFilters = (input: QueryCommandInput): QueryCommandInput =>
      filters.length === 0
        ? input
        : {
            ...input,
            FilterExpression: filters.join(" AND "),
            ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...names },
            ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...values },
          };

    let inputs: QueryCommandInput[];
    if (filter.ruleId !== undefined || filter.accountId === undefined) {
      const ruleIds = filter.ruleId === undefined ? RULE_IDS : [filter.ruleId];
      const prefix =
        status === undefined
          ? undefined
          : `${status}#${filter.accountId === undefined ? "" : `${filter.accountId}#`}`;
      if (status === undefined && filter.accountId !== undefined) {
        names["#accountId"] = "accountId";
        values[":accountId"] = filter.accountId;
        filters.push("#accountId = :accountId");
      }
      inputs = ruleIds.map((ruleId) => {
        const base = consoleQueries.findingsOfRule(this.tableName, ruleId);
        return prefix === undefined
          ? base
          : {
              ...base,
              KeyConditionExpression: "gsi2pk = :pk AND begins_with(gsi2sk, :prefix)",
              ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ":prefix": prefix },
            };
      });
    } else {
      if (status !== undefined) {
        names["#status"] = "status";
        values[":status"] = status;
        filters.push("#status = :status");
      }
      inputs = [consoleQueries.findingsOfAccount(this.tableName, filter.accountId)];
    }

    const out: StoredFinding[] = [];
    for (const input of inputs) {
      const items = await this.queryAll(withFilters(input));
      out.push(...items.map((raw) => itemToStoredFinding(parseFindingItem(raw))));
    }
    out.sort(compareStoredFindings);
    return limit === undefined ? out : out.slice(0, limit);
  }

  // ---- notification outbox (used by shared/notify) --------------------------------------------

  /** Cheap check (one GetItem): did some reconcile announce transitions after the last notification? */
  async hasPendingNotifications(scope: AccountRegion): Promise<boolean> {
    const raw = await this.scopeItem(scope);
    return raw !== undefined && pendingNotifications(raw);
  }

  /** Takes the scope's notification lease, or returns undefined while another owner holds a live one. */
  async claimNotifications(
    scope: AccountRegion,
    runId: string,
    options: { owner: string; leaseMs: number },
  ): Promise<NotificationClaim | undefined> {
    const now = this.clock();
    const leaseUntil = now + options.leaseMs;
    const state: NotifiedState = {
      status: "claimed",
      owner: options.owner,
      runId,
      at: new Date(now).toISOString(),
      leaseUntil,
    };
    try {
      const out = await this.update("scope", {
        TableName: this.tableName,
        Key: { pk: accountPk(scope.accountId), sk: scopeSk(scope.region) },
        UpdateExpression: "SET #state = :state",
        ConditionExpression:
          "attribute_not_exists(#state) OR #state.#status <> :claimed OR #state.#leaseUntil < :now",
        ExpressionAttributeNames: {
          "#state": "notifiedState",
          "#status": "status",
          "#leaseUntil": "leaseUntil",
        },
        ExpressionAttributeValues: { ":state": state, ":claimed": "claimed", ":now": now },
        ReturnValues: "ALL_NEW",
      });
      const epoch = out.Attributes?.pendingEpoch;
      return {
        accountId: scope.accountId,
        region: scope.region,
        runId,
        owner: options.owner,
        epoch: typeof epoch === "number" ? epoch : 0,
        leaseUntil,
      };
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  /** Every transition of the scope written but not yet notified (the outbox markers on finding items). */
  async pendingTransitions(scope: AccountRegion): Promise<Transition[]> {
    const items = await this.queryAll(
      {
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        FilterExpression: "size(#pending) > :zero",
        ExpressionAttributeNames: { "#pending": "notifyPending" },
        ExpressionAttributeValues: {
          ":pk": accountPk(scope.accountId),
          ":prefix": findingPrefix(scope.region),
          ":zero": 0,
        },
        ConsistentRead: true,
      },
      undefined,
    );
    const out: Transition[] = [];
    for (const raw of items) {
      const item = parseFindingItem(raw);
      const finding = itemToFinding(item);
      for (const [at, marker] of Object.entries(item.notifyPending ?? {})) {
        const t: Transition = { type: marker.type, finding, to: marker.to, at, runId: marker.runId };
        if (marker.from !== undefined) t.from = marker.from;
        out.push(t);
      }
    }
    return out.sort(compareTransitions);
  }

  /**
   * Removes the outbox markers of handled transitions. Each removal bumps `version`, so a reconcile
   * that read the item before cannot write the removed marker back (its conditional write fails and
   * it re-reads).
   */
  async markNotified(transitions: readonly Transition[]): Promise<void> {
    const byItem = new Map<string, { pk: string; sk: string; ats: Set<string> }>();
    for (const t of transitions) {
      const sk = findingSk(t.finding);
      const entry = byItem.get(sk) ?? { pk: accountPk(t.finding.accountId), sk, ats: new Set<string>() };
      entry.ats.add(t.at);
      byItem.set(sk, entry);
    }
    const limit = pLimit(this.writeConcurrency);
    await Promise.all(
      [...byItem.values()].map(({ pk, sk, ats }) =>
        limit(async () => {
          const names: Record<string, string> = { "#pending": "notifyPending", "#version": "version" };
          const paths = [...ats].map((at, i) => {
            names[`#at${i}`] = at;
            return `#pending.#at${i}`;
          });
          try {
            await this.update("finding", {
              TableName: this.tableName,
              Key: { pk, sk },
              UpdateExpression: `REMOVE ${paths.join(", ")} ADD #version :one`,
              ConditionExpression: "attribute_exists(pk) AND attribute_exists(#pending)",
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ":one": 1 },
            });
          } catch (err) {
            if (!isConditionalCheckFailed(err)) throw err;
          }
        }),
      ),
    );
  }

  /**
   * Ends a lease. `sent`/`idle` also record `notifiedEpoch` (everything announced up to the claim is
   * handled); `failed` does not, so the scope stays pending. False when the lease was lost meanwhile.
   */
  async releaseNotifications(claim: NotificationClaim, release: NotificationRelease): Promise<boolean> {
    const state: NotifiedState = {
      status: release.status,
      owner: claim.owner,
      runId: claim.runId,
      at: new Date(this.clock()).toISOString(),
      transitions: release.transitions,
    };
    if (release.messageId !== undefined) state.messageId = release.messageId;
    const done = release.status !== "failed";
    try {
      await this.update("scope", {
        TableName: this.tableName,
        Key: { pk: accountPk(claim.accountId), sk: scopeSk(claim.region) },
        UpdateExpression: done ? "SET #state = :state, #notifiedEpoch = :epoch" : "SET #state = :state",
        ConditionExpression: "#state.#owner = :owner",
        ExpressionAttributeNames: {
          "#state": "notifiedState",
          "#owner": "owner",
          ...(done ? { "#notifiedEpoch": "notifiedEpoch" } : {}),
        },
        ExpressionAttributeValues: {
          ":state": state,
          ":owner": claim.owner,
          ...(done ? { ":epoch": claim.epoch } : {}),
        },
      });
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  // ---- DynamoDB calls, counted ----------------------------------------------------------------

  private async findingsOfScope(scope: AccountRegion): Promise<FindingItem[]> {
    const input = {
      ...consoleQueries.findingsOfAccount(this.tableName, scope.accountId, scope.region),
      ConsistentRead: true,
    };
    return (await this.queryAll(input)).map(parseFindingItem);
  }

  private async findingItem(pk: string, sk: string): Promise<FindingItem | undefined> {
    this.counters.readCalls++;
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return out.Item === undefined ? undefined : parseFindingItem(out.Item);
  }

  private async scopeItem(scope: AccountRegion): Promise<Raw | undefined> {
    this.counters.readCalls++;
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: accountPk(scope.accountId), sk: scopeSk(scope.region) },
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  private async queryAll(input: QueryCommandInput, limit?: number): Promise<Raw[]> {
    const items: Raw[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      this.counters.readCalls++;
      const page = await this.doc.send(
        new QueryCommand(startKey === undefined ? input : { ...input, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && (limit === undefined || items.length < limit));
    return limit === undefined ? items : items.slice(0, limit);
  }

  private update(kind: ItemKind, input: UpdateCommandInput) {
    return this.write("UpdateItem", kind, 1, () => this.doc.send(new UpdateCommand(input)));
  }

  private async batchPut(items: readonly HistoryRecord[], kind: ItemKind): Promise<void> {
    for (let start = 0; start < items.length; start += BATCH_WRITE_MAX_ITEMS) {
      let requests: { PutRequest: { Item: Record<string, unknown> } }[] = items
        .slice(start, start + BATCH_WRITE_MAX_ITEMS)
        .map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
        if (attempt >= MAX_WRITE_ATTEMPTS) {
          throw new Error(
            `BatchWriteItem: ${requests.length} ${kind} items still unprocessed after retries.`,
          );
        }
        const batch = requests;
        const out = await this.write("BatchWriteItem", kind, batch.length, () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } })),
        );
        const unprocessed = out.UnprocessedItems?.[this.tableName] ?? [];
        requests = unprocessed.flatMap((r) =>
          r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
        );
        this.counters.itemsWritten[kind] -= requests.length;
      }
    }
  }

  private async write<T>(
    operation: WriteOperation,
    kind: ItemKind,
    items: number,
    call: () => Promise<T>,
  ): Promise<T> {
    this.counters.writeCalls++;
    this.counters.writesByOperation[operation]++;
    const out = await call();
    this.counters.itemsWritten[kind] += items;
    return out;
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

function compareStoredFindings(a: StoredFinding, b: StoredFinding): number {
  const sev = severityRank(b.severity) - severityRank(a.severity);
  if (sev !== 0) return sev;
  const ka = `${a.accountId}#${a.region}#${a.cluster}#${a.ruleId}#${a.resourceId}`;
  const kb = `${b.accountId}#${b.region}#${b.cluster}#${b.ruleId}#${b.resourceId}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
