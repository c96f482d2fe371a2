import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { Estate } from "#shared/estate/index.ts";
import {
  clusterTag,
  EstateBuilder,
  type RegionBuilder,
  ROLE_ELB,
  ROLE_INTERNAL_ELB,
} from "#sim/builder/index.ts";

export const MANAGEMENT = "111122223333";
export const MEMBER = "222233334444";
export const DENIED = "333344445555";
export const REGION = "eu-west-1";

/** Access key the simulator maps to the management account. */
export const MANAGEMENT_KEY = "AKIA111122223333TEST";

export interface ClientOptions {
  region?: string;
  accessKeyId?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts with no backoff (default 1): most tests are not about retries. */
  maxAttempts?: number;
  /** Use the SDK's standard retry strategy, unchanged, with this many attempts. */
  standardRetries?: number;
}

function config(url: string, opts: ClientOptions) {
  const base = {
    region: opts.region ?? REGION,
    endpoint: url,
    credentials: opts.credentials ?? {
      accessKeyId: opts.accessKeyId ?? MANAGEMENT_KEY,
      secretAccessKey: "x",
    },
  };
  if (opts.standardRetries !== undefined) return { ...base, maxAttempts: opts.standardRetries };
  return { ...base, retryStrategy: new ConfiguredRetryStrategy(opts.maxAttempts ?? 1, 0) };
}

export const ec2Client = (url: string, opts: ClientOptions = {}) => new EC2Client(config(url, opts));
export const eksClient = (url: string, opts: ClientOptions = {}) => new EKSClient(config(url, opts));
export const autoscalingClient = (url: string, opts: ClientOptions = {}) =>
  new AutoScalingClient(config(url, opts));
export const stsClient = (url: string, opts: ClientOptions = {}) => new STSClient(config(url, opts));
export const snsClient = (url: string, opts: ClientOptions = {}) => new SNSClient(config(url, opts));
export const orgsClient = (url: string, opts: ClientOptions = {}) =>
  new OrganizationsClient(config(url, { region: "us-east-1", ...opts }));

/** SDK output with Dates as ISO strings and `$metadata` dropped, comparable with estate JSON. */
export function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === "$metadata" ? undefined : v)));
}

/**
 * A small but complete region: every EC2 and EKS shape the auditor reads, with short hand-picked ids the
 * simulator tests name, plus sparse records (a bare VPC and cluster, an IPv6 egress-only route) that
 * only a recording holds.
 */
