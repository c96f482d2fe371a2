/**
 * Node capacity: how a cluster gets nodes. Every kind is a `NodeCapacity` that a cluster holds and that,
 * when the estate is built, writes the records AWS keeps for it. Kinds whose nodes are EC2 instances
 * extend `InstanceCapacity`, which launches instances into subnets with the ENIs the VPC CNI attaches and
 * records each one in DescribeInstances (`ec2.Reservations`).
 *
 * - managed node groups (`ManagedNodeGroup`): `eks.clusters[].nodegroups`, instances EKS tags;
 * - Karpenter node pools (`KarpenterNodePool`, `karpenter.ts`): Karpenter's launch template and instance tags;
 * - self-managed Auto Scaling groups (`SelfManagedGroup`, `self-managed.ts`): `autoscaling.AutoScalingGroups`;
 * - EKS Auto Mode node pools (`AutoModeNodePool`, `auto-mode.ts`): EC2 managed instances, prefix delegation;
 * - Fargate profiles (`FargateProfileCapacity`, `fargate.ts`): `eks.clusters[].fargateProfiles` and pod ENIs.
 * A new kind implements `NodeCapacity` (or extends `InstanceCapacity`) in its own file and fills the
 * `CapacityRecords` lists it owns.
 */
import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type { OperatorResponse } from "@aws-sdk/client-ec2";
import type {
  AMITypes,
  CapacityTypes,
  FargateProfile,
  Issue,
  Nodegroup,
  NodegroupIssueCode,
  NodegroupStatus,
} from "@aws-sdk/client-eks";
import type { Wire } from "#shared/estate/types.ts";
import type { ClusterBuilder } from "./cluster.ts";
import { autoScalingGroupShape, instanceShape } from "./compute-shapes.ts";
import { uuid } from "./ids.ts";
import type { EniAddresses, LaunchTemplateRef, SecurityGroupRef, SubnetRef } from "./region.ts";
import { nodegroupShape, privateDnsName, type Tags } from "./shapes.ts";

export type CapacityKind = "managed-node-group" | "karpenter" | "self-managed" | "auto-mode" | "fargate";

/** The records node capacity adds to the estate when it is built. */
export interface CapacityRecords {
  /** ListNodegroups / DescribeNodegroup of the cluster. */
  nodegroups: Wire<Nodegroup>[];
  /** DescribeFargateProfile of the cluster. */
  fargateProfiles: Wire<FargateProfile>[];
  /** DescribeAutoScalingGroups of the region: self-managed groups and the ones EKS creates for node groups. */
  autoScalingGroups: Wire<AutoScalingGroup>[];
}

export interface NodeCapacity {
  readonly kind: CapacityKind;
  readonly name: string;
  writeRecords(into: CapacityRecords): void;
}

export interface LaunchOptions {
  /** IPv4 addresses per attached ENI, device order: `[10, 2]` is the primary ENI with 10 and one more with 2. */
  enis: EniAddresses[];
  /** Adds the security-groups-for-pods trunk ENI after the primary one. */
  trunk?: boolean;
  /** /28 prefixes delegated to the primary ENI (prefix delegation): given, or how many to take. */
  prefixes?: string[] | number;
  launchedAt?: string;
  /** The instance's SGs; by default what the capacity puts on its nodes. */
  groups?: SecurityGroupRef[];
  /**
   * Custom networking (an ENIConfig per zone): ipamd creates every ENI after the primary one in this subnet
   * with these SGs (the node's by default), so the node subnet pays only the primary ENI.
   */
  podNetwork?: { subnet: SubnetRef; groups?: SecurityGroupRef[] };
  /** The instance type; the capacity's first one by default. */
  instanceType?: string;
}

const DEFAULT_LAUNCHED_AT = "2025-06-02T08:14:09.000Z";

/** Go's `time.RFC3339`, which ipamd writes its `createdAt` tag with: no fractional seconds. */
function rfc3339(iso: string): string {
  return iso.replace(/\.\d+Z$/, "Z");
}

