/**
 * Node capacity: how a cluster gets nodes. Every kind is a `NodeCapacity` that a cluster holds and that,
 * when the estate is built, writes the records AWS keeps for it. Kinds whose nodes are EC2 instances
 * extend `InstanceCapacity`, which launches instances into subnets with the ENIs the VPC CNI attaches.
 *
 * Today: managed node groups (`eks.clusters[].nodegroups`, their launch templates, their nodes' ENIs).
 * The estate v2 kinds slot in beside it without touching the cluster or region builders:
 * - Karpenter node pools and self-managed Auto Scaling groups extend `InstanceCapacity` (their instances
 *   become `ec2.Reservations`, their templates `ec2.LaunchTemplates`, the groups
 *   `autoscaling.AutoScalingGroups`), each with its own instance tags;
 * - EKS Auto Mode extends `InstanceCapacity` with the cluster's compute config;
 * - Fargate profiles implement `NodeCapacity` only (`eks.clusters[].fargateProfiles` and pod ENIs).
 * Each new record list is a field of `CapacityRecords`, filled by the kinds that own it.
 */
import type {
  AMITypes,
  CapacityTypes,
  Issue,
  Nodegroup,
  NodegroupIssueCode,
  NodegroupStatus,
} from "@aws-sdk/client-eks";
import type { Wire } from "#shared/estate/types.ts";
import type { ClusterBuilder } from "./cluster.ts";
import { uuid } from "./ids.ts";
import type { EniAddresses, LaunchTemplateRef, SecurityGroupRef, SubnetRef } from "./region.ts";
import { nodegroupShape, type Tags } from "./shapes.ts";

export type CapacityKind = "managed-node-group";

/** The records node capacity adds to its cluster's estate entry. */
export interface CapacityRecords {
  /** ListNodegroups / DescribeNodegroup. */
  nodegroups: Wire<Nodegroup>[];
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
  /** /28 prefixes delegated to the primary ENI (VPC CNI prefix delegation). */
  prefixes?: string[];
  launchedAt?: string;
  /** The instance's SGs; by default what the capacity puts on its nodes. */
  groups?: SecurityGroupRef[];
}

const DEFAULT_LAUNCHED_AT = "2025-06-02T08:14:09.000Z";

/** A running node: its instance id and, with a trunk ENI, the branch ENIs its pods get. */
export class NodeRef {
  constructor(
    private readonly capacity: InstanceCapacity,
    readonly instanceId: string,
    readonly subnet: SubnetRef,
    readonly trunkEniId: string | undefined,
  ) {}

  /** A security-groups-for-pods branch ENI: one pod with its own SGs, riding on this node's trunk. */
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
        "eks:eni:owner": "eks-vpc-resource-controller",
        "vpcresources.k8s.aws/cluster-name": cluster,
        "vpcresources.k8s.aws/trunk-eni-id": trunk,
        "vpcresources.k8s.aws/vlan-id": String(vlan),
      },
    });
  }
}

/** Capacity whose nodes are EC2 instances in the cluster's VPC, their pods on VPC CNI ENIs. */
export abstract class InstanceCapacity implements NodeCapacity {
  abstract readonly kind: CapacityKind;
  private launched = 0;

  constructor(
    readonly cluster: ClusterBuilder,
    readonly name: string,
  ) {}

  /** The SGs this capacity puts on its instances. */
  abstract nodeSecurityGroups(): SecurityGroupRef[];

  abstract writeRecords(into: CapacityRecords): void;

  /**
   * One instance in `subnet`: its primary ENI (device 0, empty description), the optional trunk ENI, and
   * the ENIs ipamd attached (`aws-K8S-<instance id>`, tagged as ipamd tags them).
   */
  node(subnet: SubnetRef, options: LaunchOptions): NodeRef {
    const { cluster } = this;
    const { region } = cluster;
    if (subnet.vpc !== cluster.vpc)
      throw new Error(`${this.name}: subnet ${subnet.name} is not in the cluster VPC`);
    this.launched++;
    const instanceId = region.id("i", `${cluster.name}/${this.name}`, String(this.launched));
    const attachedAt = options.launchedAt ?? DEFAULT_LAUNCHED_AT;
    const groups = options.groups ?? this.nodeSecurityGroups();
    let trunkEniId: string | undefined;
    let deviceIndex = 0;
    options.enis.forEach((addresses, i) => {
      region.networkInterface({
        key: `${instanceId}/${i}`,
        subnet,
        description: i === 0 ? "" : `aws-K8S-${instanceId}`,
        groups,
        addresses,
        ...(i === 0 && options.prefixes !== undefined ? { prefixes: options.prefixes } : {}),
        attachment: { instanceId, deviceIndex, attachedAt },
        tags:
          i === 0
            ? {}
            : {
                "node.k8s.amazonaws.com/instance_id": instanceId,
                "cluster.k8s.amazonaws.com/name": cluster.name,
                "node.k8s.amazonaws.com/createdAt": attachedAt,
              },
      });
      deviceIndex++;
      if (i === 0 && options.trunk === true) {
        trunkEniId = region.networkInterface({
          key: `${instanceId}/trunk`,
          subnet,
          description: "aws-k8s-trunk-eni",
          groups,
          addresses: 1,
          type: "trunk",
          attachment: { instanceId, deviceIndex, attachedAt },
          tags: {
            "eks:eni:owner": "eks-vpc-resource-controller",
            "vpcresources.k8s.aws/cluster-name": cluster.name,
          },
        });
        deviceIndex++;
      }
    });
    return new NodeRef(this, instanceId, subnet, trunkEniId);
  }
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
  }

  /** The node group id EKS assigned (in its ARN and ASG name). */
  private get id(): string {
    return uuid(this.cluster.region.account, this.cluster.name, this.name);
  }
}
