import { type Finding, findingKey, NO_CLUSTER } from "#shared/findings/index.ts";
import { expiryInstant, SUPPRESSIBLE_RULE_IDS } from "./entry.ts";
import { anyGlob, type Glob, globOf } from "./glob.ts";
import type { Suppression, SuppressionEntry, SuppressionSet } from "./types.ts";

/** Tags of the scope's clusters, by cluster name (DescribeCluster `tags`). */
export type ClusterTags = Readonly<Record<string, Readonly<Record<string, string>> | undefined>>;

/** A finding an entry of the file covers, and the entry. */
export interface SuppressedFinding {
  finding: Finding;
  entry: SuppressionEntry;
}

/** What the store keeps of an entry (and compares between runs): its reason, owner and expiry. */
export function suppressionOf(entry: SuppressionEntry): Suppression {
  return {
    reason: entry.reason,
    ...(entry.owner !== undefined ? { owner: entry.owner } : {}),
    ...(entry.expires !== undefined ? { expires: entry.expires } : {}),
  };
}

/** Whether an entry still matches at `now` (epoch ms): through its `expires` day, UTC. */
export function isActive(entry: SuppressionEntry, now: number): boolean {
  return entry.expires === undefined || now < expiryInstant(entry.expires);
}

function tagGlob(pattern: string): (tags: Readonly<Record<string, string>>) => boolean {
  const eq = pattern.indexOf("=");
  const key = globOf(pattern.slice(0, eq));
  const value = globOf(pattern.slice(eq + 1));
  return (tags) => Object.entries(tags).some(([k, v]) => key(k) && value(v));
}

interface CompiledEntry {
  entry: SuppressionEntry;
  rule: Glob;
  account: Glob;
  region: Glob;
  cluster: Glob;
  resource: Glob;
  tags: ((tags: Readonly<Record<string, string>>) => boolean)[];
}

function compile(entry: SuppressionEntry): CompiledEntry {
  return {
    entry,
    rule: anyGlob(entry.rule),
    account: anyGlob(entry.account),
    region: anyGlob(entry.region),
    cluster: anyGlob(entry.cluster),
    resource: anyGlob(entry.resource),
    tags: (entry.tags ?? []).map(tagGlob),
  };
}

function matches(c: CompiledEntry, f: Finding, clusterTags: ClusterTags): boolean {
  if (!(c.rule(f.ruleId) && c.account(f.accountId) && c.region(f.region))) return false;
  if (!(c.cluster(f.cluster) && c.resource(f.resourceId))) return false;
  if (c.tags.length === 0) return true;
  // Tags are the cluster's: a finding about no cluster, or a cluster whose tags were not read, has none.
  const tags = f.cluster === NO_CLUSTER ? undefined : clusterTags[f.cluster];
  return tags !== undefined && c.tags.every((t) => t(tags));
}

/**
 * Matches findings against a suppressions file: every field of an entry must match (AND), any value of a
 * field may (OR), every tag pattern must find a tag of the finding's cluster (AND) — as in Prowler's
 * mutelist (prowler/lib/mutelist/mutelist.py, `Mutelist.is_muted_in_check`). The first entry of the
 * file that matches and has not expired wins. Coverage findings (`scan.*`) are never suppressed.
 */
export class SuppressionMatcher {
  private readonly entries: CompiledEntry[];

  constructor(readonly set: SuppressionSet) {
    this.entries = set.entries.map(compile);
  }

  /** The entry that suppresses `f` at `now` (epoch ms), or undefined. */
  entryFor(f: Finding, clusterTags: ClusterTags, now: number): SuppressionEntry | undefined {
    if (!SUPPRESSIBLE_RULE_IDS.includes(f.ruleId)) return undefined;
    return this.entries.find((c) => isActive(c.entry, now) && matches(c, f, clusterTags))?.entry;
  }

  /** The findings of one scan the file suppresses at `now`. */
  suppressed(findings: readonly Finding[], clusterTags: ClusterTags, now: number): SuppressedFinding[] {
    return findings.flatMap((finding) => {
      const entry = this.entryFor(finding, clusterTags, now);
      return entry === undefined ? [] : [{ finding, entry }];
    });
  }

  /** Entries whose `expires` day is over at `now`: they match nothing any more. */
  expired(now: number): SuppressionEntry[] {
    return this.set.entries.filter((e) => !isActive(e, now));
  }
}

/** What a reconcile needs (`ReconcileOutcome.suppressed`): the suppression of each suppressed finding, by `findingKey`. */
export function suppressionsByKey(suppressed: readonly SuppressedFinding[]): Map<string, Suppression> {
  return new Map(suppressed.map(({ finding, entry }) => [findingKey(finding), suppressionOf(entry)]));
}
