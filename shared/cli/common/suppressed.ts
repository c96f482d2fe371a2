import { atLeast, type Severity } from "#shared/findings/index.ts";
import type { Transition } from "#shared/store/index.ts";
import type { SuppressedFinding, SuppressionMatcher } from "#shared/suppress/match.ts";
import type { SuppressionEntry } from "#shared/suppress/types.ts";
import { plural, sortFindings } from "./render.ts";

export interface SuppressedReportOptions {
  /** A store was written: the findings are listed by `eks-audit findings --status suppressed`. */
  stored: boolean;
  /** List the suppressed findings at or above it, under the entry that covers them; undefined: the count only. */
  listAtLeast?: Severity;
}

/** `suppressions.yaml:3, owner team-edge, until 2026-12-31: <reason>`: one entry, as a heading. */
function entryHeading(source: string, entry: SuppressionEntry): string {
  const owner = entry.owner ? `, owner ${entry.owner}` : "";
  const until = entry.expires ? `, until ${entry.expires}` : "";
  return `${source}:${entry.line}${owner}${until}: ${entry.reason}`;
}

/**
 * What the suppressions did this run, shown apart from the findings: the count, then (with
 * `listAtLeast`) each suppressed finding under the entry that covers it, then one line per entry whose
 * `expires` day is over at `now`. Suppressed findings are never in the findings table nor in --fail-on.
 */
export function renderSuppressed(
  matcher: SuppressionMatcher,
  suppressed: readonly SuppressedFinding[],
  now: number,
  options: SuppressedReportOptions,
): string {
  const source = matcher.set.source;
  const list = options.stored ? "; list them with eks-audit findings --status suppressed" : "";
  const lines = [
    `${plural(suppressed.length, "finding")} suppressed by ${source} (accepted risks): not among the findings, not paged, not counted by --fail-on${list}.`,
  ];
  const minimum = options.listAtLeast;
  if (minimum !== undefined) {
    const byEntry = new Map<SuppressionEntry, SuppressedFinding[]>();
    for (const s of suppressed) {
      if (!atLeast(s.finding.severity, minimum)) continue;
      byEntry.set(s.entry, [...(byEntry.get(s.entry) ?? []), s]);
    }
    const entries = [...byEntry.keys()].sort((a, b) => a.line - b.line);
    for (const entry of entries) {
      lines.push(`  ${entryHeading(source, entry)}`);
      for (const f of sortFindings((byEntry.get(entry) ?? []).map((s) => s.finding))) {
        lines.push(
          `    ${f.severity} ${f.ruleId} ${f.resourceId} (${f.cluster}, ${f.accountId} ${f.region})`,
        );
      }
    }
  }
  for (const entry of matcher.expired(now)) {
    lines.push(
      `  ${source}:${entry.line}: expired on ${entry.expires} (${entry.rule.join(", ")}): it suppresses nothing any more.`,
    );
  }
  return lines.join("\n");
}

/**
 * A run without `--suppressions` reopens every stored accepted risk it sees (no entry matches any more):
 * say so, so that a laptop run against the deployment's table is not mistaken for expired acceptances.
 */
export function reopenedWithoutFile(transitions: readonly Transition[], file: string | undefined): string {
  if (file !== undefined) return "";
  const ended = transitions.filter((t) => t.type === "REOPENED" && t.suppressionEnded !== undefined);
  if (ended.length === 0) return "";
  return `eks-audit: ${plural(ended.length, "suppressed finding")} REOPENED: this scan had no --suppressions file; pass the file the deployment uses (eksAuditor.suppressionsFile) to keep accepted risks suppressed.`;
}
