import type { Filter } from "@aws-sdk/client-ec2";
import { AwsError } from "#sim/protocol/errors.ts";
import { isRecord } from "#sim/protocol/schema.ts";

/** Values of a filter attribute of one resource; a filter matches when any value matches any wanted value. */
export type FilterField = (item: unknown) => unknown[];
export type FilterSpec = Record<string, FilterField>;

/** Values along a path, flattening lists on the way: `at(sg, ["IpPermissions", "UserIdGroupPairs", "GroupId"])`. */
export function at(value: unknown, path: readonly string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => at(v, path));
  if (value === null || value === undefined) return [];
  const [head, ...rest] = path;
  if (head === undefined) return [value];
  return isRecord(value) ? at(value[head], rest) : [];
}

export const field =
  (...path: string[]): FilterField =>
  (item) =>
    at(item, path);

/** AWS filter values: `*` any run of characters, `?` one character, backslash escapes. */
export function wildcardPattern(value: string): RegExp {
  let source = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (c === "\\" && i + 1 < value.length) {
      source += value.charAt(++i).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** Tags live in `Tags`, or `TagSet` on network interfaces. */
function tagsOf(item: unknown): unknown[] {
  return [...at(item, ["Tags"]), ...at(item, ["TagSet"])];
}

function tagValues(item: unknown, key: string): unknown[] {
  return tagsOf(item).flatMap((tag) => (isRecord(tag) && tag.Key === key ? [tag.Value ?? ""] : []));
}

function resolveField(spec: FilterSpec, name: string): FilterField | undefined {
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return (item) => tagValues(item, key);
  }
  if (name === "tag-key") return (item) => tagsOf(item).flatMap((tag) => at(tag, ["Key"]));
  if (name === "tag-value") return (item) => tagsOf(item).flatMap((tag) => at(tag, ["Value"]));
  return Object.hasOwn(spec, name) ? spec[name] : undefined;
}

/** Values OR within a filter, filters AND; unknown filter names answer InvalidParameterValue like EC2. */
export function applyFilters<T>(items: readonly T[], filters: Filter[] | undefined, spec: FilterSpec): T[] {
  if (filters === undefined || filters.length === 0) return [...items];
  const compiled = filters.map((filter) => {
    const name = filter.Name ?? "";
    const fieldOf = resolveField(spec, name);
    if (fieldOf === undefined) throw new AwsError("InvalidParameterValue", `The filter '${name}' is invalid`);
    return { fieldOf, patterns: (filter.Values ?? []).map(wildcardPattern) };
  });
  return items.filter((item) =>
    compiled.every(({ fieldOf, patterns }) =>
      fieldOf(item).some((value) => {
        const text = asText(value);
        return text !== undefined && patterns.some((p) => p.test(text));
      }),
    ),
  );
}

const permissionFields = (prefix: string, key: string): FilterSpec => ({
  [`${prefix}ip-permission.cidr`]: field(key, "IpRanges", "CidrIp"),
  [`${prefix}ip-permission.from-port`]: field(key, "FromPort"),
  [`${prefix}ip-permission.to-port`]: field(key, "ToPort"),
  [`${prefix}ip-permission.protocol`]: field(key, "IpProtocol"),
  [`${prefix}ip-permission.group-id`]: field(key, "UserIdGroupPairs", "GroupId"),
  [`${prefix}ip-permission.group-name`]: field(key, "UserIdGroupPairs", "GroupName"),
  [`${prefix}ip-permission.user-id`]: field(key, "UserIdGroupPairs", "UserId"),
  [`${prefix}ip-permission.ipv6-cidr`]: field(key, "Ipv6Ranges", "CidrIpv6"),
  [`${prefix}ip-permission.prefix-list-id`]: field(key, "PrefixListIds", "PrefixListId"),
});

export const vpcFilters: FilterSpec = {
  "vpc-id": field("VpcId"),
  cidr: field("CidrBlock"),
  "cidr-block-association.cidr-block": field("CidrBlockAssociationSet", "CidrBlock"),
  "cidr-block-association.association-id": field("CidrBlockAssociationSet", "AssociationId"),
  "cidr-block-association.state": field("CidrBlockAssociationSet", "CidrBlockState", "State"),
  "dhcp-options-id": field("DhcpOptionsId"),
  "ipv6-cidr-block-association.ipv6-cidr-block": field("Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock"),
  "is-default": field("IsDefault"),
  "owner-id": field("OwnerId"),
  state: field("State"),
};

export const subnetFilters: FilterSpec = {
  "subnet-id": field("SubnetId"),
  "vpc-id": field("VpcId"),
  "availability-zone": field("AvailabilityZone"),
  "availability-zone-id": field("AvailabilityZoneId"),
  "available-ip-address-count": field("AvailableIpAddressCount"),
  "cidr-block": field("CidrBlock"),
  cidr: field("CidrBlock"),
  cidrBlock: field("CidrBlock"),
  "default-for-az": field("DefaultForAz"),
  defaultForAz: field("DefaultForAz"),
  "ipv6-cidr-block-association.ipv6-cidr-block": field("Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock"),
  "ipv6-native": field("Ipv6Native"),
  "map-public-ip-on-launch": field("MapPublicIpOnLaunch"),
  "outpost-arn": field("OutpostArn"),
  "owner-id": field("OwnerId"),
  state: field("State"),
  "subnet-arn": field("SubnetArn"),
};

export const routeTableFilters: FilterSpec = {
  "route-table-id": field("RouteTableId"),
  "vpc-id": field("VpcId"),
  "owner-id": field("OwnerId"),
  "association.subnet-id": field("Associations", "SubnetId"),
  "association.main": field("Associations", "Main"),
  "association.route-table-association-id": field("Associations", "RouteTableAssociationId"),
  "association.route-table-id": field("Associations", "RouteTableId"),
  "association.gateway-id": field("Associations", "GatewayId"),
  "route.destination-cidr-block": field("Routes", "DestinationCidrBlock"),
  "route.destination-ipv6-cidr-block": field("Routes", "DestinationIpv6CidrBlock"),
  "route.destination-prefix-list-id": field("Routes", "DestinationPrefixListId"),
  "route.egress-only-internet-gateway-id": field("Routes", "EgressOnlyInternetGatewayId"),
  "route.gateway-id": field("Routes", "GatewayId"),
  "route.instance-id": field("Routes", "InstanceId"),
  "route.nat-gateway-id": field("Routes", "NatGatewayId"),
  "route.transit-gateway-id": field("Routes", "TransitGatewayId"),
  "route.vpc-peering-connection-id": field("Routes", "VpcPeeringConnectionId"),
  "route.origin": field("Routes", "Origin"),
  "route.state": field("Routes", "State"),
};

export const securityGroupFilters: FilterSpec = {
  "group-id": field("GroupId"),
  "group-name": field("GroupName"),
  description: field("Description"),
  "vpc-id": field("VpcId"),
  "owner-id": field("OwnerId"),
  ...permissionFields("", "IpPermissions"),
  ...permissionFields("egress.", "IpPermissionsEgress"),
};

export const instanceTypeFilters: FilterSpec = {
  "instance-type": field("InstanceType"),
  hypervisor: field("Hypervisor"),
  "bare-metal": field("BareMetal"),
  "current-generation": field("CurrentGeneration"),
  "free-tier-eligible": field("FreeTierEligible"),
  "burstable-performance-supported": field("BurstablePerformanceSupported"),
  "instance-storage-supported": field("InstanceStorageSupported"),
  "supported-usage-class": field("SupportedUsageClasses"),
  "processor-info.supported-architecture": field("ProcessorInfo", "SupportedArchitectures"),
  "vcpu-info.default-vcpus": field("VCpuInfo", "DefaultVCpus"),
  "memory-info.size-in-mib": field("MemoryInfo", "SizeInMiB"),
  "network-info.maximum-network-interfaces": field("NetworkInfo", "MaximumNetworkInterfaces"),
  "network-info.maximum-network-cards": field("NetworkInfo", "MaximumNetworkCards"),
  "network-info.ipv4-addresses-per-interface": field("NetworkInfo", "Ipv4AddressesPerInterface"),
  "network-info.ipv6-addresses-per-interface": field("NetworkInfo", "Ipv6AddressesPerInterface"),
  "network-info.ipv6-supported": field("NetworkInfo", "Ipv6Supported"),
  "network-info.encryption-in-transit-supported": field("NetworkInfo", "EncryptionInTransitSupported"),
  "network-info.ena-support": field("NetworkInfo", "EnaSupport"),
  "network-info.efa-supported": field("NetworkInfo", "EfaSupported"),
};

export const launchTemplateVersionFilters: FilterSpec = {
  "launch-template-id": field("LaunchTemplateId"),
  "launch-template-name": field("LaunchTemplateName"),
  "create-time": field("CreateTime"),
  "is-default-version": field("DefaultVersion"),
  "ebs-optimized": field("LaunchTemplateData", "EbsOptimized"),
  "iam-instance-profile": (item) => [
    ...at(item, ["LaunchTemplateData", "IamInstanceProfile", "Arn"]),
    ...at(item, ["LaunchTemplateData", "IamInstanceProfile", "Name"]),
  ],
  "image-id": field("LaunchTemplateData", "ImageId"),
  "instance-type": field("LaunchTemplateData", "InstanceType"),
  "kernel-id": field("LaunchTemplateData", "KernelId"),
  "ram-disk-id": field("LaunchTemplateData", "RamDiskId"),
  "http-endpoint": field("LaunchTemplateData", "MetadataOptions", "HttpEndpoint"),
  "http-tokens": field("LaunchTemplateData", "MetadataOptions", "HttpTokens"),
  "http-protocol-ipv4": field("LaunchTemplateData", "MetadataOptions", "HttpProtocolIpv4"),
  "network-card-index": field("LaunchTemplateData", "NetworkInterfaces", "NetworkCardIndex"),
};

export const networkInterfaceFilters: FilterSpec = {
  "network-interface-id": field("NetworkInterfaceId"),
  "subnet-id": field("SubnetId"),
  "vpc-id": field("VpcId"),
  "group-id": field("Groups", "GroupId"),
  "group-name": field("Groups", "GroupName"),
  description: field("Description"),
  status: field("Status"),
  "availability-zone": field("AvailabilityZone"),
  "interface-type": field("InterfaceType"),
  "mac-address": field("MacAddress"),
  "owner-id": field("OwnerId"),
  "private-dns-name": field("PrivateDnsName"),
  "private-ip-address": field("PrivateIpAddress"),
  "addresses.private-ip-address": field("PrivateIpAddresses", "PrivateIpAddress"),
  "addresses.primary": field("PrivateIpAddresses", "Primary"),
  "addresses.association.public-ip": field("PrivateIpAddresses", "Association", "PublicIp"),
  "association.public-ip": field("Association", "PublicIp"),
  "attachment.attachment-id": field("Attachment", "AttachmentId"),
  "attachment.instance-id": field("Attachment", "InstanceId"),
  "attachment.instance-owner-id": field("Attachment", "InstanceOwnerId"),
  "attachment.device-index": field("Attachment", "DeviceIndex"),
  "attachment.status": field("Attachment", "Status"),
  "attachment.delete-on-termination": field("Attachment", "DeleteOnTermination"),
  "ipv6-addresses.ipv6-address": field("Ipv6Addresses", "Ipv6Address"),
  "requester-id": field("RequesterId"),
  "requester-managed": field("RequesterManaged"),
  "source-dest-check": field("SourceDestCheck"),
};

export const regionFilters: FilterSpec = {
  "region-name": field("RegionName"),
  endpoint: field("Endpoint"),
  "opt-in-status": field("OptInStatus"),
};

/**
 * DescribeInstances filters (EC2 API Reference, DescribeInstances "Filter.N"): the instance's own fields; the
 * reservation's (`reservation-id`, `owner-id`, `requester-id`) are answered by `reservationFields`.
 */
export const instanceFilters: FilterSpec = {
  "instance-id": field("InstanceId"),
  "instance-type": field("InstanceType"),
  "instance-state-name": field("State", "Name"),
  "instance-state-code": field("State", "Code"),
  "vpc-id": field("VpcId"),
  "subnet-id": field("SubnetId"),
  "availability-zone": field("Placement", "AvailabilityZone"),
  "image-id": field("ImageId"),
  architecture: field("Architecture"),
  "key-name": field("KeyName"),
  "launch-time": field("LaunchTime"),
  "private-ip-address": field("PrivateIpAddress"),
  "private-dns-name": field("PrivateDnsName"),
  "iam-instance-profile.arn": field("IamInstanceProfile", "Arn"),
  "instance.group-id": field("SecurityGroups", "GroupId"),
  "instance.group-name": field("SecurityGroups", "GroupName"),
  "network-interface.network-interface-id": field("NetworkInterfaces", "NetworkInterfaceId"),
  "network-interface.subnet-id": field("NetworkInterfaces", "SubnetId"),
  "network-interface.vpc-id": field("NetworkInterfaces", "VpcId"),
  "network-interface.description": field("NetworkInterfaces", "Description"),
  "network-interface.group-id": field("NetworkInterfaces", "Groups", "GroupId"),
  "network-interface.addresses.private-ip-address": field(
    "NetworkInterfaces",
    "PrivateIpAddresses",
    "PrivateIpAddress",
  ),
  "network-interface.attachment.device-index": field("NetworkInterfaces", "Attachment", "DeviceIndex"),
  "operator.managed": field("Operator", "Managed"),
  "operator.principal": field("Operator", "Principal"),
  tenancy: field("Placement", "Tenancy"),
};

/** DescribeLaunchTemplates filters (`tag:`/`tag-key`/`tag-value` are common to every listing). */
export const launchTemplateFilters: FilterSpec = {
  "create-time": field("CreateTime"),
  "launch-template-name": field("LaunchTemplateName"),
};

/** GetSubnetCidrReservations filters (EC2 API Reference: `reservationType`, `subnet-id`, tags). */
export const subnetCidrReservationFilters: FilterSpec = {
  reservationType: field("ReservationType"),
  "subnet-id": field("SubnetId"),
};
