import { compareSeverity, type Finding } from "#shared/findings/index.ts";

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

/** `222233334444 / eu-west-1 / cluster payments-euw1` (`(account-region)` for findings outside a cluster). */
export function groupLabel(f: Pick<Finding, "accountId" | "region" | "cluster">): string {
  return `${f.accountId} / ${f.region} / ${f.cluster === "-" ? "(account-region)" : `cluster ${f.cluster}`}`;
}
