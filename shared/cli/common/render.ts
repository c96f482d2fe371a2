import Table from "cli-table3";
import { compareSeverity, type Finding, SEVERITIES, type Severity } from "#shared/findings/index.ts";
import type { ScopeResult } from "#shared/scan/scan-scope.ts";
import type { AccountRegion } from "#shared/store/keys.ts";
import { compareTransitions } from "#shared/store/transitions.ts";
import { type StoredFinding, TRANSITION_TYPES, type Transition } from "#shared/store/types.ts";

/**
 * A finding as a scan reports it: from this run, or carried over from the store for an account-region
 * whose scan failed (`lastConfirmedAt`: the last complete scan that saw it open).
 */
export type ReportedFinding = Finding & { carriedOver?: true; lastConfirmedAt?: string };

/** Account, region, cluster, then worst first, then rule and resource: a stable reading order. */
export function sortFindings<F extends Finding>(findings: readonly F[]): F[] {
  return [...findings].sort(
    (a, b) =>
      a.accountId.localeCompare(b.accountId) ||
      a.region.localeCompare(b.region) ||
      a.cluster.localeCompare(b.cluster) ||
      compareSeverity(a.severity, b.severity) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.resourceId.localeCompare(b.resourceId),
  );
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

export function summaryLine(
  findings: readonly Finding[],
  results: readonly ScopeResult[],
  apiCalls: number,
  ms: number,
): string {
  const counts = countBySeverity(findings);
  const bySeverity = SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(", ");
  const failed = results.filter((r) => r.status === "failed").length;
  const scopes = `${results.length} account-region${results.length === 1 ? "" : "s"} (${results.length - failed} complete, ${failed} failed)`;
  return (
    `Summary: ${findings.length} finding${findings.length === 1 ? "" : "s"}${bySeverity ? ` (${bySeverity})` : ""} ` +
    `in ${scopes}; ${apiCalls} API calls in ${(ms / 1000).toFixed(1)} s`
  );
}

interface Column<F extends Finding> {
  head: string;
  width: number;
  cell(f: F): string;
}

/** Findings grouped by account, region and cluster, worst first in each group. */
export function renderFindingsTable(findings: readonly ReportedFinding[], width = 160): string {
  return renderGrouped(findings, [], width);
}

/** `eks-audit findings`: the scan table plus each finding's status, first sighting and resolution. */
export function renderStoredFindingsTable(findings: readonly StoredFinding[], width = 160): string {
  return renderGrouped(
    findings,
    [
      { head: "Status", width: 12, cell: (f) => f.status },
      { head: "First seen", width: 12, cell: (f) => shortTime(f.firstSeen) },
      { head: "Resolved", width: 12, cell: (f) => (f.resolvedAt ? shortTime(f.resolvedAt) : "") },
    ],
    width,
  );
}

/** `2026-11-25T07:42:13.000Z` → `2026-11-25` / `07:42 UTC` (two lines of a narrow cell). */
function shortTime(iso: string): string {
  return `${iso.slice(0, 10)}\n${iso.slice(11, 16)} UTC`;
}

function renderGrouped<F extends Finding>(findings: readonly F[], extra: Column<F>[], width: number): string {
  const sorted = sortFindings(findings);
  if (sorted.length === 0) return "No findings.";
  const extraWidth = extra.reduce((n, c) => n + c.width, 0);
  const text = Math.max(40, width - 12 - 34 - 30 - 10 - extraWidth);
  const out: string[] = [];
  let group = "";
  let table: InstanceType<typeof Table> | undefined;
  const flush = () => {
    if (table) out.push(table.toString());
  };
  for (const f of sorted) {
    const key = `${f.accountId} / ${f.region} / ${f.cluster === "-" ? "(account-region)" : `cluster ${f.cluster}`}`;
    if (key !== group) {
      flush();
      group = key;
      out.push("", key);
      table = new Table({
        head: ["Severity", ...extra.map((c) => c.head), "Rule", "Resource", "Finding"],
        colWidths: [10, ...extra.map((c) => c.width), 34, 30, text],
        wordWrap: true,
        style: { head: [], border: [] },
      });
    }
    table?.push([
      f.severity,
      ...extra.map((c) => c.cell(f)),
      f.ruleId,
      f.resourceId,
      `${carriedNote(f)}${f.title}\n${f.detail}\nFix: ${f.remediation}`,
    ]);
  }
  flush();
  return out.join("\n").trimStart();
}

function carriedNote(f: Finding & { carriedOver?: true; lastConfirmedAt?: string }): string {
  if (f.carriedOver !== true) return "";
  return `[carried over: this account-region was not scanned; last confirmed ${f.lastConfirmedAt?.slice(0, 16).replace("T", " ") ?? "earlier"} UTC] `;
}

export function scopeLabel(scope: AccountRegion): string {
  return `${scope.accountId} / ${scope.region}`;
}

function compareScopes(a: AccountRegion, b: AccountRegion): number {
  return a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region);
}

/** `NEW`, `ESCALATED` `MEDIUM → HIGH`, `RESOLVED` `was CRITICAL`: what changed, in one cell. */
function transitionSeverity(t: Transition): string {
  if (t.type === "RESOLVED") return `was ${t.to}`;
  if (t.from !== undefined && t.from !== t.to) return `${t.from} → ${t.to}`;
  return t.to;
}

/**
 * The transitions of a run, grouped by account-region (worst first in each), one line each:
 * `  NEW       CRITICAL      payments-euw1  ip.subnet-exhausted  subnet-0abc  title`.
 */
export function renderTransitions(transitions: readonly Transition[]): string {
  const groups = new Map<string, { scope: AccountRegion; items: Transition[] }>();
  for (const t of transitions) {
    const key = scopeLabel(t.finding);
    const group = groups.get(key) ?? { scope: t.finding, items: [] };
    group.items.push(t);
    groups.set(key, group);
  }
  const rows = (items: readonly Transition[]) =>
    [...items]
      .sort(compareTransitions)
      .map((t) => [
        t.type,
        transitionSeverity(t),
        t.finding.cluster,
        t.finding.ruleId,
        t.finding.variant ? `${t.finding.resourceId} (${t.finding.variant})` : t.finding.resourceId,
        t.finding.title,
      ]);
  const all = [...groups.values()].flatMap((g) => rows(g.items));
  // Padded to the longest cell, up to a cap: one long resource id (a role ARN) must not widen every line.
  const caps = [9, 18, 24, 34, 32];
  const widths = caps.map((cap, i) => Math.min(cap, Math.max(...all.map((r) => (r[i] ?? "").length))));
  const out: string[] = [];
  for (const group of [...groups.values()].sort((a, b) => compareScopes(a.scope, b.scope))) {
    out.push(scopeLabel(group.scope));
    for (const row of rows(group.items)) {
      const cells = row.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] ?? 0) : cell));
      out.push(`  ${cells.join("  ")}`.trimEnd());
    }
  }
  return out.join("\n");
}

/** `3 NEW, 1 RESOLVED` (types in lifecycle order, zero counts left out). */
export function transitionCounts(transitions: readonly Transition[]): string {
  return TRANSITION_TYPES.map((type) => [type, transitions.filter((t) => t.type === type).length] as const)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${n} ${type}`)
    .join(", ");
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
