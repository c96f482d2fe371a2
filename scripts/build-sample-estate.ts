/**
 * Builds sim/estates/sample-org.json, the sample AWS Organization behind the demo and the tests.
 * Every rule of ../shared/design/rule-catalog.md fires somewhere in it by a wide margin, and some
 * clusters are healthy; sim/estates/README.md says which resource triggers which rule.
 *
 * Run: npx tsx scripts/build-sample-estate.ts
 * Deterministic: ids are hashes of stable labels, dates are fixed, and every subnet that has ENIs
 * listed gets its AvailableIpAddressCount computed from them.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  _InstanceType,
  InstanceTypeInfo,
  IpPermission,
  LaunchTemplateVersion,
  NetworkInterface,
  Route,
  RouteTable,
  RouteTableAssociation,
  SecurityGroup,
  Subnet,
  Vpc,
} from "@aws-sdk/client-ec2";
import type { Addon, AMITypes, Nodegroup, NodegroupIssueCode } from "@aws-sdk/client-eks";
import type { Account } from "@aws-sdk/client-organizations";
import { stringify as toYaml } from "yaml";
import type { Estate, EstateCluster, EstateRegion, Wire } from "#shared/estate/index.ts";

export const SAMPLE_ESTATE_FILE = fileURLToPath(new URL("../sim/estates/sample-org.json", import.meta.url));

/** Planted in one user data script: findings, logs and reports must never contain it. */
export const FAKE_USER_DATA_SECRET = "sample-estate-FAKE-db-password-7f3a9c";

const ORG_ID = "o-a1b2c3d4e5";
const PLATFORM = "111122223333";
const PAYMENTS = "222233334444";
const DATA = "333344445555";
const SANDBOX = "444455556666";
const SHARED = "555566667777";
const ARCHIVE = "666677778888";
const EU = "eu-west-1";
const US = "us-east-1";

// ---------------------------------------------------------------------------------------------
// ids, addresses, encodings

function digest(...label: string[]): string {
  return createHash("sha256").update(label.join("/")).digest("hex");
}

/** `subnet-0a1b2c3d4e5f60718`: 17 hex digits like current AWS ids, derived from a stable label. */
function awsId(prefix: string, ...label: string[]): string {
  return `${prefix}-0${digest(prefix, ...label).slice(0, 16)}`;
}

