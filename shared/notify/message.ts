import type { MessageAttributeValue } from "@aws-sdk/client-sns";
import {
  atLeast,
  findingId,
  NO_CLUSTER,
  type Severity,
  severityRank,
  worstSeverity,
} from "#shared/findings/index.ts";
import type { AccountRegion } from "#shared/store/keys.ts";
import { compareTransitions, isQuietTransition } from "#shared/store/transitions.ts";
import { TRANSITION_TYPES, type Transition, type TransitionType } from "#shared/store/types.ts";
import { type ConsoleLink, explainCommands, findingLinks } from "./links.ts";

/** SNS limit for one message, attributes included (the whole JSON-structured message counts). */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** SNS limit for Subject (email subject line): printable ASCII, no line breaks. */
export const SUBJECT_MAX_CHARS = 100;
/**
 * Version of the JSON variant (`schemaVersion`). 2: `findingId`, `variant`, `team`, `links`, `explain` and
 * `reason` per transition, `accountName` and `teams` per message; `version` became `schemaVersion`.
 */
export const MESSAGE_VERSION = 2;
export const DEFAULT_MIN_SEVERITY: Severity = "HIGH";
/** One transition's text fields are cut here so that one huge finding cannot crowd out the rest. */
const FIELD_MAX_CHARS = 4_000;

/** The account-region a message is about, with the account's name when Organizations gave one. */
export interface AlertScope extends AccountRegion {
  accountName?: string;
}

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
  schemaVersion: number;
  kind: AlertKind;
  accountId: string;
  /** From Organizations; absent when the accounts come from a static list. */
  accountName?: string;
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
  /** The `team` attribute: owning teams of the clusters whose changes page, `-` for untagged ones. */
  teams: string[];
  transitions: AlertJsonTransition[];
}

