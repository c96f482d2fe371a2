import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type {
  InstanceTypeInfo,
  LaunchTemplate,
  LaunchTemplateVersion,
  NetworkInterface,
  Reservation,
  RouteTable,
  SecurityGroup,
  Subnet,
  SubnetCidrReservation,
  Vpc,
} from "@aws-sdk/client-ec2";
import type { Addon, Cluster, FargateProfile, Nodegroup } from "@aws-sdk/client-eks";
import type { UnreadResource } from "#shared/findings/coverage.ts";
import type { CniConfig } from "#shared/models/cni/config.ts";
import type { KubeletConfigReading } from "#shared/models/kubelet/types.ts";
import type { NodeSecurityGroups } from "#shared/models/security-groups/node-security-groups.ts";
import type { CapacityGroup, CapacityKind, CapacityRead, ObservedNode } from "./capacity-types.ts";

/**
 * One cluster as the EKS API answered it: DescribeCluster, DescribeNodegroup each, DescribeAddon vpc-cni, and
 * (estate v2) DescribeFargateProfile each. `fargateProfiles` absent: not read (an estate v1).
 */
export interface RawCluster {
  cluster: Cluster;
  nodegroups: Nodegroup[];
  addons: Addon[];
  fargateProfiles?: FargateProfile[];
}

/**
 * The raw API results of one account-region: exactly the estate's per-region shape (`EstateRegion`), in
 * SDK v3 output types. The collector fetches into it, `snapshot` records it, the tests build it from
 * estates; `assembleInventory` (assemble.ts) turns it into the `Inventory`.
 */
export interface RawRegion {
  ec2: {
    Vpcs: Vpc[];
    Subnets: Subnet[];
    RouteTables: RouteTable[];
    SecurityGroups: SecurityGroup[];
    InstanceTypes: InstanceTypeInfo[];
    /** With `UserData` as EC2 returns it: only the assembly reads it, and the Inventory never holds it. */
    LaunchTemplateVersions: LaunchTemplateVersion[];
    /** Node ENIs of prefix-delegation subnets, ipamd's `aws-K8S-*` ENIs, trunk/branch ENIs, Fargate pod ENIs. */
    NetworkInterfaces: NetworkInterface[];
    /** v2, DescribeInstances: the instances of the cluster VPCs (managed ones included). Absent: not read. */
    Reservations?: Reservation[];
    /** v2, DescribeLaunchTemplates: Karpenter's templates. Absent: not read. */
    LaunchTemplates?: LaunchTemplate[];
    /** v2, GetSubnetCidrReservations of the prefix-delegation subnets, flat. Absent: not read. */
    SubnetCidrReservations?: SubnetCidrReservation[];
  };
  eks: { clusters: RawCluster[] };
  /** v2, DescribeAutoScalingGroups: the groups tagged `kubernetes.io/cluster/<cluster>`. Absent: not read. */
  autoscaling?: { AutoScalingGroups: AutoScalingGroup[] };
}

/**
 * A call of the collection that failed for one resource while the scope still completed: the assembly
 * turns each into `Inventory.unread` and into what the rules then assume. Only AWS error names, never
 * message text.
 */
export type ReadFailure =
  | { operation: "DescribeAddon"; cluster: string; addonName: string; errorName: string }
  | { operation: "DescribeNodegroup"; cluster: string; nodegroup: string; errorName: string }
  | {
      operation: "DescribeLaunchTemplateVersions";
      launchTemplateId: string;
      /** The version as node groups name it: a number, `$Default` or `$Latest`. */
      version: string;
      errorName: string;
    }
  | { operation: "DescribeInstanceTypes"; instanceType: string; errorName: string }
  /** Region-wide listings of node capacity (estate v2): the region's clusters lose what they would have told. */
  | {
      operation: "DescribeInstances" | "DescribeAutoScalingGroups" | "DescribeLaunchTemplates";
      errorName: string;
    }
  | { operation: "ListFargateProfiles"; cluster: string; errorName: string }
  | { operation: "DescribeFargateProfile"; cluster: string; fargateProfile: string; errorName: string }
  | { operation: "GetSubnetCidrReservations"; subnetId: string; errorName: string };

/** A cluster with the views derived from it once, by the assembly (`deriveClusterViews`). */
export interface ClusterInventory extends RawCluster {
  /** `resourcesVpcConfig.vpcId`, else the one VPC its subnets are in; undefined when neither tells. */
  vpcId?: string;
  /** The vpc-cni settings ipamd runs with: read from the add-on, else the defaults and why. */
  cni: CniConfig;
  /** The node SGs of each node group (by node group name): its launch template's, else the cluster SG. */
  nodeSecurityGroups: Record<string, NodeSecurityGroups>;
  /**
   * Every kind of node capacity of the cluster, managed node groups included, in a stable order (kind, then
   * name): the one loop ip.*, sg.* and node.* rules iterate. See `CapacityGroup` (capacity-types.ts).
   */
  capacity: CapacityGroup[];
  /** Instances tagged for this cluster (or of its VPC claiming it) that no capacity group accounts for. */
  unattributedNodes: ObservedNode[];
  /** Which sources of capacity this inventory read: a source not read means its kinds are unknown, not absent. */
  capacityRead: CapacityRead;
}

