/** Strict IPv4 arithmetic for laying out VPCs, subnets and ENI addresses (unsigned 32-bit numbers). */

export interface Cidr {
  base: number;
  prefixLength: number;
  size: number;
}

export function ipToInt(ip: string): number {
  const octets = ip.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return octets.reduce((n, o) => n * 256 + o, 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** `10.0.1.0/24` → base, prefix length and size; an unaligned block (`10.0.1.7/24`) is an error. */
export function parseCidr(cidr: string): Cidr {
  const [ip, bits] = cidr.split("/");
  const prefixLength = Number(bits);
  if (ip === undefined || !Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  }
  const size = 2 ** (32 - prefixLength);
  const base = ipToInt(ip);
  if (base % size !== 0) throw new Error(`CIDR ${cidr} is not aligned`);
  return { base, prefixLength, size };
}

export function formatCidr(base: number, prefixLength: number): string {
  return `${intToIp(base)}/${prefixLength}`;
}

/** AWS keeps the first four addresses and the last one of every subnet. */
export function usableAddresses(cidr: string): number {
  return parseCidr(cidr).size - 5;
}

/**
 * The blocks taken inside one range (a VPC's subnets): explicit blocks must fit and not overlap; `next`
 * hands out the next aligned block after the highest one taken, so generated layouts never collide.
 */
export class CidrLayout {
  private readonly outer: Cidr;
  private readonly taken: { cidr: string; base: number; end: number; owner: string }[] = [];
  private cursor: number;

  constructor(
    readonly cidr: string,
    private readonly what: string,
  ) {
    this.outer = parseCidr(cidr);
    this.cursor = this.outer.base;
  }

  claim(cidr: string, owner: string): string {
    const { base, size } = parseCidr(cidr);
    const end = base + size;
    if (base < this.outer.base || end > this.outer.base + this.outer.size) {
      throw new Error(`${owner}: ${cidr} is outside ${this.what} ${this.cidr}`);
    }
    const clash = this.taken.find((t) => base < t.end && t.base < end);
    if (clash !== undefined) throw new Error(`${owner}: ${cidr} overlaps ${clash.owner} ${clash.cidr}`);
    this.taken.push({ cidr, base, end, owner });
    this.cursor = Math.max(this.cursor, end);
    return cidr;
  }

  next(prefixLength: number, owner: string): string {
    const size = 2 ** (32 - prefixLength);
    const start = Math.ceil(this.cursor / size) * size;
    if (start + size > this.outer.base + this.outer.size) {
      throw new Error(`${owner}: no free /${prefixLength} left in ${this.what} ${this.cidr}`);
    }
    return this.claim(formatCidr(start, prefixLength), owner);
  }
}

/**
 * The addresses ENIs hold in one subnet: each used once, never one of the five AWS keeps. Subnet CIDR
 * reservations fence ranges off automatic assignment: single addresses are never taken from them, prefixes
 * come from `prefix` reservations first.
 */
export class AddressPool {
  private readonly range: Cidr;
  private readonly used = new Set<number>();
  private readonly reservations: { base: number; end: number; type: "prefix" | "explicit"; cidr: string }[] =
    [];

  constructor(
    private readonly subnet: string,
    cidr: string,
  ) {
    this.range = parseCidr(cidr);
  }

  get held(): number {
    return this.used.size;
  }

  /**
   * Addresses AvailableIpAddressCount leaves out: the ones ENIs hold plus every usable address of a subnet CIDR
   * reservation, held or not. AWS takes reserved space out of the free count (issue 16: following the advice to
   * reserve prefixes lowers AvailableIpAddressCount), and automatic assignment never uses it.
   */
  get unavailable(): number {
    const { base, size } = this.range;
    let reservedFree = 0;
    for (const r of this.reservations) {
      for (let a = Math.max(r.base, base + 4); a < Math.min(r.end, base + size - 1); a++) {
        if (!this.used.has(a)) reservedFree++;
      }
    }
    return this.used.size + reservedFree;
  }

  claim(addresses: readonly number[]): void {
    const { base, size } = this.range;
    for (const a of addresses) {
      if (a < base + 4 || a >= base + size - 1)
        throw new Error(`${intToIp(a)} is not usable in ${this.subnet}`);
      if (this.used.has(a)) throw new Error(`${intToIp(a)} is used twice in ${this.subnet}`);
      this.used.add(a);
    }
  }

  /** A subnet CIDR reservation: inside the subnet, overlapping no other reservation. */
  reserve(cidr: string, type: "prefix" | "explicit"): void {
    const { base, size } = parseCidr(cidr);
    const end = base + size;
    if (base < this.range.base || end > this.range.base + this.range.size)
      throw new Error(`reservation ${cidr} is outside ${this.subnet}`);
    const clash = this.reservations.find((r) => base < r.end && r.base < end);
    if (clash !== undefined) throw new Error(`reservation ${cidr} overlaps ${clash.cidr} in ${this.subnet}`);
    this.reservations.push({ base, end, type, cidr });
  }

  private reservationAt(a: number) {
    return this.reservations.find((r) => a >= r.base && a < r.end);
  }

  /** The lowest `count` free addresses outside any reservation, claimed. */
  allocate(count: number): string[] {
    const { base, size } = this.range;
    const picked: number[] = [];
    for (let a = base + 4; a < base + size - 1 && picked.length < count; a++) {
      if (!this.used.has(a) && this.reservationAt(a) === undefined) picked.push(a);
    }
    if (picked.length < count) throw new Error(`${this.subnet} has no ${count} free addresses`);
    this.claim(picked);
    return picked.map(intToIp);
  }

  /** A delegated /28 prefix: all sixteen addresses. */
  claimPrefix(prefix: string): void {
    const { base, size } = parseCidr(prefix);
    if (size !== 16) throw new Error(`${prefix} is not a /28`);
    this.claim(Array.from({ length: size }, (_, i) => base + i));
  }

  /**
   * `count` free aligned /28 blocks, claimed: first inside `prefix` reservations, then outside every
   * reservation, lowest first (a /28 needs sixteen contiguous free addresses, whatever the free count says).
   */
  allocatePrefixes(count: number): string[] {
    const { base, size } = this.range;
    const blocks: number[] = [];
    for (let b = base; b + 16 <= base + size; b += 16) blocks.push(b);
    const free = (b: number) =>
      Array.from({ length: 16 }, (_, i) => b + i).every(
        (a) => a >= base + 4 && a < base + size - 1 && !this.used.has(a),
      );
    const inPrefixReservation = (b: number) =>
      this.reservations.some((r) => r.type === "prefix" && b >= r.base && b + 16 <= r.end);
    const unreserved = (b: number) =>
      Array.from({ length: 16 }, (_, i) => b + i).every((a) => this.reservationAt(a) === undefined);
    const ordered = [...blocks.filter(inPrefixReservation), ...blocks.filter(unreserved)].filter(free);
    if (ordered.length < count) throw new Error(`${this.subnet} has no ${count} free /28 blocks`);
    const picked = ordered.slice(0, count).map((b) => formatCidr(b, 28));
    for (const p of picked) this.claimPrefix(p);
    return picked;
  }
}
