import {
  DescribeAutoScalingGroupsCommand,
  paginateDescribeAutoScalingGroups,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type Filter,
  GetSubnetCidrReservationsCommand,
  paginateDescribeInstances,
  paginateDescribeLaunchTemplates,
} from "@aws-sdk/client-ec2";
import {
  DescribeFargateProfileCommand,
  type EKSClient,
  ListFargateProfilesCommand,
  paginateListFargateProfiles,
} from "@aws-sdk/client-eks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Estate, type EstateFaults, type EstateRegion, parseEstate } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { ACCOUNT, type CapacityIds, capacityEstate, REGION } from "#test/inventory/capacity-estate.ts";
import { autoscalingClient, ec2Client, eksClient, wire } from "./fixtures.ts";

let estate: Estate;
let ids: CapacityIds;
let sim: Simulator;
let ec2: EC2Client;
let eks: EKSClient;
const faulty: Simulator[] = [];

function region(): EstateRegion {
  const r = estate.accounts[ACCOUNT]?.regions[REGION];
  if (r === undefined) throw new Error("capacity estate without its region");
  return r;
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error("expected the call to fail");
}

async function simWith(faults: EstateFaults): Promise<Simulator> {
  const s = await startSimulator({ estate: { ...estate, faults } });
  faulty.push(s);
  return s;
}

beforeAll(async () => {
  const built = capacityEstate({ extraKarpenterNodes: 7 });
  estate = parseEstate(JSON.parse(JSON.stringify(built.estate)));
  ids = built.ids;
  sim = await startSimulator({ estate });
  ec2 = ec2Client(sim.url);
  eks = eksClient(sim.url);
});

afterEach(async () => {
  await Promise.all(faulty.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  ec2.destroy();
  eks.destroy();
  await sim.close();
});

const instanceIds = (reservations: { Instances?: { InstanceId?: string }[] }[] | undefined) =>
  (reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? ""));

describe("Class: Simulator (EC2 DescribeInstances)", () => {
  it("returns every visible instance as the estate holds it, managed ones only with IncludeManagedResources", async () => {
    // Prepare
    const all = region().ec2.Reservations ?? [];
    const visible = all.filter((r) => r.Instances?.every((i) => i.Operator?.HiddenByDefault !== true));

    // Act
    const plain = await ec2.send(new DescribeInstancesCommand({}));
    const included = await ec2.send(new DescribeInstancesCommand({ IncludeManagedResources: true }));

    // Assess
    expect(wire(plain.Reservations)).toEqual(visible);
    expect(wire(included.Reservations)).toEqual(all);
    expect(instanceIds(plain.Reservations)).not.toContain(ids.nodes.auto);
    expect(instanceIds(included.Reservations)).toContain(ids.nodes.auto);
    expect(included.Reservations?.find((r) => r.RequesterId)?.Instances?.[0]?.Operator).toEqual({
      Managed: true,
      Principal: "eks.amazonaws.com",
      HiddenByDefault: true,
    });
    const k1 = included.Reservations?.flatMap((r) => r.Instances ?? []).find(
      (i) => i.InstanceId === ids.nodes.k1,
    );
    expect(k1?.LaunchTime).toBeInstanceOf(Date);
    expect(k1?.NetworkInterfaces?.map((n) => [n.Attachment?.DeviceIndex, n.InterfaceType])).toEqual([
      [0, "interface"],
      [1, "trunk"],
      [2, "interface"],
    ]);
  });

  it("pages by instance, each page holding the reservations of its instances", async () => {
    // Act
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateDescribeInstances(
      { client: ec2, pageSize: 5 },
      { IncludeManagedResources: true },
    )) {
      pages.push(instanceIds(page.Reservations).length);
      seen.push(...instanceIds(page.Reservations));
    }

    // Assess
    const all = instanceIds(region().ec2.Reservations);
    // general, k1, k2, seven more Karpenter nodes, prod-legacy's node, the Auto Mode node.
    expect(all).toHaveLength(12);
    expect(pages).toEqual([5, 5, 2]);
    expect(seen).toEqual(all);
  });

  it.each<[string, Filter[], (ids: CapacityIds) => string[]]>([
    ["instance-id", [{ Name: "instance-id", Values: ["INSTANCE_K1"] }], (i) => [i.nodes.k1]],
    [
      "tag:karpenter.sh/nodepool with instance-state-name",
      [
        { Name: "tag:karpenter.sh/nodepool", Values: ["default"] },
        { Name: "instance-state-name", Values: ["pending", "running"] },
        { Name: "tag:karpenter.sh/nodeclaim", Values: ["default-k?"] },
        { Name: "subnet-id", Values: ["SUBNET_NODES_B"] },
      ],
      (i) => [i.nodes.k2],
    ],
    [
      "tag-key (values OR)",
      [{ Name: "tag-key", Values: ["eks:nodegroup-name", "aws:autoscaling:groupName"] }],
      (i) => [i.nodes.general, i.nodes.legacy],
    ],
    [
      "vpc-id and operator.managed",
      [
        { Name: "vpc-id", Values: ["VPC"] },
        { Name: "operator.managed", Values: ["true"] },
      ],
      (i) => [i.nodes.auto],
    ],
    ["instance-state-name stopped", [{ Name: "instance-state-name", Values: ["stopped"] }], () => []],
  ])("filters on %s", async (_name, filters, expected) => {
    // Prepare
    const vpc = region().ec2.Vpcs[0]?.VpcId ?? "";
    const resolved = filters.map((f) => ({
      ...f,
      Values: f.Values?.map((v) =>
        v === "INSTANCE_K1"
          ? ids.nodes.k1
          : v === "SUBNET_NODES_B"
            ? ids.subnets.nodesB
            : v === "VPC"
              ? vpc
              : v,
      ),
    }));

    // Act
    const result = await ec2.send(
      new DescribeInstancesCommand({ Filters: resolved, IncludeManagedResources: true }),
    );

    // Assess
    expect(instanceIds(result.Reservations).sort()).toEqual(expected(ids).sort());
  });

  it("answers unknown ids, MaxResults with ids and unknown filters as EC2 does", async () => {
    // Act
    const missing = await errorOf(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] })),
    );
    const combined = await errorOf(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [ids.nodes.k1], MaxResults: 5 })),
    );
    const badFilter = await errorOf(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "colour", Values: ["blue"] }] })),
    );

    // Assess
    expect(missing.name).toBe("InvalidInstanceID.NotFound");
    expect(missing.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    expect(combined.name).toBe("InvalidParameterCombination");
    expect(badFilter.name).toBe("InvalidParameterValue");
  });
});

