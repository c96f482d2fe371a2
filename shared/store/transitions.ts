import { type Finding, severityRank } from "#shared/findings/index.ts";
import { contentHash, findingItem, itemToFinding, lifecycleOf, withLifecycle } from "./items.ts";
import type { FindingStatus } from "./keys.ts";
import type { FindingItem, PendingMarker, Suppression, Transition, TransitionType } from "./types.ts";

/** What one conditional write of a finding item must do, decided from the item as last read. */
export type Decision =
  | { write: false }
  | {
      write: true;
      item: FindingItem;
      /** The version the write is conditional on; undefined: the item must not exist yet. */
      expectVersion: number | undefined;
      expectStatus?: FindingStatus;
      transition?: Transition;
    };

const NO_WRITE: Decision = { write: false };

/**
 * Markers drain only through a notifier with a ledger; a store used without one (e.g. a local CLI run)
 * keeps the latest few so a flapping finding cannot grow its item without bound.
 */
export const MAX_PENDING_MARKERS = 20;

function withMarker(stored: FindingItem | undefined, at: string, marker: PendingMarker) {
  const all: Record<string, PendingMarker> = { ...(stored?.notifyPending ?? {}), [at]: marker };
  const keys = Object.keys(all).sort();
  if (keys.length <= MAX_PENDING_MARKERS) return all;
  return Object.fromEntries(keys.slice(-MAX_PENDING_MARKERS).flatMap((k) => (all[k] ? [[k, all[k]]] : [])));
}

export function transitionOf(finding: Finding, at: string, marker: PendingMarker): Transition {
  const t: Transition = { type: marker.type, finding, to: marker.to, at, runId: marker.runId };
  if (marker.from !== undefined) t.from = marker.from;
  if (marker.reason !== undefined) t.reason = marker.reason;
  if (marker.suppressionEnded !== undefined) t.suppressionEnded = marker.suppressionEnded;
  return t;
}

/**
 * A transition that never pages and leaves no outbox marker: SUPPRESSED, and RESOLVED of a suppressed
 * finding (both carry `suppression`). Notifiers skip them; Security Hub exports them.
 */
export function isQuietTransition(t: Pick<Transition, "type" | "suppression">): boolean {
  return t.type === "SUPPRESSED" || t.suppression !== undefined;
}

/** Time only moves forward: an item last written by a newer run (`lastChangedAt` > `at`) is left as it is. */
function writtenLater(stored: FindingItem | undefined, at: string): boolean {
  return stored !== undefined && stored.lastChangedAt > at;
}

/**
 * The scan produced `f`: NEW, REOPENED, ESCALATED, a silent update (severity fell or text changed), or
 * nothing. With `suppression` (an accepted risk covers `f`) it is SUPPRESSED instead, quietly.
 */
export function decideProduced(
  stored: FindingItem | undefined,
  f: Finding,
  at: string,
  runId: string,
  suppression?: Suppression,
): Decision {
  if (writtenLater(stored, at)) return NO_WRITE;
  if (suppression !== undefined) return decideSuppressed(stored, f, at, runId, suppression);
  if (stored === undefined) {
    const marker: PendingMarker = { type: "NEW", to: f.severity, runId };
    const item = findingItem(f, {
      status: "OPEN",
      firstSeen: at,
      lastChangedAt: at,
      runId,
      version: 1,
      notifyPending: withMarker(undefined, at, marker),
    });
    return { write: true, item, expectVersion: undefined, transition: transitionOf(f, at, marker) };
  }
  const version = stored.version + 1;
  if (stored.status === "RESOLVED" || stored.status === "SUPPRESSED") {
    // A suppression that expired or stopped matching reopens the finding: it pages once, like any reopening.
    const marker: PendingMarker = { type: "REOPENED", from: stored.severity, to: f.severity, runId };
    if (stored.status === "SUPPRESSED" && stored.suppression !== undefined) {
      marker.suppressionEnded = plainSuppression(stored.suppression);
    }
    const item = findingItem(f, {
      status: "OPEN",
      firstSeen: stored.firstSeen,
      lastChangedAt: at,
      reopenedAt: at,
      runId,
      version,
      notifyPending: withMarker(stored, at, marker),
    });
    return {
      write: true,
      item,
      expectVersion: stored.version,
      expectStatus: stored.status,
      transition: transitionOf(f, at, marker),
    };
  }
  const rose = severityRank(f.severity) > severityRank(stored.severity);
  if (!rose && f.severity === stored.severity && contentHash(f) === stored.contentHash) return NO_WRITE;
  const life = { ...lifecycleOf(stored), lastChangedAt: at, runId, version };
  if (!rose) {
    return { write: true, item: findingItem(f, life), expectVersion: stored.version, expectStatus: "OPEN" };
  }
  const marker: PendingMarker = { type: "ESCALATED", from: stored.severity, to: f.severity, runId };
  const item = findingItem(f, { ...life, notifyPending: withMarker(stored, at, marker) });
  return {
    write: true,
    item,
    expectVersion: stored.version,
    expectStatus: "OPEN",
    transition: transitionOf(f, at, marker),
  };
}

function plainSuppression(s: Suppression): Suppression {
  return {
    reason: s.reason,
    ...(s.owner !== undefined ? { owner: s.owner } : {}),
    ...(s.expires !== undefined ? { expires: s.expires } : {}),
  };
}

function sameSuppression(a: Suppression | undefined, b: Suppression): boolean {
  return a !== undefined && a.reason === b.reason && a.owner === b.owner && a.expires === b.expires;
}

/**
 * An accepted risk covers the produced finding. Not yet SUPPRESSED (new, open or resolved): it becomes
 * SUPPRESSED with a quiet transition — no outbox marker, and any unsent marker is dropped, so it never
 * pages. Already SUPPRESSED: nothing is written unless its content, severity or suppression (reason,
 * owner, expiry) changed, and then silently.
 */
