/**
 * The estate builder: account → region → VPC → subnets → cluster → node capacity, producing an estate in
 * the exact SDK output shapes (`#shared/estate/types.ts`). Stories (`scripts/build-sample-estate.ts`),
 * the benchmark generator and test fixtures all describe their estates with it.
 */

export { AUTO_MODE_NODE, AutoModeNodePool, type AutoModeNodePoolSpec } from "./auto-mode.ts";
export {
  type CapacityKind,
  type CapacityRecords,
  InstanceCapacity,
  type InstanceProfileOfCapacity,
  type LaunchOptions,
  ManagedNodeGroup,
  type ManagedNodeGroupSpec,
  type NodeCapacity,
  NodeRef,
  nodeName,
} from "./capacity.ts";
export { type AddonName, ClusterBuilder, type ClusterSpec } from "./cluster.ts";
export * from "./compute-shapes.ts";
export { AccountBuilder, type AccountSpec, EstateBuilder, usesFormatV2 } from "./estate.ts";
export { FargateProfileCapacity, type FargateProfileSpec } from "./fargate.ts";
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
export { KarpenterNodePool, type KarpenterNodePoolSpec } from "./karpenter.ts";
export { Rng } from "./random.ts";
export {
  allowControlPlane,
  type EgressRule,
  type EniAddresses,
  type IngressRule,
  LaunchTemplateRef,
  type LaunchTemplateVersionFacts,
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
export { SelfManagedGroup, type SelfManagedGroupSpec } from "./self-managed.ts";
export * from "./shapes.ts";
export { clusterTag, karpenterDiscovery, ROLE_ELB, ROLE_INTERNAL_ELB } from "./tags.ts";
export {
  al2Bootstrap,
  al2023NodeConfig,
  al2023SelfManagedUserData,
  base64,
  KARPENTER_MIME_BOUNDARY,
  type KarpenterUserDataOptions,
  karpenterAl2023UserData,
  MIME_BOUNDARY,
  mimeMultipart,
  type NodeadmClusterDetails,
} from "./user-data.ts";
