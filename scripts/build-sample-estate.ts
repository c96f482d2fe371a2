/**
 * Builds sim/estates/sample-org.json, the sample AWS Organization behind the demo and the tests: every
 * rule of ../shared/design/rule-catalog.md fires somewhere in it by a wide margin, four clusters are
 * healthy and four account-regions cannot be scanned; the estate v2 stories wait for the capacity rules.
 * Each block below says which problem it plants; sim/estates/README.md lists the findings they must produce.
 *
 * Run: npx tsx scripts/build-sample-estate.ts
 * Deterministic (the estate builder derives ids from names; dates are fixed). Every subnet with ENIs
 * listed gets its AvailableIpAddressCount from them (less any reserved range); the others state their free count.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import type { Estate } from "#shared/estate/index.ts";
import {
  al2Bootstrap,
  al2023NodeConfig,
  al2023SelfManagedUserData,
  allowControlPlane,
  clusterTag,
  EstateBuilder,
  formatEstateJson,
  intToIp,
  karpenterDiscovery,
  parseCidr,
  type RegionBuilder,
  ROLE_ELB,
  ROLE_INTERNAL_ELB,
  type SubnetRef,
  type VpcBuilder,
} from "#sim/builder/index.ts";

export const SAMPLE_ESTATE_FILE = fileURLToPath(new URL("../sim/estates/sample-org.json", import.meta.url));

/** Planted in one user data script: findings, logs and reports must never contain it. */
export const FAKE_USER_DATA_SECRET = "sample-estate-FAKE-db-password-7f3a9c";

const PLATFORM = "111122223333";
const PAYMENTS = "222233334444";
const DATA = "333344445555";
const SANDBOX = "444455556666";
const SHARED = "555566667777";
const ARCHIVE = "666677778888";
const EU = "eu-west-1";
const US = "us-east-1";

const SYSTEM_RESERVED = { cpu: "250m", memory: "1Gi", "ephemeral-storage": "1Gi" };

/** Every upstream evictionHard key, so that none of them silently becomes zero. */
const FULL_EVICTION_HARD = {
  "memory.available": "500Mi",
  "nodefs.available": "10%",
  "imagefs.available": "15%",
  "nodefs.inodesFree": "5%",
};

const CORPORATE_443 = { tcp: 443, from: "10.0.0.0/8", description: "corporate network" } as const;

/** A public subnet for internet-facing load balancers, with `free` addresses left. */
function publicLbSubnet(vpc: VpcBuilder, name: string, zone: string, cidr: string, free: number): SubnetRef {
  return vpc.subnet(name, { zone, cidr, tags: ROLE_ELB, available: free, public: true });
}

export function buildSampleEstate(): Estate {
  const org = new EstateBuilder({ organizationId: "o-a1b2c3d4e5", managementAccountId: PLATFORM });
  const platform = org.account(PLATFORM, {
    name: "platform-prod",
    joinedAt: "2019-03-04T10:00:00.000Z",
    joinedMethod: "INVITED",
  });
  const payments = org.account(PAYMENTS, { name: "payments-prod", joinedAt: "2019-06-11T09:12:00.000Z" });
  const data = org.account(DATA, { name: "data-staging", joinedAt: "2021-01-26T15:40:00.000Z" });
  const sandbox = org.account(SANDBOX, { name: "sandbox", joinedAt: "2022-09-05T08:00:00.000Z" });
  const shared = org.account(SHARED, { name: "shared-services", joinedAt: "2020-02-17T12:30:00.000Z" });
  // Closed: ListAccounts still returns it; `--org` must skip it.
  org.account(ARCHIVE, { name: "legacy-archive", status: "SUSPENDED", joinedAt: "2019-08-30T14:00:00.000Z" });

  platformProdEuWest1(platform.region(EU));
  platformBatchEuWest1(platform.region(EU));
  platformAutoEuWest1(platform.region(EU));
  platformProdUsEast1(platform.region(US));
  paymentsProdEuWest1(payments.region(EU));
  checkoutEuWest1(payments.region(EU));
  paymentsDrUsEast1(payments.region(US));
  // The data is healthy, but DescribeRouteTables always fails there: the scope ends in scan.error.
  payments.failCall(US, "DescribeRouteTables", "InternalError");
  dataStagingEuWest1(data.region(EU));
  // us-east-1 is an opt-in region nobody enabled: scan.region-unavailable.
  data.regionsNotEnabled(US);
  // The member role cannot be assumed: scan.access-denied in every region, nothing to describe.
  sandbox.denyAssumeRole();
  sharedServicesEuWest1(shared.region(EU));
  // us-east-1: nothing at all (the default VPC was deleted), scanned clean.
  shared.region(US);
  return org.build();
}

// ---------------------------------------------------------------------------------------------
// 111122223333 platform-prod

/**
 * platform-prod-euw1, HEALTHY: the reference layout. Public `elb` and private `internal-elb` subnets in
 * three AZs, /19 node subnets whose free counts follow from every ENI listed, AL2023 with reservations,
 * and one node group (`apps`) on its own SG with correct control-plane rules.
 */
