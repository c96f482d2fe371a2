/**
 * The estate builder: account → region → VPC → subnets → cluster → node capacity, producing an estate in
 * the exact SDK output shapes (`#shared/estate/types.ts`). Stories (`scripts/build-sample-estate.ts`),
 * the benchmark generator and test fixtures all describe their estates with it.
 */

export {
  type CapacityKind,
  type CapacityRecords,
  InstanceCapacity,
  type LaunchOptions,
  ManagedNodeGroup,
  type ManagedNodeGroupSpec,
  type NodeCapacity,
  NodeRef,
} from "./capacity.ts";
export { type AddonName, ClusterBuilder, type ClusterSpec } from "./cluster.ts";
export { AccountBuilder, type AccountSpec, EstateBuilder } from "./estate.ts";
export { awsId, digest, uuid, zoneId } from "./ids.ts";
export { instanceTypeInfo } from "./instance-types.ts";
export {
  AddressPool,
  type Cidr,
  CidrLayout,
  formatCidr,
  intToIp,
  ipToInt,
  parseCidr,
  usableAddresses,
} from "./ipv4.ts";
export { formatEstateJson } from "./json.ts";
export {
  allowControlPlane,
  type EgressRule,
  type EniAddresses,
  type IngressRule,
  LaunchTemplateRef,
  type LaunchTemplateVersionInput,
  type NetworkInterfaceInput,
  type Ports,
  type Protocol,
  RegionBuilder,
  type RouteTableSpec,
  SecurityGroupRef,
  SubnetRef,
  type SubnetSpec,
  VpcBuilder,
} from "./region.ts";
export * from "./shapes.ts";
export { clusterTag, ROLE_ELB, ROLE_INTERNAL_ELB } from "./tags.ts";
export { al2Bootstrap, al2023NodeConfig, base64, MIME_BOUNDARY, mimeMultipart } from "./user-data.ts";