/** A running node: its instance id and, with a trunk ENI, the branch ENIs its pods get. */
export class NodeRef {
  constructor(
    private readonly capacity: InstanceCapacity,
    readonly instanceId: string,
    readonly subnet: SubnetRef,
    readonly privateIp: string,
    readonly trunkEniId: string | undefined,
  ) {}

  /**
   * A security-groups-for-pods branch ENI: one pod with its own SGs, riding on this node's trunk. Shape and
   * tags as the VPC resource controller creates it (aws/amazon-vpc-resource-controller-k8s
   * `pkg/provider/branch/trunk/trunk.go` `CreateAndAssociateBranchENIs`, `pkg/aws/ec2/api/helper.go`
   * `CreateNetworkInterface`: description `aws-k8s-` + `branch-eni`, vlan and trunk tags, the node tag, then
   * `eks:eni:owner` and `kubernetes.io/cluster/<name>=owned`).
   */
  branchEni(vlan: number, groups: SecurityGroupRef[]): string {
    const trunk = this.trunkEniId;
    if (trunk === undefined) throw new Error(`${this.instanceId} has no trunk ENI`);
    const cluster = this.capacity.cluster.name;
    return this.capacity.cluster.region.networkInterface({
      key: `${trunk}/branch/${vlan}`,
      subnet: this.subnet,
      description: "aws-k8s-branch-eni",
      groups,
      addresses: 1,
      type: "branch",
      tags: {
        "vpcresources.k8s.aws/vlan-id": String(vlan),
        "vpcresources.k8s.aws/trunk-eni-id": trunk,
        "node.k8s.amazonaws.com/instance_id": this.instanceId,
        "eks:eni:owner": "eks-vpc-resource-controller",
        [`kubernetes.io/cluster/${cluster}`]: "owned",
      },
    });
  }
}

/** What an instance of a capacity is launched with, beside its ENIs. */
export interface InstanceProfileOfCapacity {
  instanceType: string;
  imageId: string;
  /** The instance profile's name. */
  instanceProfile: string;
  tags: Tags;
  spot?: boolean;
  keyName?: string;
  operator?: Wire<OperatorResponse>;
}

/** Capacity whose nodes are EC2 instances in the cluster's VPC, their pods on VPC CNI ENIs. */
export abstract class InstanceCapacity implements NodeCapacity {
  abstract readonly kind: CapacityKind;
  readonly nodes: NodeRef[] = [];
  private readonly instanceTypes = new Map<string, string>();

  constructor(
    readonly cluster: ClusterBuilder,
    readonly name: string,
  ) {}

  /** The SGs this capacity puts on its instances. */
  abstract nodeSecurityGroups(): SecurityGroupRef[];

  abstract writeRecords(into: CapacityRecords): void;

  /** How one instance is launched: type, image, profile and the tags it carries. */
  protected abstract launchFacts(node: {
    instanceId: string;
    privateIp: string;
    instanceType: string | undefined;
  }): InstanceProfileOfCapacity;

  /**
   * The ENIs ipamd attaches beyond the primary one (aws/amazon-vpc-cni-k8s `pkg/awsutils/awsutils.go`:
   * `createENI` describes them `aws-K8S-<instance id>`; `createENITags` / `buildENITags` tag them with
   * `node.k8s.amazonaws.com/instance_id`, `node.k8s.amazonaws.com/createdAt` (RFC 3339) and, with the cluster
   * name configured as the EKS add-on does, `cluster.k8s.amazonaws.com/name` and `eks:eni:owner=amazon-vpc-cni`).
   */
  protected secondaryEni(instanceId: string, attachedAt: string): { description: string; tags: Tags } {
    return {
      description: `aws-K8S-${instanceId}`,
      tags: {
        "node.k8s.amazonaws.com/instance_id": instanceId,
        "cluster.k8s.amazonaws.com/name": this.cluster.name,
        "eks:eni:owner": "amazon-vpc-cni",
        "node.k8s.amazonaws.com/createdAt": rfc3339(attachedAt),
      },
    };
  }

  /** The `Operator` of the node's ENIs (EKS Auto Mode marks them managed). */
  protected eniOperator(): Wire<OperatorResponse> | undefined {
    return undefined;
  }

