/**
 * Deterministic synthetic estates for the benchmark: `generateEstate({seed, accounts, regions})`.
 *
 * Built with the estate builder (#shared/estate/builder, real SDK output shapes): every account-region has a
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
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Addon, AMITypes } from "@aws-sdk/client-eks";
import { stringify as toYaml } from "yaml";
import type { Estate, EstateAccount, EstateFaults, EstateRegion } from "#shared/estate/index.ts";
import { prefixDelegationEnabled } from "#shared/models/cni/config.ts";
import { loadTextFormats } from "#shared/models/text-formats.ts";
import {
  type AccountBuilder,
  type AddonName,
  al2Bootstrap,
  al2023NodeConfig,
  EstateBuilder,
  type LaunchTemplateRef,
  RegionBuilder,
  type SecurityGroupRef,
  type SubnetRef,
  usesFormatV2,
  type VpcBuilder,
} from "#sim/builder/index.ts";
import { Rng } from "#sim/builder/random.ts";

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

/** `12-digit` account ids, unique per index and seed. */
export function accountIdOf(seed: number, index: number): string {
  return String(100_000_000_000 + ((seed % 1000) * 1_000_000 + index) * 97).padStart(12, "0");
}

// ---------------------------------------------------------------------------------------------
// one account-region

type Tier = "public" | "private" | "internal-lb" | "database";

interface NetSubnet {
  ref: SubnetRef;
  zone: string;
  tier: Tier;
}

/** Fill levels: most subnets roomy, some busy, a few nearly full (what the ip.* rules watch). */
function freeAddresses(net: Rng, prefixLength: number): number {
  const usable = 2 ** (32 - prefixLength) - 5;
  const roll = net.next();
  const used = roll < 0.1 ? 0.96 + net.next() * 0.04 : roll < 0.3 ? 0.6 + net.next() * 0.3 : net.next() * 0.5;
  return Math.max(0, Math.floor(usable * (1 - used)));
}

/** Role tags as teams leave them: mostly right, sometimes missing, misspelt or meant for another cluster. */
function roleTags(rng: Rng, tier: Tier, clusters: string[]): Record<string, string> {
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
  if (amiType.startsWith("AL2023")) {
    const config: Record<string, unknown> = rng.chance(0.5)
      ? { systemReserved: { cpu: "250m", memory: "1Gi" } }
      : rng.chance(0.5)
        ? { evictionHard: { "memory.available": "300Mi" } }
        : { maxPods: 58 };
    return al2023NodeConfig(config, BOUNDARY);
  }
  const args = rng.pick([
    "",
    "--system-reserved=cpu=250m,memory=1Gi",
    "--eviction-hard=memory.available<200Mi",
    "--node-labels=team=web",
  ]);
  return al2Bootstrap(cluster, args === "" ? undefined : args, [], BOUNDARY);
}

const BOUNDARY = "==BENCH==";

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

/** The draws of one node group, made before its cluster is built so that the draw order stays the same. */
interface NodegroupPlan {
  name: string;
  amiType: AMITypes;
  instanceType: string;
  subnets: SubnetRef[];
  launchTemplate?: LaunchTemplateRef;
  remoteAccessSg?: SecurityGroupRef;
  degraded: boolean;
  desired: number;
}

interface ClusterVpc {
  vpc: VpcBuilder;
  subnets: NetSubnet[];
}

/**
 * One cluster in `net`'s VPC. Cluster-shaped draws come from `rng`, network-sized ones from `net`, so the
 * ×N network variant has the same clusters and node groups.
 */
