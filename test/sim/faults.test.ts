import {
  DescribeInstanceTypesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  paginateDescribeSubnets,
} from "@aws-sdk/client-ec2";
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  ListClustersCommand,
  paginateListClusters,
} from "@aws-sdk/client-eks";
import { paginateListAccounts } from "@aws-sdk/client-organizations";
import { PublishCommand } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { type Estate, type EstateFaults, parseEstate } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import {
  ec2Client,
  eksClient,
  MANAGEMENT,
  MEMBER,
  orgsClient,
  REGION,
  sampleEstate,
  snsClient,
  stsClient,
} from "./fixtures.ts";

const started: Simulator[] = [];

function estateWith(faults: EstateFaults): Estate {
  const estate = parseEstate(sampleEstate());
  estate.faults = { ...estate.faults, ...faults };
  return estate;
}

async function simWith(faults: EstateFaults): Promise<Simulator> {
  const sim = await startSimulator({ estate: estateWith(faults) });
  started.push(sim);
  return sim;
}

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error("expected the call to fail");
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((sim) => sim.close()));
});

describe("Class: Simulator (fault injection)", () => {
  describe("throttling", () => {
    it("empties a token bucket per account, region and operation; the standard retry strategy recovers", async () => {
      // Prepare
      const sim = await simWith({ throttle: { bucket: 2, refillPerSecond: 5 } });
      const ec2 = ec2Client(sim.url, { standardRetries: 5 });

      // Act
      const results = await Promise.all(
        Array.from({ length: 5 }, () => ec2.send(new DescribeVpcsCommand({}))),
      );
      const otherOperation = await ec2.send(new DescribeSubnetsCommand({}));
      ec2.destroy();

      // Assess
      expect(results.every((r) => r.Vpcs?.length === 2)).toBe(true);
      expect(otherOperation.$metadata.attempts).toBe(1);
      expect(sim.calls.count({ operation: "DescribeVpcs", outcome: "ok" })).toBe(5);
      // At least one of the burst finds the bucket empty, however slowly a loaded machine serves it.
      expect(sim.calls.count({ operation: "DescribeVpcs", outcome: "throttled" })).toBeGreaterThanOrEqual(1);
      expect(sim.calls.throttled()).toBe(sim.calls.count({ outcome: "throttled" }));
      expect(results.some((r) => (r.$metadata.attempts ?? 1) > 1)).toBe(true);
    });

    it("answers RequestLimitExceeded (503) for EC2 and ThrottlingException (400) for EKS", async () => {
      // Prepare
      const sim = await simWith({ throttle: { bucket: 1, refillPerSecond: 0 } });
      const ec2 = ec2Client(sim.url);
      const eks = eksClient(sim.url);
      await ec2.send(new DescribeVpcsCommand({}));
      await eks.send(new ListClustersCommand({}));

      // Act
      const ec2Error = await errorOf(ec2.send(new DescribeVpcsCommand({})));
      const eksError = await errorOf(eks.send(new ListClustersCommand({})));
      ec2.destroy();
      eks.destroy();

      // Assess
      expect(ec2Error.name).toBe("RequestLimitExceeded");
      expect(ec2Error.$metadata?.httpStatusCode).toBe(503);
      expect(eksError.name).toBe("ThrottlingException");
      expect(eksError.$metadata?.httpStatusCode).toBe(400);
      expect(sim.calls.throttled()).toBe(2);
    });
  });

  describe("server errors", () => {
    it("injects retryable 5xx that the SDK retries to success, identically under the same seed", async () => {
      // Prepare
      const sim = await simWith({ seed: 7, serverErrorRate: 0.4 });
      const run = async () => {
        const ec2 = ec2Client(sim.url, { standardRetries: 10 });
        for (let i = 0; i < 8; i++) await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
        ec2.destroy();
        return sim.calls.all().map((c) => c.outcome);
      };

      // Act
      const first = await run();
      sim.resetCounters();
      const second = await run();

      // Assess
      expect(first.filter((o) => o === "ok")).toHaveLength(8);
      expect(first).toContain("serverError");
      expect(second).toEqual(first);
    });

    it("decides each call from its key and ordinal, not from how concurrent calls interleave", async () => {
      // Prepare
      const faults: EstateFaults = { seed: 3, serverErrorRate: 0.5 };
      const sequential = await simWith(faults);
      const concurrent = await simWith(faults);
      const regions = [REGION, "us-east-1"];
      const clients = [sequential, concurrent].flatMap((sim) =>
        regions.map((region) => ec2Client(sim.url, { region })),
      );
      const calls = (offset: number) =>
        clients
          .slice(offset, offset + regions.length)
          .flatMap((client) =>
            Array.from({ length: 10 }, () => () => client.send(new DescribeVpcsCommand({}))),
          );

      // Act
      for (const call of calls(0)) await call().catch(() => undefined);
      await Promise.all(calls(regions.length).map((call) => call().catch(() => undefined)));
      for (const client of clients) client.destroy();

      // Assess
      for (const region of regions) {
        const filter = { region, outcome: "serverError" };
        expect(concurrent.calls.count(filter)).toBe(sequential.calls.count(filter));
      }
      expect(sequential.calls.count({ outcome: "serverError" })).toBeGreaterThan(0);
    });
  });

  describe("regions not enabled", () => {
    it("answers every call in the account-region the way AWS answers an opt-in region left off", async () => {
      // Prepare
      const sim = await simWith({});
      const opts = { region: "ap-south-1", accessKeyId: `AKIA${MEMBER}TEST` };
      const ec2 = ec2Client(sim.url, opts);
      const eks = eksClient(sim.url, opts);
      const sts = stsClient(sim.url, opts);

      // Act
      const ec2Error = await errorOf(ec2.send(new DescribeVpcsCommand({})));
      const eksError = await errorOf(eks.send(new ListClustersCommand({})));
      const stsError = await errorOf(sts.send(new GetCallerIdentityCommand({})));
      const enabled = await ec2Client(sim.url, { accessKeyId: `AKIA${MEMBER}TEST` }).send(
        new DescribeVpcsCommand({}),
      );
      ec2.destroy();
      eks.destroy();
      sts.destroy();

      // Assess
      expect(ec2Error.name).toBe("AuthFailure");
      expect(ec2Error.message).toBe("AWS was not able to validate the provided access credentials");
      expect(ec2Error.$metadata?.httpStatusCode).toBe(401);
      expect(eksError.name).toBe("UnrecognizedClientException");
      expect(eksError.$metadata?.httpStatusCode).toBe(403);
      expect(stsError.name).toBe("RegionDisabledException");
      expect(stsError.$metadata?.httpStatusCode).toBe(403);
      expect(enabled.Vpcs?.map((v) => v.VpcId)).toEqual(["vpc-member"]);
      expect(sim.calls.count({ accountId: MEMBER, region: "ap-south-1", outcome: "AuthFailure" })).toBe(1);
    });
  });

  describe("failing calls", () => {
    it("fails the named calls with their error code, UnauthorizedOperation by default, 5xx codes as 500", async () => {
      // Prepare
      const sim = await simWith({
        failingCalls: [
          { accountId: MANAGEMENT, operation: "DescribeRouteTables" },
          {
            accountId: MANAGEMENT,
            region: REGION,
            operation: "DescribeSecurityGroups",
            errorCode: "InternalError",
          },
          { accountId: MANAGEMENT, operation: "DescribeCluster", errorCode: "AccessDeniedException" },
        ],
      });
      const ec2 = ec2Client(sim.url, { maxAttempts: 2 });
      const usEast = ec2Client(sim.url, { region: "us-east-1" });
      const eks = eksClient(sim.url);

      // Act
      const denied = await errorOf(ec2.send(new DescribeRouteTablesCommand({})));
      const internal = await errorOf(ec2.send(new DescribeSecurityGroupsCommand({})));
      const deniedElsewhere = await errorOf(usEast.send(new DescribeRouteTablesCommand({})));
      const groupsElsewhere = await usEast.send(new DescribeSecurityGroupsCommand({}));
      const eksDenied = await errorOf(eks.send(new DescribeClusterCommand({ name: "prod" })));
      const untouched = await ec2.send(new DescribeSubnetsCommand({}));
      for (const client of [ec2, usEast, eks]) client.destroy();

      // Assess
      expect(denied.name).toBe("UnauthorizedOperation");
      expect(denied.message).toBe("You are not authorized to perform this operation.");
      expect(denied.$metadata?.httpStatusCode).toBe(403);
      expect(internal.name).toBe("InternalError");
      expect(internal.$metadata?.httpStatusCode).toBe(500);
      expect(internal.$metadata?.attempts).toBe(2);
      expect(deniedElsewhere.name).toBe("UnauthorizedOperation");
      expect(groupsElsewhere.SecurityGroups).toEqual([]);
      expect(eksDenied.name).toBe("AccessDeniedException");
      expect(eksDenied.$metadata?.httpStatusCode).toBe(403);
      expect(untouched.Subnets).toHaveLength(12);
      expect(sim.calls.count({ operation: "DescribeSecurityGroups", outcome: "InternalError" })).toBe(2);
    });
  });

  describe("failing calls naming resources", () => {
    it("fails only the calls whose request names every listed resource, list items included", async () => {
      // Prepare
      const sim = await simWith({
        failingCalls: [
          {
            accountId: MANAGEMENT,
            operation: "DescribeAddon",
            errorCode: "AccessDeniedException",
            resources: ["prod", "vpc-cni"],
          },
          {
            accountId: MANAGEMENT,
            operation: "DescribeInstanceTypes",
            errorCode: "InvalidInstanceType",
            resources: ["m5.large"],
          },
        ],
      });
      const eks = eksClient(sim.url);
      const ec2 = ec2Client(sim.url);

      // Act
      const addonDenied = await errorOf(
        eks.send(new DescribeAddonCommand({ clusterName: "prod", addonName: "vpc-cni" })),
      );
      const otherAddon = await eks.send(
        new DescribeAddonCommand({ clusterName: "prod", addonName: "coredns" }),
      );
      const batchRefused = await errorOf(
        ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["c5.large", "m5.large"] })),
      );
      const rest = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["c5.large"] }));
      for (const client of [eks, ec2]) client.destroy();

      // Assess
      expect(addonDenied.name).toBe("AccessDeniedException");
      expect(addonDenied.$metadata?.httpStatusCode).toBe(403);
      expect(otherAddon.addon?.addonName).toBe("coredns");
      expect(batchRefused.name).toBe("InvalidInstanceType");
      expect(rest.InstanceTypes?.map((t) => t.InstanceType)).toEqual(["c5.large"]);
      expect(sim.calls.count({ operation: "DescribeAddon", outcome: "AccessDeniedException" })).toBe(1);
    });
  });

  describe("latency", () => {
    it("adds latencyMs to every call and delayMs to slow calls", async () => {
      // Prepare
      const steady = await simWith({ latencyMs: 60 });
      const slow = await simWith({ slowCalls: { rate: 1, delayMs: 150 } });
      const time = async (sim: Simulator) => {
        const client = ec2Client(sim.url);
        const start = performance.now();
        await client.send(new DescribeVpcsCommand({}));
        client.destroy();
        return performance.now() - start;
      };

      // Act
      const steadyMs = await time(steady);
      const slowMs = await time(slow);

      // Assess
      expect(steadyMs).toBeGreaterThanOrEqual(55);
      expect(slowMs).toBeGreaterThanOrEqual(145);
    });
  });

  describe("maxPageSize", () => {
    it("caps every page of EC2, EKS and Organizations listings, whatever MaxResults asks for", async () => {
      // Prepare
      const sim = await simWith({ maxPageSize: 2 });
      const ec2 = ec2Client(sim.url);
      const eks = eksClient(sim.url, { accessKeyId: `AKIA${MEMBER}TEST` });
      const orgs = orgsClient(sim.url);

      // Act
      const subnetPages: number[] = [];
      for await (const page of paginateDescribeSubnets({ client: ec2 }, {}))
        subnetPages.push(page.Subnets?.length ?? 0);
      const capped = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
      const clusterPages: number[] = [];
      for await (const page of paginateListClusters({ client: eks }, {}))
        clusterPages.push(page.clusters?.length ?? 0);
      const accountPages: number[] = [];
      for await (const page of paginateListAccounts({ client: orgs, pageSize: 20 }, {})) {
        accountPages.push(page.Accounts?.length ?? 0);
      }
      for (const client of [ec2, eks, orgs]) client.destroy();

      // Assess
      expect(subnetPages).toEqual([2, 2, 2, 2, 2, 2]);
      expect(capped.Subnets).toHaveLength(2);
      expect(clusterPages).toEqual([2, 2, 2, 1]);
      expect(accountPages).toEqual([2, 2, 2, 1]);
    });
  });

  describe("setEstate and resetCounters", () => {
    it("swaps the served estate with fresh fault state, and clears calls but keeps published messages", async () => {
      // Prepare
      const sim = await simWith({ throttle: { bucket: 1, refillPerSecond: 0 } });
      const ec2 = ec2Client(sim.url);
      const sns = snsClient(sim.url);
      await ec2.send(new DescribeSubnetsCommand({}));
      await sns.send(
        new PublishCommand({ TopicArn: `arn:aws:sns:${REGION}:${MANAGEMENT}:alerts`, Message: "x" }),
      );
      const throttled = await errorOf(ec2.send(new DescribeSubnetsCommand({})));
      const changed = estateWith({ throttle: { bucket: 1, refillPerSecond: 0 } });
      const region = changed.accounts[MANAGEMENT]?.regions[REGION];
      if (region) region.ec2.Subnets = region.ec2.Subnets.slice(0, 1);

      // Act
      sim.setEstate(changed);
      const after = await ec2.send(new DescribeSubnetsCommand({}));
      const totalBefore = sim.calls.total();
      sim.resetCounters();
      ec2.destroy();
      sns.destroy();

      // Assess
      expect(throttled.name).toBe("RequestLimitExceeded");
      expect(after.Subnets?.map((s) => s.SubnetId)).toEqual(["subnet-0a0000"]);
      expect(totalBefore).toBe(4);
      expect(sim.calls.total()).toBe(0);
      expect(sim.published).toHaveLength(1);
    });
  });
});
