/**
 * Node capacity of every kind, derived from the raw API results (pure; part of the one assembly). Each kind is
 * found as the component that launches it marks its records:
 * - managed node groups: DescribeNodegroup; their instances carry `eks:nodegroup-name`;
 * - Karpenter: instances and launch templates tagged `karpenter.sh/nodepool` (v1) or
 *   `karpenter.sh/provisioner-name` (v0.x); karpenter-provider-aws pkg/utils/utils.go `GetTags` puts
 *   `kubernetes.io/cluster/<cluster>`, `karpenter.sh/nodepool`, `eks:eks-cluster-name` and
 *   `karpenter.k8s.aws/ec2nodeclass` on both, and before v1 templates were tagged `karpenter.k8s.aws/cluster`
 *   (v0.32 pkg/providers/launchtemplate/launchtemplate.go `karpenterManagedTagKey`);
 * - self-managed: Auto Scaling groups tagged `kubernetes.io/cluster/<cluster>`, except EKS's own (tagged
 *   `eks:nodegroup-name`) and any tagged by Karpenter; their instances carry `aws:autoscaling:groupName`;
 * - Auto Mode: EC2 managed instances (`Operator.Managed`) tagged `eks:eks-cluster-name` and
 *   `eks:kubernetes-node-pool-name`, the tags AmazonEKSComputePolicy requires on every instance Auto Mode
 *   launches (AWS managed policy reference, AmazonEKSComputePolicy, `aws:RequestTag/...` conditions);
 * - Fargate: DescribeFargateProfile; each running pod is a requester-managed ENI in a profile subnet.
 */
import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type {
  Instance,
  InstanceNetworkInterface,
  LaunchTemplate,
  LaunchTemplateVersion,
  NetworkInterface,
  Subnet,
  Tag,
} from "@aws-sdk/client-ec2";
import type { FargateProfile, Nodegroup } from "@aws-sdk/client-eks";
import {
  launchTemplateVersionOf,
  nodeSecurityGroups,
} from "#shared/models/security-groups/node-security-groups.ts";
import {
  CAPACITY_KINDS,
  type CapacityEni,
  type CapacityGroup,
  type CapacityKind,
  type CapacityLaunchTemplate,
  type CapacityRead,
  type CapacitySecurityGroups,
  type CapacitySubnetSource,
  type ObservedNode,
} from "./capacity-types.ts";
import type { RawCluster, RawRegion, ReadFailure } from "./types.ts";

/** Tag keys that mark an instance as a node of some cluster (the collector's DescribeInstances `tag-key` filter). */
export const NODE_TAG_KEYS = [
  "aws:autoscaling:groupName",
  "eks:cluster-name",
  "eks:eks-cluster-name",
  "karpenter.sh/nodepool",
  "karpenter.sh/provisioner-name",
] as const;
/** Tag keys only Karpenter's launch templates carry, v1 and earlier (the DescribeLaunchTemplates filter). */
export const KARPENTER_TEMPLATE_TAG_KEYS = ["karpenter.k8s.aws/ec2nodeclass", "karpenter.k8s.aws/cluster"];
/** The instance states a node is in (the collector's `instance-state-name` filter). */
export const NODE_STATES = ["pending", "running"];

const NODEGROUP_TAG = "eks:nodegroup-name";
const ASG_TAG = "aws:autoscaling:groupName";
const NODEPOOL_TAGS = ["karpenter.sh/nodepool", "karpenter.sh/provisioner-name"];
const AUTO_MODE_POOL_TAG = "eks:kubernetes-node-pool-name";
const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";
/** EC2 tags every instance launched from a template with these (EC2 user guide, "Launch templates"). */
const LAUNCHED_FROM_TEMPLATE = "aws:ec2launchtemplate:id";
const LAUNCHED_FROM_VERSION = "aws:ec2launchtemplate:version";
/** karpenter-provider-aws pkg/providers/instance/instance.go: CreateFleet names `$Latest` of its templates. */
const KARPENTER_TEMPLATE_VERSION = "$Latest";
const IPAMD_ENI = /^aws-K8S-/;
const TRUNK_ENI_TAG = "vpcresources.k8s.aws/trunk-eni-id";

