/**
 * Deterministic synthetic estates for the benchmark: `generateEstate({seed, accounts, regions})`.
 *
 * Shapes follow scripts/build-sample-estate.ts (real SDK output shapes): every account-region has a
 * default VPC; 70 % also run 1–3 EKS clusters, each in its own VPC (sometimes two share one) with
 * 6–12 subnets (public, private, internal-LB and database tiers over three AZs, with role-tag
 * problems and nearly-full subnets mixed in), IGW/NAT route tables, the cluster SG, node and data
 * store SGs, 1–4 managed node groups (half with a launch template carrying AL2 or AL2023 user data),
 * and the vpc-cni add-on with or without configurationValues. Everything derives from the seed and
 * the account/region/cluster labels, so one account-region never depends on another.
 *
 * CLI: `tsx bench/generate-estate.ts --out FILE [--seed N] [--accounts N] [--regions a,b] [--scale N]`
 * streams the estate to FILE one account at a time (the 800-account estate is ~100 MB of JSON).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { LaunchTemplateVersion, RouteTable, SecurityGroup, Subnet, Vpc } from "@aws-sdk/client-ec2";
import type { Addon, Nodegroup } from "@aws-sdk/client-eks";
import type { Account } from "@aws-sdk/client-organizations";
import { stringify as toYaml } from "yaml";
import { intToIp, parseCidr } from "#shared/estate/builder/index.ts";
import type {
  Estate,
  EstateAccount,
  EstateCluster,
  EstateFaults,
  EstateRegion,
  Wire,
} from "#shared/estate/index.ts";

/** The regions scanned, in order: `regions: 4` takes the first four. */
export const REGIONS = [
  "eu-west-1",
  "us-east-1",
  "eu-central-1",
  "us-west-2",
  "ap-southeast-1",
  "eu-north-1",
  "ap-northeast-1",
  "ca-central-1",
] as const;

export interface GenerateOptions {
  seed: number;
  /** ACTIVE accounts (the management account is the first of them). */
  accounts: number;
  /** Region names, or how many of `REGIONS` (default 4). */
  regions?: number | readonly string[];
  /** Share of account-regions without clusters (default 0.3). */
  emptyShare?: number;
  /** Multiplies the subnets and security groups per cluster VPC (default 1): the 3× variant. */
  networkScale?: number;
  faults?: EstateFaults;
}

/** The benchmark's simulator settings: 25 ms per call, EC2-like token buckets. */
export const BENCH_FAULTS: EstateFaults = { latencyMs: 25, throttle: { bucket: 100, refillPerSecond: 20 } };

const ZONES = ["a", "b", "c"] as const;
const CREATED = "2024-09-17T09:30:00.000Z";
const INSTANCE_TYPES = ["m5.large", "m6i.large", "m5.xlarge", "c6i.xlarge", "r6i.large", "t3.large"];
const VERSIONS = ["1.31", "1.32", "1.33"] as const;
const TEAMS = ["payments", "search", "platform", "data", "web", "ml", "risk", "edge"];

// ---------------------------------------------------------------------------------------------
// deterministic randomness

/** A PRNG (mulberry32) seeded from the benchmark seed and a label. */
export class Rng {
  private state: number;

