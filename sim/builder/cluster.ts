import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type { Cluster, ClusterStatus } from "@aws-sdk/client-eks";
import type { EstateCluster, Wire } from "#shared/estate/types.ts";
import { AutoModeNodePool, type AutoModeNodePoolSpec } from "./auto-mode.ts";
import {
  type CapacityRecords,
  ManagedNodeGroup,
  type ManagedNodeGroupSpec,
  type NodeCapacity,
} from "./capacity.ts";
import { FargateProfileCapacity, type FargateProfileSpec } from "./fargate.ts";
import { digest, uuid } from "./ids.ts";
import { intToIp, parseCidr } from "./ipv4.ts";
import { KarpenterNodePool, type KarpenterNodePoolSpec } from "./karpenter.ts";
import type { RegionBuilder, SecurityGroupRef, SubnetRef, VpcBuilder } from "./region.ts";
import { SelfManagedGroup, type SelfManagedGroupSpec } from "./self-managed.ts";
import { addonShape, clusterEndpoint, clusterShape, SERVICE_IPV4_CIDR, type Tags } from "./shapes.ts";
import type { NodeadmClusterDetails } from "./user-data.ts";
import { base64 as toBase64 } from "./user-data.ts";

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
  /**
   * Managed add-ons, by default all three (none under Auto Mode); leave out `vpc-cni` for a self-managed
   * aws-node DaemonSet.
   */
  addons?: AddonName[];
  /** EKS Auto Mode: compute, block storage and load balancing on; node pools `general-purpose` and `system` unless given. */
  autoMode?: { nodePools?: string[] };
  status?: ClusterStatus;
  endpointPublicAccess?: boolean;
  tags?: Tags;
  /** Fields set as given over the generated DescribeCluster record. */
  with?: Partial<Wire<Cluster>>;
}

/**
 * An EKS cluster in a VPC and the capacity that gives it nodes. Each kind of capacity is a `NodeCapacity`
 * added with `add()`; `nodegroup()`, `karpenter()`, `selfManaged()`, `autoModeNodePool()` and
 * `fargateProfile()` add the kinds the builder knows.
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

  /** Control-plane subnets. */
  get subnets(): SubnetRef[] {
    return this.spec.subnets;
  }

  get autoMode(): boolean {
    return this.spec.autoMode !== undefined;
  }

  /** The kube-dns service address: the tenth of the service CIDR. */
  get dnsServiceIp(): string {
    return intToIp(parseCidr(SERVICE_IPV4_CIDR).base + 10);
  }

  /** What a node needs to join when nothing merges it in (Karpenter, self-managed user data). */
  nodeadmDetails(): NodeadmClusterDetails {
    const { region } = this;
    return {
      name: this.name,
      apiServerEndpoint: clusterEndpoint({ account: region.account, region: region.region, name: this.name }),
      // A stand-in for the cluster CA bundle (base64 of a PEM), derived from the cluster's name.
      certificateAuthority: toBase64(
        `-----BEGIN CERTIFICATE-----\n${toBase64(digest("ca", region.account, region.region, this.name))}\n-----END CERTIFICATE-----\n`,
      ),
      cidr: SERVICE_IPV4_CIDR,
    };
  }

  /** A managed node group of this cluster. */
  nodegroup(name: string, spec: ManagedNodeGroupSpec): ManagedNodeGroup {
    return this.add(new ManagedNodeGroup(this, name, spec));
  }

  /** A Karpenter NodePool and the EC2NodeClass it uses. */
  karpenter(name: string, spec: KarpenterNodePoolSpec): KarpenterNodePool {
    return this.add(new KarpenterNodePool(this, name, spec));
  }

  /** A self-managed node group: an Auto Scaling group on your launch template. */
  selfManaged(name: string, spec: SelfManagedGroupSpec): SelfManagedGroup {
    return this.add(new SelfManagedGroup(this, name, spec));
  }

  /** An EKS Auto Mode node pool (`general-purpose`, `system` or one of yours). */
  autoModeNodePool(name: string, spec: AutoModeNodePoolSpec): AutoModeNodePool {
    return this.add(new AutoModeNodePool(this, name, spec));
  }

  /** A Fargate profile. */
  fargateProfile(name: string, spec: FargateProfileSpec): FargateProfileCapacity {
    return this.add(new FargateProfileCapacity(this, name, spec));
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

  /** @internal `autoScalingGroups`: the region's list, which self-managed groups add theirs to. */
  build(autoScalingGroups: Wire<AutoScalingGroup>[] = []): EstateCluster {
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
      ...(spec.autoMode === undefined
        ? {}
        : {
            autoMode: {
              nodePools: spec.autoMode.nodePools ?? ["general-purpose", "system"],
              nodeRoleArn: `arn:aws:iam::${account}:role/${name}-auto-node`,
            },
          }),
    });
    const defaultAddons: AddonName[] =
      spec.autoMode === undefined ? ["vpc-cni", "coredns", "kube-proxy"] : [];
    const addons = (spec.addons ?? defaultAddons).map((addon) =>
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
    const records: CapacityRecords = { nodegroups: [], fargateProfiles: [], autoScalingGroups };
    for (const capacity of this.capacities) capacity.writeRecords(records);
    return {
      cluster: { ...cluster, ...spec.with },
      nodegroups: records.nodegroups,
      addons,
      ...(records.fargateProfiles.length === 0 ? {} : { fargateProfiles: records.fargateProfiles }),
    };
  }
}
