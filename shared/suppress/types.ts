/**
 * An accepted risk as the store keeps it on a SUPPRESSED finding and as a transition carries it: why the
 * team lives with the finding, who answers for it, and until when. Only these fields are compared
 * between runs, so editing another part of the file (moving the entry, a comment) writes nothing.
 */
export interface Suppression {
  reason: string;
  /** Who accepted the risk and answers for it (a team or a person); optional. */
  owner?: string;
  /** `YYYY-MM-DD`: the entry matches through the end of that day (UTC), never after. */
  expires?: string;
}

/**
 * One entry of a suppressions file, validated. Every matching field is a list of patterns (any one
 * matches); a field left out matches everything. Patterns are exact values where `*` stands for any run
 * of characters (none included); the whole value must match, case-sensitively.
 */
export interface SuppressionEntry {
  /** 1-based line of the entry in its file (for messages; not stored). */
  line: number;
  /** Rule id patterns (required): `elb.foreign-cluster-tag`, `elb.*`, `*`. */
  rule: string[];
  account?: string[];
  region?: string[];
  /** Cluster name patterns; account- and region-level findings have the cluster `-`. */
  cluster?: string[];
  /** Patterns of the finding's `resourceId` (subnet, security group, node group, VPC…). */
  resource?: string[];
  /**
   * `KEY=VALUE` patterns on the cluster's tags (split at the first `=`, `*` allowed in both): the
   * cluster must carry a tag matching each one. Findings without a cluster never match an entry with tags.
   */
  tags?: string[];
  reason: string;
  owner?: string;
  expires?: string;
}

/** A validated suppressions file. */
export interface SuppressionSet {
  /** What the file is called in messages: its path as given (`--suppressions`, cdk.json). */
  source: string;
  entries: SuppressionEntry[];
}

/** The fields an entry may have, in the order messages list them. */
export const ENTRY_FIELDS = [
  "rule",
  "account",
  "region",
  "cluster",
  "resource",
  "tags",
  "reason",
  "owner",
  "expires",
] as const;
export type EntryField = (typeof ENTRY_FIELDS)[number];

/** One problem of a suppressions file: where (line, path such as `suppressions[2].expires`) and what. */
export interface SuppressionProblem {
  line: number;
  column?: number;
  path: string;
  message: string;
}

/** A suppressions file that cannot be used: every problem, each with its line; nothing is matched. */
export class SuppressionFileError extends Error {
  override readonly name = "SuppressionFileError";

  /** `message` replaces the list of problems (a file that cannot be read at all). */
  constructor(
    readonly source: string,
    readonly problems: readonly SuppressionProblem[],
    message?: string,
  ) {
    super(
      message ??
        [
          `${source}: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}; nothing was scanned or stored:`,
          ...problems.map(
            (p) =>
              `  ${source}:${p.line}${p.column ? `:${p.column}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.message}`,
          ),
        ].join("\n"),
    );
  }
}
