import { createHash } from "node:crypto";
import { type Finding, isSeverity, RULE_IDS, type RuleId, type Severity } from "#shared/findings/index.ts";
import {
  accountPk,
  type FindingStatus,
  findingSk,
  historySk,
  openPk,
  openSk,
  rulePk,
  ruleSk,
} from "./keys.ts";
import {
  type FindingItem,
  type HistoryEntry,
  type NotifiedState,
  type NotifiedStatus,
  type PendingMarker,
  type ReconcileLease,
  type ScopeCounts,
  type ScopeStatus,
  type StoredFinding,
  type StoredSuppression,
  type Suppression,
  TRANSITION_TYPES,
  type Transition,
  type TransitionType,
} from "./types.ts";

/**
 * Evidence is stored as JSON text of at most this many bytes. Items must stay far below DynamoDB's
 * 400 KB and both GSIs project ALL (three copies), so larger evidence is shrunk: the biggest top-level
 * values are replaced by `"[truncated: N bytes]"` and the item says `evidenceTruncated: true`.
 * The content hash covers the full evidence, so a change beyond the cap still counts as a change.
 */
export const EVIDENCE_MAX_BYTES = 16_384;
const TITLE_MAX_CHARS = 1_024;
const TEXT_MAX_CHARS = 8_192;

export class StoreDataError extends Error {
  override readonly name = "StoreDataError";
}

type Raw = Record<string, unknown>;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Raw)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/**
 * Hash of what a user reads and what routes it: a finding whose hash and severity are unchanged is not
 * written. The team counts only when set, so findings without one keep the hashes they were stored with.
 */
