/**
 * How many subnet addresses an EKS node takes under the VPC CNI, following
 * ../shared/reference/vpc-cni-ip-math.md and aws/amazon-vpc-cni-k8s pkg/ipamd/ipamd.go
 * (isDatastorePoolTooLow, datastoreTargetState, getPrefixesNeeded, getMaxENI, hasRoomForEni).
 * Pure functions: no I/O.
 */
import type { NetworkInterface } from "@aws-sdk/client-ec2";
import type { InstanceNetworkLimits } from "#shared/models/instance-types/limits.ts";
import { type CniSettings, warmIpTargetsDefined } from "./config.ts";
import { parseIpv4, parseIpv4Cidr } from "./ipv4.ts";

/** Addresses in one /28 prefix. */
export const IPS_PER_PREFIX = 16;

/** AWS reserves the first four addresses and the last one of every subnet. */
export const AWS_RESERVED_PER_SUBNET = 5;

export interface NodeIpCostOptions {
  /** Pods that take an IP from the CNI (not hostNetwork, not branch-ENI pods). */
  pods: number;
  /** Kubelet maxPods; defaults to the eni-max-pods value of the instance type. */
  maxPods?: number;
  /** IPv6 clusters take one IPv4 address per node. */
  ipFamily?: "ipv4" | "ipv6";
}

/** `eks-audit ip-cost --format json` prints exactly this shape. */
export interface NodeIpCost {
  instanceType: string;
  /** The IP-consuming pods asked about (the formula says when the node cannot hold that many). */
  pods: number;
  maxPods: number;
  /** ENIs on the node: the primary, the CNI's, and the trunk ENI when security groups for pods is on. */
  enis: number;
  /** /28 prefixes held (prefix delegation), else 0. */
  prefixes: number;
  ips: { nodeSubnet: number; eniConfigSubnet: number; total: number };
  /** One line with the numbers, e.g. `E = ceil(1/9) + 1 = 2 ENIs × 10 IPv4 = 20`. */
  formula: string;
}

type CostOptions = Omit<NodeIpCostOptions, "pods">;

/** Addresses (or prefixes, under PD) per ENI that pods can use: the ENI's primary address never goes to a pod. */
function slotsPerEni(limits: InstanceNetworkLimits): number {
  return Math.max(0, limits.ipv4PerEni - 1);
}

/** 1 when security groups for pods attaches a trunk ENI (only on instance types that can trunk). */
export function trunkEnis(limits: InstanceNetworkLimits, settings: CniSettings): number {
  return settings.enablePodEni && limits.trunking ? 1 : 0;
}

/**
 * Eipam: ENIs ipamd may fill with pod addresses — the default card's ENIs capped by MAX_ENI, less the trunk
 * ENI, less the primary ENI under custom networking (it hosts no pods there).
 */
export function podEniSlots(limits: InstanceNetworkLimits, settings: CniSettings): number {
  const cap = settings.maxEni !== undefined ? Math.min(limits.enis, settings.maxEni) : limits.enis;
  return Math.max(0, cap - trunkEnis(limits, settings) - (settings.customNetworking ? 1 : 0));
}

/** ipamd falls back to secondary IPs when the instance cannot take prefixes (isConfigValid). */
export function prefixDelegationActive(limits: InstanceNetworkLimits, settings: CniSettings): boolean {
  return settings.enablePrefixDelegation && (limits.hypervisor === "nitro" || limits.bareMetal);
}

/**
 * True when the node's warm pool is WARM_ENI_TARGET whole ENIs of addresses: no WARM/MINIMUM_IP_TARGET and no
 * prefixes (ipamd.go `isDatastorePoolTooLow`: `warmENITarget × maxIPsPerENI` unless `datastoreTargetState`
 * reports a warm IP target).
 */
export function warmEniMode(limits: InstanceNetworkLimits, settings: CniSettings): boolean {
  return !warmIpTargetsDefined(settings) && !prefixDelegationActive(limits, settings);
}

/** Pod addresses the node can hold at most: Eipam × L (× 16 under prefix delegation). */
export function podIpCapacity(limits: InstanceNetworkLimits, settings: CniSettings): number {
  const perEni = slotsPerEni(limits) * (prefixDelegationActive(limits, settings) ? IPS_PER_PREFIX : 1);
  return podEniSlots(limits, settings) * perEni;
}

