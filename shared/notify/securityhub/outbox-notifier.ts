import { randomUUID } from "node:crypto";
import type { NotificationLedger, Notifier, NotifyResult, UnreachedRun } from "#shared/notify/index.ts";
import {
  type AccountRegion,
  isQuietTransition,
  type NotificationClaim,
  type Transition,
} from "#shared/store/index.ts";
import { type DeliveryChannel, SnsChannel } from "./channels.ts";

/*
 * ─── Two channels, each transition delivered once per channel ────────────────────────────────────
 *
 * The SNS notifier's outbox (shared/notify/sns-notifier.ts) removes a transition's marker once Publish
 * succeeded. With Security Hub as a second consumer, whichever channel removed the markers first would
 * starve the other. Two designs were possible: independent per-channel notifiers, each with its own markers
 * and lease (two leases, two epochs and a reconcile that writes one marker per channel), or one notifier that
 * takes the scope's one lease and delivers to every channel before removing the markers. This is the second,
 * with one addition that keeps the channels independent when one of them fails:
 *
 * 1. Claim the scope's lease and gather the pending transitions, exactly as the SNS notifier does.
 * 2. For each channel in order (Security Hub first, then SNS): deliver the transitions it has not delivered
 *    (`deliveredTo` on the marker), then record it on the markers (`ledger.markDelivered`), except for the last
 *    channel when all went well: its record is the markers' removal.
 * 3. All channels delivered: remove the markers (`markNotified`) and release the lease as `sent`/`idle`, as
 *    the SNS notifier does. A channel failed: the others' deliveries are recorded, the lease is released as
 *    `failed` (the scope stays pending), and the error is thrown so SQS delivers the record again; the
 *    redelivery sends only to the channel that failed.
 *
 * What redelivery does after a crash:
 *  - between the Security Hub import and its `deliveredTo` record: the import is sent again. This is the
 *    documented window, the same as SNS's (a crash between Publish and the markers' removal pages again);
 *    here it is also harmless, because Security Hub ignores an update whose UpdatedAt is not later than the
 *    finding's (finding-update-batchimportfindings) and the re-sent finding carries the same UpdatedAt;
 *  - between the record and Publish: Security Hub gets nothing, SNS publishes once;
 *  - between Publish and the markers' removal: SNS's own window (one duplicate page), Security Hub nothing.
 * A Security Hub outage (not enabled, access denied, FailedFindings that persist) never holds back the page:
 * SNS delivers and records, and the import is retried on every later delivery until it goes through.
 *
 * Quiet transitions (a suppression, a suppressed finding resolved) never page and leave no marker: the run's
 * `transitions` carry them to the channels that export them (`exportsQuiet`: Security Hub), after the outbox's.
 * Nothing re-sends them if that fails — a redelivered scan finds the finding already SUPPRESSED and makes no
 * transition — so the channel's error names them as not sent again, and the record fails loudly.
 */

/** The outbox operations the OutboxNotifier needs (FindingsLedger implements them). */
export interface DeliveryLedger extends NotificationLedger {
  markDelivered(transitions: readonly Transition[], channel: string): Promise<void>;
}

/** One or more channels failed; the others' deliveries are recorded. */
export class ChannelDeliveryError extends Error {
  override readonly name = "ChannelDeliveryError";

