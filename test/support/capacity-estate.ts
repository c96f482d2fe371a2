/**
 * The estate v2 capacity records the rule tests need (instances, Karpenter launch templates, self-managed Auto
 * Scaling groups, Auto Mode instances, Fargate profiles and pod ENIs, subnet CIDR reservations), written next
 * to an estate built with `#sim/builder`. The builder on this branch makes managed node groups only (its
 * Karpenter/self-managed/Auto Mode/Fargate kinds are on an unmerged branch), so this helper uses the builder's
 * own ENIs (`RegionBuilder.networkInterface`, `ManagedNodeGroup.node`: the subnets' free counts follow) and
 * adds the raw records in their SDK v3 shapes to the built estate.
 */
import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type { Instance, LaunchTemplate, SubnetCidrReservation } from "@aws-sdk/client-ec2";
import type { FargateProfile } from "@aws-sdk/client-eks";
import type { Estate, Wire } from "#shared/estate/index.ts";
import type {
  ClusterBuilder,
  EniAddresses,
  LaunchTemplateRef,
  LaunchTemplateVersionInput,
  NodeRef,
  RegionBuilder,
  SecurityGroupRef,
  SubnetRef,
} from "#sim/builder/index.ts";

const LAUNCHED_AT = "2026-11-02T08:14:09.000Z";

export interface InstanceOptions {
  instanceType: string;
  /** Primary ENI first; more entries are ipamd's `aws-K8S-*` ENIs. Default: one ENI with 10 addresses. */
  enis?: EniAddresses[];
  /** SGs on every ENI of the instance. */
  groups: SecurityGroupRef[];
  tags?: Record<string, string>;
  /** /28 prefixes on the primary ENI. */
  prefixes?: string[];
  /** ipamd ENIs in this subnet instead of the node's (custom networking). */
  podSubnet?: SubnetRef;
  /** EC2 managed instance (Auto Mode). */
  managed?: boolean;
  launchTemplate?: { id: string; version: string };
}

function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Collects the v2 records of one account-region, then writes them into the built estate (`apply`). */
export class CapacityRecords {
  private readonly instances: Wire<Instance>[] = [];
  private readonly launchTemplates: Wire<LaunchTemplate>[] = [];
  private readonly groups: Wire<AutoScalingGroup>[] = [];
  private readonly reservations: Wire<SubnetCidrReservation>[] = [];
  private readonly profiles = new Map<string, Wire<FargateProfile>[]>();
  private count = 0;

  constructor(readonly region: RegionBuilder) {}

  /**
   * One running instance of `cluster` in `subnet`, its ENIs made by the region builder (primary, then ipamd's
   * `aws-K8S-<id>` ENIs tagged as ipamd tags them).
   */
  instance(cluster: ClusterBuilder, subnet: SubnetRef, options: InstanceOptions): string {
    this.count++;
    const instanceId = this.region.id("i", cluster.name, "capacity", String(this.count));
    (options.enis ?? [10]).forEach((addresses, i) => {
      this.region.networkInterface({
        key: `${instanceId}/${i}`,
        subnet: i > 0 && options.podSubnet ? options.podSubnet : subnet,
        description: i === 0 ? "" : `aws-K8S-${instanceId}`,
        groups: options.groups,
        addresses,
        ...(i === 0 && options.prefixes ? { prefixes: options.prefixes } : {}),
        attachment: { instanceId, deviceIndex: i, attachedAt: LAUNCHED_AT },
        tags:
          i === 0
            ? {}
            : {
                "node.k8s.amazonaws.com/instance_id": instanceId,
                "cluster.k8s.amazonaws.com/name": cluster.name,
              },
      });
    });
    this.record(instanceId, subnet, options);
    return instanceId;
  }

  /** The instance record of a node the builder already launched (a managed node group's `node()`). */
  instanceOf(node: NodeRef, options: Omit<InstanceOptions, "enis" | "prefixes" | "podSubnet">): string {
    this.record(node.instanceId, node.subnet, options);
    return node.instanceId;
  }

  private record(instanceId: string, subnet: SubnetRef, options: InstanceOptions): void {
    const template: Record<string, string> = options.launchTemplate
      ? {
          "aws:ec2launchtemplate:id": options.launchTemplate.id,
          "aws:ec2launchtemplate:version": options.launchTemplate.version,
        }
      : {};
    this.instances.push({
      InstanceId: instanceId,
      InstanceType: options.instanceType,
      SubnetId: subnet.id,
      VpcId: subnet.vpc.id,
      Placement: { AvailabilityZone: subnet.az },
      State: { Code: 16, Name: "running" },
      LaunchTime: LAUNCHED_AT,
      SecurityGroups: options.groups.map((g) => ({ GroupId: g.id, GroupName: g.name })),
      Tags: tagList({ ...template, ...(options.tags ?? {}) }),
      ...(options.managed ? { Operator: { Managed: true, Principal: "eks.amazonaws.com" } } : {}),
    } as Wire<Instance>);
  }

  /** A node of a Karpenter NodePool: the tags karpenter-provider-aws pkg/utils/utils.go `GetTags` sets. */
  karpenterNode(
    cluster: ClusterBuilder,
    pool: string,
    subnet: SubnetRef,
    options: Omit<InstanceOptions, "tags">,
  ): string {
    return this.instance(cluster, subnet, { ...options, tags: karpenterTags(cluster.name, pool) });
  }

  /** A launch template Karpenter made for `pool`, with its versions and its DescribeLaunchTemplates record. */
  karpenterTemplate(
    cluster: ClusterBuilder,
    pool: string,
    version: LaunchTemplateVersionInput,
  ): LaunchTemplateRef {
    const name = `karpenter.k8s.aws/${cluster.name}-${pool}`;
    const ref = this.region.launchTemplate(name, [version]);
    this.launchTemplates.push({
      LaunchTemplateId: ref.id,
      LaunchTemplateName: name,
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
      Tags: tagList(karpenterTags(cluster.name, pool)),
    });
    return ref;
  }

