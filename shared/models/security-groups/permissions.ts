import type { IpPermission } from "@aws-sdk/client-ec2";
import { parseIpv4Cidr } from "#shared/models/cni/ipv4.ts";

export const WORLD_IPV4 = "0.0.0.0/0";
export const WORLD_IPV6 = "::/0";

/** `tcp`, `udp`, `icmp`, `icmpv6`, `all`, or the protocol number EC2 reports for anything else. */
export type Protocol = string;

const PROTOCOL_NUMBERS: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };

/** EC2 reports `-1` for all traffic and may report well-known protocols by number. */
export function protocolOf(perm: IpPermission): Protocol {
  const raw = (perm.IpProtocol ?? "-1").toLowerCase();
  if (raw === "-1" || raw === "all") return "all";
  return PROTOCOL_NUMBERS[raw] ?? raw;
}

export interface PortRange {
  from: number;
  to: number;
}

const ALL_PORTS: PortRange = { from: 0, to: 65535 };

/** The ports a permission opens for TCP or UDP; undefined when it does not carry that protocol at all. */
export function portRangeFor(perm: IpPermission, protocol: "tcp" | "udp"): PortRange | undefined {
  const p = protocolOf(perm);
  if (p === "all") return ALL_PORTS;
  if (p !== protocol) return undefined;
  const from = perm.FromPort;
  const to = perm.ToPort;
  if (from === undefined || to === undefined || from < 0 || to < 0) return ALL_PORTS;
  return { from, to };
}

export function allowsTcpPort(perm: IpPermission, port: number): boolean {
  const range = portRangeFor(perm, "tcp");
  return range !== undefined && range.from <= port && port <= range.to;
}

/** `tcp 22`, `tcp 30000-32767`, `udp 53`, `all traffic`, `icmp 3-4`, `protocol 50`. */
export function describePorts(perm: IpPermission): string {
  const p = protocolOf(perm);
  if (p === "all") return "all traffic";
  const from = perm.FromPort;
  const to = perm.ToPort;
  if (p === "tcp" || p === "udp") {
    const range = portRangeFor(perm, p) ?? ALL_PORTS;
    if (range.from === 0 && range.to === 65535) return `${p} all ports`;
    return range.from === range.to ? `${p} ${range.from}` : `${p} ${range.from}-${range.to}`;
  }
  if (p === "icmp" || p === "icmpv6") {
    if (from === undefined || from < 0) return `${p} all types`;
    return to === undefined || to < 0 ? `${p} ${from}` : `${p} ${from}-${to}`;
  }
  return `protocol ${p}`;
}

export interface WorldSource {
  cidr: string;
  description?: string;
}

/** The `0.0.0.0/0` and `::/0` sources of a permission. */
export function worldSourcesOf(perm: IpPermission): WorldSource[] {
  const v4 = (perm.IpRanges ?? [])
    .filter((r) => r.CidrIp === WORLD_IPV4)
    .map((r) => ({ cidr: WORLD_IPV4, ...(r.Description ? { description: r.Description } : {}) }));
  const v6 = (perm.Ipv6Ranges ?? [])
    .filter((r) => r.CidrIpv6 === WORLD_IPV6)
    .map((r) => ({ cidr: WORLD_IPV6, ...(r.Description ? { description: r.Description } : {}) }));
  return [...v4, ...v6];
}

/** Security groups named as source (ingress) or destination (egress) of a permission. */
export function groupIdsOf(perm: IpPermission): string[] {
  return (perm.UserIdGroupPairs ?? []).flatMap((p) => (p.GroupId ? [p.GroupId] : []));
}

/** Whether some IPv4/IPv6 range of the permission contains every one of the given CIDRs (none given → false). */
export function rangesCoverAll(
  perm: IpPermission,
  ipv4Cidrs: readonly string[],
  ipv6Cidrs: readonly string[],
): boolean {
  if (ipv4Cidrs.length === 0 && ipv6Cidrs.length === 0) return false;
  const v4 = (perm.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : []));
  const v6 = (perm.Ipv6Ranges ?? []).flatMap((r) => (r.CidrIpv6 ? [r.CidrIpv6] : []));
  const v4Covered = ipv4Cidrs.every((inner) => v4.some((outer) => ipv4CidrCovers(outer, inner)));
  const v6Covered = ipv6Cidrs.every((inner) => v6.some((outer) => ipv6CidrCovers(outer, inner)));
  // Either address family reaching every endpoint is enough: control-plane traffic uses one of them.
  return (ipv4Cidrs.length > 0 && v4Covered) || (ipv6Cidrs.length > 0 && v6Covered);
}