function platformProdEuWest1(r: RegionBuilder): void {
  const vpc = r.vpc("platform-prod", "10.10.0.0/16");
  const own = clusterTag("platform-prod-euw1", "owned");
  const public1a = publicLbSubnet(vpc, "platform-prod-public-1a", "a", "10.10.0.0/24", 243);
  const public1b = publicLbSubnet(vpc, "platform-prod-public-1b", "b", "10.10.1.0/24", 246);
  const public1c = publicLbSubnet(vpc, "platform-prod-public-1c", "c", "10.10.2.0/24", 247);
  const internalOwned = { ...ROLE_INTERNAL_ELB, ...own };
  const private1a = vpc.subnet("platform-prod-private-1a", {
    zone: "a",
    cidr: "10.10.32.0/19",
    tags: internalOwned,
  });
  const private1b = vpc.subnet("platform-prod-private-1b", {
    zone: "b",
    cidr: "10.10.64.0/19",
    tags: internalOwned,
  });
  const private1c = vpc.subnet("platform-prod-private-1c", {
    zone: "c",
    cidr: "10.10.96.0/19",
    tags: ROLE_INTERNAL_ELB,
  });
  vpc.publicRouteTable([public1a, public1b, public1c]);
  vpc.privateRouteTable("platform-prod-private-1a", { nat: public1a, subnets: [private1a] });
  vpc.privateRouteTable("platform-prod-private-1b", { nat: public1b, subnets: [private1b] });
  // private-1c has no explicit association: it routes through the main table's NAT route.
  vpc.mainRouteTable({ routes: [{ to: "0.0.0.0/0", via: public1c.natGateway }] });

  const clusterSg = vpc.clusterSecurityGroup("platform-prod-euw1");
  const controlPlaneSg = vpc
    .securityGroup("platform-prod-euw1-control-plane", "Extra rules for the EKS API endpoint")
    .allow(CORPORATE_443);
  const appsSg = vpc.securityGroup("platform-prod-euw1-apps-nodes", "Nodes of the apps node group", {
    tags: own,
  });
  allowControlPlane(appsSg, clusterSg);

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

  const privateSubnets = [private1a, private1b, private1c];
  const cluster = vpc.cluster("platform-prod-euw1", {
    version: "1.33",
    subnets: privateSubnets,
    clusterSg,
    additionalSgs: [controlPlaneSg],
    createdAt: "2023-09-14T07:55:12.000Z",
    vpcCniConfiguration: JSON.stringify({ env: { WARM_IP_TARGET: "2", MINIMUM_IP_TARGET: "10" } }),
    tags: { team: "platform", env: "prod" },
  });
  const system = cluster.nodegroup("system", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: privateSubnets,
    scaling: { min: 3, max: 6, desired: 3 },
    launchTemplate: systemLt,
    createdAt: "2025-02-11T09:41:00.000Z",
    labels: { role: "system" },
  });
  const apps = cluster.nodegroup("apps", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.xlarge"],
    subnets: privateSubnets,
    scaling: { min: 3, max: 30, desired: 6 },
    launchTemplate: appsLt,
    createdAt: "2025-02-11T09:44:00.000Z",
    labels: { role: "apps" },
  });

  // Every address user of the three private subnets, so their free counts follow from these ENIs.
  cluster.controlPlaneEni(private1a);
  cluster.controlPlaneEni(private1b);
  for (const subnet of privateSubnets) {
    // WARM_IP_TARGET=2, MINIMUM_IP_TARGET=10: m6i.large ~8 pods → 10 pod IPs; m6i.xlarge ~20 pods → 22.
    system.node(subnet, { enis: [10, 2] });
    apps.node(subnet, { enis: [15, 9] });
    apps.node(subnet, { enis: [15, 9] });
  }
}

/**
 * platform-batch-euw1, HEALTHY (estate v2): every kind of node but a managed node group. Karpenter (v1 tags) and a
 * self-managed group run their pods on custom networking (ENIConfig subnets in the secondary CIDR
 * 100.64.0.0/16, so a node subnet pays one address per node); a Fargate profile runs `batch-jobs`. One node
 * SG, tagged for the cluster and for Karpenter discovery, carries the control-plane rules; kubelets reserve
 * for the system and keep every eviction threshold.
 */
function platformBatchEuWest1(r: RegionBuilder): void {
  const name = "platform-batch-euw1";
  const vpc = r.vpc("platform-batch", "10.11.0.0/16").secondaryCidr("100.64.0.0/16");
  const own = clusterTag(name, "owned");
  const zones = ["a", "b", "c"] as const;
  const publics = zones.map((z, i) =>
    publicLbSubnet(vpc, `platform-batch-public-1${z}`, z, `10.11.${i}.0/24`, 248),
  );
  const privates = zones.map((z, i) =>
    vpc.subnet(`platform-batch-private-1${z}`, {
      zone: z,
      cidr: `10.11.${32 + 16 * i}.0/20`,
      tags: { ...ROLE_INTERNAL_ELB, ...own, ...karpenterDiscovery(name) },
    }),
  );
  const pods = zones.map((z, i) =>
    vpc.subnet(`platform-batch-pods-1${z}`, { zone: z, cidr: `100.64.${64 * i}.0/18` }),
  );
  const [public1a] = publics;
  const [private1a, private1b, private1c] = privates;
  const [pods1a, pods1b, pods1c] = pods;
  if (!public1a || !private1a || !private1b || !private1c || !pods1a || !pods1b || !pods1c)
    throw new Error(name);
  vpc.publicRouteTable(publics);
  vpc.privateRouteTable("platform-batch-private", { nat: public1a, subnets: [...privates, ...pods] });
  vpc.mainRouteTable();

  const clusterSg = vpc.clusterSecurityGroup(name);
  const nodeSg = vpc.securityGroup("platform-batch-nodes", "Karpenter and self-managed nodes", {
    tags: { ...own, ...karpenterDiscovery(name) },
  });
  allowControlPlane(nodeSg, clusterSg);
  const cluster = vpc.cluster(name, {
    version: "1.33",
    subnets: privates,
    clusterSg,
    createdAt: "2025-03-10T08:00:00.000Z",
    vpcCniConfiguration: JSON.stringify({
      env: {
        AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: "true",
        ENI_CONFIG_LABEL_DEF: "topology.kubernetes.io/zone",
      },
    }),
    tags: { team: "platform", env: "prod" },
  });
  cluster.controlPlaneEni(private1a);
  cluster.controlPlaneEni(private1b);
  const kubelet = { maxPods: 58, systemReserved: SYSTEM_RESERVED, evictionHard: FULL_EVICTION_HARD };
  const podNetwork = (subnet: SubnetRef) => ({ subnet, groups: [nodeSg] });

  // Karpenter: the pods of an m6i.xlarge on two ipamd ENIs in the zone's pod subnet.
  const karpenter = cluster.karpenter("default", {
    nodeClass: "default",
    securityGroups: [nodeSg],
    subnets: privates,
    instanceTypes: ["m6i.xlarge", "m6i.2xlarge"],
    kubelet,
    tags: { team: "platform" },
    createdAt: "2025-03-10T09:00:00.000Z",
  });
  karpenter.node(private1a, { enis: [1, 12], podNetwork: podNetwork(pods1a) });
  karpenter.node(private1b, { enis: [1, 9], podNetwork: podNetwork(pods1b) });
  karpenter.node(private1c, { enis: [1, 7], podNetwork: podNetwork(pods1c) });

  // A self-managed Auto Scaling group for the ingest daemons, on the same node SG.
  const ingestLt = r.launchTemplate("platform-batch-euw1-ingest", [
    {
      description: "AL2023 self-managed, reservations and full evictionHard",
      createdAt: "2025-03-10T09:30:00.000Z",
      instanceType: "m6i.large",
      securityGroups: [nodeSg],
      userData: al2023SelfManagedUserData(cluster.nodeadmDetails(), kubelet),
    },
  ]);
  const ingest = cluster.selfManaged("ingest", {
    launchTemplate: ingestLt,
    subnets: [private1a, private1b],
    scaling: { min: 2, max: 6, desired: 2 },
    createdAt: "2025-03-10T09:40:00.000Z",
  });
  ingest.node(private1a, { enis: [1, 5], podNetwork: podNetwork(pods1a) });
  ingest.node(private1b, { enis: [1, 5], podNetwork: podNetwork(pods1b) });

  // Fargate for the batch-jobs namespace, in the roomy private subnets.
  const jobs = cluster.fargateProfile("batch-jobs", {
    subnets: [private1a, private1b, private1c],
    selectors: [{ namespace: "batch-jobs" }],
    createdAt: "2025-03-10T10:00:00.000Z",
  });
  jobs.podsIn(private1a, 3);
  jobs.podsIn(private1b, 2);
}