function uuid(...label: string[]): string {
  const h = digest("uuid", ...label);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function ipToInt(ip: string): number {
  const octets = ip.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return octets.reduce((n, o) => n * 256 + o, 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

export interface Cidr {
  base: number;
  prefixLength: number;
  size: number;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, bits] = cidr.split("/");
  const prefixLength = Number(bits);
  if (ip === undefined || !Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  }
  const size = 2 ** (32 - prefixLength);
  const base = ipToInt(ip);
  if (base % size !== 0) throw new Error(`CIDR ${cidr} is not aligned`);
  return { base, prefixLength, size };
}

const base64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

// ---------------------------------------------------------------------------------------------
// user data: what the node.* rules parse

const MIME_BOUNDARY = "==EKSBOUNDARY==";

function mimeMultipart(parts: { contentType: string; body: string }[]): string {
  const sections = parts.map(
    (p) => `--${MIME_BOUNDARY}\nContent-Type: ${p.contentType}\n\n${p.body.trimEnd()}\n`,
  );
  return [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
    "",
    ...sections,
    `--${MIME_BOUNDARY}--`,
    "",
  ].join("\n");
}

/** AL2: a shell part that calls bootstrap.sh with kubelet flags. */
function al2Bootstrap(
  cluster: string,
  kubeletExtraArgs: string | undefined,
  preamble: string[] = [],
): string {
  const args = kubeletExtraArgs === undefined ? "" : ` --kubelet-extra-args '${kubeletExtraArgs}'`;
  const script = [
    "#!/bin/bash",
    "set -o xtrace",
    ...preamble,
    `/etc/eks/bootstrap.sh ${cluster}${args}`,
  ].join("\n");
  return mimeMultipart([{ contentType: 'text/x-shellscript; charset="us-ascii"', body: script }]);
}

/** AL2023: a nodeadm NodeConfig part; EKS merges in the cluster details for managed node groups. */
function al2023NodeConfig(kubeletConfig: Record<string, unknown>): string {
  const nodeConfig = {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: { kubelet: { config: kubeletConfig } },
  };
  return mimeMultipart([{ contentType: "application/node.eks.aws", body: `---\n${toYaml(nodeConfig)}` }]);
}

const SYSTEM_RESERVED = { cpu: "250m", memory: "1Gi", "ephemeral-storage": "1Gi" };

/** Every upstream evictionHard key, so that none of them silently becomes zero. */
const FULL_EVICTION_HARD = {
  "memory.available": "500Mi",
  "nodefs.available": "10%",
  "imagefs.available": "15%",
  "nodefs.inodesFree": "5%",
};

// ---------------------------------------------------------------------------------------------
// per-region builder

type Zone = "a" | "b" | "c";
type K8sVersion = "1.31" | "1.32" | "1.33";

const AZ_IDS: Record<string, Record<Zone, string>> = {
  [EU]: { a: "euw1-az3", b: "euw1-az1", c: "euw1-az2" },
  [US]: { a: "use1-az4", b: "use1-az6", c: "use1-az1" },
};

const ADDON_VERSIONS: Record<K8sVersion, Record<"vpc-cni" | "coredns" | "kube-proxy", string>> = {
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

const RELEASE_VERSIONS: Record<K8sVersion, { stock: string; bottlerocket: string }> = {
  "1.31": { stock: "1.31.7-20250519", bottlerocket: "1.39.1-8ba8a4b7" },
  "1.32": { stock: "1.32.3-20250519", bottlerocket: "1.39.1-8ba8a4b7" },
  "1.33": { stock: "1.33.0-20250519", bottlerocket: "1.40.0-1d2b6f3c" },
};

interface VpcRef {
  id: string;
  name: string;
  cidr: string;
}

interface SubnetRef {
  id: string;
  name: string;
  vpc: VpcRef;
  az: string;
  azId: string;
  cidr: string;
}

interface SgRef {
  id: string;
  name: string;
  vpc: VpcRef;
}

interface SgRule {
  protocol: "tcp" | "udp" | "-1";
  ports?: [number, number];
  cidr?: string;
  source?: SgRef;
  /** Peering connection through which `source`, an SG of another VPC, is referenced. */
  peering?: string;
  description?: string;
}

interface LaunchTemplateRef {
  id: string;
  name: string;
  version: string;
}

interface LaunchTemplateVersionSpec {
  description: string;
  createdAt: string;
  userData?: string;
  /** Instance-level SGs: EKS then does not add the cluster SG to the nodes. */
  securityGroups?: SgRef[];
  /** SGs set on the primary network interface: same effect as `securityGroups`. */
  interfaceGroups?: SgRef[];
  imageId?: string;
  instanceType?: _InstanceType;
}

interface ClusterSpec {
  name: string;
  version: K8sVersion;
  vpc: VpcRef;
  subnets: SubnetRef[];
  clusterSg: SgRef;
  additionalSgs: SgRef[];
  createdAt: string;
  /** vpc-cni add-on `configurationValues`; undefined = add-on defaults. */
  cniConfiguration?: string;
  tags?: Record<string, string>;
}

interface ClusterRef {
  name: string;
  version: K8sVersion;
  estate: EstateCluster;
}

interface NodegroupSpec {
  name: string;
  amiType: AMITypes;
  /** Omitted when the launch template names the instance type, as EKS reports it. */
  instanceTypes?: string[];
  subnets: SubnetRef[];
  scaling: { min: number; max: number; desired: number };
  launchTemplate?: LaunchTemplateRef;
  remoteAccess?: { sshKey: string; securityGroup: SgRef };
  createdAt: string;
  status?: "ACTIVE" | "DEGRADED";
  issues?: { code: NodegroupIssueCode; message: string; resourceIds: string[] }[];
  labels?: Record<string, string>;
}

/** One ENI's IPv4 addresses: a count (allocated in order from the subnet) or explicit addresses. */
type EniAddresses = number | string[];

const ALL_TRAFFIC_OUT: SgRule[] = [{ protocol: "-1", cidr: "0.0.0.0/0" }];

class RegionBuilder {
  private readonly vpcs: Wire<Vpc>[] = [];
  private readonly subnets: {
    ref: SubnetRef;
    tags: Record<string, string>;
    public: boolean;
    available?: number;
  }[] = [];
  private readonly routeTables: Wire<RouteTable>[] = [];
  private readonly securityGroups: {
    ref: SgRef;
    description: string;
    tags: Record<string, string>;
    ingress: SgRule[];
    egress: SgRule[];
  }[] = [];
  private readonly launchTemplateVersions: Wire<LaunchTemplateVersion>[] = [];
  private readonly networkInterfaces: Wire<NetworkInterface>[] = [];
  private readonly instanceTypes: Wire<InstanceTypeInfo>[] = [];
  private readonly clusters: EstateCluster[] = [];
  private readonly usedAddresses = new Map<string, Set<number>>();
  private readonly instanceCount = new Map<string, number>();

  constructor(
    readonly account: string,
    readonly region: string,
  ) {}

  private id(prefix: string, ...label: string[]): string {
    return awsId(prefix, this.account, this.region, ...label);
  }

  private arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.account}:${resource}`;
  }

  vpc(name: string, cidr: string): VpcRef {
    const ref = { id: this.id("vpc", name), name, cidr };
    this.vpcs.push({
      VpcId: ref.id,
      CidrBlock: cidr,
      State: "available",
      OwnerId: this.account,
      InstanceTenancy: "default",
      IsDefault: false,
      DhcpOptionsId: this.id("dopt", "default"),
      CidrBlockAssociationSet: [
        {
          AssociationId: this.id("vpc-cidr-assoc", name),
          CidrBlock: cidr,
          CidrBlockState: { State: "associated" },
        },
      ],
      Tags: [{ Key: "Name", Value: name }],
    });
    return ref;
  }

  /** `available` fixes AvailableIpAddressCount; without it the count is computed from the ENIs listed here. */
  subnet(
    vpc: VpcRef,
    spec: {
      name: string;
      zone: Zone;
      cidr: string;
      tags?: Record<string, string>;
      available?: number;
      public?: boolean;
    },
  ): SubnetRef {
    const azId = AZ_IDS[this.region]?.[spec.zone];
    if (azId === undefined) throw new Error(`no AZ id for ${this.region}${spec.zone}`);
    const ref = {
      id: this.id("subnet", spec.name),
      name: spec.name,
      vpc,
      az: `${this.region}${spec.zone}`,
      azId,
      cidr: spec.cidr,
    };
    this.subnets.push({
      ref,
      tags: spec.tags ?? {},
      public: spec.public ?? false,
      available: spec.available,
    });
    return ref;
  }

  internetGateway(vpc: VpcRef): string {
    return this.id("igw", vpc.name);
  }

  natGateway(subnet: SubnetRef): string {
    return this.id("nat", subnet.name);
  }

  peeringConnection(name: string): string {
    return this.id("pcx", name);
  }

  routeTable(
    vpc: VpcRef,
    name: string,
    spec: { main?: boolean; routes?: Wire<Route>[]; subnets?: SubnetRef[] },
  ): string {
    const id = this.id("rtb", name);
    const associations: Wire<RouteTableAssociation>[] = (spec.subnets ?? []).map((s) => ({
      Main: false,
      RouteTableAssociationId: this.id("rtbassoc", name, s.name),
      RouteTableId: id,
      SubnetId: s.id,
      AssociationState: { State: "associated" },
    }));
    if (spec.main === true) {
      associations.unshift({
        Main: true,
        RouteTableAssociationId: this.id("rtbassoc", name, "main"),
        RouteTableId: id,
        AssociationState: { State: "associated" },
      });
    }
    this.routeTables.push({
      RouteTableId: id,
      VpcId: vpc.id,
      OwnerId: this.account,
      Associations: associations,
      PropagatingVgws: [],
      Routes: [
        { DestinationCidrBlock: vpc.cidr, GatewayId: "local", Origin: "CreateRouteTable", State: "active" },
        ...(spec.routes ?? []).map((r) => ({
          ...r,
          Origin: "CreateRoute" as const,
          State: "active" as const,
        })),
      ],
      Tags: [{ Key: "Name", Value: name }],
    });
    return id;
  }

  /** Explicitly associated table with `0.0.0.0/0 → igw-…`. */
  publicRouteTable(vpc: VpcRef, igw: string, subnets: SubnetRef[]): string {
    return this.routeTable(vpc, `${vpc.name}-public`, {
      routes: [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }],
      subnets,
    });
  }

  /** Explicitly associated table with `0.0.0.0/0 → nat-…` (plus any extra routes, e.g. peering). */
  privateRouteTable(
    vpc: VpcRef,
    name: string,
    nat: string,
    subnets: SubnetRef[],
    extra: Wire<Route>[] = [],
  ): string {
    return this.routeTable(vpc, name, {
      routes: [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat }, ...extra],
      subnets,
    });
  }

  /** The VPC's main table: subnets without an explicit association fall back to it. */
  mainRouteTable(vpc: VpcRef, routes: Wire<Route>[] = []): string {
    return this.routeTable(vpc, `${vpc.name}-main`, { main: true, routes });
  }

  securityGroup(vpc: VpcRef, name: string, description: string, tags: Record<string, string> = {}): SgRef {
    const ref = { id: this.id("sg", vpc.name, name), name, vpc };
    this.securityGroups.push({ ref, description, tags, ingress: [], egress: [...ALL_TRAFFIC_OUT] });
    return ref;
  }

  /** The SG EKS creates for a cluster: all traffic from itself, all out. */
  clusterSecurityGroup(vpc: VpcRef, cluster: string): SgRef {
    const suffix = String(
      Number.parseInt(digest("cluster-sg", this.account, cluster).slice(0, 8), 16),
    ).padStart(10, "0");
    const sg = this.securityGroup(
      vpc,
      `eks-cluster-sg-${cluster}-${suffix}`,
      "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
      {
        Name: `eks-cluster-sg-${cluster}-${suffix}`,
        "aws:eks:cluster-name": cluster,
        [`kubernetes.io/cluster/${cluster}`]: "owned",
      },
    );
    this.allow(sg, { protocol: "-1", source: sg });
    return sg;
  }

  /** The SG EKS creates for `remoteAccess` without source SGs: port 22 from anywhere. */
  remoteAccessSecurityGroup(vpc: VpcRef, cluster: string, nodegroup: string): SgRef {
    const sg = this.securityGroup(
      vpc,
      `eks-remoteAccess-${uuid(this.account, cluster, nodegroup, "remote-access")}`,
      "Security group for all nodes in the nodeGroup to allow SSH access",
      { "eks:cluster-name": cluster, "eks:nodegroup-name": nodegroup },
    );
    this.allow(sg, { protocol: "tcp", ports: [22, 22], cidr: "0.0.0.0/0" });
    return sg;
  }

  /** Adds an ingress rule to `target`. */
  allow(target: SgRef, rule: SgRule): void {
    const sg = this.securityGroups.find((g) => g.ref.id === target.id);
    if (sg === undefined) throw new Error(`unknown security group ${target.name}`);
    sg.ingress.push(rule);
  }

  /** The separate-SG model done right: node ↔ control plane on 443 and 10250, DNS both ways. */
  allowControlPlane(nodeSg: SgRef, clusterSg: SgRef): void {
    this.allow(nodeSg, { protocol: "-1", source: nodeSg, description: "node to node" });
    this.allow(nodeSg, {
      protocol: "tcp",
      ports: [10250, 10250],
      source: clusterSg,
      description: "kubelet from control plane",
    });
    this.allow(nodeSg, {
      protocol: "tcp",
      ports: [443, 443],
      source: clusterSg,
      description: "webhooks from control plane",
    });
    this.allow(nodeSg, { protocol: "tcp", ports: [53, 53], source: clusterSg, description: "DNS" });
    this.allow(nodeSg, { protocol: "udp", ports: [53, 53], source: clusterSg, description: "DNS" });
    this.allow(clusterSg, {
      protocol: "tcp",
      ports: [443, 443],
      source: nodeSg,
      description: "API server from nodes",
    });
    this.allow(clusterSg, { protocol: "tcp", ports: [53, 53], source: nodeSg, description: "DNS" });
    this.allow(clusterSg, { protocol: "udp", ports: [53, 53], source: nodeSg, description: "DNS" });
  }

  instanceType(info: Wire<InstanceTypeInfo>): void {
    this.instanceTypes.push(info);
  }

  private claim(subnet: SubnetRef, addresses: number[]): void {
    const { base, size } = parseCidr(subnet.cidr);
    const used = this.usedAddresses.get(subnet.id) ?? new Set<number>();
    this.usedAddresses.set(subnet.id, used);
    for (const a of addresses) {
      // AWS reserves the first four addresses and the last one of every subnet.
      if (a < base + 4 || a >= base + size - 1)
        throw new Error(`${intToIp(a)} is not usable in ${subnet.name}`);
      if (used.has(a)) throw new Error(`${intToIp(a)} is used twice in ${subnet.name}`);
      used.add(a);
    }
  }

  private allocate(subnet: SubnetRef, count: number): string[] {
    const { base, size } = parseCidr(subnet.cidr);
    const used = this.usedAddresses.get(subnet.id) ?? new Set<number>();
    const picked: number[] = [];
    for (let a = base + 4; a < base + size - 1 && picked.length < count; a++) {
      if (!used.has(a)) picked.push(a);
    }
    if (picked.length < count) throw new Error(`${subnet.name} has no ${count} free addresses`);
    this.claim(subnet, picked);
    return picked.map(intToIp);
  }

  private eni(spec: {
    key: string;
    subnet: SubnetRef;
    description: string;
    groups: SgRef[];
    addresses: EniAddresses;
    prefixes?: string[];
    type?: "interface" | "trunk" | "branch";
    attachment?: { instanceId: string; deviceIndex: number; attachedAt: string };
    tags?: Record<string, string>;
    requesterId?: string;
  }): string {
    const id = this.id("eni", spec.key);
    let ips: string[];
    if (typeof spec.addresses === "number") {
      ips = this.allocate(spec.subnet, spec.addresses);
    } else {
      ips = spec.addresses;
      this.claim(spec.subnet, ips.map(ipToInt));
    }
    for (const prefix of spec.prefixes ?? []) {
      const { base, size } = parseCidr(prefix);
      if (size !== 16) throw new Error(`${prefix} is not a /28`);
      this.claim(
        spec.subnet,
        Array.from({ length: size }, (_, i) => base + i),
      );
    }
    const dnsSuffix = this.region === US ? "ec2.internal" : `${this.region}.compute.internal`;
    const dnsName = (ip: string) => `ip-${ip.replaceAll(".", "-")}.${dnsSuffix}`;
    const primaryIp = ips[0];
    if (primaryIp === undefined) throw new Error(`ENI ${spec.key} has no address`);
    const mac = digest("mac", this.account, spec.key).slice(0, 10).match(/../g) ?? [];
    this.networkInterfaces.push({
      NetworkInterfaceId: id,
      SubnetId: spec.subnet.id,
      VpcId: spec.subnet.vpc.id,
      AvailabilityZone: spec.subnet.az,
      Description: spec.description,
      InterfaceType: spec.type ?? "interface",
      Status: "in-use",
      OwnerId: this.account,
      ...(spec.requesterId === undefined ? {} : { RequesterId: spec.requesterId }),
      RequesterManaged: false,
      SourceDestCheck: true,
      MacAddress: ["0a", ...mac].join(":"),
      PrivateIpAddress: primaryIp,
      PrivateDnsName: dnsName(primaryIp),
      PrivateIpAddresses: ips.map((ip, i) => ({
        Primary: i === 0,
        PrivateIpAddress: ip,
        PrivateDnsName: dnsName(ip),
      })),
      Ipv4Prefixes: (spec.prefixes ?? []).map((p) => ({ Ipv4Prefix: p })),
      Ipv6Addresses: [],
      Groups: spec.groups.map((g) => ({ GroupId: g.id, GroupName: g.name })),
      ...(spec.attachment === undefined
        ? {}
        : {
            Attachment: {
              AttachmentId: this.id("eni-attach", spec.key),
              AttachTime: spec.attachment.attachedAt,
              DeleteOnTermination: true,
              DeviceIndex: spec.attachment.deviceIndex,
              NetworkCardIndex: 0,
              InstanceId: spec.attachment.instanceId,
              InstanceOwnerId: this.account,
              Status: "attached",
            },
          }),
      TagSet: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    });
    return id;
  }

  /** A cross-account ENI EKS places in a cluster subnet for the control plane. */
  controlPlaneEni(cluster: ClusterRef, subnet: SubnetRef, groups: SgRef[]): string {
    return this.eni({
      key: `${cluster.name}/control-plane/${subnet.name}`,
      subnet,
      description: `Amazon EKS ${cluster.name}`,
      groups,
      addresses: 1,
      requesterId: "AROAEKSCONTROLPLANEEXAMPLE:AmazonEKS",
    });
  }

  /**
   * One instance of a node group: its primary ENI (device 0, empty description) and the ENIs the VPC CNI
   * attached (`aws-K8S-<instance id>`), `addresses[i]` IPv4 addresses on ENI i; with `trunk`, the SGP
   * trunk ENI takes device 1. Returns the instance id and the trunk ENI id (if any).
   */
  node(
    cluster: ClusterRef,
    nodegroup: string,
    subnet: SubnetRef,
    groups: SgRef[],
    addresses: EniAddresses[],
    options: { trunk?: boolean; prefixes?: string[]; launchedAt?: string } = {},
  ): { instanceId: string; trunkEniId?: string } {
    const key = `${cluster.name}/${nodegroup}`;
    const n = (this.instanceCount.get(key) ?? 0) + 1;
    this.instanceCount.set(key, n);
    const instanceId = this.id("i", key, String(n));
    const attachedAt = options.launchedAt ?? "2025-06-02T08:14:09.000Z";
    let trunkEniId: string | undefined;
    let deviceIndex = 0;
    addresses.forEach((eniAddresses, i) => {
      this.eni({
        key: `${instanceId}/${i}`,
        subnet,
        description: i === 0 ? "" : `aws-K8S-${instanceId}`,
        groups,
        addresses: eniAddresses,
        prefixes: i === 0 ? options.prefixes : undefined,
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
        trunkEniId = this.eni({
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
    return { instanceId, trunkEniId };
  }

  /** A security-groups-for-pods branch ENI: one pod, its own SGs, riding on a trunk ENI. */
  branchEni(
    cluster: ClusterRef,
    trunkEniId: string,
    vlan: number,
    subnet: SubnetRef,
    groups: SgRef[],
  ): string {
    return this.eni({
      key: `${trunkEniId}/branch/${vlan}`,
      subnet,
      description: "aws-k8s-branch-eni",
      groups,
      addresses: 1,
      type: "branch",
      tags: {
        "eks:eni:owner": "eks-vpc-resource-controller",
        "vpcresources.k8s.aws/cluster-name": cluster.name,
        "vpcresources.k8s.aws/trunk-eni-id": trunkEniId,
        "vpcresources.k8s.aws/vlan-id": String(vlan),
      },
    });
  }

  /** Versions 1..n; the last one is the default and the one returned for node groups to use. */
  launchTemplate(name: string, versions: LaunchTemplateVersionSpec[]): LaunchTemplateRef {
    const id = this.id("lt", name);
    versions.forEach((v, i) => {
      this.launchTemplateVersions.push({
        LaunchTemplateId: id,
        LaunchTemplateName: name,
        VersionNumber: i + 1,
        VersionDescription: v.description,
        CreateTime: v.createdAt,
        CreatedBy: `arn:aws:sts::${this.account}:assumed-role/platform-deployer/terraform`,
        DefaultVersion: i === versions.length - 1,
        LaunchTemplateData: {
          ...(v.imageId === undefined ? {} : { ImageId: v.imageId }),
          ...(v.instanceType === undefined ? {} : { InstanceType: v.instanceType }),
          ...(v.securityGroups === undefined ? {} : { SecurityGroupIds: v.securityGroups.map((g) => g.id) }),
          ...(v.interfaceGroups === undefined
            ? {}
            : {
                NetworkInterfaces: [
                  { DeviceIndex: 0, Groups: v.interfaceGroups.map((g) => g.id), DeleteOnTermination: true },
                ],
              }),
          ...(v.userData === undefined ? {} : { UserData: base64(v.userData) }),
          BlockDeviceMappings: [
            {
              DeviceName: "/dev/xvda",
              Ebs: { VolumeSize: 50, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true },
            },
          ],
          MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2, HttpEndpoint: "enabled" },
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: name }] }],
        },
      });
    });
    return { id, name, version: String(versions.length) };
  }

  cluster(spec: ClusterSpec): ClusterRef {
    const oidc = digest("oidc", this.account, this.region, spec.name).slice(0, 32).toUpperCase();
    const endpoint = digest("endpoint", this.account, this.region, spec.name).slice(0, 32).toUpperCase();
    const addons = ADDON_VERSIONS[spec.version];
    const addon = (
      name: "vpc-cni" | "coredns" | "kube-proxy",
      extra: Partial<Wire<Addon>> = {},
    ): Wire<Addon> => ({
      addonName: name,
      clusterName: spec.name,
      status: "ACTIVE",
      addonVersion: addons[name],
      health: { issues: [] },
      addonArn: this.arn("eks", `addon/${spec.name}/${name}/${uuid(this.account, spec.name, name)}`),
      createdAt: spec.createdAt,
      modifiedAt: "2025-05-20T10:02:44.000Z",
      tags: {},
      ...extra,
    });
    const estate: EstateCluster = {
      cluster: {
        name: spec.name,
        arn: this.arn("eks", `cluster/${spec.name}`),
        createdAt: spec.createdAt,
        version: spec.version,
        endpoint: `https://${endpoint}.gr7.${this.region}.eks.amazonaws.com`,
        roleArn: `arn:aws:iam::${this.account}:role/${spec.name}-cluster`,
        resourcesVpcConfig: {
          subnetIds: spec.subnets.map((s) => s.id),
          securityGroupIds: spec.additionalSgs.map((g) => g.id),
          clusterSecurityGroupId: spec.clusterSg.id,
          vpcId: spec.vpc.id,
          endpointPublicAccess: false,
          endpointPrivateAccess: true,
          publicAccessCidrs: [],
        },
        kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
        logging: {
          clusterLogging: [
            { types: ["api", "audit", "authenticator"], enabled: true },
            { types: ["controllerManager", "scheduler"], enabled: false },
          ],
        },
        identity: { oidc: { issuer: `https://oidc.eks.${this.region}.amazonaws.com/id/${oidc}` } },
        status: "ACTIVE",
        platformVersion: "eks.9",
        tags: spec.tags ?? {},
        accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
        upgradePolicy: { supportType: "STANDARD" },
      },
      nodegroups: [],
      addons: [
        addon("vpc-cni", {
          serviceAccountRoleArn: `arn:aws:iam::${this.account}:role/${spec.name}-vpc-cni`,
          ...(spec.cniConfiguration === undefined ? {} : { configurationValues: spec.cniConfiguration }),
        }),
        addon("coredns"),
        addon("kube-proxy"),
      ],
    };
    this.clusters.push(estate);
    return { name: spec.name, version: spec.version, estate };
  }

  nodegroup(cluster: ClusterRef, spec: NodegroupSpec): Wire<Nodegroup> {
    const id = uuid(this.account, cluster.name, spec.name);
    const release = RELEASE_VERSIONS[cluster.version];
    const releaseVersion = spec.amiType.startsWith("BOTTLEROCKET") ? release.bottlerocket : release.stock;
    const ng: Wire<Nodegroup> = {
      nodegroupName: spec.name,
      nodegroupArn: this.arn("eks", `nodegroup/${cluster.name}/${spec.name}/${id}`),
      clusterName: cluster.name,
      version: cluster.version,
      ...(spec.amiType === "CUSTOM" ? {} : { releaseVersion }),
      createdAt: spec.createdAt,
      modifiedAt: "2025-06-02T08:10:31.000Z",
      status: spec.status ?? "ACTIVE",
      capacityType: "ON_DEMAND",
      scalingConfig: {
        minSize: spec.scaling.min,
        maxSize: spec.scaling.max,
        desiredSize: spec.scaling.desired,
      },
      ...(spec.instanceTypes === undefined ? {} : { instanceTypes: spec.instanceTypes }),
      subnets: spec.subnets.map((s) => s.id),
      ...(spec.remoteAccess === undefined ? {} : { remoteAccess: { ec2SshKey: spec.remoteAccess.sshKey } }),
      amiType: spec.amiType,
      nodeRole: `arn:aws:iam::${this.account}:role/${cluster.name}-node`,
      labels: spec.labels ?? {},
      resources: {
        autoScalingGroups: [{ name: `eks-${spec.name}-${id}` }],
        ...(spec.remoteAccess === undefined
          ? {}
          : { remoteAccessSecurityGroup: spec.remoteAccess.securityGroup.id }),
      },
      ...(spec.launchTemplate === undefined ? { diskSize: 20 } : {}),
      health: { issues: spec.issues ?? [] },
      updateConfig: { maxUnavailable: 1 },
      ...(spec.launchTemplate === undefined
        ? {}
        : {
            launchTemplate: {
              id: spec.launchTemplate.id,
              name: spec.launchTemplate.name,
              version: spec.launchTemplate.version,
            },
          }),
      tags: {},
    };
    cluster.estate.nodegroups.push(ng);
    return ng;
  }

  /** The ASG name EKS reports for a node group, e.g. for health issue resource ids. */
  autoScalingGroupName(cluster: string, nodegroup: string): string {
    return `eks-${nodegroup}-${uuid(this.account, cluster, nodegroup)}`;
  }

  build(): EstateRegion {
    for (const v of this.vpcs) {
      const mains = this.routeTables.filter(
        (t) => t.VpcId === v.VpcId && t.Associations?.some((a) => a.Main),
      );
      if (mains.length !== 1) throw new Error(`${v.VpcId} has ${mains.length} main route tables`);
    }
    const held = new Map<string, number>();
    for (const eni of this.networkInterfaces) {
      const ips = (eni.PrivateIpAddresses?.length ?? 0) + 16 * (eni.Ipv4Prefixes?.length ?? 0);
      held.set(eni.SubnetId ?? "", (held.get(eni.SubnetId ?? "") ?? 0) + ips);
    }
    const subnets: Wire<Subnet>[] = this.subnets.map(({ ref, tags, public: isPublic, available }) => {
      const usable = parseCidr(ref.cidr).size - 5;
      const inEnis = held.get(ref.id);
      if (available !== undefined && inEnis !== undefined) {
        throw new Error(`${ref.name}: give either ENIs or a fixed available count, not both`);
      }
      return {
        AvailabilityZone: ref.az,
        AvailabilityZoneId: ref.azId,
        AvailableIpAddressCount: available ?? usable - (inEnis ?? 0),
        CidrBlock: ref.cidr,
        DefaultForAz: false,
        MapPublicIpOnLaunch: isPublic,
        MapCustomerOwnedIpOnLaunch: false,
        State: "available",
        SubnetId: ref.id,
        VpcId: ref.vpc.id,
        OwnerId: this.account,
        AssignIpv6AddressOnCreation: false,
        Ipv6CidrBlockAssociationSet: [],
        Ipv6Native: false,
        EnableDns64: false,
        SubnetArn: this.arn("ec2", `subnet/${ref.id}`),
        PrivateDnsNameOptionsOnLaunch: {
          HostnameType: "ip-name",
          EnableResourceNameDnsARecord: false,
          EnableResourceNameDnsAAAARecord: false,
        },
        Tags: Object.entries({ Name: ref.name, ...tags }).map(([Key, Value]) => ({ Key, Value })),
      };
    });
    const securityGroups: Wire<SecurityGroup>[] = this.securityGroups.map((g) => ({
      GroupId: g.ref.id,
      GroupName: g.ref.name,
      Description: g.description,
      OwnerId: this.account,
      VpcId: g.ref.vpc.id,
      SecurityGroupArn: this.arn("ec2", `security-group/${g.ref.id}`),
      IpPermissions: this.permissions(g.ingress),
      IpPermissionsEgress: this.permissions(g.egress),
      Tags: Object.entries(g.tags).map(([Key, Value]) => ({ Key, Value })),
    }));
    return {
      ec2: {
        Vpcs: this.vpcs,
        Subnets: subnets,
        RouteTables: this.routeTables,
        SecurityGroups: securityGroups,
        InstanceTypes: this.instanceTypes,
        LaunchTemplateVersions: this.launchTemplateVersions,
        NetworkInterfaces: this.networkInterfaces,
      },
      eks: { clusters: this.clusters },
    };
  }

  /** Rules grouped by protocol and port range, the way DescribeSecurityGroups reports them. */
  private permissions(rules: SgRule[]): Wire<IpPermission>[] {
    const byKey = new Map<string, Wire<IpPermission>>();
    for (const rule of rules) {
      const key = `${rule.protocol}:${rule.ports?.join("-") ?? "all"}`;
      let perm = byKey.get(key);
      if (perm === undefined) {
        perm = {
          IpProtocol: rule.protocol,
          ...(rule.ports === undefined ? {} : { FromPort: rule.ports[0], ToPort: rule.ports[1] }),
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        };
        byKey.set(key, perm);
      }
      const description = rule.description === undefined ? {} : { Description: rule.description };
      if (rule.cidr !== undefined) perm.IpRanges?.push({ CidrIp: rule.cidr, ...description });
      if (rule.source !== undefined) {
        perm.UserIdGroupPairs?.push({
          GroupId: rule.source.id,
          UserId: this.account,
          ...description,
          ...(rule.peering === undefined
            ? {}
            : { VpcId: rule.source.vpc.id, VpcPeeringConnectionId: rule.peering, PeeringStatus: "active" }),
        });
      }
    }
    return [...byKey.values()];
  }
}