  constructor(seed: number, ...label: string[]) {
    this.state = createHash("sha256")
      .update(`${seed}/${label.join("/")}`)
      .digest()
      .readUInt32BE(0);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}

function hex(length: number, ...label: string[]): string {
  return createHash("sha256").update(label.join("/")).digest("hex").slice(0, length);
}

/** `12-digit` account ids, unique per index and seed. */
export function accountIdOf(seed: number, index: number): string {
  return String(100_000_000_000 + ((seed % 1000) * 1_000_000 + index) * 97).padStart(12, "0");
}

/** `euw1-az2` for eu-west-1b, the way AWS names zone ids. */
function zoneId(region: string, zone: string): string {
  const [area = "", direction = "", n = ""] = region.split("-");
  return `${area}${direction.slice(0, 1)}${n}-az${ZONES.indexOf(zone as (typeof ZONES)[number]) + 1}`;
}

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

// ---------------------------------------------------------------------------------------------
// one account-region

interface NetSubnet {
  id: string;
  zone: string;
  tier: "public" | "private" | "internal-lb" | "database";
}

interface Sg {
  id: string;
  name: string;
}

/** Collects the EC2 side of one account-region while the clusters are laid out. */
class RegionWriter {
  readonly ec2: EstateRegion["ec2"] = {
    Vpcs: [],
    Subnets: [],
    RouteTables: [],
    SecurityGroups: [],
    InstanceTypes: [],
    LaunchTemplateVersions: [],
    NetworkInterfaces: [],
  };
  readonly clusters: EstateCluster[] = [];

  /** Draws that depend on the number of subnets and SGs: kept apart so that the ×3 variant has the same clusters. */
  readonly net: Rng;

  constructor(
    readonly account: string,
    readonly region: string,
    readonly rng: Rng,
    seed: number,
  ) {
    this.net = new Rng(seed, account, region, "network");
  }

