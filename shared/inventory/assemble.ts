/**
 * The one assembly of an account-region's Inventory from its raw API results (`RawRegion`, the estate's
 * per-region shape). The collector fetches into that shape and calls `assembleInventory`; `snapshot` records
 * the shape; the tests assemble estates with the same code. Pure: no AWS call, no clock.
 *
 * Every view derived from the raw results — a cluster's VPC, its vpc-cni settings, each node group's SGs
 * and kubelet settings, what could not be read — is computed here once and read by the rules.
 */

import type { InstanceTypeInfo, SecurityGroup, Subnet } from "@aws-sdk/client-ec2";
import type { Cluster } from "@aws-sdk/client-eks";
import type { UnreadResource } from "#shared/findings/coverage.ts";
import { CNI_DEFAULTS, type CniConfig, readCniConfig, vpcCniAddon } from "#shared/models/cni/config.ts";
import { bundledInstanceTypeInfo } from "#shared/models/instance-types/limits.ts";
import {
  type NodeSecurityGroups,
  nodeSecurityGroups,
} from "#shared/models/security-groups/node-security-groups.ts";
import { loadTextFormats } from "#shared/models/text-formats.ts";
import { capacityOfCluster } from "./capacity.ts";
import type { CapacityGroup } from "./capacity-types.ts";
import { capacityKubeletReadings, kubeletReadings, withoutUserData } from "./kubelet-readings.ts";
import type { ClusterInventory, Inventory, RawCluster, RawRegion, ReadFailure } from "./types.ts";

export interface AssemblyScope {
  accountId: string;
  region: string;
}

/** Rules whose findings rest on the vpc-cni settings. */
export const CNI_SETTINGS_RULES = [
  "ip.",
  "sg.pod-eni-unsupported-instance",
  "sg.datastore-reachable-by-all-pods",
];
/** ip rules about a subnet whose numbers come from the node groups launching into it. */
export const SUBNET_HEADROOM_RULES = [
  "ip.subnet-exhausted",
  "ip.subnet-nearly-full",
  "ip.prefix-fragmentation",
];
/** Rules keyed by a data store that a node group's SGs reach: they name the data store, not the node group. */
export const NODE_SG_REACH_RULES = ["sg.datastore-reachable-by-all-pods"];
/** Rules about a node group whose figures come from its instance type's data. */
export const INSTANCE_DATA_RULES = ["ip.", "sg.pod-eni-unsupported-instance", "node."];

/** The Inventory of one account-region, kubelet settings included (reading user data is asynchronous). */
export async function assembleInventory(
  scope: AssemblyScope,
  raw: RawRegion,
  failures: readonly ReadFailure[] = [],
): Promise<Inventory> {
  // A cluster brings what the YAML and TOML libraries read and write (its vpc-cni settings, its nodes' user data
  // and kubelet fixes); a region without one, the common case across an organization, never loads them.
  if (raw.eks.clusters.length > 0) await loadTextFormats();
  const inventory = assembleInventoryWithoutKubelet(scope, raw, failures);
  // User data can hold secrets: it is read here, from the raw versions, and only the parsed settings stay.
  inventory.kubelet = {
    ...(await capacityKubeletReadings(
      inventory.clusters,
      raw.ec2.LaunchTemplateVersions,
      inventory.instanceTypes,
    )),
    ...(await kubeletReadings(inventory.clusters, raw.ec2.LaunchTemplateVersions, inventory.instanceTypes)),
  };
  return inventory;
}

/**
 * `assembleInventory` without the kubelet settings (`kubelet` stays empty): synchronous, for callers whose
 * rules do not read them. A region with a cluster needs `loadTextFormats()` resolved first (its vpc-cni settings).
 */
