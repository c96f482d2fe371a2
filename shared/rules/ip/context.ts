import type { Inventory } from "#shared/inventory/types.ts";
import type { InstanceNetworkLimits } from "#shared/models/instance-types/limits.ts";
import type { ClusterHeadroom } from "#shared/models/ip-headroom/headroom.ts";
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

export function remediationForSubnet(
  inventory: Inventory,
  c: ClusterHeadroom,
  limits: InstanceNetworkLimits | undefined,
  nodegroups: readonly string[],
): string {
  const facts = clusterFacts(inventory, c.cluster);
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
