import { type Finding, severityRank } from "#shared/findings/index.ts";
import { contentHash, findingItem, itemToFinding, lifecycleOf, withLifecycle } from "./items.ts";
import type { FindingStatus } from "./keys.ts";
import type { FindingItem, PendingMarker, Transition, TransitionType } from "./types.ts";

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
  return t;
}

/** Time only moves forward: an item last written by a newer run (`lastChangedAt` > `at`) is left as it is. */
function writtenLater(stored: FindingItem | undefined, at: string): boolean {
  return stored !== undefined && stored.lastChangedAt > at;
}

/** The scan produced `f`: NEW, REOPENED, ESCALATED, a silent update (severity fell or text changed), or nothing. */
export function decideProduced(
  stored: FindingItem | undefined,
  f: Finding,
  at: string,
  runId: string,
): Decision {
  if (writtenLater(stored, at)) return NO_WRITE;
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
  if (stored.status === "RESOLVED") {
    const marker: PendingMarker = { type: "REOPENED", from: stored.severity, to: f.severity, runId };
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
      expectStatus: "RESOLVED",
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

/** A complete scan did not produce the stored finding: an open one is RESOLVED, keeping its content. */
export function decideAbsent(stored: FindingItem | undefined, at: string, runId: string): Decision {
  if (stored === undefined || stored.status !== "OPEN" || writtenLater(stored, at)) return NO_WRITE;
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

const TYPE_ORDER: Record<TransitionType, number> = { NEW: 0, REOPENED: 1, ESCALATED: 2, RESOLVED: 3 };

/** Worst first: changes before resolutions, then severity, type, rule, cluster, resource. */
export function compareTransitions(a: Transition, b: Transition): number {
  const resolved = Number(a.type === "RESOLVED") - Number(b.type === "RESOLVED");
  if (resolved !== 0) return resolved;
  const sev = severityRank(b.to) - severityRank(a.to);
  if (sev !== 0) return sev;
  const type = TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  if (type !== 0) return type;
  const ka = `${a.finding.ruleId}#${a.finding.cluster}#${a.finding.resourceId}#${a.at}`;
  const kb = `${b.finding.ruleId}#${b.finding.cluster}#${b.finding.resourceId}#${b.at}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
