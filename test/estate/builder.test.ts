import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type Estate, type EstateRegion, parseEstate } from "#shared/estate/index.ts";
import {
  al2023NodeConfig,
  al2023SelfManagedUserData,
  allowControlPlane,
  clusterTag,
  EstateBuilder,
  karpenterDiscovery,
  type RegionBuilder,
  ROLE_ELB,
  ROLE_INTERNAL_ELB,
} from "#sim/builder/index.ts";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

/** A small healthy cluster: public and private subnets in two AZs, one node group on a launch template. */
function smallCluster(r: RegionBuilder, subnetName = "private-a") {
  const vpc = r.vpc("prod", "10.0.0.0/16");
  const publicA = vpc.subnet("public-a", { zone: "a", tags: ROLE_ELB, public: true });
  const publicB = vpc.subnet("public-b", { zone: "b", tags: ROLE_ELB, public: true });
  const privateA = vpc.subnet(subnetName, { zone: "a", prefixLength: 20, tags: ROLE_INTERNAL_ELB });
  const privateB = vpc.subnet("private-b", { zone: "b", prefixLength: 20, tags: ROLE_INTERNAL_ELB });
  vpc.publicRouteTable([publicA, publicB]);
  vpc.privateRouteTable("private", { nat: publicA, subnets: [privateA, privateB] });
  const cluster = vpc.cluster("prod", { version: "1.33", subnets: [privateA, privateB] });
  const lt = r.launchTemplate("prod-general", [
    { userData: al2023NodeConfig({ systemReserved: { cpu: "250m", memory: "1Gi" } }) },
  ]);
  const general = cluster.nodegroup("general", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m5.large"],
    subnets: [privateA, privateB],
    scaling: { min: 1, max: 4, desired: 2 },
    launchTemplate: lt,
  });
  return { vpc, cluster, general, privateA, privateB, publicA };
}

function regionOf(estate: Estate, account = ACCOUNT, region = REGION): EstateRegion {
  const r = estate.accounts[account]?.regions[region];
  if (r === undefined) throw new Error(`no ${account} ${region}`);
  return r;
}

function oneRegion(story: (r: RegionBuilder) => void): EstateRegion {
  const org = new EstateBuilder();
  story(org.account(ACCOUNT, { name: "prod" }).region(REGION));
  return regionOf(org.build());
}

