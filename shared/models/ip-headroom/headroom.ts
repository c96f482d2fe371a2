/**
 * Subnet IP headroom per (subnet, node group) pair, shared by the ip.* rules.
 * ../shared/reference/vpc-cni-ip-math.md, "From per-node cost to headroom".
 */
import type { Subnet } from "@aws-sdk/client-ec2";
import type { Cluster, Nodegroup } from "@aws-sdk/client-eks";
import { capacityNoun } from "#shared/inventory/capacity-label.ts";
import type { CapacityEni, CapacityGroup, CapacityKind } from "#shared/inventory/capacity-types.ts";
import { subnetIndex } from "#shared/inventory/indexes.ts";
import type { ClusterInventory, Inventory } from "#shared/inventory/types.ts";
import { CNI_DEFAULTS, type CniConfig, type CniSettings, settingsAsEnv } from "#shared/models/cni/config.ts";
import {
  freeAlignedPrefixBlocks,
  fullCost,
  heldInSubnet,
  IPS_PER_PREFIX,
  launchCost,
  type NodeIpCost,
  nodesThatFit,
  prefixDelegationActive,
  unheldAddressesIn,
  usableAddresses,
} from "#shared/models/cni/ip-math.ts";
import { type InstanceNetworkLimits, limitsFor } from "#shared/models/instance-types/limits.ts";
import { launchTemplateVersionOf } from "#shared/models/security-groups/node-security-groups.ts";

/** Free IPs EKS needs in a cluster (control-plane) subnet to upgrade; 16 are recommended. */
export const CLUSTER_SUBNET_RESERVE = 5;
export const CLUSTER_SUBNET_RECOMMENDED = 16;
/** Below this many launches per subnet a node group is one scale-out from exhaustion. */
export const MIN_COMFORTABLE_LAUNCHES = 3;
/** Below this share of free addresses a subnet is reported even when the node groups still fit. */
export const LOW_FREE_PERCENT = 15;
export const INSUFFICIENT_FREE_ADDRESSES = "InsufficientFreeAddresses";
/** Managed node groups without instance types (in the node group or its launch template) get t3.medium. */
export const EKS_DEFAULT_INSTANCE_TYPE = "t3.medium";

export interface PrefixBlocks {
  /** Free aligned /28 blocks left in the subnet. */
  free: number;
  perNodeAtLaunch: number;
  perNodeAtFull: number;
  fitsAtLaunch: number;
  fitsAtFull: number;
  /** ENIs of the subnet seen in the inventory. */
  networkInterfaces: number;
  /** False when the ENIs seen hold fewer addresses than AWS reports in use: `free` is then an upper bound. */
  complete: boolean;
  /** Explicit subnet CIDR reservations: no prefix comes out of them. */
  explicitReservations?: string[];
  /** Prefix-type reservations and the addresses in them no ENI holds yet (space for prefixes). */
  prefixReservations?: { cidrs: string[]; unheldAddresses: number };
}

export interface SubnetHeadroom {
  subnetId: string;
  /** A custom-networking pod subnet (ENIConfig), found from ipamd's ENIs: it pays the pod ENIs' addresses. */
  podSubnet?: boolean;
  /** A pod subnet's own per-node costs (the group's `launch`/`full` are its node-subnet costs). */
  podSubnetCost?: { launch: NodeIpCost; full: NodeIpCost };
  /** Security-groups-for-pods branch ENIs in the subnet (one address each, already out of the available count). */
  branchEnis?: number;
  /** Fargate: running pods in the subnet, counted once per ENI (a pod shows under every profile of the subnet). */
  fargatePods?: number;
  availabilityZone?: string;
  cidrBlock?: string;
  /** AvailableIpAddressCount (AWS already excludes its 5 reserved addresses). */
  available: number;
  /** Addresses the subnet can hand out at all (size − 5). */
  usable?: number;
  freePercent?: number;
  /** IPs kept free: 5 in a subnet that is also a cluster subnet. */
  reserve: number;
  clusterSubnet: boolean;
  fitsAtLaunchByIps: number;
  fitsAtFullByIps: number;
  /** Nodes that fit, the /28 constraint included under prefix delegation. */
  fitsAtLaunch: number;
  fitsAtFull: number;
  prefixBlocks?: PrefixBlocks;
}

