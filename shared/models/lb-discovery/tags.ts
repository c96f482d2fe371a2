import type { Subnet } from "@aws-sdk/client-ec2";

export type LbScheme = "internal" | "internet-facing";
export const LB_SCHEMES: readonly LbScheme[] = ["internal", "internet-facing"];

export const PUBLIC_ROLE_TAG = "kubernetes.io/role/elb";
export const INTERNAL_ROLE_TAG = "kubernetes.io/role/internal-elb";
export const ROLE_TAG_KEYS: readonly string[] = [PUBLIC_ROLE_TAG, INTERNAL_ROLE_TAG];

/** cloud-provider-aws `TagNameKubernetesClusterPrefix`. */
export const CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/";
/** LBC matches other clusters' tags on this prefix without the slash, so `kubernetes.io/clusterX` counts. */
export const LBC_CLUSTER_TAG_PREFIX = "kubernetes.io/cluster";
/** cloud-provider-aws `TagNameKubernetesClusterLegacy`, value = cluster name. */
export const LEGACY_CLUSTER_TAG = "KubernetesCluster";
/** Both controllers ignore subnets with fewer free addresses (LBC `defaultMinimalAvailableIPAddressCount`). */
export const MIN_LB_SUBNET_IPS = 8;

export function roleTagKeyFor(scheme: LbScheme): string {
  return scheme === "internal" ? INTERNAL_ROLE_TAG : PUBLIC_ROLE_TAG;
}

export function clusterTagKey(clusterName: string): string {
  return `${CLUSTER_TAG_PREFIX}${clusterName}`;
}

export function tagValue(subnet: Subnet, key: string): string | undefined {
  const tag = (subnet.Tags ?? []).find((t) => t.Key === key);
  return tag ? (tag.Value ?? "") : undefined;
}

export function hasTag(subnet: Subnet, key: string): boolean {
  return tagValue(subnet, key) !== undefined;
}

/** LBC filters the role tag on the values `""` and `"1"` only; `true`, `yes`, `0` never match. */
export function isValidRoleTagValue(value: string | undefined): boolean {
  return value === "" || value === "1";
}

export function hasValidRoleTag(subnet: Subnet, roleTagKey: string): boolean {
  return isValidRoleTagValue(tagValue(subnet, roleTagKey));
}

export function hasOwnClusterTag(subnet: Subnet, clusterName: string): boolean {
  return hasTag(subnet, clusterTagKey(clusterName));
}

/**
 * The keys that make LBC treat a subnet as another cluster's (`isSubnetContainsEligibleClusterTag`):
 * every key starting with `kubernetes.io/cluster`, unless the exact key of this cluster is present.
 */
export function lbcForeignClusterKeys(subnet: Subnet, clusterName: string): string[] {
  if (hasOwnClusterTag(subnet, clusterName)) return [];
  return tagKeys(subnet).filter((key) => key.startsWith(LBC_CLUSTER_TAG_PREFIX));
}

/** cloud-provider-aws `hasClusterTag`: the exact cluster key, or the legacy `KubernetesCluster=<name>`. */
export function hasLegacyProviderClusterTag(subnet: Subnet, clusterName: string): boolean {
  return hasOwnClusterTag(subnet, clusterName) || tagValue(subnet, LEGACY_CLUSTER_TAG) === clusterName;
}

/** Keys with the `kubernetes.io/cluster/` prefix (cloud-provider-aws `hasNoClusterPrefixTag` looks for these). */
export function clusterPrefixKeys(subnet: Subnet): string[] {
  return tagKeys(subnet).filter((key) => key.startsWith(CLUSTER_TAG_PREFIX));
}

/** `kubernetes.io/cluster/<name>` → `<name>`; undefined for other keys and an empty name. */
export function clusterNameOfTagKey(key: string): string | undefined {
  if (!key.startsWith(CLUSTER_TAG_PREFIX)) return undefined;
  const name = key.slice(CLUSTER_TAG_PREFIX.length);
  return name === "" ? undefined : name;
}

/** `kubernetes.io/clusterX`, `kubernetes.io/cluster`, `kubernetes.io/cluster/`: no cluster's real tag. */
export function isLookAlikeClusterKey(key: string): boolean {
  return key.startsWith(LBC_CLUSTER_TAG_PREFIX) && clusterNameOfTagKey(key) === undefined;
}

function tagKeys(subnet: Subnet): string[] {
  return (subnet.Tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [t.Key]));
}