  /** The instance type of a launched node. */
  instanceTypeOf(instanceId: string): string | undefined {
    return this.instanceTypes.get(instanceId);
  }

  /**
   * One instance in `subnet`: its primary ENI (device 0, empty description), the optional trunk ENI, the
   * ENIs ipamd attached, and the instance itself in DescribeInstances.
   */
  node(subnet: SubnetRef, options: LaunchOptions): NodeRef {
    const { cluster } = this;
    const { region } = cluster;
    if (subnet.vpc !== cluster.vpc)
      throw new Error(`${this.name}: subnet ${subnet.name} is not in the cluster VPC`);
    const pod = options.podNetwork;
    if (pod !== undefined && pod.subnet.vpc !== cluster.vpc)
      throw new Error(`${this.name}: pod subnet ${pod.subnet.name} is not in the cluster VPC`);
    const instanceId = region.id("i", `${cluster.name}/${this.name}`, String(this.nodes.length + 1));
    const attachedAt = options.launchedAt ?? DEFAULT_LAUNCHED_AT;
    const groups = options.groups ?? this.nodeSecurityGroups();
    const operator = this.eniOperator();
    const attached: string[] = [];
    let trunkEniId: string | undefined;
    options.enis.forEach((addresses, i) => {
      const secondary = i === 0 ? undefined : this.secondaryEni(instanceId, attachedAt);
      const onPodSubnet = i > 0 && pod !== undefined;
      attached.push(
        region.networkInterface({
          key: `${instanceId}/${i}`,
          subnet: onPodSubnet ? pod.subnet : subnet,
          description: secondary?.description ?? "",
          groups: onPodSubnet ? (pod.groups ?? groups) : groups,
          addresses,
          ...(i === 0 && options.prefixes !== undefined ? { prefixes: options.prefixes } : {}),
          attachment: { instanceId, deviceIndex: attached.length, attachedAt },
          ...(operator === undefined ? {} : { operator }),
          tags: secondary?.tags ?? {},
        }),
      );
      if (i === 0 && options.trunk === true) {
        // aws/amazon-vpc-resource-controller-k8s trunk.go `InitTrunk` and helper.go `CreateNetworkInterface`.
        trunkEniId = region.networkInterface({
          key: `${instanceId}/trunk`,
          subnet,
          description: "aws-k8s-trunk-eni",
          groups,
          addresses: 1,
          type: "trunk",
          attachment: { instanceId, deviceIndex: attached.length, attachedAt },
          tags: {
            "node.k8s.amazonaws.com/instance_id": instanceId,
            "eks:eni:owner": "eks-vpc-resource-controller",
            [`kubernetes.io/cluster/${cluster.name}`]: "owned",
          },
        });
        attached.push(trunkEniId);
      }
    });
    const enis = attached.map((id) => region.networkInterfaceRecord(id));
    const privateIp = enis[0]?.PrivateIpAddress ?? "";
    const facts = this.launchFacts({ instanceId, privateIp, instanceType: options.instanceType });
    this.instanceTypes.set(instanceId, facts.instanceType);
    region.reservation(instanceId, [
      instanceShape({
        account: region.account,
        region: region.region,
        id: instanceId,
        instanceType: facts.instanceType,
        imageId: facts.imageId,
        az: subnet.az,
        azId: subnet.azId,
        subnetId: subnet.id,
        vpcId: cluster.vpc.id,
        launchedAt: attachedAt,
        networkInterfaces: enis,
        tags: facts.tags,
        instanceProfile: facts.instanceProfile,
        ...(facts.keyName === undefined ? {} : { keyName: facts.keyName }),
        ...(facts.spot === undefined ? {} : { spot: facts.spot }),
        ...(facts.operator === undefined ? {} : { operator: facts.operator }),
      }),
    ]);
    const node = new NodeRef(this, instanceId, subnet, privateIp, trunkEniId);
    this.nodes.push(node);
    return node;
  }
}

/** The Kubernetes node name of an instance with resource-name hostnames off: its private DNS name. */
export function nodeName(region: string, privateIp: string): string {
  return privateDnsName(region, privateIp);
}

