import type { RouteTable, Subnet } from "@aws-sdk/client-ec2";
import type { Cluster } from "@aws-sdk/client-eks";
import type { ClusterInventory, Inventory } from "#shared/inventory/types.ts";
import {
  discoverForCluster,
  type ExcludedSubnet,
  type LbSubnetDiscovery,
  subnetsOfVpc,
} from "#shared/models/lb-discovery/discovery.ts";
import {
  clusterTagKey,
  hasOwnClusterTag,
  type LbScheme,
  lbcForeignClusterKeys,
  MIN_LB_SUBNET_IPS,
} from "#shared/models/lb-discovery/tags.ts";
import { isPublicSubnet, routeTableOf } from "#shared/models/network/route-tables.ts";
import { subnetLocaleOf } from "#shared/models/network/zones.ts";

/** A cluster the elb rules look at: active, with its VPC's subnets in the inventory. */
export interface AuditedCluster {
  name: string;
  vpcId: string;
  /** The cluster as collected, its `resourcesVpcConfig.vpcId` set to `vpcId` when derived from its subnets. */
  inventory: ClusterInventory;
  /** Subnets of the cluster VPC, sorted by id. */
  vpcSubnets: Subnet[];
  /** Route tables of the cluster VPC. */
  routeTables: RouteTable[];
}

/** Where a cluster's VPC came from, or why it is unknown. */
export type ClusterVpc =
  | { vpcId: string; source: "cluster" | "subnets" }
  | { vpcId: undefined; subnetVpcs: Record<string, string> };

/**
 * `resourcesVpcConfig.vpcId`, else the VPC of the cluster's subnets: EKS requires every cluster subnet to be in
 * the cluster's VPC, so they name it when DescribeCluster's answer lacks it. Unknown when none of the subnets is
 * in the inventory or they disagree.
 */
export function clusterVpc(cluster: Cluster, subnets: readonly Subnet[]): ClusterVpc {
  const own = cluster.resourcesVpcConfig?.vpcId;
  if (own !== undefined && own !== "") return { vpcId: own, source: "cluster" };
  const ids = new Set(cluster.resourcesVpcConfig?.subnetIds ?? []);
  const subnetVpcs: Record<string, string> = {};
  for (const s of subnets) {
    if (s.SubnetId !== undefined && ids.has(s.SubnetId) && s.VpcId) subnetVpcs[s.SubnetId] = s.VpcId;
  }
  const vpcs = new Set(Object.values(subnetVpcs));
  const [only] = vpcs;
  return vpcs.size === 1 && only !== undefined
    ? { vpcId: only, source: "subnets" }
    : { vpcId: undefined, subnetVpcs };
}

/** ACTIVE clusters (or those without a status) the elb audit runs for: named, with a known VPC. */
function activeClusters(inventory: Inventory): { name: string; c: ClusterInventory; vpc: ClusterVpc }[] {
  return inventory.clusters.flatMap((c) => {
    const name = c.cluster.name;
    const status = c.cluster.status;
    if (name === undefined) return [];
    if (status !== undefined && status !== "ACTIVE") return [];
    // The assembly derived the VPC once (from the cluster's subnets, then its node groups'); when it could
    // not, clusterVpc says which subnets it looked at, for the coverage finding.
    const own = c.cluster.resourcesVpcConfig?.vpcId;
    const vpc: ClusterVpc =
      c.vpcId !== undefined
        ? { vpcId: c.vpcId, source: own !== undefined && own !== "" ? "cluster" : "subnets" }
        : clusterVpc(c.cluster, inventory.subnets);
    return [{ name, c, vpc }];
  });
}

/**
 * ACTIVE clusters (or those without a status) with a known VPC; clusters whose VPC has no subnet in the
 * inventory are skipped. Clusters whose VPC is unknown are `unauditedClusters`.
 */
export function auditedClusters(inventory: Inventory): AuditedCluster[] {
  // Once per inventory: every elb rule asks, and the clusters' route tables and discoveries are cached on them.
  let audited = auditedByInventory.get(inventory);
  if (audited === undefined) {
    audited = auditClusters(inventory);
    auditedByInventory.set(inventory, audited);
  }
  return audited;
}

const auditedByInventory = new WeakMap<Inventory, AuditedCluster[]>();

