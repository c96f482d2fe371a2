import { randomUUID } from "node:crypto";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { Severity } from "#shared/findings/index.ts";
import type { AccountRegion } from "#shared/store/keys.ts";
import type { NotificationClaim } from "#shared/store/ledger.ts";
import { isQuietTransition } from "#shared/store/transitions.ts";
import type { Transition } from "#shared/store/types.ts";
import {
  type Alert,
  type AlertScope,
  buildAlerts,
  buildUnreachedRunAlert,
  DEFAULT_MIN_SEVERITY,
  SNS_MAX_MESSAGE_BYTES,
  type UnreachedRun,
} from "./message.ts";
import type { NotificationLedger, Notifier, NotifyResult } from "./notifier.ts";

/*
 * ─── notifiedState: paging once per transition without transactions ───────────────────────────────
 *
 * Goal: every transition at or above the threshold is paged, in one message per account-region per
 * run, and SQS redelivery never pages twice — while a crash anywhere between reconcile and publish
 * still pages on redelivery. DynamoDB (and dynalite) give single-item conditional writes, nothing more.
 *
 * 1. Outbox on the finding item. When reconcile writes a transition it adds a marker
 *    `notifyPending[<at>] = {type, from, to, runId}` to the finding item IN THE SAME conditional
 *    PutItem that changes the state. The state change and "still to notify" are therefore one atomic
 *    write: no crash can leave a transition applied but forgotten. (History items are written after
 *    the finding items and are an audit log, not the outbox: a crash between the two can lose a
 *    history entry, never a page.)
 *
 * 2. Announcement on the scope item. Reconcile's last scope write (the one that releases its
 *    reconcile lease, shared/store/scope-lease.ts) adds 1 to `pendingEpoch` when it wrote a transition
 *    or found markers left by an earlier run. It does so AFTER its finding writes, so any claim that
 *    sees that epoch will also see those markers.
 *
 * 3. Lease. The notifier takes the scope's lease with one conditional UpdateItem:
 *      SET notifiedState = {status: claimed, owner, runId, leaseUntil, at}
 *      IF attribute_not_exists(notifiedState) OR notifiedState.status <> claimed
 *         OR notifiedState.leaseUntil < now
 *    returning `pendingEpoch` = E. A second notifier (redelivery, or two scanners of one scope) fails
 *    the condition, waits a little and retries; it gets the lease only after the first released it.
 *
 * 4. Gather. Holding the lease, the notifier queries the scope's finding items that carry markers
 *    (the store's view, not the caller's in-memory list) and builds the message from them. This is
 *    what makes two concurrent reconciles of the same scan page once: each finding's transition is
 *    won by exactly one writer, and a reconcile returns only after every finding it lost had already
 *    been written by the winner — so whichever notifier claims first sees the markers of both.
 *
 * 5. Publish, then mark sent. After Publish succeeds the markers it handled are removed
 *    (`REMOVE notifyPending.<at> ADD version 1`; the version bump makes a reconcile that read the
 *    item earlier re-read it instead of writing the marker back), and the lease is released with
 *      SET notifiedState = {status: sent, messageId, …}, notifiedEpoch = E  IF notifiedState.owner = me
 *    Markers below the threshold are removed the same way without a message (status `idle`).
 *
 * Why it holds:
 *  - Redelivery after success: the markers are gone and pendingEpoch = notifiedEpoch, so the second
 *    run finds nothing (one GetItem, no write) — no second page.
 *  - Crash after reconcile, before publish: the markers stay. Redelivery's reconcile sees them
 *    ("leftovers"), bumps pendingEpoch, and the notifier gathers and pages them. Same for a crash
 *    in the middle of reconcile, and for a Publish error (lease released as `failed`, epoch not
 *    recorded, error rethrown so the SQS message is retried).
 *  - Transitions announced after a claim: their pendingEpoch increment lands after E, so
 *    pendingEpoch > notifiedEpoch afterwards and the next notifier looks again. Nothing is dropped
 *    when a notifier gives up on a busy lease.
 *  - Unchanged re-run: no markers, no announcement → the notifier reads one item and writes nothing.
 *
 * The one window left: a crash (or a lease that runs out) after Publish and before the markers are
 * removed pages those transitions again on redelivery. SNS standard topics have no idempotency key,
 * so exactly-once is impossible; we keep the window to the few writes after Publish and choose a
 * duplicate over a lost page. `leaseMs` must exceed publish + mark time (default 60 s; the SQS
 * visibility timeout is longer, so a redelivery after a crash finds the lease expired).
 */

