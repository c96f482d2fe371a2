import type { Addon } from "@aws-sdk/client-eks";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CallRecorder, scopeKey } from "#shared/aws/call-recorder.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { type Estate, type EstateRegion, loadEstateFile } from "#shared/estate/index.ts";
import { collectInventory } from "#shared/inventory/collect.ts";
import { prefixDelegationEnabled } from "#shared/models/cni/config.ts";
import { scanAccounts } from "#shared/scan/run.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";

const CALLER = "111122223333";

/**
 * The collector's call budget for one account-region, from what the estate holds: one paginated listing
 * per API per region (or per set of cluster VPCs), one describe per cluster / node group / launch template.
 */
function callBudget(region: EstateRegion): Record<string, number> {
  const clusters = region.eks.clusters;
  if (clusters.length === 0)
    return { "EC2.DescribeSubnets": 1, "EC2.DescribeVpcs": 1, "EKS.ListClusters": 1 };
  const templates = new Set(
    clusters.flatMap((c) => c.nodegroups.map((ng) => ng.launchTemplate?.id).filter(Boolean)),
  );
  const anyPrefixDelegation = clusters.some((c) =>
    prefixDelegationEnabled(c.addons.find((a) => a.addonName === "vpc-cni") as Addon | undefined),
  );
  const budget: Record<string, number> = {
    "EC2.DescribeInstanceTypes": 1,
    "EC2.DescribeNetworkInterfaces": anyPrefixDelegation ? 2 : 1,
    "EC2.DescribeRouteTables": 1,
    "EC2.DescribeSecurityGroups": 2,
    "EC2.DescribeSubnets": 1,
    "EC2.DescribeVpcs": 1,
    "EKS.DescribeAddon": clusters.length,
    "EKS.DescribeCluster": clusters.length,
    "EKS.DescribeNodegroup": clusters.reduce((n, c) => n + c.nodegroups.length, 0),
    "EKS.ListClusters": 1,
    "EKS.ListNodegroups": clusters.length,
  };
  if (templates.size > 0) budget["EC2.DescribeLaunchTemplateVersions"] = templates.size;
  return Object.fromEntries(Object.entries(budget).sort());
}

function factoryFor(sim: Simulator, recorder: CallRecorder, runId = "test-run"): AwsClientFactory {
  return new AwsClientFactory({
    runId,
    endpoint: sim.url,
    homeRegion: "eu-west-1",
    credentials: async () => ({ accessKeyId: `AKIA${CALLER}TEST`, secretAccessKey: "x" }),
    recorder,
  });
}

