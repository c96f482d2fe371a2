/** The subnet tags AWS Load Balancer Controller discovers subnets by. */

/** Subnets for internet-facing load balancers. */
export const ROLE_ELB: Record<string, string> = { "kubernetes.io/role/elb": "1" };

/** Subnets for internal load balancers. */
export const ROLE_INTERNAL_ELB: Record<string, string> = { "kubernetes.io/role/internal-elb": "1" };

/** `kubernetes.io/cluster/<name>`: `owned` or `shared`. */
export function clusterTag(cluster: string, value: "owned" | "shared" = "shared"): Record<string, string> {
  return { [`kubernetes.io/cluster/${cluster}`]: value };
}