/**
 * Everything the rules need about one account-region, in AWS SDK v3 output shapes, assembled from the raw
 * API results by `assembleInventory`. The collector only fetches; rules only read this.
 */
export interface Inventory {
  accountId: string;
  region: string;
  clusters: ClusterInventory[];
  /** Every VPC of the region. */
  vpcs: Vpc[];
  /** Every subnet of the region (stale cluster tags live outside cluster VPCs too). */
  subnets: Subnet[];
  /** Route tables read: the collector reads those of the cluster VPCs, main tables included. */
  routeTables: RouteTable[];
  /** Security groups of the cluster VPCs. */
  securityGroups: SecurityGroup[];
  /** Security groups read outside the cluster VPCs: the collector reads those whose rules name a node SG. */
  referencingSecurityGroups: SecurityGroup[];
  /** The instance types of all node groups (and launch templates). */
  instanceTypes: InstanceTypeInfo[];
  /**
   * Instance types the region's DescribeInstanceTypes refused (type → AWS error name): their entry in
   * `instanceTypes` comes from the shipped instance data, and evidence says so.
   */
  instanceTypesFromShippedData: Record<string, string>;
  /** The launch template versions the node groups use, with `UserData` removed (it can hold secrets). */
  launchTemplateVersions: LaunchTemplateVersion[];
  /**
   * Kubelet settings, parsed from user data or the AMI defaults: per node group (`<cluster>/<nodegroup>`),
   * and per self-managed group or Karpenter launch template (`CapacityGroup.kubeletKeys`).
   */
  kubelet: Record<string, KubeletConfigReading>;
  /**
   * ENIs the rules need: every ENI of the prefix-delegation capacity subnets, SGP trunk/branch ENIs and
   * ipamd's `aws-K8S-*` ENIs of the cluster VPCs, Fargate pod ENIs.
   */
  networkInterfaces: NetworkInterface[];
  /** Subnet CIDR reservations of the prefix-delegation capacity subnets (both reservation types, IPv4 and IPv6). */
  subnetCidrReservations: SubnetCidrReservation[];
  /** What this scan could not read completely: named in coverage findings, never resolved. */
  unread: UnreadResource[];
  /**
   * Samples of the scope's capacity subnets from earlier complete scans and this one, read from the findings
   * store by the scan (absent without a store): `ip.subnet-exhaustion-forecast` projects from them.
   */
  history?: SubnetHistory;
}

/** One capacity group's room in a subnet when it was sampled. */
export interface SampledGroup {
  cluster: string;
  /** The group's `resourceId` (`web`, `karpenter/default`, `fargate/fp`). */
  group: string;
  kind: CapacityKind;
  /** The type it is costed with; `fargate` for a Fargate profile. */
  instanceType: string;
  /** Addresses one more node (Fargate: pod) takes from the subnet at launch. */
  launchIps: number;
  /**
   * Free IPs the subnet needs for one more of its nodes: launch cost plus the cluster-subnet reserve, less
   * unheld prefix-reservation addresses. Below it the subnet is exhausted for this group.
   */
  needIps: number;
  /** Nodes (Fargate: pods) that still fit, at launch cost and at full cost. */
  fitsAtLaunch: number;
  fitsAtFull: number;
  /** IP-consuming pods those nodes would hold (at launch: one per node; full: the full cost's pods). */
  podsAtLaunch: number;
  podsAtFull: number;
  /** Its nodes in the subnet (Fargate: running pods). */
  nodes: number;
}

/**
 * A subnet used by a capacity group, as one complete scan saw it: the findings store keeps at most one per
 * subnet and account per hour, for 180 days.
 */
export interface SubnetSample {
  subnetId: string;
  accountId: string;
  region: string;
  availabilityZone?: string;
  /** When the inventory was observed: the estate's `capturedAt`, else the scan's time. */
  at: string;
  availableIps: number;
  /** Free aligned /28 blocks (prefix delegation only). */
  freePrefixBlocks?: number;
  /** Nodes (and Fargate pods) of every capacity group in the subnet. */
  nodes: number;
  groups: SampledGroup[];
}

export interface SubnetHistory {
  /** The sample time of this scan: the forecast is made as of then. */
  asOf: string;
  /** Samples by subnet id, oldest first, this scan's included. */
  bySubnet: ReadonlyMap<string, readonly SubnetSample[]>;
}

export function emptyRawRegion(): RawRegion {
  return {
    ec2: {
      Vpcs: [],
      Subnets: [],
      RouteTables: [],
      SecurityGroups: [],
      InstanceTypes: [],
      LaunchTemplateVersions: [],
      NetworkInterfaces: [],
    },
    eks: { clusters: [] },
  };
}

export function emptyInventory(accountId: string, region: string): Inventory {
  return {
    accountId,
    region,
    clusters: [],
    vpcs: [],
    subnets: [],
    routeTables: [],
    securityGroups: [],
    referencingSecurityGroups: [],
    instanceTypes: [],
    instanceTypesFromShippedData: {},
    launchTemplateVersions: [],
    kubelet: {},
    networkInterfaces: [],
    subnetCidrReservations: [],
    unread: [],
  };
}