export interface AlertJsonTransition {
  /** Stable id of the finding (`findingId`): equal across runs and messages, for deduplication. */
  findingId: string;
  type: TransitionType;
  ruleId: string;
  severity: Severity;
  previousSeverity?: Severity;
  cluster: string;
  resourceId: string;
  /** Tells apart two findings of one rule on one resource (the load-balancer scheme, a health issue code). */
  variant?: string;
  /** The owning team, from the cluster's tags. */
  team?: string;
  title: string;
  detail: string;
  remediation: string;
  /** Console pages of the cluster and the resource (partition- and region-aware). */
  links: ConsoleLink[];
  /** `eks-audit` commands that explain the finding (`lb-subnets`, `ip-cost`). */
  explain: string[];
  at: string;
  /** Why a coverage finding was resolved without a scan of its scope. */
  reason?: string;
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

/** `text` cut to `max` characters, `...` marking the cut (never below 4 characters). */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 3))}...`;
}

/** Shortest a cluster or account name is cut to before it is left out of the subject. */
const SUBJECT_NAME_MIN = 8;

/**
 * `[eks-auditor] HIGH NEW elb.no-eligible-subnet on payments-euw1 in payments-prod (222233334444) eu-west-1 (+3 more)`:
 * the worst change's severity, type and rule, its cluster, the account's name and id, the region, and how
 * many more changes the message holds — printable ASCII, at most 100 characters. When that is too long the
 * prefix and the words go first, then the cluster and account names are cut (the longer first, each to
 * no less than 8 characters), then the change type, then the account name and the cluster are left out,
 * and last the rule id is cut; the severity, the account id and the region always stay.
 */
export function alertSubject(scope: AlertScope, worst: Transition, more: number): string {
  const severity = label(worst);
  const change = `${severity} ${worst.type}`;
  const id = ascii(scope.accountId);
  const region = ascii(scope.region);
  const suffix = more > 0 ? ` (+${more} more)` : "";
  const rule = ascii(worst.finding.ruleId);
  const cluster = worst.finding.cluster === NO_CLUSTER ? "" : ascii(worst.finding.cluster);
  const name = ascii(scope.accountName ?? "");
  const fits = (text: string) => text.length <= SUBJECT_MAX_CHARS;
  const wordy = (c: string, n: string) =>
    `${change} ${rule}${c ? ` on ${c}` : ""} in ${n ? `${n} (${id})` : id} ${region}${suffix}`;
  const terse = (head: string, r: string, c: string, n: string) =>
    [head, r, c, n, id, region].filter((p) => p !== "").join(" ") + suffix;
  /** The terse form with the longer of the two names cut, one character at a time, while both stay readable. */
  const cutNames = (head: string, c: string, n: string): string | undefined => {
    for (;;) {
      const text = terse(head, rule, c, n);
      if (fits(text)) return text;
      const cutCluster = c.length >= n.length;
      const longer = cutCluster ? c : n;
      if (longer.length <= SUBJECT_NAME_MIN) return undefined;
      if (cutCluster) c = shorten(c, c.length - 1);
      else n = shorten(n, n.length - 1);
    }
  };
  const found =
    [`[eks-auditor] ${wordy(cluster, name)}`, wordy(cluster, name)].find(fits) ??
    cutNames(change, cluster, name) ??
    cutNames(severity, cluster, name) ??
    cutNames(severity, cluster, "") ??
    cutNames(severity, "", "");
  if (found !== undefined) return found;
  const room = SUBJECT_MAX_CHARS - terse(severity, "", "", "").length - 1;
  return terse(severity, room >= 8 ? shorten(rule, room) : "", "", "")
    .slice(0, SUBJECT_MAX_CHARS)
    .trim();
}

/**
 * The `team` value of changes whose cluster has no team tag (or that are about no cluster): a catch-all
 * subscription (`{"team":["-"]}`) gets them, so per-team routing leaves no page behind.
 */
export const NO_TEAM = "-";

/**
 * Teams of the transitions that page (at or above the threshold; resolutions at the severity they had),
 * each with its worst severity, sorted; `NO_TEAM` for those without a team.
 */
function pagingTeams(transitions: readonly Transition[], minSeverity: Severity): Map<string, Severity> {
  const worst = new Map<string, Severity>();
  for (const t of transitions) {
    if (!atLeast(t.to, minSeverity)) continue;
    const team = t.finding.team ?? NO_TEAM;
    const seen = worst.get(team);
    if (seen === undefined || severityRank(t.to) > severityRank(seen)) worst.set(team, t.to);
  }
  return new Map([...worst].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function jsonTransition(t: Transition): AlertJsonTransition {
  const f = t.finding;
  const out: AlertJsonTransition = {
    findingId: findingId(f),
    type: t.type,
    ruleId: f.ruleId,
    severity: t.to,
    cluster: f.cluster,
    resourceId: f.resourceId,
    ...(f.variant ? { variant: f.variant } : {}),
    ...(f.team ? { team: f.team } : {}),
    title: cut(f.title),
    detail: cut(f.detail),
    remediation: cut(f.remediation),
    links: findingLinks(f),
    explain: t.type === "RESOLVED" ? [] : explainCommands(f),
    at: t.at,
    ...(t.reason ? { reason: t.reason } : {}),
  };
  if (t.from !== undefined && t.from !== t.to) out.previousSeverity = t.from;
  return out;
}

const LINK_LABELS: Record<ConsoleLink["kind"], string> = {
  cluster: "Cluster",
  nodegroup: "Node group",
  subnet: "Subnet",
  "security-group": "Security group",
  vpc: "VPC",
};

/** What a coverage finding says could not be read, from its scope and evidence. */
function notRead(t: Transition, scope: AlertScope): string {
  const f = t.finding;
  const error = typeof f.evidence.errorName === "string" ? ` (${f.evidence.errorName})` : "";
  if (f.ruleId === "scan.region-unavailable")
    return `region ${f.region}: not enabled for the account${error}`;
  if (f.cluster === NO_CLUSTER) {
    return `the whole account-region ${scope.accountId} ${scope.region}: nothing in it was audited${error}`;
  }
  const what = typeof f.evidence.what === "string" ? f.evidence.what : f.resourceId;
  return `${what} of cluster ${f.cluster}${error}`;
}

function textTransition(t: Transition, index: number, scope: AlertScope): string {
  const f = t.finding;
  const was =
    t.type === "RESOLVED"
      ? ` (was ${t.to})`
      : t.from !== undefined && t.from !== t.to
        ? ` (was ${t.from})`
        : "";
  const resource = f.variant ? `${f.resourceId} (${f.variant})` : f.resourceId;
  const lines = [
    `${index}. ${label(t)} ${t.type}${was} ${f.ruleId}: ${cut(f.title)}`,
    `   Cluster: ${f.cluster}   Resource: ${resource}${f.team ? `   Team: ${f.team}` : ""}`,
  ];
  if (t.type === "RESOLVED") {
    lines.push(
      t.reason
        ? `   Resolved without a scan: ${t.reason}.`
        : `   No longer found by the complete scan of ${t.at}.`,
    );
  } else {
    if (alertKindOf(t) === "coverage") lines.push(`   Not read: ${notRead(t, scope)}`);
    lines.push(`   ${cut(f.detail)}`);
    lines.push(`   Fix: ${cut(f.remediation).replace(/\n/g, "\n        ")}`);
    for (const command of explainCommands(f)) lines.push(`   Explain: ${command}`);
  }
  for (const link of findingLinks(f)) lines.push(`   ${LINK_LABELS[link.kind]} in the console: ${link.url}`);
  lines.push(`   Finding id: ${findingId(f)}`);
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

/**
 * The filter-policy attributes. `team` lists every team with a paging change in the message (`-` for
 * changes of untagged clusters) and `teamSeverity` each one's worst as `<team>:<SEVERITY>` (both
 * `String.Array`; SNS matches a filter against each element). So one message per account-region and kind
 * reaches every team it concerns — splitting it per team would page a subscriber that does not filter on
 * teams (security, an account's owners) once per team, and a crash between the parts would page the first
 * ones twice — a team filtering on its own severity is not paged for another team's worse change, and a
 * catch-all on `-` gets what no team owns. At most 8 attributes: SQS raw delivery takes 10.
 */
function attributesOf(
  scope: AccountRegion,
  severity: Severity,
  kind: AlertKind,
  transitions: readonly Transition[],
  teams: ReadonlyMap<string, Severity>,
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
  if (teams.size > 0) {
    attributes.team = { DataType: "String.Array", StringValue: JSON.stringify([...teams.keys()]) };
    attributes.teamSeverity = {
      DataType: "String.Array",
      StringValue: JSON.stringify([...teams].map(([team, worst]) => `${team}:${worst}`)),
    };
  }
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

/** Who acts on a coverage message, and why it matters: the head of its email text. */
const COVERAGE_WHO_ACTS = [
  "Who acts: the platform owners who run eks-auditor, not the clusters' teams. What is listed below could",
  "not be read, so it was not audited, and no finding about it is resolved until it is read again.",
  "  - access denied: deploy the member role to the account (the EksAuditorMemberRole StackSet) or",
  "    grant the permission named below (an SCP or a permissions boundary may deny it);",
  "  - region not enabled: enable the region or remove it from the scanned regions;",
  "  - scan failed: re-run the scan; if it persists, open an issue with the error.",
];

/**
 * The messages for a scope's transitions of a run: one per kind (coverage, findings) that reaches the
 * threshold, coverage first.
 */
export function buildAlerts(
  scope: AlertScope,
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
  scope: AlertScope,
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
  const teams = pagingTeams(included, options.minSeverity);
  const attributes = attributesOf(scope, severity, kind, included, teams);
  const overhead = attributesBytes(attributes);
  const counts = countsOf(included);
  const subject = alertSubject(scope, worst, included.length - 1);

  const render = (detailed: number, summarised: boolean) => {
    const listed = included.slice(0, detailed);
    const omitted = included.length - detailed;
    const changes = included.length === 1 ? "1 change" : `${included.length} changes`;
    const about = kind === "coverage" ? `${changes} of coverage (what the auditor could read)` : changes;
    const account = scope.accountName ? `${scope.accountName} (${scope.accountId})` : scope.accountId;
    const head = [
      `eks-auditor: ${about} in account ${account}, region ${scope.region} (run ${runId}).`,
      `Highest severity: ${severity}. Paging at ${options.minSeverity} and above; resolutions are listed as INFO.`,
    ];
    const owners = [...teams.keys()].map((t) => (t === NO_TEAM ? "- (no team tag)" : t));
    if (owners.length > 0) head.push(`Teams (cluster tags): ${owners.join(", ")}.`);
    if (kind === "coverage") head.push("", ...COVERAGE_WHO_ACTS);
    if (summarised) {
      head.push("", `Summary: ${typeCounts(counts.byType)}.`, "By rule:");
      for (const [rule, byType] of Object.entries(counts.byRule).sort(([a], [b]) => (a < b ? -1 : 1))) {
        head.push(`  ${rule}: ${typeCounts(byType)}`);
      }
      head.push("", `The ${detailed} worst follow.`);
    }
    const body = listed.map((t, i) => textTransition(t, i + 1, scope));
    const tail = omitted > 0 ? [`…and ${omitted} more.`] : [];
    const text = [...head, "", ...body.flatMap((b) => [b, ""]), ...tail].join("\n").trimEnd();
    const json: AlertJson = {
      schemaVersion: MESSAGE_VERSION,
      kind,
      accountId: scope.accountId,
      ...(scope.accountName ? { accountName: scope.accountName } : {}),
      region: scope.region,
      runId,
      severity,
      total: included.length,
      summarised,
      omitted,
      counts,
      teams: [...teams.keys()],
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
  const json = { schemaVersion: MESSAGE_VERSION, kind: "coverage", ...run };
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
