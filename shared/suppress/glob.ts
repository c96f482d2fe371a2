/**
 * Suppression patterns: an exact value in which `*` stands for any run of characters (none included).
 * The whole value must match, case-sensitively; there is no other wildcard and no escape (AWS ids,
 * names and rule ids never contain `*`). Unlike Prowler's mutelist (prowler/lib/mutelist/mutelist.py,
 * `Mutelist.is_item_matched`, an unanchored `re.search` after `*` → `.*`), `i-123` does not match
 * `i-1234`: an accepted risk covers what it names and nothing next to it.
 */
export type Glob = (value: string) => boolean;

export function hasWildcard(pattern: string): boolean {
  return pattern.includes("*");
}

export function globOf(pattern: string): Glob {
  if (!hasWildcard(pattern)) return (value) => value === pattern;
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&"))
    .join(".*");
  const regex = new RegExp(`^${source}$`, "s");
  return (value) => regex.test(value);
}

/** Any of the patterns matches; no patterns (a field left out) matches everything. */
export function anyGlob(patterns: readonly string[] | undefined): Glob {
  if (patterns === undefined) return () => true;
  const globs = patterns.map(globOf);
  return (value) => globs.some((g) => g(value));
}
