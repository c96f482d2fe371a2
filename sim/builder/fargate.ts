/**
 * Fargate profiles: DescribeFargateProfile records (`eks.clusters[].fargateProfiles`) and one ENI per running
 * pod in one of the profile's subnets (private subnets only; "AWS Fargate" in the EKS user guide). A Fargate
 * pod gets the cluster security group unless security groups for pods say otherwise.
 *
 * The pod ENI's own fields are an assumption: AWS documents no DescribeNetworkInterfaces sample for EKS Fargate.
 * The builder records it as requester-managed, in use, with the cluster SG and an empty description, and
 * leaves out an attachment (the Fargate host is outside the account). A recording replaces this guess.
 */
import type { FargateProfileSelector } from "@aws-sdk/client-eks";
import type { Wire } from "#shared/estate/types.ts";
import type { CapacityRecords, NodeCapacity } from "./capacity.ts";
import type { ClusterBuilder } from "./cluster.ts";
import { fargateProfileShape } from "./compute-shapes.ts";
import type { SubnetRef } from "./region.ts";
import type { Tags } from "./shapes.ts";

export interface FargateProfileSpec {
  subnets: SubnetRef[];
  selectors: Wire<FargateProfileSelector>[];
  podExecutionRoleArn?: string;
  createdAt?: string;
  tags?: Tags;
}

export class FargateProfileCapacity implements NodeCapacity {
  readonly kind = "fargate";
  private pods = 0;

  constructor(
    readonly cluster: ClusterBuilder,
    readonly name: string,
    private readonly spec: FargateProfileSpec,
  ) {
    for (const s of spec.subnets) {
      if (s.vpc !== cluster.vpc)
        throw new Error(`Fargate profile ${name}: subnet ${s.name} is not in the cluster VPC`);
      if (s.isPublic)
        throw new Error(
          `Fargate profile ${name}: subnet ${s.name} is public (Fargate takes private subnets only)`,
        );
    }
    if (spec.selectors.length === 0) throw new Error(`Fargate profile ${name}: no selector`);
  }

  /** `count` running pods in `subnet`, one ENI and one address each; returns their ENI ids. */
  podsIn(subnet: SubnetRef, count: number): string[] {
    if (!this.spec.subnets.includes(subnet))
      throw new Error(`Fargate profile ${this.name}: subnet ${subnet.name} is not one of its subnets`);
    return Array.from({ length: count }, () => {
      this.pods++;
      return this.cluster.region.networkInterface({
        key: `${this.cluster.name}/fargate/${this.name}/${this.pods}`,
        subnet,
        description: "",
        groups: [this.cluster.clusterSg],
        addresses: 1,
        requesterManaged: true,
      });
    });
  }

  writeRecords(into: CapacityRecords): void {
    const { cluster, spec } = this;
    into.fargateProfiles.push(
      fargateProfileShape({
        account: cluster.region.account,
        region: cluster.region.region,
        cluster: cluster.name,
        name: this.name,
        subnetIds: spec.subnets.map((s) => s.id),
        selectors: spec.selectors,
        ...(spec.podExecutionRoleArn === undefined ? {} : { podExecutionRoleArn: spec.podExecutionRoleArn }),
        ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
        ...(spec.tags === undefined ? {} : { tags: spec.tags }),
      }),
    );
  }
}
