import type { NetworkInterface, SecurityGroup, Subnet } from "@aws-sdk/client-ec2";
import type { Cluster, Nodegroup } from "@aws-sdk/client-eks";
import { capacityTitle } from "#shared/inventory/capacity-label.ts";
import type {
  CapacityGroup,
  CapacityKind,
  CapacitySecurityGroups,
} from "#shared/inventory/capacity-types.ts";
import { subnetIndex, subnetPositions } from "#shared/inventory/indexes.ts";
import type { ClusterInventory, Inventory } from "#shared/inventory/types.ts";
import type { CniConfig } from "#shared/models/cni/config.ts";
import { internetGatewayOf, isPublicSubnet, routeTableOf } from "#shared/models/network/route-tables.ts";
import { launchTemplateVersionOf } from "#shared/models/security-groups/node-security-groups.ts";

/**
 * A group of node capacity the sg rules look at (any kind: managed node group, Karpenter, self-managed, Auto
 * Mode, Fargate), with the SGs its nodes (and so its pods) carry.
 */
export interface AuditedNodegroup {
  clusterName: string;
  cluster: Cluster;
  clusterInventory: ClusterInventory;
  group: CapacityGroup;
  kind: CapacityKind;
  /** The DescribeNodegroup record of a managed node group; undefined for the other kinds. */
  nodegroup: Nodegroup | undefined;
  /** The group's name (node group, NodePool, Auto Scaling group, Auto Mode pool, Fargate profile). */
  name: string;
  /** What findings name: a managed node group's name (its v1 identity), `<kind>/<name>` otherwise. */
  resourceId: string;
  /** `Node group web`, `Karpenter node pool default`, … (sentence start). */
  label: string;
  /** Subnets its nodes use or may use. */
  subnetIds: string[];
  nodeSecurityGroups: CapacitySecurityGroups;
  /** The node SGs the inventory holds, in `groupIds` order. */
  groups: SecurityGroup[];
  /** Node SG ids the inventory does not hold: a rule on them can be neither seen nor ruled out. */
  missingGroupIds: string[];
  windows: boolean;
}

/** `Node group web`, `Karpenter node pool default`: how findings name a capacity group. */
export function capacityLabel(kind: CapacityKind, name: string): string {
  return capacityTitle(kind, name);
}

/** The label inside a sentence: `node group web`, `Karpenter node pool default`. */
export function inlineLabel(ng: Pick<AuditedNodegroup, "label">): string {
  return ng.label.startsWith("Node group") || ng.label.startsWith("Self-managed")
    ? ng.label.charAt(0).toLowerCase() + ng.label.slice(1)
    : ng.label;
}

/** Evidence naming the group and its kind (managed node groups keep their v1 evidence key alone). */
export function groupEvidence(ng: AuditedNodegroup): Record<string, unknown> {
  return ng.kind === "managed-nodegroup"
    ? { nodegroup: ng.name }
    : { capacityKind: ng.kind, capacityGroup: ng.name, subnetsFrom: ng.group.subnetsFrom };
}

/**
 * Every capacity group of every cluster (`ClusterInventory.capacity`). Clusters and node groups being deleted
 * are skipped; every other status can have running nodes. A group whose SGs nothing tells (no node, no
 * readable template) or only assumed is skipped.
 */
export function auditedNodegroups(inventory: Inventory): AuditedNodegroup[] {
  const index = securityGroupIndex(inventory);
  return inventory.clusters.flatMap((c) => {
    const clusterName = c.cluster.name;
    if (clusterName === undefined || c.cluster.status === "DELETING") return [];
    return c.capacity.flatMap((group) => {
      const nodegroup = group.source.nodegroup;
      if (nodegroup?.status === "DELETING") return [];
      const sgs = group.securityGroups;
      // Unknown SGs are never judged; an Auto Mode pool without nodes only assumes the cluster SG (its NodeClass is
      // a Kubernetes object), and a finding never rests on an assumption.
      if (sgs.source === "unknown" || sgs.source === "assumed-cluster-security-group") return [];
      if (sgs.groupIds.length === 0) return [];
      const groups = sgs.groupIds.flatMap((id) => {
        const g = index.get(id);
        return g ? [g] : [];
      });
      return [
        {
          clusterName,
          cluster: c.cluster,
          clusterInventory: c,
          group,
          kind: group.kind,
          nodegroup,
          name: group.name,
          resourceId: group.resourceId,
          label: capacityLabel(group.kind, group.name),
          subnetIds: group.subnetIds,
          nodeSecurityGroups: sgs,
          groups,
          missingGroupIds: sgs.groupIds.filter((id) => !index.has(id)),
          windows: nodegroup !== undefined && isWindows(nodegroup),
        },
      ];
    });
  });
}