export function assembleInventoryWithoutKubelet(
  scope: AssemblyScope,
  raw: RawRegion,
  failures: readonly ReadFailure[] = [],
): Inventory {
  const { ec2 } = raw;
  const clusters = raw.eks.clusters.map((c) => deriveClusterViews(c, raw, failures));
  const clusterVpcs = new Set(clusters.map((c) => c.vpcId).filter(isString));
  const inClusterVpc = (g: SecurityGroup) => g.VpcId !== undefined && clusterVpcs.has(g.VpcId);
  const types = instanceTypesWithFallback(ec2.InstanceTypes, failures);
  return {
    accountId: scope.accountId,
    region: scope.region,
    clusters,
    vpcs: ec2.Vpcs,
    subnets: ec2.Subnets,
    routeTables: ec2.RouteTables,
    securityGroups: ec2.SecurityGroups.filter(inClusterVpc),
    referencingSecurityGroups: ec2.SecurityGroups.filter((g) => !inClusterVpc(g)),
    instanceTypes: types.instanceTypes,
    instanceTypesFromShippedData: types.fromShippedData,
    launchTemplateVersions: withoutUserData(ec2.LaunchTemplateVersions),
    kubelet: {},
    networkInterfaces: ec2.NetworkInterfaces,
    subnetCidrReservations: ec2.SubnetCidrReservations ?? [],
    unread: [...unreadResources(clusters, failures, types.unknown), ...unauditedVpcs(clusters)],
  };
}

/**
 * A cluster whose VPC neither DescribeCluster nor its subnets name gets no load-balancer subnet audit:
 * its stored elb.* findings must stay as they were. The `scan.error` rule names the gap itself.
 */
function unauditedVpcs(clusters: readonly ClusterInventory[]): UnreadResource[] {
  return clusters.flatMap((c) =>
    c.vpcId === undefined && c.cluster.name !== undefined
      ? [
          {
            cluster: c.cluster.name,
            rulePrefixes: ["elb."],
            what: "the cluster's VPC (load-balancer subnet audit)",
            errorName: "VpcUnknown",
            reported: true as const,
          },
        ]
      : [],
  );
}

// ---------------------------------------------------------------------------------------------------
// Derived views: computed here once; the collector asks the same functions what to fetch next.

/**
 * A cluster with its VPC, vpc-cni settings, node SGs and node capacity of every kind. Needs `loadTextFormats()`
 * resolved (vpc-cni settings may be YAML).
 */
export function deriveClusterViews(
  c: RawCluster,
  raw: Pick<RawRegion, "ec2" | "autoscaling">,
  failures: readonly ReadFailure[],
): ClusterInventory {
  const vpcId = clusterVpcId(c, raw.ec2.Subnets);
  const groups: Record<string, NodeSecurityGroups> = {};
  for (const ng of c.nodegroups) {
    if (ng.nodegroupName !== undefined)
      groups[ng.nodegroupName] = nodeSecurityGroups(c.cluster, ng, raw.ec2.LaunchTemplateVersions);
  }
  const cni = clusterCni(c, failures);
  return {
    ...c,
    ...(vpcId !== undefined ? { vpcId } : {}),
    cni,
    nodeSecurityGroups: groups,
    ...capacityOfCluster(c, vpcId, raw, cni.settings.enablePrefixDelegation, failures),
  };
}

/**
 * The cluster's VPC: `resourcesVpcConfig.vpcId`, else the VPC of its subnets (EKS requires every cluster
 * subnet in one VPC), else that of its node groups' subnets. Undefined when the subnets disagree or are unknown.
 */
export function clusterVpcId(c: Pick<RawCluster, "cluster" | "nodegroups">, subnets: readonly Subnet[]) {
  const given = c.cluster.resourcesVpcConfig?.vpcId;
  if (isString(given)) return given;
  const vpcOf = (ids: readonly string[]) => {
    const vpcs = new Set(
      ids.flatMap((id) => subnets.find((s) => s.SubnetId === id)?.VpcId ?? []).filter(isString),
    );
    return vpcs.size === 1 ? [...vpcs][0] : undefined;
  };
  return (
    vpcOf(c.cluster.resourcesVpcConfig?.subnetIds ?? []) ??
    vpcOf(c.nodegroups.flatMap((ng) => ng.subnets ?? []))
  );
}