function auditClusters(inventory: Inventory): AuditedCluster[] {
  return activeClusters(inventory).flatMap(({ name, c, vpc }) => {
    const vpcId = vpc.vpcId;
    if (vpcId === undefined) return [];
    const vpcSubnets = subnetsOfVpc(inventory.subnets, vpcId);
    if (vpcSubnets.length === 0) return [];
    const routeTables = inventory.routeTables.filter((t) => t.VpcId === vpcId);
    const withVpc: ClusterInventory =
      vpc.source === "cluster"
        ? c
        : { ...c, cluster: { ...c.cluster, resourcesVpcConfig: { ...c.cluster.resourcesVpcConfig, vpcId } } };
    return [{ name, vpcId, inventory: withVpc, vpcSubnets, routeTables }];
  });
}

/** An ACTIVE cluster the elb audit cannot run for: neither DescribeCluster nor its subnets name its VPC. */
export interface UnauditedCluster {
  name: string;
  cluster: Cluster;
  subnetIds: string[];
  /** Subnet id → VPC, for the cluster subnets the inventory holds (empty: none of them). */
  subnetVpcs: Record<string, string>;
}

export function unauditedClusters(inventory: Inventory): UnauditedCluster[] {
  return activeClusters(inventory).flatMap(({ name, c, vpc }) =>
    vpc.vpcId === undefined
      ? [
          {
            name,
            cluster: c.cluster,
            subnetIds: c.cluster.resourcesVpcConfig?.subnetIds ?? [],
            subnetVpcs: vpc.subnetVpcs,
          },
        ]
      : [],
  );
}

/** Every cluster of the account-region, whatever its status: a tag naming one of them is not stale. */
export function liveClusterNames(inventory: Inventory): Set<string> {
  return new Set(inventory.clusters.flatMap((c) => (c.cluster.name === undefined ? [] : [c.cluster.name])));
}

/** Cluster name → its VPC (as `clusterVpc` finds it), for every cluster of the account-region. */
export function clusterVpcs(inventory: Inventory): Map<string, string | undefined> {
  return new Map(
    inventory.clusters.flatMap((c) =>
      c.cluster.name === undefined ? [] : [[c.cluster.name, c.vpcId] as const],
    ),
  );
}

/** What the rules audit: the LBC path for an ALB (the stricter type: it also needs 2 AZs). */
export function lbcDiscovery(
  inventory: Inventory,
  cluster: AuditedCluster,
  scheme: LbScheme,
): LbSubnetDiscovery {
  // Three elb rules ask for the same discovery: computed once per audited cluster and scheme.
  const ofCluster = discoveries.get(cluster) ?? new Map<LbScheme, LbSubnetDiscovery>();
  discoveries.set(cluster, ofCluster);
  let discovery = ofCluster.get(scheme);
  if (discovery === undefined) {
    discovery = discoverForCluster(inventory, cluster.inventory, { controller: "lbc", scheme, type: "alb" });
    ofCluster.set(scheme, discovery);
  }
  return discovery;
}

const discoveries = new WeakMap<AuditedCluster, Map<LbScheme, LbSubnetDiscovery>>();

/** Public/private as both controllers decide it; undefined when no route table applies (inventory gap). */
export function reachabilityOf(subnet: Subnet, cluster: AuditedCluster): "public" | "private" | undefined {
  if (routeTableOf(subnet, cluster.routeTables) === undefined) return undefined;
  return isPublicSubnet(subnet, cluster.routeTables) ? "public" : "private";
}

/**
 * Subnets worth tagging for a scheme, one per AZ: right reachability, regular AZ, not another cluster's,
 * at least 8 free IPs; this cluster's tag first, then the most free IPs, then the lowest id.
 */
