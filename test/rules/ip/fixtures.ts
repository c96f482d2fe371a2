/** Small estates for the ip.* rule tests: one account-region, one VPC, hand-picked subnets. */
import type { NetworkInterface } from "@aws-sdk/client-ec2";
import type { AMITypes, ClusterIssue, Issue } from "@aws-sdk/client-eks";
import type { Estate, EstateCluster, Wire } from "#shared/estate/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { bundledInstanceTypeInfo } from "#shared/models/instance-types/limits.ts";
import { inventoryFromEstate } from "#test/support/inventory.ts";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";
export const VPC = "vpc-0a1b2c3d";

export interface SubnetSpec {
  id: string;
  cidr: string;
  az: string;
  available: number;
}

export interface NodegroupSpec {
  name: string;
  subnets: string[];
  instanceTypes?: string[];
  desired?: number;
  max?: number;
  issues?: Issue[];
  amiType?: AMITypes;
}

export interface ClusterSpec {
  name?: string;
  /** Control-plane subnets (resourcesVpcConfig.subnetIds). */
  subnets: string[];
  nodegroups: NodegroupSpec[];
  /** The vpc-cni add-on's configurationValues; `null` = no managed add-on (self-managed aws-node). */
  configurationValues?: string | null;
  issues?: ClusterIssue[];
  ipFamily?: "ipv4" | "ipv6";
}

export interface EstateSpec {
  subnets: SubnetSpec[];
  clusters: ClusterSpec[];
  /** Instance types DescribeInstanceTypes answers; default: every type the node groups use. */
  instanceTypes?: string[];
  networkInterfaces?: Wire<NetworkInterface>[];
}

export function subnet(id: string, cidr: string, az: string, available: number): SubnetSpec {
  return { id, cidr, az, available };
}

function clusterOf(spec: ClusterSpec): EstateCluster {
  const name = spec.name ?? "prod";
  return {
    cluster: {
      name,
      arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`,
      status: "ACTIVE",
      version: "1.31",
      resourcesVpcConfig: { vpcId: VPC, subnetIds: spec.subnets, clusterSecurityGroupId: "sg-0cluster" },
      kubernetesNetworkConfig: { ipFamily: spec.ipFamily ?? "ipv4", serviceIpv4Cidr: "172.20.0.0/16" },
      ...(spec.issues ? { health: { issues: spec.issues } } : {}),
    },
    nodegroups: spec.nodegroups.map((ng) => ({
      nodegroupName: ng.name,
      clusterName: name,
      status: "ACTIVE",
      subnets: ng.subnets,
      instanceTypes: ng.instanceTypes ?? ["m5.large"],
      amiType: ng.amiType ?? "AL2023_x86_64_STANDARD",
      scalingConfig: { minSize: 1, desiredSize: ng.desired ?? 3, maxSize: ng.max ?? ng.desired ?? 3 },
      health: { issues: ng.issues ?? [] },
    })),
    addons:
      spec.configurationValues === null
        ? []
        : [
            {
              addonName: "vpc-cni",
              clusterName: name,
              addonVersion: "v1.19.2-eksbuild.1",
              ...(spec.configurationValues !== undefined
                ? { configurationValues: spec.configurationValues }
                : {}),
            },
          ],
  };
}

export function estateOf(spec: EstateSpec): Estate {
  const typeNames = spec.instanceTypes ?? [
    ...new Set(spec.clusters.flatMap((c) => c.nodegroups.flatMap((ng) => ng.instanceTypes ?? ["m5.large"]))),
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
              Vpcs: [{ VpcId: VPC, CidrBlock: "10.0.0.0/16" }],
              Subnets: spec.subnets.map((s) => ({
                SubnetId: s.id,
                VpcId: VPC,
                CidrBlock: s.cidr,
                AvailabilityZone: s.az,
                AvailableIpAddressCount: s.available,
              })),
              RouteTables: [],
              SecurityGroups: [],
              InstanceTypes: instanceTypes,
              LaunchTemplateVersions: [],
              NetworkInterfaces: spec.networkInterfaces ?? [],
            },
            eks: { clusters: spec.clusters.map(clusterOf) },
          },
        },
      },
    },
  };
}

export function inventoryOf(spec: EstateSpec): Inventory {
  return inventoryFromEstate(estateOf(spec), ACCOUNT, REGION);
}

/** Three /19 node subnets with plenty of room, the same subnets for the control plane: no ip finding. */
export function healthySpec(overrides: Partial<ClusterSpec> = {}): EstateSpec {
  const subnets = [
    subnet("subnet-0a19", "10.0.0.0/19", "eu-west-1a", 8000),
    subnet("subnet-0b19", "10.0.32.0/19", "eu-west-1b", 7900),
    subnet("subnet-0c19", "10.0.64.0/19", "eu-west-1c", 8100),
  ];
  const ids = subnets.map((s) => s.id);
  return {
    subnets,
    clusters: [
      {
        subnets: ids,
        nodegroups: [
          { name: "web", subnets: ids, instanceTypes: ["m5.large"], desired: 6, max: 30 },
          { name: "batch", subnets: ids, instanceTypes: ["m5.xlarge", "m5.2xlarge"], desired: 3, max: 20 },
        ],
        ...overrides,
      },
    ],
  };
}

/** A /24 node subnet with 151 free IPs (the reference example) used by one m5.large node group. */
export function tightSpec(cluster: Partial<ClusterSpec> = {}, ng: Partial<NodegroupSpec> = {}): EstateSpec {
  return {
    subnets: [
      subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 151),
      subnet("subnet-0cp1", "10.0.200.0/27", "eu-west-1a", 25),
      subnet("subnet-0cp2", "10.0.200.32/27", "eu-west-1b", 25),
    ],
    clusters: [
      {
        subnets: ["subnet-0cp1", "subnet-0cp2"],
        nodegroups: [{ name: "web", subnets: ["subnet-0tight"], desired: 2, max: 12, ...ng }],
        ...cluster,
      },
    ],
  };
}

/** An ENI of the subnet holding these addresses / prefixes. */
export function eni(
  id: string,
  subnetId: string,
  addresses: string[],
  prefixes: string[] = [],
): Wire<NetworkInterface> {
  return {
    NetworkInterfaceId: id,
    SubnetId: subnetId,
    VpcId: VPC,
    Description: "aws-K8S-i-0123456789abcdef0",
    PrivateIpAddress: addresses[0],
    PrivateIpAddresses: addresses.map((a, i) => ({ PrivateIpAddress: a, Primary: i === 0 })),
    Ipv4Prefixes: prefixes.map((p) => ({ Ipv4Prefix: p })),
  };
}
