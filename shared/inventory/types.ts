import type {
  InstanceTypeInfo,
  LaunchTemplateVersion,
  NetworkInterface,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
} from "@aws-sdk/client-ec2";
import type { Addon, Cluster, Nodegroup } from "@aws-sdk/client-eks";
import type { UnreadResource } from "#shared/findings/coverage.ts";
import type { KubeletConfigReading } from "#shared/models/kubelet/types.ts";

export interface ClusterInventory {
  cluster: Cluster;
  nodegroups: Nodegroup[];
  addons: Addon[];
}

/**
 * Everything the rules need about one account-region, in AWS SDK v3 output shapes.
 * The collector only fetches; rules only read this.
 */
export interface Inventory {
  accountId: string;
  region: string;
  clusters: ClusterInventory[];
  /** Every VPC of the region. */
  vpcs: Vpc[];
  /** Every subnet of the region (stale cluster tags live outside cluster VPCs too). */
  subnets: Subnet[];
  /** Route tables of the cluster VPCs, main tables included. */
  routeTables: RouteTable[];
  /** Security groups of the cluster VPCs. */
  securityGroups: SecurityGroup[];
  /** Security groups anywhere in the region whose rules name a node security group as source. */
  referencingSecurityGroups: SecurityGroup[];
  /** The instance types of all node groups (and launch templates). */
  instanceTypes: InstanceTypeInfo[];
  /** The launch template versions the node groups use, with `UserData` removed (it can hold secrets). */
  launchTemplateVersions: LaunchTemplateVersion[];
  /** Kubelet settings per node group (`<cluster>/<nodegroup>`), parsed from user data or the AMI defaults. */
  kubelet: Record<string, KubeletConfigReading>;
  /** ENIs the rules need: those in prefix-delegation node subnets and SGP trunk/branch ENIs. */
  networkInterfaces: NetworkInterface[];
  /** What this scan could not read completely: named in coverage findings, never resolved. */
  unread: UnreadResource[];
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
    launchTemplateVersions: [],
    kubelet: {},
    networkInterfaces: [],
    unread: [],
  };
}