/** The VPCs of the clusters, derived as `clusterVpcId` does: the collector reads their route tables, SGs and ENIs. */
export function clusterVpcIds(clusters: readonly RawCluster[], subnets: readonly Subnet[]): string[] {
  return [...new Set(clusters.map((c) => clusterVpcId(c, subnets)).filter(isString))].sort();
}

/** The vpc-cni settings: from the add-on, else the defaults; an unreadable add-on says why in `error`. */
export function clusterCni(c: RawCluster, failures: readonly ReadFailure[]): CniConfig {
  const failed = failures.find(
    (f) => f.operation === "DescribeAddon" && f.cluster === c.cluster.name && f.addonName === "vpc-cni",
  );
  if (failed === undefined) return readCniConfig(vpcCniAddon(c.addons));
  return {
    settings: { ...CNI_DEFAULTS },
    source: "defaults",
    assumed: true,
    error: `DescribeAddon vpc-cni failed with ${failed.errorName}: the add-on's settings are unknown, CNI defaults assumed`,
  };
}

/**
 * Node SG ids of every capacity group: the collector reads the SGs anywhere in the region that name them
 * (a data store admitting a node SG admits every pod on those nodes).
 */
export function nodeSecurityGroupIds(clusters: readonly Pick<ClusterInventory, "capacity">[]): string[] {
  return sorted(clusters.flatMap((c) => c.capacity.flatMap((g) => g.securityGroups.groupIds)));
}

/**
 * Subnets whose every ENI the collector reads (free /28 blocks, CIDR reservations): those of the capacity
 * groups handing out prefixes, their custom-networking pod subnets included.
 */
export function prefixDelegationSubnets(clusters: readonly Pick<ClusterInventory, "capacity">[]): string[] {
  return sorted(
    clusters.flatMap((c) =>
      c.capacity.filter((g) => g.prefixDelegation).flatMap((g) => [...g.subnetIds, ...g.podSubnetIds]),
    ),
  );
}

/** Subnets of the Fargate profiles and the cluster SGs their pods' ENIs carry: the collector reads those ENIs. */
export function fargatePodEniScope(clusters: readonly ClusterInventory[]): {
  subnetIds: string[];
  groupIds: string[];
} {
  const fargate = clusters.filter((c) => c.capacity.some((g) => g.kind === "fargate"));
  return {
    subnetIds: sorted(
      fargate.flatMap((c) => c.capacity.filter((g) => g.kind === "fargate").flatMap((g) => g.subnetIds)),
    ),
    groupIds: sorted(fargate.map((c) => c.cluster.resourcesVpcConfig?.clusterSecurityGroupId)),
  };
}

/** Launch template id → the versions capacity groups launch (`$Default` when a node group pins none). */
export function launchTemplatesToDescribe(
  clusters: readonly Pick<ClusterInventory, "capacity">[],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of clusters) {
    for (const g of c.capacity) {
      for (const lt of g.launchTemplates) {
        if (lt.id === undefined) continue;
        const versions = out.get(lt.id) ?? new Set<string>();
        versions.add(lt.version);
        out.set(lt.id, versions);
      }
    }
  }
  return out;
}

/** The instance types capacity launches: configured (node groups, templates, ASG overrides) and observed. */
export function instanceTypesToDescribe(clusters: readonly Pick<ClusterInventory, "capacity">[]): string[] {
  return sorted(
    clusters.flatMap((c) =>
      c.capacity
        .filter((g) => g.kind !== "fargate")
        .flatMap((g) => [...g.instanceTypes.configured, ...g.instanceTypes.observed]),
    ),
  );
}

/** The instance types a capacity group is costed with (configured first, else what its nodes run). */
function typesOfGroup(g: CapacityGroup): string[] {
  return [...g.instanceTypes.configured, ...g.instanceTypes.observed];
}