// ---------------------------------------------------------------------------------------------
// real DescribeInstanceTypes answers (the simulator serves the others from shared/data)

const M5_LARGE: Wire<InstanceTypeInfo> = {
  InstanceType: "m5.large",
  CurrentGeneration: true,
  FreeTierEligible: false,
  SupportedUsageClasses: ["on-demand", "spot"],
  SupportedRootDeviceTypes: ["ebs"],
  SupportedVirtualizationTypes: ["hvm"],
  BareMetal: false,
  Hypervisor: "nitro",
  ProcessorInfo: { SupportedArchitectures: ["x86_64"], SustainedClockSpeedInGhz: 3.1, Manufacturer: "Intel" },
  VCpuInfo: {
    DefaultVCpus: 2,
    DefaultCores: 1,
    DefaultThreadsPerCore: 2,
    ValidCores: [1],
    ValidThreadsPerCore: [1, 2],
  },
  MemoryInfo: { SizeInMiB: 8192 },
  InstanceStorageSupported: false,
  EbsInfo: {
    EbsOptimizedSupport: "default",
    EncryptionSupport: "supported",
    EbsOptimizedInfo: {
      BaselineBandwidthInMbps: 650,
      BaselineThroughputInMBps: 81.25,
      BaselineIops: 3600,
      MaximumBandwidthInMbps: 4750,
      MaximumThroughputInMBps: 593.75,
      MaximumIops: 18750,
    },
    NvmeSupport: "required",
  },
  NetworkInfo: {
    NetworkPerformance: "Up to 10 Gigabit",
    MaximumNetworkInterfaces: 3,
    MaximumNetworkCards: 1,
    DefaultNetworkCardIndex: 0,
    NetworkCards: [
      {
        NetworkCardIndex: 0,
        NetworkPerformance: "Up to 10 Gigabit",
        MaximumNetworkInterfaces: 3,
        BaselineBandwidthInGbps: 0.75,
        PeakBandwidthInGbps: 10,
      },
    ],
    Ipv4AddressesPerInterface: 10,
    Ipv6AddressesPerInterface: 10,
    Ipv6Supported: true,
    EnaSupport: "required",
    EfaSupported: false,
    EncryptionInTransitSupported: false,
    EnaSrdSupported: false,
  },
  PlacementGroupInfo: { SupportedStrategies: ["cluster", "partition", "spread"] },
  HibernationSupported: true,
  BurstablePerformanceSupported: false,
  DedicatedHostsSupported: true,
  AutoRecoverySupported: true,
  SupportedBootModes: ["legacy-bios", "uefi"],
  NitroEnclavesSupport: "supported",
  NitroTpmSupport: "supported",
  NitroTpmInfo: { SupportedVersions: ["2.0"] },
  PhcSupport: "supported",
};