function clusterLayout(
  r: RegionBuilder,
  draws: { rng: Rng; net: Rng },
  index: number,
  { vpc, subnets }: ClusterVpc,
  name: string,
  scale: number,
): void {
  const { rng, net } = draws;
  const version = rng.pick(VERSIONS);
  const clusterSg = vpc.clusterSecurityGroup(name);
  // A separate node SG: most of the time with the control-plane rules, sometimes without (sg.* rules).
  const withRules = rng.chance(0.75);
  const nodeSg = vpc.securityGroup(`${name}-nodes`, "EKS nodes");
  nodeSg.allow({ allTraffic: true, from: nodeSg, description: "node to node" });
  if (withRules) {
    nodeSg
      .allow({ tcp: 10250, from: clusterSg, description: "kubelet from control plane" })
      .allow({ tcp: 443, from: clusterSg, description: "webhooks" });
  }
  // Data stores reachable from the node or cluster SG: every pod on those nodes reaches them.
  const dbSource = rng.chance(0.4) ? nodeSg : rng.chance(0.5) ? clusterSg : undefined;
  vpc.securityGroup(`${name}-postgres`, "RDS PostgreSQL").allow({ tcp: 5432, from: dbSource ?? vpc.cidr });
  vpc
    .securityGroup(`${name}-alb`, "Public ALB")
    .allow({ tcp: 443, from: "0.0.0.0/0" })
    .allow({ tcp: 80, from: "0.0.0.0/0" });
  // Four fixed groups above plus 2–5 application groups; the ×N variant multiplies the whole count.
  const appGroups = Math.round((4 + rng.int(2, 5)) * scale) - 4;
  for (let i = 0; i < appGroups; i++) {
    vpc
      .securityGroup(`${name}-app-${i}`, `application ${i}`)
      .allow({ tcp: 8080 + i, from: net.chance(0.3) ? nodeSg : clusterSg })
      .allow({ tcp: [9000, 9100], from: "10.0.0.0/8" });
  }

  const privateSubnets = subnets.filter((s) => s.tier === "private").map((s) => s.ref);
  const controlPlane = privateSubnets.slice(0, net.int(2, Math.max(2, privateSubnets.length)));
  const plans: NodegroupPlan[] = [];
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
    const ngSubnets = privateSubnets.filter(() => net.chance(0.8));
    let launchTemplate: LaunchTemplateRef | undefined;
    if (amiType !== "BOTTLEROCKET_x86_64" && rng.chance(0.5)) {
      const data = userData(rng, name, amiType);
      launchTemplate = r.launchTemplate(`${name}-${ngName}`, [
        { userData: data, ...(rng.chance(0.5) ? { securityGroups: [nodeSg] } : {}) },
      ]);
    }
    const ssh = !launchTemplate && rng.chance(0.15);
    plans.push({
      name: ngName,
      amiType,
      instanceType,
      subnets: ngSubnets.length > 0 ? ngSubnets : privateSubnets,
      ...(launchTemplate ? { launchTemplate } : {}),
      ...(ssh ? { remoteAccessSg: vpc.remoteAccessSecurityGroup(name, ngName) } : {}),
      degraded: rng.chance(0.08),
      desired: rng.int(1, 12),
    });
  }

  const cni = rng.chance(0.9) ? cniConfiguration(rng) : null;
  const endpointPublicAccess = index === 0 && rng.chance(0.3);
  // A missing vpc-cni add-on stands for a self-managed aws-node DaemonSet.
  const addons: AddonName[] = cni === null ? ["coredns", "kube-proxy"] : ["vpc-cni", "coredns", "kube-proxy"];
  const cluster = vpc.cluster(name, {
    version,
    subnets: controlPlane,
    clusterSg,
    createdAt: CREATED,
    addons,
    ...(cni ? { vpcCniConfiguration: cni } : {}),
    endpointPublicAccess,
    tags: { team: rng.pick(TEAMS) },
  });
  for (const plan of plans) {
    const ng = cluster.nodegroup(plan.name, {
      amiType: plan.amiType,
      instanceTypes: [plan.instanceType],
      subnets: plan.subnets,
      scaling: { min: 1, max: plan.desired * 2, desired: plan.desired },
      capacityType: plan.name.startsWith("spot") ? "SPOT" : "ON_DEMAND",
      ...(plan.launchTemplate ? { launchTemplate: plan.launchTemplate } : {}),
      ...(plan.remoteAccessSg
        ? { remoteAccess: { sshKey: `${name}-ops`, securityGroup: plan.remoteAccessSg } }
        : {}),
      createdAt: CREATED,
      status: plan.degraded ? "DEGRADED" : "ACTIVE",
      labels: { "node-group": plan.name },
    });
    if (plan.degraded) {
      ng.issue(
        "AsgInstanceLaunchFailures",
        "Could not launch On-Demand Instances. InsufficientFreeAddressesInSubnet",
        [ng.autoScalingGroupName],
      );
    }
  }
}