/**
 * platform-auto-euw1, HEALTHY (estate v2): EKS Auto Mode. No vpc-cni add-on; EKS-managed instances of the
 * `general-purpose` and `system` node pools on the cluster SG, each with a /28 prefix on its primary ENI;
 * a prefix-type CIDR reservation in every node subnet keeps room for more prefixes.
 */
function platformAutoEuWest1(r: RegionBuilder): void {
  const name = "platform-auto-euw1";
  const vpc = r.vpc("platform-auto", "10.12.0.0/16");
  const zones = ["a", "b", "c"] as const;
  const publics = zones.map((z, i) =>
    publicLbSubnet(vpc, `platform-auto-public-1${z}`, z, `10.12.${i}.0/24`, 249),
  );
  const privates = zones.map((z, i) =>
    vpc.subnet(`platform-auto-private-1${z}`, {
      zone: z,
      cidr: `10.12.${32 + 16 * i}.0/20`,
      tags: { ...ROLE_INTERNAL_ELB, ...clusterTag(name, "owned") },
    }),
  );
  const [public1a] = publics;
  const [private1a, private1b, private1c] = privates;
  if (!public1a || !private1a || !private1b || !private1c) throw new Error(name);
  privates.forEach((subnet, i) => {
    subnet.cidrReservation(`10.12.${40 + 16 * i}.0/22`, "prefix", { description: "Auto Mode pod prefixes" });
  });

  vpc.publicRouteTable(publics);
  vpc.privateRouteTable("platform-auto-private", { nat: public1a, subnets: privates });
  vpc.mainRouteTable();

  const cluster = vpc.cluster(name, {
    version: "1.33",
    subnets: privates,
    createdAt: "2025-04-22T07:45:00.000Z",
    autoMode: {},
    tags: { team: "platform", env: "prod" },
  });
  cluster.controlPlaneEni(private1a);
  cluster.controlPlaneEni(private1b);
  const general = cluster.autoModeNodePool("general-purpose", { instanceTypes: ["m6i.xlarge"] });
  general.node(private1a, { enis: [1], prefixes: 2 });
  general.node(private1b);
  general.node(private1c);
  const system = cluster.autoModeNodePool("system", { instanceTypes: ["m6i.large"] });
  system.node(private1a);
  system.node(private1b);
}

/**
 * us-east-1: edge-use1 carries every elb.* problem in one VPC; tools-use1 the node.* ones (and CI jobs on
 * Fargate in subnets too small for them); storefront-use1 nodes with two cluster-tagged SGs.
 */
function platformProdUsEast1(r: RegionBuilder): void {
  edgeUse1(r);
  toolsUse1(r);
  storefrontUse1(r);
}

/**
 * edge-use1: every elb.* problem in one VPC. The internal-LB subnets are under the 8-IP floor
 * (no-eligible-subnet), tag cleanups leave one AZ for internet-facing LBs (single-az), a misspelt role
 * value (invalid-role-tag-value), a public role on a NAT-only subnet (role-tag-scheme-mismatch), another
 * cluster's tag and a look-alike key (foreign-cluster-tag), a deleted cluster's tag (stale-cluster-tag).
 */
function edgeUse1(r: RegionBuilder): void {
  const edge = r.vpc("edge", "10.20.0.0/16");
  const edgePublic1a = publicLbSubnet(edge, "edge-public-1a", "a", "10.20.0.0/24", 241);
  const edgePublic1b = edge.subnet("edge-public-1b", {
    zone: "b",
    cidr: "10.20.1.0/24",
    tags: { ...ROLE_ELB, ...clusterTag("tools-use1") },
    available: 246,
    public: true,
  });
  const edgePublic1c = edge.subnet("edge-public-1c", {
    zone: "c",
    cidr: "10.20.2.0/24",
    // A typo for kubernetes.io/cluster/edge-use1: the prefix still matches, so LBC skips the subnet.
    tags: { ...ROLE_ELB, "kubernetes.io/cluster-edge-use1": "owned" },
    available: 247,
    public: true,
  });
  edge.subnet("edge-internal-lb-1a", {
    zone: "a",
    cidr: "10.20.3.0/28",
    tags: ROLE_INTERNAL_ELB,
    available: 3,
  });
  edge.subnet("edge-internal-lb-1b", {
    zone: "b",
    cidr: "10.20.3.16/28",
    tags: ROLE_INTERNAL_ELB,
    available: 2,
  });
  edge.subnet("legacy-eks-nodes-1b", {
    zone: "b",
    cidr: "10.20.4.0/24",
    tags: clusterTag("legacy-eks-2019"),
    available: 251,
  });
  // A public-LB role tag on a NAT-only subnet.
  const edgePrivate1a = edge.subnet("edge-private-1a", {
    zone: "a",
    cidr: "10.20.16.0/20",
    tags: ROLE_ELB,
    available: 3990,
  });
  const edgePrivate1b = edge.subnet("edge-private-1b", { zone: "b", cidr: "10.20.32.0/20", available: 4011 });
  const edgePrivate1c = edge.subnet("edge-private-1c", {
    zone: "c",
    cidr: "10.20.48.0/20",
    tags: { "kubernetes.io/role/internal-elb": "true" },
    available: 4060,
  });
  edge.publicRouteTable([edgePublic1a, edgePublic1b, edgePublic1c]);
  edge.privateRouteTable("edge-private", { nat: edgePublic1a, subnets: [edgePrivate1a, edgePrivate1b] });
  // internal-lb-1a/1b, legacy-eks-nodes-1b and private-1c fall back to the main table (NAT, no IGW).
  edge.mainRouteTable({ routes: [{ to: "0.0.0.0/0", via: edgePublic1a.natGateway }] });

  const clusterSg = edge.clusterSecurityGroup("edge-use1");
  const controlPlaneSg = edge
    .securityGroup("edge-use1-control-plane", "Extra rules for the EKS API endpoint")
    .allow(CORPORATE_443);
  const ingressLt = r.launchTemplate("edge-use1-ingress", [
    {
      description: "AL2023 with system reservations",
      createdAt: "2025-03-18T11:05:00.000Z",
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
  ]);
  const cluster = edge.cluster("edge-use1", {
    version: "1.33",
    subnets: [edgePrivate1a, edgePrivate1b],
    clusterSg,
    additionalSgs: [controlPlaneSg],
    createdAt: "2024-11-05T16:20:41.000Z",
    vpcCniConfiguration: toYaml({ env: { MINIMUM_IP_TARGET: "10" } }),
    tags: { team: "edge", env: "prod" },
  });
  cluster.nodegroup("ingress", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [edgePrivate1a, edgePrivate1b],
    scaling: { min: 2, max: 6, desired: 2 },
    launchTemplate: ingressLt,
    createdAt: "2025-03-18T11:20:00.000Z",
  });
  cluster.nodegroup("workers", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [edgePrivate1a, edgePrivate1b, edgePrivate1c],
    scaling: { min: 3, max: 12, desired: 3 },
    createdAt: "2024-11-05T16:48:13.000Z",
  });
}

