import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";

/** What the VPC CNI needs to know about an instance type (default network card only). */
export interface InstanceNetworkLimits {
  instanceType: string;
  /** ENIs on the default network card: the VPC CNI attaches ENIs there only. */
  enis: number;
  /** IPv4 addresses per ENI, the ENI's primary address included. */
  ipv4PerEni: number;
  ipv6PerEni?: number;
  /** eni-max-pods formula: enis × (ipv4PerEni − 1) + 2. */
  maxPods: number;
  /** Trunk ENI support (security groups for pods). Not in DescribeInstanceTypes: from the resource controller's table. */
  trunking: boolean;
  branchInterfaces: number;
  /** `nitro`, `xen` or `unknown` (bare metal reports none). */
  hypervisor: string;
  bareMetal: boolean;
}

/** One entry of shared/data/instance-types.json (see scripts/gen-instance-data.ts). */
interface BundledType {
  enis: number;
  ipv4PerEni: number;
  hypervisor: string;
  bareMetal: boolean;
  defaultNetworkCardIndex: number;
  networkCards: [number, number][];
  maxPods: number;
  branchInterfaces: number;
  trunking: boolean;
}

let bundled: Record<string, BundledType> | undefined;

/**
 * Parsed on first use only: the scanner reads DescribeInstanceTypes and rarely needs the 250 kB file.
 * A bundle that ships without it (Lambda) gets an empty table rather than an exception.
 */
function bundledTypes(): Record<string, BundledType> {
  if (bundled === undefined) {
    try {
      // Through package.json's `imports`, not a path relative to this module: the compiled CLI runs it from
      // dist/chunks/, where `../../data` is outside the package.
      const file = createRequire(import.meta.url).resolve("#shared/data/instance-types.json");
      const parsed = JSON.parse(readFileSync(file, "utf8")) as { types?: Record<string, BundledType> };
      bundled = parsed.types ?? {};
    } catch {
      bundled = {};
    }
  }
  return bundled;
}

function bundledType(instanceType: string): BundledType | undefined {
  const types = bundledTypes();
  return Object.hasOwn(types, instanceType) ? types[instanceType] : undefined;
}

export function eniMaxPods(enis: number, ipv4PerEni: number): number {
  return enis * (ipv4PerEni - 1) + 2;
}

/**
 * Limits from DescribeInstanceTypes (the runtime truth). ENIs are those of the default network card, as
 * the CNI counts them; trunking comes from the bundled resource-controller table (AWS APIs do not expose it).
 */
export function limitsFromInstanceTypeInfo(info: InstanceTypeInfo): InstanceNetworkLimits | undefined {
  const name = info.InstanceType;
  const network = info.NetworkInfo;
  const ipv4PerEni = network?.Ipv4AddressesPerInterface;
  if (!name || ipv4PerEni === undefined || ipv4PerEni < 1) return undefined;
  const defaultCard = network?.DefaultNetworkCardIndex ?? 0;
  const card = network?.NetworkCards?.find((c) => (c.NetworkCardIndex ?? 0) === defaultCard);
  const enis = card?.MaximumNetworkInterfaces ?? network?.MaximumNetworkInterfaces;
  if (enis === undefined || enis < 1) return undefined;
  const limits = {
    instanceType: name,
    enis,
    ipv4PerEni,
    ...(network?.Ipv6AddressesPerInterface !== undefined
      ? { ipv6PerEni: network.Ipv6AddressesPerInterface }
      : {}),
    maxPods: eniMaxPods(enis, ipv4PerEni),
    hypervisor: info.Hypervisor ?? "unknown",
    bareMetal: info.BareMetal ?? false,
  };
  // Looked up on first read only: ip math reads them only when ENABLE_POD_ENI is on.
  return Object.defineProperties(limits, {
    trunking: { enumerable: true, get: () => bundledType(name)?.trunking ?? false },
    branchInterfaces: { enumerable: true, get: () => bundledType(name)?.branchInterfaces ?? 0 },
  }) as InstanceNetworkLimits;
}

/** The same data as DescribeInstanceTypes would answer, from the bundled table (simulator, offline commands). */
export function bundledInstanceTypeInfo(instanceType: string): InstanceTypeInfo | undefined {
  const t = bundledType(instanceType);
  if (!t) return undefined;
  const totalEnis = t.networkCards.reduce((sum, [, max]) => sum + max, 0);
  return {
    InstanceType: instanceType as InstanceTypeInfo["InstanceType"],
    BareMetal: t.bareMetal,
    ...(t.hypervisor === "nitro" || t.hypervisor === "xen" ? { Hypervisor: t.hypervisor } : {}),
    NetworkInfo: {
      MaximumNetworkInterfaces: totalEnis > 0 ? totalEnis : t.enis,
      MaximumNetworkCards: Math.max(1, t.networkCards.length),
      DefaultNetworkCardIndex: t.defaultNetworkCardIndex,
      NetworkCards: t.networkCards.map(([index, max]) => ({
        NetworkCardIndex: index,
        MaximumNetworkInterfaces: max,
      })),
      Ipv4AddressesPerInterface: t.ipv4PerEni,
    },
  };
}

/** Offline fallback (the `ip-cost` command): limits from the bundled table. */
export function bundledLimits(instanceType: string): InstanceNetworkLimits | undefined {
  const t = bundledType(instanceType);
  if (!t) return undefined;
  return {
    instanceType,
    enis: t.enis,
    ipv4PerEni: t.ipv4PerEni,
    maxPods: t.maxPods,
    trunking: t.trunking,
    branchInterfaces: t.branchInterfaces,
    hypervisor: t.hypervisor,
    bareMetal: t.bareMetal,
  };
}

/** Every instance type name in the bundled table, sorted. */
export function bundledInstanceTypeNames(): string[] {
  return Object.keys(bundledTypes()).sort();
}

/** Limits as the account reported them; undefined when the type is not in the inventory (never a guess). */
export function limitsFor(
  inventory: { readonly instanceTypes: readonly InstanceTypeInfo[] },
  instanceType: string,
): InstanceNetworkLimits | undefined {
  const info = inventory.instanceTypes.find((t) => t.InstanceType === instanceType);
  return info ? limitsFromInstanceTypeInfo(info) : undefined;
}
