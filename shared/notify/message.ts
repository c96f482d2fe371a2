import type { MessageAttributeValue } from "@aws-sdk/client-sns";
import { atLeast, type Severity, worstSeverity } from "#shared/findings/index.ts";
import type { AccountRegion } from "#shared/store/keys.ts";
import { compareTransitions, isQuietTransition } from "#shared/store/transitions.ts";
import { TRANSITION_TYPES, type Transition, type TransitionType } from "#shared/store/types.ts";

/** SNS limit for one message, attributes included (the whole JSON-structured message counts). */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** SNS limit for Subject (email subject line): printable ASCII, no line breaks. */
export const SUBJECT_MAX_CHARS = 100;
export const MESSAGE_VERSION = 1;
export const DEFAULT_MIN_SEVERITY: Severity = "HIGH";
/** One transition's text fields are cut here so that one huge finding cannot crowd out the rest. */
const FIELD_MAX_CHARS = 4_000;

export interface AlertOptions {
  /** Transitions at or above it page; RESOLVED counts at the severity it had while open. */
  minSeverity: Severity;
  /** Defaults to SNS_MAX_MESSAGE_BYTES; above it the message is summarised. */
  maxBytes?: number;
}

/**
 * What a message is about, as its `kind` message attribute: `coverage` (scan.* changes: an account-region
 * or a resource the auditor could not read) or `findings` (everything else). One message per kind, so a
 * filter policy on `kind` routes coverage to the platform owners and findings to the teams that fix them.
 */
export type AlertKind = "coverage" | "findings";

export function alertKindOf(t: Transition): AlertKind {
  return t.finding.ruleId.startsWith("scan.") ? "coverage" : "findings";
}

export interface Alert {
  kind: AlertKind;
  subject: string;
  /** The `MessageStructure: "json"` body: `default`/`email` text, `sqs`/`lambda`/`https` JSON. */
  message: string;
  attributes: Record<string, MessageAttributeValue>;
  /** The email text (also `default`). */
  text: string;
  /** Highest severity of the included transitions. */
  severity: Severity;
  /** Transitions the message is about, worst first (all of them, even when summarised). */
  transitions: Transition[];
  /** How many are listed one by one; the rest only count in the summary. */
  detailed: number;
  summarised: boolean;
  /** Message plus attributes, as SNS counts them. */
  bytes: number;
}

/** The JSON variant (`sqs`, `lambda`, `https`). */
export interface AlertJson {
  version: number;
  kind: AlertKind;
  accountId: string;
  region: string;
  runId: string;
  severity: Severity;
  total: number;
  summarised: boolean;
  /** Transitions counted but not listed (summarised messages). */
  omitted: number;
  counts: {
    byType: Partial<Record<TransitionType, number>>;
    bySeverity: Partial<Record<Severity, number>>;
    byRule: Record<string, Partial<Record<TransitionType, number>>>;
  };
  transitions: AlertJsonTransition[];
}

export interface AlertJsonTransition {
  type: TransitionType;
  ruleId: string;
  severity: Severity;
  previousSeverity?: Severity;
  cluster: string;
  resourceId: string;
  title: string;
  detail: string;
  remediation: string;
  at: string;
}

/**
 * Which transitions a message carries. A scope pages when at least one transition is at or above
 * the threshold — RESOLVED counting at the severity the finding had, so a resolution alone pages
 * only when that finding was at or above the threshold. A message that goes out anyway also lists
 * the scope's other resolutions (as info); changes below the threshold are left out. Suppressed
 * transitions (SUPPRESSED, and RESOLVED of a suppressed finding: accepted risks) never page.
 * Empty: no message.
 */
export function selectTransitions(transitions: readonly Transition[], minSeverity: Severity): Transition[] {
  const paging = transitions.filter((t) => !isQuietTransition(t));
  if (!paging.some((t) => atLeast(t.to, minSeverity))) return [];
  return paging.filter((t) => t.type === "RESOLVED" || atLeast(t.to, minSeverity)).sort(compareTransitions);
}