describe("Class: Simulator (EC2 ENIs, launch templates, CIDR reservations)", () => {
  it("hides managed ENIs from DescribeNetworkInterfaces unless IncludeManagedResources", async () => {
    // Prepare
    const filters: Filter[] = [{ Name: "subnet-id", Values: [ids.subnets.autoA] }];

    // Act
    const plain = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: filters }));
    const included = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: filters, IncludeManagedResources: true }),
    );

    // Assess
    expect(plain.NetworkInterfaces).toEqual([]);
    expect(included.NetworkInterfaces?.map((n) => n.Ipv4Prefixes)).toEqual([
      [{ Ipv4Prefix: "10.20.4.16/28" }],
    ]);
  });

  it("filters ENIs on description wildcards, requester-managed and group-id", async () => {
    // Act
    const ipamd = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "description", Values: ["aws-K8S-*"] }] }),
    );
    const fargate = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: "subnet-id", Values: [ids.subnets.fargateA] },
          { Name: "group-id", Values: [ids.clusterSg.prod] },
          { Name: "requester-managed", Values: ["true"] },
        ],
      }),
    );

    // Assess
    expect(ipamd.NetworkInterfaces?.map((n) => n.SubnetId)).toEqual([ids.subnets.podsA]);
    expect(fargate.NetworkInterfaces?.map((n) => n.NetworkInterfaceId).sort()).toEqual(
      [...ids.fargatePodEnis].sort(),
    );
  });

  it("describes launch templates with tag filters, ids, names and pages", async () => {
    // Prepare
    const all = region().ec2.LaunchTemplates ?? [];

    // Act
    const byKey = await ec2.send(
      new DescribeLaunchTemplatesCommand({
        Filters: [
          { Name: "tag-key", Values: ["karpenter.k8s.aws/ec2nodeclass", "karpenter.k8s.aws/cluster"] },
        ],
      }),
    );
    const byTag = await ec2.send(
      new DescribeLaunchTemplatesCommand({
        Filters: [{ Name: "tag:eks:eks-cluster-name", Values: ["other"] }],
      }),
    );
    const pages: unknown[] = [];
    for await (const page of paginateDescribeLaunchTemplates({ client: ec2, pageSize: 1 }, {}))
      pages.push(...(page.LaunchTemplates ?? []));
    const unknownId = await errorOf(
      ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ["lt-0123456789abcdef0"] })),
    );
    const unknownName = await errorOf(
      ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["nope"] })),
    );

    // Assess
    expect(wire(byKey.LaunchTemplates)).toEqual(all);
    expect(byKey.LaunchTemplates?.[0]?.CreateTime).toBeInstanceOf(Date);
    expect(byTag.LaunchTemplates).toEqual([]);
    expect(wire(pages)).toEqual(all);
    expect(unknownId.name).toBe("InvalidLaunchTemplateId.NotFound");
    expect(unknownName.name).toBe("InvalidLaunchTemplateName.NotFoundException");
  });

  it("answers a subnet's CIDR reservations split by IP version, filtered and paged", async () => {
    // Prepare
    const withV6 = structuredClone(estate);
    const r = withV6.accounts[ACCOUNT]?.regions[REGION];
    r?.ec2.SubnetCidrReservations?.push({
      SubnetCidrReservationId: "scr-0v6",
      SubnetId: ids.subnets.autoA,
      Cidr: "2600:1f18:abc:de00::/80",
      ReservationType: "prefix",
      OwnerId: ACCOUNT,
    });
    const s = await startSimulator({ estate: withV6 });
    faulty.push(s);
    const client = ec2Client(s.url);

    // Act
    const all = await client.send(new GetSubnetCidrReservationsCommand({ SubnetId: ids.subnets.autoA }));
    const prefixOnly = await client.send(
      new GetSubnetCidrReservationsCommand({
        SubnetId: ids.subnets.autoA,
        Filters: [{ Name: "reservationType", Values: ["prefix"] }],
      }),
    );
    const first = await client.send(
      new GetSubnetCidrReservationsCommand({ SubnetId: ids.subnets.autoA, MaxResults: 5 }),
    );
    const none = await client.send(new GetSubnetCidrReservationsCommand({ SubnetId: ids.subnets.nodesA }));
    const unknown = await errorOf(
      client.send(new GetSubnetCidrReservationsCommand({ SubnetId: "subnet-0123456789abcdef0" })),
    );
    client.destroy();

    // Assess
    expect(all.SubnetIpv4CidrReservations?.map((c) => [c.Cidr, c.ReservationType])).toEqual([
      ["10.20.4.128/26", "prefix"],
      ["10.20.4.240/28", "explicit"],
    ]);
    expect(all.SubnetIpv6CidrReservations?.map((c) => c.Cidr)).toEqual(["2600:1f18:abc:de00::/80"]);
    expect(prefixOnly.SubnetIpv4CidrReservations?.map((c) => c.Cidr)).toEqual(["10.20.4.128/26"]);
    expect(first.NextToken).toBeUndefined();
    expect(none.SubnetIpv4CidrReservations).toEqual([]);
    expect(unknown.name).toBe("InvalidSubnetID.NotFound");
  });
});

