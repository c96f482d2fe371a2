/** Cluster tag keys that name the owning team, first match wins (`--team-tags`, `eksAuditor.teamTagKeys`). */
export const DEFAULT_TEAM_TAG_KEYS: readonly string[] = ["team", "owner"];

/** AWS tag keys: 1–128 characters (EKS TagResource, `TagKey`). */
const TAG_KEY_MAX = 128;

/**
 * The team of a cluster: the value of the first key of `keys` its tags carry with a non-blank value, or
 * undefined (no such tag: the finding is routed by its other attributes only).
 */
export function teamOfTags(
  tags: Readonly<Record<string, string | undefined>> | undefined,
  keys: readonly string[],
): string | undefined {
  if (tags === undefined) return undefined;
  for (const key of keys) {
    const value = tags[key]?.trim();
    if (value) return value;
  }
  return undefined;
}

/**
 * Sets `team` on the findings of clusters that have one (cluster `-` findings have none), leaving the
 * others as they are. `teamOf` maps a cluster name to its team.
 */
export function withTeams<F extends { cluster: string; team?: string }>(
  findings: readonly F[],
  teamOf: (cluster: string) => string | undefined,
): F[] {
  return findings.map((f) => {
    const team = teamOf(f.cluster);
    return team === undefined ? f : { ...f, team };
  });
}

/** Raised for a bad team tag key list; the message names where it came from. */
export class TeamTagKeysError extends Error {
  override readonly name = "TeamTagKeysError";
}

/**
 * `team,owner` → `["team", "owner"]`, in order, duplicates dropped. `source` names the flag, variable or
 * setting in the error.
 */
export function parseTeamTagKeys(text: string | readonly string[], source: string): string[] {
  const items = (typeof text === "string" ? text.split(",") : [...text]).map((k) => k.trim());
  const keys = [...new Set(items.filter((k) => k !== ""))];
  if (keys.length === 0) {
    throw new TeamTagKeysError(`${source}: expected a comma-separated list of tag keys, e.g. team,owner`);
  }
  const bad = keys.find((k) => k.length > TAG_KEY_MAX);
  if (bad !== undefined) {
    throw new TeamTagKeysError(
      `${source}: "${bad.slice(0, 40)}…" is not a tag key (AWS tag keys have at most ${TAG_KEY_MAX} characters)`,
    );
  }
  return keys;
}