function ceilDiv(a: number, b: number): number {
  return b > 0 ? Math.ceil(a / b) : 0;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Warm-target growth: ipamd adds a unit while free < target × unit, or while nothing is free when target = 0. */
function unitsForWarmTarget(used: number, perUnit: number, target: number): { units: number; expr: string } {
  if (perUnit <= 0) return { units: 0, expr: "0" };
  if (target > 0)
    return { units: ceilDiv(used, perUnit) + target, expr: `ceil(${used}/${perUnit}) + ${target}` };
  return { units: Math.floor(used / perUnit) + 1, expr: `floor(${used}/${perUnit}) + 1` };
}

interface Caps {
  value: number;
  caps: { limit: number; label: string }[];
}

/** Applies the tightest cap and says which one bound. */
function capped({ value, caps }: Caps): { value: number; text: string } {
  let result = value;
  let label = "";
  for (const cap of caps) {
    if (cap.limit < result) {
      result = cap.limit;
      label = cap.label;
    }
  }
  return { value: result, text: result < value ? `, capped at ${result} (${label})` : "" };
}

/**
 * Subnet addresses one node holds with `pods` IP-consuming pods. Covers the default warm ENI pool,
 * WARM_IP_TARGET / MINIMUM_IP_TARGET, prefix delegation, custom networking, security groups for pods
 * (trunk ENI), MAX_ENI and IPv6 clusters.
 */
export function nodeIpCost(
  limits: InstanceNetworkLimits,
  settings: CniSettings,
  options: NodeIpCostOptions,
): NodeIpCost {
  const maxPodsOption =
    options.maxPods !== undefined && Number.isFinite(options.maxPods) ? options.maxPods : undefined;
  const maxPods = Math.max(0, Math.floor(maxPodsOption ?? limits.maxPods));
  const requested = Number.isFinite(options.pods) ? Math.max(0, Math.floor(options.pods)) : 0;
  const instanceType = limits.instanceType;
  const trunk = trunkEnis(limits, settings);
  if (options.ipFamily === "ipv6") {
    return {
      instanceType,
      pods: requested,
      maxPods,
      enis: 1 + trunk,
      prefixes: 0,
      ips: { nodeSubnet: 1, eniConfigSubnet: 0, total: 1 },
      formula: "IPv6 cluster: pods take IPv6 addresses; the node takes 1 IPv4 address (its primary ENI's)",
    };
  }

  const custom = settings.customNetworking;
  const pd = prefixDelegationActive(limits, settings);
  const L = slotsPerEni(limits);
  const slots = podEniSlots(limits, settings);
  const capacity = podIpCapacity(limits, settings);
  const N = Math.min(requested, maxPods, capacity);
  const notes: string[] = [];
  if (N < requested)
    notes.push(`${requested} pods capped at ${N}: maxPods ${maxPods}, pod IP capacity ${capacity}`);
  if (settings.enablePrefixDelegation && !pd) {
    notes.push(`prefix delegation needs a Nitro instance: ${instanceType} falls back to secondary IPs`);
  }
  if (settings.enablePodEni && trunk === 0) notes.push(`${instanceType} cannot trunk: no trunk ENI`);
  if (warmIpTargetsDefined(settings) && settings.warmIpTarget === 0) {
    notes.push("no WARM_IP_TARGET: ipamd never grows the pool past MINIMUM_IP_TARGET");
  }

  // Pod ENIs (E), prefixes (P) and pod addresses held on them.
  let podEnis: number;
  let prefixes = 0;
  let podEniAddresses: number;
  let expr: string;
  if (pd) {
    const maxPrefixes = slots * L;
    if (warmIpTargetsDefined(settings)) {
      const target = capped({
        value: Math.max(N + settings.warmIpTarget, settings.minimumIpTarget),
        caps: [
          { limit: maxPods, label: `maxPods ${maxPods}` },
          { limit: capacity, label: `${maxPrefixes} prefixes × 16` },
        ],
      });
      prefixes = ceilDiv(target.value, IPS_PER_PREFIX);
      expr =
        `T = max(${N} + ${settings.warmIpTarget}, ${settings.minimumIpTarget})${target.text} = ${target.value} IPs; ` +
        `P = ceil(${target.value}/16) = ${plural(prefixes, "prefix", "prefixes")}`;
    } else {
      const warm = unitsForWarmTarget(N, IPS_PER_PREFIX, settings.warmPrefixTarget);
      const p = capped({
        value: warm.units,
        caps: [
          { limit: maxPrefixes, label: `Eipam ${slots} × ${L} prefixes` },
          { limit: ceilDiv(maxPods, IPS_PER_PREFIX), label: `ceil(maxPods ${maxPods}/16)` },
        ],
      });
      prefixes = p.value;
      expr = `P = ${warm.expr} = ${p.text ? `${warm.units}${p.text} → ` : ""}${plural(prefixes, "prefix", "prefixes")}`;
    }
    podEnis = ceilDiv(prefixes, L);
    if (!custom) podEnis = Math.max(podEnis, 1);
    podEniAddresses = podEnis + IPS_PER_PREFIX * prefixes;
    expr += `; E = ceil(${prefixes}/${L}) = ${plural(podEnis, "ENI")}; ${podEnis} + 16 × ${prefixes} = ${podEniAddresses}`;
  } else if (warmIpTargetsDefined(settings)) {
    const target = capped({
      value: Math.max(N + settings.warmIpTarget, settings.minimumIpTarget),
      caps: [
        { limit: maxPods, label: `maxPods ${maxPods}` },
        { limit: slots * L, label: `Eipam ${slots} × ${L}` },
      ],
    });
    const T = target.value;
    podEnis = ceilDiv(T, L);
    if (!custom) podEnis = Math.max(podEnis, 1);
    podEniAddresses = podEnis + T;
    expr =
      `T = max(${N} + ${settings.warmIpTarget}, ${settings.minimumIpTarget})${target.text} = ${T} IPs; ` +
      `E = ceil(${T}/${L}) = ${plural(podEnis, "ENI")}; ${podEnis} + ${T} = ${podEniAddresses}`;
  } else {
    const warm = unitsForWarmTarget(N, L, settings.warmEniTarget);
    const e = capped({
      value: warm.units,
      caps: [
        { limit: slots, label: `Eipam ${slots}` },
        { limit: ceilDiv(maxPods, L), label: `ceil(maxPods ${maxPods}/${L})` },
      ],
    });
    podEnis = e.value;
    if (!custom) podEnis = Math.max(podEnis, 1);
    podEniAddresses = podEnis * (L + 1);
    expr =
      `E = ${warm.expr} = ${e.text ? `${warm.units}${e.text} → ` : ""}${plural(podEnis, "ENI")} × ${limits.ipv4PerEni} IPv4 = ` +
      `${podEniAddresses}`;
  }

  // Custom networking: the primary ENI stays in the node subnet with its one address; pod ENIs and the
  // trunk ENI (the resource controller follows the ENIConfig) go to the ENIConfig subnet.
  const nodeSubnet = custom ? 1 : podEniAddresses + trunk;
  const eniConfigSubnet = custom ? podEniAddresses + trunk : 0;
  const total = nodeSubnet + eniConfigSubnet;
  let formula = expr;
  if (trunk > 0) formula += `; + 1 trunk ENI (security groups for pods)`;
  if (custom)
    formula += `; custom networking: node subnet 1 (primary ENI), ENIConfig subnet ${eniConfigSubnet}`;
  if (trunk > 0 || custom) formula += `; total ${total}`;
  if (notes.length > 0) formula += ` [${notes.join("; ")}]`;

  return {
    instanceType,
    pods: requested,
    maxPods,
    enis: podEnis + (custom ? 1 : 0) + trunk,
    prefixes,
    ips: { nodeSubnet, eniConfigSubnet, total },
    formula,
  };
}

/** Cost at launch: one IP-consuming pod (nearly every cluster runs a non-hostNetwork DaemonSet or CoreDNS). */
export function launchCost(
  limits: InstanceNetworkLimits,
  settings: CniSettings,
  options: CostOptions = {},
): NodeIpCost {
  return nodeIpCost(limits, settings, { ...options, pods: 1 });
}

/** Pods on a full node: maxPods − 2 (aws-node and kube-proxy use the host network), at most the pod capacity. */
export function fullPods(
  limits: InstanceNetworkLimits,
  settings: CniSettings,
  maxPods = limits.maxPods,
): number {
  return Math.max(0, Math.min(maxPods - 2, podIpCapacity(limits, settings)));
}

/** Cost of a full node: N = min(maxPods − 2, Eipam × L) (× 16 under prefix delegation). */
export function fullCost(
  limits: InstanceNetworkLimits,
  settings: CniSettings,
  options: CostOptions = {},
): NodeIpCost {
  return nodeIpCost(limits, settings, { ...options, pods: fullPods(limits, settings, options.maxPods) });
}

/** floor((available − reserve) / cost): nodes that still fit; a NodeIpCost counts its node-subnet part. */
export function nodesThatFit(available: number, reserve: number, cost: number | NodeIpCost): number {
  const perNode = typeof cost === "number" ? cost : cost.ips.nodeSubnet;
  const usable = available - reserve;
  if (usable <= 0) return 0;
  return Math.floor(usable / Math.max(1, perNode));
}

export interface HeldAddresses {
  /** Individual addresses (`10.0.1.7`). */
  addresses?: Iterable<string>;
  /** Prefixes assigned to ENIs (`10.0.1.16/28`). */
  prefixes?: Iterable<string>;
}

/**
 * Free aligned /28 blocks of a subnet: blocks that hold none of AWS's reserved addresses (the first four and
 * the last), no address and no prefix held by an ENI. Undefined when the subnet CIDR cannot be read.
 * Explicit subnet CIDR reservations are passed as held prefixes (EC2 hands no prefix out of them); blocks of a
 * prefix reservation stay free (they exist for prefixes).
 */
export function freeAlignedPrefixBlocks(subnetCidr: string, held: HeldAddresses = {}): number | undefined {
  const subnet = parseIpv4Cidr(subnetCidr);
  if (!subnet) return undefined;
  const blocks = Math.floor(subnet.size / IPS_PER_PREFIX);
  if (blocks === 0) return 0;
  const taken = new Set<number>();
  const mark = (first: number, last: number): void => {
    const from = Math.max(first, subnet.base);
    const to = Math.min(last, subnet.base + subnet.size - 1);
    for (let block = Math.floor((from - subnet.base) / 16); block * 16 + subnet.base <= to; block++) {
      taken.add(block);
    }
  };
  mark(subnet.base, subnet.base + 3);
  mark(subnet.base + subnet.size - 1, subnet.base + subnet.size - 1);
  for (const text of held.addresses ?? []) {
    const address = parseIpv4(text);
    if (address !== undefined) mark(address, address);
  }
  for (const text of held.prefixes ?? []) {
    const prefix = parseIpv4Cidr(text);
    if (prefix) mark(prefix.base, prefix.base + prefix.size - 1);
  }
  return blocks - taken.size;
}

/** What the ENIs of one subnet hold: private IPv4 addresses and IPv4 prefixes. */
export function heldInSubnet(
  subnetId: string,
  networkInterfaces: readonly NetworkInterface[],
): {
  addresses: string[];
  prefixes: string[];
  networkInterfaces: number;
} {
  const addresses: string[] = [];
  const prefixes: string[] = [];
  let count = 0;
  for (const eni of networkInterfaces) {
    if (eni.SubnetId !== subnetId) continue;
    count++;
    for (const a of eni.PrivateIpAddresses ?? []) if (a.PrivateIpAddress) addresses.push(a.PrivateIpAddress);
    if (eni.PrivateIpAddress) addresses.push(eni.PrivateIpAddress);
    for (const p of eni.Ipv4Prefixes ?? []) if (p.Ipv4Prefix) prefixes.push(p.Ipv4Prefix);
  }
  return { addresses, prefixes, networkInterfaces: count };
}

/** Usable addresses of a subnet (size − 5 reserved); undefined when the CIDR cannot be read. */
export function usableAddresses(subnetCidr: string): number | undefined {
  const subnet = parseIpv4Cidr(subnetCidr);
  return subnet ? Math.max(0, subnet.size - AWS_RESERVED_PER_SUBNET) : undefined;
}

/**
 * Addresses of `cidr` (a prefix-type subnet CIDR reservation) that no ENI holds: space EC2 keeps for /28 prefixes
 * and leaves out of AvailableIpAddressCount (EC2 user guide, "Subnet CIDR reservations": prefix reservations are
 * used when prefixes are assigned to network interfaces). Undefined when the CIDR cannot be read.
 */
export function unheldAddressesIn(cidr: string, held: HeldAddresses = {}): number | undefined {
  const range = parseIpv4Cidr(cidr);
  if (!range) return undefined;
  const last = range.base + range.size - 1;
  const taken = new Set<number>();
  for (const text of held.addresses ?? []) {
    const address = parseIpv4(text);
    if (address !== undefined && address >= range.base && address <= last) taken.add(address);
  }
  for (const text of held.prefixes ?? []) {
    const prefix = parseIpv4Cidr(text);
    if (!prefix) continue;
    for (let a = Math.max(prefix.base, range.base); a <= Math.min(prefix.base + prefix.size - 1, last); a++)
      taken.add(a);
  }
  return range.size - taken.size;
}