export interface NodegroupHeadroom {
  cluster: string;
  /** The capacity group's name (the node group name for a managed node group). */
  nodegroup: string;
  kind: CapacityKind;
  /** What findings about the group name: the node group name, else `<kind>/<name>`. */
  resourceId: string;
  /** `node group web`, `Karpenter node pool default`, … (inside a sentence). */
  label: string;
  /** The node group's instance types as configured (or resolved from its launch template). */
  instanceTypes: string[];
  /** The type whose cost is used: the most expensive at launch. */
  instanceType: string;
  /** Why this type: several types, EKS default, some unknown. */
  instanceTypeNote?: string;
  /** Undefined for Fargate (no instance: one address per pod). */
  limits?: InstanceNetworkLimits;
  launch: NodeIpCost;
  full: NodeIpCost;
  /** The CNI settings the costs use (Auto Mode: its own, not the cluster's vpc-cni). */
  settings: CniSettings;
  /** False for kinds with no maxSize (Karpenter, Auto Mode, Fargate): headroom is judged per launch only. */
  hasMaxSize: boolean;
  /**
   * Karpenter and Auto Mode: per zone, the subnets it may launch into and the one it picks (the most free
   * addresses); `subnets` then holds the picked ones only.
   */
  zones?: { zone: string; picked: string; candidates: { subnetId: string; available: number }[] }[];
  desiredSize: number;
  maxSize: number;
  /** maxSize − desiredSize. */
  wantedGrowth: number;
  subnets: SubnetHeadroom[];
  /** Custom-networking pod subnets (from ipamd's ENIs), judged with the pod ENIs' cost. */
  podSubnets: SubnetHeadroom[];
  /**
   * Addresses the group's busiest node holds in its own subnet, from its ENIs (primary, secondary, 16 per /28
   * prefix): shown beside the modelled full cost, and used when larger.
   */
  observedPerNode?: { node: string; addresses: number; nodes: number };
  /** Node group subnets missing from the inventory. */
  missingSubnets: string[];
  /** k × min(nodes that fit) over the node group's k subnets: how far it can grow evenly. */
  growthAtLaunch: number;
  growthAtFull: number;
}

export interface SkippedNodegroup {
  nodegroup: string;
  /** Present for capacity other than managed node groups. */
  capacityKind?: CapacityKind;
  reason: string;
}

export interface InsufficientAddressesIssue {
  subnetId: string;
  /** `nodegroup:<name>` or `cluster`. */
  reportedBy: string;
  message?: string;
  /** False when the issue named no subnet and the tightest subnet(s) were taken. */
  named: boolean;
}

export interface ClusterHeadroom {
  cluster: string;
  ipFamily: "ipv4" | "ipv6";
  cni: CniConfig;
  clusterSubnetIds: string[];
  nodegroups: NodegroupHeadroom[];
  skipped: SkippedNodegroup[];
  issues: InsufficientAddressesIssue[];
  /** Cost assumptions that hold for every pair, for evidence. */
  notes: string[];
}

export interface SubnetAssessment {
  /** Not one more node fits at launch cost (address count). */
  exhausted: boolean;
  /** Prefix delegation: the addresses would hold one more node, the free /28 blocks would not. */
  fragmented: boolean;
  nearlyFull?: { severity: "HIGH" | "MEDIUM"; reasons: string[] };
}

const cache = new WeakMap<Inventory, ClusterHeadroom[]>();

/** Headroom of every cluster of an inventory (computed once per inventory). */
export function clusterHeadroom(inventory: Inventory): ClusterHeadroom[] {
  let result = cache.get(inventory);
  if (!result) {
    result = inventory.clusters.map((c) => headroomOfCluster(inventory, c));
    cache.set(inventory, result);
  }
  return result;
}

function headroomOfCluster(inventory: Inventory, ci: ClusterInventory): ClusterHeadroom {
  const name = ci.cluster.name ?? "-";
  const cni = ci.cni;
  const ipFamily = ci.cluster.kubernetesNetworkConfig?.ipFamily === "ipv6" ? "ipv6" : "ipv4";
  const clusterSubnetIds = ci.cluster.resourcesVpcConfig?.subnetIds ?? [];
  const subnets = subnetIndex(inventory.subnets);
  const nodegroups: NodegroupHeadroom[] = [];
  const skipped: SkippedNodegroup[] = [];
  const context: GroupContext = {
    clusterSubnetIds,
    subnets,
    fargatePods: fargatePodsBySubnet(ci.capacity),
  };
  for (const group of ci.capacity) {
    const result = headroomOfGroup(inventory, name, group, cni.settings, ipFamily, context);
    if ("reason" in result) skipped.push(result);
    else nodegroups.push(result);
  }
  const notes = [
    "pods per node and kubelet maxPods are invisible from AWS APIs: launch cost assumes 1 IP-consuming pod, full cost maxPods − 2, maxPods the eni-max-pods value",
  ];
  if (cni.settings.customNetworking) {
    notes.push(
      "custom networking: node subnets pay 1 IP per node; pod subnets are those of ipamd's aws-K8S-* ENIs outside their node's subnet (an ENIConfig subnet no node uses yet is not seen)",
    );
  }
  return {
    cluster: name,
    ipFamily,
    cni,
    clusterSubnetIds,
    nodegroups,
    skipped,
    issues: insufficientAddressIssues(ci.cluster, ci.nodegroups, nodegroups, subnets),
    notes,
  };
}

/**
 * The node group's instance types: its own list, else its launch template's, else the EKS default. None when
 * the launch template version was not read: its instance type is then unknown, never the default.
 */