const RELEASE_VERSIONS: Record<string, { stock: string; bottlerocket: string }> = {
  "1.31": { stock: "1.31.7-20250519", bottlerocket: "1.39.1-8ba8a4b7" },
  "1.32": { stock: "1.32.3-20250519", bottlerocket: "1.39.1-8ba8a4b7" },
  "1.33": { stock: "1.33.0-20250519", bottlerocket: "1.40.0-1d2b6f3c" },
};

export interface ManagedNodeGroupSpec {
  amiType: AMITypes;
  /** Omitted when the launch template names the instance type, as EKS reports it. */
  instanceTypes?: string[];
  subnets: SubnetRef[];
  scaling: { min: number; max: number; desired: number };
  launchTemplate?: LaunchTemplateRef;
  /** SSH access; `securityGroup` is the SG EKS created for it (port 22 from 0.0.0.0/0), made here if not given. */
  remoteAccess?: { sshKey: string; securityGroup?: SecurityGroupRef };
  capacityType?: CapacityTypes;
  createdAt?: string;
  status?: NodegroupStatus;
  issues?: Wire<Issue>[];
  labels?: Tags;
  releaseVersion?: string;
  /** Fields set as given over the generated DescribeNodegroup record. */
  with?: Partial<Wire<Nodegroup>>;
}

export class ManagedNodeGroup extends InstanceCapacity {
  readonly kind = "managed-node-group";
  readonly remoteAccessSg: SecurityGroupRef | undefined;
  private readonly issues: Wire<Issue>[];

  constructor(
    cluster: ClusterBuilder,
    name: string,
    private readonly spec: ManagedNodeGroupSpec,
  ) {
    super(cluster, name);
    for (const s of spec.subnets) {
      if (s.vpc !== cluster.vpc)
        throw new Error(`node group ${name}: subnet ${s.name} is not in the cluster VPC`);
    }
    this.remoteAccessSg =
      spec.remoteAccess === undefined
        ? undefined
        : (spec.remoteAccess.securityGroup ?? cluster.vpc.remoteAccessSecurityGroup(cluster.name, name));
    this.issues = [...(spec.issues ?? [])];
  }

  /** The Auto Scaling group EKS created, `eks-<name>-<id>`, as health issues name it. */
  get autoScalingGroupName(): string {
    return `eks-${this.name}-${this.id}`;
  }

  /** Adds a health issue as DescribeNodegroup reports it. */
  issue(code: NodegroupIssueCode, message: string, resourceIds: string[]): this {
    this.issues.push({ code, message, resourceIds });
    return this;
  }

  /**
   * What EKS puts on the nodes: the launch template's SGs when it sets any, else the cluster SG (and the
   * remote-access SG when SSH is on).
   */
  nodeSecurityGroups(): SecurityGroupRef[] {
    const fromTemplate = this.spec.launchTemplate?.securityGroups();
    if (fromTemplate !== undefined) return fromTemplate;
    return this.remoteAccessSg === undefined
      ? [this.cluster.clusterSg]
      : [this.cluster.clusterSg, this.remoteAccessSg];
  }

  /** The tags EKS puts on the node group's Auto Scaling group, all propagated to its instances. */
  private groupTags(): Tags {
    const { cluster } = this;
    return {
      "eks:cluster-name": cluster.name,
      "eks:nodegroup-name": this.name,
      "k8s.io/cluster-autoscaler/enabled": "true",
      [`k8s.io/cluster-autoscaler/${cluster.name}`]: "owned",
      [`kubernetes.io/cluster/${cluster.name}`]: "owned",
    };
  }

  /** EKS's copy of the launch template, which the Auto Scaling group launches from. */
  private get eksLaunchTemplateId(): string {
    return this.cluster.region.id("lt", "eks", this.id);
  }