export function isWindows(nodegroup: Nodegroup): boolean {
  return (nodegroup.amiType ?? "").startsWith("WINDOWS_");
}

/** Every SG the inventory holds by id: those of the cluster VPCs and those elsewhere that name a node SG. */
export function securityGroupIndex(
  inventory: Pick<Inventory, "securityGroups" | "referencingSecurityGroups">,
): ReadonlyMap<string, SecurityGroup> {
  // Built once per inventory (every sg.* rule asks): cached on the identity of its two lists.
  const byReferencing = groupIndexes.get(inventory.securityGroups) ?? new WeakMap();
  groupIndexes.set(inventory.securityGroups, byReferencing);
  let index = byReferencing.get(inventory.referencingSecurityGroups);
  if (index === undefined) {
    const built = new Map<string, SecurityGroup>();
    for (const g of [...inventory.securityGroups, ...inventory.referencingSecurityGroups]) {
      if (g.GroupId !== undefined && !built.has(g.GroupId)) built.set(g.GroupId, g);
    }
    index = built;
    byReferencing.set(inventory.referencingSecurityGroups, index);
  }
  return index;
}

const groupIndexes = new WeakMap<
  readonly SecurityGroup[],
  WeakMap<readonly SecurityGroup[], ReadonlyMap<string, SecurityGroup>>
>();

export function cniConfigOf(nodegroup: AuditedNodegroup): CniConfig {
  return nodegroup.clusterInventory.cni;
}

/** Subnets by id; a subnet the inventory lacks stands in with the cluster's VPC so its main route table applies. */
export function subnetsById(
  inventory: Inventory,
  ids: readonly string[],
  vpcId: string | undefined,
): Subnet[] {
  const index = subnetIndex(inventory.subnets);
  return ids.map(
    (id) =>
      index.get(id) ?? {
        SubnetId: id,
        ...(vpcId ? { VpcId: vpcId } : {}),
      },
  );
}

export interface PublicSubnet {
  subnetId: string;
  internetGateway: string;
  mapPublicIpOnLaunch: boolean;
}

/** The node group's subnets whose route table (explicit, else the VPC's main one) routes to an IGW. */
export function publicNodeSubnets(inventory: Inventory, ng: AuditedNodegroup): PublicSubnet[] {
  const vpcId = ng.clusterInventory.vpcId;
  return subnetsById(inventory, ng.subnetIds, vpcId).flatMap((subnet) => {
    if (!isPublicSubnet(subnet, inventory.routeTables)) return [];
    return [
      {
        subnetId: subnet.SubnetId ?? "",
        internetGateway: internetGatewayOf(routeTableOf(subnet, inventory.routeTables)) ?? "",
        mapPublicIpOnLaunch: subnet.MapPublicIpOnLaunch ?? false,
      },
    ];
  });
}

/** IPv4 and IPv6 CIDRs of subnets, falling back to the VPC's blocks when the inventory lacks the subnets. */
export function cidrsOfSubnets(
  inventory: Inventory,
  subnetIds: readonly string[],
  vpcId: string | undefined,
): { ipv4: string[]; ipv6: string[] } {
  // In the inventory's order, as a filter over it would give them (the index avoids reading every subnet).
  const index = subnetIndex(inventory.subnets);
  const order = subnetPositions(inventory.subnets);
  const subnets = [...new Set(subnetIds)]
    .flatMap((id) => {
      const s = index.get(id);
      return s === undefined ? [] : [s];
    })
    .sort((a, b) => (order.get(a.SubnetId ?? "") ?? 0) - (order.get(b.SubnetId ?? "") ?? 0));
  if (subnets.length > 0 && subnets.length === new Set(subnetIds).size) {
    return {
      ipv4: subnets.flatMap((s) => (s.CidrBlock ? [s.CidrBlock] : [])),
      ipv6: subnets.flatMap((s) =>
        (s.Ipv6CidrBlockAssociationSet ?? []).flatMap((a) => (a.Ipv6CidrBlock ? [a.Ipv6CidrBlock] : [])),
      ),
    };
  }
  const vpc = inventory.vpcs.find((v) => v.VpcId === vpcId);
  const ipv4 = (vpc?.CidrBlockAssociationSet ?? []).flatMap((a) => (a.CidrBlock ? [a.CidrBlock] : []));
  return {
    ipv4: ipv4.length > 0 ? ipv4 : vpc?.CidrBlock ? [vpc.CidrBlock] : [],
    ipv6: (vpc?.Ipv6CidrBlockAssociationSet ?? []).flatMap((a) => (a.Ipv6CidrBlock ? [a.Ipv6CidrBlock] : [])),
  };
}

