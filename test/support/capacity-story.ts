/**
 * A small estate for the capacity-kind rule tests: one account-region, VPC `prod` (10.30.0.0/16) with node
 * subnets in zones a, b (and a spare c), cluster `prod` on nodes-a/nodes-b with the managed vpc-cni add-on.
 * Each test adds the capacity it needs through `records` (test/support/capacity-estate.ts), then `build()`s.
 */
import type { Estate } from "#shared/estate/index.ts";
import {
  type ClusterBuilder,
  type ClusterSpec,
  clusterTag,
  EstateBuilder,
  type RegionBuilder,
  type SecurityGroupRef,
  type SubnetRef,
  type SubnetSpec,
  type VpcBuilder,
} from "#sim/builder/index.ts";
import { CapacityRecords } from "./capacity-estate.ts";

export const STORY_ACCOUNT = "111122223333";
export const STORY_REGION = "eu-west-1";
export const STORY_CLUSTER = "prod";

export interface CapacityStory {
  region: RegionBuilder;
  vpc: VpcBuilder;
  cluster: ClusterBuilder;
  nodesA: SubnetRef;
  nodesB: SubnetRef;
  /** A custom node SG, tagged for nothing. */
  nodeSg: SecurityGroupRef;
  records: CapacityRecords;
  build(): Estate;
}

export function capacityStory(
  options: {
    cluster?: Partial<ClusterSpec>;
    subnetA?: Partial<SubnetSpec>;
    subnetB?: Partial<SubnetSpec>;
  } = {},
): CapacityStory {
  const org = new EstateBuilder({ organizationId: "o-rules16cap01", managementAccountId: STORY_ACCOUNT });
  const region = org.account(STORY_ACCOUNT, { name: "capacity-rules" }).region(STORY_REGION);
  // What DescribeInstanceTypes answers for the types the tests launch.
  region.instanceType("m5.large", "c6a.large", "t3.large");
  const vpc = region.vpc("prod", "10.30.0.0/16");
  const nodesA = vpc.subnet("nodes-a", {
    zone: "a",
    cidr: "10.30.0.0/24",
    tags: clusterTag(STORY_CLUSTER),
    ...options.subnetA,
  });
  const nodesB = vpc.subnet("nodes-b", {
    zone: "b",
    cidr: "10.30.1.0/24",
    tags: clusterTag(STORY_CLUSTER),
    ...options.subnetB,
  });
  const nodeSg = vpc.securityGroup("prod-nodes", "nodes of prod");
  const cluster = vpc.cluster(STORY_CLUSTER, {
    version: "1.33",
    subnets: [nodesA, nodesB],
    ...options.cluster,
  });
  const records = new CapacityRecords(region);
  return { region, vpc, cluster, nodesA, nodesB, nodeSg, records, build: () => records.apply(org.build()) };
}
