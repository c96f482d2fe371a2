import type { SecurityGroup } from "@aws-sdk/client-ec2";
import type { Finding } from "#shared/findings/index.ts";
import type { CapacityEni, CapacityGroup, ObservedNode } from "#shared/inventory/capacity-types.ts";
import type { ClusterInventory, Inventory } from "#shared/inventory/types.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import { capacityLabel, listText, securityGroupIndex } from "./audit.ts";

/** Nodes listed in evidence; the count says how many more there are. */
const MAX_NODES_IN_EVIDENCE = 20;

/** SG sources that say what a node launched now gets (not merely what earlier nodes were seen with). */
const CONFIGURED_SOURCES = new Set([
  "launch-template",
  "cluster-security-group",
  "vpc-default-security-group",
]);

interface TaggedGroup {
  id: string;
  name?: string;
  tagValue: string;
}

interface OffendingEni {
  node: string;
  networkInterfaceId: string;
  interfaceType: string;
  securityGroups: string[];
  clusterTagged: string[];
}

/**
 * The AWS Load Balancer Controller picks the SG of a target ENI to add the load balancer's ingress rules to:
 * an ENI with one SG uses it, an ENI with several must carry exactly one SG tagged
 * `kubernetes.io/cluster/<cluster>` (any value), or the reconcile fails with "expected exactly one securityGroup
 * tagged with kubernetes.io/cluster/<cluster> for eni …" (kubernetes-sigs/aws-load-balancer-controller v3.5.0
 * pkg/networking/networking_manager.go `resolveEndpointSGForENI`). Every Service and TargetGroupBinding whose
 * targets sit on such an ENI then stays unreconciled (aws-load-balancer-controller #1897).
 */
function clusterTaggedGroups(
  groupIds: readonly string[],
  cluster: string,
  index: ReadonlyMap<string, SecurityGroup>,
): TaggedGroup[] {
  const key = `kubernetes.io/cluster/${cluster}`;
  return groupIds.flatMap((id) => {
    const group = index.get(id);
    const tag = group?.Tags?.find((t) => t.Key === key);
    if (tag === undefined) return [];
    return [{ id, ...(group?.GroupName ? { name: group.GroupName } : {}), tagValue: tag.Value ?? "" }];
  });
}

/** ENIs the controller would resolve an SG for and could not: several SGs, two or more cluster-tagged. */
function offendingEnis(
  nodes: readonly ObservedNode[],
  cluster: string,
  index: ReadonlyMap<string, SecurityGroup>,
): OffendingEni[] {
  return nodes.flatMap((node) =>
    [...node.enis, ...node.branchEnis].flatMap((eni: CapacityEni) => {
      if (eni.groupIds.length < 2) return [];
      const tagged = clusterTaggedGroups(eni.groupIds, cluster, index);
      if (tagged.length < 2) return [];
      return [
        {
          node: node.id,
          networkInterfaceId: eni.networkInterfaceId,
          interfaceType: eni.interfaceType,
          securityGroups: eni.groupIds,
          clusterTagged: tagged.map((t) => t.id),
        },
      ];
    }),
  );
}

function evaluate(inventory: Inventory): Finding[] {
  const index = securityGroupIndex(inventory);
  return inventory.clusters.flatMap((c) => {
    const cluster = c.cluster.name;
    if (cluster === undefined || c.cluster.status === "DELETING") return [];
    return c.capacity.flatMap((group) => {
      const enis = offendingEnis(group.nodes, cluster, index);
      const sgs = group.securityGroups;
      const configured =
        CONFIGURED_SOURCES.has(sgs.source) &&
        sgs.unresolvedLaunchTemplate === undefined &&
        sgs.groupIds.length > 1
          ? clusterTaggedGroups(sgs.groupIds, cluster, index)
          : [];
      const fromConfiguration = configured.length >= 2;
      if (enis.length === 0 && !fromConfiguration) return [];
      const taggedIds = [
        ...new Set([...enis.flatMap((e) => e.clusterTagged), ...configured.map((t) => t.id)]),
      ].sort();
      const tagged = clusterTaggedGroups(taggedIds, cluster, index);
      return [finding(inventory, c, cluster, group, tagged, enis, fromConfiguration)];
    });
  });
}