function decideSuppressed(
  stored: FindingItem | undefined,
  f: Finding,
  at: string,
  runId: string,
  suppression: Suppression,
): Decision {
  const accepted = plainSuppression(suppression);
  if (stored?.status === "SUPPRESSED") {
    const unchanged =
      sameSuppression(stored.suppression, accepted) &&
      f.severity === stored.severity &&
      contentHash(f) === stored.contentHash;
    if (unchanged) return NO_WRITE;
    const { notifyPending: _dropped, ...life } = lifecycleOf(stored);
    const item = findingItem(f, {
      ...life,
      suppression: { ...accepted, since: stored.suppression?.since ?? at },
      lastChangedAt: at,
      runId,
      version: stored.version + 1,
    });
    return { write: true, item, expectVersion: stored.version, expectStatus: "SUPPRESSED" };
  }
  const item = findingItem(f, {
    status: "SUPPRESSED",
    firstSeen: stored?.firstSeen ?? at,
    lastChangedAt: at,
    ...(stored?.reopenedAt !== undefined ? { reopenedAt: stored.reopenedAt } : {}),
    suppression: { ...accepted, since: at },
    runId,
    version: (stored?.version ?? 0) + 1,
  });
  const transition: Transition = {
    type: "SUPPRESSED",
    finding: f,
    to: f.severity,
    at,
    runId,
    suppression: accepted,
  };
  if (stored !== undefined) transition.from = stored.severity;
  return {
    write: true,
    item,
    expectVersion: stored?.version,
    ...(stored !== undefined ? { expectStatus: stored.status } : {}),
    transition,
  };
}

/**
 * A complete scan did not produce the stored finding: an open one is RESOLVED, keeping its content (and
 * pages as info); a SUPPRESSED one is RESOLVED quietly — it was an accepted risk, so its going away pages
 * nobody — and keeps its suppression on the item.
 */
export function decideAbsent(stored: FindingItem | undefined, at: string, runId: string): Decision {
  if (stored === undefined || writtenLater(stored, at)) return NO_WRITE;
  if (stored.status === "SUPPRESSED") {
    const { notifyPending: _none, ...life } = lifecycleOf(stored);
    const item = withLifecycle(stored, {
      ...life,
      status: "RESOLVED",
      resolvedAt: at,
      lastChangedAt: at,
      runId,
      version: stored.version + 1,
    });
    const transition: Transition = {
      type: "RESOLVED",
      finding: itemToFinding(stored),
      from: stored.severity,
      to: stored.severity,
      at,
      runId,
    };
    if (stored.suppression !== undefined) transition.suppression = plainSuppression(stored.suppression);
    return { write: true, item, expectVersion: stored.version, expectStatus: "SUPPRESSED", transition };
  }
  if (stored.status !== "OPEN") return NO_WRITE;
  const marker: PendingMarker = { type: "RESOLVED", from: stored.severity, to: stored.severity, runId };
  const item = withLifecycle(stored, {
    ...lifecycleOf(stored),
    status: "RESOLVED",
    resolvedAt: at,
    lastChangedAt: at,
    runId,
    version: stored.version + 1,
    notifyPending: withMarker(stored, at, marker),
  });
  return {
    write: true,
    item,
    expectVersion: stored.version,
    expectStatus: "OPEN",
    transition: transitionOf(itemToFinding(stored), at, marker),
  };
}

/**
 * A coverage resolution: the `scan.*` finding's scope is no longer planned, so no scan will ever resolve
 * it. An open one is RESOLVED with the reason; anything else (already resolved, gone, rewritten by a
 * newer run) is left as it is.
 */
export function decideCoverageResolved(
  stored: FindingItem | undefined,
  at: string,
  runId: string,
  reason: string,
): Decision {
  if (stored === undefined || stored.status !== "OPEN" || writtenLater(stored, at)) return NO_WRITE;
  const marker: PendingMarker = {
    type: "RESOLVED",
    from: stored.severity,
    to: stored.severity,
    runId,
    reason,
  };
  const item = withLifecycle(stored, {
    ...lifecycleOf(stored),
    status: "RESOLVED",
    resolvedAt: at,
    resolvedReason: reason,
    lastChangedAt: at,
    runId,
    version: stored.version + 1,
    notifyPending: withMarker(stored, at, marker),
  });
  return {
    write: true,
    item,
    expectVersion: stored.version,
    expectStatus: "OPEN",
    transition: transitionOf(itemToFinding(stored), at, marker),
  };
}

const TYPE_ORDER: Record<TransitionType, number> = {
  NEW: 0,
  REOPENED: 1,
  ESCALATED: 2,
  SUPPRESSED: 3,
  RESOLVED: 4,
};
/** Changes that page first, then suppressions, then resolutions. */
const GROUP: Record<TransitionType, number> = {
  NEW: 0,
  REOPENED: 0,
  ESCALATED: 0,
  SUPPRESSED: 1,
  RESOLVED: 2,
};

/** Worst first: changes before suppressions and resolutions, then severity, type, rule, cluster, resource. */
export function compareTransitions(a: Transition, b: Transition): number {
  const group = GROUP[a.type] - GROUP[b.type];
  if (group !== 0) return group;
  const sev = severityRank(b.to) - severityRank(a.to);
  if (sev !== 0) return sev;
  const type = TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  if (type !== 0) return type;
  const ka = `${a.finding.ruleId}#${a.finding.cluster}#${a.finding.resourceId}#${a.at}`;
  const kb = `${b.finding.ruleId}#${b.finding.cluster}#${b.finding.resourceId}#${b.at}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