/** The severity word shown in text: resolutions are good news and read as info. */
function label(t: Transition): string {
  return t.type === "RESOLVED" ? "INFO" : t.to;
}

function cut(text: string, max = FIELD_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 14)}… (truncated)`;
}

/** Printable ASCII on one line, as SNS requires of a subject. */
function ascii(text: string): string {
  return text
    .replace(/[^ -~]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** `[eks-auditor] HIGH NEW elb.no-eligible-subnet in 111122223333 eu-west-1 (+3 more)`, at most 100 characters. */
export function alertSubject(scope: AccountRegion, worst: Transition, more: number): string {
  const change = `${label(worst)} ${worst.type}`;
  const where = `${ascii(scope.accountId)} ${ascii(scope.region)}`;
  const suffix = more > 0 ? ` (+${more} more)` : "";
  const rule = ascii(worst.finding.ruleId);
  const candidates = [
    `[eks-auditor] ${change} ${rule} in ${where}${suffix}`,
    `[eks-auditor] ${change} ${rule} ${where}${suffix}`,
    `${change} ${rule} ${where}${suffix}`,
  ];
  const fits = candidates.find((s) => s.length <= SUBJECT_MAX_CHARS);
  if (fits !== undefined) return fits;
  const room = SUBJECT_MAX_CHARS - `${change}  ${where}${suffix}`.length;
  const shortRule = room >= 8 ? `${rule.slice(0, room - 3)}...` : "";
  return ascii(`${change} ${shortRule} ${where}${suffix}`).slice(0, SUBJECT_MAX_CHARS).trim();
}

function jsonTransition(t: Transition): AlertJsonTransition {
  const out: AlertJsonTransition = {
    type: t.type,
    ruleId: t.finding.ruleId,
    severity: t.to,
    cluster: t.finding.cluster,
    resourceId: t.finding.resourceId,
    title: cut(t.finding.title),
    detail: cut(t.finding.detail),
    remediation: cut(t.finding.remediation),
    at: t.at,
  };
  if (t.from !== undefined && t.from !== t.to) out.previousSeverity = t.from;
  return out;
}

function textTransition(t: Transition, index: number): string {
  const was =
    t.type === "RESOLVED"
      ? ` (was ${t.to})`
      : t.from !== undefined && t.from !== t.to
        ? ` (was ${t.from})`
        : "";
  const lines = [
    `${index}. ${label(t)} ${t.type}${was} ${t.finding.ruleId}: ${cut(t.finding.title)}`,
    `   Cluster: ${t.finding.cluster}   Resource: ${t.finding.resourceId}`,
  ];
  if (t.type === "RESOLVED") {
    lines.push(`   No longer found by the complete scan of ${t.at}.`);
  } else {
    lines.push(`   ${cut(t.finding.detail)}`);
    lines.push(`   Fix: ${cut(t.finding.remediation).replace(/\n/g, "\n        ")}`);
  }
  return lines.join("\n");
}

function countsOf(transitions: readonly Transition[]): AlertJson["counts"] {
  const counts: AlertJson["counts"] = { byType: {}, bySeverity: {}, byRule: {} };
  for (const t of transitions) {
    counts.byType[t.type] = (counts.byType[t.type] ?? 0) + 1;
    counts.bySeverity[t.to] = (counts.bySeverity[t.to] ?? 0) + 1;
    const rule = counts.byRule[t.finding.ruleId] ?? {};
    counts.byRule[t.finding.ruleId] = rule;
    rule[t.type] = (rule[t.type] ?? 0) + 1;
  }
  return counts;
}

function typeCounts(counts: Partial<Record<TransitionType, number>>): string {
  return TRANSITION_TYPES.filter((type) => (counts[type] ?? 0) > 0)
    .map((type) => `${type} ${counts[type]}`)
    .join(", ");
}

function attributesOf(
  scope: AccountRegion,
  severity: Severity,
  kind: AlertKind,
  transitions: readonly Transition[],
) {
  const ruleIds = [...new Set(transitions.map((t) => t.finding.ruleId))].sort();
  const types = TRANSITION_TYPES.filter((type) => transitions.some((t) => t.type === type));
  const attributes: Record<string, MessageAttributeValue> = {
    severity: { DataType: "String", StringValue: severity },
    kind: { DataType: "String", StringValue: kind },
    accountId: { DataType: "String", StringValue: scope.accountId },
    region: { DataType: "String", StringValue: scope.region },
    ruleIds: { DataType: "String.Array", StringValue: JSON.stringify(ruleIds) },
    transitions: { DataType: "String.Array", StringValue: JSON.stringify(types) },
  };
  return attributes;
}

/** Bytes SNS counts for attributes: name, type and value of each. */
export function attributesBytes(attributes: Record<string, MessageAttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    bytes +=
      value.StringValue !== undefined
        ? Buffer.byteLength(value.StringValue)
        : (value.BinaryValue?.length ?? 0);
  }
  return bytes;
}

/**
 * The messages for a scope's transitions of a run: one per kind (coverage, findings) that reaches the
 * threshold, coverage first.
 */
export function buildAlerts(
  scope: AccountRegion,
  runId: string,
  transitions: readonly Transition[],
  options: AlertOptions,
): Alert[] {
  const kinds: AlertKind[] = ["coverage", "findings"];
  return kinds.flatMap((kind) => {
    const alert = buildAlert(
      scope,
      runId,
      transitions.filter((t) => alertKindOf(t) === kind),
      options,
    );
    return alert === undefined ? [] : [alert];
  });
}

/**
 * The one message for transitions of one kind of a scope's run, or undefined when nothing reaches the
 * threshold.
 * Summarised when the full message would pass `maxBytes`: counts per type, severity and rule, and
 * the worst transitions that fit, then "…and N more".
 */
export function buildAlert(
  scope: AccountRegion,
  runId: string,
  transitions: readonly Transition[],
  options: AlertOptions,
): Alert | undefined {
  const included = selectTransitions(transitions, options.minSeverity);
  const worst = included[0];
  if (worst === undefined) return undefined;
  const kinds = new Set(included.map(alertKindOf));
  if (kinds.size > 1) throw new RangeError("buildAlert: one kind per message; use buildAlerts");
  const kind = alertKindOf(worst);
  const severity = worstSeverity(included.map((t) => t.to)) ?? worst.to;
  const maxBytes = options.maxBytes ?? SNS_MAX_MESSAGE_BYTES;
  const attributes = attributesOf(scope, severity, kind, included);
  const overhead = attributesBytes(attributes);
  const counts = countsOf(included);
  const subject = alertSubject(scope, worst, included.length - 1);

  const render = (detailed: number, summarised: boolean) => {
    const listed = included.slice(0, detailed);
    const omitted = included.length - detailed;
    const changes = included.length === 1 ? "1 change" : `${included.length} changes`;
    const about = kind === "coverage" ? `${changes} of coverage (what the auditor could read)` : changes;
    const head = [
      `eks-auditor: ${about} in account ${scope.accountId}, region ${scope.region} (run ${runId}).`,
      `Highest severity: ${severity}. Paging at ${options.minSeverity} and above; resolutions are listed as INFO.`,
    ];
    if (summarised) {
      head.push("", `Summary: ${typeCounts(counts.byType)}.`, "By rule:");
      for (const [rule, byType] of Object.entries(counts.byRule).sort(([a], [b]) => (a < b ? -1 : 1))) {
        head.push(`  ${rule}: ${typeCounts(byType)}`);
      }
      head.push("", `The ${detailed} worst follow.`);
    }
    const body = listed.map((t, i) => textTransition(t, i + 1));
    const tail = omitted > 0 ? [`…and ${omitted} more.`] : [];
    const text = [...head, "", ...body.flatMap((b) => [b, ""]), ...tail].join("\n").trimEnd();
    const json: AlertJson = {
      version: MESSAGE_VERSION,
      kind,
      accountId: scope.accountId,
      region: scope.region,
      runId,
      severity,
      total: included.length,
      summarised,
      omitted,
      counts,
      transitions: listed.map(jsonTransition),
    };
    const jsonText = JSON.stringify(json);
    const message = JSON.stringify({
      default: text,
      email: text,
      sqs: jsonText,
      lambda: jsonText,
      https: jsonText,
    });
    return { text, message, bytes: Buffer.byteLength(message) + overhead };
  };

  const alert = (detailed: number, summarised: boolean, r: ReturnType<typeof render>): Alert => ({
    kind,
    subject,
    message: r.message,
    attributes,
    text: r.text,
    severity,
    transitions: included,
    detailed,
    summarised,
    bytes: r.bytes,
  });

  const full = render(included.length, false);
  if (full.bytes <= maxBytes) return alert(included.length, false, full);
  // Largest number of listed transitions that still fits, by bisection.
  let low = 0;
  let high = included.length - 1;
  let best = render(0, true);
  if (best.bytes > maxBytes) {
    throw new RangeError(`The alert summary alone is ${best.bytes} bytes, above the ${maxBytes}-byte limit.`);
  }
  let bestCount = 0;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const candidate = render(mid, true);
    if (candidate.bytes <= maxBytes) {
      low = mid;
      best = candidate;
      bestCount = mid;
    } else {
      high = mid - 1;
    }
  }
  return alert(bestCount, true, best);
}

/** A run in which every account-region failed: what the CLI pages once, whatever changed in the store. */
export interface UnreachedRun {
  runId: string;
  /** Account-regions planned (all of them failed). */
  scopes: number;
  /** Failed scopes by the scan.* rule their error maps to. */
  byRule: Record<string, number>;
  /** A few `account/region: ErrorName` lines. */
  examples: string[];
}

/**
 * The alert for a run that scanned nothing: HIGH, `kind=coverage`, so that the platform owners' filter
 * policy gets it. Without it an all-failed re-run pages nobody (no finding changed).
 */
export function buildUnreachedRunAlert(run: UnreachedRun): Alert {
  const subject = ascii(
    `[eks-auditor] HIGH run reached nothing: 0 of ${run.scopes} account-regions scanned`,
  ).slice(0, SUBJECT_MAX_CHARS);
  const ruleIds = Object.keys(run.byRule).sort();
  const text = [
    `eks-auditor: run ${run.runId} could not scan any of its ${run.scopes} account-region(s). Nothing was audited,`,
    "and no finding was resolved. By cause:",
    ...ruleIds.map((rule) => `  ${rule}: ${run.byRule[rule]}`),
    "",
    ...run.examples.map((e) => `  ${e}`),
    "",
    'Fix: check the caller\'s credentials and the member role (README "Deploy"), then re-run the scan.',
  ].join("\n");
  const json = { version: MESSAGE_VERSION, kind: "coverage", ...run };
  const jsonText = JSON.stringify(json);
  const message = JSON.stringify({
    default: text,
    email: text,
    sqs: jsonText,
    lambda: jsonText,
    https: jsonText,
  });
  const attributes: Record<string, MessageAttributeValue> = {
    severity: { DataType: "String", StringValue: "HIGH" },
    kind: { DataType: "String", StringValue: "coverage" },
    ruleIds: { DataType: "String.Array", StringValue: JSON.stringify(ruleIds) },
  };
  return {
    kind: "coverage",
    subject,
    message,
    attributes,
    text,
    severity: "HIGH",
    transitions: [],
    detailed: 0,
    summarised: false,
    bytes: Buffer.byteLength(message) + attributesBytes(attributes),
  };
}