export function suggestedLbSubnets(
  cluster: AuditedCluster,
  scheme: LbScheme,
  azs?: ReadonlySet<string>,
): Subnet[] {
  const wanted = scheme === "internet-facing" ? "public" : "private";
  const fits = cluster.vpcSubnets.filter(
    (s) =>
      reachabilityOf(s, cluster) === wanted &&
      subnetLocaleOf(s) === "availability-zone" &&
      lbcForeignClusterKeys(s, cluster.name).length === 0 &&
      (s.AvailableIpAddressCount ?? 0) >= MIN_LB_SUBNET_IPS &&
      (azs === undefined || azs.has(s.AvailabilityZone ?? "")),
  );
  const best = new Map<string, Subnet>();
  for (const s of fits) {
    const az = s.AvailabilityZone ?? "";
    const current = best.get(az);
    if (current === undefined || betterSuggestion(s, current, cluster.name)) best.set(az, s);
  }
  return [...best.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
}

function betterSuggestion(candidate: Subnet, current: Subnet, clusterName: string): boolean {
  const ownCandidate = hasOwnClusterTag(candidate, clusterName);
  if (ownCandidate !== hasOwnClusterTag(current, clusterName)) return ownCandidate;
  const ipsCandidate = candidate.AvailableIpAddressCount ?? 0;
  const ipsCurrent = current.AvailableIpAddressCount ?? 0;
  if (ipsCandidate !== ipsCurrent) return ipsCandidate > ipsCurrent;
  return (candidate.SubnetId ?? "") < (current.SubnetId ?? "");
}

/** Candidates LBC evaluated and then dropped: the subnets one fix away from being used. */
export function blockedCandidates(discovery: LbSubnetDiscovery, azs?: ReadonlySet<string>): ExcludedSubnet[] {
  return discovery.exclusions.filter(
    (e) =>
      (e.cause === "foreign-cluster-tag" || e.cause === "insufficient-ips") &&
      (azs === undefined || azs.has(e.availabilityZone)),
  );
}

/** Steps that make blocked candidates usable: share foreign-tagged subnets, free IPs in full ones. */
export function unblockSteps(blocked: ExcludedSubnet[], clusterName: string, region: string): string[] {
  const foreign = blocked.filter((e) => e.cause === "foreign-cluster-tag").map((e) => e.subnetId);
  const full = blocked.filter((e) => e.cause === "insufficient-ips");
  const steps: string[] = [];
  if (foreign.length > 0) {
    steps.push(
      `share the subnets tagged for another cluster: ${shareWithClusterCommand(foreign, clusterName, region)}`,
    );
  }
  if (full.length > 0) {
    steps.push(
      `free addresses in ${full.map((e) => `${e.subnetId} (${e.availableIps ?? 0} available, needs ${MIN_LB_SUBNET_IPS})`).join(", ")}`,
    );
  }
  return steps;
}

export function createTagsCommand(subnetIds: string[], tags: Record<string, string>, region: string): string {
  const tagArgs = Object.entries(tags).map(([key, value]) => `Key=${key},Value=${value}`);
  return `aws ec2 create-tags --resources ${resources(subnetIds)} --tags ${tagArgs.join(" ")} --region ${region}`;
}

export function deleteTagsCommand(subnetIds: string[], keys: string[], region: string): string {
  const tagArgs = keys.map((key) => `Key=${key}`);
  return `aws ec2 delete-tags --resources ${resources(subnetIds)} --tags ${tagArgs.join(" ")} --region ${region}`;
}

/** Shares subnets with this cluster without touching the other cluster's tag. */
export function shareWithClusterCommand(subnetIds: string[], clusterName: string, region: string): string {
  return createTagsCommand(subnetIds, { [clusterTagKey(clusterName)]: "shared" }, region);
}

/** Stripped or re-added cluster tags usually come from Terraform; this keeps EKS-managed keys out of its diff. */
export const TERRAFORM_IGNORE_TAGS_HINT =
  'Terraform: add to the AWS provider block: ignore_tags { key_prefixes = ["kubernetes.io/cluster/"] }';

export const SCHEME_ANNOTATIONS =
  "service.beta.kubernetes.io/aws-load-balancer-scheme (Service) or alb.ingress.kubernetes.io/scheme (Ingress)";

/** `internal load balancers` / `internet-facing load balancers`. */
export function schemeNoun(scheme: LbScheme): string {
  return `${scheme} load balancers`;
}

export function listIds(ids: string[], max = 6): string {
  if (ids.length <= max) return ids.join(", ");
  return `${ids.slice(0, max).join(", ")} and ${ids.length - max} more`;
}

function resources(subnetIds: string[]): string {
  return subnetIds.length > 0 ? subnetIds.join(" ") : "subnet-…";
}