/** The SG to keep the tag on: the cluster SG EKS tags itself, else the one on the most offending ENIs. */
function groupToKeep(
  c: ClusterInventory,
  tagged: readonly TaggedGroup[],
  enis: readonly OffendingEni[],
): string {
  const clusterSg = c.cluster.resourcesVpcConfig?.clusterSecurityGroupId;
  if (clusterSg !== undefined && tagged.some((t) => t.id === clusterSg)) return clusterSg;
  const uses = (id: string) => enis.filter((e) => e.clusterTagged.includes(id)).length;
  return [...tagged].sort((a, b) => uses(b.id) - uses(a.id) || a.id.localeCompare(b.id))[0]?.id ?? "";
}

function finding(
  inventory: Inventory,
  c: ClusterInventory,
  cluster: string,
  group: CapacityGroup,
  tagged: TaggedGroup[],
  enis: OffendingEni[],
  fromConfiguration: boolean,
): Finding {
  const label = capacityLabel(group.kind, group.name);
  const keep = groupToKeep(c, tagged, enis);
  const remove = tagged.map((t) => t.id).filter((id) => id !== keep);
  const key = `kubernetes.io/cluster/${cluster}`;
  const nodes = [...new Set(enis.map((e) => e.node))];
  const names = tagged.map((t) => (t.name ? `${t.id} (${t.name})` : t.id));
  const where =
    nodes.length > 0
      ? `${nodes.length} of its node${nodes.length > 1 ? "s" : ""} (${listText(nodes, 3)}) carr${nodes.length > 1 ? "y" : "ies"}`
      : "its nodes will carry";
  const clusterSg = c.cluster.resourcesVpcConfig?.clusterSecurityGroupId;
  return newFinding(inventory, {
    cluster,
    ruleId: "sg.multiple-cluster-tagged-sgs",
    resourceId: group.resourceId,
    severity: "HIGH",
    title: `${label} carries ${tagged.length} SGs tagged ${key}`,
    detail:
      `${label} of cluster ${cluster}: ${where} ${tagged.length} security groups tagged ${key} (${listText(names)}). ` +
      `The AWS Load Balancer Controller adds load-balancer ingress rules to the one cluster-tagged SG of a target ENI; ` +
      `with ${tagged.length} it cannot choose, so every Service and TargetGroupBinding with targets there fails to ` +
      `reconcile ("expected exactly one securityGroup tagged with ${key}").`,
    remediation:
      `Keep the tag on ${keep}${keep === clusterSg ? " (the cluster SG, which EKS tags itself)" : ""} and remove it from ` +
      `${listText(remove)}: aws ec2 delete-tags --region ${inventory.region} --resources ${remove.join(" ")} ` +
      `--tags Key=${key}. If infrastructure code sets the tag (for example terraform-aws-eks node_security_group_tags), ` +
      `remove it there too, or its next apply restores it. Alternatively start the controller with ` +
      `--service-target-eni-security-group-tags naming a tag only one of them carries.`,
    evidence: {
      ...(group.kind === "managed-nodegroup"
        ? { nodegroup: group.name }
        : { capacityKind: group.kind, capacityGroup: group.name }),
      clusterTagKey: key,
      clusterTaggedSecurityGroups: tagged,
      keep,
      removeTagFrom: remove,
      securityGroupSource: group.securityGroups.source,
      fromConfiguration,
      nodes: enis.slice(0, MAX_NODES_IN_EVIDENCE),
      ...(enis.length > MAX_NODES_IN_EVIDENCE
        ? { moreNetworkInterfaces: enis.length - MAX_NODES_IN_EVIDENCE }
        : {}),
      loadBalancerControllerInstalled: "not visible from AWS APIs",
    },
  });
}

export const multipleClusterTaggedSgs: RuleDefinition = {
  id: "sg.multiple-cluster-tagged-sgs",
  family: "sg",
  severity: "HIGH",
  title: "Nodes carry more than one cluster-tagged security group",
  why: "The AWS Load Balancer Controller needs exactly one SG tagged `kubernetes.io/cluster/<cluster>` on a target ENI; with two it cannot add load-balancer rules, and Services and TargetGroupBindings fail to reconcile.",
  firesWhen:
    "a node of the cluster (any capacity kind) carries two or more security groups tagged `kubernetes.io/cluster/<cluster>`: the AWS Load Balancer Controller cannot choose the one to add rules to, so Services and TargetGroupBindings fail to reconcile. Evidence: the SGs and nodes; fix: which tag to remove.",
  link: "https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/pkg/networking/networking_manager.go#L548",
  evaluate,
};