export function tagsOf(tags: readonly Tag[] | undefined): Map<string, string> {
  return new Map((tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? ""]])));
}

/** The clusters an instance, template or group says it belongs to, from the tags EKS, Karpenter and users set. */
export function clustersNamedBy(tags: ReadonlyMap<string, string>): Set<string> {
  const names = new Set<string>();
  for (const [key, value] of tags) {
    if (key.startsWith("kubernetes.io/cluster/")) names.add(key.slice("kubernetes.io/cluster/".length));
    else if (
      key === "eks:cluster-name" ||
      key === "eks:eks-cluster-name" ||
      key === "aws:eks:cluster-name" ||
      key === "karpenter.k8s.aws/cluster"
    )
      names.add(value);
  }
  names.delete("");
  return names;
}

export function resourceIdOf(kind: CapacityKind, name: string): string {
  return kind === "managed-nodegroup" ? name : `${kind}/${name}`;
}

export function kubeletKeyOf(cluster: string, resourceId: string, templateId?: string): string {
  return templateId === undefined ? `${cluster}/${resourceId}` : `${cluster}/${resourceId}@${templateId}`;
}

/** Which raw sources were read for `clusterName`: present in the raw results and not failed. */
export function capacityReadOf(
  c: RawCluster,
  raw: Pick<RawRegion, "ec2" | "autoscaling">,
  failures: readonly ReadFailure[],
): CapacityRead {
  const failed = (op: ReadFailure["operation"]) => failures.some((f) => f.operation === op);
  return {
    instances: raw.ec2.Reservations !== undefined && !failed("DescribeInstances"),
    autoScalingGroups: raw.autoscaling !== undefined && !failed("DescribeAutoScalingGroups"),
    launchTemplates: raw.ec2.LaunchTemplates !== undefined && !failed("DescribeLaunchTemplates"),
    fargateProfiles:
      c.fargateProfiles !== undefined &&
      !failures.some((f) => f.operation === "ListFargateProfiles" && f.cluster === c.cluster.name),
  };
}

interface ClusterContext {
  name: string;
  vpcId: string | undefined;
  clusterSg: string | undefined;
  prefixDelegation: boolean;
  raw: Pick<RawRegion, "ec2" | "autoscaling">;
  versions: readonly LaunchTemplateVersion[];
}

export interface ClusterCapacity {
  capacity: CapacityGroup[];
  unattributedNodes: ObservedNode[];
  capacityRead: CapacityRead;
}

