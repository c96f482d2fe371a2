import {
  DescribeInstanceTypesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRegionsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Filter,
  type InstanceTypeInfo,
  paginateDescribeInstanceTypes,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Estate, parseEstate } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { ec2Client, MANAGEMENT, MEMBER, REGION, sampleEstate, wire } from "./fixtures.ts";

let sim: Simulator;
let ec2: EC2Client;
let estate: Estate;

function ec2Data() {
  const region = estate.accounts[MANAGEMENT]?.regions[REGION];
  if (region === undefined) throw new Error("fixture lacks the management region");
  return region.ec2;
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  estate = parseEstate(sampleEstate());
  sim = await startSimulator({ estate });
  ec2 = ec2Client(sim.url);
});

afterAll(async () => {
  ec2.destroy();
  await sim.close();
});

describe("Class: Simulator (EC2 query protocol)", () => {
  describe("round trips", () => {
    it("returns every resource type exactly as the estate holds it", async () => {
      // Prepare
      const data = ec2Data();

      // Act
      const [vpcs, subnets, routeTables, groups, ltvs, enis] = await Promise.all([
        ec2.send(new DescribeVpcsCommand({})),
        ec2.send(new DescribeSubnetsCommand({})),
        ec2.send(new DescribeRouteTablesCommand({})),
        ec2.send(new DescribeSecurityGroupsCommand({})),
        ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: "lt-0001" })),
        ec2.send(new DescribeNetworkInterfacesCommand({})),
      ]);

      // Assess
      expect(wire(vpcs.Vpcs)).toEqual(data.Vpcs);
      expect(wire(subnets.Subnets)).toEqual(data.Subnets);
      expect(wire(routeTables.RouteTables)).toEqual(data.RouteTables);
      expect(wire(groups.SecurityGroups)).toEqual(data.SecurityGroups);
      expect(wire(ltvs.LaunchTemplateVersions)).toEqual(data.LaunchTemplateVersions.slice(0, 2));
      expect(wire(enis.NetworkInterfaces)).toEqual(data.NetworkInterfaces);
      expect(subnets.NextToken).toBeUndefined();
    });

    it("keeps nested shapes: associations, routes, group pairs, IPv6 ranges, user data, ENI groups", async () => {
      // Act
      const rt = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ["rtb-public"] }));
      const sg = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-cluster", "sg-rds"] }));
      const ltv = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "prod-nodes", Versions: ["2"] }),
      );
      const eni = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0001"] }));

      // Assess
      expect(rt.RouteTables?.[0]?.Associations?.map((a) => a.SubnetId)).toEqual([
        "subnet-0a0000",
        "subnet-0a0002",
      ]);
      expect(rt.RouteTables?.[0]?.Routes?.[2]).toEqual({
        DestinationIpv6CidrBlock: "::/0",
        EgressOnlyInternetGatewayId: "eigw-1",
        Origin: "CreateRoute",
      });
      expect(sg.SecurityGroups?.[0]?.IpPermissions?.[0]?.UserIdGroupPairs).toEqual([
        { GroupId: "sg-cluster", UserId: MANAGEMENT },
      ]);
      expect(sg.SecurityGroups?.[0]?.IpPermissionsEgress?.[0]?.Ipv6Ranges).toEqual([
        { CidrIpv6: "::/0", Description: "all v6" },
      ]);
      expect(sg.SecurityGroups?.[0]?.IpPermissions?.[0]?.IpRanges).toEqual([]);
      const data = ltv.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      expect(Buffer.from(data?.UserData ?? "", "base64").toString()).toContain(
        "\r\nContent-Type: multipart/mixed",
      );
      expect(data?.NetworkInterfaces?.[0]?.Groups).toEqual(["sg-nodes", "sg-cluster"]);
      expect(ltv.LaunchTemplateVersions?.[0]?.CreateTime).toBeInstanceOf(Date);
      expect(eni.NetworkInterfaces?.[0]?.Attachment?.AttachTime).toEqual(
        new Date("2025-03-01T00:00:00.000Z"),
      );
      expect(eni.NetworkInterfaces?.[0]?.TagSet).toEqual([
        { Key: "node.k8s.amazonaws.com/instance_id", Value: "i-0123" },
      ]);
    });

    it("describes the caller's enabled regions, and with AllRegions the ones not opted in", async () => {
      // Prepare
      const member = ec2Client(sim.url, { accessKeyId: `AKIA${MEMBER}TEST` });

      // Act
      const own = await ec2.send(new DescribeRegionsCommand({}));
      const enabled = await member.send(new DescribeRegionsCommand({}));
      const all = await member.send(new DescribeRegionsCommand({ AllRegions: true }));
      member.destroy();

      // Assess
      expect(own.Regions?.map((r) => r.RegionName)).toEqual(["eu-west-1", "us-east-1"]);
      expect(enabled.Regions).toEqual([
        {
          RegionName: "eu-west-1",
          Endpoint: "ec2.eu-west-1.amazonaws.com",
          OptInStatus: "opt-in-not-required",
        },
      ]);
      expect(all.Regions?.map((r) => [r.RegionName, r.OptInStatus])).toEqual([
        ["ap-south-1", "not-opted-in"],
        ["eu-west-1", "opt-in-not-required"],
        ["me-south-1", "not-opted-in"],
      ]);
    });

    it("answers empty listings for an account-region the estate has no data for", async () => {
      // Prepare
      const other = ec2Client(sim.url, { region: "us-east-1" });

      // Act
      const subnets = await other.send(new DescribeSubnetsCommand({}));
      other.destroy();

      // Assess
      expect(subnets.Subnets).toEqual([]);
    });
  });

  describe("instance types", () => {
    it("answers types the estate lacks from the generated catalogue, as EC2 shapes them", async () => {
      // Act
      const result = await ec2.send(
        new DescribeInstanceTypesCommand({ InstanceTypes: ["m5.large", "c6in.32xlarge", "c6in.metal"] }),
      );
      const byName = new Map((result.InstanceTypes ?? []).map((t) => [t.InstanceType, t]));

      // Assess
      expect(wire(byName.get("m5.large"))).toEqual(ec2Data().InstanceTypes[0]);
      expect(byName.get("c6in.32xlarge")).toEqual({
        InstanceType: "c6in.32xlarge",
        Hypervisor: "nitro",
        BareMetal: false,
        NetworkInfo: {
          MaximumNetworkInterfaces: 16,
          Ipv4AddressesPerInterface: 50,
          Ipv6AddressesPerInterface: 50,
          DefaultNetworkCardIndex: 0,
          MaximumNetworkCards: 2,
          NetworkCards: [
            { NetworkCardIndex: 0, MaximumNetworkInterfaces: 8 },
            { NetworkCardIndex: 1, MaximumNetworkInterfaces: 8 },
          ],
        },
      } satisfies InstanceTypeInfo);
      expect(byName.get("c6in.metal")?.Hypervisor).toBeUndefined();
      expect(byName.get("c6in.metal")?.BareMetal).toBe(true);
    });

    it("lists the whole catalogue page by page and filters it with wildcards", async () => {
      // Act
      const names: string[] = [];
      for await (const page of paginateDescribeInstanceTypes({ client: ec2, pageSize: 100 }, {})) {
        names.push(...(page.InstanceTypes ?? []).map((t) => t.InstanceType ?? ""));
      }
      const m5 = await ec2.send(
        new DescribeInstanceTypesCommand({ Filters: [{ Name: "instance-type", Values: ["m5.*large"] }] }),
      );

      // Assess
      expect(names.length).toBeGreaterThan(1000);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toContain("m5.large");
      expect(m5.InstanceTypes?.map((t) => t.InstanceType)).toEqual(
        expect.arrayContaining(["m5.large", "m5.xlarge", "m5.24xlarge"]),
      );
      expect(m5.InstanceTypes?.every((t) => /^m5\..*large$/.test(t.InstanceType ?? ""))).toBe(true);
    });
  });

  describe("pagination", () => {
    it("gives back every subnet across pages of the SDK paginator", async () => {
      // Act
      const pages: number[] = [];
      const subnets: unknown[] = [];
      for await (const page of paginateDescribeSubnets({ client: ec2, pageSize: 5 }, {})) {
        pages.push(page.Subnets?.length ?? 0);
        subnets.push(...(page.Subnets ?? []));
      }

      // Assess
      expect(pages).toEqual([5, 5, 2]);
      expect(wire(subnets)).toEqual(ec2Data().Subnets);
    });

    it("pages filtered listings of every paginated Describe*", async () => {
      // Prepare
      const filters: Filter[] = [{ Name: "vpc-id", Values: ["vpc-0a1"] }];

      // Act
      const collect = async <T>(pages: AsyncIterable<T>, pick: (p: T) => unknown[] | undefined) => {
        const all: unknown[] = [];
        for await (const page of pages) all.push(...(pick(page) ?? []));
        return all;
      };
      const vpcs = await collect(paginateDescribeVpcs({ client: ec2, pageSize: 5 }, {}), (p) => p.Vpcs);
      const groups = await collect(
        paginateDescribeSecurityGroups({ client: ec2, pageSize: 5 }, { Filters: filters }),
        (p) => p.SecurityGroups,
      );
      const enis = await collect(
        paginateDescribeNetworkInterfaces({ client: ec2, pageSize: 5 }, { Filters: filters }),
        (p) => p.NetworkInterfaces,
      );

      // Assess
      expect(wire(vpcs)).toEqual(ec2Data().Vpcs);
      expect(wire(groups)).toEqual(ec2Data().SecurityGroups);
      expect(wire(enis)).toEqual(ec2Data().NetworkInterfaces);
    });

    it("enforces AWS's MaxResults bounds and rejects foreign or garbled tokens", async () => {
      // Prepare
      const first = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));

      // Act
      const tooSmall = await errorOf(ec2.send(new DescribeSubnetsCommand({ MaxResults: 4 })));
      const tooLarge = await errorOf(ec2.send(new DescribeRouteTablesCommand({ MaxResults: 101 })));
      const garbled = await errorOf(ec2.send(new DescribeSubnetsCommand({ NextToken: "not-a-token" })));
      const foreign = await errorOf(
        ec2.send(
          new DescribeSubnetsCommand({
            NextToken: first.NextToken,
            Filters: [{ Name: "vpc-id", Values: ["vpc-0a1"] }],
          }),
        ),
      );

      // Assess
      expect(tooSmall.name).toBe("InvalidParameterValue");
      expect(tooSmall.message).toContain("between 5 and 1000");
      expect(tooLarge.name).toBe("InvalidParameterValue");
      expect(garbled.name).toBe("InvalidParameterValue");
      expect(foreign.name).toBe("InvalidParameterValue");
      expect(garbled.$metadata?.httpStatusCode).toBe(400);
    });
  });

  describe("filters", () => {
    const subnetIds = async (filters: Filter[]) =>
      (await ec2.send(new DescribeSubnetsCommand({ Filters: filters }))).Subnets?.map((s) => s.SubnetId);

    it.each([
      ["vpc-id", ["vpc-0a1"], 12],
      ["subnet-id", ["subnet-0a0003", "subnet-0a0005"], 2],
      ["availability-zone", [`${REGION}c`], 4],
      ["tag:Name", ["public-*"], 6],
      ["tag:Name", ["private-?"], 5],
      ["tag-key", ["kubernetes.io/cluster/prod"], 3],
      ["tag:kubernetes.io/role/internal-elb", ["1"], 6],
    ])("filters subnets on %s = %j", async (name, values, expected) => {
      // Act
      const ids = await subnetIds([{ Name: name, Values: values }]);

      // Assess
      expect(ids).toHaveLength(expected);
    });

    it("ORs values within a filter and ANDs filters", async () => {
      // Act
      const ids = await subnetIds([
        { Name: "availability-zone", Values: [`${REGION}a`, `${REGION}b`] },
        { Name: "tag-key", Values: ["kubernetes.io/role/elb"] },
      ]);

      // Assess
      expect(ids).toEqual(["subnet-0a0000", "subnet-0a0004", "subnet-0a0006", "subnet-0a0010"]);
    });

    it("filters route tables on association.subnet-id, association.main and route-table-id", async () => {
      // Act
      const bySubnet = await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [{ Name: "association.subnet-id", Values: ["subnet-0a0002"] }],
        }),
      );
      const main = await ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: "association.main", Values: ["true"] }] }),
      );
      const byId = await ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: "route-table-id", Values: ["rtb-priv*"] }] }),
      );

      // Assess
      expect(bySubnet.RouteTables?.map((r) => r.RouteTableId)).toEqual(["rtb-public"]);
      expect(main.RouteTables?.map((r) => r.RouteTableId)).toEqual(["rtb-main"]);
      expect(byId.RouteTables?.map((r) => r.RouteTableId)).toEqual(["rtb-private"]);
    });

    it("filters security groups on group-id, group-name, description and ip-permission.group-id", async () => {
      // Prepare
      const ids = async (filters: Filter[]) =>
        (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters }))).SecurityGroups?.map(
          (g) => g.GroupId,
        );

      // Act & Assess
      expect(await ids([{ Name: "group-id", Values: ["sg-nodes"] }])).toEqual(["sg-nodes"]);
      expect(await ids([{ Name: "group-name", Values: ["prod-*"] }])).toEqual(["sg-nodes", "sg-rds"]);
      expect(await ids([{ Name: "description", Values: ["EKS created*"] }])).toEqual(["sg-cluster"]);
      expect(await ids([{ Name: "ip-permission.group-id", Values: ["sg-nodes"] }])).toEqual(["sg-rds"]);
      expect(await ids([{ Name: "tag:team", Values: ["data"] }])).toEqual(["sg-rds"]);
    });

    it("filters network interfaces on group-id, status, subnet-id and description", async () => {
      // Prepare
      const ids = async (filters: Filter[]) =>
        (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: filters }))).NetworkInterfaces?.map(
          (n) => n.NetworkInterfaceId,
        );

      // Act & Assess
      expect(await ids([{ Name: "group-id", Values: ["sg-nodes"] }])).toEqual(["eni-0001"]);
      expect(await ids([{ Name: "group-id", Values: ["sg-cluster"] }])).toEqual(["eni-0001", "eni-0002"]);
      expect(await ids([{ Name: "status", Values: ["available"] }])).toEqual(["eni-0002"]);
      expect(await ids([{ Name: "subnet-id", Values: ["subnet-0a0001"] }])).toEqual(["eni-0001"]);
      expect(await ids([{ Name: "description", Values: ["aws-K8S-*"] }])).toEqual(["eni-0001"]);
      expect(await ids([{ Name: "vpc-id", Values: ["vpc-0a1"] }])).toEqual(["eni-0001", "eni-0002"]);
    });

    it("filters VPCs, launch template versions and instance types", async () => {
      // Act
      const vpcs = await ec2.send(
        new DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: ["vpc-0b2"] }] }),
      );
      const ltvs = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          Versions: ["$Latest"],
          Filters: [{ Name: "launch-template-id", Values: ["lt-0002"] }],
        }),
      );
      const byType = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: "lt-0001",
          Filters: [{ Name: "instance-type", Values: ["m5.xlarge"] }],
        }),
      );
      const types = await ec2.send(
        new DescribeInstanceTypesCommand({ Filters: [{ Name: "instance-type", Values: ["m5.large"] }] }),
      );

      // Assess
      expect(vpcs.Vpcs?.map((v) => v.VpcId)).toEqual(["vpc-0b2"]);
      expect(ltvs.LaunchTemplateVersions?.map((v) => v.LaunchTemplateId)).toEqual(["lt-0002"]);
      expect(byType.LaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([2]);
      expect(wire(types.InstanceTypes)).toEqual(ec2Data().InstanceTypes);
    });

    it("rejects an unknown filter name as EC2 does", async () => {
      // Act
      const err = await errorOf(
        ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "colour", Values: ["blue"] }] })),
      );

      // Assess
      expect(err.name).toBe("InvalidParameterValue");
      expect(err.message).toBe("The filter 'colour' is invalid");
    });
  });

  describe("launch template versions", () => {
    it("resolves $Latest and $Default, with and without a template", async () => {
      // Act
      const latest = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: "lt-0001", Versions: ["$Latest"] }),
      );
      const defaults = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ["$Default"] }));

      // Assess
      expect(latest.LaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([2]);
      expect(defaults.LaunchTemplateVersions?.map((v) => [v.LaunchTemplateId, v.VersionNumber])).toEqual([
        ["lt-0001", 1],
        ["lt-0002", 1],
      ]);
    });
  });

  describe("unknown ids", () => {
    it.each<[string, string, () => Promise<unknown>]>([
      [
        "InvalidSubnetID.NotFound",
        "The subnet ID 'subnet-123' does not exist",
        () => ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-123"] })),
      ],
      [
        "InvalidVpcID.NotFound",
        "The vpc ID 'vpc-9' does not exist",
        () => ec2.send(new DescribeVpcsCommand({ VpcIds: ["vpc-0a1", "vpc-9"] })),
      ],
      [
        "InvalidGroup.NotFound",
        "The security group 'sg-9' does not exist",
        () => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-9"] })),
      ],
      [
        "InvalidRouteTableID.NotFound",
        "The routeTable ID 'rtb-9' does not exist",
        () => ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ["rtb-9"] })),
      ],
      [
        "InvalidNetworkInterfaceID.NotFound",
        "The networkInterface IDs 'eni-9, eni-8' do not exist",
        () => ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-9", "eni-8"] })),
      ],
      [
        "InvalidInstanceType",
        "The following supplied instance types do not exist: [x9.huge]",
        () =>
          ec2.send(
            new DescribeInstanceTypesCommand({
              InstanceTypes: ["m5.large", "x9.huge"] as NonNullable<InstanceTypeInfo["InstanceType"]>[],
            }),
          ),
      ],
      [
        "InvalidLaunchTemplateId.NotFound",
        "The specified launch template, with template ID lt-9, does not exist.",
        () => ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: "lt-9" })),
      ],
      [
        "InvalidLaunchTemplateName.NotFoundException",
        "The specified launch template, with template name nope, does not exist.",
        () => ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "nope" })),
      ],
      [
        "InvalidLaunchTemplateId.VersionNotFound",
        "Could not find the specified version 7 for the launch template with ID lt-0001.",
        () =>
          ec2.send(
            new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: "lt-0001", Versions: ["7"] }),
          ),
      ],
    ])("answers %s with HTTP 400", async (code, message, command) => {
      // Act
      const err = await errorOf(command());

      // Assess
      expect(err.name).toBe(code);
      expect(err.message).toBe(message);
      expect(err.$metadata?.httpStatusCode).toBe(400);
    });
  });
});
