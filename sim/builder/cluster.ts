import type { Cluster, ClusterStatus } from "@aws-sdk/client-eks";
import type { EstateCluster, Wire } from "#shared/estate/types.ts";
import {
  type CapacityRecords,
  ManagedNodeGroup,
  type ManagedNodeGroupSpec,
  type NodeCapacity,
} from "./capacity.ts";
import { uuid } from "./ids.ts";
import type { RegionBuilder, SecurityGroupRef, SubnetRef, VpcBuilder } from "./region.ts";
import { addonShape, clusterShape, type Tags } from "./shapes.ts";

export type AddonName = "vpc-cni" | "coredns" | "kube-proxy";

/** Default add-on versions per Kubernetes version, as `aws eks describe-addon-versions` listed them. */
const ADDON_VERSIONS: Record<string, Record<AddonName, string>> = {
  "1.31": {
    "vpc-cni": "v1.19.2-eksbuild.1",
    coredns: "v1.11.4-eksbuild.2",
    "kube-proxy": "v1.31.3-eksbuild.2",
  },
  "1.32": {
    "vpc-cni": "v1.19.5-eksbuild.1",
    coredns: "v1.11.4-eksbuild.10",
    "kube-proxy": "v1.32.3-eksbuild.7",
  },
  "1.33": {
    "vpc-cni": "v1.19.6-eksbuild.7",
    coredns: "v1.12.1-eksbuild.2",
    "kube-proxy": "v1.33.0-eksbuild.2",
  },
};

export interface ClusterSpec {
  /** Kubernetes version, e.g. `1.33`. */
  version: string;
  /** Control-plane subnets (resourcesVpcConfig.subnetIds). */
  subnets: SubnetRef[];
  /** The SG EKS created for the cluster; created with the cluster when not given. */
  clusterSg?: SecurityGroupRef;
  /** Additional control-plane SGs (resourcesVpcConfig.securityGroupIds). */
  additionalSgs?: SecurityGroupRef[];
  createdAt?: string;
  /** The vpc-cni add-on's `configurationValues` (JSON or YAML text); none = the add-on's defaults. */
  vpcCniConfiguration?: string;
  /** Managed add-ons, by default all three; leave out `vpc-cni` for a self-managed aws-node DaemonSet. */
  addons?: AddonName[];
  status?: ClusterStatus;
  endpointPublicAccess?: boolean;
  tags?: Tags;
  /** Fields set as given over the generated DescribeCluster record. */
  with?: Partial<Wire<Cluster>>;
}

/**
 * An EKS cluster in a VPC and the capacity that gives it nodes. Each kind of capacity is a `NodeCapacity`
 * added with `add()`; `nodegroup()` adds the managed node group kind.
 */
export class ClusterBuilder {
  readonly region: RegionBuilder;
  readonly clusterSg: SecurityGroupRef;
  readonly additionalSgs: SecurityGroupRef[];
  private readonly capacities: NodeCapacity[] = [];

  constructor(
    readonly vpc: VpcBuilder,
    readonly name: string,
    private readonly spec: ClusterSpec,
  ) {
    this.region = vpc.region;
    for (const s of spec.subnets) {
      if (s.vpc !== vpc) throw new Error(`cluster ${name}: subnet ${s.name} is not in VPC ${vpc.name}`);
    }
    this.clusterSg = spec.clusterSg ?? vpc.clusterSecurityGroup(name);
    this.additionalSgs = spec.additionalSgs ?? [];
  }

  get version(): string {
    return this.spec.version;
  }

  /** A managed node group of this cluster. */
  nodegroup(name: string, spec: ManagedNodeGroupSpec): ManagedNodeGroup {
    return this.add(new ManagedNodeGroup(this, name, spec));
  }

  /** Any kind of node capacity; it writes its records when the estate is built. */
  add<C extends NodeCapacity>(capacity: C): C {
    if (this.capacities.some((c) => c.kind === capacity.kind && c.name === capacity.name)) {
      throw new Error(`cluster ${this.name} already has ${capacity.kind} ${capacity.name}`);
    }
    this.capacities.push(capacity);
    return capacity;
  }

  /** A cross-account ENI EKS places in a cluster subnet for the control plane. */
  controlPlaneEni(
    subnet: SubnetRef,
    groups: SecurityGroupRef[] = [this.clusterSg, ...this.additionalSgs],
  ): string {
    return this.region.networkInterface({
      key: `${this.name}/control-plane/${subnet.name}`,
      subnet,
      description: `Amazon EKS ${this.name}`,
      groups,
      addresses: 1,
      requesterId: "AROAEKSCONTROLPLANEEXAMPLE:AmazonEKS",
    });
  }

  /** @internal */
  build(): EstateCluster {
    const { region, spec, name } = this;
    const { account } = region;
    const versions = ADDON_VERSIONS[spec.version] ?? {
      "vpc-cni": "v1.19.6-eksbuild.7",
      coredns: "v1.12.1-eksbuild.2",
      "kube-proxy": `v${spec.version}.0-eksbuild.1`,
    };
    const cluster = clusterShape({
      account,
      region: region.region,
      name,
      version: spec.version,
      vpcId: this.vpc.id,
      subnetIds: spec.subnets.map((s) => s.id),
      securityGroupIds: this.additionalSgs.map((g) => g.id),
      clusterSecurityGroupId: this.clusterSg.id,
      ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
      ...(spec.status === undefined ? {} : { status: spec.status }),
      ...(spec.endpointPublicAccess === undefined ? {} : { endpointPublicAccess: spec.endpointPublicAccess }),
      ...(spec.tags === undefined ? {} : { tags: spec.tags }),
    });
    const addons = (spec.addons ?? ["vpc-cni", "coredns", "kube-proxy"]).map((addon) =>
      addonShape({
        account,
        region: region.region,
        cluster: name,
        name: addon,
        version: versions[addon],
        uuid: uuid(account, name, addon),
        ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
        ...(addon === "vpc-cni"
          ? { serviceAccountRoleArn: `arn:aws:iam::${account}:role/${name}-vpc-cni` }
          : {}),
        ...(addon === "vpc-cni" && spec.vpcCniConfiguration !== undefined
          ? { configurationValues: spec.vpcCniConfiguration }
          : {}),
      }),
    );
    const records: CapacityRecords = { nodegroups: [] };
    for (const capacity of this.capacities) capacity.writeRecords(records);
    return { cluster: { ...cluster, ...spec.with }, nodegroups: records.nodegroups, addons };
  }
}
