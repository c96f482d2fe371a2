import type { Finding, RuleId, Severity, UnreadResource } from "#shared/findings/index.ts";
import type { Suppression } from "#shared/suppress/types.ts";
import type { FindingIdentity, FindingStatus } from "./keys.ts";

export const TRANSITION_TYPES = ["NEW", "REOPENED", "ESCALATED", "SUPPRESSED", "RESOLVED"] as const;
export type TransitionType = (typeof TRANSITION_TYPES)[number];

export type { Suppression } from "#shared/suppress/types.ts";

/** A suppression as stored on the finding: the accepted risk and since when the finding has been SUPPRESSED. */
export interface StoredSuppression extends Suppression {
  since: string;
}

/**
 * A change of a finding's state. NEW, REOPENED and ESCALATED page (at or above the threshold), and so
 * does RESOLVED of an open finding. SUPPRESSED (an accepted risk now covers the finding) and RESOLVED of
 * a suppressed finding are quiet: they carry `suppression`, leave no outbox marker and never page.
 */
export interface Transition {
  type: TransitionType;
  finding: Finding;
  /**
   * Severity before the change: absent for NEW; the last open severity for REOPENED; the old severity
   * for ESCALATED; for RESOLVED the severity it had while open (equal to `to`).
   */
  from?: Severity;
  /** Severity the transition counts at. RESOLVED counts at the severity the finding had while open. */
  to: Severity;
  /** When the scan that observed it ran (the `scannedAt` of the reconcile). */
  at: string;
  runId: string;
  /** Why a finding was resolved without a scan of its scope (coverage resolution), e.g. the account left the org. */
  reason?: string;
  /**
   * Read from the outbox only (`pendingTransitions`): the channels that already delivered it
   * (`markDelivered`), so that a notifier with several channels re-sends none of them after a partial failure.
   */
  deliveredTo?: string[];
  /** Read from the outbox only: when the finding was first seen (Security Hub's `CreatedAt`). */
  firstSeen?: string;
  /**
   * Present on quiet transitions only: for SUPPRESSED the accepted risk that now covers the finding, for
   * RESOLVED the one it was under when it went away. A transition with it never pages; Security Hub
   * shows SUPPRESSED transitions with `Workflow.Status: SUPPRESSED`.
   */
  suppression?: Suppression;
  /** REOPENED of a SUPPRESSED finding: the accepted risk that no longer covers it (expired, or no longer matching). */
  suppressionEnded?: Suppression;
}

export interface ReconcileOutcome {
  /** Only a complete scan may resolve findings of its scope. */
  status: "complete" | "failed";
  runId: string;
  scannedAt: string | Date;
  error?: { name: string; message: string };
  /** What a complete scan could not read: open findings about it are never resolved by this scan. */
  unread?: readonly UnreadResource[];
  /**
   * The accepted risk covering each produced finding that a suppressions file matches, by `findingKey`
   * (shared/findings). Those findings are stored SUPPRESSED and never page; a SUPPRESSED finding produced
   * without one is REOPENED (and pages). See shared/suppress/match.ts.
   */
  suppressed?: ReadonlyMap<string, Suppression>;
}

/** A transition written with the finding but not yet notified, keyed by its `at` on the finding item. */
export interface PendingMarker {
  type: TransitionType;
  from?: Severity;
  to: Severity;
  runId: string;
  reason?: string;
  /** Channels that delivered the transition while another failed (see shared/notify/securityhub/outbox-notifier.ts). */
  deliveredTo?: string[];
  suppressionEnded?: Suppression;
}

/** The finding item as stored. Written whole (PutItem) under a `version` condition. */
export interface FindingItem {
  pk: string;
  sk: string;
  itemType: "FINDING";
  accountId: string;
  region: string;
  cluster: string;
  ruleId: RuleId;
  resourceId: string;
  /** Part of the identity when one rule reports several findings about one resource (e.g. the LB scheme). */
  variant?: string;
  /** The owning team from the cluster's tags (`Finding.team`): the notifier routes pending transitions by it. */
  team?: string;
  status: FindingStatus;
  severity: Severity;
  title: string;
  detail: string;
  remediation: string;
  /** JSON text, at most EVIDENCE_MAX_BYTES; see `evidenceTruncated`. */
  evidence: string;
  /** Size of the full evidence JSON before any cap. */
  evidenceBytes: number;
  evidenceTruncated: boolean;
  /** Hash of title, detail, remediation and the full evidence: unchanged content causes no write. */
  contentHash: string;
  firstSeen: string;
  lastChangedAt: string;
  resolvedAt?: string;
  /** Set only by a coverage resolution (`resolveCoverage`): why the finding closed without a scan of its scope. */
  resolvedReason?: string;
  reopenedAt?: string;
  /**
   * The accepted risk: on a SUPPRESSED finding the one covering it; kept on a finding RESOLVED while
   * suppressed (it went away as an accepted risk); removed when the finding opens again.
   */
  suppression?: StoredSuppression;
  /**
   * The run that last changed the item; `lastChangedAt` is that run's `scannedAt`, and every write is
   * conditional on it being no newer than the writer's own (an older run never overwrites a newer one).
   */
  runId: string;
  /** Optimistic-concurrency counter: every write is conditional on the version it read. */
  version: number;
  /** GSI1 (open findings by severity): only while OPEN, so neither RESOLVED nor SUPPRESSED findings are in it. */
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk: string;
  gsi2sk: string;
  /**
   * Outbox: transitions not yet notified, keyed by `at`. Written atomically with the state change. Never
   * on a SUPPRESSED item (suppressing a finding drops its unsent markers: an accepted risk does not page).
   */
  notifyPending?: Record<string, PendingMarker>;
}

