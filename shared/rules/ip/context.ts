import type { Inventory } from "#shared/inventory/types.ts";
import type { InstanceNetworkLimits } from "#shared/models/instance-types/limits.ts";
import type { ClusterHeadroom, NodegroupHeadroom } from "#shared/models/ip-headroom/headroom.ts";
import { capacityRemediation } from "./remediation.ts";

/** Cluster facts a remediation needs that the headroom does not carry. */
export function clusterFacts(
  inventory: Inventory,
  cluster: string,
): { vpcId?: string; managedAddon: boolean } {
  const ci = inventory.clusters.find((c) => c.cluster.name === cluster);
  const vpcId = ci?.vpcId;
  return {
    ...(vpcId ? { vpcId } : {}),
    managedAddon: ci?.addons.some((a) => a.addonName === "vpc-cni") ?? false,
  };
}

/**
 * The fix for a subnet short of addresses. vpc-cni advice only for the EC2 kinds that run the cluster's vpc-cni:
 * Auto Mode manages its own networking (a NodeClass change) and a Fargate pod always takes one address.
 */
export function remediationForSubnet(
  inventory: Inventory,
  c: ClusterHeadroom,
  worst: NodegroupHeadroom | undefined,
  nodegroups: readonly string[],
): string {
  const facts = clusterFacts(inventory, c.cluster);
  if (worst?.kind === "auto-mode") {
    return (
      `Give ${worst.label} more room: a NodeClass whose subnetSelectorTerms add larger subnets in the tight zone, or ` +
      `podSubnetSelectorTerms placing pods in a secondary CIDR (100.64.0.0/10) of VPC ${facts.vpcId ?? "VPC_ID"}: ` +
      `kubectl edit nodeclass default (Auto Mode networking is AWS-managed: no vpc-cni setting applies).`
    );
  }
  if (worst?.kind === "fargate") {
    return (
      `Fargate profiles cannot change subnets: create a profile with larger private subnets for the same selectors, ` +
      `then delete ${worst.nodegroup}: aws eks create-fargate-profile --region ${inventory.region} --cluster-name ` +
      `${c.cluster} --fargate-profile-name ${worst.nodegroup}-wide --subnets NEW_SUBNET_IDS --pod-execution-role-arn ` +
      `POD_EXECUTION_ROLE_ARN --selectors namespace=NAMESPACE (each pod takes one address).`
    );
  }
  const limits: InstanceNetworkLimits | undefined = worst?.limits;
  return capacityRemediation({
    region: inventory.region,
    cluster: c.cluster,
    vpcId: facts.vpcId,
    cni: c.cni,
    managedAddon: facts.managedAddon,
    limits,
    nodegroups,
  });
}
