import { createHash } from "node:crypto";

/** Hex SHA-256 of a slash-joined label: the one source of every generated id. */
export function digest(...label: string[]): string {
  return createHash("sha256").update(label.join("/")).digest("hex");
}

/** `subnet-0a1b2c3d4e5f60718`: 17 hex digits like current AWS ids, derived from a stable label. */
export function awsId(prefix: string, ...label: string[]): string {
  return `${prefix}-0${digest(prefix, ...label).slice(0, 16)}`;
}

/** A version-4-shaped UUID derived from a stable label (EKS node group ids, add-on ARNs). */
export function uuid(...label: string[]): string {
  const h = digest("uuid", ...label);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `euw1-az3` for eu-west-1a: the zone ids of the two regions the sample uses, a formula elsewhere. */
const KNOWN_ZONE_IDS: Record<string, Record<string, string>> = {
  "eu-west-1": { a: "euw1-az3", b: "euw1-az1", c: "euw1-az2" },
  "us-east-1": { a: "use1-az4", b: "use1-az6", c: "use1-az1" },
};

export function zoneId(region: string, zone: string): string {
  const known = KNOWN_ZONE_IDS[region]?.[zone];
  if (known !== undefined) return known;
  const [area = "", direction = "", n = ""] = region.split("-");
  const index = zone.charCodeAt(0) - "a".charCodeAt(0) + 1;
  return `${area}${direction.slice(0, 1)}${n}-az${index}`;
}