export function ipv4CidrCovers(outer: string, inner: string): boolean {
  const o = parseIpv4Cidr(outer);
  const i = parseIpv4Cidr(inner);
  if (!o || !i) return false;
  return o.prefixLength <= i.prefixLength && i.base >= o.base && i.base + i.size <= o.base + o.size;
}

interface Ipv6Cidr {
  base: bigint;
  prefixLength: number;
}

function parseIpv6(text: string): bigint | undefined {
  const parts = text.split("::");
  if (parts.length > 2) return undefined;
  const groups = (s: string | undefined) => (s === undefined || s === "" ? [] : s.split(":"));
  const head = groups(parts[0]);
  const tail = groups(parts[1]);
  const missing = 8 - head.length - tail.length;
  if (parts.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(parts.length === 1 ? 0 : missing).fill("0"), ...tail];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    value = (value << 16n) + BigInt(Number.parseInt(g, 16));
  }
  return value;
}

function parseIpv6Cidr(text: string): Ipv6Cidr | undefined {
  const [address, lengthText, extra] = text.trim().split("/");
  if (address === undefined || lengthText === undefined || extra !== undefined) return undefined;
  if (!/^\d{1,3}$/.test(lengthText)) return undefined;
  const prefixLength = Number(lengthText);
  const value = parseIpv6(address);
  if (value === undefined || prefixLength > 128) return undefined;
  const hostBits = BigInt(128 - prefixLength);
  return { base: (value >> hostBits) << hostBits, prefixLength };
}

export function ipv6CidrCovers(outer: string, inner: string): boolean {
  const o = parseIpv6Cidr(outer);
  const i = parseIpv6Cidr(inner);
  if (!o || !i || o.prefixLength > i.prefixLength) return false;
  const hostBits = BigInt(128 - o.prefixLength);
  return i.base >> hostBits === o.base >> hostBits;
}

/**
 * The part of a permission that `revoke-security-group-ingress --ip-permissions` needs to remove exactly the
 * given sources: EC2 matches protocol, ports and source, so they are copied as DescribeSecurityGroups gave them.
 */
export function revocablePermission(
  perm: IpPermission,
  sources: { cidrs?: readonly string[]; groupIds?: readonly string[] },
): Record<string, unknown> {
  const cidrs = sources.cidrs ?? [];
  const groupIds = new Set(sources.groupIds ?? []);
  const out: Record<string, unknown> = { IpProtocol: perm.IpProtocol ?? "-1" };
  if (protocolOf(perm) !== "all") {
    if (perm.FromPort !== undefined) out.FromPort = perm.FromPort;
    if (perm.ToPort !== undefined) out.ToPort = perm.ToPort;
  }
  const v4 = cidrs.filter((c) => !c.includes(":")).map((c) => ({ CidrIp: c }));
  const v6 = cidrs.filter((c) => c.includes(":")).map((c) => ({ CidrIpv6: c }));
  const pairs = (perm.UserIdGroupPairs ?? [])
    .filter((p) => p.GroupId !== undefined && groupIds.has(p.GroupId))
    .map((p) => ({ GroupId: p.GroupId, ...(p.UserId ? { UserId: p.UserId } : {}) }));
  if (v4.length > 0) out.IpRanges = v4;
  if (v6.length > 0) out.Ipv6Ranges = v6;
  if (pairs.length > 0) out.UserIdGroupPairs = pairs;
  return out;
}

/** A shell-quoted JSON argument (single quotes; none occur in EC2 ids, ports or CIDRs). */
export function shellJson(value: unknown): string {
  return `'${JSON.stringify(value).replaceAll("'", "'\\''")}'`;
}

export function revokeIngressCommand(
  groupId: string,
  permissions: readonly Record<string, unknown>[],
  region: string,
): string {
  return `aws ec2 revoke-security-group-ingress --region ${region} --group-id ${groupId} --ip-permissions ${shellJson(permissions)}`;
}