const tagsOf = (tags: { Key?: string; Value?: string }[] | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

describe("Class: EstateBuilder", () => {
  it("builds an estate that passes the format's validation, JSON round trip included", () => {
    // Prepare
    const org = new EstateBuilder({ managementAccountId: ACCOUNT });
    const { general, privateA } = smallCluster(org.account(ACCOUNT, { name: "prod" }).region(REGION));
    general.node(privateA, { enis: [10, 5] });

    // Act
    const estate = org.build();

    // Assess
    expect(() => parseEstate(JSON.parse(JSON.stringify(estate)))).not.toThrow();
    const r = regionOf(estate);
    expect(r.eks.clusters.map((c) => c.cluster.name)).toEqual(["prod"]);
    expect(r.eks.clusters[0]?.nodegroups.map((n) => n.nodegroupName)).toEqual(["general"]);
    expect(r.ec2.Subnets).toHaveLength(4);
    expect(r.ec2.NetworkInterfaces).toHaveLength(2);
  });

  it("derives every id from names: the same story gives the same estate, a renamed subnet only its own id", () => {
    // Prepare
    const build = (name: string) => oneRegion((r) => smallCluster(r, name));

    // Act
    const first = build("private-a");
    const again = build("private-a");
    const renamed = build("private-a2");

    // Assess
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    const ids = (r: EstateRegion) => r.ec2.Subnets.map((s) => s.SubnetId);
    expect(ids(renamed).filter((id, i) => id !== ids(first)[i])).toHaveLength(1);
    expect(renamed.ec2.SecurityGroups.map((g) => g.GroupId)).toEqual(
      first.ec2.SecurityGroups.map((g) => g.GroupId),
    );
    for (const id of ids(first)) expect(id).toMatch(/^subnet-0[0-9a-f]{16}$/);
  });

  it("records the organization in order, and gives data entries to ACTIVE accounts and accounts with regions", () => {
    // Prepare
    const org = new EstateBuilder({ organizationId: "o-example", managementAccountId: ACCOUNT });
    org.account(ACCOUNT, { name: "management", joinedMethod: "INVITED" }).region(REGION);
    org.account("222233334444", { name: "member" });
    org.account("333344445555", { name: "closed", status: "SUSPENDED" });

    // Act
    const estate = org.build();

    // Assess
    expect(estate.organization.managementAccountId).toBe(ACCOUNT);
    expect(estate.organization.accounts.map((a) => [a.Id, a.Status, a.JoinedMethod])).toEqual([
      [ACCOUNT, "ACTIVE", "INVITED"],
      ["222233334444", "ACTIVE", "CREATED"],
      ["333344445555", "SUSPENDED", "CREATED"],
    ]);
    expect(estate.organization.accounts[1]?.Arn).toBe(
      `arn:aws:organizations::${ACCOUNT}:account/o-example/222233334444`,
    );
    expect(Object.keys(estate.accounts)).toEqual([ACCOUNT, "222233334444"]);
    expect(estate.accounts["222233334444"]).toEqual({ regions: {} });
    expect(estate.faults).toBeUndefined();
  });

  it("collects faults from accounts and settings in the format's key order", () => {
    // Prepare
    const org = new EstateBuilder();
    const member = org.account("222233334444", { name: "member" });
    member.failCall("us-east-1", "DescribeRouteTables", "InternalError");
    member.regionsNotEnabled("ap-south-1");
    org.account("333344445555", { name: "locked" }).denyAssumeRole();
    org.faults({ latencyMs: 25, regionsNotEnabled: { "222233334444": ["me-south-1"] } });

    // Act
    const { faults } = org.build();

    // Assess
    expect(Object.keys(faults ?? {})).toEqual([
      "latencyMs",
      "assumeRoleDenied",
      "regionsNotEnabled",
      "failingCalls",
    ]);
    expect(faults).toEqual({
      latencyMs: 25,
      assumeRoleDenied: ["333344445555"],
      regionsNotEnabled: { "222233334444": ["ap-south-1", "me-south-1"] },
      failingCalls: [
        {
          accountId: "222233334444",
          region: "us-east-1",
          operation: "DescribeRouteTables",
          errorCode: "InternalError",
        },
      ],
    });
  });

  it("refuses an account added twice", () => {
    const org = new EstateBuilder();
    org.account(ACCOUNT, { name: "a" });
    expect(() => org.account(ACCOUNT, { name: "b" })).toThrow(
      `account ${ACCOUNT} is already in the organization`,
    );
  });
});

describe("Class: VpcBuilder", () => {
  it("lays out generated subnet CIDRs aligned and in order after the blocks already taken", () => {
    // Act
    const r = oneRegion((region) => {
      const vpc = region.vpc("net", "10.1.0.0/16");
      vpc.subnet("a", { zone: "a", cidr: "10.1.0.0/24" });
      vpc.subnet("b", { zone: "b", prefixLength: 20 });
      vpc.subnet("c", { zone: "c", prefixLength: 28 });
      vpc.subnet("d", { zone: "a" });
    });

    // Assess
    expect(r.ec2.Subnets.map((s) => [tagsOf(s.Tags).Name, s.CidrBlock, s.AvailableIpAddressCount])).toEqual([
      ["a", "10.1.0.0/24", 251],
      ["b", "10.1.16.0/20", 4091],
      ["c", "10.1.32.0/28", 11],
      ["d", "10.1.33.0/24", 251],
    ]);
    expect(r.ec2.Subnets.map((s) => [s.AvailabilityZone, s.AvailabilityZoneId])).toEqual([
      ["eu-west-1a", "euw1-az3"],
      ["eu-west-1b", "euw1-az1"],
      ["eu-west-1c", "euw1-az2"],
      ["eu-west-1a", "euw1-az3"],
    ]);
  });

  it("names both subnets when CIDRs overlap, and the VPC when a subnet falls outside it", () => {
    const org = new EstateBuilder();
    const vpc = org.account(ACCOUNT, { name: "prod" }).region(REGION).vpc("net", "10.1.0.0/16");
    vpc.subnet("first", { zone: "a", cidr: "10.1.0.0/20" });
    expect(() => vpc.subnet("second", { zone: "a", cidr: "10.1.4.0/24" })).toThrow(
      "subnet second: 10.1.4.0/24 overlaps subnet first 10.1.0.0/20",
    );
    expect(() => vpc.subnet("third", { zone: "a", cidr: "10.2.0.0/24" })).toThrow(
      "subnet third: 10.2.0.0/24 is outside VPC net 10.1.0.0/16",
    );
    expect(() => vpc.subnet("fourth", { zone: "a", cidr: "10.1.0.7/24" })).toThrow(
      "CIDR 10.1.0.7/24 is not aligned",
    );
  });

  it("routes public subnets to the IGW and private ones to a NAT, and adds the main table a VPC always has", () => {
    // Act
    const r = oneRegion((region) => smallCluster(region));

    // Assess
    const [publicTable, privateTable, mainTable] = r.ec2.RouteTables;
    expect(r.ec2.RouteTables).toHaveLength(3);
    expect(publicTable?.Routes?.[1]).toMatchObject({
      DestinationCidrBlock: "0.0.0.0/0",
      GatewayId: expect.stringMatching(/^igw-/),
    });
    expect(privateTable?.Routes?.[1]).toMatchObject({
      DestinationCidrBlock: "0.0.0.0/0",
      NatGatewayId: expect.stringMatching(/^nat-/),
    });
    expect(privateTable?.Associations?.map((a) => a.SubnetId)).toEqual(
      r.ec2.Subnets.slice(2).map((s) => s.SubnetId),
    );
    expect(mainTable?.Associations).toEqual([expect.objectContaining({ Main: true })]);
    expect(mainTable?.Routes).toEqual([
      {
        DestinationCidrBlock: "10.0.0.0/16",
        GatewayId: "local",
        Origin: "CreateRouteTable",
        State: "active",
      },
    ]);
  });

  it("refuses a subnet in two route tables and a VPC with two main tables", () => {
    const org = new EstateBuilder();
    const region = org.account(ACCOUNT, { name: "prod" }).region(REGION);
    const vpc = region.vpc("net");
    const subnet = vpc.subnet("a", { zone: "a" });
    vpc.routeTable("one", { subnets: [subnet] });
    expect(() => vpc.routeTable("two", { subnets: [subnet] })).toThrow("subnet a is already associated with");
    vpc.mainRouteTable();
    vpc.routeTable("other-main", { main: true });
    expect(() => org.build()).toThrow("VPC net has 2 main route tables");
  });
});

describe("Class: SecurityGroupRef", () => {
  it("groups rules by protocol and port range as DescribeSecurityGroups does, IPv6 and group sources included", () => {
    // Act
    const r = oneRegion((region) => {
      const vpc = region.vpc("net");
      const nodes = vpc.securityGroup("nodes", "node SG");
      vpc
        .securityGroup("db", "database")
        .allow({ tcp: 5432, from: nodes, description: "nodes" })
        .allow({ tcp: 5432, from: "10.0.0.0/8" })
        .allow({ tcp: [30000, 32767], from: "::/0" })
        .allow({ icmp: true, from: "10.0.0.0/8" });
    });

    // Assess
    const [nodes, db] = r.ec2.SecurityGroups;
    expect(db?.IpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        IpRanges: [{ CidrIp: "10.0.0.0/8" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [{ GroupId: nodes?.GroupId, UserId: ACCOUNT, Description: "nodes" }],
      },
      {
        IpProtocol: "tcp",
        FromPort: 30000,
        ToPort: 32767,
        IpRanges: [],
        Ipv6Ranges: [{ CidrIpv6: "::/0" }],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
      {
        IpProtocol: "icmp",
        FromPort: -1,
        ToPort: -1,
        IpRanges: [{ CidrIp: "10.0.0.0/8" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
    expect(db?.IpPermissionsEgress?.[0]).toMatchObject({
      IpProtocol: "-1",
      IpRanges: [{ CidrIp: "0.0.0.0/0" }],
    });
  });

  it("references another VPC's group only through a peering connection", () => {
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    const app = region.vpc("app").securityGroup("app", "app");
    const redis = region.vpc("data").securityGroup("redis", "redis");
    expect(() => redis.allow({ tcp: 6379, from: app })).toThrow("reference it through a peering connection");
    const pcx = region.peeringConnection("app-to-data");
    redis.allow({ tcp: 6379, from: app, peering: pcx });
    const built = region.build().ec2.SecurityGroups[1];
    expect(built?.IpPermissions?.[0]?.UserIdGroupPairs).toEqual([
      {
        GroupId: app.id,
        UserId: ACCOUNT,
        VpcId: app.vpc.id,
        VpcPeeringConnectionId: pcx,
        PeeringStatus: "active",
      },
    ]);
  });

  it("opens node ↔ control plane on 443, 10250 and DNS with allowControlPlane", () => {
    const r = oneRegion((region) => {
      const vpc = region.vpc("net");
      allowControlPlane(vpc.securityGroup("nodes", "nodes"), vpc.clusterSecurityGroup("prod"));
    });
    const [nodes, cluster] = r.ec2.SecurityGroups;
    const ports = (g: typeof nodes) => g?.IpPermissions?.map((p) => `${p.IpProtocol}:${p.FromPort ?? "all"}`);
    expect(ports(nodes)).toEqual(["-1:all", "tcp:10250", "tcp:443", "tcp:53", "udp:53"]);
    expect(ports(cluster)).toEqual(["-1:all", "tcp:443", "tcp:53", "udp:53"]);
    expect(tagsOf(cluster?.Tags)).toMatchObject({
      "aws:eks:cluster-name": "prod",
      ...clusterTag("prod", "owned"),
    });
  });
});

describe("Class: ClusterBuilder", () => {
  it("gives a cluster the three managed add-ons, its vpc-cni configuration on vpc-cni only", () => {
    // Act
    const r = oneRegion((region) => {
      const vpc = region.vpc("net");
      const subnets = [vpc.subnet("a", { zone: "a" }), vpc.subnet("b", { zone: "b" })];
      vpc.cluster("with-cni", {
        version: "1.32",
        subnets,
        vpcCniConfiguration: '{"env":{"WARM_IP_TARGET":"2"}}',
      });
      vpc.cluster("self-managed-cni", { version: "1.31", subnets, addons: ["coredns", "kube-proxy"] });
    });

    // Assess
    const [withCni, selfManaged] = r.eks.clusters;
    expect(withCni?.addons.map((a) => [a.addonName, a.addonVersion, a.configurationValues])).toEqual([
      ["vpc-cni", "v1.19.5-eksbuild.1", '{"env":{"WARM_IP_TARGET":"2"}}'],
      ["coredns", "v1.11.4-eksbuild.10", undefined],
      ["kube-proxy", "v1.32.3-eksbuild.7", undefined],
    ]);
    expect(selfManaged?.addons.map((a) => a.addonName)).toEqual(["coredns", "kube-proxy"]);
    expect(withCni?.cluster.resourcesVpcConfig?.clusterSecurityGroupId).toBe(
      r.ec2.SecurityGroups[0]?.GroupId,
    );
  });

  it("refuses control-plane and node-group subnets of another VPC", () => {
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    const other = region.vpc("other").subnet("x", { zone: "a" });
    const vpc = region.vpc("net");
    expect(() => vpc.cluster("prod", { version: "1.33", subnets: [other] })).toThrow(
      "cluster prod: subnet x is not in VPC net",
    );
    const cluster = vpc.cluster("prod", { version: "1.33", subnets: [vpc.subnet("a", { zone: "a" })] });
    expect(() =>
      cluster.nodegroup("ng", {
        amiType: "AL2_x86_64",
        subnets: [other],
        scaling: { min: 1, max: 1, desired: 1 },
      }),
    ).toThrow("node group ng: subnet x is not in the cluster VPC");
  });
});

describe("Class: ManagedNodeGroup", () => {
  it("counts a subnet's free addresses from the ENIs its nodes and the control plane hold", () => {
    // Act
    const r = oneRegion((region) => {
      const { cluster, general, privateA } = smallCluster(region);
      cluster.controlPlaneEni(privateA);
      general.node(privateA, { enis: [10, 5] });
      general.node(privateA, { enis: [1], prefixes: ["10.0.17.0/28"], trunk: true });
    });

    // Assess: /20 = 4091 usable; 1 + 15 + 1 + 16 + 1 (trunk) held.
    const privateA = r.ec2.Subnets[2];
    expect(privateA?.AvailableIpAddressCount).toBe(4091 - 34);
    const enis = r.ec2.NetworkInterfaces.filter((e) => e.SubnetId === privateA?.SubnetId);
    expect(enis.map((e) => [e.Description, e.InterfaceType, e.Attachment?.DeviceIndex])).toEqual([
      ["Amazon EKS prod", "interface", undefined],
      ["", "interface", 0],
      [`aws-K8S-${enis[1]?.Attachment?.InstanceId}`, "interface", 1],
      ["", "interface", 0],
      ["aws-k8s-trunk-eni", "trunk", 1],
    ]);
    expect(enis[1]?.PrivateIpAddress).toBe("10.0.16.5");
    expect(enis[3]?.Ipv4Prefixes).toEqual([{ Ipv4Prefix: "10.0.17.0/28" }]);
    expect(tagsOf(enis[2]?.TagSet)).toMatchObject({ "cluster.k8s.amazonaws.com/name": "prod" });
  });

  it("refuses an address used twice, a reserved address, and a fixed free count beside listed ENIs", () => {
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    const { general, privateA } = smallCluster(region);
    general.node(privateA, { enis: [["10.0.20.10"]] });
    expect(() => general.node(privateA, { enis: [["10.0.20.10"]] })).toThrow(
      "10.0.20.10 is used twice in private-a",
    );
    expect(() => general.node(privateA, { enis: [["10.0.16.1"]] })).toThrow(
      "10.0.16.1 is not usable in private-a",
    );
    const vpc = region.vpc("other");
    const fixed = vpc.subnet("fixed", { zone: "a", available: 3 });
    region.networkInterface({ key: "x", subnet: fixed, description: "", groups: [], addresses: 1 });
    expect(() => region.build()).toThrow(
      "subnet fixed: give either ENIs or a fixed available count, not both",
    );
  });

  it("puts the launch template's SGs on its nodes, else the cluster SG and the remote-access SG EKS creates", () => {
    // Act
    const r = oneRegion((region) => {
      const { vpc, cluster, privateA, privateB } = smallCluster(region);
      const nodeSg = vpc.securityGroup("nodes", "nodes");
      const lt = region.launchTemplate("own-sg", [{ interfaceGroups: [nodeSg] }]);
      cluster
        .nodegroup("own-sg", {
          amiType: "AL2023_x86_64_STANDARD",
          subnets: [privateA],
          scaling: { min: 1, max: 1, desired: 1 },
          launchTemplate: lt,
        })
        .node(privateA, { enis: [1] });
      cluster
        .nodegroup("ssh", {
          amiType: "AL2_x86_64",
          instanceTypes: ["m5.large"],
          subnets: [privateB],
          scaling: { min: 1, max: 1, desired: 1 },
          remoteAccess: { sshKey: "ops" },
        })
        .node(privateB, { enis: [1] });
    });

    // Assess
    const sgName = (id: string | undefined) => r.ec2.SecurityGroups.find((g) => g.GroupId === id)?.GroupName;
    const [ownSgEni, sshEni] = r.ec2.NetworkInterfaces;
    expect(ownSgEni?.Groups?.map((g) => g.GroupName)).toEqual(["nodes"]);
    expect(sshEni?.Groups?.map((g) => g.GroupName)).toEqual([
      expect.stringMatching(/^eks-cluster-sg-prod-/),
      expect.stringMatching(/^eks-remoteAccess-/),
    ]);
    const ssh = r.eks.clusters[0]?.nodegroups.find((n) => n.nodegroupName === "ssh");
    expect(ssh?.remoteAccess).toEqual({ ec2SshKey: "ops" });
    expect(sgName(ssh?.resources?.remoteAccessSecurityGroup)).toMatch(/^eks-remoteAccess-/);
    const remote = r.ec2.SecurityGroups.find((g) => g.GroupId === ssh?.resources?.remoteAccessSecurityGroup);
    expect(remote?.IpPermissions?.[0]).toMatchObject({ FromPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] });
    expect(ssh?.diskSize).toBe(20);
  });

  it("reports health issues naming its Auto Scaling group, and references the template's latest version", () => {
    // Act
    const r = oneRegion((region) => {
      const { general } = smallCluster(region);
      general.issue("AsgInstanceLaunchFailures", "Could not launch On-Demand Instances.", [
        general.autoScalingGroupName,
      ]);
    });

    // Assess
    const ng = r.eks.clusters[0]?.nodegroups[0];
    const asg = ng?.resources?.autoScalingGroups?.[0]?.name;
    expect(asg).toMatch(/^eks-general-[0-9a-f-]{36}$/);
    expect(ng?.health?.issues).toEqual([
      {
        code: "AsgInstanceLaunchFailures",
        message: "Could not launch On-Demand Instances.",
        resourceIds: [asg],
      },
    ]);
    expect(ng?.launchTemplate).toEqual({
      id: r.ec2.LaunchTemplateVersions[0]?.LaunchTemplateId,
      name: "prod-general",
      version: "1",
    });
    expect(ng?.releaseVersion).toBe("1.33.0-20250519");
  });
});

describe("Method: RegionBuilder.launchTemplate", () => {
  it("numbers versions, marks the default and stores user data base64 as EC2 returns it", () => {
    // Act
    const r = oneRegion((region) => {
      region.launchTemplate(
        "nodes",
        [{ userData: "#!/bin/bash\necho one\n" }, { instanceType: "m5.xlarge" }],
        {
          defaultVersion: 1,
        },
      );
    });

    // Assess
    const [v1, v2] = r.ec2.LaunchTemplateVersions;
    expect([v1?.VersionNumber, v1?.DefaultVersion, v2?.VersionNumber, v2?.DefaultVersion]).toEqual([
      1,
      true,
      2,
      false,
    ]);
    expect(Buffer.from(v1?.LaunchTemplateData?.UserData ?? "", "base64").toString()).toBe(
      "#!/bin/bash\necho one\n",
    );
    expect(v2?.LaunchTemplateData?.InstanceType).toBe("m5.xlarge");
    expect(v2?.LaunchTemplateData?.UserData).toBeUndefined();
  });
});

describe("Method: RegionBuilder.record", () => {
  it("adds recorded shapes as given, after the built ones", () => {
    // Act
    const r = oneRegion((region) => {
      region.vpc("built");
      region.record({
        Vpcs: [{ VpcId: "vpc-sparse", CidrBlock: "172.31.0.0/16" }],
        clusters: [
          {
            cluster: { name: "sparse", resourcesVpcConfig: { vpcId: "vpc-sparse", subnetIds: [] } },
            nodegroups: [],
            addons: [],
          },
        ],
      });
    });

    // Assess
    expect(r.ec2.Vpcs.map((v) => v.VpcId)).toEqual([expect.stringMatching(/^vpc-0/), "vpc-sparse"]);
    expect(r.ec2.Vpcs[1]).toEqual({ VpcId: "vpc-sparse", CidrBlock: "172.31.0.0/16" });
    expect(r.eks.clusters.map((c) => c.cluster.name)).toEqual(["sparse"]);
  });
});

describe("Method: RegionBuilder.instanceType", () => {
  it("answers recorded types in full and others from the bundled catalogue, and names an unknown type", () => {
    const r = oneRegion((region) => region.instanceType("m5.large", "c6in.32xlarge"));
    expect(r.ec2.InstanceTypes.map((t) => [t.InstanceType, t.MemoryInfo?.SizeInMiB])).toEqual([
      ["m5.large", 8192],
      ["c6in.32xlarge", undefined],
    ]);
    expect(r.ec2.InstanceTypes[1]?.NetworkInfo?.MaximumNetworkInterfaces).toBe(16);
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    expect(() => region.instanceType("x9.huge")).toThrow("unknown instance type x9.huge");
  });
});

/** A region's estate, validated as the format requires (JSON round trip included). */
function validRegion(
  story: (r: RegionBuilder) => void,
  capturedAt?: string,
): { estate: Estate; r: EstateRegion } {
  const org = new EstateBuilder();
  if (capturedAt !== undefined) org.capturedAt(capturedAt);
  story(org.account(ACCOUNT, { name: "prod" }).region(REGION));
  const estate = parseEstate(JSON.parse(JSON.stringify(org.build())));
  return { estate, r: regionOf(estate) };
}

const instancesOf = (r: EstateRegion) => (r.ec2.Reservations ?? []).flatMap((res) => res.Instances ?? []);
const userDataOf = (r: EstateRegion, templateId: string | undefined) =>
  Buffer.from(
    r.ec2.LaunchTemplateVersions.find((v) => v.LaunchTemplateId === templateId)?.LaunchTemplateData
      ?.UserData ?? "",
    "base64",
  ).toString("utf8");

describe("Class: KarpenterNodePool", () => {
  it("records Karpenter's launch template, tagged and with its NodeConfig part last, and tags its instances as Karpenter does", () => {
    // Act
    const { estate, r } = validRegion((region) => {
      const vpc = region.vpc("ml", "10.5.0.0/16");
      const a = vpc.subnet("ml-nodes-a", { zone: "a", prefixLength: 20, tags: karpenterDiscovery("ml") });
      const b = vpc.subnet("ml-nodes-b", { zone: "b", prefixLength: 20, tags: karpenterDiscovery("ml") });
      const cluster = vpc.cluster("ml", { version: "1.33", subnets: [a, b] });
      const nodeSg = vpc.securityGroup("ml-nodes", "Karpenter nodes", { tags: karpenterDiscovery("ml") });
      const pool = cluster.karpenter("default", {
        nodeClass: "default",
        securityGroups: [nodeSg],
        subnets: [a, b],
        instanceTypes: ["m5.large"],
        kubelet: { maxPods: 29, systemReserved: { memory: "1Gi" } },
        userData: "#!/bin/bash\necho warm-up\n",
        tags: { team: "ml" },
      });
      pool.node(a, { enis: [10, 5] });
    });

    // Assess: the launch template (DescribeLaunchTemplates) and its one version
    expect(estate.version).toBe(2);
    const template = r.ec2.LaunchTemplates?.find((t) =>
      t.LaunchTemplateName?.startsWith("karpenter.k8s.aws/"),
    );
    expect(template?.LaunchTemplateName).toMatch(/^karpenter\.k8s\.aws\/\d+$/);
    expect(tagsOf(template?.Tags)).toEqual({
      team: "ml",
      "kubernetes.io/cluster/ml": "owned",
      "karpenter.sh/nodepool": "default",
      "eks:eks-cluster-name": "ml",
      "karpenter.k8s.aws/ec2nodeclass": "default",
    });
    const version = r.ec2.LaunchTemplateVersions.find(
      (v) => v.LaunchTemplateId === template?.LaunchTemplateId,
    );
    expect(version?.VersionDescription).toBeUndefined();
    expect(version?.LaunchTemplateData?.SecurityGroupIds).toEqual([r.ec2.SecurityGroups[1]?.GroupId]);
    expect(version?.LaunchTemplateData?.TagSpecifications?.[0]?.ResourceType).toBe("network-interface");
    // Its user data: MIME, boundary "//", the custom shell part first, Karpenter's NodeConfig last
    const userData = userDataOf(r, template?.LaunchTemplateId);
    const parts = userData.split("\n--//");
    expect(
      userData.startsWith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\n'),
    ).toBe(true);
    expect(parts.at(-1)).toBe("--\n");
    expect(parts).toHaveLength(4);
    expect(parts[1]).toBe(
      '\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/bash\necho warm-up',
    );
    const nodeConfig = parseYaml(parts[2]?.split("\n\n").slice(1).join("\n\n") ?? "") as {
      spec: {
        cluster: { name: string; cidr: string };
        kubelet: { config: Record<string, unknown>; flags: string[] };
      };
    };
    expect(parts[2]).toContain(
      "Content-Type: application/node.eks.aws\n\n# Karpenter Generated NodeConfig\n",
    );
    expect(nodeConfig.spec.cluster).toMatchObject({ name: "ml", cidr: "172.20.0.0/16" });
    expect(nodeConfig.spec.kubelet.config).toEqual({
      clusterDNS: ["172.20.0.10"],
      maxPods: 29,
      registerWithTaints: [{ effect: "NoExecute", key: "karpenter.sh/unregistered" }],
      systemReserved: { memory: "1Gi" },
    });
    expect(nodeConfig.spec.kubelet.flags).toEqual([
      '--node-labels="karpenter.k8s.aws/ec2nodeclass=default,karpenter.sh/capacity-type=on-demand,karpenter.sh/do-not-sync-taints=true,karpenter.sh/nodepool=default"',
    ]);
    // The instance: Karpenter's tags, the template EC2 launched it from, its ENIs
    const [instance] = instancesOf(r);
    expect(tagsOf(instance?.Tags)).toMatchObject({
      "kubernetes.io/cluster/ml": "owned",
      "karpenter.sh/nodepool": "default",
      "eks:eks-cluster-name": "ml",
      "karpenter.k8s.aws/ec2nodeclass": "default",
      "aws:ec2launchtemplate:id": template?.LaunchTemplateId,
      Name: instance?.PrivateDnsName,
      "karpenter.sh/nodeclaim": expect.stringMatching(/^default-[0-9a-f]{5}$/),
    });
    expect(instance?.NetworkInterfaces?.map((n) => [n.Attachment?.DeviceIndex, n.Description])).toEqual([
      [0, ""],
      [1, `aws-K8S-${instance?.InstanceId}`],
    ]);
    expect(instance?.Operator).toEqual({ Managed: false });
  });

  it("adds karpenter.k8s.aws/cluster to the launch template of a Karpenter before v1.1, and refuses a subnet its EC2NodeClass does not select", () => {
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    const vpc = region.vpc("ml");
    const a = vpc.subnet("a", { zone: "a" });
    const other = vpc.subnet("other", { zone: "b" });
    const cluster = vpc.cluster("ml", { version: "1.31", subnets: [a] });
    const pool = cluster.karpenter("batch", {
      nodeClass: "batch",
      securityGroups: [cluster.clusterSg],
      subnets: [a],
      instanceTypes: ["m5.large"],
      legacyClusterTag: true,
    });
    expect(() => pool.node(other, { enis: [1] })).toThrow("subnet other is not one its EC2NodeClass selects");
    const built = region.build();
    expect(tagsOf(built.ec2.LaunchTemplates?.[0]?.Tags)).toMatchObject({ "karpenter.k8s.aws/cluster": "ml" });
  });
});

describe("Class: SelfManagedGroup", () => {
  it("records its Auto Scaling group with the cluster tag, its subnets, template and instances, and nodes on the template's SGs only", () => {
    // Act
    const { r } = validRegion((region) => {
      const { vpc, cluster, privateA, privateB } = smallCluster(region);
      const legacySg = vpc.securityGroup("legacy-nodes", "self-managed nodes", {
        tags: clusterTag("prod", "owned"),
      });
      const lt = region.launchTemplate("prod-legacy", [
        {
          instanceType: "m5.large",
          securityGroups: [legacySg],
          userData: al2023SelfManagedUserData(cluster.nodeadmDetails(), { maxPods: 29 }),
        },
      ]);
      const group = cluster.selfManaged("legacy", {
        launchTemplate: lt,
        subnets: [privateA, privateB],
        scaling: { min: 1, max: 4, desired: 2 },
      });
      group.node(privateA, { enis: [10, 3] });
      group.node(privateB, { enis: [10] });
    });

    // Assess
    const asg = r.autoscaling?.AutoScalingGroups.find((g) => g.AutoScalingGroupName === "prod-legacy");
    // The node group `general` has its EKS-created group too.
    expect(r.autoscaling?.AutoScalingGroups.map((g) => g.AutoScalingGroupName)).toEqual([
      expect.stringMatching(/^eks-general-/),
      "prod-legacy",
    ]);
    expect(asg).toMatchObject({
      AutoScalingGroupName: "prod-legacy",
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      AvailabilityZones: ["eu-west-1a", "eu-west-1b"],
      VPCZoneIdentifier: `${r.ec2.Subnets[2]?.SubnetId},${r.ec2.Subnets[3]?.SubnetId}`,
      LaunchTemplate: { LaunchTemplateName: "prod-legacy", Version: "1" },
    });
    expect(asg?.Tags?.map((t) => [t.Key, t.Value, t.PropagateAtLaunch, t.ResourceType])).toEqual([
      ["kubernetes.io/cluster/prod", "owned", true, "auto-scaling-group"],
      ["Name", "prod-legacy-Node", true, "auto-scaling-group"],
    ]);
    const instances = instancesOf(r);
    expect(asg?.Instances?.map((i) => [i.InstanceId, i.InstanceType, i.LifecycleState])).toEqual(
      instances.map((i) => [i.InstanceId, "m5.large", "InService"]),
    );
    expect(tagsOf(instances[0]?.Tags)).toMatchObject({
      "aws:autoscaling:groupName": "prod-legacy",
      "kubernetes.io/cluster/prod": "owned",
      Name: "prod-legacy-Node",
    });
    expect(instances[0]?.SecurityGroups?.map((g) => g.GroupName)).toEqual(["legacy-nodes"]);
    const userData = userDataOf(r, asg?.LaunchTemplate?.LaunchTemplateId);
    expect(userData).toContain("apiServerEndpoint: https://");
    expect(userData).toContain("name: prod");
  });

  it("refuses a launch template without security groups and a subnet outside its VPCZoneIdentifier", () => {
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    const { cluster, privateA, privateB } = smallCluster(region);
    const bare = region.launchTemplate("bare", [{ instanceType: "m5.large" }]);
    expect(() =>
      cluster.selfManaged("bare", {
        launchTemplate: bare,
        subnets: [privateA],
        scaling: { min: 1, max: 1, desired: 1 },
      }),
    ).toThrow("launch template bare sets no security group");
    const lt = region.launchTemplate("ok", [
      { instanceType: "m5.large", securityGroups: [cluster.clusterSg] },
    ]);
    const group = cluster.selfManaged("ok", {
      launchTemplate: lt,
      subnets: [privateA],
      scaling: { min: 1, max: 1, desired: 1 },
    });
    expect(() => group.node(privateB, { enis: [1] })).toThrow(
      "subnet private-b is not in its VPCZoneIdentifier",
    );
  });
});

describe("Class: AutoModeNodePool", () => {
  it("builds an Auto Mode cluster without vpc-cni, and EKS-managed instances with a delegated prefix, taken from a prefix reservation first", () => {
    // Act
    const { r } = validRegion((region) => {
      const vpc = region.vpc("auto", "10.6.0.0/16");
      const a = vpc.subnet("auto-a", { zone: "a", cidr: "10.6.0.0/24" });
      const b = vpc.subnet("auto-b", { zone: "b", cidr: "10.6.1.0/24" });
      a.cidrReservation("10.6.0.128/26", "prefix", { description: "Auto Mode prefixes" });
      const cluster = vpc.cluster("auto", { version: "1.33", subnets: [a, b], autoMode: {} });
      const pool = cluster.autoModeNodePool("general-purpose", { instanceTypes: ["m6i.large"] });
      pool.node(a);
      pool.node(b);
    });

    // Assess
    const [entry] = r.eks.clusters;
    expect(entry?.cluster.computeConfig).toEqual({
      enabled: true,
      nodePools: ["general-purpose", "system"],
      nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/auto-auto-node`,
    });
    expect(entry?.cluster.storageConfig).toEqual({ blockStorage: { enabled: true } });
    expect(entry?.cluster.kubernetesNetworkConfig?.elasticLoadBalancing).toEqual({ enabled: true });
    expect(entry?.addons).toEqual([]);
    const [inA, inB] = instancesOf(r);
    expect(inA?.Operator).toEqual({ Managed: true, Principal: "eks.amazonaws.com", HiddenByDefault: true });
    expect(tagsOf(inA?.Tags)).toMatchObject({
      "eks:eks-cluster-name": "auto",
      "eks:kubernetes-node-pool-name": "general-purpose",
      "eks:kubernetes-node-class-name": "default",
    });
    expect(inA?.NetworkInterfaces?.map((n) => [n.Ipv4Prefixes, n.Operator?.Managed])).toEqual([
      [[{ Ipv4Prefix: "10.6.0.128/28" }], true],
    ]);
    expect(inB?.NetworkInterfaces?.[0]?.Ipv4Prefixes).toEqual([{ Ipv4Prefix: "10.6.1.16/28" }]);
    expect(inA?.SecurityGroups?.map((g) => g.GroupId)).toEqual([
      entry?.cluster.resourcesVpcConfig?.clusterSecurityGroupId,
    ]);
    // 251 usable − (1 primary address, outside the reservation, + the whole reserved /26, its prefix included)
    expect(r.ec2.Subnets[0]?.AvailableIpAddressCount).toBe(251 - 1 - 64);
    expect(r.ec2.SubnetCidrReservations).toEqual([
      expect.objectContaining({
        Cidr: "10.6.0.128/26",
        ReservationType: "prefix",
        SubnetId: r.ec2.Subnets[0]?.SubnetId,
      }),
    ]);
  });

  it("refuses a node pool on a cluster without Auto Mode", () => {
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    const { cluster } = smallCluster(region);
    expect(() => cluster.autoModeNodePool("general-purpose", { instanceTypes: ["m5.large"] })).toThrow(
      "cluster prod does not run EKS Auto Mode",
    );
  });
});

describe("Class: FargateProfileCapacity", () => {
  it("records the profile and one pod ENI per pod, with the cluster SG, in the profile's subnets", () => {
    // Act
    const { r } = validRegion((region) => {
      const vpc = region.vpc("jobs", "10.7.0.0/16");
      const a = vpc.subnet("jobs-a", { zone: "a", cidr: "10.7.0.0/27" });
      const b = vpc.subnet("jobs-b", { zone: "b", cidr: "10.7.0.32/27" });
      const cluster = vpc.cluster("jobs", { version: "1.33", subnets: [a, b] });
      const profile = cluster.fargateProfile("batch", {
        subnets: [a, b],
        selectors: [{ namespace: "batch", labels: { tier: "jobs" } }],
      });
      profile.podsIn(a, 20);
      profile.podsIn(b, 3);
    });

    // Assess
    const [entry] = r.eks.clusters;
    expect(entry?.fargateProfiles).toEqual([
      expect.objectContaining({
        fargateProfileName: "batch",
        clusterName: "jobs",
        status: "ACTIVE",
        subnets: [r.ec2.Subnets[0]?.SubnetId, r.ec2.Subnets[1]?.SubnetId],
        selectors: [{ namespace: "batch", labels: { tier: "jobs" } }],
      }),
    ]);
    expect(r.ec2.Subnets.map((s) => s.AvailableIpAddressCount)).toEqual([27 - 20, 27 - 3]);
    const podEni = r.ec2.NetworkInterfaces[0];
    expect(podEni).toMatchObject({ RequesterManaged: true, Status: "in-use" });
    expect(podEni?.Groups?.map((g) => g.GroupId)).toEqual([
      entry?.cluster.resourcesVpcConfig?.clusterSecurityGroupId,
    ]);
  });

  it("refuses a public subnet and a pod outside the profile's subnets", () => {
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    const { cluster, publicA, privateA, privateB } = smallCluster(region);
    expect(() =>
      cluster.fargateProfile("web", { subnets: [publicA], selectors: [{ namespace: "web" }] }),
    ).toThrow("subnet public-a is public");
    const profile = cluster.fargateProfile("jobs", {
      subnets: [privateA],
      selectors: [{ namespace: "jobs" }],
    });
    expect(() => profile.podsIn(privateB, 1)).toThrow("subnet private-b is not one of its subnets");
  });
});

describe("Method: InstanceCapacity.node", () => {
  it("puts ipamd's ENIs in the pod subnet of a secondary CIDR under custom networking; the node subnet pays one address", () => {
    // Act
    const { r } = validRegion((region) => {
      const { vpc, general, privateA } = smallCluster(region);
      vpc.secondaryCidr("100.64.0.0/16");
      const pods = vpc.subnet("pods-a", { zone: "a", cidr: "100.64.0.0/18" });
      const podSg = vpc.securityGroup("pods", "pod ENIs");
      general.node(privateA, { enis: [1, 10, 10], podNetwork: { subnet: pods, groups: [podSg] } });
    });

    // Assess
    expect(r.ec2.Vpcs[0]?.CidrBlockAssociationSet?.map((c) => c.CidrBlock)).toEqual([
      "10.0.0.0/16",
      "100.64.0.0/16",
    ]);
    const podSubnet = r.ec2.Subnets.find((s) => s.CidrBlock === "100.64.0.0/18");
    expect(podSubnet?.AvailableIpAddressCount).toBe(16379 - 20);
    expect(r.ec2.Subnets[2]?.AvailableIpAddressCount).toBe(4091 - 1);
    const ipamd = r.ec2.NetworkInterfaces.filter((e) => e.SubnetId === podSubnet?.SubnetId);
    expect(
      ipamd.map((e) => [e.Description?.startsWith("aws-K8S-i-"), e.Groups?.map((g) => g.GroupName)]),
    ).toEqual([
      [true, ["pods"]],
      [true, ["pods"]],
    ]);
    expect(tagsOf(ipamd[0]?.TagSet)).toEqual({
      "node.k8s.amazonaws.com/instance_id": ipamd[0]?.Attachment?.InstanceId,
      "cluster.k8s.amazonaws.com/name": "prod",
      "eks:eni:owner": "amazon-vpc-cni",
      "node.k8s.amazonaws.com/createdAt": "2025-06-02T08:14:09Z",
    });
    const [instance] = instancesOf(r);
    expect(instance?.NetworkInterfaces?.map((n) => n.SubnetId)).toEqual([
      r.ec2.Subnets[2]?.SubnetId,
      podSubnet?.SubnetId,
      podSubnet?.SubnetId,
    ]);
    expect(tagsOf(instance?.Tags)).toMatchObject({
      "eks:nodegroup-name": "general",
      "eks:cluster-name": "prod",
    });
  });

  it("tags trunk and branch ENIs as the VPC resource controller does", () => {
    // Act
    const { r } = validRegion((region) => {
      const { vpc, general, privateA } = smallCluster(region);
      general.node(privateA, { enis: [5], trunk: true }).branchEni(3, [vpc.securityGroup("app", "app pods")]);
    });

    // Assess
    const trunk = r.ec2.NetworkInterfaces.find((e) => e.InterfaceType === "trunk");
    const branch = r.ec2.NetworkInterfaces.find((e) => e.InterfaceType === "branch");
    expect(trunk?.Description).toBe("aws-k8s-trunk-eni");
    expect(tagsOf(trunk?.TagSet)).toEqual({
      "node.k8s.amazonaws.com/instance_id": trunk?.Attachment?.InstanceId,
      "eks:eni:owner": "eks-vpc-resource-controller",
      "kubernetes.io/cluster/prod": "owned",
    });
    expect(branch?.Description).toBe("aws-k8s-branch-eni");
    expect(tagsOf(branch?.TagSet)).toEqual({
      "vpcresources.k8s.aws/vlan-id": "3",
      "vpcresources.k8s.aws/trunk-eni-id": trunk?.NetworkInterfaceId,
      "node.k8s.amazonaws.com/instance_id": trunk?.Attachment?.InstanceId,
      "eks:eni:owner": "eks-vpc-resource-controller",
      "kubernetes.io/cluster/prod": "owned",
    });
  });
});

describe("Method: SubnetRef.cidrReservation", () => {
  it("keeps automatic addresses out of reservations, takes prefixes from prefix reservations first, leaves reserved space out of the free count, and refuses overlaps", () => {
    // Prepare
    const region = new EstateBuilder().account(ACCOUNT, { name: "prod" }).region(REGION);
    const vpc = region.vpc("net", "10.9.0.0/16");
    const subnet = vpc.subnet("s", { zone: "a", cidr: "10.9.0.0/24" });
    subnet.cidrReservation("10.9.0.0/27", "explicit", { description: "appliances" });
    subnet.cidrReservation("10.9.0.64/26", "prefix");

    // Act
    region.networkInterface({ key: "auto", subnet, description: "", groups: [], addresses: 2, prefixes: 2 });
    region.networkInterface({
      key: "by-hand",
      subnet,
      description: "",
      groups: [],
      addresses: ["10.9.0.10"],
    });
    const built = region.build();

    // Assess
    const [auto, byHand] = built.ec2.NetworkInterfaces;
    expect(auto?.PrivateIpAddresses?.map((p) => p.PrivateIpAddress)).toEqual(["10.9.0.32", "10.9.0.33"]);
    expect(auto?.Ipv4Prefixes).toEqual([{ Ipv4Prefix: "10.9.0.64/28" }, { Ipv4Prefix: "10.9.0.80/28" }]);
    expect(byHand?.PrivateIpAddress).toBe("10.9.0.10");
    expect(built.ec2.SubnetCidrReservations?.map((c) => [c.Cidr, c.ReservationType, c.Description])).toEqual([
      ["10.9.0.0/27", "explicit", "appliances"],
      ["10.9.0.64/26", "prefix", undefined],
    ]);
    // Reserved space is not free: 251 usable − 28 of the /27 (its first four are AWS's) − 64 of the /26 − the
    // two automatic addresses outside both (the hand-picked one and the prefixes lie inside reservations).
    expect(built.ec2.Subnets[0]?.AvailableIpAddressCount).toBe(251 - 28 - 64 - 2);
    expect(() => subnet.cidrReservation("10.9.0.16/28", "prefix")).toThrow("overlaps 10.9.0.0/27");
  });
});

describe("Method: EstateBuilder.capturedAt", () => {
  it("records when the estate was captured and makes it a format 2 estate; a v1 story stays format 1", () => {
    const { estate } = validRegion((region) => region.vpc("net"), "2026-03-01T06:00:00Z");
    expect(estate).toMatchObject({ version: 2, capturedAt: "2026-03-01T06:00:00Z" });
    expect(validRegion((region) => region.vpc("net")).estate.version).toBe(1);
    expect(() => new EstateBuilder().capturedAt("yesterday")).toThrow(
      "capturedAt yesterday is not an ISO-8601",
    );
  });
});