export interface SnsNotifierOptions {
  sns: SNSClient;
  topicArn: string;
  /** Default HIGH. */
  minSeverity?: Severity;
  /**
   * The store's outbox and lease. Without it the notifier publishes the transitions it is given and
   * cannot stop a redelivery from paging twice (fine for a one-off CLI run, not for the scanner).
   */
  ledger?: NotificationLedger;
  leaseMs?: number;
  /** Lease attempts before giving up as `busy` (what is left stays pending for the next run). */
  claimAttempts?: number;
  claimRetryDelayMs?: number;
  /** Defaults to SNS_MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
}

export class SnsNotifier implements Notifier {
  private readonly minSeverity: Severity;
  private readonly leaseMs: number;
  private readonly claimAttempts: number;
  private readonly claimRetryDelayMs: number;

  constructor(private readonly options: SnsNotifierOptions) {
    this.minSeverity = options.minSeverity ?? DEFAULT_MIN_SEVERITY;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.claimAttempts = options.claimAttempts ?? 5;
    this.claimRetryDelayMs = options.claimRetryDelayMs ?? 200;
  }

  /**
   * With a ledger, `transitions` only says whether to look: the message is built from the store's
   * pending transitions of the scope (which include this run's and any an earlier crash left).
   */
  async notify(scope: AlertScope, runId: string, transitions: readonly Transition[]): Promise<NotifyResult> {
    const ledger = this.options.ledger;
    if (ledger === undefined) {
      const alerts = this.alerts(scope, runId, transitions);
      if (alerts.length === 0) return { status: outcomeWithout(transitions), transitions: 0 };
      const messageId = await this.publishAll(alerts);
      return { ...resultOf(alerts), ...(messageId ? { messageId } : {}) };
    }

    // Suppressed transitions leave no outbox marker: alone, they are no reason to take the lease.
    const pages = transitions.some((t) => !isQuietTransition(t));
    if (!pages && !(await ledger.hasPendingNotifications(scope))) {
      return { status: "nothing-pending", transitions: 0 };
    }
    const claim = await this.claim(ledger, scope, runId);
    if (claim === undefined) return { status: "busy", transitions: 0 };

    let pending: Transition[];
    let alerts: Alert[];
    let messageId: string | undefined;
    try {
      pending = await ledger.pendingTransitions(scope);
      alerts = this.alerts(scope, runId, pending);
      messageId = await this.publishAll(alerts);
    } catch (err) {
      await ledger.releaseNotifications(claim, { status: "failed", transitions: 0 }).catch(() => false);
      throw err;
    }
    await ledger.markNotified(pending);
    const release =
      alerts.length === 0
        ? ({ status: "idle", transitions: pending.length } as const)
        : { status: "sent" as const, transitions: pending.length, ...(messageId ? { messageId } : {}) };
    const kept = await ledger.releaseNotifications(claim, release);
    const lease = kept ? {} : { leaseLost: true };
    if (alerts.length === 0) return { status: outcomeWithout(pending), transitions: 0, ...lease };
    return { ...resultOf(alerts), ...(messageId ? { messageId } : {}), ...lease };
  }

  async notifyUnreachedRun(run: UnreachedRun): Promise<NotifyResult> {
    const alert = buildUnreachedRunAlert(run);
    const messageId = await this.publish(alert);
    return { ...resultOf([alert]), ...(messageId ? { messageId } : {}) };
  }

  private alerts(scope: AlertScope, runId: string, transitions: readonly Transition[]): Alert[] {
    return buildAlerts(scope, runId, transitions, {
      minSeverity: this.minSeverity,
      maxBytes: this.options.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES,
    });
  }

  private async claim(
    ledger: NotificationLedger,
    scope: AccountRegion,
    runId: string,
  ): Promise<NotificationClaim | undefined> {
    const owner = `${runId}/${randomUUID()}`;
    for (let attempt = 0; attempt < this.claimAttempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.claimRetryDelayMs * attempt));
      const claim = await ledger.claimNotifications(scope, runId, { owner, leaseMs: this.leaseMs });
      if (claim !== undefined) return claim;
    }
    return undefined;
  }

  /** Coverage first, then findings; returns the last message id. */
  private async publishAll(alerts: readonly Alert[]): Promise<string | undefined> {
    let messageId: string | undefined;
    for (const alert of alerts) messageId = await this.publish(alert);
    return messageId;
  }

  private async publish(alert: Alert): Promise<string | undefined> {
    const out = await this.options.sns.send(
      new PublishCommand({
        TopicArn: this.options.topicArn,
        Subject: alert.subject,
        Message: alert.message,
        MessageStructure: "json",
        MessageAttributes: alert.attributes,
      }),
    );
    return out.MessageId;
  }
}

function outcomeWithout(transitions: readonly Transition[]): NotifyResult["status"] {
  return transitions.length > 0 ? "below-threshold" : "nothing-pending";
}

function resultOf(alerts: readonly Alert[]): NotifyResult {
  return {
    status: "published",
    messages: alerts.length,
    transitions: alerts.reduce((n, a) => n + a.transitions.length, 0),
    subject: alerts.map((a) => a.subject).join(" | "),
    summarised: alerts.some((a) => a.summarised),
  };
}
