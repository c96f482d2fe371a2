import Table from "cli-table3";
import { type Finding, SEVERITIES, type Severity } from "#shared/findings/index.ts";
import {
  colors,
  fitText,
  MIN_WIDTH,
  paintSeverity,
  type ReportFinding,
  renderFindingsText,
  sortFindings,
  wrapIndented,
} from "#shared/report/index.ts";
import type { ScopeResult } from "#shared/scan/scan-scope.ts";
import type { AccountRegion } from "#shared/store/keys.ts";
import { compareTransitions } from "#shared/store/transitions.ts";
import { type StoredFinding, TRANSITION_TYPES, type Transition } from "#shared/store/types.ts";

export { sortFindings };

/**
 * A finding as a scan reports it: from this run, or carried over from the store for an account-region
 * whose scan failed (`lastConfirmedAt`: the last complete scan that saw it open).
 */
export type ReportedFinding = Finding & Pick<ReportFinding, "carriedOver" | "lastConfirmedAt">;

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

/** How text output fits the terminal: its columns and whether severities are coloured. */
export interface TextLayout {
  width: number;
  color: boolean;
}

const PLAIN_WIDE: TextLayout = { width: 160, color: false };

/**
 * Findings grouped by account, region and cluster, worst first in each group; every line fits `width` and
 * every fix command is printed whole (shared/report/terminal.ts).
 */
export function renderFindingsTable(
  findings: readonly ReportedFinding[],
  layout: TextLayout = PLAIN_WIDE,
): string {
  return renderFindingsText(findings, { ...layout, source: "scan" });
}

/** `eks-audit findings`: the scan's layout plus each finding's status, first sighting and resolution. */
export function renderStoredFindingsTable(
  findings: readonly StoredFinding[],
  layout: TextLayout = PLAIN_WIDE,
): string {
  return renderFindingsText(findings, { ...layout, source: "store" });
}

/**
 * Each line longer than `width` wrapped, its continuation indented by two, each command in it whole on lines
 * of its own (shared/report/terminal.ts `fitText`): summary lines, the alert preview.
 */
export function fitLines(text: string, width: number): string {
  return fitText(text, width);
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
 * The transitions of a run, grouped by account-region (worst first in each), one row each:
 * `  NEW       CRITICAL      payments-euw1  ip.subnet-exhausted  subnet-0abc  title` — the title wrapped in
 * its column. Where the columns leave the title less than 24 columns, each change is a short list instead:
 * `  NEW CRITICAL ip.subnet-exhausted subnet-0abc` and, under it, `cluster: title`.
 */
export function renderTransitions(
  transitions: readonly Transition[],
  layout: TextLayout = PLAIN_WIDE,
): string {
  const width = Math.max(MIN_WIDTH, layout.width);
  const c = colors(layout.color);
  const groups = new Map<string, { scope: AccountRegion; items: Transition[] }>();
  for (const t of transitions) {
    const key = scopeLabel(t.finding);
    const group = groups.get(key) ?? { scope: t.finding, items: [] };
    group.items.push(t);
    groups.set(key, group);
  }
  const cellsOf = (t: Transition) => [
    t.type,
    transitionSeverity(t),
    t.finding.cluster,
    t.finding.ruleId,
    t.finding.variant ? `${t.finding.resourceId} (${t.finding.variant})` : t.finding.resourceId,
  ];
  const all = transitions.map(cellsOf);
  // Sized to the longest cell, up to a cap: one long resource id (a role ARN) must not widen every row. The
  // change type is never cut: its cap is the longest type (SUPPRESSED).
  const caps = [Math.max(...TRANSITION_TYPES.map((type) => type.length)), 18, 24, 34, 32];
  const widths = caps.map((cap, i) => Math.min(cap, Math.max(0, ...all.map((r) => (r[i] ?? "").length))) + 2);
  // The title column takes the rest of the line (its 2 columns of padding included).
  const titleWidth = width - 2 - widths.reduce((n, w) => n + w, 0);
  const out: string[] = [];
  for (const group of [...groups.values()].sort((a, b) => compareScopes(a.scope, b.scope))) {
    out.push(scopeLabel(group.scope));
    const items = [...group.items].sort(compareTransitions);
    if (titleWidth < 24) {
      for (const t of items) {
        const [type = "", severity = "", cluster = "", rule = "", resource = ""] = cellsOf(t);
        const head = wrapIndented(`${type} ${severity} ${rule} ${resource}`, width, 4, 2);
        head[0] = (head[0] ?? "").replace(severity, paintSeverity(c, t.to).replace(t.to, severity));
        out.push(...head, ...wrapIndented(`${cluster}: ${t.finding.title}`, width, 4));
      }
      continue;
    }
    const table = new Table({
      colWidths: [...widths, titleWidth],
      wordWrap: false,
      chars: NO_BORDERS,
      style: { head: [], border: [], "padding-left": 0, "padding-right": 2 },
    });
    for (const t of items) {
      const cells = cellsOf(t).map((cell, i) => fitCell(cell, (widths[i] ?? 2) - 2));
      cells[1] = paintSeverity(c, t.to).replace(t.to, cells[1] ?? "");
      table.push([...cells, wrapIndented(t.finding.title, titleWidth - 2, 0).join("\n")]);
    }
    out.push(
      ...table
        .toString()
        .split("\n")
        .map((line) => `  ${line}`.trimEnd())
        .filter((line) => line !== ""),
    );
  }
  return out.join("\n");
}

/** A cell longer than its column, wrapped in it (cut inside a word only when one word is longer). */
function fitCell(text: string, width: number): string {
  return text.length <= width ? text : wrapIndented(text, width, 0).join("\n");
}

const NO_BORDERS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "",
};

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
