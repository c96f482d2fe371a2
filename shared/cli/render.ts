import Table from "cli-table3";
import { compareSeverity, type Finding, SEVERITIES, type Severity } from "../findings/index.ts";
import type { ScopeResult } from "../scan/scan-scope.ts";

/** Account, region, cluster, then worst first, then rule and resource: a stable reading order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
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

/** Findings grouped by account, region and cluster, worst first in each group. */
export function renderFindingsTable(findings: readonly Finding[], width = 160): string {
  const sorted = sortFindings(findings);
  if (sorted.length === 0) return "No findings.";
  const text = Math.max(40, width - 12 - 34 - 30 - 10);
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
        head: ["Severity", "Rule", "Resource", "Finding"],
        colWidths: [10, 34, 30, text],
        wordWrap: true,
        wrapOnWordBoundary: false,
        style: { head: [], border: [] },
      });
    }
    table?.push([f.severity, f.ruleId, f.resourceId, `${f.title}\n${f.detail}`]);
  }
  flush();
  return out.join("\n").trimStart();
}
