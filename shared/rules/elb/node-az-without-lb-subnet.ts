import type { Finding } from "#shared/findings/index.ts";
import { capacityTitle } from "#shared/inventory/capacity-label.ts";
import type { CapacityGroup } from "#shared/inventory/capacity-types.ts";
import { subnetIndex } from "#shared/inventory/indexes.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import type { LbSubnetDiscovery } from "#shared/models/lb-discovery/discovery.ts";
import { LB_SCHEMES, type LbScheme } from "#shared/models/lb-discovery/tags.ts";
import { zoneTypeOf } from "#shared/models/network/zones.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedCluster,
  auditedClusters,
  blockedCandidates,
  createTagsCommand,
  lbcDiscovery,
  schemeNoun,
  suggestedLbSubnets,
  unblockSteps,
} from "./audit.ts";

export const nodeAzWithoutLbSubnet: RuleDefinition = {
  id: "elb.node-az-without-lb-subnet",
  family: "elb",
  severity: "LOW",
  title: "Nodes in an Availability Zone without a load-balancer subnet",
  why: "A load balancer does not route to targets in zones it is not enabled in, so pods on those nodes get no traffic from it.",
  firesWhen:
    "a node group, Karpenter or Auto Mode node pool, self-managed group or Fargate profile has subnets in an AZ where discovery resolves no LB subnet.",
  link: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html",
  evaluate: (inventory) =>
    auditedClusters(inventory).flatMap((cluster) =>
      LB_SCHEMES.flatMap((scheme) => {
        const discovery = lbcDiscovery(inventory, cluster, scheme);
        // A scheme that resolves nothing is elb.no-eligible-subnet's finding, not a per-AZ gap.
        if (discovery.chosen.length === 0 || discovery.failure === "mixed-locales") return [];
        const lbAzs = new Set(discovery.chosen.map((c) => c.availabilityZone));
        // Every kind of capacity: targets (instances, or pod IPs in IP mode) in an AZ the load balancer is
        // not enabled in get no traffic, whoever launched them.
        return cluster.inventory.capacity.flatMap((group) => {
          const missing = nodeAzsOf(group, inventory).filter(
            (az) => !lbAzs.has(az) && zoneTypeOf(az) === "availability-zone",
          );
          return missing.length === 0
            ? []
            : [gapFinding(inventory, cluster, scheme, discovery, group, missing)];
        });
      }),
    ),
};

/** The AZs of a capacity group's subnets, as far as the inventory knows them. */
export function nodeAzsOf(group: Pick<CapacityGroup, "subnetIds">, inventory: Inventory): string[] {
  const index = subnetIndex(inventory.subnets);
  const azs = group.subnetIds.flatMap((id) => {
    const az = index.get(id)?.AvailabilityZone;
    return az === undefined ? [] : [az];
  });
  return [...new Set(azs)].sort();
}

function gapFinding(
  inventory: Inventory,
  cluster: AuditedCluster,
  scheme: LbScheme,
  discovery: LbSubnetDiscovery,
  group: CapacityGroup,
  missing: string[],
): Finding {
  const name = group.name;
  const managed = group.kind === "managed-nodegroup";
  const lbSubnets = discovery.chosen.map((c) => `${c.subnetId} (${c.availabilityZone})`);
  const suggestions = suggestedLbSubnets(cluster, scheme, new Set(missing)).map((s) => s.SubnetId ?? "");
  // Tag the chosen subnets too: a first role tag switches the reachability fallback off.
  const toTag = [...new Set([...discovery.chosen.map((c) => c.subnetId), ...suggestions])];
  const kind = scheme === "internet-facing" ? "public" : "private";
  const roleTag = { [discovery.roleTagKey]: "1" };
  const unblock = unblockSteps(
    blockedCandidates(discovery, new Set(missing)),
    cluster.name,
    inventory.region,
  );
  return newFinding(inventory, {
    cluster: cluster.name,
    ruleId: "elb.node-az-without-lb-subnet",
    resourceId: group.resourceId,
    variant: scheme,
    severity: "LOW",
    title: `${capacityTitle(group.kind, name)} runs in ${missing.join(", ")}, where ${schemeNoun(scheme)} have no subnet`,
    detail: `${capacityTitle(group.kind, name)} of cluster ${cluster.name} has subnets in ${missing.join(", ")}, but discovery for ${schemeNoun(scheme)} resolves only ${lbSubnets.join(", ")}; ELB does not route to targets in AZs it is not enabled in, so nodes and pods there get no traffic from those load balancers.`,
    remediation:
      unblock.length > 0
        ? `In ${missing.join(", ")}, ${unblock.join("; ")}.`
        : suggestions.length > 0
          ? `Tag a ${kind} subnet in ${missing.join(", ")}: ${createTagsCommand(toTag, roleTag, inventory.region)}`
          : `Create a ${kind} subnet (at least 8 free IPs) in ${missing.join(", ")} and tag it: ${createTagsCommand([...toTag, "NEW_SUBNET_ID"], roleTag, inventory.region)}`,
    evidence: {
      scheme,
      ...(managed ? { nodegroup: name } : { capacityKind: group.kind, capacityGroup: name }),
      azs: missing,
      nodegroupAzs: nodeAzsOf(group, inventory),
      lbAzs: [...new Set(discovery.chosen.map((c) => c.availabilityZone))].sort(),
      lbSubnets: discovery.chosen.map((c) => c.subnetId),
      vpcId: cluster.vpcId,
      suggestedSubnets: suggestions,
    },
  });
}