describe("Class: Simulator (Auto Scaling, query protocol 2011-01-01)", () => {
  it("describes the groups as the estate holds them, filtered by tag-key, tag-value and tag:<key>", async () => {
    // Prepare
    const client = autoscalingClient(sim.url);
    const groups = region().autoscaling?.AutoScalingGroups ?? [];
    const names = (r: { AutoScalingGroups?: { AutoScalingGroupName?: string }[] }) =>
      (r.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName);

    // Act
    const all = await client.send(new DescribeAutoScalingGroupsCommand({}));
    const tagged = await client.send(
      new DescribeAutoScalingGroupsCommand({
        Filters: [{ Name: "tag-key", Values: ["kubernetes.io/cluster/other", "kubernetes.io/cluster/prod"] }],
      }),
    );
    const byValue = await client.send(
      new DescribeAutoScalingGroupsCommand({
        Filters: [
          { Name: "tag-key", Values: ["kubernetes.io/cluster/prod"] },
          { Name: "tag:Name", Values: ["prod-legacy"] },
        ],
      }),
    );
    const byTagValue = await client.send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: "tag-value", Values: ["general"] }] }),
    );
    const withoutInstances = await client.send(
      new DescribeAutoScalingGroupsCommand({
        AutoScalingGroupNames: ["prod-legacy", "gone"],
        IncludeInstances: false,
      }),
    );
    client.destroy();

    // Assess
    expect(wire(all.AutoScalingGroups)).toEqual(groups);
    expect(all.AutoScalingGroups?.[0]?.CreatedTime).toBeInstanceOf(Date);
    expect(names(tagged)).toEqual(groups.map((g) => g.AutoScalingGroupName));
    expect(names(byValue)).toEqual(["prod-legacy"]);
    expect(names(byTagValue)).toEqual([groups[0]?.AutoScalingGroupName]);
    expect(names(withoutInstances)).toEqual(["prod-legacy"]);
    expect(withoutInstances.AutoScalingGroups?.[0]?.Instances).toBeUndefined();
  });

  it("pages with MaxRecords/NextToken and rejects bad filters, sizes and tokens", async () => {
    // Prepare
    const client = autoscalingClient(sim.url);

    // Act
    const pages: number[] = [];
    for await (const page of paginateDescribeAutoScalingGroups({ client, pageSize: 1 }, {}))
      pages.push(page.AutoScalingGroups?.length ?? 0);
    const badFilter = await errorOf(
      client.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: "vpc-id", Values: ["x"] }] })),
    );
    const badSize = await errorOf(client.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 })));
    const badToken = await errorOf(
      client.send(new DescribeAutoScalingGroupsCommand({ NextToken: "garbled" })),
    );
    client.destroy();

    // Assess
    expect(pages).toEqual([1, 1]);
    expect(badFilter.name).toBe("ValidationError");
    expect(badSize.name).toBe("ValidationError");
    expect(badToken.name).toBe("InvalidNextToken");
    expect(badToken.$metadata?.httpStatusCode).toBe(400);
  });
});