describe("Function: collectInventory against the simulator", () => {
  let estate: Estate;
  let sim: Simulator | undefined;

  beforeAll(async () => {
    estate = await loadEstateFile(SAMPLE_ESTATE);
  });

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("makes exactly the budgeted API calls in every scope of the sample organisation", async () => {
    // Prepare: the sample without its faults, so every scope completes
    sim = await startSimulator({ estate: { ...estate, faults: {} } });
    const recorder = new CallRecorder();
    const factory = factoryFor(sim, recorder);
    const scopes = Object.entries(estate.accounts).flatMap(([accountId, a]) =>
      Object.keys(a.regions).map((region) => ({ accountId, region })),
    );

    // Act
    const results = await scanAccounts(
      factory,
      [...new Set(scopes.map((s) => s.accountId))],
      { kind: "list", regions: ["eu-west-1", "us-east-1"] },
      { recorder },
    );
    factory.destroy();

    // Assess
    for (const { accountId, region } of scopes) {
      const regionData = estate.accounts[accountId]?.regions[region] as EstateRegion;
      expect(recorder.forScope(scopeKey(accountId, region)), `${accountId}/${region}`).toEqual(
        callBudget(regionData),
      );
    }
    expect(results.filter((r) => r.status === "failed").map((r) => `${r.accountId}/${r.region}`)).toEqual([]);
    // The simulator saw the same calls (plus STS, which the recorder does not attribute to a scope).
    const simByScope = sim.calls.byScope();
    for (const { accountId, region } of scopes) {
      const seen = Object.entries(simByScope[`${accountId}/${region}`] ?? {}).reduce(
        (n, [op, c]) => (["AssumeRole", "GetCallerIdentity"].includes(op) ? n : n + c),
        0,
      );
      expect(seen, `${accountId}/${region}`).toBe(recorder.total(scopeKey(accountId, region)));
    }
  });

  it("assumes the member role once per account, shared by its regional clients, with the run's session name", async () => {
    sim = await startSimulator({ estate: { ...estate, faults: {} } });
    const recorder = new CallRecorder();
    const factory = factoryFor(sim, recorder, "20261125T070000Z-abcd1234");
    const members = ["222233334444", "333344445555"];

    await scanAccounts(factory, members, { kind: "list", regions: ["eu-west-1", "us-east-1"] });
    const credentials = await factory.credentialsFor("222233334444");
    const sts = new STSClient({ region: "eu-west-1", endpoint: sim.url, credentials });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    factory.destroy();

    expect(sim.calls.count({ service: "sts", operation: "AssumeRole" })).toBe(members.length);
    expect(identity.Arn).toBe(
      "arn:aws:sts::222233334444:assumed-role/EksAuditorReadRole/eks-auditor-20261125T070000Z-abcd1234",
    );
  });

  it("does not make more calls when a VPC holds many more subnets and security groups", async () => {
    // Prepare: one scope, then the same scope with 150 more subnets and 150 more SGs in the cluster VPC
    const accountId = "222233334444";
    const region = "eu-west-1";
    const base = estate.accounts[accountId]?.regions[region] as EstateRegion;
    const vpc = base.eks.clusters[0]?.cluster.resourcesVpcConfig?.vpcId ?? "";
    const grown: EstateRegion = {
      ...base,
      ec2: {
        ...base.ec2,
        Subnets: [
          ...base.ec2.Subnets,
          ...Array.from({ length: 150 }, (_, i) => ({
            SubnetId: `subnet-0f${i.toString(16).padStart(15, "0")}`,
            VpcId: vpc,
            CidrBlock: `10.99.${i}.0/24`,
            AvailabilityZone: "eu-west-1a",
            AvailableIpAddressCount: 251,
          })),
        ],
        SecurityGroups: [
          ...base.ec2.SecurityGroups,
          ...Array.from({ length: 150 }, (_, i) => ({
            GroupId: `sg-0f${i.toString(16).padStart(15, "0")}`,
            GroupName: `extra-${i}`,
            VpcId: vpc,
          })),
        ],
      },
    };
    const callsFor = async (data: EstateRegion) => {
      const s = await startSimulator({
        estate: {
          version: 1,
          organization: estate.organization,
          accounts: { [accountId]: { regions: { [region]: data } } },
        },
      });
      const recorder = new CallRecorder();
      const factory = new AwsClientFactory({
        runId: "t",
        endpoint: s.url,
        homeRegion: region,
        credentials: async () => ({ accessKeyId: `AKIA${accountId}TEST`, secretAccessKey: "x" }),
        recorder,
      });
      const [ec2, eks] = await Promise.all([factory.ec2(accountId, region), factory.eks(accountId, region)]);
      const inventory = await collectInventory({ accountId, region, ec2, eks });
      factory.destroy();
      await s.close();
      return { calls: recorder.forScope(scopeKey(accountId, region)), subnets: inventory.subnets.length };
    };

    // Act
    const small = await callsFor(base);
    const large = await callsFor(grown);

    // Assess
    expect(large.subnets).toBe(small.subnets + 150);
    expect(Object.keys(small.calls).length).toBeGreaterThan(5);
    expect(large.calls).toEqual(small.calls);
  });
});