function sorted(values: Iterable<string | undefined>): string[] {
  return [...new Set([...values].filter(isString))].sort();
}

interface InstanceTypesRead {
  instanceTypes: InstanceTypeInfo[];
  fromShippedData: Record<string, string>;
  /** Refused by the region and absent from the shipped data: type → error name. */
  unknown: Map<string, string>;
}

/** DescribeInstanceTypes' answer, plus the shipped data of each type the region refused (when it has it). */
function instanceTypesWithFallback(
  described: readonly InstanceTypeInfo[],
  failures: readonly ReadFailure[],
): InstanceTypesRead {
  const instanceTypes = [...described];
  const fromShippedData: Record<string, string> = {};
  const unknown = new Map<string, string>();
  for (const f of failures) {
    if (f.operation !== "DescribeInstanceTypes") continue;
    if (instanceTypes.some((t) => t.InstanceType === f.instanceType)) continue;
    const shipped = bundledInstanceTypeInfo(f.instanceType);
    if (shipped) {
      instanceTypes.push(shipped);
      fromShippedData[f.instanceType] = f.errorName;
    } else unknown.set(f.instanceType, f.errorName);
  }
  return { instanceTypes, fromShippedData, unknown };
}

// ---------------------------------------------------------------------------------------------------
// What could not be read, at the granularity of the findings that rest on it.

/** `DescribeLaunchTemplateVersions lt-0abc version 3`: the call, then the resource it was about. */
export function unreadWhat(f: ReadFailure): string {
  switch (f.operation) {
    case "DescribeAddon":
      return `DescribeAddon ${f.addonName}`;
    case "DescribeNodegroup":
      return `DescribeNodegroup ${f.nodegroup}`;
    case "DescribeLaunchTemplateVersions":
      return `DescribeLaunchTemplateVersions ${f.launchTemplateId} version ${f.version}`;
    case "DescribeInstanceTypes":
      return `DescribeInstanceTypes ${f.instanceType}`;
    case "DescribeInstances":
    case "DescribeAutoScalingGroups":
    case "DescribeLaunchTemplates":
    case "ListFargateProfiles":
      return f.operation;
    case "DescribeFargateProfile":
      return `DescribeFargateProfile ${f.fargateProfile}`;
    case "GetSubnetCidrReservations":
      return `GetSubnetCidrReservations ${f.subnetId}`;
  }
}

/**
 * Findings a region-wide capacity listing (instances, Auto Scaling groups, Karpenter's templates) could rest
 * on: without it a kind of capacity is unknown, so its subnets, SGs (every sg.* rule runs over every kind) and
 * kubelet settings are.
 */
export const CAPACITY_LISTING_RULES = [...SUBNET_HEADROOM_RULES, "sg.", "node."];

/** A group whose instance types (so its costs) come from its launch template only. */
function typesFromTemplateOnly(g: CapacityGroup): boolean {
  if (g.kind === "managed-nodegroup") return (g.source.nodegroup?.instanceTypes ?? []).length === 0;
  if (g.kind === "self-managed")
    return (g.source.autoScalingGroup?.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).length === 0;
  return false;
}

/**
 * One entry per failure and cluster, the resource it is about first (coverage findings name it), then the
 * other findings whose numbers rested on it:
 * - add-on unreadable: the cluster's findings of rules that read the CNI settings;
 * - node group gone: its findings, and (its subnets and SGs unknown) the cluster's subnet-headroom and
 *   data-store findings;
 * - launch template version gone: the findings of the capacity groups launching it, the data-store findings
 *   (their SGs are unknown) and, when their instance type came from the template, the headroom findings of
 *   their subnets;
 * - instance type unknown to the region and to the shipped data: the instance-data findings of the groups
 *   using it and the headroom findings of their subnets. A type the shipped data has is not unread;
 * - a region-wide capacity listing refused: every cluster's `CAPACITY_LISTING_RULES` findings;
 * - Fargate profiles not listed, or one not described: the cluster's headroom and data-store findings (and
 *   the profile's own);
 * - a subnet's CIDR reservations unread: the headroom findings of that subnet.
 */
