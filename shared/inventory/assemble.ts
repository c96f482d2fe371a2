/**
 * The one assembly of an account-region's Inventory from its raw API results (`RawRegion`, the estate's
 * per-region shape). The collector fetches into that shape and calls `assembleInventory`; `snapshot` records
 * the shape; the tests assemble estates with the same code. Pure: no AWS call, no clock.
 *
 * Every view derived from the raw results — a cluster's VPC, its vpc-cni settings, each node group's SGs
 * and kubelet settings, what could not be read — is computed here once and read by the rules.
 */

import type { InstanceTypeInfo, LaunchTemplateVersion, SecurityGroup, Subnet } from "@aws-sdk/client-ec2";
import type { Cluster, Nodegroup } from "@aws-sdk/client-eks";
import type { UnreadResource } from "#shared/findings/coverage.ts";
import { CNI_DEFAULTS, type CniConfig, readCniConfig, vpcCniAddon } from "#shared/models/cni/config.ts";
import { bundledInstanceTypeInfo } from "#shared/models/instance-types/limits.ts";
import {
  launchTemplateVersionOf,
  type NodeSecurityGroups,
  nodeSecurityGroups,
} from "#shared/models/security-groups/node-security-groups.ts";
import { kubeletReadings, withoutUserData } from "./kubelet-readings.ts";
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
  const inventory = assembleInventoryWithoutKubelet(scope, raw, failures);
  // User data can hold secrets: it is read here, from the raw versions, and only the parsed settings stay.
  inventory.kubelet = await kubeletReadings(
    inventory.clusters,
    raw.ec2.LaunchTemplateVersions,
    inventory.instanceTypes,
  );
  return inventory;
}