function fullRegion(r: RegionBuilder): void {
  const vpc = r.vpc("prod", "10.0.0.0/16", { id: "vpc-0a1" });
  // Twelve subnets over three AZs: even ones public (`elb`), odd ones private (`internal-elb`).
  const subnets = Array.from({ length: 12 }, (_, i) => {
    const tier = i % 2 === 0 ? "public" : "private";
    const role = i % 2 === 0 ? ROLE_ELB : ROLE_INTERNAL_ELB;
    const hasEnis = i === 1 || i === 3;
    return vpc.subnet(`${tier}-${i}`, {
      id: `subnet-0a${String(i).padStart(4, "0")}`,
      zone: "abc"[i % 3] ?? "a",
      tags: { ...role, ...(i < 3 ? clusterTag("prod") : {}) },
      // Subnets with ENIs count their free addresses from them.
      ...(hasEnis ? {} : { available: 200 - i }),
      public: i % 2 === 0,
    });
  });
  const subnet = (i: number) => {
    const s = subnets[i];
    if (s === undefined) throw new Error(`no subnet ${i}`);
    return s;
  };
  vpc.mainRouteTable({ id: "rtb-main" });
  vpc.routeTable("public", {
    id: "rtb-public",
    subnets: [subnet(0), subnet(2)],
    routes: [
      { to: "0.0.0.0/0", via: "igw-1" },
      { DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-1", Origin: "CreateRoute" },
    ],
  });
  vpc.privateRouteTable("private", { id: "rtb-private", nat: "nat-1", subnets: [subnet(1)] });

  const clusterSg = vpc.clusterSecurityGroup("prod", {
    id: "sg-cluster",
    egress: [
      { allTraffic: true, to: "0.0.0.0/0" },
      { allTraffic: true, to: "::/0", description: "all v6" },
    ],
  });
  const nodes = vpc
    .securityGroup("prod-nodes", "node group", { id: "sg-nodes", egress: [] })
    .allow({ tcp: 22, from: "0.0.0.0/0", description: "ssh from anywhere" });
  vpc
    .securityGroup("prod-rds", "database", { id: "sg-rds", tags: { team: "data" } })
    .allow({ tcp: 5432, from: nodes, description: "nodes" });

  r.instanceType("m5.large");
  const prodNodes = r.launchTemplate(
    "prod-nodes",
    [
      {
        instanceType: "m5.large",
        imageId: "ami-123",
        userData: "#!/bin/bash\n/etc/eks/bootstrap.sh prod\n",
        securityGroups: [nodes],
        createdAt: "2025-01-02T03:04:05.000Z",
      },
      {
        instanceType: "m5.xlarge",
        // CRLF line ends, as some tools write MIME.
        userData: "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n--==X==--",
        interfaceGroups: [nodes, clusterSg],
        createdAt: "2025-02-02T03:04:05.000Z",
      },
    ],
    { id: "lt-0001", defaultVersion: 1 },
  );
  r.launchTemplate("batch", [{ instanceType: "c6in.32xlarge" }], { id: "lt-0002" });

  r.networkInterface({
    id: "eni-0001",
    subnet: subnet(1),
    description: "aws-K8S-i-0123",
    groups: [nodes, clusterSg],
    addresses: 2,
    attachment: { instanceId: "i-0123", deviceIndex: 1, attachedAt: "2025-03-01T00:00:00.000Z" },
    tags: { "node.k8s.amazonaws.com/instance_id": "i-0123" },
  });
  r.networkInterface({
    id: "eni-0002",
    subnet: subnet(3),
    description: "Amazon EKS prod",
    groups: [clusterSg],
    addresses: 1,
    status: "available",
  });

  const cluster = vpc.cluster("prod", {
    version: "1.31",
    subnets: [subnet(0), subnet(1), subnet(2)],
    clusterSg,
    additionalSgs: [nodes],
    createdAt: "2024-06-01T12:00:00.000Z",
    endpointPublicAccess: true,
    vpcCniConfiguration: JSON.stringify({ env: { WARM_IP_TARGET: "5", ENABLE_PREFIX_DELEGATION: "true" } }),
    addons: ["vpc-cni", "coredns"],
    tags: { team: "platform" },
  });
  const general = cluster.nodegroup("general", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m5.large"],
    subnets: [subnet(1), subnet(3)],
    scaling: { min: 1, max: 5, desired: 3 },
    remoteAccess: { sshKey: "ops" },
    createdAt: "2024-06-02T00:00:00.000Z",
    status: "DEGRADED",
    labels: { role: "general" },
    with: {
      remoteAccess: { ec2SshKey: "ops", sourceSecurityGroups: [] },
      taints: [{ key: "dedicated", value: "general", effect: "NO_SCHEDULE" }],
      tags: { team: "platform" },
    },
  });
  general.issue("Ec2SubnetInvalidConfiguration", "One or more Amazon EC2 Subnets have no free IP addresses", [
    subnet(1).id,
  ]);
  cluster.nodegroup("batch", {
    amiType: "AL2_x86_64",
    subnets: [subnet(3)],
    scaling: { min: 0, max: 10, desired: 0 },
    launchTemplate: prodNodes,
  });

  r.record({
    Vpcs: [{ VpcId: "vpc-0b2", CidrBlock: "172.31.0.0/16", IsDefault: true, State: "available", Tags: [] }],
    clusters: [
      {
        cluster: { name: "staging", resourcesVpcConfig: { vpcId: "vpc-0a1", subnetIds: ["subnet-0a0004"] } },
        nodegroups: [],
        addons: [],
      },
    ],
  });
}

/** The member's region: one nearly full subnet shared by seven clusters. */
function memberRegion(r: RegionBuilder): void {
  const vpc = r.vpc("member", "10.9.0.0/16", { id: "vpc-member" });
  const subnet = vpc.subnet("member", { id: "subnet-member1", zone: "a", cidr: "10.9.1.0/24", available: 3 });
  for (let i = 0; i < 7; i++) vpc.cluster(`member-${i}`, { version: "1.33", subnets: [subnet] });
}

/**
 * Three accounts with data — the management account with a full region, a member, and one whose role is
 * denied — and four SUSPENDED accounts; the member has regions that are not enabled.
 */
export function sampleEstate(): Estate {
  const org = new EstateBuilder({ organizationId: "o-1", managementAccountId: MANAGEMENT });
  const management = org.account(MANAGEMENT, {
    name: "management",
    email: "root@example.com",
    joinedAt: "2020-01-01T00:00:00.000Z",
  });
  const member = org.account(MEMBER, { name: "member", joinedAt: "2021-05-06T07:08:09.000Z" });
  const denied = org.account(DENIED, { name: "locked" });
  for (let i = 0; i < 4; i++) org.account(`44445555666${i}`, { name: `extra-${i}`, status: "SUSPENDED" });

  fullRegion(management.region(REGION));
  management.region("us-east-1");
  memberRegion(member.region(REGION));
  member.region("ap-south-1");
  member.regionsNotEnabled("ap-south-1", "me-south-1");
  denied.region(REGION);
  denied.denyAssumeRole();
  return org.build();
}
