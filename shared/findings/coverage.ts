import type { RuleId } from "./finding.ts";

/**
 * Something a scan could not read completely (an add-on, a launch template, a node group, an instance
 * type): the scan still completes, but reconciliation never resolves a finding about it — such findings
 * keep the state they had. A stored open finding matches when it has the same `cluster` and, where
 * given, the same `resourceId` and a `ruleId` starting with one of `rulePrefixes`.
 */
export interface UnreadResource {
  /** Cluster name, or `-` for a resource outside any cluster. */
  cluster: string;
  /** The resource findings are about (node group name, subnet id…); absent: every finding of the cluster. */
  resourceId?: string;
  /** Rule id prefixes (`ip.`, `sg.pod-eni-unsupported-instance`); absent: every rule. */
  rulePrefixes?: string[];
  /** What could not be read, e.g. `DescribeAddon vpc-cni` or `launch template lt-0abc version 3`. */
  what: string;
  /** The AWS error name (never message text from user data), or what kind of gap it is. */
  errorName: string;
  /** A rule already names this gap in its own finding (e.g. the elb audit of a cluster with no known VPC). */
  reported?: true;
}

/** True when reconciliation must leave this stored finding as it is. */
export function isAboutUnread(
  finding: { cluster: string; resourceId: string; ruleId: RuleId | string },
  unread: readonly UnreadResource[],
): boolean {
  return unread.some(
    (u) =>
      u.cluster === finding.cluster &&
      (u.resourceId === undefined || u.resourceId === finding.resourceId) &&
      (u.rulePrefixes === undefined || u.rulePrefixes.some((p) => finding.ruleId.startsWith(p))),
  );
}