  id(prefix: string, ...label: string[]): string {
    return `${prefix}-0${hex(16, prefix, this.account, this.region, ...label)}`;
  }

  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.account}:${resource}`;
  }

  vpc(name: string, cidr: string): string {
    const id = this.id("vpc", name);
    const vpc: Wire<Vpc> = {
      VpcId: id,
      CidrBlock: cidr,
      State: "available",
      OwnerId: this.account,
      InstanceTenancy: "default",
      IsDefault: name === "default",
      DhcpOptionsId: this.id("dopt", "default"),
      CidrBlockAssociationSet: [
        {
          AssociationId: this.id("vpc-cidr-assoc", name),
          CidrBlock: cidr,
          CidrBlockState: { State: "associated" },
        },
      ],
      Tags: tagList({ Name: name }),
    };
    this.ec2.Vpcs.push(vpc);
    return id;
  }

  subnet(
    vpcId: string,
    spec: { name: string; zone: string; cidr: string; tier: NetSubnet["tier"]; tags: Record<string, string> },
  ): NetSubnet {
    const id = this.id("subnet", spec.name);
    const usable = parseCidr(spec.cidr).size - 5;
    // Fill levels: most subnets roomy, some busy, a few nearly full (what the ip.* rules watch).
    const roll = this.net.next();
    const used =
      roll < 0.1
        ? 0.96 + this.net.next() * 0.04
        : roll < 0.3
          ? 0.6 + this.net.next() * 0.3
          : this.net.next() * 0.5;
    const subnet: Wire<Subnet> = {
      AvailabilityZone: `${this.region}${spec.zone}`,
      AvailabilityZoneId: zoneId(this.region, spec.zone),
      AvailableIpAddressCount: Math.max(0, Math.floor(usable * (1 - used))),
      CidrBlock: spec.cidr,
      DefaultForAz: false,
      MapPublicIpOnLaunch: spec.tier === "public",
      State: "available",
      SubnetId: id,
      VpcId: vpcId,
      OwnerId: this.account,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      SubnetArn: this.arn("ec2", `subnet/${id}`),
      Tags: tagList({ Name: spec.name, ...spec.tags }),
    };
    this.ec2.Subnets.push(subnet);
    return { id, zone: spec.zone, tier: spec.tier };
  }

  routeTable(
    vpcId: string,
    cidr: string,
    name: string,
    target: { igw?: string; nat?: string },
    subnets: NetSubnet[],
    main = false,
  ): void {
    const id = this.id("rtb", vpcId, name);
    const table: Wire<RouteTable> = {
      RouteTableId: id,
      VpcId: vpcId,
      OwnerId: this.account,
      PropagatingVgws: [],
      Associations: [
        ...(main
          ? [
              {
                Main: true,
                RouteTableAssociationId: this.id("rtbassoc", vpcId, name),
                RouteTableId: id,
                AssociationState: { State: "associated" as const },
              },
            ]
          : []),
        ...subnets.map((s) => ({
          Main: false,
          RouteTableAssociationId: this.id("rtbassoc", vpcId, name, s.id),
          RouteTableId: id,
          SubnetId: s.id,
          AssociationState: { State: "associated" as const },
        })),
      ],
      Routes: [
        { DestinationCidrBlock: cidr, GatewayId: "local", Origin: "CreateRouteTable", State: "active" },
        ...(target.igw
          ? [
              {
                DestinationCidrBlock: "0.0.0.0/0",
                GatewayId: target.igw,
                Origin: "CreateRoute" as const,
                State: "active" as const,
              },
            ]
          : []),
        ...(target.nat
          ? [
              {
                DestinationCidrBlock: "0.0.0.0/0",
                NatGatewayId: target.nat,
                Origin: "CreateRoute" as const,
                State: "active" as const,
              },
            ]
          : []),
      ],
      Tags: tagList({ Name: name }),
    };
    this.ec2.RouteTables.push(table);
  }

  securityGroup(
    vpcId: string,
    name: string,
    description: string,
    ingress: {
      protocol: string;
      ports?: [number, number];
      cidr?: string;
      source?: string;
      description?: string;
    }[],
    tags: Record<string, string> = {},
  ): Sg {
    const id = this.id("sg", vpcId, name);
    const permissions = new Map<string, NonNullable<Wire<SecurityGroup>["IpPermissions"]>[number]>();
    for (const rule of ingress) {
      const key = `${rule.protocol}:${rule.ports?.join("-") ?? "all"}`;
      const perm = permissions.get(key) ?? {
        IpProtocol: rule.protocol,
        ...(rule.ports ? { FromPort: rule.ports[0], ToPort: rule.ports[1] } : {}),
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      const description = rule.description ? { Description: rule.description } : {};
      if (rule.cidr) perm.IpRanges?.push({ CidrIp: rule.cidr, ...description });
      if (rule.source)
        perm.UserIdGroupPairs?.push({
          GroupId: rule.source === "self" ? id : rule.source,
          UserId: this.account,
          ...description,
        });
      permissions.set(key, perm);
    }
    this.ec2.SecurityGroups.push({
      GroupId: id,
      GroupName: name,
      Description: description,
      OwnerId: this.account,
      VpcId: vpcId,
      SecurityGroupArn: this.arn("ec2", `security-group/${id}`),
      IpPermissions: [...permissions.values()],
      IpPermissionsEgress: [
        {
          IpProtocol: "-1",
          IpRanges: [{ CidrIp: "0.0.0.0/0" }],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        },
      ],
      Tags: tagList(tags),
    });
    return { id, name };
  }

  launchTemplate(
    name: string,
    data: { userData: string; securityGroups?: string[]; instanceType?: string },
  ): { id: string; name: string; version: string } {
    const id = this.id("lt", name);
    const version: Wire<LaunchTemplateVersion> = {
      LaunchTemplateId: id,
      LaunchTemplateName: name,
      VersionNumber: 1,
      VersionDescription: "managed by terraform",
      CreateTime: CREATED,
      CreatedBy: `arn:aws:sts::${this.account}:assumed-role/platform-deployer/terraform`,
      DefaultVersion: true,
      LaunchTemplateData: {
        ...(data.instanceType ? { InstanceType: data.instanceType as "m5.large" } : {}),
        ...(data.securityGroups ? { SecurityGroupIds: data.securityGroups } : {}),
        UserData: Buffer.from(data.userData, "utf8").toString("base64"),
        BlockDeviceMappings: [
          { DeviceName: "/dev/xvda", Ebs: { VolumeSize: 50, VolumeType: "gp3", Encrypted: true } },
        ],
        MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2, HttpEndpoint: "enabled" },
      },
    };
    this.ec2.LaunchTemplateVersions.push(version);
    return { id, name, version: "1" };
  }
}

/** Lays out non-overlapping subnets inside a /16, largest first. */
class CidrCursor {
  private next: number;

  constructor(private readonly vpcCidr: string) {
    this.next = parseCidr(vpcCidr).base;
  }

  take(prefixLength: number): string {
    const size = 2 ** (32 - prefixLength);
    const start = Math.ceil(this.next / size) * size;
    const vpc = parseCidr(this.vpcCidr);
    if (start + size > vpc.base + vpc.size) throw new Error(`${this.vpcCidr} is full`);
    this.next = start + size;
    return `${intToIp(start)}/${prefixLength}`;
  }
}

/** Role tags as teams leave them: mostly right, sometimes missing, misspelt or meant for another cluster. */
function roleTags(rng: Rng, tier: NetSubnet["tier"], clusters: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  const role =
    tier === "public"
      ? "kubernetes.io/role/elb"
      : tier === "internal-lb" || tier === "private"
        ? "kubernetes.io/role/internal-elb"
        : undefined;
  if (role) {
    const roll = rng.next();
    if (roll < 0.78) tags[role] = "1";
    else if (roll < 0.86) tags[role] = rng.pick(["true", "yes", ""]);
    // else: the tag was "cleaned up"
  }
  if (tier !== "database") {
    for (const c of clusters)
      if (rng.chance(0.5)) tags[`kubernetes.io/cluster/${c}`] = rng.pick(["shared", "owned"]);
    if (rng.chance(0.06)) tags["kubernetes.io/cluster/legacy-eks-2021"] = "shared";
  }
  if (rng.chance(0.5)) tags.team = rng.pick(TEAMS);
  return tags;
}

function userData(rng: Rng, cluster: string, amiType: string): string {
  const boundary = "==BENCH==";
  const part = (contentType: string, body: string) =>
    `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${boundary}"\n\n--${boundary}\nContent-Type: ${contentType}\n\n${body}\n--${boundary}--\n`;
  if (amiType.startsWith("AL2023")) {
    const config: Record<string, unknown> = rng.chance(0.5)
      ? { systemReserved: { cpu: "250m", memory: "1Gi" } }
      : rng.chance(0.5)
        ? { evictionHard: { "memory.available": "300Mi" } }
        : { maxPods: 58 };
    const doc = { apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig", spec: { kubelet: { config } } };
    return part("application/node.eks.aws", `---\n${toYaml(doc)}`);
  }
  const args = rng.pick([
    "",
    " --kubelet-extra-args '--system-reserved=cpu=250m,memory=1Gi'",
    " --kubelet-extra-args '--eviction-hard=memory.available<200Mi'",
    " --kubelet-extra-args '--node-labels=team=web'",
  ]);
  return part(
    'text/x-shellscript; charset="us-ascii"',
    `#!/bin/bash\nset -o xtrace\n/etc/eks/bootstrap.sh ${cluster}${args}`,
  );
}

function cniConfiguration(rng: Rng): string | undefined {
  const roll = rng.next();
  if (roll < 0.45) return undefined;
  if (roll < 0.65) return toYaml({ env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1" } });
  if (roll < 0.85)
    return toYaml({
      env: { WARM_IP_TARGET: String(rng.int(2, 10)), MINIMUM_IP_TARGET: String(rng.int(5, 30)) },
    });
  return toYaml({ env: { ENABLE_POD_ENI: "true", POD_SECURITY_GROUP_ENFORCING_MODE: "standard" } });
}

function clusterLayout(
  w: RegionWriter,
  index: number,
  vpc: { id: string; cidr: string; subnets: NetSubnet[] },
  name: string,
  scale: number,
): EstateCluster {
  const { rng, account, region } = w;
  const version = rng.pick(VERSIONS);
  const clusterSg = w.securityGroup(
    vpc.id,
    `eks-cluster-sg-${name}-${hex(10, name)}`,
    "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
    [{ protocol: "-1", source: "self" }],
    {
      "aws:eks:cluster-name": name,
      [`kubernetes.io/cluster/${name}`]: "owned",
    },
  );
  // A separate node SG: half the time with the control-plane rules, sometimes without (sg.* rules).
  const withRules = rng.chance(0.75);
  const nodeSg = w.securityGroup(vpc.id, `${name}-nodes`, "EKS nodes", [
    { protocol: "-1", source: "self", description: "node to node" },
    ...(withRules
      ? [
          {
            protocol: "tcp",
            ports: [10250, 10250] as [number, number],
            source: clusterSg.id,
            description: "kubelet from control plane",
          },
          {
            protocol: "tcp",
            ports: [443, 443] as [number, number],
            source: clusterSg.id,
            description: "webhooks",
          },
        ]
      : []),
  ]);
  // Data stores reachable from the node or cluster SG: every pod on those nodes reaches them.
  const dbSource = rng.chance(0.4) ? nodeSg.id : rng.chance(0.5) ? clusterSg.id : undefined;
  w.securityGroup(
    vpc.id,
    `${name}-postgres`,
    "RDS PostgreSQL",
    dbSource
      ? [{ protocol: "tcp", ports: [5432, 5432], source: dbSource }]
      : [{ protocol: "tcp", ports: [5432, 5432], cidr: vpc.cidr }],
  );
  w.securityGroup(vpc.id, `${name}-alb`, "Public ALB", [
    { protocol: "tcp", ports: [443, 443], cidr: "0.0.0.0/0" },
    { protocol: "tcp", ports: [80, 80], cidr: "0.0.0.0/0" },
  ]);
  // Four fixed groups above plus 2–5 application groups; the ×N variant multiplies the whole count.
  const appGroups = Math.round((4 + rng.int(2, 5)) * scale) - 4;
  for (let i = 0; i < appGroups; i++) {
    w.securityGroup(vpc.id, `${name}-app-${i}`, `application ${i}`, [
      { protocol: "tcp", ports: [8080 + i, 8080 + i], source: w.net.chance(0.3) ? nodeSg.id : clusterSg.id },
      { protocol: "tcp", ports: [9000, 9100], cidr: "10.0.0.0/8" },
    ]);
  }

  const privateSubnets = vpc.subnets.filter((s) => s.tier === "private");
  const controlPlane = privateSubnets.slice(0, w.net.int(2, Math.max(2, privateSubnets.length)));
  const nodegroups: Wire<Nodegroup>[] = [];
  const nodegroupCount = rng.int(1, 4);
  for (let n = 0; n < nodegroupCount; n++) {
    const ngName = `${rng.pick(["general", "system", "workers", "spot", "batch", "general-b", "ingress"])}-${n}`;
    const amiType = rng.pick([
      "AL2_x86_64",
      "AL2023_x86_64_STANDARD",
      "AL2023_x86_64_STANDARD",
      "BOTTLEROCKET_x86_64",
    ] as const);
    const instanceType = rng.pick(INSTANCE_TYPES);
    const ngSubnets = privateSubnets.filter(() => w.net.chance(0.8));
    const lt =
      amiType !== "BOTTLEROCKET_x86_64" && rng.chance(0.5)
        ? w.launchTemplate(`${name}-${ngName}`, {
            userData: userData(rng, name, amiType),
            ...(rng.chance(0.5) ? { securityGroups: [nodeSg.id] } : {}),
          })
        : undefined;
    const ssh = !lt && rng.chance(0.15);
    const remoteSg = ssh
      ? w.securityGroup(
          vpc.id,
          `eks-remoteAccess-${hex(8, account, name, ngName)}`,
          "Security group for all nodes in the nodeGroup to allow SSH access",
          [{ protocol: "tcp", ports: [22, 22], cidr: "0.0.0.0/0" }],
          {
            "eks:cluster-name": name,
            "eks:nodegroup-name": ngName,
          },
        )
      : undefined;
    const degraded = rng.chance(0.08);
    const uuid = hex(32, account, region, name, ngName);
    const desired = rng.int(1, 12);
    nodegroups.push({
      nodegroupName: ngName,
      nodegroupArn: w.arn("eks", `nodegroup/${name}/${ngName}/${uuid}`),
      clusterName: name,
      version,
      releaseVersion: `${version}.7-20250519`,
      createdAt: CREATED,
      modifiedAt: CREATED,
      status: degraded ? "DEGRADED" : "ACTIVE",
      capacityType: ngName.startsWith("spot") ? "SPOT" : "ON_DEMAND",
      scalingConfig: { minSize: 1, maxSize: desired * 2, desiredSize: desired },
      instanceTypes: [instanceType],
      subnets: (ngSubnets.length > 0 ? ngSubnets : privateSubnets).map((s) => s.id),
      ...(ssh ? { remoteAccess: { ec2SshKey: `${name}-ops` } } : {}),
      amiType,
      nodeRole: `arn:aws:iam::${account}:role/${name}-node`,
      labels: { "node-group": ngName },
      resources: {
        autoScalingGroups: [{ name: `eks-${ngName}-${uuid}` }],
        ...(remoteSg ? { remoteAccessSecurityGroup: remoteSg.id } : {}),
      },
      ...(lt ? { launchTemplate: lt } : { diskSize: 20 }),
      health: {
        issues: degraded
          ? [
              {
                code: "AsgInstanceLaunchFailures",
                message: "Could not launch On-Demand Instances. InsufficientFreeAddressesInSubnet",
                resourceIds: [`eks-${ngName}-${uuid}`],
              },
            ]
          : [],
      },
      updateConfig: { maxUnavailable: 1 },
      tags: {},
    });
  }

  const cni = rng.chance(0.9) ? cniConfiguration(rng) : null;
  const addon = (addonName: string, extra: Partial<Wire<Addon>> = {}): Wire<Addon> => ({
    addonName,
    clusterName: name,
    status: "ACTIVE",
    addonVersion: addonName === "vpc-cni" ? "v1.19.5-eksbuild.1" : `${addonName}-v${version}`,
    health: { issues: [] },
    addonArn: w.arn("eks", `addon/${name}/${addonName}/${hex(32, account, name, addonName)}`),
    createdAt: CREATED,
    modifiedAt: CREATED,
    tags: {},
    ...extra,
  });
  return {
    cluster: {
      name,
      arn: w.arn("eks", `cluster/${name}`),
      createdAt: CREATED,
      version,
      endpoint: `https://${hex(32, account, region, name).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
      roleArn: `arn:aws:iam::${account}:role/${name}-cluster`,
      resourcesVpcConfig: {
        subnetIds: controlPlane.map((s) => s.id),
        securityGroupIds: [],
        clusterSecurityGroupId: clusterSg.id,
        vpcId: vpc.id,
        endpointPublicAccess: index === 0 && rng.chance(0.3),
        endpointPrivateAccess: true,
        publicAccessCidrs: [],
      },
      kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
      status: "ACTIVE",
      platformVersion: "eks.9",
      tags: { team: rng.pick(TEAMS) },
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
    },
    nodegroups,
    // A missing vpc-cni add-on stands for a self-managed aws-node DaemonSet.
    addons: [
      ...(cni === null ? [] : [addon("vpc-cni", cni === undefined ? {} : { configurationValues: cni })]),
      addon("coredns"),
      addon("kube-proxy"),
    ],
  };
}

/** One cluster VPC: public/private/internal-LB/database subnets over three AZs, IGW + NAT tables. */
function clusterVpc(
  w: RegionWriter,
  name: string,
  octet: number,
  clusters: string[],
  scale: number,
): { id: string; cidr: string; subnets: NetSubnet[] } {
  const cidr = `10.${octet}.0.0/16`;
  const id = w.vpc(name, cidr);
  const cursor = new CidrCursor(cidr);
  const count = Math.round(w.net.int(6, 12) * scale);
  const subnets: NetSubnet[] = [];
  for (let i = 0; i < count; i++) {
    const zone = ZONES[i % 3] ?? "a";
    // First three: private /20s for nodes; then public /24s; then a mix of internal-LB and databases.
    const tier: NetSubnet["tier"] =
      i < 3 ? "private" : i < 6 ? "public" : w.net.pick(["private", "internal-lb", "database"] as const);
    const prefix =
      tier === "private" ? (i < 3 ? 20 : 22) : tier === "public" ? 24 : tier === "internal-lb" ? 27 : 26;
    subnets.push(
      w.subnet(id, {
        name: `${name}-${tier}-${zone}-${i}`,
        zone,
        cidr: cursor.take(prefix),
        tier,
        tags: roleTags(w.net, tier, clusters),
      }),
    );
  }
  const igw = w.id("igw", name);
  const publicSubnets = subnets.filter((s) => s.tier === "public");
  w.routeTable(id, cidr, `${name}-public`, { igw }, publicSubnets);
  for (const zone of ZONES) {
    const nat = w.id("nat", name, zone);
    const zonal = subnets.filter((s) => s.zone === zone && s.tier !== "public" && s.tier !== "database");
    // Sometimes a subnet is left on the main table (NAT of AZ a, or none at all).
    w.routeTable(
      id,
      cidr,
      `${name}-private-${zone}`,
      { nat },
      zonal.filter(() => w.net.chance(0.9)),
    );
  }
  w.routeTable(id, cidr, `${name}-main`, w.net.chance(0.5) ? { nat: w.id("nat", name, "a") } : {}, [], true);
  return { id, cidr, subnets };
}

export function generateRegion(
  seed: number,
  accountId: string,
  region: string,
  options: Pick<GenerateOptions, "emptyShare" | "networkScale"> = {},
): EstateRegion {
  const rng = new Rng(seed, accountId, region);
  const w = new RegionWriter(accountId, region, rng, seed);
  const scale = options.networkScale ?? 1;
  // The default VPC every region has, with one default subnet per AZ.
  const defaultVpc = w.vpc("default", "172.31.0.0/16");
  const cursor = new CidrCursor("172.31.0.0/16");
  for (const zone of ZONES) {
    w.subnet(defaultVpc, { name: `default-${zone}`, zone, cidr: cursor.take(20), tier: "public", tags: {} });
  }
  w.routeTable(defaultVpc, "172.31.0.0/16", "default-main", { igw: w.id("igw", "default") }, [], true);
  w.securityGroup(defaultVpc, "default", "default VPC security group", [{ protocol: "-1", source: "self" }]);

  if (!rng.chance(options.emptyShare ?? 0.3)) {
    const names = Array.from(
      { length: rng.int(1, 3) },
      (_, i) =>
        `${rng.pick(TEAMS)}-${rng.pick(["prod", "stg", "dev"])}-${region.replace(/-/g, "").slice(0, 6)}-${i}`,
    );
    let vpc: ReturnType<typeof clusterVpc> | undefined;
    names.forEach((name, i) => {
      // The second cluster shares the first one's VPC a third of the time.
      const shared = vpc !== undefined && i === 1 && rng.chance(0.33);
      if (!shared || vpc === undefined)
        vpc = clusterVpc(w, `${name}-vpc`, 10 + i * 10, shared ? names.slice(0, 2) : [name], scale);
      w.clusters.push(clusterLayout(w, i, vpc, name, scale));
    });
  }
  return { ec2: w.ec2, eks: { clusters: w.clusters } };
}

function organizationAccount(
  seed: number,
  id: string,
  i: number,
  state: "ACTIVE" | "SUSPENDED",
  management: string,
): Wire<Account> {
  return {
    Id: id,
    Arn: `arn:aws:organizations::${management}:account/o-bench${seed % 100000}/${id}`,
    Email: `aws+bench-${i}@example.com`,
    Name: `bench-${i}`,
    Status: state,
    JoinedMethod: i === 0 ? "INVITED" : "CREATED",
    JoinedTimestamp: CREATED,
  };
}

function accountsOf(options: GenerateOptions): { active: string[]; suspended: string[] } {
  const active = Array.from({ length: options.accounts }, (_, i) => accountIdOf(options.seed, i));
  // A closed account every hundred or so: ListAccounts returns it, the planner must skip it.
  const suspended = Array.from({ length: Math.ceil(options.accounts / 100) }, (_, i) =>
    accountIdOf(options.seed, options.accounts + i),
  );
  return { active, suspended };
}

function organizationOf(options: GenerateOptions): Estate["organization"] {
  const { active, suspended } = accountsOf(options);
  const management = active[0] ?? accountIdOf(options.seed, 0);
  return {
    managementAccountId: management,
    accounts: [
      ...active.map((id, i) => organizationAccount(options.seed, id, i, "ACTIVE", management)),
      ...suspended.map((id, i) =>
        organizationAccount(options.seed, id, options.accounts + i, "SUSPENDED", management),
      ),
    ],
  } as Estate["organization"];
}

export function regionsOf(regions: GenerateOptions["regions"] = 4): string[] {
  if (typeof regions !== "number") return [...regions];
  if (!Number.isInteger(regions) || regions < 1 || regions > REGIONS.length)
    throw new RangeError(`regions: 1..${REGIONS.length}`);
  return REGIONS.slice(0, regions);
}

function accountOf(options: GenerateOptions, accountId: string): EstateAccount {
  const regions = regionsOf(options.regions);
  return {
    regions: Object.fromEntries(regions.map((r) => [r, generateRegion(options.seed, accountId, r, options)])),
  };
}

/** The whole estate in memory (small estates, tests). */
export function generateEstate(options: GenerateOptions): Estate {
  const { active } = accountsOf(options);
  return {
    version: 1,
    organization: organizationOf(options),
    accounts: Object.fromEntries(active.map((id) => [id, accountOf(options, id)])),
    faults: options.faults ?? BENCH_FAULTS,
  };
}

/** Writes the estate as JSON one account at a time, so a large estate never sits in memory whole. */
export async function writeEstateFile(file: string, options: GenerateOptions): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const out = createWriteStream(file, "utf8");
  const write = (text: string) =>
    new Promise<void>((resolveWrite, reject) => {
      if (out.write(text)) resolveWrite();
      else out.once("drain", resolveWrite).once("error", reject);
    });
  await write(`{"version":1,"organization":${JSON.stringify(organizationOf(options))},"accounts":{`);
  const { active } = accountsOf(options);
  for (const [i, id] of active.entries()) {
    await write(`${i === 0 ? "" : ","}${JSON.stringify(id)}:${JSON.stringify(accountOf(options, id))}`);
  }
  await write(`},"faults":${JSON.stringify(options.faults ?? BENCH_FAULTS)}}\n`);
  await new Promise<void>((resolveEnd, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolveEnd())),
  );
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const out = flag(argv, "out");
  if (out === undefined) {
    process.stderr.write(
      "usage: tsx bench/generate-estate.ts --out FILE [--seed N] [--accounts N] [--regions a,b] [--scale N] [--faults JSON]\n",
    );
    process.exit(2);
  }
  const faults = flag(argv, "faults");
  await writeEstateFile(out, {
    seed: Number(flag(argv, "seed") ?? 42),
    accounts: Number(flag(argv, "accounts") ?? 200),
    regions: /^\d+$/.test(flag(argv, "regions") ?? "4")
      ? Number(flag(argv, "regions") ?? 4)
      : (flag(argv, "regions") ?? "").split(","),
    networkScale: Number(flag(argv, "scale") ?? 1),
    ...(faults ? { faults: JSON.parse(faults) as EstateFaults } : {}),
  });
  process.stdout.write(`${out}\n`);
}