/** Every capacity group of one cluster, and the instances claiming the cluster that no group accounts for. */
export function capacityOfCluster(
  c: RawCluster,
  vpcId: string | undefined,
  raw: Pick<RawRegion, "ec2" | "autoscaling">,
  prefixDelegation: boolean,
  failures: readonly ReadFailure[],
): ClusterCapacity {
  const name = c.cluster.name ?? "-";
  const ctx: ClusterContext = {
    name,
    vpcId,
    clusterSg: c.cluster.resourcesVpcConfig?.clusterSecurityGroupId,
    prefixDelegation,
    raw,
    versions: raw.ec2.LaunchTemplateVersions,
  };
  const enis = eniIndex(raw.ec2.NetworkInterfaces);
  const instances = instancesOf(raw.ec2.Reservations ?? []);
  const selfManaged = selfManagedGroupsOf(name, raw.autoscaling?.AutoScalingGroups ?? []);
  const asgNames = new Set(selfManaged.map((g) => g.AutoScalingGroupName ?? ""));
  const mine = instances.filter((i) => {
    const tags = tagsOf(i.Tags);
    return clustersNamedBy(tags).has(name) || asgNames.has(tags.get(ASG_TAG) ?? "");
  });
  const claimed = new Set<Instance>();
  const take = (pick: (i: Instance, tags: Map<string, string>) => boolean): Instance[] => {
    const picked = mine.filter((i) => !claimed.has(i) && pick(i, tagsOf(i.Tags)));
    for (const i of picked) claimed.add(i);
    return picked;
  };
  const node = (i: Instance) => observedNode(i, enis);

  const groups: CapacityGroup[] = [];
  for (const ng of c.nodegroups) {
    const nodes = take((_, tags) => tags.get(NODEGROUP_TAG) === ng.nodegroupName).map(node);
    groups.push(managedGroup(ctx, c, ng, nodes));
  }
  // Auto Mode before Karpenter: Auto Mode runs Karpenter, and its instances may carry Karpenter's tags too.
  const autoMode = take((i, tags) => i.Operator?.Managed === true || tags.has(AUTO_MODE_POOL_TAG));
  const pools = new Set(
    c.cluster.computeConfig?.enabled === true ? (c.cluster.computeConfig.nodePools ?? []) : [],
  );
  for (const i of autoMode) pools.add(autoModePoolOf(tagsOf(i.Tags)));
  for (const pool of [...pools].sort()) {
    const nodes = autoMode.filter((i) => autoModePoolOf(tagsOf(i.Tags)) === pool).map(node);
    groups.push(autoModeGroup(ctx, c, pool, nodes));
  }
  for (const asg of selfManaged) {
    const members = new Set((asg.Instances ?? []).map((m) => m.InstanceId));
    const nodes = take(
      (i, tags) => tags.get(ASG_TAG) === asg.AutoScalingGroupName || members.has(i.InstanceId),
    ).map(node);
    groups.push(selfManagedGroup(ctx, asg, nodes));
  }
  const templates = karpenterTemplatesOf(name, raw.ec2.LaunchTemplates ?? []);
  const karpenterNodes = take((_, tags) => NODEPOOL_TAGS.some((k) => tags.has(k)));
  const nodePools = new Set([
    ...karpenterNodes.map((i) => nodePoolOf(tagsOf(i.Tags))),
    ...templates.flatMap((t) => {
      const pool = nodePoolOf(tagsOf(t.Tags));
      return pool === "" ? [] : [pool];
    }),
  ]);
  for (const pool of [...nodePools].sort()) {
    const nodes = karpenterNodes.filter((i) => nodePoolOf(tagsOf(i.Tags)) === pool).map(node);
    groups.push(karpenterGroup(ctx, pool, nodes, templates));
  }
  for (const profile of c.fargateProfiles ?? []) groups.push(fargateGroup(ctx, profile));

  return {
    capacity: groups.sort(byKind),
    unattributedNodes: mine
      .filter((i) => !claimed.has(i))
      .map(node)
      .sort(byId),
    capacityRead: capacityReadOf(c, raw, failures),
  };
}

/** Stable: managed node groups keep the API's order, the other kinds are made in name order. */
function byKind(a: CapacityGroup, b: CapacityGroup): number {
  return CAPACITY_KINDS.indexOf(a.kind) - CAPACITY_KINDS.indexOf(b.kind);
}

function byId(a: ObservedNode, b: ObservedNode): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function sorted(values: Iterable<string | undefined>): string[] {
  return [...new Set([...values].filter((v): v is string => v !== undefined && v !== ""))].sort();
}