/** One cluster VPC: public/private/internal-LB/database subnets over three AZs, IGW + NAT tables. */
function clusterVpc(
  r: RegionBuilder,
  net: Rng,
  name: string,
  octet: number,
  clusters: string[],
  scale: number,
): ClusterVpc {
  const vpc = r.vpc(name, `10.${octet}.0.0/16`);
  const count = Math.round(net.int(6, 12) * scale);
  const subnets: NetSubnet[] = [];
  for (let i = 0; i < count; i++) {
    const zone = ZONES[i % 3] ?? "a";
    // First three: private /20s for nodes; then public /24s; then a mix of internal-LB and databases.
    const tier: Tier =
      i < 3 ? "private" : i < 6 ? "public" : net.pick(["private", "internal-lb", "database"] as const);
    const prefixLength =
      tier === "private" ? (i < 3 ? 20 : 22) : tier === "public" ? 24 : tier === "internal-lb" ? 27 : 26;
    const tags = roleTags(net, tier, clusters);
    const available = freeAddresses(net, prefixLength);
    const ref = vpc.subnet(`${name}-${tier}-${zone}-${i}`, {
      zone,
      prefixLength,
      tags,
      available,
      public: tier === "public",
    });
    subnets.push({ ref, zone, tier });
  }
  vpc.publicRouteTable(subnets.filter((s) => s.tier === "public").map((s) => s.ref));
  for (const zone of ZONES) {
    const zonal = subnets.filter((s) => s.zone === zone && s.tier !== "public" && s.tier !== "database");
    // Sometimes a subnet is left on the main table (NAT of AZ a, or none at all).
    vpc.privateRouteTable(`${name}-private-${zone}`, {
      nat: r.id("nat", name, zone),
      subnets: zonal.filter(() => net.chance(0.9)).map((s) => s.ref),
    });
  }
  vpc.mainRouteTable(net.chance(0.5) ? { routes: [{ to: "0.0.0.0/0", via: r.id("nat", name, "a") }] } : {});
  return { vpc, subnets };
}

/** Lays out one account-region: the default VPC, and in most regions 1–3 clusters. */
function layRegion(
  r: RegionBuilder,
  seed: number,
  options: Pick<GenerateOptions, "emptyShare" | "networkScale">,
): void {
  const rng = new Rng(seed, r.account, r.region);
  // Draws that depend on the number of subnets and SGs: kept apart so that the ×3 variant has the same clusters.
  const net = new Rng(seed, r.account, r.region, "network");
  const scale = options.networkScale ?? 1;
  // The default VPC every region has, with one default subnet per AZ.
  const defaultVpc = r.vpc("default", "172.31.0.0/16", { isDefault: true });
  for (const zone of ZONES) {
    defaultVpc.subnet(`default-${zone}`, {
      zone,
      prefixLength: 20,
      available: freeAddresses(net, 20),
      public: true,
    });
  }
  defaultVpc.mainRouteTable({ routes: [{ to: "0.0.0.0/0", via: defaultVpc.internetGateway }] });
  const defaultSg = defaultVpc.securityGroup("default", "default VPC security group");
  defaultSg.allow({ allTraffic: true, from: defaultSg });

  if (!rng.chance(options.emptyShare ?? 0.3)) {
    const names = Array.from(
      { length: rng.int(1, 3) },
      (_, i) =>
        `${rng.pick(TEAMS)}-${rng.pick(["prod", "stg", "dev"])}-${r.region.replace(/-/g, "").slice(0, 6)}-${i}`,
    );
    let vpc: ClusterVpc | undefined;
    names.forEach((name, i) => {
      // The second cluster shares the first one's VPC a third of the time.
      const shared = vpc !== undefined && i === 1 && rng.chance(0.33);
      if (!shared || vpc === undefined)
        vpc = clusterVpc(r, net, `${name}-vpc`, 10 + i * 10, shared ? names.slice(0, 2) : [name], scale);
      clusterLayout(r, { rng, net }, i, vpc, name, scale);
    });
  }
}

/**
 * One dense region for the rule-evaluation benchmark: `clusters` clusters, each in its own VPC (CIDRs may
 * repeat across VPCs, as AWS allows), with four times the usual subnets and security groups per VPC.
 */