/**
 * tools-use1: the node.* problems (a partial evictionHard override, kubeReserved zeroed, a custom AMI),
 * prefix fragmentation under prefix delegation, and an AZ with nodes but no load-balancer subnet.
 */
function toolsUse1(r: RegionBuilder): void {
  const tools = r.vpc("tools", "10.21.0.0/16");
  const toolsPublic1a = publicLbSubnet(tools, "tools-public-1a", "a", "10.21.0.0/24", 245);
  const toolsPublic1b = publicLbSubnet(tools, "tools-public-1b", "b", "10.21.1.0/24", 248);
  const toolsPrivate1a = tools.subnet("tools-private-1a", {
    zone: "a",
    cidr: "10.21.8.0/24",
    tags: ROLE_INTERNAL_ELB,
  });
  const toolsPrivate1b = tools.subnet("tools-private-1b", {
    zone: "b",
    cidr: "10.21.16.0/20",
    tags: ROLE_INTERNAL_ELB,
    available: 3950,
  });
  // Added later for capacity; nobody tagged it and no LB subnet exists in us-east-1c.
  const toolsPrivate1c = tools.subnet("tools-private-1c", {
    zone: "c",
    cidr: "10.21.32.0/20",
    available: 4020,
  });
  tools.publicRouteTable([toolsPublic1a, toolsPublic1b]);
  tools.privateRouteTable("tools-private", {
    nat: toolsPublic1a,
    subnets: [toolsPrivate1a, toolsPrivate1b, toolsPrivate1c],
  });
  tools.mainRouteTable();

  const clusterSg = tools.clusterSecurityGroup("tools-use1");
  const ciLt = r.launchTemplate("tools-use1-ci-runners", [
    {
      description: "bootstrap",
      createdAt: "2024-06-21T13:00:00.000Z",
      userData: al2Bootstrap("tools-use1"),
    },
    {
      // Partial override: the flag replaces bootstrap.sh's evictionHard map, so nodefs.available and
      // nodefs.inodesFree lose their thresholds (AL2 sets no imagefs.available).
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
      // A custom AMI with its own join script: the kubelet configuration cannot be known.
      description: "golden AMI for image builders",
      createdAt: "2025-04-28T10:10:00.000Z",
      imageId: r.id("ami", "acme-eks-builder-2025.04"),
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
  const cluster = tools.cluster("tools-use1", {
    version: "1.31",
    subnets: [toolsPrivate1b, toolsPrivate1c],
    clusterSg,
    createdAt: "2022-03-02T12:31:09.000Z",
    vpcCniConfiguration: toYaml({ env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1" } }),
    tags: { team: "platform", env: "prod" },
  });
  const ciRunners = cluster.nodegroup("ci-runners", {
    amiType: "AL2_x86_64",
    instanceTypes: ["m5.large"],
    subnets: [toolsPrivate1a],
    scaling: { min: 1, max: 10, desired: 3 },
    launchTemplate: ciLt,
    createdAt: "2024-06-21T13:09:00.000Z",
  });
  cluster.nodegroup("builders-custom", {
    amiType: "CUSTOM",
    subnets: [toolsPrivate1b, toolsPrivate1c],
    scaling: { min: 0, max: 4, desired: 1 },
    launchTemplate: buildersLt,
    createdAt: "2025-04-28T10:22:00.000Z",
  });
  cluster.nodegroup("platform-agents", {
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
  ciRunners.node(toolsPrivate1a, {
    enis: [scattered.slice(0, 10), scattered.slice(10, 20)],
    launchedAt: preDelegation,
  });
  ciRunners.node(toolsPrivate1a, {
    enis: [scattered.slice(20, 30), scattered.slice(30, 40)],
    launchedAt: preDelegation,
  });
  ciRunners.node(toolsPrivate1a, {
    enis: [scattered.slice(40, 41)],
    prefixes: [`${intToIp(base + 96)}/28`, `${intToIp(base + 112)}/28`],
    launchedAt: "2025-06-02T08:14:09.000Z",
  });

  // CI jobs on Fargate (estate v2 story): two /28s, 11 usable addresses each, one pod ENI per running job.
  // tools-fargate-1b has no address left, tools-fargate-1a one.
  const fargate1a = tools.subnet("tools-fargate-1a", { zone: "a", cidr: "10.21.48.0/28" });
  const fargate1b = tools.subnet("tools-fargate-1b", { zone: "b", cidr: "10.21.48.16/28" });
  tools.privateRouteTable("tools-fargate", { nat: toolsPublic1a, subnets: [fargate1a, fargate1b] });
  const ciJobs = cluster.fargateProfile("ci-jobs", {
    subnets: [fargate1a, fargate1b],
    selectors: [{ namespace: "ci-jobs" }, { namespace: "ci-jobs-large", labels: { size: "large" } }],
    createdAt: "2025-05-20T16:00:00.000Z",
  });
  ciJobs.podsIn(fargate1a, 10);
  ciJobs.podsIn(fargate1b, 11);
}

/**
 * storefront-use1 (estate v2 story): the `web` node group's launch template puts the EKS cluster SG *and* the
 * team's node SG on its nodes, and both carry `kubernetes.io/cluster/storefront-use1` (EKS tags the cluster SG
 * `owned`; the Terraform module tagged the node SG too). The AWS Load Balancer Controller resolves the SG to
 * add target rules to as the one SG of the ENI tagged for the cluster, and errors on two
 * (kubernetes-sigs/aws-load-balancer-controller `pkg/networking/networking_manager.go`
 * `resolveEndpointSGForENI`: "expected exactly one securityGroup tagged with kubernetes.io/cluster/…").
 * Everything else is healthy: roomy /20 subnets, control-plane rules, reservations.
 */
function storefrontUse1(r: RegionBuilder): void {
  const name = "storefront-use1";
  const vpc = r.vpc("storefront", "10.22.0.0/16");
  const public1a = publicLbSubnet(vpc, "storefront-public-1a", "a", "10.22.0.0/24", 247);
  const public1b = publicLbSubnet(vpc, "storefront-public-1b", "b", "10.22.1.0/24", 248);
  const private1a = vpc.subnet("storefront-private-1a", {
    zone: "a",
    cidr: "10.22.16.0/20",
    tags: ROLE_INTERNAL_ELB,
  });
  const private1b = vpc.subnet("storefront-private-1b", {
    zone: "b",
    cidr: "10.22.32.0/20",
    tags: ROLE_INTERNAL_ELB,
  });
  vpc.publicRouteTable([public1a, public1b]);
  vpc.privateRouteTable("storefront-private", { nat: public1a, subnets: [private1a, private1b] });
  vpc.mainRouteTable();

  const clusterSg = vpc.clusterSecurityGroup(name);
  const webSg = vpc.securityGroup("storefront-web-nodes", "Nodes of the web node group", {
    tags: { Name: "storefront-web-nodes", ...clusterTag(name, "owned") },
  });
  allowControlPlane(webSg, clusterSg);
  const webLt = r.launchTemplate("storefront-use1-web", [
    {
      description: "cluster SG plus the team's node SG",
      createdAt: "2025-05-12T10:00:00.000Z",
      securityGroups: [clusterSg, webSg],
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED, evictionHard: FULL_EVICTION_HARD }),
    },
  ]);
  const cluster = vpc.cluster(name, {
    version: "1.33",
    subnets: [private1a, private1b],
    clusterSg,
    createdAt: "2025-05-12T09:31:02.000Z",
    tags: { team: "storefront", env: "prod" },
  });
  const web = cluster.nodegroup("web", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [private1a, private1b],
    scaling: { min: 2, max: 6, desired: 2 },
    launchTemplate: webLt,
    createdAt: "2025-05-12T10:10:00.000Z",
  });
  cluster.controlPlaneEni(private1a);
  cluster.controlPlaneEni(private1b);
  web.node(private1a, { enis: [10, 4] });
  web.node(private1b, { enis: [10, 3] });
}

// ---------------------------------------------------------------------------------------------
// 222233334444 payments-prod

/**
 * payments-euw1: the sg.* and ip.* problems plus a DEGRADED node group. `web` opens NodePorts to the
 * world from its own SG and fills two /24s; `batch` sits on the cluster SG (which reaches RDS), has SSH
 * open, and a nearly empty subnet it cannot launch into; `ledger`'s template replaced the cluster SG
 * without any control-plane rule; the control-plane subnets are nearly full.
 */
function paymentsProdEuWest1(r: RegionBuilder): void {
  r.instanceType("m5.large");
  const vpc = r.vpc("payments", "10.30.0.0/16");
  const public1a = publicLbSubnet(vpc, "payments-public-1a", "a", "10.30.0.0/24", 243);
  const public1b = publicLbSubnet(vpc, "payments-public-1b", "b", "10.30.1.0/24", 246);
  const public1c = publicLbSubnet(vpc, "payments-public-1c", "c", "10.30.2.0/24", 247);
  const controlPlane1a = vpc.subnet("payments-control-plane-1a", {
    zone: "a",
    cidr: "10.30.3.0/28",
    available: 3,
  });
  const controlPlane1b = vpc.subnet("payments-control-plane-1b", {
    zone: "b",
    cidr: "10.30.3.64/26",
    available: 52,
  });
  const batch1a = vpc.subnet("payments-batch-1a", { zone: "a", cidr: "10.30.4.0/24", available: 4 });
  const web1b = vpc.subnet("payments-web-1b", { zone: "b", cidr: "10.30.5.0/24", available: 50 });
  const web1c = vpc.subnet("payments-web-1c", { zone: "c", cidr: "10.30.6.0/24", available: 54 });
  const ledger = (zone: string, cidr: string, available: number) =>
    vpc.subnet(`payments-ledger-1${zone}`, { zone, cidr, tags: ROLE_INTERNAL_ELB, available });
  const ledger1a = ledger("a", "10.30.8.0/22", 990);
  const ledger1b = ledger("b", "10.30.12.0/22", 1001);
  const ledger1c = ledger("c", "10.30.16.0/22", 1003);
  vpc.subnet("payments-db-1a", { zone: "a", cidr: "10.30.20.0/24", available: 247 });
  vpc.subnet("payments-db-1b", { zone: "b", cidr: "10.30.21.0/24", available: 248 });
  vpc.publicRouteTable([public1a, public1b, public1c]);
  vpc.privateRouteTable("payments-private", {
    nat: public1a,
    subnets: [batch1a, web1b, web1c, ledger1a, ledger1b, ledger1c],
  });
  // Control-plane and database subnets have no association: the main table, local routes only.
  vpc.mainRouteTable();

  const clusterSg = vpc.clusterSecurityGroup("payments-euw1");
  const controlPlaneSg = vpc
    .securityGroup("payments-euw1-control-plane", "Extra rules for the EKS API endpoint")
    .allow({ tcp: 443, from: "10.255.0.0/16", description: "VPN" });
  const webSg = vpc.securityGroup("payments-web-nodes", "Nodes of the web node group");
  allowControlPlane(webSg, clusterSg);
  webSg.allow({ tcp: [30000, 32767], from: "0.0.0.0/0", description: "NodePorts for the legacy CLB" });
  const albSg = vpc
    .securityGroup("payments-internal-alb", "Internal ALB in front of the ledger")
    .allow({ tcp: 443, from: "10.30.0.0/16" });
  // Replaced the cluster SG in launch template v3 without any control-plane rule.
  const ledgerSg = vpc.securityGroup("payments-ledger-nodes", "Nodes of the ledger node group");
  ledgerSg
    .allow({ allTraffic: true, from: ledgerSg, description: "node to node" })
    .allow({ tcp: 8443, from: albSg, description: "ledger API from the ALB" });
  const remoteAccessSg = vpc.remoteAccessSecurityGroup("payments-euw1", "batch");
  vpc
    .securityGroup("rds-orders", "RDS PostgreSQL orders database")
    .allow({ tcp: 5432, from: clusterSg, description: "EKS nodes" });

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

  const cluster = vpc.cluster("payments-euw1", {
    version: "1.32",
    subnets: [controlPlane1a, controlPlane1b],
    clusterSg,
    additionalSgs: [controlPlaneSg],
    createdAt: "2021-05-17T09:12:55.000Z",
    tags: { team: "payments", env: "prod" },
  });
  cluster.nodegroup("web", {
    amiType: "AL2_x86_64",
    instanceTypes: ["m5.xlarge"],
    subnets: [web1b, web1c],
    scaling: { min: 2, max: 20, desired: 4 },
    launchTemplate: webLt,
    createdAt: "2024-08-06T08:20:00.000Z",
  });
  const batch = cluster.nodegroup("batch", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m5.large"],
    subnets: [batch1a],
    scaling: { min: 1, max: 8, desired: 3 },
    remoteAccess: { sshKey: "payments-ops", securityGroup: remoteAccessSg },
    createdAt: "2023-02-20T14:03:00.000Z",
    status: "DEGRADED",
  });
  batch
    .issue(
      "AsgInstanceLaunchFailures",
      `Could not launch On-Demand Instances. InsufficientFreeAddressesInSubnet - There are not enough free addresses in subnet '${batch1a.id}' to satisfy the requested number of instances. Launching EC2 instance failed.`,
      [batch.autoScalingGroupName],
    )
    .issue(
      "InsufficientFreeAddresses",
      "One or more of the subnets associated with your managed node group does not have enough available IP addresses for new nodes.",
      [batch1a.id],
    );
  cluster.nodegroup("ledger", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m6i.large"],
    subnets: [ledger1a, ledger1b, ledger1c],
    scaling: { min: 3, max: 9, desired: 3 },
    launchTemplate: ledgerLt,
    createdAt: "2024-10-01T10:30:00.000Z",
  });

  // A self-managed group for the reporting jobs (estate v2 story): its launch template's own SG admits only
  // itself, so nodes cannot reach the API server on 443 and the control plane cannot reach their kubelets on
  // 10250; nothing adds the cluster SG to a self-managed node.
  const reports1a = vpc.subnet("payments-reports-1a", { zone: "a", cidr: "10.30.24.0/24" });
  const reports1b = vpc.subnet("payments-reports-1b", { zone: "b", cidr: "10.30.25.0/24" });
  vpc.privateRouteTable("payments-reports", { nat: public1b, subnets: [reports1a, reports1b] });
  const reportsSg = vpc.securityGroup("payments-reports-nodes", "Nodes of the self-managed reports group");
  reportsSg
    .allow({ allTraffic: true, from: reportsSg, description: "node to node" })
    .allow({ tcp: 22, from: "10.255.0.0/16", description: "VPN" });
  const reportsLt = r.launchTemplate("payments-euw1-reports", [
    {
      description: "self-managed AL2023, own SG",
      createdAt: "2025-04-07T12:00:00.000Z",
      instanceType: "m6i.large",
      securityGroups: [reportsSg],
      userData: al2023SelfManagedUserData(cluster.nodeadmDetails(), {
        systemReserved: SYSTEM_RESERVED,
        evictionHard: FULL_EVICTION_HARD,
      }),
    },
  ]);
  const reports = cluster.selfManaged("reports", {
    launchTemplate: reportsLt,
    subnets: [reports1a, reports1b],
    scaling: { min: 1, max: 4, desired: 2 },
    createdAt: "2025-04-07T12:10:00.000Z",
  });
  reports.node(reports1a, { enis: [10, 4] });
  reports.node(reports1b, { enis: [10, 4] });
}

/**
 * checkout-euw1 (estate v2 story): EKS Auto Mode in two /26 node subnets that interface VPC endpoints reached
 * first. Each endpoint has an ENI in every subnet, and their addresses sit in every aligned /28 block the AWS
 * reserved addresses leave, so Auto Mode cannot delegate a prefix (it fell back to secondary addresses on the
 * nodes' primary ENIs) although some fifty addresses are free.
 */
function checkoutEuWest1(r: RegionBuilder): void {
  const name = "checkout-euw1";
  const vpc = r.vpc("checkout", "10.32.0.0/16");
  const public1a = publicLbSubnet(vpc, "checkout-public-1a", "a", "10.32.0.0/24", 248);
  const public1b = publicLbSubnet(vpc, "checkout-public-1b", "b", "10.32.1.0/24", 249);
  const nodes1a = vpc.subnet("checkout-nodes-1a", {
    zone: "a",
    cidr: "10.32.16.0/26",
    tags: ROLE_INTERNAL_ELB,
  });
  const nodes1b = vpc.subnet("checkout-nodes-1b", {
    zone: "b",
    cidr: "10.32.16.64/26",
    tags: ROLE_INTERNAL_ELB,
  });
  vpc.publicRouteTable([public1a, public1b]);
  vpc.privateRouteTable("checkout-private", { nat: public1a, subnets: [nodes1a, nodes1b] });
  vpc.mainRouteTable();

  const endpointSg = vpc
    .securityGroup("checkout-endpoints", "Interface VPC endpoints")
    .allow({ tcp: 443, from: "10.32.0.0/16" });
  const services = ["ecr.api", "ecr.dkr", "sts"];
  for (const subnet of [nodes1a, nodes1b]) {
    const { base } = parseCidr(subnet.cidr);
    services.forEach((service, i) => {
      const endpoint = r.id("vpce", name, service);
      r.networkInterface({
        key: `${endpoint}/${subnet.name}`,
        subnet,
        description: `VPC Endpoint Interface ${endpoint}`,
        groups: [endpointSg],
        addresses: [intToIp(base + 16 * (i + 1) + 7 + i)],
        type: "vpc_endpoint",
        requesterManaged: true,
      });
    });
  }

  const cluster = vpc.cluster(name, {
    version: "1.33",
    subnets: [nodes1a, nodes1b],
    createdAt: "2025-02-03T14:20:00.000Z",
    autoMode: {},
    tags: { team: "payments", env: "prod" },
  });
  cluster.controlPlaneEni(nodes1a);
  cluster.controlPlaneEni(nodes1b);
  const general = cluster.autoModeNodePool("general-purpose", { instanceTypes: ["c6i.xlarge"] });
  // No free /28 anywhere: secondary addresses on the primary ENI instead of prefixes.
  general.node(nodes1a, { enis: [9] });
  general.node(nodes1b, { enis: [6] });
}

/** payments-dr-use1: healthy data in a scope whose DescribeRouteTables always fails (see the faults). */
function paymentsDrUsEast1(r: RegionBuilder): void {
  const vpc = r.vpc("payments-dr", "10.31.0.0/16");
  const public1a = publicLbSubnet(vpc, "payments-dr-public-1a", "a", "10.31.0.0/24", 246);
  const public1b = publicLbSubnet(vpc, "payments-dr-public-1b", "b", "10.31.1.0/24", 247);
  const private1a = vpc.subnet("payments-dr-private-1a", {
    zone: "a",
    cidr: "10.31.16.0/20",
    tags: ROLE_INTERNAL_ELB,
    available: 4051,
  });
  const private1b = vpc.subnet("payments-dr-private-1b", {
    zone: "b",
    cidr: "10.31.32.0/20",
    tags: ROLE_INTERNAL_ELB,
    available: 4060,
  });
  vpc.publicRouteTable([public1a, public1b]);
  vpc.privateRouteTable("payments-dr-private", { nat: public1a, subnets: [private1a, private1b] });
  vpc.mainRouteTable();

  const clusterSg = vpc.clusterSecurityGroup("payments-dr-use1");
  const lt = r.launchTemplate("payments-dr-use1-standby", [
    {
      description: "AL2023 with system reservations",
      createdAt: "2025-01-20T12:00:00.000Z",
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
  ]);
  vpc
    .cluster("payments-dr-use1", {
      version: "1.33",
      subnets: [private1a, private1b],
      clusterSg,
      createdAt: "2025-01-20T11:31:07.000Z",
      tags: { team: "payments", env: "dr" },
    })
    .nodegroup("standby", {
      amiType: "AL2023_x86_64_STANDARD",
      instanceTypes: ["m6i.large"],
      subnets: [private1a, private1b],
      scaling: { min: 2, max: 10, desired: 2 },
      launchTemplate: lt,
      createdAt: "2025-01-20T12:10:00.000Z",
    });
}

// ---------------------------------------------------------------------------------------------
// 333344445555 data-staging

/**
 * eu-west-1: etl-staging and the shared-data VPC it reaches over peering; analytics-staging, HEALTHY;
 * ml-staging, Karpenter only, with one zone's subnet nearly full.
 */
function dataStagingEuWest1(r: RegionBuilder): void {
  r.instanceType("t3.large");
  const peering = r.peeringConnection("etl-to-shared-data");
  etlStaging(r, peering);
  analyticsStaging(r);
  mlStaging(r);
}

/**
 * etl-staging: security groups for pods in strict mode. A t3 node group cannot have trunk ENIs
 * (pod-eni-unsupported-instance), and a Redis in the peered shared-data VPC is open to the spark node SG
 * and to the feature-writer pods' SG (datastore-reachable-by-all-pods, LOW: pods carry their own SGs).
 */
function etlStaging(r: RegionBuilder, peering: string): void {
  const etl = r.vpc("etl", "10.40.0.0/16");
  const etlOwn = { ...ROLE_INTERNAL_ELB, ...clusterTag("etl-staging", "owned") };
  const etlPublic1a = publicLbSubnet(etl, "etl-public-1a", "a", "10.40.0.0/24", 246);
  const etlPublic1b = publicLbSubnet(etl, "etl-public-1b", "b", "10.40.1.0/24", 248);
  const etlPrivate1a = etl.subnet("etl-private-1a", { zone: "a", cidr: "10.40.16.0/20", tags: etlOwn });
  const etlPrivate1b = etl.subnet("etl-private-1b", { zone: "b", cidr: "10.40.32.0/20", tags: etlOwn });
  etl.publicRouteTable([etlPublic1a, etlPublic1b]);
  etl.privateRouteTable("etl-private", {
    nat: etlPublic1a,
    subnets: [etlPrivate1a, etlPrivate1b],
    routes: [{ to: "10.41.0.0/16", via: peering }],
  });
  etl.mainRouteTable();

  const clusterSg = etl.clusterSecurityGroup("etl-staging");
  const controlPlaneSg = etl
    .securityGroup("etl-staging-control-plane", "Extra rules for the EKS API endpoint")
    .allow(CORPORATE_443);
  const sparkSg = etl.securityGroup("etl-spark-nodes", "Nodes of the spark node group");
  allowControlPlane(sparkSg, clusterSg);
  const writerPodsSg = etl
    .securityGroup("etl-feature-writer-pods", "SecurityGroupPolicy feature-writer")
    .allow({ tcp: 8080, from: sparkSg, description: "kubelet probes" });

  const sparkLt = r.launchTemplate("etl-staging-spark", [
    {
      description: "dedicated node SG on eth0",
      createdAt: "2025-03-03T08:00:00.000Z",
      interfaceGroups: [sparkSg],
      userData: al2023NodeConfig({ systemReserved: SYSTEM_RESERVED }),
    },
  ]);
  const cluster = etl.cluster("etl-staging", {
    version: "1.32",
    subnets: [etlPrivate1a, etlPrivate1b],
    clusterSg,
    additionalSgs: [controlPlaneSg],
    createdAt: "2024-04-09T13:37:21.000Z",
    vpcCniConfiguration: JSON.stringify({
      env: { ENABLE_POD_ENI: "true", POD_SECURITY_GROUP_ENFORCING_MODE: "strict" },
      init: { env: { DISABLE_TCP_EARLY_DEMUX: "true" } },
    }),
    tags: { team: "data", env: "staging" },
  });
  const spark = cluster.nodegroup("spark", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m5.xlarge"],
    subnets: [etlPrivate1a, etlPrivate1b],
    scaling: { min: 2, max: 10, desired: 2 },
    launchTemplate: sparkLt,
    createdAt: "2025-03-03T08:15:00.000Z",
  });
  const airflow = cluster.nodegroup("airflow", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["t3.large"],
    subnets: [etlPrivate1a, etlPrivate1b],
    scaling: { min: 2, max: 4, desired: 2 },
    createdAt: "2024-04-09T14:02:00.000Z",
  });

  // All address users of the two private subnets: control plane, spark nodes with trunk ENIs and
  // feature-writer pods on branch ENIs (pod SG + node SG), airflow nodes.
  const podGroups = [writerPodsSg, sparkSg];
  cluster.controlPlaneEni(etlPrivate1a);
  cluster.controlPlaneEni(etlPrivate1b);
  const spark1a = spark.node(etlPrivate1a, { enis: [15, 6], trunk: true });
  const spark1b = spark.node(etlPrivate1b, { enis: [15, 6], trunk: true });
  spark1a.branchEni(1, podGroups);
  spark1a.branchEni(2, podGroups);
  spark1b.branchEni(1, podGroups);
  airflow.node(etlPrivate1a, { enis: [12, 5] });
  airflow.node(etlPrivate1b, { enis: [12, 5] });

  // shared-data: no cluster, the ElastiCache Redis the spark nodes reach over peering.
  const sharedData = r.vpc("shared-data", "10.41.0.0/16");
  sharedData.subnet("shared-data-1a", { zone: "a", cidr: "10.41.0.0/24", available: 240 });
  sharedData.subnet("shared-data-1b", { zone: "b", cidr: "10.41.1.0/24", available: 244 });
  sharedData.mainRouteTable({ routes: [{ to: "10.40.0.0/16", via: peering }] });
  sharedData
    .securityGroup("redis-features", "ElastiCache Redis feature store")
    .allow({ tcp: 6379, from: sparkSg, peering, description: "etl spark nodes" })
    .allow({ tcp: 6379, from: writerPodsSg, peering, description: "feature-writer pods" });
}

/**
 * analytics-staging, HEALTHY: public subnets get their IGW route from the VPC main table (default-VPC
 * style), Bottlerocket TOML and AL2 kubelet flags with reservations, and a warehouse open only to a bastion.
 */
function analyticsStaging(r: RegionBuilder): void {
  const analytics = r.vpc("analytics", "10.42.0.0/16");
  const own = { ...ROLE_INTERNAL_ELB, ...clusterTag("analytics-staging") };
  const public1a = publicLbSubnet(analytics, "analytics-public-1a", "a", "10.42.0.0/24", 244);
  const public1b = publicLbSubnet(analytics, "analytics-public-1b", "b", "10.42.1.0/24", 247);
  const private1a = analytics.subnet("analytics-private-1a", {
    zone: "a",
    cidr: "10.42.32.0/20",
    tags: own,
    available: 4012,
  });
  const private1b = analytics.subnet("analytics-private-1b", {
    zone: "b",
    cidr: "10.42.48.0/20",
    tags: own,
    available: 4023,
  });
  // The public subnets have no association and get their IGW route from the main table.
  analytics.mainRouteTable({ routes: [{ to: "0.0.0.0/0", via: analytics.internetGateway }] });
  analytics.privateRouteTable("analytics-private-1a", { nat: public1a, subnets: [private1a] });
  analytics.privateRouteTable("analytics-private-1b", { nat: public1b, subnets: [private1b] });

  const clusterSg = analytics.clusterSecurityGroup("analytics-staging");
  const bastionSg = analytics
    .securityGroup("analytics-bastion", "SSM bastion for analysts")
    .allow({ tcp: 22, from: "10.255.0.0/16", description: "VPN" });
  analytics
    .securityGroup("rds-warehouse", "RDS PostgreSQL warehouse")
    .allow({ tcp: 5432, from: bastionSg, description: "analysts via bastion" });

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
  const cluster = analytics.cluster("analytics-staging", {
    version: "1.32",
    subnets: [private1a, private1b],
    clusterSg,
    createdAt: "2025-02-24T08:30:44.000Z",
    tags: { team: "data", env: "staging" },
  });
  cluster.nodegroup("query", {
    amiType: "BOTTLEROCKET_x86_64",
    instanceTypes: ["r6i.large"],
    subnets: [private1a, private1b],
    scaling: { min: 2, max: 8, desired: 3 },
    launchTemplate: queryLt,
    createdAt: "2025-02-24T09:20:00.000Z",
  });
  cluster.nodegroup("ingest", {
    amiType: "AL2_x86_64",
    instanceTypes: ["m6i.large"],
    subnets: [private1a, private1b],
    scaling: { min: 1, max: 4, desired: 2 },
    launchTemplate: ingestLt,
    createdAt: "2025-02-24T09:25:00.000Z",
  });
}

/**
 * ml-staging (estate v2 story; aws/karpenter-provider-aws#5234): Karpenter only, v1.0 (its launch template still
 * carries `karpenter.k8s.aws/cluster`). The EC2NodeClass selects one `karpenter.sh/discovery` subnet per zone;
 * `ml-nodes-1a` is a /26 that Karpenter's m5.2xlarge nodes have nearly filled, yet zone-spread workloads keep
 * sending new nodes there: a node takes 30 addresses as soon as it runs a pod, and 35 are left. The other two
 * zones have /20s with room.
 */
function mlStaging(r: RegionBuilder): void {
  const name = "ml-staging";
  const vpc = r.vpc("ml", "10.43.0.0/16");
  const publics = (["a", "b", "c"] as const).map((z, i) =>
    publicLbSubnet(vpc, `ml-public-1${z}`, z, `10.43.${i}.0/24`, 248),
  );
  const discovery = { ...ROLE_INTERNAL_ELB, ...karpenterDiscovery(name) };
  const nodes1a = vpc.subnet("ml-nodes-1a", { zone: "a", cidr: "10.43.16.0/26", tags: discovery });
  const nodes1b = vpc.subnet("ml-nodes-1b", { zone: "b", cidr: "10.43.32.0/20", tags: discovery });
  const nodes1c = vpc.subnet("ml-nodes-1c", { zone: "c", cidr: "10.43.48.0/20", tags: discovery });
  const [public1a] = publics;
  if (!public1a) throw new Error(name);
  vpc.publicRouteTable(publics);
  vpc.privateRouteTable("ml-private", { nat: public1a, subnets: [nodes1a, nodes1b, nodes1c] });
  vpc.mainRouteTable();

  const clusterSg = vpc.clusterSecurityGroup(name);
  const nodeSg = vpc.securityGroup("ml-staging-nodes", "Karpenter nodes", { tags: karpenterDiscovery(name) });
  allowControlPlane(nodeSg, clusterSg);
  const cluster = vpc.cluster(name, {
    version: "1.32",
    subnets: [nodes1b, nodes1c],
    clusterSg,
    createdAt: "2024-07-15T11:04:39.000Z",
    tags: { team: "data", env: "staging" },
  });
  cluster.controlPlaneEni(nodes1b);
  cluster.controlPlaneEni(nodes1c);
  const pool = cluster.karpenter("default", {
    nodeClass: "default",
    securityGroups: [nodeSg],
    subnets: [nodes1a, nodes1b, nodes1c],
    instanceTypes: ["m5.2xlarge"],
    kubelet: { maxPods: 58, systemReserved: SYSTEM_RESERVED, evictionHard: FULL_EVICTION_HARD },
    tags: { team: "data" },
    legacyClusterTag: true,
    createdAt: "2024-07-15T12:00:00.000Z",
  });
  // ml-nodes-1a: 59 usable − 24 = 35 free.
  pool.node(nodes1a, { enis: [15, 9] });
  pool.node(nodes1b, { enis: [15, 6] });
  pool.node(nodes1c, { enis: [15, 3] });
}

// ---------------------------------------------------------------------------------------------
// 555566667777 shared-services: scanned, no clusters

/** eu-west-1: a transit VPC and nothing for EKS. */
function sharedServicesEuWest1(r: RegionBuilder): void {
  const vpc = r.vpc("shared-services", "10.50.0.0/16");
  vpc.subnet("shared-services-1a", { zone: "a", cidr: "10.50.0.0/22", available: 1003 });
  vpc.subnet("shared-services-1b", { zone: "b", cidr: "10.50.4.0/22", available: 1011 });
  vpc.mainRouteTable({ routes: [{ to: "0.0.0.0/0", via: r.transitGateway("core") }] });
  vpc.securityGroup("vpc-endpoints", "Interface endpoints").allow({ tcp: 443, from: "10.0.0.0/8" });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(SAMPLE_ESTATE_FILE, formatEstateJson(buildSampleEstate()));
  console.log(`wrote ${SAMPLE_ESTATE_FILE}`);
}