/** Running and pending instances, each once (the collector reads no other state; an estate may hold more). */
function instancesOf(reservations: readonly { Instances?: Instance[] }[]): Instance[] {
  const seen = new Map<string, Instance>();
  for (const r of reservations) {
    for (const i of r.Instances ?? []) {
      const state = i.State?.Name;
      if (i.InstanceId === undefined || (state !== undefined && !NODE_STATES.includes(state))) continue;
      if (!seen.has(i.InstanceId)) seen.set(i.InstanceId, i);
    }
  }
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------------
// Nodes and their ENIs

interface EniIndex {
  byId: Map<string, NetworkInterface>;
  /** ENIs attached to an instance, by instance id (for instances described without their ENIs). */
  byInstance: Map<string, NetworkInterface[]>;
  /** Branch ENIs by the trunk ENI they ride on (`vpcresources.k8s.aws/trunk-eni-id`). */
  branchesByTrunk: Map<string, NetworkInterface[]>;
}

function eniIndex(enis: readonly NetworkInterface[]): EniIndex {
  const index: EniIndex = { byId: new Map(), byInstance: new Map(), branchesByTrunk: new Map() };
  for (const eni of enis) {
    if (eni.NetworkInterfaceId !== undefined) index.byId.set(eni.NetworkInterfaceId, eni);
    const instance = eni.Attachment?.InstanceId;
    if (instance !== undefined)
      index.byInstance.set(instance, [...(index.byInstance.get(instance) ?? []), eni]);
    const trunk = tagsOf(eni.TagSet).get(TRUNK_ENI_TAG);
    if (trunk !== undefined && (eni.InterfaceType === "branch" || eni.Description === "aws-k8s-branch-eni"))
      index.branchesByTrunk.set(trunk, [...(index.branchesByTrunk.get(trunk) ?? []), eni]);
  }
  return index;
}

type AnyEni = Pick<
  InstanceNetworkInterface | NetworkInterface,
  | "NetworkInterfaceId"
  | "SubnetId"
  | "Description"
  | "InterfaceType"
  | "PrivateIpAddresses"
  | "Ipv4Prefixes"
  | "Groups"
> & { Attachment?: { DeviceIndex?: number | undefined } | undefined; PrivateIpAddress?: string | undefined };

function capacityEni(eni: AnyEni, nodeSubnet: string | undefined): CapacityEni {
  const addresses = eni.PrivateIpAddresses ?? [];
  const primary =
    addresses.find((a) => a.Primary === true)?.PrivateIpAddress ?? eni.PrivateIpAddress ?? undefined;
  const ipamd = IPAMD_ENI.test(eni.Description ?? "");
  return {
    networkInterfaceId: eni.NetworkInterfaceId ?? "",
    ...(eni.SubnetId !== undefined ? { subnetId: eni.SubnetId } : {}),
    ...(eni.Attachment?.DeviceIndex !== undefined ? { deviceIndex: eni.Attachment.DeviceIndex } : {}),
    interfaceType: eni.InterfaceType ?? "interface",
    ipamd,
    ...(primary !== undefined ? { primaryIp: primary } : {}),
    secondaryIps: addresses
      .filter((a) => a.Primary !== true && a.PrivateIpAddress !== undefined)
      .map((a) => a.PrivateIpAddress as string),
    prefixes: (eni.Ipv4Prefixes ?? []).flatMap((p) => (p.Ipv4Prefix === undefined ? [] : [p.Ipv4Prefix])),
    groupIds: sorted((eni.Groups ?? []).map((g) => g.GroupId)),
    podSubnet: ipamd && eni.SubnetId !== undefined && nodeSubnet !== undefined && eni.SubnetId !== nodeSubnet,
  };
}

function observedNode(i: Instance, index: EniIndex): ObservedNode {
  const id = i.InstanceId ?? "";
  const described: AnyEni[] =
    (i.NetworkInterfaces ?? []).length > 0 ? (i.NetworkInterfaces ?? []) : (index.byInstance.get(id) ?? []);
  const enis = described
    .map((eni) => capacityEni(eni, i.SubnetId))
    .sort((a, b) => (a.deviceIndex ?? 99) - (b.deviceIndex ?? 99));
  const primary = enis.find((e) => e.deviceIndex === 0) ?? enis[0];
  const trunks = enis.filter((e) => e.interfaceType === "trunk").map((e) => e.networkInterfaceId);
  const tags = tagsOf(i.Tags);
  const template = tags.get(LAUNCHED_FROM_TEMPLATE);
  const version = tags.get(LAUNCHED_FROM_VERSION);
  return {
    id,
    kind: "instance",
    ...(i.InstanceType !== undefined ? { instanceType: i.InstanceType } : {}),
    ...(i.SubnetId !== undefined ? { subnetId: i.SubnetId } : {}),
    ...(i.Placement?.AvailabilityZone !== undefined
      ? { availabilityZone: i.Placement.AvailabilityZone }
      : {}),
    ...(i.State?.Name !== undefined ? { state: i.State.Name } : {}),
    ...(i.LaunchTime !== undefined ? { launchTime: new Date(i.LaunchTime) } : {}),
    ...(template !== undefined ? { launchTemplate: { id: template, ...(version ? { version } : {}) } } : {}),
    groupIds: primary?.groupIds ?? sorted((i.SecurityGroups ?? []).map((g) => g.GroupId)),
    enis,
    branchEnis: trunks
      .flatMap((t) => index.branchesByTrunk.get(t) ?? [])
      .map((eni) => capacityEni(eni, i.SubnetId))
      .sort((a, b) => (a.networkInterfaceId < b.networkInterfaceId ? -1 : 1)),
  };
}

function observedTypes(nodes: readonly ObservedNode[]): string[] {
  return sorted(nodes.map((n) => n.instanceType));
}

function nodeSubnets(nodes: readonly ObservedNode[]): string[] {
  return sorted(nodes.map((n) => n.subnetId));
}

function podSubnets(nodes: readonly ObservedNode[]): string[] {
  return sorted(nodes.flatMap((n) => n.enis.filter((e) => e.podSubnet).map((e) => e.subnetId)));
}

function observedGroups(nodes: readonly ObservedNode[]): string[] {
  return sorted(nodes.flatMap((n) => n.groupIds));
}

function subnetsFrom(entries: [CapacitySubnetSource, readonly string[]][]): {
  subnetIds: string[];
  subnetsFrom: CapacitySubnetSource[];
} {
  const used = entries.filter(([, ids]) => ids.length > 0);
  return { subnetIds: sorted(used.flatMap(([, ids]) => ids)), subnetsFrom: used.map(([source]) => source) };
}

// ---------------------------------------------------------------------------------------------------
// The kinds

function managedGroup(
  ctx: ClusterContext,
  c: RawCluster,
  ng: Nodegroup,
  nodes: ObservedNode[],
): CapacityGroup {
  const name = ng.nodegroupName ?? "-";
  const sgs = nodeSecurityGroups(c.cluster, ng, ctx.versions);
  const version = launchTemplateVersionOf(ng, ctx.versions);
  const lt = ng.launchTemplate;
  const fromTemplate = version?.LaunchTemplateData?.InstanceType;
  return {
    kind: "managed-nodegroup",
    name,
    resourceId: resourceIdOf("managed-nodegroup", name),
    cluster: ctx.name,
    ...subnetsFrom([["configured", ng.subnets ?? []]]),
    podSubnetIds: podSubnets(nodes),
    securityGroups: {
      groupIds: sgs.groupIds,
      source: sgs.source,
      ...(sgs.remoteAccessGroupId !== undefined ? { remoteAccessGroupId: sgs.remoteAccessGroupId } : {}),
      ...(sgs.unresolvedLaunchTemplate !== undefined
        ? { unresolvedLaunchTemplate: sgs.unresolvedLaunchTemplate }
        : {}),
    },
    instanceTypes: {
      configured: sorted([...(ng.instanceTypes ?? []), fromTemplate]),
      observed: observedTypes(nodes),
    },
    sizes: {
      ...(ng.scalingConfig?.minSize !== undefined ? { min: ng.scalingConfig.minSize } : {}),
      ...(ng.scalingConfig?.maxSize !== undefined ? { max: ng.scalingConfig.maxSize } : {}),
      ...(ng.scalingConfig?.desiredSize !== undefined ? { desired: ng.scalingConfig.desiredSize } : {}),
    },
    launchTemplates:
      lt?.id !== undefined || lt?.name !== undefined
        ? [templateEntry(lt.id, lt.name, lt.version ?? "$Default", version)]
        : [],
    kubeletKeys: [kubeletKeyOf(ctx.name, name)],
    prefixDelegation: ctx.prefixDelegation,
    maxPodsFrom: "eni-max-pods",
    nodes,
    source: { nodegroup: ng },
  };
}

function templateEntry(
  id: string | undefined,
  name: string | undefined,
  version: string,
  read: LaunchTemplateVersion | undefined,
): CapacityLaunchTemplate {
  return {
    ...(id !== undefined ? { id } : {}),
    ...(name !== undefined ? { name } : {}),
    version,
    ...(read?.VersionNumber !== undefined ? { versionNumber: read.VersionNumber } : {}),
  };
}

/** The version a group's template spec names, among the versions read (by id or name; number, $Latest, $Default). */
export function templateVersionOf(
  spec: { id?: string | undefined; name?: string | undefined; version?: string | undefined },
  versions: readonly LaunchTemplateVersion[],
): LaunchTemplateVersion | undefined {
  return launchTemplateVersionOf(
    { launchTemplate: { id: spec.id, name: spec.name, version: spec.version } } as Nodegroup,
    versions,
  );
}

/** SGs a template's data puts on instances: instance level, or those of its network interfaces. */
function templateGroups(version: LaunchTemplateVersion | undefined): string[] {
  const data = version?.LaunchTemplateData;
  return sorted([
    ...(data?.SecurityGroupIds ?? []),
    ...(data?.NetworkInterfaces ?? []).flatMap((ni) => ni.Groups ?? []),
  ]);
}

/** The Auto Scaling groups of the cluster that EKS and Karpenter do not manage. */
function selfManagedGroupsOf(cluster: string, groups: readonly AutoScalingGroup[]): AutoScalingGroup[] {
  return groups
    .filter((g) => {
      const keys = new Set((g.Tags ?? []).map((t) => t.Key));
      return (
        keys.has(`kubernetes.io/cluster/${cluster}`) &&
        !keys.has(NODEGROUP_TAG) &&
        !NODEPOOL_TAGS.some((k) => keys.has(k))
      );
    })
    .sort((a, b) => ((a.AutoScalingGroupName ?? "") < (b.AutoScalingGroupName ?? "") ? -1 : 1));
}

/** The template an Auto Scaling group launches: its own, or its mixed instances policy's. */
export function asgTemplateSpec(
  asg: AutoScalingGroup,
): { id?: string | undefined; name?: string | undefined; version: string } | undefined {
  const spec = asg.LaunchTemplate ?? asg.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (spec?.LaunchTemplateId === undefined && spec?.LaunchTemplateName === undefined) return undefined;
  return { id: spec.LaunchTemplateId, name: spec.LaunchTemplateName, version: spec.Version ?? "$Default" };
}

function selfManagedGroup(ctx: ClusterContext, asg: AutoScalingGroup, nodes: ObservedNode[]): CapacityGroup {
  const name = asg.AutoScalingGroupName ?? "-";
  const resourceId = resourceIdOf("self-managed", name);
  const spec = asgTemplateSpec(asg);
  const version = spec === undefined ? undefined : templateVersionOf(spec, ctx.versions);
  const fromTemplate = templateGroups(version);
  const overrides = asg.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  let securityGroups: CapacitySecurityGroups;
  if (version !== undefined && fromTemplate.length > 0)
    securityGroups = { groupIds: fromTemplate, source: "launch-template" };
  else if (version !== undefined) securityGroups = vpcDefaultGroup(ctx);
  else
    securityGroups = {
      ...observedOrUnknown(nodes),
      ...(spec !== undefined ? { unresolvedLaunchTemplate: `${spec.id ?? spec.name}@${spec.version}` } : {}),
    };
  return {
    kind: "self-managed",
    name,
    resourceId,
    cluster: ctx.name,
    ...subnetsFrom([
      [
        "configured",
        (asg.VPCZoneIdentifier ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      ],
    ]),
    podSubnetIds: podSubnets(nodes),
    securityGroups,
    instanceTypes: {
      configured: sorted([
        version?.LaunchTemplateData?.InstanceType,
        ...overrides.map((o) => o.InstanceType),
      ]),
      observed: observedTypes(nodes),
    },
    sizes: {
      ...(asg.MinSize !== undefined ? { min: asg.MinSize } : {}),
      ...(asg.MaxSize !== undefined ? { max: asg.MaxSize } : {}),
      ...(asg.DesiredCapacity !== undefined ? { desired: asg.DesiredCapacity } : {}),
    },
    launchTemplates: spec === undefined ? [] : [templateEntry(spec.id, spec.name, spec.version, version)],
    kubeletKeys: [kubeletKeyOf(ctx.name, resourceId)],
    prefixDelegation: ctx.prefixDelegation,
    maxPodsFrom: "eni-max-pods",
    nodes,
    source: { autoScalingGroup: asg },
  };
}

/** A template naming no SG launches instances with the VPC's default SG (EC2 RunInstances). */
function vpcDefaultGroup(ctx: ClusterContext): CapacitySecurityGroups {
  const fallback = ctx.raw.ec2.SecurityGroups.find((g) => g.GroupName === "default" && g.VpcId === ctx.vpcId);
  return fallback?.GroupId !== undefined
    ? { groupIds: [fallback.GroupId], source: "vpc-default-security-group" }
    : { groupIds: [], source: "unknown" };
}

function observedOrUnknown(nodes: readonly ObservedNode[]): CapacitySecurityGroups {
  const groupIds = observedGroups(nodes);
  return groupIds.length > 0 ? { groupIds, source: "observed" } : { groupIds: [], source: "unknown" };
}

function nodePoolOf(tags: ReadonlyMap<string, string>): string {
  return tags.get("karpenter.sh/nodepool") ?? tags.get("karpenter.sh/provisioner-name") ?? "";
}

function autoModePoolOf(tags: ReadonlyMap<string, string>): string {
  return tags.get(AUTO_MODE_POOL_TAG) ?? tags.get("karpenter.sh/nodepool") ?? "unknown";
}

/** Karpenter's launch templates of the cluster: tagged with a Karpenter key and naming the cluster. */
function karpenterTemplatesOf(cluster: string, templates: readonly LaunchTemplate[]): LaunchTemplate[] {
  return templates.filter((t) => {
    const tags = tagsOf(t.Tags);
    return KARPENTER_TEMPLATE_TAG_KEYS.some((k) => tags.has(k)) && clustersNamedBy(tags).has(cluster);
  });
}

function karpenterGroup(
  ctx: ClusterContext,
  pool: string,
  nodes: ObservedNode[],
  templates: readonly LaunchTemplate[],
): CapacityGroup {
  const resourceId = resourceIdOf("karpenter", pool);
  const launchedFrom = new Set(nodes.flatMap((n) => (n.launchTemplate ? [n.launchTemplate.id] : [])));
  const mine = templates
    .filter((t) => nodePoolOf(tagsOf(t.Tags)) === pool || launchedFrom.has(t.LaunchTemplateId ?? ""))
    .sort((a, b) => ((a.LaunchTemplateId ?? "") < (b.LaunchTemplateId ?? "") ? -1 : 1));
  const versions = mine.map((t) =>
    templateVersionOf({ id: t.LaunchTemplateId, version: KARPENTER_TEMPLATE_VERSION }, ctx.versions),
  );
  const fromTemplates = sorted(versions.flatMap(templateGroups));
  const observed = observedGroups(nodes);
  const discovery = ctx.raw.ec2.Subnets.filter(
    (s: Subnet) => s.VpcId === ctx.vpcId && tagsOf(s.Tags).get(KARPENTER_DISCOVERY_TAG) === ctx.name,
  ).map((s) => s.SubnetId ?? "");
  return {
    kind: "karpenter",
    name: pool,
    resourceId,
    cluster: ctx.name,
    ...subnetsFrom([
      ["nodes", nodeSubnets(nodes)],
      ["karpenter-discovery-tag", discovery],
    ]),
    podSubnetIds: podSubnets(nodes),
    securityGroups:
      observed.length > 0
        ? { groupIds: observed, source: "observed" }
        : fromTemplates.length > 0
          ? { groupIds: fromTemplates, source: "launch-template" }
          : { groupIds: [], source: "unknown" },
    instanceTypes: { configured: [], observed: observedTypes(nodes) },
    launchTemplates: mine.map((t, i) =>
      templateEntry(t.LaunchTemplateId, t.LaunchTemplateName, KARPENTER_TEMPLATE_VERSION, versions[i]),
    ),
    kubeletKeys: mine.map((t) => kubeletKeyOf(ctx.name, resourceId, t.LaunchTemplateId)),
    prefixDelegation: ctx.prefixDelegation,
    maxPodsFrom: "eni-max-pods",
    nodes,
    source: {},
  };
}

function autoModeGroup(
  ctx: ClusterContext,
  c: RawCluster,
  pool: string,
  nodes: ObservedNode[],
): CapacityGroup {
  const observed = observedGroups(nodes);
  return {
    kind: "auto-mode",
    name: pool,
    resourceId: resourceIdOf("auto-mode", pool),
    cluster: ctx.name,
    ...subnetsFrom([
      ["nodes", nodeSubnets(nodes)],
      ["cluster-subnets", c.cluster.resourcesVpcConfig?.subnetIds ?? []],
    ]),
    podSubnetIds: podSubnets(nodes),
    securityGroups:
      observed.length > 0
        ? { groupIds: observed, source: "observed" }
        : ctx.clusterSg !== undefined
          ? { groupIds: [ctx.clusterSg], source: "assumed-cluster-security-group" }
          : { groupIds: [], source: "unknown" },
    instanceTypes: { configured: [], observed: observedTypes(nodes) },
    launchTemplates: [],
    kubeletKeys: [],
    prefixDelegation: true,
    maxPodsFrom: "auto-mode",
    nodes,
    source: {},
  };
}

/**
 * A Fargate pod's ENI: requester-managed (Fargate creates it in the account's subnet), an ordinary
 * `interface`, attached to no instance of the account, not a control-plane ENI (`Amazon EKS <cluster>`),
 * carrying the cluster SG (EKS user guide, "Security groups for Pods": Fargate pods get the cluster SG
 * unless a SecurityGroupPolicy gives them others; those are not recognised here).
 */
export function isFargatePodEni(eni: NetworkInterface, clusterSg: string | undefined): boolean {
  return (
    clusterSg !== undefined &&
    eni.RequesterManaged === true &&
    (eni.InterfaceType ?? "interface") === "interface" &&
    eni.Attachment?.InstanceId === undefined &&
    !(eni.Description ?? "").startsWith("Amazon EKS") &&
    (eni.Groups ?? []).some((g) => g.GroupId === clusterSg)
  );
}

function fargateGroup(ctx: ClusterContext, profile: FargateProfile): CapacityGroup {
  const name = profile.fargateProfileName ?? "-";
  const subnets = new Set(profile.subnets ?? []);
  const pods: ObservedNode[] = ctx.raw.ec2.NetworkInterfaces.filter(
    (eni) => subnets.has(eni.SubnetId ?? "") && isFargatePodEni(eni, ctx.clusterSg),
  )
    .map((eni): ObservedNode => {
      const e = capacityEni(eni, eni.SubnetId);
      return {
        id: e.networkInterfaceId,
        kind: "fargate-pod",
        ...(eni.SubnetId !== undefined ? { subnetId: eni.SubnetId } : {}),
        ...(eni.AvailabilityZone !== undefined ? { availabilityZone: eni.AvailabilityZone } : {}),
        groupIds: e.groupIds,
        enis: [e],
        branchEnis: [],
      };
    })
    .sort(byId);
  const observed = observedGroups(pods);
  return {
    kind: "fargate",
    name,
    resourceId: resourceIdOf("fargate", name),
    cluster: ctx.name,
    ...subnetsFrom([["configured", [...subnets]]]),
    podSubnetIds: [],
    securityGroups:
      observed.length > 0
        ? { groupIds: observed, source: "observed" }
        : ctx.clusterSg !== undefined
          ? { groupIds: [ctx.clusterSg], source: "cluster-security-group" }
          : { groupIds: [], source: "unknown" },
    instanceTypes: { configured: [], observed: [] },
    launchTemplates: [],
    kubeletKeys: [],
    prefixDelegation: false,
    maxPodsFrom: "one-per-pod",
    nodes: pods,
    source: { fargateProfile: profile },
  };
}
