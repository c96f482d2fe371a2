/** Minimal IPv4 arithmetic for subnet / prefix bookkeeping. Addresses are unsigned 32-bit numbers. */

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export interface Ipv4Cidr {
  /** Network address (host bits cleared). */
  base: number;
  prefixLength: number;
  /** Number of addresses in the block. */
  size: number;
}

export function parseIpv4(text: string): number | undefined {
  const m = OCTETS.exec(text.trim());
  if (!m) return undefined;
  let value = 0;
  for (const part of m.slice(1)) {
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** `10.0.1.0/24` → base/size; a host address (`10.0.1.7/28`) is masked to its network. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseIpv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1).trim();
  if (address === undefined || !/^\d{1,2}$/.test(lengthText)) return undefined;
  const prefixLength = Number(lengthText);
  if (prefixLength > 32) return undefined;
  const size = 2 ** (32 - prefixLength);
  return { base: address - (address % size), prefixLength, size };
}
