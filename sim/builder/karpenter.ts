/**
 * Karpenter node pools: nodes Karpenter launches with CreateFleet from a launch template it creates per
 * EC2NodeClass. Nothing of them is in the EKS API; AWS shows the launch template and the instances, both
 * tagged as Karpenter tags them. Source: aws/karpenter-provider-aws (v1.x):
 * - instance and launch-template tags: `pkg/utils/utils.go` `GetTags` (`kubernetes.io/cluster/<cluster>=owned`,
 *   `karpenter.sh/nodepool`, `eks:eks-cluster-name`, `karpenter.k8s.aws/ec2nodeclass`, over EC2NodeClass
 *   `spec.tags`), and `pkg/controllers/nodeclaim/tagging/controller.go` `tagInstance` (`Name` = node name,
 *   `karpenter.sh/nodeclaim`);
 * - launch template: `pkg/providers/launchtemplate/launchtemplate.go` `LaunchTemplateName`
 *   (`karpenter.k8s.aws/<hash>`) and `types.go` `CreateLaunchTemplateInputBuilder.Build` (its data; tags on the
 *   template and, through `TagSpecifications`, on the network interfaces);
 * - Karpenter before v1.1 also tagged its launch templates `karpenter.k8s.aws/cluster=<cluster>` (dropped by
 *   "chore: Drop `karpenter.k8s.aws/cluster` tag from launch templates (#7379)", first in v1.1.0), and found
 *   them by that tag: `legacyClusterTag` records such a template;
 * - subnets come from the EC2NodeClass `subnetSelectorTerms`, by convention the `karpenter.sh/discovery`
 *   tag (`KARPENTER_DISCOVERY` in `tags.ts`); the story tags them and launches nodes into them.
 */
import type { ResponseLaunchTemplateData } from "@aws-sdk/client-ec2";
import type { Wire } from "#shared/estate/types.ts";
import {
  type CapacityRecords,
  InstanceCapacity,
  type InstanceProfileOfCapacity,
  type LaunchOptions,
  type NodeRef,
  nodeName,
} from "./capacity.ts";
import type { ClusterBuilder } from "./cluster.ts";
import { digest } from "./ids.ts";
import type { LaunchTemplateRef, SecurityGroupRef, SubnetRef } from "./region.ts";
import { type Tags, tagList } from "./shapes.ts";
import { karpenterAl2023UserData } from "./user-data.ts";

export interface KarpenterNodePoolSpec {
  /** The EC2NodeClass the pool's nodes use. */
  nodeClass: string;
  /** What its `securityGroupSelectorTerms` resolve to. */
  securityGroups: SecurityGroupRef[];
  /** What its `subnetSelectorTerms` resolve to (the nodes launch into these). */
  subnets: SubnetRef[];
  /** Instance types nodes launch as; the first unless a node says otherwise. */
  instanceTypes: string[];
  /** EC2NodeClass `spec.kubelet`, rendered into the NodeConfig part (maxPods, systemReserved, evictionHard…). */
  kubelet?: Record<string, unknown>;
  /** EC2NodeClass `spec.userData` (a shell script or a NodeConfig), merged before Karpenter's own part. */
  userData?: string;
  capacityType?: "on-demand" | "spot";
  /** EC2NodeClass `spec.tags`. */
  tags?: Tags;
  /** EC2NodeClass `spec.role`: the node IAM role Karpenter makes an instance profile for. */
  role?: string;
  /** Karpenter before v1.1: the launch template also carries `karpenter.k8s.aws/cluster`. */
  legacyClusterTag?: boolean;
  createdAt?: string;
}

export class KarpenterNodePool extends InstanceCapacity {
  readonly kind = "karpenter";
  readonly launchTemplate: LaunchTemplateRef;
  private claims = 0;