/** A finding as the CLI shows it: the finding plus its lifecycle. */
export interface StoredFinding extends Finding {
  status: FindingStatus;
  firstSeen: string;
  lastChangedAt: string;
  resolvedAt?: string;
  resolvedReason?: string;
  reopenedAt?: string;
  suppression?: StoredSuppression;
  evidenceTruncated: boolean;
  version: number;
}

export interface ScopeCounts {
  /** Findings the last scan produced. */
  findings: number;
  /** Open findings of the scope after the last reconcile. */
  open: number;
  openBySeverity: Record<Severity, number>;
  /** SUPPRESSED findings of the scope after the last reconcile (accepted risks the scans still produce). */
  suppressed: number;
  /** Transitions the last reconcile reported. */
  transitions: Record<TransitionType, number>;
}

export type NotifiedStatus = "claimed" | "sent" | "idle" | "failed";

/** Where the notifier stands for a scope; see the protocol in shared/notify/sns-notifier.ts. */
export interface NotifiedState {
  status: NotifiedStatus;
  owner: string;
  runId: string;
  at: string;
  /** Epoch milliseconds; only while `claimed`. */
  leaseUntil?: number;
  messageId?: string;
  /** Transitions handled (published or below the threshold). */
  transitions?: number;
}

/**
 * A reconcile holding a scope while it writes finding items: other reconciles of the scope wait for it
 * (see shared/store/scope-lease.ts). Removed by the holder's scope write; expires after a crash.
 */
export interface ReconcileLease {
  owner: string;
  runId: string;
  /** The holder's `scannedAt`. */
  at: string;
  /** Epoch milliseconds. */
  leaseUntil: number;
}

export interface ScopeStatus {
  accountId: string;
  region: string;
  status: "complete" | "failed";
  runId: string;
  lastScanAt: string;
  lastCompleteScanAt?: string;
  error?: { name: string; message: string };
  counts: ScopeCounts;
  /** Some transition of the scope may still be waiting for its notification. */
  pendingNotifications: boolean;
  notifiedState?: NotifiedState;
  /** Present while a reconcile writes the scope's findings (or after it crashed, until it expires). */
  reconcileLease?: ReconcileLease;
}

/** A type alias (not an interface) so it can be written as a plain DynamoDB item. */
export type HistoryEntry = {
  accountId: string;
  region: string;
  cluster: string;
  ruleId: RuleId;
  resourceId: string;
  /** Part of the identity when one rule reports several findings about one resource (e.g. the LB scheme). */
  variant?: string;
  findingSk: string;
  type: TransitionType;
  from?: Severity;
  to: Severity;
  at: string;
  runId: string;
  /** Why a coverage resolution closed the finding (absent for transitions a scan made). */
  reason?: string;
  /** As on the transition: the accepted risk of a quiet transition. */
  suppression?: Suppression;
  /** As on the transition: the accepted risk a REOPENED finding is no longer under. */
  suppressionEnded?: Suppression;
  title: string;
  detail: string;
  /** Epoch seconds: DynamoDB TTL deletes the item after it. */
  expiresAt: number;
};

/** A `scan.*` finding whose scope is no longer planned, and why (shown on the finding and its history). */
export interface CoverageResolution {
  finding: FindingIdentity;
  reason: string;
}

export interface FindingQuery {
  status?: "open" | "resolved" | "suppressed";
  /** At or above (CRITICAL > HIGH > MEDIUM > LOW > INFO). */
  minSeverity?: Severity;
  accountId?: string;
  ruleId?: RuleId;
  limit?: number;
}

export interface StoreStats {
  /** DynamoDB write calls: PutItem, UpdateItem, DeleteItem, BatchWriteItem. */
  writeCalls: number;
  writesByOperation: Record<"PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem", number>;
  /** Items written, by item type (a BatchWriteItem call counts each of its items). */
  itemsWritten: Record<"finding" | "scope" | "history" | "sample", number>;
  readCalls: number;
}