const T3_LARGE: Wire<InstanceTypeInfo> = {
  InstanceType: "t3.large",
  CurrentGeneration: true,
  FreeTierEligible: false,
  SupportedUsageClasses: ["on-demand", "spot"],
  SupportedRootDeviceTypes: ["ebs"],
  SupportedVirtualizationTypes: ["hvm"],
  BareMetal: false,
  Hypervisor: "nitro",
  ProcessorInfo: { SupportedArchitectures: ["x86_64"], SustainedClockSpeedInGhz: 2.5, Manufacturer: "Intel" },
  VCpuInfo: {
    DefaultVCpus: 2,
    DefaultCores: 1,
    DefaultThreadsPerCore: 2,
    ValidCores: [1],
    ValidThreadsPerCore: [1, 2],
  },
  MemoryInfo: { SizeInMiB: 8192 },
  InstanceStorageSupported: false,
  EbsInfo: {
    EbsOptimizedSupport: "default",
    EncryptionSupport: "supported",
    EbsOptimizedInfo: {
      BaselineBandwidthInMbps: 695,
      BaselineThroughputInMBps: 86.875,
      BaselineIops: 4000,
      MaximumBandwidthInMbps: 2780,
      MaximumThroughputInMBps: 347.5,
      MaximumIops: 15700,
    },
    NvmeSupport: "required",
  },
  NetworkInfo: {
    NetworkPerformance: "Up to 5 Gigabit",
    MaximumNetworkInterfaces: 3,
    MaximumNetworkCards: 1,
    DefaultNetworkCardIndex: 0,
    NetworkCards: [
      {
        NetworkCardIndex: 0,
        NetworkPerformance: "Up to 5 Gigabit",
        MaximumNetworkInterfaces: 3,
        BaselineBandwidthInGbps: 0.512,
        PeakBandwidthInGbps: 5,
      },
    ],
    Ipv4AddressesPerInterface: 12,
    Ipv6AddressesPerInterface: 12,
    Ipv6Supported: true,
    EnaSupport: "required",
    EfaSupported: false,
    EncryptionInTransitSupported: false,
    EnaSrdSupported: false,
  },
  PlacementGroupInfo: { SupportedStrategies: ["partition", "spread"] },
  HibernationSupported: true,
  BurstablePerformanceSupported: true,
  DedicatedHostsSupported: false,
  AutoRecoverySupported: true,
  SupportedBootModes: ["legacy-bios", "uefi"],
  NitroEnclavesSupport: "unsupported",
  NitroTpmSupport: "supported",
  NitroTpmInfo: { SupportedVersions: ["2.0"] },
  PhcSupport: "supported",
};

// ---------------------------------------------------------------------------------------------
// 111122223333 platform-prod