export function generateDenseRegion(
  seed: number,
  accountId: string,
  region: string,
  options: { clusters: number; networkScale?: number },
): EstateRegion {
  const r = new RegionBuilder(accountId, region);
  const rng = new Rng(seed, accountId, region, "dense");
  const net = new Rng(seed, accountId, region, "dense-network");
  const scale = options.networkScale ?? 4;
  for (let i = 0; i < options.clusters; i++) {
    const name = `${rng.pick(TEAMS)}-${i}`;
    const vpc = clusterVpc(r, net, `${name}-vpc`, 10 + (i % 200), [name], scale);
    clusterLayout(r, { rng, net }, i, vpc, name, scale);
  }
  return r.build();
}

export function generateRegion(
  seed: number,
  accountId: string,
  region: string,
  options: Pick<GenerateOptions, "emptyShare" | "networkScale"> = {},
): EstateRegion {
  const r = new RegionBuilder(accountId, region);
  layRegion(r, seed, options);
  return r.build();
}

/**
 * `account/region` → how many distinct subnets the node groups of prefix-delegation clusters (vpc-cni
 * ENABLE_PREFIX_DELEGATION) launch into: the collector's GetSubnetCidrReservations calls are at most that,
 * one per subnet. Regenerated region by region (deterministic), so a large estate never sits in memory whole.
 */
export async function prefixDelegationNodeSubnets(options: GenerateOptions): Promise<Record<string, number>> {
  await loadTextFormats(); // the generated configurationValues are YAML
  const out: Record<string, number> = {};
  for (const accountId of accountsOf(options).active) {
    for (const region of regionsOf(options.regions)) {
      const clusters = generateRegion(options.seed, accountId, region, options).eks.clusters;
      const subnets = new Set(
        clusters
          .filter((c) =>
            prefixDelegationEnabled(c.addons.find((a) => a.addonName === "vpc-cni") as Addon | undefined),
          )
          .flatMap((c) => c.nodegroups.flatMap((ng) => ng.subnets ?? [])),
      );
      if (subnets.size > 0) out[`${accountId}/${region}`] = subnets.size;
    }
  }
  return out;
}

function accountsOf(options: GenerateOptions): { active: string[]; suspended: string[] } {
  const active = Array.from({ length: options.accounts }, (_, i) => accountIdOf(options.seed, i));
  // A closed account every hundred or so: ListAccounts returns it, the planner must skip it.
  const suspended = Array.from({ length: Math.ceil(options.accounts / 100) }, (_, i) =>
    accountIdOf(options.seed, options.accounts + i),
  );
  return { active, suspended };
}

/** The organization: ACTIVE accounts (the first is the management account), then the SUSPENDED ones. */
function organizationOf(options: GenerateOptions): { org: EstateBuilder; active: AccountBuilder[] } {
  const ids = accountsOf(options);
  const org = new EstateBuilder({
    organizationId: `o-bench${options.seed % 100000}`,
    managementAccountId: ids.active[0] ?? accountIdOf(options.seed, 0),
  });
  const active = ids.active.map((id, i) =>
    org.account(id, { name: `bench-${i}`, joinedAt: CREATED, joinedMethod: i === 0 ? "INVITED" : "CREATED" }),
  );
  for (const [i, id] of ids.suspended.entries()) {
    org.account(id, { name: `bench-${options.accounts + i}`, status: "SUSPENDED", joinedAt: CREATED });
  }
  return { org, active };
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
  const { org, active } = organizationOf(options);
  for (const account of active) {
    for (const region of regionsOf(options.regions)) layRegion(account.region(region), options.seed, options);
  }
  return org.faults(options.faults ?? BENCH_FAULTS).build();
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
  await write(`{"organization":${JSON.stringify(organizationOf(options).org.organization())},"accounts":{`);
  const { active } = accountsOf(options);
  let v2 = false;
  for (const [i, id] of active.entries()) {
    const account = accountOf(options, id);
    v2 ||= Object.values(account.regions).some(usesFormatV2);
    await write(`${i === 0 ? "" : ","}${JSON.stringify(id)}:${JSON.stringify(account)}`);
  }
  // The format version last: known only once every account is written (as EstateBuilder.build decides it).
  await write(`},"faults":${JSON.stringify(options.faults ?? BENCH_FAULTS)},"version":${v2 ? 2 : 1}}\n`);
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