  constructor(readonly failures: readonly { channel: string; error: unknown }[]) {
    super(
      failures
        .map(
          ({ channel, error }) =>
            `${channel}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        )
        .join("; "),
    );
  }
}

export interface OutboxNotifierOptions {
  /** Delivered in this order. */
  channels: readonly DeliveryChannel[];
  ledger: DeliveryLedger;
  leaseMs?: number;
  claimAttempts?: number;
  claimRetryDelayMs?: number;
}

/** Delivers a scope's pending transitions to every channel under the scope's one notification lease. */
export class OutboxNotifier implements Notifier {
  private readonly leaseMs: number;
  private readonly claimAttempts: number;
  private readonly claimRetryDelayMs: number;

  constructor(private readonly options: OutboxNotifierOptions) {
    if (options.channels.length === 0) throw new RangeError("OutboxNotifier: no channel");
    const names = options.channels.map((c) => c.name);
    if (new Set(names).size !== names.length)
      throw new RangeError(`OutboxNotifier: a channel twice (${names})`);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.claimAttempts = options.claimAttempts ?? 5;
    this.claimRetryDelayMs = options.claimRetryDelayMs ?? 200;
  }

  get channels(): readonly DeliveryChannel[] {
    return this.options.channels;
  }

  /** As the SNS notifier: `transitions` only says whether to look; the store's outbox is what is delivered. */
  async notify(
    scope: AccountRegion,
    runId: string,
    transitions: readonly Transition[],
  ): Promise<NotifyResult> {
    const { ledger, channels } = this.options;
    if (transitions.length === 0 && !(await ledger.hasPendingNotifications(scope))) {
      return { status: "nothing-pending", transitions: 0 };
    }
    // Quiet transitions (suppressions) have no marker: only this run holds them, for the channels that export them.
    const quiet = transitions.filter(isQuietTransition);
    const claim = await this.claim(scope, runId);
    if (claim === undefined) {
      // Another notifier holds the outbox; the quiet transitions are this run's alone, so they go out now.
      await this.deliverQuiet(scope, runId, quiet);
      return { status: "busy", transitions: 0 };
    }

    let pending: Transition[];
    try {
      pending = await ledger.pendingTransitions(scope);
    } catch (err) {
      await ledger.releaseNotifications(claim, { status: "failed", transitions: 0 }).catch(() => false);
      throw err;
    }
    const results: NotifyResult[] = [];
    const failures: { channel: string; error: unknown }[] = [];
    for (const [i, channel] of channels.entries()) {
      const todo = pending.filter((t) => !(t.deliveredTo ?? []).includes(channel.name));
      const sent = channel.exportsQuiet ? [...todo, ...quiet] : todo;
      try {
        const result =
          sent.length === 0
            ? ({ status: "nothing-pending", transitions: 0 } as const)
            : await channel.deliver(scope, runId, sent);
        results.push(result);
        const last = i === channels.length - 1;
        if (todo.length > 0 && (!last || failures.length > 0)) await ledger.markDelivered(todo, channel.name);
      } catch (error) {
        failures.push({ channel: channel.name, error });
      }
    }
    if (failures.length > 0) {
      await ledger.releaseNotifications(claim, { status: "failed", transitions: 0 }).catch(() => false);
      throw new ChannelDeliveryError(failures);
    }
    await ledger.markNotified(pending);
    const merged = mergeResults(results, pending.length);
    const kept = await ledger.releaseNotifications(
      claim,
      merged.status === "published" || merged.status === "imported"
        ? {
            status: "sent",
            transitions: pending.length,
            ...(merged.messageId ? { messageId: merged.messageId } : {}),
          }
        : { status: "idle", transitions: pending.length },
    );
    return kept ? merged : { ...merged, leaseLost: true };
  }

  /** The quiet transitions, to the channels that export them, outside the lease (they have no marker to guard). */
  private async deliverQuiet(
    scope: AccountRegion,
    runId: string,
    quiet: readonly Transition[],
  ): Promise<void> {
    if (quiet.length === 0) return;
    const failures: { channel: string; error: unknown }[] = [];
    for (const channel of this.options.channels.filter((c) => c.exportsQuiet)) {
      try {
        await channel.deliver(scope, runId, quiet);
      } catch (error) {
        failures.push({ channel: channel.name, error });
      }
    }
    if (failures.length > 0) throw new ChannelDeliveryError(failures);
  }

  /** The SNS channel's run-level page (the CLI's "reached nothing"), when there is an SNS channel. */
  async notifyUnreachedRun(run: UnreachedRun): Promise<NotifyResult> {
    const sns = this.options.channels.find((c): c is SnsChannel => c instanceof SnsChannel);
    if (sns === undefined) return { status: "nothing-pending", transitions: 0 };
    return sns.notifier.notifyUnreachedRun(run);
  }

  private async claim(scope: AccountRegion, runId: string): Promise<NotificationClaim | undefined> {
    const owner = `${runId}/${randomUUID()}`;
    for (let attempt = 0; attempt < this.claimAttempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.claimRetryDelayMs * attempt));
      const claim = await this.options.ledger.claimNotifications(scope, runId, {
        owner,
        leaseMs: this.leaseMs,
      });
      if (claim !== undefined) return claim;
    }
    return undefined;
  }
}

/**
 * One result for the notification: SNS's status and message when an SNS channel sent one; otherwise
 * `imported` when Security Hub took findings; the Security Hub summary beside either.
 */
function mergeResults(results: readonly NotifyResult[], pending: number): NotifyResult {
  const securityHub = results.find((r) => r.securityHub !== undefined)?.securityHub;
  const page = results.find((r) => r.status === "published" || r.status === "printed");
  if (page !== undefined) return { ...page, ...(securityHub ? { securityHub } : {}) };
  if (securityHub !== undefined) return { status: "imported", transitions: pending, securityHub };
  const below = results.some((r) => r.status === "below-threshold");
  return { status: below || pending > 0 ? "below-threshold" : "nothing-pending", transitions: 0 };
}
