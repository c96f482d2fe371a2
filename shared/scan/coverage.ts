import { type Finding, NO_CLUSTER } from "#shared/findings/index.ts";
import type { AlertScope, Notifier } from "#shared/notify/index.ts";
import type { FindingsStore, Transition } from "#shared/store/index.ts";
import type { ScopePlan } from "./plan.ts";

type FindingIdentity = Pick<
  Finding,
  "accountId" | "region" | "cluster" | "ruleId" | "resourceId" | "variant"
>;

/** A coverage finding that a complete plan shows to be over, and why. */
export interface CoverageClosure {
  finding: FindingIdentity;
  reason: string;
}

/**
 * The open account-region coverage findings (`scan.*`, cluster `-`) whose scope a complete plan no longer
 * includes: the account left the plan (it left the organisation, is no longer ACTIVE, or is excluded), or
 * its enabled or configured regions no longer include the region (a disabled region, a changed region
 * list, the home-region scope of a once-unreachable account). Nothing is closed for an account whose
 * regions could not be listed this time, and resource-level coverage findings (a cluster's node group)
 * are left to their scope's own complete scan.
 */
export function coverageToClose(plan: ScopePlan, open: readonly FindingIdentity[]): CoverageClosure[] {
  const planned = new Set(plan.accountIds);
  const out: CoverageClosure[] = [];
  for (const finding of open) {
    if (!finding.ruleId.startsWith("scan.") || finding.cluster !== NO_CLUSTER) continue;
    if (!planned.has(finding.accountId)) {
      out.push({
        finding,
        reason: `account ${finding.accountId} is no longer planned: it left the organisation, is not ACTIVE, or is excluded`,
      });
      continue;
    }
    const regions = plan.regionsOf.get(finding.accountId);
    if (regions !== undefined && !regions.includes(finding.region)) {
      out.push({
        finding,
        reason: `region ${finding.region} is no longer scanned for ${finding.accountId}: not enabled, or not in the configured regions`,
      });
    }
  }
  return out;
}

/**
 * Resolves the coverage findings a complete plan leaves behind, with their reason, and pages the
 * resolutions per account-region like any other transition (they count at the severity they had).
 */
export async function closeStaleCoverage(
  plan: ScopePlan,
  store: FindingsStore,
  run: { runId: string; at: string },
  notifier?: Notifier,
): Promise<Transition[]> {
  const closures = coverageToClose(plan, await store.reader.openCoverageFindings());
  if (closures.length === 0) return [];
  const transitions = await store.writer.resolveCoverage(closures, run);
  if (notifier !== undefined) {
    const byScope = new Map<string, { scope: AlertScope; items: Transition[] }>();
    for (const t of transitions) {
      const key = `${t.finding.accountId}/${t.finding.region}`;
      const accountName = plan.accountNames?.get(t.finding.accountId);
      const entry = byScope.get(key) ?? {
        scope: {
          accountId: t.finding.accountId,
          region: t.finding.region,
          ...(accountName ? { accountName } : {}),
        },
        items: [],
      };
      entry.items.push(t);
      byScope.set(key, entry);
    }
    for (const { scope, items } of byScope.values()) await notifier.notify(scope, run.runId, items);
  }
  return transitions;
}