describe("Class: Simulator (EKS Fargate profiles)", () => {
  it("lists and describes a cluster's profiles; an unknown one answers ResourceNotFoundException", async () => {
    // Act
    const listed = await eks.send(new ListFargateProfilesCommand({ clusterName: "prod" }));
    const none = await eks.send(new ListFargateProfilesCommand({ clusterName: "auto" }));
    const described = await eks.send(
      new DescribeFargateProfileCommand({ clusterName: "prod", fargateProfileName: "fp-batch" }),
    );
    const missing = await errorOf(
      eks.send(new DescribeFargateProfileCommand({ clusterName: "prod", fargateProfileName: "gone" })),
    );
    const noCluster = await errorOf(eks.send(new ListFargateProfilesCommand({ clusterName: "nope" })));

    // Assess
    expect(listed.fargateProfileNames).toEqual(["fp-batch"]);
    expect(none.fargateProfileNames).toEqual([]);
    expect(wire(described.fargateProfile)).toEqual(
      region().eks.clusters.find((c) => c.cluster.name === "prod")?.fargateProfiles?.[0],
    );
    expect(described.fargateProfile?.createdAt).toBeInstanceOf(Date);
    expect(missing.name).toBe("ResourceNotFoundException");
    expect(missing.message).toBe("No Fargate Profile found with name: gone.");
    expect(missing.$metadata?.httpStatusCode).toBe(404);
    expect(noCluster.name).toBe("ResourceNotFoundException");
  });
});

