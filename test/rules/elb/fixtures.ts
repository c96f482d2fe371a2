import type { RouteTable, Subnet } from "@aws-sdk/client-ec2";
import type { Estate, EstateCluster, Wire } from "#shared/estate/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { inventoryFromEstate } from "#test/support/inventory.ts";

/** Small estate builders for the elb rule and discovery tests. */

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";
export const VPC = "vpc-0a1";
export const CLUSTER = "prod";

export interface SubnetSpec {
  id: string;
  az: string;
  vpcId?: string;
  tags?: Record<string, string>;
  /** AvailableIpAddressCount; 250 unless given. */
  ips?: number;
  outpostArn?: string;
}

export function subnet(spec: SubnetSpec): Wire<Subnet> {
  return {
    SubnetId: spec.id,
    VpcId: spec.vpcId ?? VPC,
    AvailabilityZone: spec.az,
    AvailableIpAddressCount: spec.ips ?? 250,
    CidrBlock: "10.0.0.0/24",
    OwnerId: ACCOUNT,
    ...(spec.outpostArn === undefined ? {} : { OutpostArn: spec.outpostArn }),
    Tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
}

export type RouteTarget =
  | `igw-${string}`
  | `nat-${string}`
  | `tgw-${string}`
  | `pcx-${string}`
  | `vgw-${string}`;

export interface RouteTableSpec {
  id: string;
  vpcId?: string;
  main?: boolean;
  subnets?: string[];
  /** Target of the default route; none = local only. */
  defaultRoute?: RouteTarget;
}

export function routeTable(spec: RouteTableSpec): Wire<RouteTable> {
  const associations = [
    ...(spec.main === true ? [{ Main: true, RouteTableId: spec.id }] : []),
    ...(spec.subnets ?? []).map((SubnetId) => ({ Main: false, SubnetId, RouteTableId: spec.id })),
  ];
  const routes: Wire<RouteTable>["Routes"] = [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local" }];
  const target = spec.defaultRoute;
  if (target !== undefined) {
    const route = { DestinationCidrBlock: "0.0.0.0/0" };
    if (target.startsWith("nat-")) routes.push({ ...route, NatGatewayId: target });
    else if (target.startsWith("tgw-")) routes.push({ ...route, TransitGatewayId: target });
    else if (target.startsWith("pcx-")) routes.push({ ...route, VpcPeeringConnectionId: target });
    else routes.push({ ...route, GatewayId: target });
  }
  return { RouteTableId: spec.id, VpcId: spec.vpcId ?? VPC, Associations: associations, Routes: routes };
}

export const publicTable = (id: string, subnets: string[], vpcId = VPC) =>
  routeTable({ id, vpcId, subnets, defaultRoute: "igw-0a1" });
export const privateTable = (id: string, subnets: string[], vpcId = VPC) =>
  routeTable({ id, vpcId, subnets, defaultRoute: "nat-0a1" });
/** The VPC main table, local route only (what unassociated subnets fall back to). */
export const mainTable = (id = "rtb-main", vpcId = VPC, defaultRoute?: RouteTarget) =>
  routeTable({ id, vpcId, main: true, ...(defaultRoute === undefined ? {} : { defaultRoute }) });

export interface ClusterSpec {
  name?: string;
  vpcId?: string;
  status?: "ACTIVE" | "CREATING" | "DELETING" | "FAILED" | "UPDATING" | "PENDING";
  nodegroups?: { name: string; subnets: string[] }[];
}

export function cluster(spec: ClusterSpec = {}): EstateCluster {
  const name = spec.name ?? CLUSTER;
  return {
    cluster: {
      name,
      arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`,
      version: "1.31",
      ...(spec.status === undefined ? { status: "ACTIVE" as const } : { status: spec.status }),
      resourcesVpcConfig: { vpcId: spec.vpcId ?? VPC, subnetIds: [] },
    },
    nodegroups: (spec.nodegroups ?? []).map((ng) => ({
      nodegroupName: ng.name,
      clusterName: name,
      status: "ACTIVE" as const,
      subnets: ng.subnets,
    })),
    addons: [],
  };
}

export interface EstateSpec {
  clusters: EstateCluster[];
  subnets: Wire<Subnet>[];
  routeTables: Wire<RouteTable>[];
  region?: string;
}

export function estate(spec: EstateSpec): Estate {
  const vpcIds = [...new Set(spec.clusters.map((c) => c.cluster.resourcesVpcConfig?.vpcId ?? VPC))];
  return {
    version: 1,
    organization: { accounts: [{ Id: ACCOUNT, Name: "workloads", Status: "ACTIVE" }] },
    accounts: {
      [ACCOUNT]: {
        regions: {
          [spec.region ?? REGION]: {
            ec2: {
              Vpcs: vpcIds.map((VpcId) => ({ VpcId, CidrBlock: "10.0.0.0/16" })),
              Subnets: spec.subnets,
              RouteTables: spec.routeTables,
              SecurityGroups: [],
              InstanceTypes: [],
              LaunchTemplateVersions: [],
              NetworkInterfaces: [],
            },
            eks: { clusters: spec.clusters },
          },
        },
      },
    },
  };
}

export function inventoryOf(spec: EstateSpec): Inventory {
  return inventoryFromEstate(estate(spec), ACCOUNT, spec.region ?? REGION);
}

const AZS = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] as const;

/**
 * A healthy cluster: public `elb=1` subnets routed to an IGW and private `internal-elb=1` subnets
 * behind NAT in three AZs, nodes in the private subnets, no foreign tags, plenty of IPs.
 */
export function healthySpec(overrides: Partial<EstateSpec> = {}): EstateSpec {
  const publicIds = AZS.map((_, i) => `subnet-0pub${i}`);
  const privateIds = AZS.map((_, i) => `subnet-0prv${i}`);
  return {
    clusters: [cluster({ nodegroups: [{ name: "general", subnets: privateIds }] })],
    subnets: [
      ...AZS.map((az, i) => subnet({ id: `subnet-0pub${i}`, az, tags: { "kubernetes.io/role/elb": "1" } })),
      ...AZS.map((az, i) =>
        subnet({
          id: `subnet-0prv${i}`,
          az,
          tags: { "kubernetes.io/role/internal-elb": "1", [`kubernetes.io/cluster/${CLUSTER}`]: "shared" },
        }),
      ),
    ],
    routeTables: [mainTable(), publicTable("rtb-public", publicIds), privateTable("rtb-private", privateIds)],
    ...overrides,
  };
}

/** A private-only cluster: no IGW anywhere, private `internal-elb=1` subnets in three AZs. */
export function privateOnlySpec(): EstateSpec {
  const privateIds = AZS.map((_, i) => `subnet-0prv${i}`);
  return {
    clusters: [cluster({ nodegroups: [{ name: "general", subnets: privateIds }] })],
    subnets: AZS.map((az, i) =>
      subnet({ id: `subnet-0prv${i}`, az, tags: { "kubernetes.io/role/internal-elb": "1" } }),
    ),
    routeTables: [
      mainTable(),
      routeTable({ id: "rtb-private", subnets: privateIds, defaultRoute: "tgw-0a1" }),
    ],
  };
}
