/** Small estates for the sg.* rule tests: one account-region, a cluster VPC and a data VPC. */
import type {
  _InstanceType,
  IpPermission,
  LaunchTemplateVersion,
  NetworkInterface,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
} from "@aws-sdk/client-ec2";
import type { Addon, Cluster, Nodegroup } from "@aws-sdk/client-eks";
import type { Estate, Wire } from "#shared/estate/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { bundledInstanceTypeInfo } from "#shared/models/instance-types/limits.ts";
import { inventoryFromEstate } from "#test/support/inventory.ts";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";
export const CLUSTER = "prod";
export const VPC = "vpc-0main";
export const DATA_VPC = "vpc-0data";
export const CLUSTER_SG = "sg-0cluster";
export const NODE_SG = "sg-0nodes";
export const LT_ID = "lt-0nodes";
export const PRIVATE_A = "subnet-0priva";
export const PRIVATE_B = "subnet-0privb";
export const PUBLIC_A = "subnet-0puba";
export const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-node-role`;
export const CLUSTER_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-cluster-role`;

export interface SgSpec {
  cluster: Wire<Cluster>;
  nodegroups: Wire<Nodegroup>[];
  addons: Wire<Addon>[];
  vpcs: Wire<Vpc>[];
  subnets: Wire<Subnet>[];
  routeTables: Wire<RouteTable>[];
  securityGroups: Wire<SecurityGroup>[];
  launchTemplateVersions: Wire<LaunchTemplateVersion>[];
  networkInterfaces: Wire<NetworkInterface>[];
  /** Types DescribeInstanceTypes answers; default: every type the node groups use. */
  instanceTypes?: string[];
}

export interface Sources {
  cidrs?: string[];
  groups?: string[];
  /** Description on every CIDR range (the in-tree NLB controller marks its rules this way). */
  description?: string;
}

function withSources(perm: Wire<IpPermission>, sources: Sources): Wire<IpPermission> {
  const cidrs = sources.cidrs ?? [];
  const description = sources.description ? { Description: sources.description } : {};
  const v4 = cidrs.filter((c) => !c.includes(":")).map((c) => ({ CidrIp: c, ...description }));
  const v6 = cidrs.filter((c) => c.includes(":")).map((c) => ({ CidrIpv6: c, ...description }));
  return {
    ...perm,
    IpRanges: v4,
    Ipv6Ranges: v6,
    UserIdGroupPairs: (sources.groups ?? []).map((g) => ({ GroupId: g, UserId: ACCOUNT })),
    PrefixListIds: [],
  };
}

/** TCP on one port or a `[from, to]` range. */
export function tcp(ports: number | [number, number], sources: Sources): Wire<IpPermission> {
  const [from, to] = typeof ports === "number" ? [ports, ports] : ports;
  return withSources({ IpProtocol: "tcp", FromPort: from, ToPort: to }, sources);
}

export function udp(ports: number | [number, number], sources: Sources): Wire<IpPermission> {
  const [from, to] = typeof ports === "number" ? [ports, ports] : ports;
  return withSources({ IpProtocol: "udp", FromPort: from, ToPort: to }, sources);
}

export function icmp(sources: Sources): Wire<IpPermission> {
  return withSources({ IpProtocol: "icmp", FromPort: -1, ToPort: -1 }, sources);
}

export function allTraffic(sources: Sources): Wire<IpPermission> {
  return withSources({ IpProtocol: "-1" }, sources);
}

export const EGRESS_ALL = allTraffic({ cidrs: ["0.0.0.0/0"] });

