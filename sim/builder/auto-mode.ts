/**
 * EKS Auto Mode node pools: EC2 managed instances EKS launches for the cluster's NodePools. What AWS shows:
 * - the cluster's `computeConfig` (enabled, node pools, node role) and no vpc-cni / kube-proxy / coredns
 *   add-ons (the platform runs them: "EKS Auto Mode", EKS user guide) — `ClusterSpec.autoMode`;
 * - the instances, with `Operator {Managed: true, Principal: "eks.amazonaws.com"}` (EC2 user guide, "Amazon EC2
 *   managed instances"), tagged `eks:eks-cluster-name`, `eks:kubernetes-node-pool-name`,
 *   `eks:kubernetes-node-class-name` and `kubernetes.io/cluster/<cluster>` (the tag keys the
 *   AmazonEKSComputePolicy lets Auto Mode put on what it launches);
 * - their ENIs: Auto Mode's networking capability delegates /28 prefixes to the primary ENI by default and
 *   adds secondary ENIs (the primary's SGs, the node subnet) only when needed ("Learn about VPC Networking
 *   and Load Balancing in EKS Auto Mode", EKS user guide: "Prefix Delegation"). The ENIs are managed too.
 * The default NodeClass puts nodes in the cluster's subnets with the cluster security group.
 */
import type { OperatorResponse } from "@aws-sdk/client-ec2";
import type { Wire } from "#shared/estate/types.ts";
import {
  type CapacityRecords,
  InstanceCapacity,
  type InstanceProfileOfCapacity,
  type LaunchOptions,
  type NodeRef,
} from "./capacity.ts";
import type { ClusterBuilder } from "./cluster.ts";
import { EKS_MANAGED } from "./compute-shapes.ts";
import type { SecurityGroupRef, SubnetRef } from "./region.ts";

export interface AutoModeNodePoolSpec {
  /** The NodeClass; `default` unless given. */
  nodeClass?: string;
  /** What the NodeClass's subnet selection resolves to; the cluster's subnets unless given. */
  subnets?: SubnetRef[];
  /** What the NodeClass's SG selection resolves to; the cluster SG unless given. */
  securityGroups?: SecurityGroupRef[];
  instanceTypes: string[];
}

/** A node launched with a prefix on its primary ENI, nothing else: Auto Mode's default. */
export const AUTO_MODE_NODE: LaunchOptions = { enis: [1], prefixes: 1 };

export class AutoModeNodePool extends InstanceCapacity {
  readonly kind = "auto-mode";

  constructor(
    cluster: ClusterBuilder,
    name: string,
    private readonly spec: AutoModeNodePoolSpec,
  ) {
    super(cluster, name);
    if (!cluster.autoMode)
      throw new Error(`node pool ${name}: cluster ${cluster.name} does not run EKS Auto Mode`);
    for (const s of this.subnets) {
      if (s.vpc !== cluster.vpc)
        throw new Error(`node pool ${name}: subnet ${s.name} is not in the cluster VPC`);
    }
  }

  private get subnets(): SubnetRef[] {
    return this.spec.subnets ?? this.cluster.subnets;
  }

  private get nodeClass(): string {
    return this.spec.nodeClass ?? "default";
  }

  nodeSecurityGroups(): SecurityGroupRef[] {
    return this.spec.securityGroups ?? [this.cluster.clusterSg];
  }

  override node(subnet: SubnetRef, options: LaunchOptions = AUTO_MODE_NODE): NodeRef {
    if (!this.subnets.includes(subnet))
      throw new Error(`node pool ${this.name}: subnet ${subnet.name} is not one its NodeClass selects`);
    return super.node(subnet, options);
  }

  /** Secondary ENIs of an Auto Mode node: no ipamd, so no `aws-K8S-` description or ipamd tags. */
  protected override secondaryEni(): { description: string; tags: Record<string, string> } {
    return { description: "", tags: {} };
  }

  protected override eniOperator(): Wire<OperatorResponse> {
    return EKS_MANAGED;
  }

  protected launchFacts(node: { instanceType: string | undefined }): InstanceProfileOfCapacity {
    const { cluster } = this;
    const { region } = cluster;
    return {
      instanceType: node.instanceType ?? this.spec.instanceTypes[0] ?? "",
      imageId: region.id("ami", "eks-auto", cluster.version),
      instanceProfile: `eks-${region.region}-${cluster.name}-${this.nodeClass}`,
      tags: {
        "eks:eks-cluster-name": cluster.name,
        "eks:kubernetes-node-class-name": this.nodeClass,
        "eks:kubernetes-node-pool-name": this.name,
        [`kubernetes.io/cluster/${cluster.name}`]: "owned",
        "aws:ec2launchtemplate:id": region.id("lt", "eks-auto", cluster.name, this.name),
        "aws:ec2launchtemplate:version": "1",
      },
      operator: EKS_MANAGED,
    };
  }

  /** The node pool lives in the cluster (a Kubernetes object): the EKS API lists only `computeConfig.nodePools`. */
  writeRecords(_into: CapacityRecords): void {}
}