export function nodegroupInstanceTypes(
  ng: Nodegroup,
  inventory: Pick<Inventory, "launchTemplateVersions">,
): { types: string[]; note?: string } {
  if (ng.instanceTypes && ng.instanceTypes.length > 0) return { types: ng.instanceTypes };
  const version = launchTemplateVersionOf(ng, inventory.launchTemplateVersions);
  const fromTemplate = version?.LaunchTemplateData?.InstanceType;
  if (fromTemplate) return { types: [fromTemplate], note: "instance type from the launch template" };
  const lt = ng.launchTemplate;
  if (version === undefined && (lt?.id || lt?.name)) {
    return {
      types: [],
      note: `launch template ${lt.id ?? lt.name} version ${lt.version ?? "$Default"} was not read: instance type unknown`,
    };
  }
  return {
    types: [EKS_DEFAULT_INSTANCE_TYPE],
    note: `no instance type in the node group or its launch template: EKS default ${EKS_DEFAULT_INSTANCE_TYPE}`,
  };
}

/** `node group web`, `Karpenter node pool default`: a capacity group inside a sentence. */
export const groupLabel = capacityNoun;

/**
 * EKS Auto Mode's own IP model: no vpc-cni add-on; pods get addresses from /28 prefixes on the node's ENIs
 * (EKS user guide, "Learn about VPC Networking and Load Balancing in EKS Auto Mode": prefix delegation, falling
 * back to secondary IPs when no /28 is free). AWS shows no warm-pool setting: one warm prefix is assumed, the
 * vpc-cni's shipped WARM_PREFIX_TARGET.
 */
export const AUTO_MODE_SETTINGS: Readonly<CniSettings> = Object.freeze({
  ...CNI_DEFAULTS,
  enablePrefixDelegation: true,
});

/** One Fargate pod: its own micro-VM and ENI, one subnet address (EKS user guide, "Fargate pod configuration"). */
export function fargatePodCost(): NodeIpCost {
  return {
    instanceType: "fargate",
    pods: 1,
    maxPods: 1,
    enis: 1,
    prefixes: 0,
    ips: { nodeSubnet: 1, eniConfigSubnet: 0, total: 1 },
    formula: "Fargate: one ENI and one address per pod",
  };
}

/** The instance types a group is costed with, and why. */
function groupInstanceTypes(inventory: Inventory, group: CapacityGroup): { types: string[]; note?: string } {
  const ng = group.source.nodegroup;
  if (group.kind === "managed-nodegroup" && ng !== undefined) return nodegroupInstanceTypes(ng, inventory);
  if (group.instanceTypes.configured.length > 0) return { types: group.instanceTypes.configured };
  if (group.instanceTypes.observed.length > 0)
    return { types: group.instanceTypes.observed, note: "instance types its nodes run" };
  const template = group.securityGroups.unresolvedLaunchTemplate;
  return {
    types: [],
    note:
      template !== undefined
        ? `launch template ${template} was not read: instance type unknown`
        : group.kind === "karpenter" || group.kind === "auto-mode"
          ? "no node running: the instance types its NodePool allows are a Kubernetes object, invisible from AWS APIs"
          : "no instance type configured or observed",
  };
}

/**
 * Karpenter (and Auto Mode, which runs it) launches a node into one subnet per zone: of the subnets its
 * EC2NodeClass selects, the one with the most available addresses (karpenter-provider-aws
 * pkg/providers/subnet/subnet.go `ZonalSubnetsForLaunch`: per zone, keep the subnet whose
 * AvailableIPAddressCount is larger). Headroom is judged on that subnet, per zone.
 */