  /** A self-managed Auto Scaling group tagged for the cluster; `node()` launches its instances. */
  selfManagedGroup(
    cluster: ClusterBuilder,
    name: string,
    spec: {
      subnets: SubnetRef[];
      launchTemplate: LaunchTemplateRef;
      sizes: { min: number; max: number; desired: number };
    },
  ): { name: string; node: (subnet: SubnetRef, options: Omit<InstanceOptions, "tags">) => string } {
    this.groups.push({
      AutoScalingGroupName: name,
      AutoScalingGroupARN: `arn:aws:autoscaling:${this.region.region}:${this.region.account}:autoScalingGroup:${name}`,
      LaunchTemplate: {
        LaunchTemplateId: spec.launchTemplate.id,
        LaunchTemplateName: spec.launchTemplate.name,
        Version: spec.launchTemplate.version,
      },
      MinSize: spec.sizes.min,
      MaxSize: spec.sizes.max,
      DesiredCapacity: spec.sizes.desired,
      VPCZoneIdentifier: spec.subnets.map((s) => s.id).join(","),
      Tags: [
        { Key: `kubernetes.io/cluster/${cluster.name}`, Value: "owned", PropagateAtLaunch: true },
        { Key: "Name", Value: name, PropagateAtLaunch: true },
      ].map((t) => ({ ...t, ResourceId: name, ResourceType: "auto-scaling-group" })),
    } as Wire<AutoScalingGroup>);
    return {
      name,
      node: (subnet, options) =>
        this.instance(cluster, subnet, {
          ...options,
          tags: { "aws:autoscaling:groupName": name, [`kubernetes.io/cluster/${cluster.name}`]: "owned" },
        }),
    };
  }

  /** An Auto Mode node: an EC2 managed instance with the tags AmazonEKSComputePolicy requires. */
  autoModeNode(
    cluster: ClusterBuilder,
    pool: string,
    subnet: SubnetRef,
    options: Omit<InstanceOptions, "tags" | "managed">,
  ): string {
    return this.instance(cluster, subnet, {
      ...options,
      managed: true,
      tags: { "eks:eks-cluster-name": cluster.name, "eks:kubernetes-node-pool-name": pool },
    });
  }

  /** A Fargate profile of the cluster. */
  fargateProfile(cluster: ClusterBuilder, name: string, subnets: SubnetRef[]): void {
    const list = this.profiles.get(cluster.name) ?? [];
    list.push({
      fargateProfileName: name,
      fargateProfileArn: `arn:aws:eks:${this.region.region}:${this.region.account}:fargateprofile/${cluster.name}/${name}/0`,
      clusterName: cluster.name,
      podExecutionRoleArn: `arn:aws:iam::${this.region.account}:role/${cluster.name}-fargate`,
      subnets: subnets.map((s) => s.id),
      selectors: [{ namespace: name }],
      status: "ACTIVE",
    });
    this.profiles.set(cluster.name, list);
  }

  /** A running Fargate pod: a requester-managed ENI with the cluster SG, attached to no instance of the account. */
  fargatePod(cluster: ClusterBuilder, subnet: SubnetRef): string {
    this.count++;
    return this.region.networkInterface({
      key: `${cluster.name}/fargate/${this.count}`,
      subnet,
      description: `fargate-ip-${this.count}`,
      groups: [cluster.clusterSg],
      addresses: 1,
      requesterId: "AROAFARGATEEXAMPLE:fargate",
      with: { RequesterManaged: true },
    });
  }

  /** A subnet CIDR reservation (GetSubnetCidrReservations item). */
  cidrReservation(subnet: SubnetRef, cidr: string, type: "prefix" | "explicit"): void {
    this.reservations.push({
      SubnetCidrReservationId: this.region.id("scr", subnet.id, cidr),
      SubnetId: subnet.id,
      Cidr: cidr,
      ReservationType: type,
      OwnerId: this.region.account,
    });
  }

  /**
   * Writes the records into the built estate: every v2 listing present (read, maybe empty), Fargate profiles
   * on every cluster of the region.
   */
  apply(estate: Estate): Estate {
    const region = estate.accounts[this.region.account]?.regions[this.region.region];
    if (region === undefined)
      throw new Error(`${this.region.account}/${this.region.region} is not in the estate`);
    region.ec2.Reservations = [
      ...(region.ec2.Reservations ?? []),
      ...this.instances.map((i) => ({
        ReservationId: this.region.id("r", i.InstanceId ?? ""),
        OwnerId: this.region.account,
        Instances: [i],
      })),
    ];
    region.ec2.LaunchTemplates = [...(region.ec2.LaunchTemplates ?? []), ...this.launchTemplates];
    region.ec2.SubnetCidrReservations = [...(region.ec2.SubnetCidrReservations ?? []), ...this.reservations];
    region.autoscaling = {
      AutoScalingGroups: [...(region.autoscaling?.AutoScalingGroups ?? []), ...this.groups],
    };
    for (const c of region.eks.clusters) {
      c.fargateProfiles = [...(c.fargateProfiles ?? []), ...(this.profiles.get(c.cluster.name ?? "") ?? [])];
    }
    return estate;
  }
}

export function karpenterTags(cluster: string, pool: string): Record<string, string> {
  return {
    [`kubernetes.io/cluster/${cluster}`]: "owned",
    "karpenter.sh/nodepool": pool,
    "karpenter.k8s.aws/ec2nodeclass": "default",
    "eks:eks-cluster-name": cluster,
  };
}