export function contentHash(
  f: Pick<Finding, "title" | "detail" | "remediation" | "evidence" | "team">,
): string {
  const content = [f.title, f.detail, f.remediation, canonical(f.evidence)];
  const text = JSON.stringify(f.team === undefined ? content : [...content, { team: f.team }]);
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

export function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 14)}… (truncated)`;
}

export interface CappedEvidence {
  json: string;
  bytes: number;
  truncated: boolean;
}

export function capEvidence(
  evidence: Record<string, unknown>,
  maxBytes = EVIDENCE_MAX_BYTES,
): CappedEvidence {
  const json = JSON.stringify(evidence) ?? "{}";
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return { json, bytes, truncated: false };
  const sizes = Object.entries(evidence)
    .map(([key, value]) => ({ key, size: Buffer.byteLength(JSON.stringify(value) ?? "") }))
    .sort((a, b) => b.size - a.size);
  const shrunk: Raw = { ...evidence };
  for (const { key, size } of sizes) {
    shrunk[key] = `[truncated: ${size} bytes]`;
    const candidate = JSON.stringify(shrunk);
    if (Buffer.byteLength(candidate) <= maxBytes) return { json: candidate, bytes, truncated: true };
  }
  const keys = Object.keys(evidence);
  const summary = JSON.stringify({ truncated: `[truncated: ${bytes} bytes]`, keys: keys.slice(0, 50) });
  return {
    json: Buffer.byteLength(summary) <= maxBytes ? summary : JSON.stringify({ truncated: bytes }),
    bytes,
    truncated: true,
  };
}

/** Lifecycle fields of a finding item; the content comes from the finding. */
export interface FindingLifecycle {
  status: FindingStatus;
  firstSeen: string;
  lastChangedAt: string;
  resolvedAt?: string;
  resolvedReason?: string;
  reopenedAt?: string;
  suppression?: StoredSuppression;
  runId: string;
  version: number;
  notifyPending?: Record<string, PendingMarker>;
}

export function findingItem(f: Finding, life: FindingLifecycle): FindingItem {
  const evidence = capEvidence(f.evidence);
  const item: FindingItem = {
    pk: accountPk(f.accountId),
    sk: findingSk(f),
    itemType: "FINDING",
    accountId: f.accountId,
    region: f.region,
    cluster: f.cluster,
    ruleId: f.ruleId,
    resourceId: f.resourceId,
    ...(f.variant ? { variant: f.variant } : {}),
    ...(f.team ? { team: f.team } : {}),
    status: life.status,
    severity: f.severity,
    title: capText(f.title, TITLE_MAX_CHARS),
    detail: capText(f.detail, TEXT_MAX_CHARS),
    remediation: capText(f.remediation, TEXT_MAX_CHARS),
    evidence: evidence.json,
    evidenceBytes: evidence.bytes,
    evidenceTruncated: evidence.truncated,
    contentHash: contentHash(f),
    firstSeen: life.firstSeen,
    lastChangedAt: life.lastChangedAt,
    runId: life.runId,
    version: life.version,
    gsi2pk: rulePk(f.ruleId),
    gsi2sk: ruleSk(life.status, f),
  };
  return withLifecycle(item, life);
}

/**
 * Applies status-dependent fields: the sparse GSI1 keys exist only while OPEN (so a SUPPRESSED finding is
 * never among the open findings by severity); GSI2's sort key starts with the status.
 */
export function withLifecycle(item: FindingItem, life: FindingLifecycle): FindingItem {
  const {
    gsi1pk: _pk,
    gsi1sk: _sk,
    resolvedAt: _r,
    resolvedReason: _rr,
    reopenedAt: _o,
    suppression: _s,
    notifyPending: _n,
    ...rest
  } = item;
  const next: FindingItem = {
    ...rest,
    status: life.status,
    firstSeen: life.firstSeen,
    lastChangedAt: life.lastChangedAt,
    runId: life.runId,
    version: life.version,
    gsi2sk: ruleSk(life.status, item),
  };
  if (life.status === "OPEN") {
    next.gsi1pk = openPk(item.severity);
    next.gsi1sk = openSk(item);
  }
  if (life.resolvedAt !== undefined) next.resolvedAt = life.resolvedAt;
  if (life.resolvedReason !== undefined) next.resolvedReason = life.resolvedReason;
  if (life.reopenedAt !== undefined) next.reopenedAt = life.reopenedAt;
  if (life.suppression !== undefined) next.suppression = life.suppression;
  // A SUPPRESSED item never pages: it carries no outbox marker.
  if (life.status !== "SUPPRESSED" && life.notifyPending && Object.keys(life.notifyPending).length > 0)
    next.notifyPending = life.notifyPending;
  return next;
}

export function lifecycleOf(item: FindingItem): FindingLifecycle {
  const life: FindingLifecycle = {
    status: item.status,
    firstSeen: item.firstSeen,
    lastChangedAt: item.lastChangedAt,
    runId: item.runId,
    version: item.version,
  };
  if (item.resolvedAt !== undefined) life.resolvedAt = item.resolvedAt;
  if (item.resolvedReason !== undefined) life.resolvedReason = item.resolvedReason;
  if (item.reopenedAt !== undefined) life.reopenedAt = item.reopenedAt;
  if (item.suppression !== undefined) life.suppression = item.suppression;
  if (item.notifyPending !== undefined) life.notifyPending = item.notifyPending;
  return life;
}

export function itemToFinding(item: FindingItem): Finding {
  let evidence: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(item.evidence);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) evidence = parsed as Raw;
  } catch {
    evidence = { unreadable: item.evidence.slice(0, 200) };
  }
  return {
    accountId: item.accountId,
    region: item.region,
    cluster: item.cluster,
    ruleId: item.ruleId,
    resourceId: item.resourceId,
    ...(item.variant ? { variant: item.variant } : {}),
    severity: item.severity,
    title: item.title,
    detail: item.detail,
    remediation: item.remediation,
    evidence,
    ...(item.team ? { team: item.team } : {}),
  };
}

export function itemToStoredFinding(item: FindingItem): StoredFinding {
  const stored: StoredFinding = {
    ...itemToFinding(item),
    status: item.status,
    firstSeen: item.firstSeen,
    lastChangedAt: item.lastChangedAt,
    evidenceTruncated: item.evidenceTruncated,
    version: item.version,
  };
  if (item.resolvedAt !== undefined) stored.resolvedAt = item.resolvedAt;
  if (item.resolvedReason !== undefined) stored.resolvedReason = item.resolvedReason;
  if (item.reopenedAt !== undefined) stored.reopenedAt = item.reopenedAt;
  if (item.suppression !== undefined) stored.suppression = item.suppression;
  return stored;
}

/** The history item of a transition (quiet ones included: the audit log says when a risk was accepted). */
export function historyItem(
  item: FindingItem,
  t: Pick<
    Transition,
    "type" | "from" | "to" | "at" | "runId" | "reason" | "suppression" | "suppressionEnded"
  >,
  retentionDays: number,
): HistoryEntry & { pk: string; sk: string; itemType: "HISTORY" } {
  const { at } = t;
  const entry: HistoryEntry & { pk: string; sk: string; itemType: "HISTORY" } = {
    pk: item.pk,
    sk: historySk(item, at),
    itemType: "HISTORY",
    accountId: item.accountId,
    region: item.region,
    cluster: item.cluster,
    ruleId: item.ruleId,
    resourceId: item.resourceId,
    ...(item.variant ? { variant: item.variant } : {}),
    findingSk: item.sk,
    type: t.type,
    to: t.to,
    at,
    runId: t.runId,
    title: item.title,
    detail: item.detail,
    expiresAt: Math.floor(Date.parse(at) / 1000) + retentionDays * 86_400,
  };
  if (t.from !== undefined) entry.from = t.from;
  if (t.reason !== undefined) entry.reason = t.reason;
  if (t.suppression !== undefined) entry.suppression = t.suppression;
  if (t.suppressionEnded !== undefined) entry.suppressionEnded = t.suppressionEnded;
  return entry;
}

// ---- parsing what DynamoDB returns --------------------------------------------------------------

function str(raw: Raw, name: string): string {
  const v = raw[name];
  if (typeof v !== "string")
    throw new StoreDataError(`${String(raw.pk)} ${String(raw.sk)}: ${name} is not a string`);
  return v;
}

function optStr(raw: Raw, name: string): string | undefined {
  const v = raw[name];
  return typeof v === "string" ? v : undefined;
}

function num(raw: Raw, name: string, fallback?: number): number {
  const v = raw[name];
  if (typeof v === "number") return v;
  if (fallback !== undefined) return fallback;
  throw new StoreDataError(`${String(raw.pk)} ${String(raw.sk)}: ${name} is not a number`);
}

function severity(raw: Raw, name: string): Severity {
  const v = str(raw, name);
  if (!isSeverity(v)) throw new StoreDataError(`${String(raw.pk)} ${String(raw.sk)}: unknown ${name} ${v}`);
  return v;
}

function optSeverity(raw: Raw, name: string): Severity | undefined {
  const v = raw[name];
  return typeof v === "string" && isSeverity(v) ? v : undefined;
}

function ruleId(raw: Raw): RuleId {
  const v = str(raw, "ruleId");
  const known = RULE_IDS.find((id) => id === v);
  if (known === undefined)
    throw new StoreDataError(`${String(raw.pk)} ${String(raw.sk)}: unknown ruleId ${v}`);
  return known;
}

function isTransitionType(v: unknown): v is TransitionType {
  return typeof v === "string" && (TRANSITION_TYPES as readonly string[]).includes(v);
}

function record(v: unknown): Raw | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined;
}

function suppressionOf(v: unknown): Suppression | undefined {
  const raw = record(v);
  const reason = raw === undefined ? undefined : optStr(raw, "reason");
  if (raw === undefined || reason === undefined) return undefined;
  const owner = optStr(raw, "owner");
  const expires = optStr(raw, "expires");
  return {
    reason,
    ...(owner !== undefined ? { owner } : {}),
    ...(expires !== undefined ? { expires } : {}),
  };
}

function storedSuppressionOf(v: unknown): StoredSuppression | undefined {
  const suppression = suppressionOf(v);
  const since = optStr(record(v) ?? {}, "since");
  return suppression === undefined || since === undefined ? undefined : { ...suppression, since };
}

function markers(v: unknown): Record<string, PendingMarker> | undefined {
  const map = record(v);
  if (map === undefined) return undefined;
  const out: Record<string, PendingMarker> = {};
  for (const [at, value] of Object.entries(map)) {
    const m = record(value);
    if (m === undefined || !isTransitionType(m.type)) continue;
    const to = optSeverity(m, "to");
    if (to === undefined) continue;
    const marker: PendingMarker = { type: m.type, to, runId: typeof m.runId === "string" ? m.runId : "" };
    const from = optSeverity(m, "from");
    if (from !== undefined) marker.from = from;
    const reason = optStr(m, "reason");
    if (reason !== undefined) marker.reason = reason;
    const delivered = m.deliveredTo;
    if (Array.isArray(delivered)) marker.deliveredTo = delivered.filter((c) => typeof c === "string");
    const ended = suppressionOf(m.suppressionEnded);
    if (ended !== undefined) marker.suppressionEnded = ended;
    out[at] = marker;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function parseFindingItem(raw: Raw): FindingItem {
  const status = str(raw, "status");
  if (status !== "OPEN" && status !== "RESOLVED" && status !== "SUPPRESSED") {
    throw new StoreDataError(`${String(raw.pk)} ${String(raw.sk)}: unknown status ${status}`);
  }
  const item: FindingItem = {
    pk: str(raw, "pk"),
    sk: str(raw, "sk"),
    itemType: "FINDING",
    accountId: str(raw, "accountId"),
    region: str(raw, "region"),
    cluster: str(raw, "cluster"),
    ruleId: ruleId(raw),
    resourceId: str(raw, "resourceId"),
    ...(optStr(raw, "variant") ? { variant: optStr(raw, "variant") } : {}),
    ...(optStr(raw, "team") ? { team: optStr(raw, "team") } : {}),
    status,
    severity: severity(raw, "severity"),
    title: str(raw, "title"),
    detail: str(raw, "detail"),
    remediation: str(raw, "remediation"),
    evidence: optStr(raw, "evidence") ?? "{}",
    evidenceBytes: num(raw, "evidenceBytes", 0),
    evidenceTruncated: raw.evidenceTruncated === true,
    contentHash: optStr(raw, "contentHash") ?? "",
    firstSeen: str(raw, "firstSeen"),
    lastChangedAt: str(raw, "lastChangedAt"),
    runId: optStr(raw, "runId") ?? "",
    version: num(raw, "version"),
    gsi2pk: str(raw, "gsi2pk"),
    gsi2sk: str(raw, "gsi2sk"),
  };
  const optional = ["resolvedAt", "resolvedReason", "reopenedAt", "gsi1pk", "gsi1sk"] as const;
  for (const name of optional) {
    const v = optStr(raw, name);
    if (v !== undefined) item[name] = v;
  }
  const suppression = storedSuppressionOf(raw.suppression);
  if (suppression !== undefined) item.suppression = suppression;
  const pending = markers(raw.notifyPending);
  if (pending !== undefined) item.notifyPending = pending;
  return item;
}

export function parseHistoryItem(raw: Raw): HistoryEntry {
  const type = raw.type;
  if (!isTransitionType(type))
    throw new StoreDataError(`${String(raw.sk)}: unknown transition ${String(type)}`);
  const entry: HistoryEntry = {
    accountId: str(raw, "accountId"),
    region: str(raw, "region"),
    cluster: str(raw, "cluster"),
    ruleId: ruleId(raw),
    resourceId: str(raw, "resourceId"),
    ...(optStr(raw, "variant") ? { variant: optStr(raw, "variant") } : {}),
    findingSk: str(raw, "findingSk"),
    type,
    to: severity(raw, "to"),
    at: str(raw, "at"),
    runId: str(raw, "runId"),
    title: str(raw, "title"),
    detail: str(raw, "detail"),
    expiresAt: num(raw, "expiresAt"),
  };
  const from = optSeverity(raw, "from");
  if (from !== undefined) entry.from = from;
  const reason = optStr(raw, "reason");
  if (reason !== undefined) entry.reason = reason;
  const suppression = suppressionOf(raw.suppression);
  if (suppression !== undefined) entry.suppression = suppression;
  const ended = suppressionOf(raw.suppressionEnded);
  if (ended !== undefined) entry.suppressionEnded = ended;
  return entry;
}

export function countsOf(v: unknown): ScopeCounts {
  const raw = record(v) ?? {};
  const bySev = record(raw.openBySeverity) ?? {};
  const byType = record(raw.transitions) ?? {};
  const n = (r: Raw, k: string) => (typeof r[k] === "number" ? (r[k] as number) : 0);
  return {
    findings: n(raw, "findings"),
    open: n(raw, "open"),
    openBySeverity: {
      CRITICAL: n(bySev, "CRITICAL"),
      HIGH: n(bySev, "HIGH"),
      MEDIUM: n(bySev, "MEDIUM"),
      LOW: n(bySev, "LOW"),
      INFO: n(bySev, "INFO"),
    },
    suppressed: n(raw, "suppressed"),
    transitions: {
      NEW: n(byType, "NEW"),
      REOPENED: n(byType, "REOPENED"),
      ESCALATED: n(byType, "ESCALATED"),
      SUPPRESSED: n(byType, "SUPPRESSED"),
      RESOLVED: n(byType, "RESOLVED"),
    },
  };
}

const NOTIFIED_STATUSES: readonly NotifiedStatus[] = ["claimed", "sent", "idle", "failed"];

export function parseNotifiedState(v: unknown): NotifiedState | undefined {
  const raw = record(v);
  if (raw === undefined) return undefined;
  const status = NOTIFIED_STATUSES.find((s) => s === raw.status);
  if (status === undefined) return undefined;
  const state: NotifiedState = {
    status,
    owner: optStr(raw, "owner") ?? "",
    runId: optStr(raw, "runId") ?? "",
    at: optStr(raw, "at") ?? "",
  };
  if (typeof raw.leaseUntil === "number") state.leaseUntil = raw.leaseUntil;
  const messageId = optStr(raw, "messageId");
  if (messageId !== undefined) state.messageId = messageId;
  if (typeof raw.transitions === "number") state.transitions = raw.transitions;
  return state;
}

export function parseReconcileLease(v: unknown): ReconcileLease | undefined {
  const raw = record(v);
  if (raw === undefined || typeof raw.leaseUntil !== "number") return undefined;
  return {
    owner: optStr(raw, "owner") ?? "",
    runId: optStr(raw, "runId") ?? "",
    at: optStr(raw, "at") ?? "",
    leaseUntil: raw.leaseUntil,
  };
}

/** Pending when some reconcile announced an outbox entry after the last completed notification. */
export function pendingNotifications(raw: Raw): boolean {
  return num(raw, "pendingEpoch", 0) > num(raw, "notifiedEpoch", 0);
}

/** Undefined for a scope never reconciled (an item holding only notification state). */
export function parseScopeItem(raw: Raw): ScopeStatus | undefined {
  const status = raw.status;
  if ((status !== "complete" && status !== "failed") || typeof raw.lastScanAt !== "string") return undefined;
  const scope: ScopeStatus = {
    accountId: str(raw, "accountId"),
    region: str(raw, "region"),
    status,
    runId: optStr(raw, "runId") ?? "",
    lastScanAt: raw.lastScanAt,
    counts: countsOf(raw.counts),
    pendingNotifications: pendingNotifications(raw),
  };
  const lastComplete = optStr(raw, "lastCompleteScanAt");
  if (lastComplete !== undefined) scope.lastCompleteScanAt = lastComplete;
  const error = record(raw.error);
  if (error && typeof error.name === "string" && typeof error.message === "string") {
    scope.error = { name: error.name, message: error.message };
  }
  const notified = parseNotifiedState(raw.notifiedState);
  if (notified !== undefined) scope.notifiedState = notified;
  const lease = parseReconcileLease(raw.reconcileLease);
  if (lease !== undefined) scope.reconcileLease = lease;
  return scope;
}