function unreadResources(
  clusters: readonly ClusterInventory[],
  failures: readonly ReadFailure[],
  unknownTypes: ReadonlyMap<string, string>,
): UnreadResource[] {
  const out: UnreadResource[] = [];
  const add = (
    cluster: string,
    what: string,
    errorName: string,
    entries: Omit<UnreadResource, "cluster" | "what" | "errorName">[],
  ) => {
    for (const e of entries) out.push({ cluster, ...e, what, errorName });
  };
  const subnetEntries = (g: CapacityGroup) =>
    g.subnetIds.map((resourceId) => ({ resourceId, rulePrefixes: SUBNET_HEADROOM_RULES }));
  for (const f of failures) {
    const what = unreadWhat(f);
    switch (f.operation) {
      case "DescribeAddon":
        add(f.cluster, what, f.errorName, [{ rulePrefixes: CNI_SETTINGS_RULES }]);
        break;
      case "DescribeNodegroup":
        add(f.cluster, what, f.errorName, [
          { resourceId: f.nodegroup },
          { rulePrefixes: [...SUBNET_HEADROOM_RULES, ...NODE_SG_REACH_RULES] },
        ]);
        break;
      case "DescribeLaunchTemplateVersions":
        for (const c of clusters) {
          const users = c.capacity.filter((g) =>
            g.launchTemplates.some((lt) => lt.id === f.launchTemplateId && lt.version === f.version),
          );
          if (users.length === 0) continue;
          add(clusterName(c.cluster), what, f.errorName, [
            ...users.map((g) => ({ resourceId: g.resourceId })),
            ...users.flatMap((g) => (typesFromTemplateOnly(g) ? subnetEntries(g) : [])),
            { rulePrefixes: NODE_SG_REACH_RULES },
          ]);
        }
        break;
      case "DescribeInstanceTypes": {
        const errorName = unknownTypes.get(f.instanceType);
        if (errorName === undefined) break;
        for (const c of clusters) {
          const users = c.capacity.filter(
            (g) => g.kind !== "fargate" && typesOfGroup(g).includes(f.instanceType),
          );
          if (users.length === 0) continue;
          add(clusterName(c.cluster), what, errorName, [
            ...users.map((g) => ({ resourceId: g.resourceId, rulePrefixes: INSTANCE_DATA_RULES })),
            ...users.flatMap(subnetEntries),
          ]);
        }
        break;
      }
      case "DescribeInstances":
      case "DescribeAutoScalingGroups":
      case "DescribeLaunchTemplates":
        for (const c of clusters)
          add(clusterName(c.cluster), what, f.errorName, [{ rulePrefixes: CAPACITY_LISTING_RULES }]);
        break;
      case "ListFargateProfiles":
        add(f.cluster, what, f.errorName, [
          { rulePrefixes: [...SUBNET_HEADROOM_RULES, ...NODE_SG_REACH_RULES] },
        ]);
        break;
      case "DescribeFargateProfile":
        add(f.cluster, what, f.errorName, [
          { resourceId: `fargate/${f.fargateProfile}` },
          { rulePrefixes: [...SUBNET_HEADROOM_RULES, ...NODE_SG_REACH_RULES] },
        ]);
        break;
      case "GetSubnetCidrReservations": {
        const users = clusters.filter((c) =>
          c.capacity.some((g) => g.subnetIds.includes(f.subnetId) || g.podSubnetIds.includes(f.subnetId)),
        );
        for (const name of users.length > 0 ? users.map((c) => clusterName(c.cluster)) : ["-"])
          add(name, what, f.errorName, [{ resourceId: f.subnetId, rulePrefixes: SUBNET_HEADROOM_RULES }]);
        break;
      }
    }
  }
  return out;
}

function clusterName(cluster: Cluster): string {
  return cluster.name ?? "-";
}

function isString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}