/** The instance types a group launches: a node group's own list plus its template's; else configured and observed. */
export function instanceTypesOf(inventory: Inventory, ng: AuditedNodegroup): string[] {
  if (ng.nodegroup === undefined)
    return [...new Set([...ng.group.instanceTypes.configured, ...ng.group.instanceTypes.observed])];
  const fromTemplate = launchTemplateVersionOf(ng.nodegroup, inventory.launchTemplateVersions)
    ?.LaunchTemplateData?.InstanceType;
  return [...new Set([...(ng.nodegroup.instanceTypes ?? []), ...(fromTemplate ? [fromTemplate] : [])])];
}

export const BRANCH_ENI_DESCRIPTION = "aws-k8s-branch-eni";

/** SGP branch ENIs of a cluster's VPC (the VPC resource controller creates them, one per SGP pod). */
export function branchEnisOf(inventory: Inventory, cluster: ClusterInventory): NetworkInterface[] {
  const vpcId = cluster.vpcId;
  return inventory.networkInterfaces.filter(
    (eni) => eni.Description === BRANCH_ENI_DESCRIPTION && (vpcId === undefined || eni.VpcId === vpcId),
  );
}

/** `arn:aws-cn:eks:…` → `aws-cn`, so IAM policy ARNs in remediations fit the partition. */
export function partitionOf(arn: string | undefined): string {
  const partition = arn?.split(":")[1];
  return partition?.startsWith("aws") ? partition : "aws";
}

/** `arn:aws:iam::111122223333:role/path/NodeRole` → `NodeRole`. */
export function roleNameOf(roleArn: string | undefined): string | undefined {
  if (!roleArn) return undefined;
  const name = roleArn.split("/").pop();
  return name === undefined || name === "" || name.startsWith("arn:") ? undefined : name;
}

export function groupLabel(group: SecurityGroup | undefined, id: string): string {
  return group?.GroupName ? `${id} (${group.GroupName})` : id;
}

/**
 * The `create-nodegroup` command that recreates a node group with its current shape, the given changes on top
 * (settings EKS cannot change in place, such as remote access or instance types).
 */
export function recreateNodegroupCommand(
  ng: AuditedNodegroup,
  region: string,
  changes: { suffix: string; instanceTypes?: string[]; remoteAccess?: string },
): string {
  const n: Nodegroup = ng.nodegroup ?? {};
  const scaling = n.scalingConfig;
  const parts = [
    `aws eks create-nodegroup --region ${region} --cluster-name ${ng.clusterName}`,
    `--nodegroup-name ${ng.name}-${changes.suffix}`,
    `--node-role ${n.nodeRole ?? "NODE_ROLE_ARN"}`,
    `--subnets ${(n.subnets ?? []).join(" ") || "SUBNET_IDS"}`,
  ];
  if (n.launchTemplate?.id)
    parts.push(
      `--launch-template 'id=${n.launchTemplate.id},version=${n.launchTemplate.version ?? "$Default"}'`,
    );
  const types = changes.instanceTypes ?? n.instanceTypes ?? [];
  if (types.length > 0) parts.push(`--instance-types ${types.join(" ")}`);
  if (n.amiType && !n.launchTemplate?.id) parts.push(`--ami-type ${n.amiType}`);
  if (n.capacityType) parts.push(`--capacity-type ${n.capacityType}`);
  if (n.diskSize !== undefined && !n.launchTemplate?.id) parts.push(`--disk-size ${n.diskSize}`);
  const labels = Object.entries(n.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  if (labels.length > 0) parts.push(`--labels ${labels.join(",")}`);
  const taints = (n.taints ?? []).map(
    (t) => `key=${t.key ?? ""},value=${t.value ?? ""},effect=${t.effect ?? ""}`,
  );
  if (taints.length > 0) parts.push(`--taints ${taints.join(" ")}`);
  if (scaling) {
    parts.push(
      `--scaling-config minSize=${scaling.minSize ?? 0},maxSize=${scaling.maxSize ?? 1},desiredSize=${scaling.desiredSize ?? 0}`,
    );
  }
  if (changes.remoteAccess) parts.push(`--remote-access ${changes.remoteAccess}`);
  return parts.join(" ");
}

export function deleteNodegroupCommand(ng: AuditedNodegroup, region: string): string {
  return `aws eks delete-nodegroup --region ${region} --cluster-name ${ng.clusterName} --nodegroup-name ${ng.name}`;
}

/** `a, b and c` for detail sentences. */
export function listText(items: readonly string[], max = 4): string {
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}
