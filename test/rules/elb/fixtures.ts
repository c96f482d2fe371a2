import type { RouteTable, SecurityGroup, Subnet } from "@aws-sdk/client-ec2";
import type { Estate, EstateCluster, Wire } from "#shared/estate/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  clusterShape,
  clusterTag,
  EstateBuilder,
  estateCluster,
  nodegroupShape,
  RegionBuilder,
  ROLE_ELB,
  ROLE_INTERNAL_ELB,
  routeTableShape,
  type SubnetRef,
  subnetShape,
  type VpcBuilder,
  vpcShape,
} from "#sim/builder/index.ts";
import { inventoryFromEstate } from "#test/support/inventory.ts";

/** Small estates for the elb rule and discovery tests: hand-picked ids, shapes from the estate builder. */

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
    ...subnetShape({
      account: ACCOUNT,
      region: REGION,
      id: spec.id,
      vpcId: spec.vpcId ?? VPC,
      az: spec.az,
      cidr: "10.0.0.0/24",
      available: spec.ips ?? 250,
      ...(spec.tags === undefined ? {} : { tags: spec.tags }),
    }),
    ...(spec.outpostArn === undefined ? {} : { OutpostArn: spec.outpostArn }),
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
  return routeTableShape({
    account: ACCOUNT,
    id: spec.id,
    vpcId: spec.vpcId ?? VPC,
    vpcCidr: "10.0.0.0/16",
    main: spec.main === true,
    subnetIds: spec.subnets ?? [],
    routes: spec.defaultRoute === undefined ? [] : [{ to: "0.0.0.0/0", via: spec.defaultRoute }],
  });
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
  const at = { account: ACCOUNT, region: REGION, version: "1.31" };
  return estateCluster(
    clusterShape({ ...at, name, vpcId: spec.vpcId ?? VPC, status: spec.status ?? "ACTIVE" }),
    (spec.nodegroups ?? []).map((ng) =>
      nodegroupShape({ ...at, cluster: name, name: ng.name, subnetIds: ng.subnets }),
    ),
  );
}

export interface EstateSpec {
  clusters: EstateCluster[];
  subnets: Wire<Subnet>[];
  routeTables: Wire<RouteTable>[];
  region?: string;
  /** Security groups of the cluster VPCs (the cluster SG of a built spec). */
  securityGroups?: Wire<SecurityGroup>[];
}

/** One account-region holding exactly the spec's records, and a VPC for each cluster. */
export function estate(spec: EstateSpec): Estate {
  const vpcIds = [...new Set(spec.clusters.map((c) => c.cluster.resourcesVpcConfig?.vpcId ?? VPC))];
  const org = new EstateBuilder();
  org
    .account(ACCOUNT, { name: "workloads" })
    .region(spec.region ?? REGION)
    .record({
      Vpcs: vpcIds.map((id) => vpcShape({ account: ACCOUNT, id, cidr: "10.0.0.0/16" })),
      Subnets: spec.subnets,
      RouteTables: spec.routeTables,
      SecurityGroups: spec.securityGroups ?? [],
      clusters: spec.clusters,
    });
  return org.build();
}

export function inventoryOf(spec: EstateSpec): Inventory {
  return inventoryFromEstate(estate(spec), ACCOUNT, spec.region ?? REGION);
}

const ZONES = ["a", "b", "c"] as const;

/** The records of a story told with the estate builder in VPC `VPC`, as an EstateSpec tests can edit. */
function specOf(story: (vpc: VpcBuilder) => void): EstateSpec {
  const r = new RegionBuilder(ACCOUNT, REGION);
  story(r.vpc(CLUSTER, "10.0.0.0/16", { id: VPC }));
  const { ec2, eks } = r.build();
  return {
    clusters: eks.clusters,
    subnets: ec2.Subnets,
    routeTables: ec2.RouteTables,
    securityGroups: ec2.SecurityGroups,
  };
}

/** Cluster `CLUSTER` with node group `general` in `subnets`. */
function clusterIn(vpc: VpcBuilder, subnets: SubnetRef[]): void {
  vpc.cluster(CLUSTER, { version: "1.31", subnets }).nodegroup("general", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m5.large"],
    subnets,
    scaling: { min: 1, max: 3, desired: 2 },
  });
}

/**
 * A healthy cluster: public `elb=1` subnets routed to an IGW and private `internal-elb=1` subnets
 * behind NAT in three AZs, nodes in the private subnets, no foreign tags, plenty of IPs.
 */
export function healthySpec(overrides: Partial<EstateSpec> = {}): EstateSpec {
  const spec = specOf((vpc) => {
    const publics = ZONES.map((zone, i) =>
      vpc.subnet(`public-${zone}`, {
        id: `subnet-0pub${i}`,
        zone,
        tags: ROLE_ELB,
        available: 250,
        public: true,
      }),
    );
    const privates = ZONES.map((zone, i) =>
      vpc.subnet(`private-${zone}`, {
        id: `subnet-0prv${i}`,
        zone,
        tags: { ...ROLE_INTERNAL_ELB, ...clusterTag(CLUSTER) },
        available: 250,
      }),
    );
    vpc.mainRouteTable({ id: "rtb-main" });
    vpc.publicRouteTable(publics, { id: "rtb-public" });
    vpc.privateRouteTable("private", { id: "rtb-private", nat: "nat-0a1", subnets: privates });
    clusterIn(vpc, privates);
  });
  return { ...spec, ...overrides };
}

/** A private-only cluster: no IGW anywhere, private `internal-elb=1` subnets in three AZs. */
export function privateOnlySpec(): EstateSpec {
  return specOf((vpc) => {
    const privates = ZONES.map((zone, i) =>
      vpc.subnet(`private-${zone}`, { id: `subnet-0prv${i}`, zone, tags: ROLE_INTERNAL_ELB, available: 250 }),
    );
    vpc.mainRouteTable({ id: "rtb-main" });
    vpc.routeTable("private", {
      id: "rtb-private",
      subnets: privates,
      routes: [{ to: "0.0.0.0/0", via: "tgw-0a1" }],
    });
    clusterIn(vpc, privates);
  });
}