export function securityGroup(
  id: string,
  name: string,
  options: {
    vpcId?: string;
    ingress?: Wire<IpPermission>[];
    egress?: Wire<IpPermission>[];
    tags?: Record<string, string>;
    description?: string;
  } = {},
): Wire<SecurityGroup> {
  return {
    GroupId: id,
    GroupName: name,
    Description: options.description ?? name,
    OwnerId: ACCOUNT,
    VpcId: options.vpcId ?? VPC,
    IpPermissions: options.ingress ?? [],
    IpPermissionsEgress: options.egress ?? [EGRESS_ALL],
    Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
}

/** The EKS-created cluster SG: all traffic from itself, all traffic out. */
export function clusterSecurityGroup(extraIngress: Wire<IpPermission>[] = []): Wire<SecurityGroup> {
  return securityGroup(CLUSTER_SG, `eks-cluster-sg-${CLUSTER}-1234567890`, {
    ingress: [allTraffic({ groups: [CLUSTER_SG] }), ...extraIngress],
    tags: { "aws:eks:cluster-name": CLUSTER, [`kubernetes.io/cluster/${CLUSTER}`]: "owned" },
    description:
      "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes",
  });
}

export function nodegroup(name: string, overrides: Partial<Wire<Nodegroup>> = {}): Wire<Nodegroup> {
  return {
    nodegroupName: name,
    clusterName: CLUSTER,
    status: "ACTIVE",
    subnets: [PRIVATE_A, PRIVATE_B],
    instanceTypes: ["m5.large"],
    amiType: "AL2023_x86_64_STANDARD",
    capacityType: "ON_DEMAND",
    nodeRole: NODE_ROLE,
    scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 6 },
    health: { issues: [] },
    ...overrides,
  };
}

/** The vpc-cni add-on; `env` becomes its configurationValues (none given → the add-on has none). */
export function vpcCni(env?: Record<string, string>): Wire<Addon> {
  return {
    addonName: "vpc-cni",
    clusterName: CLUSTER,
    addonVersion: "v1.19.2-eksbuild.1",
    ...(env ? { configurationValues: JSON.stringify({ env }) } : {}),
  };
}

export function launchTemplateVersion(
  version: number,
  data: { securityGroupIds?: string[]; interfaceGroups?: string[]; instanceType?: _InstanceType },
  id = LT_ID,
): Wire<LaunchTemplateVersion> {
  return {
    LaunchTemplateId: id,
    LaunchTemplateName: `${id}-name`,
    VersionNumber: version,
    DefaultVersion: true,
    LaunchTemplateData: {
      ...(data.securityGroupIds ? { SecurityGroupIds: data.securityGroupIds } : {}),
      ...(data.interfaceGroups
        ? { NetworkInterfaces: [{ DeviceIndex: 0, Groups: data.interfaceGroups }] }
        : {}),
      ...(data.instanceType ? { InstanceType: data.instanceType } : {}),
    },
  };
}

export function branchEni(id: string, groups: string[]): Wire<NetworkInterface> {
  return {
    NetworkInterfaceId: id,
    Description: "aws-k8s-branch-eni",
    InterfaceType: "branch",
    SubnetId: PRIVATE_A,
    VpcId: VPC,
    Groups: groups.map((g) => ({ GroupId: g, GroupName: g })),
  };
}

/**
 * One ACTIVE cluster whose single node group `general` runs on the cluster SG (no launch template) in two
 * private subnets; a public subnet exists for the CRITICAL case. Produces no sg finding.
 */
