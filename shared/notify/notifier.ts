import type { AccountRegion } from "#shared/store/keys.ts";
import type { NotificationClaim, NotificationRelease } from "#shared/store/ledger.ts";
import type { Transition } from "#shared/store/types.ts";
import type { AlertScope, UnreachedRun } from "./message.ts";

export type NotifyStatus =
  /** An SNS message went out. */
  | "published"
  /** The stdout notifier printed the message. */
  | "printed"
  /** Transitions were handled, none reached the threshold: no message. */
  | "below-threshold"
  /** Nothing waiting for a notification. */
  | "nothing-pending"
  /** Another notifier holds the scope's lease; what it did not take stays pending for the next run. */
  | "busy"
  /** Findings went to Security Hub (BatchImportFindings), and no SNS message was part of the notification. */
  | "imported";

/** What a notification imported into Security Hub (shared/notify/securityhub). */
export interface SecurityHubImportSummary {
  productArn: string;
  /** Findings Security Hub accepted: one per finding whose state changed. */
  imported: number;
  /** Of them, archived (RESOLVED). */
  archived: number;
  /** BatchImportFindings calls (at most 100 findings each), re-sends included. */
  calls: number;
  /** Findings sent again after Security Hub returned them in FailedFindings or throttled the call. */
  resent: number;
}

export interface NotifyResult {
  status: NotifyStatus;
  /** Messages sent or printed: one per kind (coverage, findings) that reached the threshold. */
  messages?: number;
  /** Transitions the messages are about. */
  transitions: number;
  /** The subject; with two messages, both joined by ` | `. */
  subject?: string;
  messageId?: string;
  summarised?: boolean;
  /** The lease expired before the notifier released it (another notifier may have taken over). */
  leaseLost?: boolean;
  /** With Security Hub among the channels: what it imported. */
  securityHub?: SecurityHubImportSummary;
}

/** Sends the one message of a scope's run. The SNS notifier and the stdout notifier share it. */
export interface Notifier {
  notify(scope: AlertScope, runId: string, transitions: readonly Transition[]): Promise<NotifyResult>;
  /** Pages a run in which every account-region failed (the CLI's run; the deployment has its heartbeat alarm). */
  notifyUnreachedRun?(run: UnreachedRun): Promise<NotifyResult>;
}

/**
 * The part of the findings store a notifier needs to page once per transition (`FindingsLedger`,
 * `FindingsStore.ledger`, implements it): the outbox of transitions written but not yet notified, and the scope's lease.
 */
export interface NotificationLedger {
  hasPendingNotifications(scope: AccountRegion): Promise<boolean>;
  claimNotifications(
    scope: AccountRegion,
    runId: string,
    options: { owner: string; leaseMs: number },
  ): Promise<NotificationClaim | undefined>;
  pendingTransitions(scope: AccountRegion): Promise<Transition[]>;
  markNotified(transitions: readonly Transition[]): Promise<void>;
  releaseNotifications(claim: NotificationClaim, release: NotificationRelease): Promise<boolean>;
}
