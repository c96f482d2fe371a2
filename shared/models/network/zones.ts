import type { Subnet } from "@aws-sdk/client-ec2";

export type ZoneType = "availability-zone" | "local-zone" | "wavelength-zone";
/** Where a subnet lives, as the load balancer controller classifies it (`subnetLocaleType`). */
export type SubnetLocale = ZoneType | "outpost";

// `eu-west-1a`, `us-gov-west-1b`: a region name followed by one letter.
const REGULAR_AZ = /^[a-z]{2}(?:-[a-z]+)+-\d+[a-z]$/;
// `us-west-2-lax-1a`, `us-east-1-bos-1a`: a region name, a metro code and a zone number.
const LOCAL_ZONE = /^[a-z]{2}(?:-[a-z]+)+-\d+-[a-z0-9]+(?:-[a-z0-9]+)*-\d+[a-z]$/;

/**
 * The zone type of an AZ name. `Subnet` has no zone type field (LBC asks DescribeAvailabilityZones),
 * so it is read from the name: `…-wlz-…` is Wavelength, `<region>-<metro>-<n><letter>` a Local Zone.
 * Names that fit neither pattern are taken as regular AZs.
 */
export function zoneTypeOf(availabilityZone: string): ZoneType {
  if (availabilityZone.includes("-wlz-")) return "wavelength-zone";
  if (REGULAR_AZ.test(availabilityZone)) return "availability-zone";
  if (LOCAL_ZONE.test(availabilityZone)) return "local-zone";
  return "availability-zone";
}

/** Outposts first (an Outpost subnet sits in a regular AZ name), then the zone type of the AZ. */
export function subnetLocaleOf(subnet: Subnet): SubnetLocale {
  if ((subnet.OutpostArn ?? "") !== "") return "outpost";
  return zoneTypeOf(subnet.AvailabilityZone ?? "");
}