  /**
   * EKS launches the nodes from its own copy of the launch template (`eks-<node group id>`), through the Auto
   * Scaling group whose tags it propagates: `eks:cluster-name`, `eks:nodegroup-name`,
   * `kubernetes.io/cluster/<name>=owned` and the cluster-autoscaler discovery tags ("Managed node groups",
   * EKS user guide); EC2 adds the `aws:autoscaling:groupName` and `aws:ec2launchtemplate:*` tags.
   */
  protected launchFacts(node: { instanceType: string | undefined }): InstanceProfileOfCapacity {
    const { cluster, spec } = this;
    const facts = spec.launchTemplate?.facts();
    // With no type in the node group or its launch template EKS launches t3.medium (CreateNodegroup `instanceTypes`).
    const instanceType = node.instanceType ?? spec.instanceTypes?.[0] ?? facts?.instanceType ?? "t3.medium";
    return {
      instanceType,
      imageId: facts?.imageId ?? cluster.region.id("ami", "eks-optimized", spec.amiType, cluster.version),
      instanceProfile: `eks-${this.id}`,
      tags: {
        ...facts?.instanceTags,
        ...this.groupTags(),
        "aws:autoscaling:groupName": this.autoScalingGroupName,
        "aws:ec2launchtemplate:id": this.eksLaunchTemplateId,
        "aws:ec2launchtemplate:version": "1",
      },
      ...(spec.capacityType === "SPOT" ? { spot: true } : {}),
      ...(spec.remoteAccess === undefined ? {} : { keyName: spec.remoteAccess.sshKey }),
    };
  }

  writeRecords(into: CapacityRecords): void {
    const { cluster, spec } = this;
    const { region } = cluster;
    const release = RELEASE_VERSIONS[cluster.version];
    const releaseVersion =
      spec.releaseVersion ??
      (spec.amiType === "CUSTOM"
        ? undefined
        : spec.amiType.startsWith("BOTTLEROCKET")
          ? (release?.bottlerocket ?? "1.40.0-1d2b6f3c")
          : (release?.stock ?? `${cluster.version}.0-20250519`));
    const lt = spec.launchTemplate;
    const shape = nodegroupShape({
      account: region.account,
      region: region.region,
      cluster: cluster.name,
      name: this.name,
      uuid: this.id,
      version: cluster.version,
      ...(releaseVersion === undefined ? {} : { releaseVersion }),
      amiType: spec.amiType,
      ...(spec.instanceTypes === undefined ? {} : { instanceTypes: spec.instanceTypes }),
      subnetIds: spec.subnets.map((s) => s.id),
      scaling: spec.scaling,
      ...(spec.capacityType === undefined ? {} : { capacityType: spec.capacityType }),
      ...(lt === undefined ? {} : { launchTemplate: { id: lt.id, name: lt.name, version: lt.version } }),
      ...(spec.remoteAccess === undefined || this.remoteAccessSg === undefined
        ? {}
        : { remoteAccess: { sshKey: spec.remoteAccess.sshKey, securityGroupId: this.remoteAccessSg.id } }),
      ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
      ...(spec.status === undefined ? {} : { status: spec.status }),
      issues: this.issues,
      ...(spec.labels === undefined ? {} : { labels: spec.labels }),
    });
    into.nodegroups.push({ ...shape, ...spec.with });
    into.autoScalingGroups.push(
      autoScalingGroupShape({
        account: region.account,
        region: region.region,
        name: this.autoScalingGroupName,
        launchTemplate: { id: this.eksLaunchTemplateId, name: `eks-${this.id}`, version: "1" },
        scaling: spec.scaling,
        zones: spec.subnets.map((s) => s.az),
        subnetIds: spec.subnets.map((s) => s.id),
        instances: this.nodes.map((n) => ({
          id: n.instanceId,
          instanceType: this.instanceTypeOf(n.instanceId) ?? "",
          az: n.subnet.az,
          azId: n.subnet.azId,
        })),
        tags: Object.entries(this.groupTags()).map(([key, value]) => ({
          key,
          value,
          propagateAtLaunch: true,
        })),
        ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
      }),
    );
  }

  /** The node group id EKS assigned (in its ARN and ASG name). */
  private get id(): string {
    return uuid(this.cluster.region.account, this.cluster.name, this.name);
  }
}