describe("Class: Simulator (capacity APIs under faults)", () => {
  it("throttles each new API per account-region-operation; the standard retry strategy recovers", async () => {
    // Prepare
    const s = await simWith({ throttle: { bucket: 1, refillPerSecond: 4 } });
    const ec2s = ec2Client(s.url, { standardRetries: 6 });
    const asg = autoscalingClient(s.url, { standardRetries: 6 });
    const eksc = eksClient(s.url, { standardRetries: 6 });

    // Act
    const results = await Promise.all([
      ...Array.from({ length: 3 }, () => ec2s.send(new DescribeInstancesCommand({}))),
      ...Array.from({ length: 3 }, () => asg.send(new DescribeAutoScalingGroupsCommand({}))),
      ...Array.from({ length: 3 }, () => eksc.send(new ListFargateProfilesCommand({ clusterName: "prod" }))),
    ]);
    for (const c of [ec2s, asg, eksc]) c.destroy();

    // Assess
    expect(results).toHaveLength(9);
    for (const operation of ["DescribeInstances", "DescribeAutoScalingGroups", "ListFargateProfiles"]) {
      expect(s.calls.count({ operation, outcome: "ok" }), operation).toBe(3);
      expect(s.calls.count({ operation, outcome: "throttled" }), operation).toBeGreaterThanOrEqual(1);
    }
  });

  it("answers Auto Scaling throttling, 5xx and opt-in regions in its own codes", async () => {
    // Prepare
    const throttled = await simWith({ throttle: { bucket: 1, refillPerSecond: 0 } });
    const failing = await simWith({ serverErrorRate: 1, seed: 1 });
    const off = await simWith({ regionsNotEnabled: { [ACCOUNT]: [REGION] } });
    const a = autoscalingClient(throttled.url);
    const b = autoscalingClient(failing.url, { maxAttempts: 3 });
    const c = autoscalingClient(off.url);
    await a.send(new DescribeAutoScalingGroupsCommand({}));

    // Act
    const throttling = await errorOf(a.send(new DescribeAutoScalingGroupsCommand({})));
    const serverError = await errorOf(b.send(new DescribeAutoScalingGroupsCommand({})));
    const regionOff = await errorOf(c.send(new DescribeAutoScalingGroupsCommand({})));
    for (const client of [a, b, c]) client.destroy();

    // Assess
    expect(throttling.name).toBe("Throttling");
    expect(throttling.$metadata?.httpStatusCode).toBe(400);
    expect(["InternalFailure", "ServiceUnavailable"]).toContain(serverError.name);
    expect(serverError.$metadata?.attempts).toBe(3);
    expect(regionOff.name).toBe("InvalidClientTokenId");
    expect(regionOff.$metadata?.httpStatusCode).toBe(403);
  });

  it("fails denied calls with each service's code, and only the named resource when resources are given", async () => {
    // Prepare
    const s = await simWith({
      failingCalls: [
        { accountId: ACCOUNT, operation: "DescribeInstances" },
        { accountId: ACCOUNT, operation: "DescribeAutoScalingGroups" },
        { accountId: ACCOUNT, operation: "DescribeLaunchTemplates" },
        {
          accountId: ACCOUNT,
          operation: "DescribeFargateProfile",
          errorCode: "AccessDeniedException",
          resources: ["prod", "fp-batch"],
        },
        {
          accountId: ACCOUNT,
          operation: "GetSubnetCidrReservations",
          resources: [ids.subnets.autoA],
        },
      ],
    });
    const ec2s = ec2Client(s.url);
    const asg = autoscalingClient(s.url);
    const eksc = eksClient(s.url);

    // Act
    const instances = await errorOf(ec2s.send(new DescribeInstancesCommand({})));
    const templates = await errorOf(ec2s.send(new DescribeLaunchTemplatesCommand({})));
    const groups = await errorOf(asg.send(new DescribeAutoScalingGroupsCommand({})));
    const profile = await errorOf(
      eksc.send(new DescribeFargateProfileCommand({ clusterName: "prod", fargateProfileName: "fp-batch" })),
    );
    const listed = await eksc.send(new ListFargateProfilesCommand({ clusterName: "prod" }));
    const reservations = await errorOf(
      ec2s.send(new GetSubnetCidrReservationsCommand({ SubnetId: ids.subnets.autoA })),
    );
    const otherSubnet = await ec2s.send(
      new GetSubnetCidrReservationsCommand({ SubnetId: ids.subnets.autoB }),
    );
    for (const c of [ec2s, asg, eksc]) c.destroy();

    // Assess
    expect([instances.name, templates.name, reservations.name]).toEqual([
      "UnauthorizedOperation",
      "UnauthorizedOperation",
      "UnauthorizedOperation",
    ]);
    expect(groups.name).toBe("AccessDenied");
    expect(groups.$metadata?.httpStatusCode).toBe(403);
    expect(profile.name).toBe("AccessDeniedException");
    expect(listed.fargateProfileNames).toEqual(["fp-batch"]);
    expect(otherSubnet.SubnetIpv4CidrReservations).toEqual([]);
  });

  it("caps every page of the new listings at maxPageSize", async () => {
    // Prepare
    const s = await simWith({ maxPageSize: 2 });
    const ec2s = ec2Client(s.url);
    const eksc = eksClient(s.url);

    // Act
    const instancePages: number[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2s }, { IncludeManagedResources: true }))
      instancePages.push(instanceIds(page.Reservations).length);
    const profilePages: number[] = [];
    for await (const page of paginateListFargateProfiles({ client: eksc }, { clusterName: "prod" }))
      profilePages.push(page.fargateProfileNames?.length ?? 0);
    for (const c of [ec2s, eksc]) c.destroy();

    // Assess
    expect(instancePages).toEqual([2, 2, 2, 2, 2, 2]);
    expect(profilePages).toEqual([1]);
  });
});
