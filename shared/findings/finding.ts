import type { Severity } from "./severity.ts";

/** Rule ids are an interface (DynamoDB keys, SNS attributes, filter policies): keep them exact. */
export const RULE_IDS = [
  "elb.no-eligible-subnet",
  "elb.single-az",
  "elb.invalid-role-tag-value",
  "elb.role-tag-scheme-mismatch",
  "elb.foreign-cluster-tag",
  "elb.stale-cluster-tag",
  "elb.node-az-without-lb-subnet",
  "ip.subnet-exhausted",
  "ip.subnet-nearly-full",
  "ip.cluster-subnet-low",
  "ip.warm-pool-oversized",
  "ip.minimum-without-warm-target",
  "ip.prefix-fragmentation",
  "ip.subnet-exhaustion-forecast",
  "sg.ssh-open-to-world",
  "sg.node-world-ingress",
  "sg.datastore-reachable-by-all-pods",
  "sg.missing-control-plane-rules",
  "sg.multiple-cluster-tagged-sgs",
  "sg.pod-eni-unsupported-instance",
  "node.health-issues",
  "node.system-reserved-missing",
  "node.partial-eviction-override",
  "node.kube-reserved-disabled",
  "node.kubelet-config-unknown",
  "scan.access-denied",
  "scan.region-unavailable",
  "scan.error",
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** Marks a finding that is not about one cluster (account- or region-level). */
export const NO_CLUSTER = "-";

export interface Finding {
  accountId: string;
  region: string;
  /** Cluster name, or `-` (NO_CLUSTER). */
  cluster: string;
  ruleId: RuleId;
  /** The subnet / security group / node group / cluster / VPC the finding is about. */
  resourceId: string;
  /**
   * Tells apart findings of one rule about one resource, e.g. the load-balancer scheme or a health
   * issue code; part of the finding's identity.
   */
  variant?: string;
  severity: Severity;
  title: string;
  /** One or two sentences with the numbers. */
  detail: string;
  /** A concrete command or config snippet that can be pasted. */
  remediation: string;
  /** The facts used, as JSON. Never whole user data. */
  evidence: Record<string, unknown>;
  /**
   * The team that owns the cluster, from its tags (`teamOfTags`: the first configured key present), set
   * by the scan after the rules ran. Routes the alert (`team` message attribute); not part of the identity.
   */
  team?: string;
}

/** Identity of a finding inside its account: `<region>#<cluster>#<ruleId>#<resourceId>[#<variant>]`. */
export function findingKey(
  f: Pick<Finding, "region" | "cluster" | "ruleId" | "resourceId" | "variant">,
): string {
  const base = `${f.region}#${f.cluster}#${f.ruleId}#${f.resourceId}`;
  return f.variant ? `${base}#${f.variant}` : base;
}