/** eu-west-1: platform-prod-euw1, HEALTHY (AL2023; one node group with its own, correct SGs). */
function platformProdEuWest1(): EstateRegion {
  const r = new RegionBuilder(PLATFORM, EU);
  const vpc = r.vpc("platform-prod", "10.10.0.0/16");
  const role = {
    elb: { "kubernetes.io/role/elb": "1" },
    internal: { "kubernetes.io/role/internal-elb": "1" },
  };
  const own = { "kubernetes.io/cluster/platform-prod-euw1": "owned" };
  const public1a = r.subnet(vpc, {
    name: "platform-prod-public-1a",
    zone: "a",
    cidr: "10.10.0.0/24",
    tags: role.elb,
    available: 243,
    public: true,
  });
  const public1b = r.subnet(vpc, {
    name: "platform-prod-public-1b",
    zone: "b",
    cidr: "10.10.1.0/24",
    tags: role.elb,
    available: 246,
    public: true,
  });
  const public1c = r.subnet(vpc, {
    name: "platform-prod-public-1c",
    zone: "c",
    cidr: "10.10.2.0/24",
    tags: role.elb,
    available: 247,
    public: true,
  });
  const private1a = r.subnet(vpc, {
    name: "platform-prod-private-1a",
    zone: "a",
    cidr: "10.10.32.0/19",
    tags: { ...role.internal, ...own },
  });
  const private1b = r.subnet(vpc, {
    name: "platform-prod-private-1b",
    zone: "b",
    cidr: "10.10.64.0/19",
    tags: { ...role.internal, ...own },
  });
  const private1c = r.subnet(vpc, {
    name: "platform-prod-private-1c",
    zone: "c",
    cidr: "10.10.96.0/19",
    tags: role.internal,
  });
  r.publicRouteTable(vpc, r.internetGateway(vpc), [public1a, public1b, public1c]);
  r.privateRouteTable(vpc, "platform-prod-private-1a", r.natGateway(public1a), [private1a]);
  r.privateRouteTable(vpc, "platform-prod-private-1b", r.natGateway(public1b), [private1b]);
  // private-1c has no explicit association: it routes through the main table's NAT route.
  r.mainRouteTable(vpc, [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: r.natGateway(public1c) }]);

  const clusterSg = r.clusterSecurityGroup(vpc, "platform-prod-euw1");
  const controlPlaneSg = r.securityGroup(
    vpc,
    "platform-prod-euw1-control-plane",
    "Extra rules for the EKS API endpoint",
  );
  r.allow(controlPlaneSg, {
    protocol: "tcp",
    ports: [443, 443],
    cidr: "10.0.0.0/8",
    description: "corporate network",
  });
  const appsSg = r.securityGroup(vpc, "platform-prod-euw1-apps-nodes", "Nodes of the apps node group", {
    "kubernetes.io/cluster/platform-prod-euw1": "owned",
  });
  r.allowControlPlane(appsSg, clusterSg);

  const systemLt = r.launchTemplate("platform-prod-euw1-system", [
    {
      description: "AL2023 with system reservations",
      createdAt: "2025-02-11T09:30:00.000Z",
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
  ]);
  const appsLt = r.launchTemplate("platform-prod-euw1-apps", [
    {
      description: "dedicated node SG",
      createdAt: "2025-02-11T09:30:00.000Z",
      securityGroups: [appsSg],
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
    {
      description: "dedicated node SG, full evictionHard",
      createdAt: "2025-04-03T14:12:00.000Z",
      securityGroups: [appsSg],
      userData: al2023NodeConfig({
        systemReserved: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "2Gi" },
        evictionHard: FULL_EVICTION_HARD,
      }),
    },
  ]);

  const cluster = r.cluster({
    name: "platform-prod-euw1",
    version: "1.33",
    vpc,
    subnets: [private1a, private1b, private1c],
    clusterSg,
    additionalSgs: [controlPlaneSg],
    createdAt: "2023-09-14T07:55:12.000Z",
    cniConfiguration: JSON.stringify({ env: { WARM_IP_TARGET: "2", MINIMUM_IP_TARGET: "10" } }),
    tags: { team: "platform", env: "prod" },
  });
  r.nodegroup(cluster, {
    name: "system",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [private1a, private1b, private1c],
    scaling: { min: 3, max: 6, desired: 3 },
    launchTemplate: systemLt,
    createdAt: "2025-02-11T09:41:00.000Z",
    labels: { role: "system" },
  });
  r.nodegroup(cluster, {
    name: "apps",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.xlarge"],
    subnets: [private1a, private1b, private1c],
    scaling: { min: 3, max: 30, desired: 6 },
    launchTemplate: appsLt,
    createdAt: "2025-02-11T09:44:00.000Z",
    labels: { role: "apps" },
  });

  // Every address user of the three private subnets, so their free counts follow from these ENIs.
  r.controlPlaneEni(cluster, private1a, [clusterSg, controlPlaneSg]);
  r.controlPlaneEni(cluster, private1b, [clusterSg, controlPlaneSg]);
  for (const subnet of [private1a, private1b, private1c]) {
    // WARM_IP_TARGET=2, MINIMUM_IP_TARGET=10: m6i.large ~8 pods → 10 pod IPs; m6i.xlarge ~20 pods → 22.
    r.node(cluster, "system", subnet, [clusterSg], [10, 2]);
    r.node(cluster, "apps", subnet, [appsSg], [15, 9]);
    r.node(cluster, "apps", subnet, [appsSg], [15, 9]);
  }
  return r.build();
}

/**
 * us-east-1: edge-use1 carries every elb.* problem in one VPC; tools-use1 has the node.* problems,
 * prefix fragmentation and an AZ with nodes but no load-balancer subnet.
 */