  constructor(
    cluster: ClusterBuilder,
    name: string,
    private readonly spec: KarpenterNodePoolSpec,
  ) {
    super(cluster, name);
    for (const s of spec.subnets) {
      if (s.vpc !== cluster.vpc)
        throw new Error(`node pool ${name}: subnet ${s.name} is not in the cluster VPC`);
    }
    if (spec.instanceTypes.length === 0) throw new Error(`node pool ${name}: no instance type`);
    const { region } = cluster;
    const tags = this.resourceTags();
    const userData = karpenterAl2023UserData({
      cluster: cluster.nodeadmDetails(),
      kubelet: { clusterDNS: [cluster.dnsServiceIp], ...spec.kubelet },
      labels: {
        "karpenter.k8s.aws/ec2nodeclass": spec.nodeClass,
        "karpenter.sh/capacity-type": spec.capacityType ?? "on-demand",
        "karpenter.sh/do-not-sync-taints": "true",
        "karpenter.sh/nodepool": name,
      },
      ...(spec.userData === undefined ? {} : { custom: spec.userData }),
    });
    const data: Wire<ResponseLaunchTemplateData> = {
      BlockDeviceMappings: [
        {
          DeviceName: "/dev/xvda",
          Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeSize: 20, VolumeType: "gp3" },
        },
      ],
      IamInstanceProfile: { Name: this.instanceProfile },
      Monitoring: { Enabled: false },
      MetadataOptions: {
        HttpEndpoint: "enabled",
        HttpProtocolIpv6: "disabled",
        HttpPutResponseHopLimit: 1,
        HttpTokens: "required",
        InstanceMetadataTags: "disabled",
      },
      TagSpecifications: [{ ResourceType: "network-interface", Tags: tagList(tags) }],
      EnclaveOptions: { Enabled: false },
    };
    const hash = BigInt(`0x${digest("karpenter-lt", region.account, cluster.name, name).slice(0, 15)}`);
    this.launchTemplate = region.launchTemplate(
      `karpenter.k8s.aws/${hash}`,
      [
        {
          description: null,
          ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
          createdBy: `arn:aws:sts::${region.account}:assumed-role/KarpenterController-${cluster.name}/karpenter`,
          imageId: region.id("ami", "eks-optimized", "AL2023_x86_64_STANDARD", cluster.version),
          securityGroups: spec.securityGroups,
          userData,
          data,
        },
      ],
      {
        tags: spec.legacyClusterTag === true ? { ...tags, "karpenter.k8s.aws/cluster": cluster.name } : tags,
      },
    );
  }

  nodeSecurityGroups(): SecurityGroupRef[] {
    return this.spec.securityGroups;
  }

  /** Karpenter launches only into the subnets its EC2NodeClass resolves. */
  override node(subnet: SubnetRef, options: LaunchOptions): NodeRef {
    if (!this.spec.subnets.includes(subnet))
      throw new Error(`node pool ${this.name}: subnet ${subnet.name} is not one its EC2NodeClass selects`);
    return super.node(subnet, options);
  }

  /** GetTags: the EC2NodeClass tags under Karpenter's own. */
  private resourceTags(): Tags {
    const { cluster, spec } = this;
    return {
      ...spec.tags,
      [`kubernetes.io/cluster/${cluster.name}`]: "owned",
      "karpenter.sh/nodepool": this.name,
      "eks:eks-cluster-name": cluster.name,
      "karpenter.k8s.aws/ec2nodeclass": spec.nodeClass,
    };
  }

  private get instanceProfile(): string {
    const { cluster } = this;
    const n = BigInt(
      `0x${digest("karpenter-profile", cluster.region.account, cluster.name, this.spec.nodeClass).slice(0, 15)}`,
    );
    return `${cluster.name}_${n}`;
  }

  protected launchFacts(node: {
    instanceId: string;
    privateIp: string;
    instanceType: string | undefined;
  }): InstanceProfileOfCapacity {
    const { cluster, spec } = this;
    this.claims++;
    const suffix = digest("nodeclaim", cluster.name, this.name, String(this.claims)).slice(0, 5);
    const facts = this.launchTemplate.facts();
    return {
      instanceType: node.instanceType ?? spec.instanceTypes[0] ?? "",
      imageId: facts.imageId ?? "",
      instanceProfile: this.instanceProfile,
      tags: {
        ...this.resourceTags(),
        "aws:ec2launchtemplate:id": this.launchTemplate.id,
        "aws:ec2launchtemplate:version": "1",
        Name: nodeName(cluster.region.region, node.privateIp),
        "karpenter.sh/nodeclaim": `${this.name}-${suffix}`,
      },
      ...(spec.capacityType === "spot" ? { spot: true } : {}),
    };
  }

  /** Karpenter keeps no record in the EKS API: its launch template and instances are all AWS shows. */
  writeRecords(_into: CapacityRecords): void {}
}
