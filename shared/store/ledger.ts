import pLimit from "p-limit";
import { isConditionalCheckFailed, type TableHandle } from "./handle.ts";
import { itemToFinding, parseFindingItem, pendingNotifications } from "./items.ts";
import { type AccountRegion, accountPk, findingPrefix, findingSk, scopeSk } from "./keys.ts";
import { compareTransitions, transitionOf } from "./transitions.ts";
import type { NotifiedState, Transition } from "./types.ts";

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

/**
 * The notification outbox of the findings table (implements `NotificationLedger` of shared/notify):
 * transitions written with their finding item but not yet notified, and the scope's notification lease.
 * The protocol is described in shared/notify/sns-notifier.ts.
 */
export class FindingsLedger {
  constructor(
    private readonly table: TableHandle,
    private readonly writeConcurrency: number,
  ) {}

  /** Cheap check (one GetItem): did some reconcile announce transitions after the last notification? */
  async hasPendingNotifications(scope: AccountRegion): Promise<boolean> {
    const raw = await this.table.get(accountPk(scope.accountId), scopeSk(scope.region));
    return raw !== undefined && pendingNotifications(raw);
  }

  /** Takes the scope's notification lease, or returns undefined while another owner holds a live one. */
  async claimNotifications(
    scope: AccountRegion,
    runId: string,
    options: { owner: string; leaseMs: number },
  ): Promise<NotificationClaim | undefined> {
    const now = this.table.clock();
    const leaseUntil = now + options.leaseMs;
    const state: NotifiedState = {
      status: "claimed",
      owner: options.owner,
      runId,
      at: new Date(now).toISOString(),
      leaseUntil,
    };
    try {
      const out = await this.table.update("scope", {
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
    const items = await this.table.queryAll({
      TableName: this.table.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      FilterExpression: "size(#pending) > :zero",
      ExpressionAttributeNames: { "#pending": "notifyPending" },
      ExpressionAttributeValues: {
        ":pk": accountPk(scope.accountId),
        ":prefix": findingPrefix(scope.region),
        ":zero": 0,
      },
      ConsistentRead: true,
    });
    const out: Transition[] = [];
    for (const raw of items) {
      const item = parseFindingItem(raw);
      const finding = itemToFinding(item);
      for (const [at, marker] of Object.entries(item.notifyPending ?? {})) {
        const t = transitionOf(finding, at, marker);
        t.firstSeen = item.firstSeen;
        if (marker.deliveredTo !== undefined && marker.deliveredTo.length > 0)
          t.deliveredTo = marker.deliveredTo;
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
            await this.table.update("finding", {
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
   * Records that `channel` delivered these transitions while their markers stay (another channel of the
   * notifier has not delivered them yet): `SET notifyPending.<at>.deliveredTo = [...]`, only while the marker
   * exists, with the same `version` bump as `markNotified` so a reconcile that read the item before re-reads
   * it instead of writing the marker back without the record.
   */
  async markDelivered(transitions: readonly Transition[], channel: string): Promise<void> {
    const byItem = new Map<string, { pk: string; sk: string; markers: Map<string, string[]> }>();
    for (const t of transitions) {
      const sk = findingSk(t.finding);
      const entry = byItem.get(sk) ?? {
        pk: accountPk(t.finding.accountId),
        sk,
        markers: new Map<string, string[]>(),
      };
      entry.markers.set(t.at, [...new Set([...(t.deliveredTo ?? []), channel])].sort());
      byItem.set(sk, entry);
    }
    const limit = pLimit(this.writeConcurrency);
    await Promise.all(
      [...byItem.values()].map(({ pk, sk, markers }) =>
        limit(async () => {
          const names: Record<string, string> = {
            "#pending": "notifyPending",
            "#version": "version",
            "#delivered": "deliveredTo",
          };
          const values: Record<string, unknown> = { ":one": 1 };
          const sets: string[] = [];
          const exists: string[] = [];
          [...markers].forEach(([at, channels], i) => {
            names[`#at${i}`] = at;
            values[`:d${i}`] = channels;
            sets.push(`#pending.#at${i}.#delivered = :d${i}`);
            exists.push(`attribute_exists(#pending.#at${i})`);
          });
          try {
            await this.table.update("finding", {
              Key: { pk, sk },
              UpdateExpression: `SET ${sets.join(", ")} ADD #version :one`,
              ConditionExpression: exists.join(" AND "),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            });
          } catch (err) {
            // A marker another notifier already removed: nothing left to record.
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
      at: new Date(this.table.clock()).toISOString(),
      transitions: release.transitions,
    };
    if (release.messageId !== undefined) state.messageId = release.messageId;
    const done = release.status !== "failed";
    try {
      await this.table.update("scope", {
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
}