function platformProdUsEast1(): EstateRegion {
  const r = new RegionBuilder(PLATFORM, US);

  // --- edge-use1 -----------------------------------------------------------------------------
  const edge = r.vpc("edge", "10.20.0.0/16");
  const elb = { "kubernetes.io/role/elb": "1" };
  const edgePublic1a = r.subnet(edge, {
    name: "edge-public-1a",
    zone: "a",
    cidr: "10.20.0.0/24",
    tags: elb,
    available: 241,
    public: true,
  });
  const edgePublic1b = r.subnet(edge, {
    name: "edge-public-1b",
    zone: "b",
    cidr: "10.20.1.0/24",
    tags: { ...elb, "kubernetes.io/cluster/tools-use1": "shared" },
    available: 246,
    public: true,
  });
  const edgePublic1c = r.subnet(edge, {
    name: "edge-public-1c",
    zone: "c",
    cidr: "10.20.2.0/24",
    // A typo for kubernetes.io/cluster/edge-use1: the prefix still matches, so LBC skips the subnet.
    tags: { ...elb, "kubernetes.io/cluster-edge-use1": "owned" },
    available: 247,
    public: true,
  });
  r.subnet(edge, {
    name: "edge-internal-lb-1a",
    zone: "a",
    cidr: "10.20.3.0/28",
    tags: { "kubernetes.io/role/internal-elb": "1" },
    available: 3,
  });
  r.subnet(edge, {
    name: "edge-internal-lb-1b",
    zone: "b",
    cidr: "10.20.3.16/28",
    tags: { "kubernetes.io/role/internal-elb": "1" },
    available: 2,
  });
  r.subnet(edge, {
    name: "legacy-eks-nodes-1b",
    zone: "b",
    cidr: "10.20.4.0/24",
    tags: { "kubernetes.io/cluster/legacy-eks-2019": "shared" },
    available: 251,
  });
  const edgePrivate1a = r.subnet(edge, {
    name: "edge-private-1a",
    zone: "a",
    cidr: "10.20.16.0/20",
    tags: elb, // a public-LB role tag on a NAT-only subnet
    available: 3990,
  });
  const edgePrivate1b = r.subnet(edge, {
    name: "edge-private-1b",
    zone: "b",
    cidr: "10.20.32.0/20",
    available: 4011,
  });
  const edgePrivate1c = r.subnet(edge, {
    name: "edge-private-1c",
    zone: "c",
    cidr: "10.20.48.0/20",
    tags: { "kubernetes.io/role/internal-elb": "true" },
    available: 4060,
  });
  r.publicRouteTable(edge, r.internetGateway(edge), [edgePublic1a, edgePublic1b, edgePublic1c]);
  r.privateRouteTable(edge, "edge-private", r.natGateway(edgePublic1a), [edgePrivate1a, edgePrivate1b]);
  // internal-lb-1a/1b, legacy-eks-nodes-1b and private-1c fall back to the main table (NAT, no IGW).
  r.mainRouteTable(edge, [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: r.natGateway(edgePublic1a) }]);

  const edgeClusterSg = r.clusterSecurityGroup(edge, "edge-use1");
  const edgeControlPlaneSg = r.securityGroup(
    edge,
    "edge-use1-control-plane",
    "Extra rules for the EKS API endpoint",
  );
  r.allow(edgeControlPlaneSg, {
    protocol: "tcp",
    ports: [443, 443],
    cidr: "10.0.0.0/8",
    description: "corporate network",
  });
  const ingressLt = r.launchTemplate("edge-use1-ingress", [
    {
      description: "AL2023 with system reservations",
      createdAt: "2025-03-18T11:05:00.000Z",
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
  ]);
  const edgeCluster = r.cluster({
    name: "edge-use1",
    version: "1.33",
    vpc: edge,
    subnets: [edgePrivate1a, edgePrivate1b],
    clusterSg: edgeClusterSg,
    additionalSgs: [edgeControlPlaneSg],
    createdAt: "2024-11-05T16:20:41.000Z",
    cniConfiguration: toYaml({ env: { MINIMUM_IP_TARGET: "10" } }),
    tags: { team: "edge", env: "prod" },
  });
  r.nodegroup(edgeCluster, {
    name: "ingress",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [edgePrivate1a, edgePrivate1b],
    scaling: { min: 2, max: 6, desired: 2 },
    launchTemplate: ingressLt,
    createdAt: "2025-03-18T11:20:00.000Z",
  });
  r.nodegroup(edgeCluster, {
    name: "workers",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [edgePrivate1a, edgePrivate1b, edgePrivate1c],
    scaling: { min: 3, max: 12, desired: 3 },
    createdAt: "2024-11-05T16:48:13.000Z",
  });

  // --- tools-use1 ----------------------------------------------------------------------------
  const tools = r.vpc("tools", "10.21.0.0/16");
  const toolsPublic1a = r.subnet(tools, {
    name: "tools-public-1a",
    zone: "a",
    cidr: "10.21.0.0/24",
    tags: elb,
    available: 245,
    public: true,
  });
  const toolsPublic1b = r.subnet(tools, {
    name: "tools-public-1b",
    zone: "b",
    cidr: "10.21.1.0/24",
    tags: elb,
    available: 248,
    public: true,
  });
  const internalElb = { "kubernetes.io/role/internal-elb": "1" };
  const toolsPrivate1a = r.subnet(tools, {
    name: "tools-private-1a",
    zone: "a",
    cidr: "10.21.8.0/24",
    tags: internalElb,
  });
  const toolsPrivate1b = r.subnet(tools, {
    name: "tools-private-1b",
    zone: "b",
    cidr: "10.21.16.0/20",
    tags: internalElb,
    available: 3950,
  });
  // Added later for capacity; nobody tagged it and no LB subnet exists in us-east-1c.
  const toolsPrivate1c = r.subnet(tools, {
    name: "tools-private-1c",
    zone: "c",
    cidr: "10.21.32.0/20",
    available: 4020,
  });
  r.publicRouteTable(tools, r.internetGateway(tools), [toolsPublic1a, toolsPublic1b]);
  r.privateRouteTable(tools, "tools-private", r.natGateway(toolsPublic1a), [
    toolsPrivate1a,
    toolsPrivate1b,
    toolsPrivate1c,
  ]);
  r.mainRouteTable(tools);

  const toolsClusterSg = r.clusterSecurityGroup(tools, "tools-use1");
  const ciLt = r.launchTemplate("tools-use1-ci-runners", [
    {
      description: "bootstrap",
      createdAt: "2024-06-21T13:00:00.000Z",
      userData: al2Bootstrap("tools-use1", undefined),
    },
    {
      description: "raise the memory eviction threshold for CI",
      createdAt: "2025-05-09T15:47:00.000Z",
      userData: al2Bootstrap("tools-use1", "--eviction-hard=memory.available<200Mi", [
        "# the CI cache warm-up reads the build database",
        `export DB_PASSWORD='${FAKE_USER_DATA_SECRET}'`,
      ]),
    },
  ]);
  const buildersLt = r.launchTemplate("tools-use1-builders", [
    {
      description: "golden AMI for image builders",
      createdAt: "2025-04-28T10:10:00.000Z",
      imageId: awsId("ami", PLATFORM, US, "acme-eks-builder-2025.04"),
      instanceType: "c5.2xlarge",
      userData: [
        "#!/bin/bash",
        "set -euo pipefail",
        "/opt/acme/bin/join-cluster --cluster tools-use1 --profile builders",
        "",
      ].join("\n"),
    },
  ]);
  const agentsLt = r.launchTemplate("tools-use1-platform-agents", [
    {
      description: "move the whole reservation to systemReserved",
      createdAt: "2025-05-30T09:02:00.000Z",
      userData: al2023NodeConfig({
        systemReserved: { cpu: "500m", memory: "1536Mi" },
        kubeReserved: { cpu: "0", memory: "0", "ephemeral-storage": "0" },
      }),
    },
  ]);
  const toolsCluster = r.cluster({
    name: "tools-use1",
    version: "1.31",
    vpc: tools,
    subnets: [toolsPrivate1b, toolsPrivate1c],
    clusterSg: toolsClusterSg,
    additionalSgs: [],
    createdAt: "2022-03-02T12:31:09.000Z",
    cniConfiguration: toYaml({ env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1" } }),
    tags: { team: "platform", env: "prod" },
  });
  r.nodegroup(toolsCluster, {
    name: "ci-runners",
    amiType: "AL2_x86_64",
    instanceTypes: ["m5.large"],
    subnets: [toolsPrivate1a],
    scaling: { min: 1, max: 10, desired: 3 },
    launchTemplate: ciLt,
    createdAt: "2024-06-21T13:09:00.000Z",
  });
  r.nodegroup(toolsCluster, {
    name: "builders-custom",
    amiType: "CUSTOM",
    subnets: [toolsPrivate1b, toolsPrivate1c],
    scaling: { min: 0, max: 4, desired: 1 },
    launchTemplate: buildersLt,
    createdAt: "2025-04-28T10:22:00.000Z",
  });
  r.nodegroup(toolsCluster, {
    name: "platform-agents",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [toolsPrivate1b, toolsPrivate1c],
    scaling: { min: 2, max: 6, desired: 2 },
    launchTemplate: agentsLt,
    createdAt: "2025-05-30T09:15:00.000Z",
  });

  // tools-private-1a (10.21.8.0/24) is sixteen aligned /28 blocks. The two ci-runners nodes from before
  // prefix delegation hold 40 scattered secondary IPs, the newest node took the last two free blocks as
  // prefixes: every block has an address in use, yet 251 - 73 = 178 addresses are free.
  const { base } = parseCidr(toolsPrivate1a.cidr);
  const blocksWithSingles = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15];
  const scattered = Array.from({ length: 41 }, (_, i) => {
    const block = blocksWithSingles[i % blocksWithSingles.length] ?? 0;
    return intToIp(base + 16 * block + 5 + 4 * Math.floor(i / blocksWithSingles.length));
  });
  const preDelegation = "2025-04-14T06:00:00.000Z";
  r.node(
    toolsCluster,
    "ci-runners",
    toolsPrivate1a,
    [toolsClusterSg],
    [scattered.slice(0, 10), scattered.slice(10, 20)],
    {
      launchedAt: preDelegation,
    },
  );
  r.node(
    toolsCluster,
    "ci-runners",
    toolsPrivate1a,
    [toolsClusterSg],
    [scattered.slice(20, 30), scattered.slice(30, 40)],
    {
      launchedAt: preDelegation,
    },
  );
  r.node(toolsCluster, "ci-runners", toolsPrivate1a, [toolsClusterSg], [scattered.slice(40, 41)], {
    prefixes: [`${intToIp(base + 96)}/28`, `${intToIp(base + 112)}/28`],
    launchedAt: "2025-06-02T08:14:09.000Z",
  });

  return r.build();
}

// ---------------------------------------------------------------------------------------------
// 222233334444 payments-prod

/** eu-west-1: payments-euw1, the sg.* and ip.* problems plus a DEGRADED node group. */
function paymentsProdEuWest1(): EstateRegion {
  const r = new RegionBuilder(PAYMENTS, EU);
  r.instanceType(M5_LARGE);
  const vpc = r.vpc("payments", "10.30.0.0/16");
  const elb = { "kubernetes.io/role/elb": "1" };
  const internalElb = { "kubernetes.io/role/internal-elb": "1" };
  const public1a = r.subnet(vpc, {
    name: "payments-public-1a",
    zone: "a",
    cidr: "10.30.0.0/24",
    tags: elb,
    available: 243,
    public: true,
  });
  const public1b = r.subnet(vpc, {
    name: "payments-public-1b",
    zone: "b",
    cidr: "10.30.1.0/24",
    tags: elb,
    available: 246,
    public: true,
  });
  const public1c = r.subnet(vpc, {
    name: "payments-public-1c",
    zone: "c",
    cidr: "10.30.2.0/24",
    tags: elb,
    available: 247,
    public: true,
  });
  const controlPlane1a = r.subnet(vpc, {
    name: "payments-control-plane-1a",
    zone: "a",
    cidr: "10.30.3.0/28",
    available: 3,
  });
  const controlPlane1b = r.subnet(vpc, {
    name: "payments-control-plane-1b",
    zone: "b",
    cidr: "10.30.3.64/26",
    available: 52,
  });
  const batch1a = r.subnet(vpc, { name: "payments-batch-1a", zone: "a", cidr: "10.30.4.0/24", available: 4 });
  const web1b = r.subnet(vpc, { name: "payments-web-1b", zone: "b", cidr: "10.30.5.0/24", available: 50 });
  const web1c = r.subnet(vpc, { name: "payments-web-1c", zone: "c", cidr: "10.30.6.0/24", available: 54 });
  const ledger1a = r.subnet(vpc, {
    name: "payments-ledger-1a",
    zone: "a",
    cidr: "10.30.8.0/22",
    tags: internalElb,
    available: 990,
  });
  const ledger1b = r.subnet(vpc, {
    name: "payments-ledger-1b",
    zone: "b",
    cidr: "10.30.12.0/22",
    tags: internalElb,
    available: 1001,
  });
  const ledger1c = r.subnet(vpc, {
    name: "payments-ledger-1c",
    zone: "c",
    cidr: "10.30.16.0/22",
    tags: internalElb,
    available: 1003,
  });
  r.subnet(vpc, { name: "payments-db-1a", zone: "a", cidr: "10.30.20.0/24", available: 247 });
  r.subnet(vpc, { name: "payments-db-1b", zone: "b", cidr: "10.30.21.0/24", available: 248 });
  r.publicRouteTable(vpc, r.internetGateway(vpc), [public1a, public1b, public1c]);
  r.privateRouteTable(vpc, "payments-private", r.natGateway(public1a), [
    batch1a,
    web1b,
    web1c,
    ledger1a,
    ledger1b,
    ledger1c,
  ]);
  // Control-plane and database subnets have no association: the main table, local routes only.
  r.mainRouteTable(vpc);

  const clusterSg = r.clusterSecurityGroup(vpc, "payments-euw1");
  const controlPlaneSg = r.securityGroup(
    vpc,
    "payments-euw1-control-plane",
    "Extra rules for the EKS API endpoint",
  );
  r.allow(controlPlaneSg, { protocol: "tcp", ports: [443, 443], cidr: "10.255.0.0/16", description: "VPN" });
  const webSg = r.securityGroup(vpc, "payments-web-nodes", "Nodes of the web node group");
  r.allowControlPlane(webSg, clusterSg);
  r.allow(webSg, {
    protocol: "tcp",
    ports: [30000, 32767],
    cidr: "0.0.0.0/0",
    description: "NodePorts for the legacy CLB",
  });
  const albSg = r.securityGroup(vpc, "payments-internal-alb", "Internal ALB in front of the ledger");
  r.allow(albSg, { protocol: "tcp", ports: [443, 443], cidr: "10.30.0.0/16" });
  // Replaced the cluster SG in launch template v3 without any control-plane rule.
  const ledgerSg = r.securityGroup(vpc, "payments-ledger-nodes", "Nodes of the ledger node group");
  r.allow(ledgerSg, { protocol: "-1", source: ledgerSg, description: "node to node" });
  r.allow(ledgerSg, {
    protocol: "tcp",
    ports: [8443, 8443],
    source: albSg,
    description: "ledger API from the ALB",
  });
  const remoteAccessSg = r.remoteAccessSecurityGroup(vpc, "payments-euw1", "batch");
  const rdsSg = r.securityGroup(vpc, "rds-orders", "RDS PostgreSQL orders database");
  r.allow(rdsSg, { protocol: "tcp", ports: [5432, 5432], source: clusterSg, description: "EKS nodes" });

  const webLt = r.launchTemplate("payments-euw1-web", [
    { description: "dedicated node SG", createdAt: "2024-08-06T08:00:00.000Z", securityGroups: [webSg] },
  ]);
  const ledgerLt = r.launchTemplate("payments-euw1-ledger", [
    {
      description: "AL2023 with system reservations",
      createdAt: "2024-10-01T10:00:00.000Z",
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
    {
      description: "bigger system reservation",
      createdAt: "2025-01-15T10:00:00.000Z",
      userData: al2023NodeConfig({ systemReserved: { ...SYSTEM_RESERVED, memory: "1536Mi" } }),
    },
    {
      description: "dedicated ledger SG on eth0",
      createdAt: "2025-05-27T17:45:00.000Z",
      interfaceGroups: [ledgerSg],
      userData: al2023NodeConfig({ systemReserved: { ...SYSTEM_RESERVED, memory: "1536Mi" } }),
    },
  ]);

  const cluster = r.cluster({
    name: "payments-euw1",
    version: "1.32",
    vpc,
    subnets: [controlPlane1a, controlPlane1b],
    clusterSg,
    additionalSgs: [controlPlaneSg],
    createdAt: "2021-05-17T09:12:55.000Z",
    tags: { team: "payments", env: "prod" },
  });
  r.nodegroup(cluster, {
    name: "web",
    amiType: "AL2_x86_64",
    instanceTypes: ["m5.xlarge"],
    subnets: [web1b, web1c],
    scaling: { min: 2, max: 20, desired: 4 },
    launchTemplate: webLt,
    createdAt: "2024-08-06T08:20:00.000Z",
  });
  r.nodegroup(cluster, {
    name: "batch",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m5.large"],
    subnets: [batch1a],
    scaling: { min: 1, max: 8, desired: 3 },
    remoteAccess: { sshKey: "payments-ops", securityGroup: remoteAccessSg },
    createdAt: "2023-02-20T14:03:00.000Z",
    status: "DEGRADED",
    issues: [
      {
        code: "AsgInstanceLaunchFailures",
        message: `Could not launch On-Demand Instances. InsufficientFreeAddressesInSubnet - There are not enough free addresses in subnet '${batch1a.id}' to satisfy the requested number of instances. Launching EC2 instance failed.`,
        resourceIds: [r.autoScalingGroupName("payments-euw1", "batch")],
      },
      {
        code: "InsufficientFreeAddresses",
        message:
          "One or more of the subnets associated with your managed node group does not have enough available IP addresses for new nodes.",
        resourceIds: [batch1a.id],
      },
    ],
  });
  r.nodegroup(cluster, {
    name: "ledger",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [ledger1a, ledger1b, ledger1c],
    scaling: { min: 3, max: 9, desired: 3 },
    launchTemplate: ledgerLt,
    createdAt: "2024-10-01T10:30:00.000Z",
  });
  return r.build();
}

/** us-east-1: payments-dr-use1, healthy data, but DescribeRouteTables fails here (faults.failingCalls). */
function paymentsProdUsEast1(): EstateRegion {
  const r = new RegionBuilder(PAYMENTS, US);
  const vpc = r.vpc("payments-dr", "10.31.0.0/16");
  const elb = { "kubernetes.io/role/elb": "1" };
  const internalElb = { "kubernetes.io/role/internal-elb": "1" };
  const public1a = r.subnet(vpc, {
    name: "payments-dr-public-1a",
    zone: "a",
    cidr: "10.31.0.0/24",
    tags: elb,
    available: 246,
    public: true,
  });
  const public1b = r.subnet(vpc, {
    name: "payments-dr-public-1b",
    zone: "b",
    cidr: "10.31.1.0/24",
    tags: elb,
    available: 247,
    public: true,
  });
  const private1a = r.subnet(vpc, {
    name: "payments-dr-private-1a",
    zone: "a",
    cidr: "10.31.16.0/20",
    tags: internalElb,
    available: 4051,
  });
  const private1b = r.subnet(vpc, {
    name: "payments-dr-private-1b",
    zone: "b",
    cidr: "10.31.32.0/20",
    tags: internalElb,
    available: 4060,
  });
  r.publicRouteTable(vpc, r.internetGateway(vpc), [public1a, public1b]);
  r.privateRouteTable(vpc, "payments-dr-private", r.natGateway(public1a), [private1a, private1b]);
  r.mainRouteTable(vpc);

  const clusterSg = r.clusterSecurityGroup(vpc, "payments-dr-use1");
  const lt = r.launchTemplate("payments-dr-use1-standby", [
    {
      description: "AL2023 with system reservations",
      createdAt: "2025-01-20T12:00:00.000Z",
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
  ]);
  const cluster = r.cluster({
    name: "payments-dr-use1",
    version: "1.33",
    vpc,
    subnets: [private1a, private1b],
    clusterSg,
    additionalSgs: [],
    createdAt: "2025-01-20T11:31:07.000Z",
    tags: { team: "payments", env: "dr" },
  });
  r.nodegroup(cluster, {
    name: "standby",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [private1a, private1b],
    scaling: { min: 2, max: 10, desired: 2 },
    launchTemplate: lt,
    createdAt: "2025-01-20T12:10:00.000Z",
  });
  return r.build();
}

// ---------------------------------------------------------------------------------------------
// 333344445555 data-staging (us-east-1 is not enabled: faults.regionsNotEnabled)

/**
 * eu-west-1: etl-staging (security groups for pods in strict mode, a t3 node group, a Redis in the
 * peered shared-data VPC open to its node SG) and analytics-staging, HEALTHY (Bottlerocket and AL2).
 */
function dataStagingEuWest1(): EstateRegion {
  const r = new RegionBuilder(DATA, EU);
  r.instanceType(T3_LARGE);
  const elb = { "kubernetes.io/role/elb": "1" };
  const internalElb = { "kubernetes.io/role/internal-elb": "1" };
  const peering = r.peeringConnection("etl-to-shared-data");

  // --- etl-staging ---------------------------------------------------------------------------
  const etl = r.vpc("etl", "10.40.0.0/16");
  const etlOwn = { ...internalElb, "kubernetes.io/cluster/etl-staging": "owned" };
  const etlPublic1a = r.subnet(etl, {
    name: "etl-public-1a",
    zone: "a",
    cidr: "10.40.0.0/24",
    tags: elb,
    available: 246,
    public: true,
  });
  const etlPublic1b = r.subnet(etl, {
    name: "etl-public-1b",
    zone: "b",
    cidr: "10.40.1.0/24",
    tags: elb,
    available: 248,
    public: true,
  });
  const etlPrivate1a = r.subnet(etl, {
    name: "etl-private-1a",
    zone: "a",
    cidr: "10.40.16.0/20",
    tags: etlOwn,
  });
  const etlPrivate1b = r.subnet(etl, {
    name: "etl-private-1b",
    zone: "b",
    cidr: "10.40.32.0/20",
    tags: etlOwn,
  });
  r.publicRouteTable(etl, r.internetGateway(etl), [etlPublic1a, etlPublic1b]);
  r.privateRouteTable(
    etl,
    "etl-private",
    r.natGateway(etlPublic1a),
    [etlPrivate1a, etlPrivate1b],
    [{ DestinationCidrBlock: "10.41.0.0/16", VpcPeeringConnectionId: peering }],
  );
  r.mainRouteTable(etl);

  const etlClusterSg = r.clusterSecurityGroup(etl, "etl-staging");
  const etlControlPlaneSg = r.securityGroup(
    etl,
    "etl-staging-control-plane",
    "Extra rules for the EKS API endpoint",
  );
  r.allow(etlControlPlaneSg, {
    protocol: "tcp",
    ports: [443, 443],
    cidr: "10.0.0.0/8",
    description: "corporate network",
  });
  const sparkSg = r.securityGroup(etl, "etl-spark-nodes", "Nodes of the spark node group");
  r.allowControlPlane(sparkSg, etlClusterSg);
  const writerPodsSg = r.securityGroup(etl, "etl-feature-writer-pods", "SecurityGroupPolicy feature-writer");
  r.allow(writerPodsSg, {
    protocol: "tcp",
    ports: [8080, 8080],
    source: sparkSg,
    description: "kubelet probes",
  });

  const sparkLt = r.launchTemplate("etl-staging-spark", [
    {
      description: "dedicated node SG on eth0",
      createdAt: "2025-03-03T08:00:00.000Z",
      interfaceGroups: [sparkSg],
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
  ]);
  const etlCluster = r.cluster({
    name: "etl-staging",
    version: "1.32",
    vpc: etl,
    subnets: [etlPrivate1a, etlPrivate1b],
    clusterSg: etlClusterSg,
    additionalSgs: [etlControlPlaneSg],
    createdAt: "2024-04-09T13:37:21.000Z",
    cniConfiguration: JSON.stringify({
      env: { ENABLE_POD_ENI: "true", POD_SECURITY_GROUP_ENFORCING_MODE: "strict" },
      init: { env: { DISABLE_TCP_EARLY_DEMUX: "true" } },
    }),
    tags: { team: "data", env: "staging" },
  });
  r.nodegroup(etlCluster, {
    name: "spark",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m5.xlarge"],
    subnets: [etlPrivate1a, etlPrivate1b],
    scaling: { min: 2, max: 10, desired: 2 },
    launchTemplate: sparkLt,
    createdAt: "2025-03-03T08:15:00.000Z",
  });
  r.nodegroup(etlCluster, {
    name: "airflow",
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["t3.large"],
    subnets: [etlPrivate1a, etlPrivate1b],
    scaling: { min: 2, max: 4, desired: 2 },
    createdAt: "2024-04-09T14:02:00.000Z",
  });

  // All address users of the two private subnets: control plane, spark nodes with trunk ENIs and
  // feature-writer pods on branch ENIs (pod SG + node SG), airflow nodes.
  const branchGroups = [writerPodsSg, sparkSg];
  r.controlPlaneEni(etlCluster, etlPrivate1a, [etlClusterSg, etlControlPlaneSg]);
  r.controlPlaneEni(etlCluster, etlPrivate1b, [etlClusterSg, etlControlPlaneSg]);
  const spark1a = r.node(etlCluster, "spark", etlPrivate1a, [sparkSg], [15, 6], { trunk: true });
  const spark1b = r.node(etlCluster, "spark", etlPrivate1b, [sparkSg], [15, 6], { trunk: true });
  if (spark1a.trunkEniId === undefined || spark1b.trunkEniId === undefined)
    throw new Error("spark nodes need trunks");
  r.branchEni(etlCluster, spark1a.trunkEniId, 1, etlPrivate1a, branchGroups);
  r.branchEni(etlCluster, spark1a.trunkEniId, 2, etlPrivate1a, branchGroups);
  r.branchEni(etlCluster, spark1b.trunkEniId, 1, etlPrivate1b, branchGroups);
  r.node(etlCluster, "airflow", etlPrivate1a, [etlClusterSg], [12, 5]);
  r.node(etlCluster, "airflow", etlPrivate1b, [etlClusterSg], [12, 5]);

  // --- shared-data: no cluster, the ElastiCache Redis the spark nodes reach over peering ----------
  const sharedData = r.vpc("shared-data", "10.41.0.0/16");
  r.subnet(sharedData, { name: "shared-data-1a", zone: "a", cidr: "10.41.0.0/24", available: 240 });
  r.subnet(sharedData, { name: "shared-data-1b", zone: "b", cidr: "10.41.1.0/24", available: 244 });
  r.mainRouteTable(sharedData, [{ DestinationCidrBlock: "10.40.0.0/16", VpcPeeringConnectionId: peering }]);
  const redisSg = r.securityGroup(sharedData, "redis-features", "ElastiCache Redis feature store");
  r.allow(redisSg, {
    protocol: "tcp",
    ports: [6379, 6379],
    source: sparkSg,
    peering,
    description: "etl spark nodes",
  });
  r.allow(redisSg, {
    protocol: "tcp",
    ports: [6379, 6379],
    source: writerPodsSg,
    peering,
    description: "feature-writer pods",
  });

  // --- analytics-staging (HEALTHY) -----------------------------------------------------------
  const analytics = r.vpc("analytics", "10.42.0.0/16");
  const analyticsOwn = { ...internalElb, "kubernetes.io/cluster/analytics-staging": "shared" };
  const anPublic1a = r.subnet(analytics, {
    name: "analytics-public-1a",
    zone: "a",
    cidr: "10.42.0.0/24",
    tags: elb,
    available: 244,
    public: true,
  });
  const anPublic1b = r.subnet(analytics, {
    name: "analytics-public-1b",
    zone: "b",
    cidr: "10.42.1.0/24",
    tags: elb,
    available: 247,
    public: true,
  });
  const anPrivate1a = r.subnet(analytics, {
    name: "analytics-private-1a",
    zone: "a",
    cidr: "10.42.32.0/20",
    tags: analyticsOwn,
    available: 4012,
  });
  const anPrivate1b = r.subnet(analytics, {
    name: "analytics-private-1b",
    zone: "b",
    cidr: "10.42.48.0/20",
    tags: analyticsOwn,
    available: 4023,
  });
  // Default-VPC style: the public subnets have no association and get their IGW route from the main table.
  r.mainRouteTable(analytics, [
    { DestinationCidrBlock: "0.0.0.0/0", GatewayId: r.internetGateway(analytics) },
  ]);
  r.privateRouteTable(analytics, "analytics-private-1a", r.natGateway(anPublic1a), [anPrivate1a]);
  r.privateRouteTable(analytics, "analytics-private-1b", r.natGateway(anPublic1b), [anPrivate1b]);

  const anClusterSg = r.clusterSecurityGroup(analytics, "analytics-staging");
  const bastionSg = r.securityGroup(analytics, "analytics-bastion", "SSM bastion for analysts");
  r.allow(bastionSg, { protocol: "tcp", ports: [22, 22], cidr: "10.255.0.0/16", description: "VPN" });
  const warehouseSg = r.securityGroup(analytics, "rds-warehouse", "RDS PostgreSQL warehouse");
  r.allow(warehouseSg, {
    protocol: "tcp",
    ports: [5432, 5432],
    source: bastionSg,
    description: "analysts via bastion",
  });

  const queryLt = r.launchTemplate("analytics-staging-query", [
    {
      description: "Bottlerocket with reservations and complete eviction thresholds",
      createdAt: "2025-02-24T09:00:00.000Z",
      userData: [
        "[settings.kubernetes.system-reserved]",
        'cpu = "250m"',
        'memory = "1Gi"',
        'ephemeral-storage = "1Gi"',
        "",
        "[settings.kubernetes.eviction-hard]",
        '"memory.available" = "300Mi"',
        '"nodefs.available" = "10%"',
        '"imagefs.available" = "15%"',
        '"nodefs.inodesFree" = "5%"',
        "",
        "[settings.host-containers.admin]",
        "enabled = false",
        "",
      ].join("\n"),
    },
  ]);
  const ingestLt = r.launchTemplate("analytics-staging-ingest", [
    {
      description: "AL2 with a system reservation",
      createdAt: "2025-02-24T09:05:00.000Z",
      userData: al2Bootstrap("analytics-staging", "--system-reserved=cpu=250m,memory=1Gi"),
    },
  ]);
  const anCluster = r.cluster({
    name: "analytics-staging",
    version: "1.32",
    vpc: analytics,
    subnets: [anPrivate1a, anPrivate1b],
    clusterSg: anClusterSg,
    additionalSgs: [],
    createdAt: "2025-02-24T08:30:44.000Z",
    tags: { team: "data", env: "staging" },
  });
  r.nodegroup(anCluster, {
    name: "query",
    amiType: "BOTTLEROCKET_x86_64",
    instanceTypes: ["r6i.large"],
    subnets: [anPrivate1a, anPrivate1b],
    scaling: { min: 2, max: 8, desired: 3 },
    launchTemplate: queryLt,
    createdAt: "2025-02-24T09:20:00.000Z",
  });
  r.nodegroup(anCluster, {
    name: "ingest",
    amiType: "AL2_x86_64",
    instanceTypes: ["m6i.large"],
    subnets: [anPrivate1a, anPrivate1b],
    scaling: { min: 1, max: 4, desired: 2 },
    launchTemplate: ingestLt,
    createdAt: "2025-02-24T09:25:00.000Z",
  });
  return r.build();
}

// ---------------------------------------------------------------------------------------------
// 555566667777 shared-services: scanned, no clusters

/** eu-west-1: a transit VPC and nothing for EKS. */
function sharedServicesEuWest1(): EstateRegion {
  const r = new RegionBuilder(SHARED, EU);
  const vpc = r.vpc("shared-services", "10.50.0.0/16");
  r.subnet(vpc, { name: "shared-services-1a", zone: "a", cidr: "10.50.0.0/22", available: 1003 });
  r.subnet(vpc, { name: "shared-services-1b", zone: "b", cidr: "10.50.4.0/22", available: 1011 });
  r.mainRouteTable(vpc, [
    { DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: awsId("tgw", SHARED, EU, "core") },
  ]);
  const endpointsSg = r.securityGroup(vpc, "vpc-endpoints", "Interface endpoints");
  r.allow(endpointsSg, { protocol: "tcp", ports: [443, 443], cidr: "10.0.0.0/8" });
  return r.build();
}

/** us-east-1: nothing at all (the default VPC was deleted). */
function sharedServicesUsEast1(): EstateRegion {
  return new RegionBuilder(SHARED, US).build();
}

// ---------------------------------------------------------------------------------------------
// the organization

function account(
  id: string,
  name: string,
  state: "ACTIVE" | "SUSPENDED",
  joined: string,
  method: "CREATED" | "INVITED",
): Wire<Account> {
  return {
    Id: id,
    Arn: `arn:aws:organizations::${PLATFORM}:account/${ORG_ID}/${id}`,
    Email: `aws+${name}@example.com`,
    Name: name,
    Status: state,
    State: state,
    JoinedMethod: method,
    JoinedTimestamp: joined,
  };
}

export function buildSampleEstate(): Estate {
  return {
    version: 1,
    organization: {
      managementAccountId: PLATFORM,
      accounts: [
        account(PLATFORM, "platform-prod", "ACTIVE", "2019-03-04T10:00:00.000Z", "INVITED"),
        account(PAYMENTS, "payments-prod", "ACTIVE", "2019-06-11T09:12:00.000Z", "CREATED"),
        account(DATA, "data-staging", "ACTIVE", "2021-01-26T15:40:00.000Z", "CREATED"),
        account(SANDBOX, "sandbox", "ACTIVE", "2022-09-05T08:00:00.000Z", "CREATED"),
        account(SHARED, "shared-services", "ACTIVE", "2020-02-17T12:30:00.000Z", "CREATED"),
        account(ARCHIVE, "legacy-archive", "SUSPENDED", "2019-08-30T14:00:00.000Z", "CREATED"),
      ],
    },
    accounts: {
      [PLATFORM]: { regions: { [EU]: platformProdEuWest1(), [US]: platformProdUsEast1() } },
      [PAYMENTS]: { regions: { [EU]: paymentsProdEuWest1(), [US]: paymentsProdUsEast1() } },
      [DATA]: { regions: { [EU]: dataStagingEuWest1() } },
      // The member role cannot be assumed here (faults.assumeRoleDenied): nothing to describe.
      [SANDBOX]: { regions: {} },
      [SHARED]: { regions: { [EU]: sharedServicesEuWest1(), [US]: sharedServicesUsEast1() } },
    },
    faults: {
      assumeRoleDenied: [SANDBOX],
      regionsNotEnabled: { [DATA]: [US] },
      failingCalls: [
        { accountId: PAYMENTS, region: US, operation: "DescribeRouteTables", errorCode: "InternalError" },
      ],
    },
  };
}

const LINE_WIDTH = 110;

/**
 * JSON with 2-space indent laid out the way the project's formatter (Biome) lays it out, so the file
 * passes `biome check`: objects always expanded, arrays of scalars on one line when they fit.
 */
export function formatEstateJson(value: unknown): string {
  const render = (v: unknown, indent: string, column: number, trailing: number): string => {
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      if (v.every((item) => item === null || typeof item !== "object")) {
        const flat = `[${v.map((item) => JSON.stringify(item)).join(", ")}]`;
        if (column + flat.length + trailing <= LINE_WIDTH) return flat;
      }
      const inner = `${indent}  `;
      const lines = v.map((item, i) => {
        const comma = i < v.length - 1 ? 1 : 0;
        return `${inner}${render(item, inner, inner.length, comma)}${comma ? "," : ""}`;
      });
      return `[\n${lines.join("\n")}\n${indent}]`;
    }
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).filter(([, item]) => item !== undefined);
      if (entries.length === 0) return "{}";
      const inner = `${indent}  `;
      const lines = entries.map(([key, item], i) => {
        const head = `${inner}${JSON.stringify(key)}: `;
        const comma = i < entries.length - 1 ? 1 : 0;
        return `${head}${render(item, inner, head.length, comma)}${comma ? "," : ""}`;
      });
      return `{\n${lines.join("\n")}\n${indent}}`;
    }
    return JSON.stringify(v);
  };
  return `${render(value, "", 0, 0)}\n`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(SAMPLE_ESTATE_FILE, formatEstateJson(buildSampleEstate()));
  console.log(`wrote ${SAMPLE_ESTATE_FILE}`);
}
