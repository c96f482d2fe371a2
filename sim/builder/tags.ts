/** The subnet tags AWS Load Balancer Controller discovers subnets by. */

/** Subnets for internet-facing load balancers. */
export const ROLE_ELB: Record<string, string> = { "kubernetes.io/role/elb": "1" };

/** Subnets for internal load balancers. */
export const ROLE_INTERNAL_ELB: Record<string, string> = { "kubernetes.io/role/internal-elb": "1" };

/** `kubernetes.io/cluster/<name>`: `owned` or `shared`. */
export function clusterTag(cluster: string, value: "owned" | "shared" = "shared"): Record<string, string> {
  return { [`kubernetes.io/cluster/${cluster}`]: value };
}

/**
 * `karpenter.sh/discovery=<cluster>`: the tag Karpenter's getting-started EC2NodeClass selects subnets and
 * security groups by (`subnetSelectorTerms` / `securityGroupSelectorTerms`). Unrelated to load balancers.
 */
export function karpenterDiscovery(cluster: string): Record<string, string> {
  return { "karpenter.sh/discovery": cluster };
}