/**
 * `assembleInventory` without the kubelet settings (`kubelet` stays empty): synchronous, for callers whose
 * rules do not read them.
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
    unread: [
      ...unreadResources(clusters, ec2.LaunchTemplateVersions, failures, types.unknown),
      ...unauditedVpcs(clusters),
    ],
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

/** A cluster with its VPC, vpc-cni settings and node SGs. */
export function deriveClusterViews(
  c: RawCluster,
  raw: Pick<RawRegion, "ec2">,
  failures: readonly ReadFailure[],
): ClusterInventory {
  const vpcId = clusterVpcId(c, raw.ec2.Subnets);
  const groups: Record<string, NodeSecurityGroups> = {};
  for (const ng of c.nodegroups) {
    if (ng.nodegroupName !== undefined)
      groups[ng.nodegroupName] = nodeSecurityGroups(c.cluster, ng, raw.ec2.LaunchTemplateVersions);
  }
  return {
    ...c,
    ...(vpcId !== undefined ? { vpcId } : {}),
    cni: clusterCni(c, failures),
    nodeSecurityGroups: groups,
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

/** Node SG ids of every node group: the collector reads the SGs anywhere in the region that name them. */
export function nodeSecurityGroupIds(
  clusters: readonly RawCluster[],
  versions: readonly LaunchTemplateVersion[],
): string[] {
  const ids = clusters.flatMap((c) =>
    c.nodegroups.flatMap((ng) => nodeSecurityGroups(c.cluster, ng, versions).groupIds),
  );
  return [...new Set(ids)].sort();
}

/** Node subnets of clusters running prefix delegation: the collector reads their ENIs (free /28 blocks). */
export function prefixDelegationSubnets(
  clusters: readonly RawCluster[],
  failures: readonly ReadFailure[],
): string[] {
  const subnets = clusters
    .filter((c) => clusterCni(c, failures).settings.enablePrefixDelegation)
    .flatMap((c) => c.nodegroups.flatMap((ng) => ng.subnets ?? []));
  return [...new Set(subnets)].sort();
}

/** Launch template id → the versions the node groups pin (`$Default` when they pin none). */
export function launchTemplatesToDescribe(clusters: readonly RawCluster[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of clusters) {
    for (const ng of c.nodegroups) {
      const id = ng.launchTemplate?.id;
      if (!id) continue;
      const versions = out.get(id) ?? new Set<string>();
      versions.add(launchTemplateVersionSpec(ng));
      out.set(id, versions);
    }
  }
  return out;
}

function launchTemplateVersionSpec(ng: Nodegroup): string {
  return ng.launchTemplate?.version ?? "$Default";
}

/** The instance types node groups launch: their own list and their launch template's. */
export function instanceTypesToDescribe(
  clusters: readonly RawCluster[],
  versions: readonly LaunchTemplateVersion[],
): string[] {
  const names = new Set(
    clusters.flatMap((c) => c.nodegroups.flatMap((ng) => typesOfNodegroup(ng, versions))),
  );
  return [...names].sort();
}

function typesOfNodegroup(ng: Nodegroup, versions: readonly LaunchTemplateVersion[]): string[] {
  const fromTemplate = launchTemplateVersionOf(ng, versions)?.LaunchTemplateData?.InstanceType;
  return [...(ng.instanceTypes ?? []), ...(fromTemplate ? [fromTemplate] : [])];
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
  }
}

/**
 * One entry per failure and cluster, the resource it is about first (coverage findings name it), then the
 * other findings whose numbers rested on it:
 * - add-on unreadable: the cluster's findings of rules that read the CNI settings;
 * - node group gone: its findings, and (its subnets and SGs unknown) the cluster's subnet-headroom and
 *   data-store findings;
 * - launch template version gone: the node group's findings, the data-store findings (its SGs are unknown)
 *   and, when its instance type came from the template, the headroom findings of its subnets;
 * - instance type unknown to the region and to the shipped data: the instance-data findings of the node
 *   groups using it and the headroom findings of their subnets. A type the shipped data has is not unread.
 */
function unreadResources(
  clusters: readonly ClusterInventory[],
  versions: readonly LaunchTemplateVersion[],
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
  const subnetEntries = (ng: Nodegroup) =>
    (ng.subnets ?? []).map((resourceId) => ({ resourceId, rulePrefixes: SUBNET_HEADROOM_RULES }));
  for (const f of failures) {
    const what = unreadWhat(f);
    if (f.operation === "DescribeAddon") {
      add(f.cluster, what, f.errorName, [{ rulePrefixes: CNI_SETTINGS_RULES }]);
    } else if (f.operation === "DescribeNodegroup") {
      add(f.cluster, what, f.errorName, [
        { resourceId: f.nodegroup },
        { rulePrefixes: [...SUBNET_HEADROOM_RULES, ...NODE_SG_REACH_RULES] },
      ]);
    } else if (f.operation === "DescribeLaunchTemplateVersions") {
      for (const c of clusters) {
        const users = c.nodegroups.filter(
          (ng) => ng.launchTemplate?.id === f.launchTemplateId && launchTemplateVersionSpec(ng) === f.version,
        );
        if (users.length === 0) continue;
        add(clusterName(c.cluster), what, f.errorName, [
          ...users.map((ng) => ({ resourceId: ng.nodegroupName ?? "-" })),
          ...users.flatMap((ng) => ((ng.instanceTypes ?? []).length === 0 ? subnetEntries(ng) : [])),
          { rulePrefixes: NODE_SG_REACH_RULES },
        ]);
      }
    } else {
      const errorName = unknownTypes.get(f.instanceType);
      if (errorName === undefined) continue;
      for (const c of clusters) {
        const users = c.nodegroups.filter((ng) => typesOfNodegroup(ng, versions).includes(f.instanceType));
        if (users.length === 0) continue;
        add(clusterName(c.cluster), what, errorName, [
          ...users.map((ng) => ({ resourceId: ng.nodegroupName ?? "-", rulePrefixes: INSTANCE_DATA_RULES })),
          ...users.flatMap(subnetEntries),
        ]);
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
