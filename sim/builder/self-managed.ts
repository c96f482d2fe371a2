/**
 * Self-managed node groups: an Auto Scaling group you own, launching from your launch template (its SGs,
 * its user data with the cluster details nodeadm joins with). EKS knows nothing of them; the group is tagged
 * `kubernetes.io/cluster/<cluster>=owned` and propagates it with a `Name` to its instances, as the EKS
 * self-managed node group template does ("Create self-managed Amazon Linux nodes", EKS user guide,
 * `amazon-eks-nodegroup.yaml`: `Name=<cluster>-<group>-Node`, `kubernetes.io/cluster/<cluster>=owned`, both
 * PropagateAtLaunch). EC2 adds `aws:autoscaling:groupName` and the `aws:ec2launchtemplate:*` tags.
 */
import {
  type CapacityRecords,
  InstanceCapacity,
  type InstanceProfileOfCapacity,
  type LaunchOptions,
  type NodeRef,
} from "./capacity.ts";
import type { ClusterBuilder } from "./cluster.ts";
import { autoScalingGroupShape } from "./compute-shapes.ts";
import type { LaunchTemplateRef, SecurityGroupRef, SubnetRef } from "./region.ts";
import type { Tags } from "./shapes.ts";

export interface SelfManagedGroupSpec {
  /** Its launch template (the latest version unless `launchTemplateVersion` says otherwise); it must set SGs. */
  launchTemplate: LaunchTemplateRef;
  launchTemplateVersion?: number;
  /** VPCZoneIdentifier. */
  subnets: SubnetRef[];
  scaling: { min: number; max: number; desired: number };
  /** When the launch template names none. */
  instanceType?: string;
  /** The group's name; `<cluster>-<name>` unless given. */
  autoScalingGroupName?: string;
  /** More tags on the group, propagated to its instances. */
  tags?: Tags;
  createdAt?: string;
}

export class SelfManagedGroup extends InstanceCapacity {
  readonly kind = "self-managed";
  readonly autoScalingGroupName: string;

  constructor(
    cluster: ClusterBuilder,
    name: string,
    private readonly spec: SelfManagedGroupSpec,
  ) {
    super(cluster, name);
    for (const s of spec.subnets) {
      if (s.vpc !== cluster.vpc)
        throw new Error(`self-managed group ${name}: subnet ${s.name} is not in the cluster VPC`);
    }
    if (spec.launchTemplate.securityGroups(this.version) === undefined) {
      throw new Error(
        `self-managed group ${name}: launch template ${spec.launchTemplate.name} sets no security group (its nodes would get the VPC default SG)`,
      );
    }
    this.autoScalingGroupName = spec.autoScalingGroupName ?? `${cluster.name}-${name}`;
  }

  private get version(): number {
    return this.spec.launchTemplateVersion ?? this.spec.launchTemplate.latestVersion;
  }

  /** The launch template's SGs: nothing adds the cluster SG to a self-managed node. */
  nodeSecurityGroups(): SecurityGroupRef[] {
    return this.spec.launchTemplate.securityGroups(this.version) ?? [];
  }

  /** The group launches only into its VPCZoneIdentifier subnets. */
  override node(subnet: SubnetRef, options: LaunchOptions): NodeRef {
    if (!this.spec.subnets.includes(subnet))
      throw new Error(
        `self-managed group ${this.name}: subnet ${subnet.name} is not in its VPCZoneIdentifier`,
      );
    return super.node(subnet, options);
  }

  private groupTags(): { key: string; value: string; propagateAtLaunch: boolean }[] {
    const tags: Tags = {
      Name: `${this.cluster.name}-${this.name}-Node`,
      [`kubernetes.io/cluster/${this.cluster.name}`]: "owned",
      ...this.spec.tags,
    };
    return Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
  }

  protected launchFacts(node: { instanceType: string | undefined }): InstanceProfileOfCapacity {
    const { cluster, spec } = this;
    const facts = spec.launchTemplate.facts(this.version);
    const instanceType = node.instanceType ?? facts.instanceType ?? spec.instanceType;
    if (instanceType === undefined)
      throw new Error(
        `self-managed group ${this.name}: no instance type in the group or its launch template`,
      );
    return {
      instanceType,
      imageId:
        facts.imageId ?? cluster.region.id("ami", "eks-optimized", "AL2023_x86_64_STANDARD", cluster.version),
      instanceProfile: `${cluster.name}-${this.name}-node`,
      tags: {
        ...facts.instanceTags,
        ...Object.fromEntries(this.groupTags().map((t) => [t.key, t.value])),
        "aws:autoscaling:groupName": this.autoScalingGroupName,
        "aws:ec2launchtemplate:id": spec.launchTemplate.id,
        "aws:ec2launchtemplate:version": String(this.version),
      },
    };
  }

  writeRecords(into: CapacityRecords): void {
    const { cluster, spec } = this;
    into.autoScalingGroups.push(
      autoScalingGroupShape({
        account: cluster.region.account,
        region: cluster.region.region,
        name: this.autoScalingGroupName,
        launchTemplate: {
          id: spec.launchTemplate.id,
          name: spec.launchTemplate.name,
          version: String(this.version),
        },
        scaling: spec.scaling,
        zones: spec.subnets.map((s) => s.az),
        subnetIds: spec.subnets.map((s) => s.id),
        instances: this.nodes.map((n) => ({
          id: n.instanceId,
          instanceType: this.instanceTypeOf(n.instanceId) ?? "",
          az: n.subnet.az,
          azId: n.subnet.azId,
        })),
        tags: this.groupTags(),
        ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
      }),
    );
  }
}