export function healthySpec(): SgSpec {
  return {
    cluster: {
      name: CLUSTER,
      arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
      status: "ACTIVE",
      version: "1.31",
      roleArn: CLUSTER_ROLE,
      resourcesVpcConfig: {
        vpcId: VPC,
        subnetIds: [PRIVATE_A, PRIVATE_B],
        securityGroupIds: [],
        clusterSecurityGroupId: CLUSTER_SG,
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
      },
    },
    nodegroups: [nodegroup("general")],
    addons: [vpcCni()],
    vpcs: [
      { VpcId: VPC, CidrBlock: "10.0.0.0/16", CidrBlockAssociationSet: [{ CidrBlock: "10.0.0.0/16" }] },
      { VpcId: DATA_VPC, CidrBlock: "10.1.0.0/16", CidrBlockAssociationSet: [{ CidrBlock: "10.1.0.0/16" }] },
    ],
    subnets: [
      subnetOf(PRIVATE_A, "10.0.1.0/24", "eu-west-1a"),
      subnetOf(PRIVATE_B, "10.0.2.0/24", "eu-west-1b"),
      { ...subnetOf(PUBLIC_A, "10.0.101.0/24", "eu-west-1a"), MapPublicIpOnLaunch: true },
      { ...subnetOf("subnet-0data", "10.1.1.0/24", "eu-west-1a"), VpcId: DATA_VPC },
    ],
    routeTables: [
      {
        RouteTableId: "rtb-0main",
        VpcId: VPC,
        Associations: [{ Main: true, RouteTableId: "rtb-0main" }],
        Routes: [
          { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local" },
          { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0main" },
        ],
      },
      {
        RouteTableId: "rtb-0public",
        VpcId: VPC,
        Associations: [{ Main: false, SubnetId: PUBLIC_A, RouteTableId: "rtb-0public" }],
        Routes: [
          { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local" },
          { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-0main" },
        ],
      },
    ],
    securityGroups: [clusterSecurityGroup()],
    launchTemplateVersions: [],
    networkInterfaces: [],
  };
}

function subnetOf(id: string, cidr: string, az: string): Wire<Subnet> {
  return {
    SubnetId: id,
    VpcId: VPC,
    CidrBlock: cidr,
    AvailabilityZone: az,
    AvailableIpAddressCount: 200,
    MapPublicIpOnLaunch: false,
  };
}

/**
 * The separate-SG model done right: node group `general` gets NODE_SG from launch template version 1 (so EKS
 * leaves the cluster SG off), NODE_SG accepts 10250 from the cluster SG and itself, the cluster SG accepts 443
 * from NODE_SG, both keep egress open.
 */
export function launchTemplateSpec(): SgSpec {
  const spec = healthySpec();
  spec.nodegroups = [
    nodegroup("general", { launchTemplate: { id: LT_ID, name: `${LT_ID}-name`, version: "1" } }),
  ];
  spec.launchTemplateVersions = [launchTemplateVersion(1, { securityGroupIds: [NODE_SG] })];
  spec.securityGroups = [
    clusterSecurityGroup([tcp(443, { groups: [NODE_SG] })]),
    securityGroup(NODE_SG, "prod-nodes", {
      ingress: [allTraffic({ groups: [NODE_SG] }), tcp(10250, { groups: [CLUSTER_SG] })],
    }),
  ];
  return spec;
}

export function estateOf(spec: SgSpec): Estate {
  const typeNames = spec.instanceTypes ?? [
    ...new Set([
      ...spec.nodegroups.flatMap((ng) => ng.instanceTypes ?? []),
      ...spec.launchTemplateVersions.flatMap((v) =>
        v.LaunchTemplateData?.InstanceType ? [v.LaunchTemplateData.InstanceType] : [],
      ),
    ]),
  ];
  const instanceTypes = typeNames.flatMap((t) => {
    const info = bundledInstanceTypeInfo(t);
    return info ? [info] : [];
  });
  return {
    version: 1,
    organization: { accounts: [{ Id: ACCOUNT, Name: "prod", Status: "ACTIVE" }] },
    accounts: {
      [ACCOUNT]: {
        regions: {
          [REGION]: {
            ec2: {
              Vpcs: spec.vpcs,
              Subnets: spec.subnets,
              RouteTables: spec.routeTables,
              SecurityGroups: spec.securityGroups,
              InstanceTypes: instanceTypes,
              LaunchTemplateVersions: spec.launchTemplateVersions,
              NetworkInterfaces: spec.networkInterfaces,
            },
            eks: { clusters: [{ cluster: spec.cluster, nodegroups: spec.nodegroups, addons: spec.addons }] },
          },
        },
      },
    },
  };
}

export function inventoryOf(spec: SgSpec): Inventory {
  return inventoryFromEstate(estateOf(spec), ACCOUNT, REGION);
}