function pickedPerZone(headrooms: readonly SubnetHeadroom[]): {
  picked: SubnetHeadroom[];
  zones: NonNullable<NodegroupHeadroom["zones"]>;
} {
  const byZone = new Map<string, SubnetHeadroom[]>();
  for (const h of headrooms) {
    const zone = h.availabilityZone ?? h.subnetId;
    byZone.set(zone, [...(byZone.get(zone) ?? []), h]);
  }
  const picked: SubnetHeadroom[] = [];
  const zones: NonNullable<NodegroupHeadroom["zones"]> = [];
  for (const [zone, candidates] of [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const best = candidates.reduce((a, b) => (b.available > a.available ? b : a));
    picked.push(best);
    zones.push({
      zone,
      picked: best.subnetId,
      candidates: candidates.map((c) => ({ subnetId: c.subnetId, available: c.available })),
    });
  }
  return { picked, zones };
}

/** Headroom of one capacity group of any kind over the subnets it uses. */
function headroomOfGroup(
  inventory: Inventory,
  cluster: string,
  group: CapacityGroup,
  clusterSettings: CniSettings,
  ipFamily: "ipv4" | "ipv6",
  { clusterSubnetIds, subnets, fargatePods }: GroupContext,
): NodegroupHeadroom | SkippedNodegroup {
  const nodegroup = group.name;
  const skip = (reason: string): SkippedNodegroup => ({
    nodegroup,
    ...(group.kind !== "managed-nodegroup" ? { capacityKind: group.kind } : {}),
    reason,
  });
  if (group.source.nodegroup?.amiType?.startsWith("WINDOWS")) {
    return skip("Windows nodes take pod IPs from the primary ENI only: not modelled");
  }
  const settings = group.kind === "auto-mode" ? { ...AUTO_MODE_SETTINGS } : clusterSettings;
  const notes: string[] = [];
  let costed: { limits?: InstanceNetworkLimits; launch: NodeIpCost; full: NodeIpCost };
  let types: string[];
  if (group.kind === "fargate") {
    types = [];
    costed = { launch: fargatePodCost(), full: fargatePodCost() };
  } else {
    const found = groupInstanceTypes(inventory, group);
    types = found.types;
    if (types.length === 0) return skip(`${found.note ?? "no instance type"}: cost not computed`);
    const known = types.flatMap((t) => {
      const limits = limitsFor(inventory, t);
      return limits ? [limits] : [];
    });
    const unknown = types.filter((t) => !known.some((l) => l.instanceType === t));
    if (known.length === 0) {
      return skip(
        `unknown instance type ${unknown.join(", ")} (not in DescribeInstanceTypes): cost not computed`,
      );
    }
    const options = { ipFamily } as const;
    const all = known.map((limits) => ({
      limits,
      launch: launchCost(limits, settings, options),
      full: fullCost(limits, settings, options),
    }));
    // Karpenter and Auto Mode launch whichever of their types fits: not one more node means not the cheapest.
    const cheapestFirst = group.kind === "karpenter" || group.kind === "auto-mode";
    all.sort(
      (a, b) =>
        (cheapestFirst ? -1 : 1) *
        (b.launch.ips.nodeSubnet - a.launch.ips.nodeSubnet || b.full.ips.nodeSubnet - a.full.ips.nodeSubnet),
    );
    const chosen = all[0];
    if (!chosen) return skip("no instance type");
    costed = chosen;
    if (found.note) notes.push(found.note);
    if (known.length > 1)
      notes.push(
        `${cheapestFirst ? "cheapest" : "most expensive"} of ${known.map((l) => l.instanceType).join(", ")} at launch`,
      );
    if (unknown.length > 0) notes.push(`unknown instance type ${unknown.join(", ")} not costed`);
    const shipped = known.filter((l) =>
      Object.hasOwn(inventory.instanceTypesFromShippedData, l.instanceType),
    );
    if (shipped.length > 0) {
      const refused = shipped.map(
        (l) => `${l.instanceType} (${inventory.instanceTypesFromShippedData[l.instanceType]})`,
      );
      notes.push(
        `DescribeInstanceTypes refused ${refused.join(", ")}: limits from the shipped instance data`,
      );
    }
    if (group.kind === "auto-mode")
      notes.push(
        "Auto Mode: prefix delegation with one warm /28 prefix assumed (AWS manages its networking)",
      );
  }
  const observed = group.kind === "fargate" ? undefined : observedPerNode(group);
  if (observed !== undefined && observed.addresses > costed.full.ips.nodeSubnet) {
    const full = costed.full;
    costed = {
      ...costed,
      full: {
        ...full,
        ips: {
          ...full.ips,
          nodeSubnet: observed.addresses,
          total: observed.addresses + full.ips.eniConfigSubnet,
        },
        formula: `${full.formula}; observed: node ${observed.node} holds ${observed.addresses} addresses in its subnet, more than modelled: used`,
      },
    };
  }
  const limits = costed.limits;
  const pd = limits !== undefined && prefixDelegationActive(limits, settings) && ipFamily === "ipv4";
  const perNodeAtLaunch = costed.launch.prefixes;
  const perNodeAtFull = costed.full.prefixes;
  const subnetHeadrooms: SubnetHeadroom[] = [];
  const missingSubnets: string[] = [];
  // A node group's subnets in its own order; the other kinds' sorted.
  for (const subnetId of group.source.nodegroup?.subnets ?? group.subnetIds) {
    const subnet = subnets.get(subnetId);
    const available = subnet?.AvailableIpAddressCount;
    if (!subnet || available === undefined) {
      missingSubnets.push(subnetId);
      continue;
    }
    const h = subnetHeadroom(inventory, subnet, available, clusterSubnetIds.includes(subnetId), costed, pd, {
      perNodeAtLaunch,
      perNodeAtFull,
    });
    if (group.kind === "fargate") h.fargatePods = fargatePods.get(subnetId)?.size ?? 0;
    subnetHeadrooms.push(h);
  }
  const podSubnets = podSubnetHeadrooms(
    inventory,
    group,
    costed,
    subnets,
    clusterSubnetIds,
    pd,
    missingSubnets,
  );
  const perZone = group.kind === "karpenter" || group.kind === "auto-mode";
  const { picked, zones } = perZone
    ? pickedPerZone(subnetHeadrooms)
    : { picked: subnetHeadrooms, zones: undefined };
  const k = picked.length;
  const minLaunch = Math.min(...picked.map((s) => s.fitsAtLaunch));
  const minFull = Math.min(...picked.map((s) => s.fitsAtFull));
  const hasMaxSize = group.sizes?.max !== undefined;
  const desiredSize = group.sizes?.desired ?? 0;
  const maxSize = group.sizes?.max ?? desiredSize;
  return {
    cluster,
    nodegroup,
    kind: group.kind,
    resourceId: group.resourceId,
    label: groupLabel(group.kind, nodegroup),
    instanceTypes: types,
    instanceType: costed.launch.instanceType,
    ...(notes.length > 0 ? { instanceTypeNote: notes.join("; ") } : {}),
    ...(limits !== undefined ? { limits } : {}),
    launch: costed.launch,
    full: costed.full,
    settings,
    hasMaxSize,
    ...(zones !== undefined ? { zones } : {}),
    desiredSize,
    maxSize,
    wantedGrowth: hasMaxSize ? Math.max(0, maxSize - desiredSize) : 0,
    subnets: picked,
    podSubnets,
    ...(observed !== undefined ? { observedPerNode: observed } : {}),
    missingSubnets,
    growthAtLaunch: k > 0 ? k * minLaunch : 0,
    growthAtFull: k > 0 ? k * minFull : 0,
  };
}

/** One subnet's headroom for nodes of a given cost; under prefix delegation also its free aligned /28 blocks. */
function subnetHeadroom(
  inventory: Inventory,
  subnet: Subnet,
  available: number,
  clusterSubnet: boolean,
  cost: { launch: NodeIpCost; full: NodeIpCost },
  pd: boolean,
  prefixes: { perNodeAtLaunch: number; perNodeAtFull: number },
): SubnetHeadroom {
  const subnetId = subnet.SubnetId ?? "";
  const reserve = clusterSubnet ? CLUSTER_SUBNET_RESERVE : 0;
  const fitsAtLaunchByIps = nodesThatFit(available, reserve, cost.launch);
  const fitsAtFullByIps = nodesThatFit(available, reserve, cost.full);
  const usable = subnet.CidrBlock ? usableAddresses(subnet.CidrBlock) : undefined;
  const h: SubnetHeadroom = {
    subnetId,
    ...(subnet.AvailabilityZone ? { availabilityZone: subnet.AvailabilityZone } : {}),
    ...(subnet.CidrBlock ? { cidrBlock: subnet.CidrBlock } : {}),
    available,
    ...(usable !== undefined ? { usable } : {}),
    ...(usable ? { freePercent: Math.round((available / usable) * 1000) / 10 } : {}),
    reserve,
    clusterSubnet,
    fitsAtLaunchByIps,
    fitsAtFullByIps,
    fitsAtLaunch: fitsAtLaunchByIps,
    fitsAtFull: fitsAtFullByIps,
  };
  const branches = inventory.networkInterfaces.filter(
    (e) =>
      e.SubnetId === subnetId && (e.InterfaceType === "branch" || e.Description === "aws-k8s-branch-eni"),
  ).length;
  if (branches > 0) h.branchEnis = branches;
  if (pd && subnet.CidrBlock) {
    const { perNodeAtLaunch, perNodeAtFull } = prefixes;
    const held = heldInSubnet(subnetId, inventory.networkInterfaces);
    const reservations = inventory.subnetCidrReservations.filter(
      (r) => r.SubnetId === subnetId && r.Cidr !== undefined && !r.Cidr.includes(":"),
    );
    const explicit = reservations.filter((r) => r.ReservationType === "explicit").map((r) => r.Cidr ?? "");
    const prefixCidrs = reservations.filter((r) => r.ReservationType === "prefix").map((r) => r.Cidr ?? "");
    const free = freeAlignedPrefixBlocks(subnet.CidrBlock, {
      addresses: held.addresses,
      prefixes: [...held.prefixes, ...explicit],
    });
    if (free !== undefined && usable !== undefined) {
      // AvailableIpAddressCount leaves reserved space out, but a prefix reservation is exactly where prefixes go.
      const unheld = prefixCidrs.reduce((n, cidr) => n + (unheldAddressesIn(cidr, held) ?? 0), 0);
      if (unheld > 0) {
        h.fitsAtLaunchByIps = nodesThatFit(available + unheld, reserve, cost.launch);
        h.fitsAtFullByIps = nodesThatFit(available + unheld, reserve, cost.full);
      }
      const knownInUse = new Set(held.addresses).size + held.prefixes.length * IPS_PER_PREFIX;
      const blocks: PrefixBlocks = {
        free,
        perNodeAtLaunch,
        perNodeAtFull,
        fitsAtLaunch: perNodeAtLaunch > 0 ? Math.floor(free / perNodeAtLaunch) : h.fitsAtLaunchByIps,
        fitsAtFull: perNodeAtFull > 0 ? Math.floor(free / perNodeAtFull) : h.fitsAtFullByIps,
        networkInterfaces: held.networkInterfaces,
        complete: knownInUse + unheld >= usable - available,
        ...(explicit.length > 0 ? { explicitReservations: explicit } : {}),
        ...(prefixCidrs.length > 0
          ? { prefixReservations: { cidrs: prefixCidrs, unheldAddresses: unheld } }
          : {}),
      };
      h.prefixBlocks = blocks;
      h.fitsAtLaunch = Math.min(h.fitsAtLaunchByIps, blocks.fitsAtLaunch);
      h.fitsAtFull = Math.min(h.fitsAtFullByIps, blocks.fitsAtFull);
    }
  }
  return h;
}

interface GroupContext {
  clusterSubnetIds: readonly string[];
  subnets: ReadonlyMap<string, Subnet>;
  /** Fargate pod ENI ids per subnet, over every profile of the cluster. */
  fargatePods: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Running Fargate pods per subnet, by ENI id: a pod in a subnet several profiles share is listed under each. */
function fargatePodsBySubnet(capacity: readonly CapacityGroup[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const group of capacity) {
    if (group.kind !== "fargate") continue;
    for (const pod of group.nodes) {
      if (pod.subnetId === undefined) continue;
      const ids = out.get(pod.subnetId) ?? new Set<string>();
      for (const eni of pod.enis) ids.add(eni.networkInterfaceId);
      out.set(pod.subnetId, ids);
    }
  }
  return out;
}

/** Addresses an ENI holds: its primary, its secondary addresses, 16 per /28 prefix. */
function addressesHeld(eni: CapacityEni): number {
  return (
    (eni.primaryIp !== undefined ? 1 : 0) + eni.secondaryIps.length + IPS_PER_PREFIX * eni.prefixes.length
  );
}

/** The busiest node's addresses in its own subnet (its ENIs there, trunk included, branch ENIs not). */
function observedPerNode(group: CapacityGroup): NodegroupHeadroom["observedPerNode"] {
  let best: { node: string; addresses: number } | undefined;
  for (const node of group.nodes) {
    const addresses = node.enis
      .filter((e) => !e.podSubnet && (e.subnetId === undefined || e.subnetId === node.subnetId))
      .reduce((n, e) => n + addressesHeld(e), 0);
    if (best === undefined || addresses > best.addresses) best = { node: node.id, addresses };
  }
  return best === undefined || best.addresses === 0 ? undefined : { ...best, nodes: group.nodes.length };
}

/**
 * Custom-networking pod subnets (the subnets of ipamd's `aws-K8S-*` ENIs outside their node's subnet): a new
 * node pays its pod ENIs there (the modelled ENIConfig-subnet cost, or what a node was seen holding there when
 * more).
 */
function podSubnetHeadrooms(
  inventory: Inventory,
  group: CapacityGroup,
  costed: { launch: NodeIpCost; full: NodeIpCost },
  subnets: ReadonlyMap<string, Subnet>,
  clusterSubnetIds: readonly string[],
  pd: boolean,
  missing: string[],
): SubnetHeadroom[] {
  const out: SubnetHeadroom[] = [];
  for (const subnetId of group.podSubnetIds) {
    const subnet = subnets.get(subnetId);
    const available = subnet?.AvailableIpAddressCount;
    if (!subnet || available === undefined) {
      missing.push(subnetId);
      continue;
    }
    const seen = Math.max(
      0,
      ...group.nodes.map((n) =>
        n.enis
          .filter((e) => e.podSubnet && e.subnetId === subnetId)
          .reduce((k, e) => k + addressesHeld(e), 0),
      ),
    );
    const launch = Math.max(costed.launch.ips.eniConfigSubnet, 1);
    const full = Math.max(costed.full.ips.eniConfigSubnet, seen, launch);
    const asCost = (c: NodeIpCost, ips: number, what: string): NodeIpCost => ({
      ...c,
      ips: { nodeSubnet: ips, eniConfigSubnet: 0, total: ips },
      formula: `pod subnet (${what}): ${ips} addresses per node`,
    });
    const cost = {
      launch: asCost(costed.launch, launch, "modelled ENIConfig-subnet cost at launch"),
      full: asCost(costed.full, full, seen > costed.full.ips.eniConfigSubnet ? "observed" : "modelled"),
    };
    const h = subnetHeadroom(inventory, subnet, available, clusterSubnetIds.includes(subnetId), cost, pd, {
      perNodeAtLaunch: costed.launch.prefixes,
      perNodeAtFull: costed.full.prefixes,
    });
    out.push({ ...h, podSubnet: true, podSubnetCost: cost });
  }
  return out;
}

/** Subnets named by InsufficientFreeAddresses health issues; an issue naming none points at the tightest. */
function insufficientAddressIssues(
  cluster: Cluster,
  rawNodegroups: readonly Nodegroup[],
  nodegroups: readonly NodegroupHeadroom[],
  subnets: ReadonlyMap<string, Subnet>,
): InsufficientAddressesIssue[] {
  const out: InsufficientAddressesIssue[] = [];
  const tightest = (ids: readonly string[]): string[] => {
    const known = ids.filter((id) => subnets.has(id));
    if (known.length === 0) return [...ids];
    const least = Math.min(...known.map((id) => subnets.get(id)?.AvailableIpAddressCount ?? 0));
    return known.filter((id) => (subnets.get(id)?.AvailableIpAddressCount ?? 0) === least);
  };
  const collect = (
    issues: readonly { code?: string; message?: string; resourceIds?: string[] }[] | undefined,
    reportedBy: string,
    candidates: readonly string[],
  ): void => {
    for (const issue of issues ?? []) {
      if (issue.code !== INSUFFICIENT_FREE_ADDRESSES) continue;
      const named = (issue.resourceIds ?? []).filter((id) => id.startsWith("subnet-"));
      const ids = named.length > 0 ? named : tightest(candidates);
      for (const subnetId of ids) {
        out.push({
          subnetId,
          reportedBy,
          ...(issue.message ? { message: issue.message.slice(0, 300) } : {}),
          named: named.length > 0,
        });
      }
    }
  };
  collect(cluster.health?.issues, "cluster", cluster.resourcesVpcConfig?.subnetIds ?? []);
  for (const ng of rawNodegroups) {
    const name = ng.nodegroupName ?? "-";
    const candidates = nodegroups.find((h) => h.nodegroup === name)?.subnets.map((s) => s.subnetId);
    collect(ng.health?.issues, `nodegroup:${name}`, candidates ?? ng.subnets ?? []);
  }
  return out;
}

/** The rule thresholds applied to one (node group, subnet) pair. */
export function assessSubnet(ng: NodegroupHeadroom, s: SubnetHeadroom): SubnetAssessment {
  const exhausted = s.fitsAtLaunchByIps < 1;
  const fragmented = !exhausted && s.prefixBlocks !== undefined && s.prefixBlocks.fitsAtLaunch < 1;
  if (exhausted || fragmented) return { exhausted, fragmented };
  const k = s.podSubnet ? ng.podSubnets.length : ng.subnets.length;
  const high: string[] = [];
  const medium: string[] = [];
  if (ng.hasMaxSize && k * s.fitsAtLaunch < ng.wantedGrowth) {
    high.push(`${ng.label} cannot reach maxSize ${ng.maxSize} even at launch cost`);
  }
  if (s.fitsAtLaunch < MIN_COMFORTABLE_LAUNCHES) {
    high.push(
      `fewer than ${MIN_COMFORTABLE_LAUNCHES} ${ng.kind === "fargate" ? "pods" : "nodes"} fit at launch cost`,
    );
  }
  if (high.length === 0 && ng.hasMaxSize && k * s.fitsAtFull < ng.wantedGrowth) {
    medium.push(`${ng.label} cannot reach maxSize ${ng.maxSize} once its nodes fill up`);
  }
  if (s.freePercent !== undefined && s.freePercent < LOW_FREE_PERCENT) {
    medium.push(`only ${s.freePercent}% of the subnet is free`);
  }
  if (high.length > 0)
    return { exhausted, fragmented, nearlyFull: { severity: "HIGH", reasons: [...high, ...medium] } };
  if (medium.length > 0)
    return { exhausted, fragmented, nearlyFull: { severity: "MEDIUM", reasons: medium } };
  return { exhausted, fragmented };
}

/** A node group is under pressure when one of its subnets is exhausted or nearly full. */
export function underPressure(ng: NodegroupHeadroom): boolean {
  return [...ng.subnets, ...ng.podSubnets].some((s) => {
    const a = assessSubnet(ng, s);
    return a.exhausted || a.nearlyFull !== undefined;
  });
}

/** `subnet-0abc (eu-west-1a)` */
export function subnetLabel(s: Pick<SubnetHeadroom, "subnetId" | "availabilityZone">): string {
  return s.availabilityZone ? `${s.subnetId} (${s.availabilityZone})` : s.subnetId;
}

/** `1 more m5.large node fits` / `7 more m5.large nodes fit` */
export function moreNodesFit(n: number, instanceType: string): string {
  if (instanceType === "fargate") return n === 1 ? "1 more Fargate pod fits" : `${n} more Fargate pods fit`;
  return n === 1 ? `1 more ${instanceType} node fits` : `${n} more ${instanceType} nodes fit`;
}

/** The CNI settings used, as evidence: read or assumed, and why. */
export function cniEvidence(cni: CniConfig): Record<string, unknown> {
  return {
    source: cni.source,
    assumed: cni.assumed,
    env: settingsAsEnv(cni.settings),
    ...(cni.error ? { error: cni.error } : {}),
    ...(cni.note ? { note: cni.note } : {}),
  };
}

/** Per node group facts for a subnet's evidence. */
export function pairEvidence(ng: NodegroupHeadroom, s: SubnetHeadroom): Record<string, unknown> {
  return {
    ...(ng.kind === "managed-nodegroup"
      ? { nodegroup: ng.nodegroup }
      : { capacityKind: ng.kind, capacityGroup: ng.nodegroup, resourceId: ng.resourceId }),
    instanceType: ng.instanceType,
    instanceTypes: ng.instanceTypes,
    ...(ng.instanceTypeNote ? { instanceTypeNote: ng.instanceTypeNote } : {}),
    launchCost: costEvidence(s.podSubnetCost?.launch ?? ng.launch),
    fullCost: costEvidence(s.podSubnetCost?.full ?? ng.full),
    ...(s.podSubnet ? { podSubnet: true } : {}),
    ...(ng.observedPerNode !== undefined ? { observedPerNode: ng.observedPerNode } : {}),
    ...(s.fargatePods !== undefined ? { runningPods: s.fargatePods } : {}),
    nodesThatFitAtLaunch: s.fitsAtLaunch,
    nodesThatFitAtFull: s.fitsAtFull,
    ...(s.prefixBlocks ? { prefixBlocks: s.prefixBlocks } : {}),
    subnets: ng.subnets.length,
    ...(ng.missingSubnets.length > 0 ? { subnetsNotInInventory: ng.missingSubnets } : {}),
    ...(ng.zones !== undefined ? { zones: ng.zones } : {}),
    growthCapacityAtLaunch: ng.growthAtLaunch,
    growthCapacityAtFull: ng.growthAtFull,
    desiredSize: ng.desiredSize,
    maxSize: ng.maxSize,
    wantedGrowth: ng.wantedGrowth,
  };
}

function costEvidence(c: NodeIpCost): Record<string, unknown> {
  return { ips: c.ips.nodeSubnet, enis: c.enis, formula: c.formula };
}

/** Subnet facts for evidence. */
export function subnetEvidence(s: SubnetHeadroom): Record<string, unknown> {
  return {
    subnetId: s.subnetId,
    ...(s.availabilityZone ? { availabilityZone: s.availabilityZone } : {}),
    ...(s.cidrBlock ? { cidrBlock: s.cidrBlock } : {}),
    availableIps: s.available,
    ...(s.usable !== undefined ? { usableIps: s.usable } : {}),
    ...(s.freePercent !== undefined ? { freePercent: s.freePercent } : {}),
    reserve: s.reserve,
    clusterSubnet: s.clusterSubnet,
    ...(s.branchEnis !== undefined ? { branchEnis: s.branchEnis } : {}),
  };
}

/** Skipped pairs and cost assumptions, attached to every finding of the cluster. */
export function contextEvidence(c: ClusterHeadroom): Record<string, unknown> {
  return {
    cni: cniEvidence(c.cni),
    ...(c.skipped.length > 0 ? { skippedNodegroups: c.skipped } : {}),
    assumptions: c.notes,
  };
}

export interface SubnetPair {
  ng: NodegroupHeadroom;
  subnet: SubnetHeadroom;
  assessment: SubnetAssessment;
}

/** The (node group, subnet) pairs of a cluster grouped by subnet, in subnet id order. */
export function pairsBySubnet(c: ClusterHeadroom): Map<string, SubnetPair[]> {
  const out = new Map<string, SubnetPair[]>();
  for (const ng of c.nodegroups) {
    for (const subnet of [...ng.subnets, ...ng.podSubnets]) {
      const list = out.get(subnet.subnetId) ?? [];
      list.push({ ng, subnet, assessment: assessSubnet(ng, subnet) });
      out.set(subnet.subnetId, list);
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** The pair that hurts most: fewest launches that fit, then the most expensive node. */
export function tightestPair(pairs: readonly SubnetPair[]): SubnetPair | undefined {
  return [...pairs].sort(
    (a, b) =>
      a.subnet.fitsAtLaunch - b.subnet.fitsAtLaunch ||
      b.ng.launch.ips.nodeSubnet - a.ng.launch.ips.nodeSubnet ||
      a.ng.nodegroup.localeCompare(b.ng.nodegroup),
  )[0];
}

/** `has 41 free IPs (16.3% of 251; 5 kept for the control plane)` */
export function freeText(s: SubnetHeadroom): string {
  const parts: string[] = [];
  if (s.freePercent !== undefined && s.usable !== undefined) parts.push(`${s.freePercent}% of ${s.usable}`);
  if (s.reserve > 0) parts.push(`${s.reserve} kept free for EKS in this cluster subnet`);
  return `has ${s.available} free IPs${parts.length > 0 ? ` (${parts.join("; ")})` : ""}`;
}

/** `node group web wants to grow by 10 (desired 4, max 14)` */
export function growthText(ng: NodegroupHeadroom): string {
  if (!ng.hasMaxSize) {
    const what = ng.kind === "fargate" ? "pods" : "nodes";
    return ng.zones !== undefined
      ? `${ng.label} has no maxSize and launches into the subnet with the most free IPs of each zone (${ng.zones.length} zone${ng.zones.length === 1 ? "" : "s"}): ${ng.growthAtLaunch} more ${what} fit across them at launch cost`
      : `${ng.label} has no maxSize: ${ng.growthAtLaunch} more ${what} fit across its ${ng.subnets.length} subnet${ng.subnets.length === 1 ? "" : "s"}`;
  }
  const base = `${ng.label} wants to grow by ${ng.wantedGrowth} (desired ${ng.desiredSize}, max ${ng.maxSize})`;
  if (ng.subnets.length <= 1) return base;
  return `${base}; across its ${ng.subnets.length} subnets it can add ${ng.growthAtLaunch} at launch cost, ${ng.growthAtFull} when full`;
}
