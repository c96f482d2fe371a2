import type { Addon } from "@aws-sdk/client-eks";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CallRecorder, scopeKey } from "#shared/aws/call-recorder.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { type Estate, type EstateFaults, type EstateRegion, loadEstateFile } from "#shared/estate/index.ts";
import { type Finding, findingKey } from "#shared/findings/index.ts";
import { collectInventory } from "#shared/inventory/collect.ts";
import { prefixDelegationEnabled } from "#shared/models/cni/config.ts";
import type { Notifier } from "#shared/notify/index.ts";
import { scanAccounts } from "#shared/scan/run.ts";
import { type ScopeResult, scanScope } from "#shared/scan/scan-scope.ts";
import { processScanTask } from "#shared/scan/scan-task.ts";
import type { FindingsStore, ReconcileOutcome } from "#shared/store/index.ts";
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

const PAYMENTS = { accountId: "222233334444", region: "eu-west-1" };

/** The sample estate without its faults, edited, with these faults only. */
function estateWith(base: Estate, edit: (payments: EstateRegion) => void, faults: EstateFaults = {}): Estate {
  const estate = structuredClone({ ...base, faults });
  const payments = estate.accounts[PAYMENTS.accountId]?.regions[PAYMENTS.region];
  if (!payments) throw new Error("sample estate without payments-euw1");
  edit(payments);
  return estate;
}

function nodegroupOf(region: EstateRegion, name: string) {
  const ng = region.eks.clusters.flatMap((c) => c.nodegroups).find((n) => n.nodegroupName === name);
  if (!ng) throw new Error(`no node group ${name}`);
  return ng;
}

const coverage = (r: ScopeResult) =>
  r.findings
    .filter((f) => f.ruleId.startsWith("scan."))
    .map((f) => [f.cluster, f.ruleId, f.resourceId, f.severity, f.evidence]);

const keys = (findings: readonly Finding[]) =>
  findings
    .filter((f) => !f.ruleId.startsWith("scan."))
    .map((f) => `${findingKey(f)}#${f.severity}`)
    .sort();

describe("Function: collectInventory when one call fails for one resource", () => {
  let sample: Estate;
  let sim: Simulator | undefined;

  beforeAll(async () => {
    sample = await loadEstateFile(SAMPLE_ESTATE);
  });

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  /** Scans payments-euw1's account-region of `estate` through the simulator. */
  async function scanPayments(estate: Estate) {
    sim = await startSimulator({ estate });
    const recorder = new CallRecorder();
    const factory = factoryFor(sim, recorder);
    const result = await scanScope(factory, PAYMENTS, { recorder });
    factory.destroy();
    const budget = callBudget(estate.accounts[PAYMENTS.accountId]?.regions[PAYMENTS.region] as EstateRegion);
    return { result, calls: recorder.forScope(scopeKey(PAYMENTS.accountId, PAYMENTS.region)), budget };
  }

  it("completes the scope without the add-on's settings: CNI defaults, the error named, no extra call", async () => {
    // Prepare
    const estate = estateWith(sample, () => undefined, {
      failingCalls: [
        {
          ...PAYMENTS,
          operation: "DescribeAddon",
          errorCode: "AccessDeniedException",
          resources: ["payments-euw1", "vpc-cni"],
        },
      ],
    });

    // Act
    const { result, calls, budget } = await scanPayments(estate);

    // Assess
    expect(result.status).toBe("complete");
    expect(calls).toEqual(budget);
    expect(coverage(result)).toEqual([
      [
        "payments-euw1",
        "scan.access-denied",
        "payments-euw1",
        "HIGH",
        { what: "DescribeAddon vpc-cni", errorName: "AccessDeniedException" },
      ],
    ]);
    const exhausted = result.findings.find((f) => f.ruleId === "ip.subnet-exhausted");
    expect(JSON.stringify(exhausted?.evidence)).toContain(
      "DescribeAddon vpc-cni failed with AccessDeniedException",
    );
    expect(result.unread).toMatchObject([{ cluster: "payments-euw1", what: "DescribeAddon vpc-cni" }]);
  });

  it("completes the scope without a node group deleted after it was listed", async () => {
    // Prepare
    const estate = estateWith(sample, () => undefined, {
      failingCalls: [
        {
          ...PAYMENTS,
          operation: "DescribeNodegroup",
          errorCode: "ResourceNotFoundException",
          resources: ["payments-euw1", "batch"],
        },
      ],
    });

    // Act
    const { result, calls, budget } = await scanPayments(estate);

    // Assess
    expect(result.status).toBe("complete");
    expect(calls).toEqual(budget);
    expect(result.nodegroups).toBe(2);
    expect(coverage(result)).toEqual([
      [
        "payments-euw1",
        "scan.error",
        "batch",
        "MEDIUM",
        { what: "DescribeNodegroup batch", errorName: "ResourceNotFoundException" },
      ],
    ]);
    expect(result.findings.some((f) => f.resourceId === "batch" && !f.ruleId.startsWith("scan."))).toBe(
      false,
    );
  });

  it("names the one version gone of a template read in one call, reading the others on their own", async () => {
    // Prepare: batch now pins version 2 of ledger's template; version 3, which ledger pins, is gone.
    const estate = estateWith(sample, (payments) => {
      nodegroupOf(payments, "batch").launchTemplate = { id: "lt-063f582aadc7a680d", version: "2" };
      payments.ec2.LaunchTemplateVersions = payments.ec2.LaunchTemplateVersions.filter(
        (v) => !(v.LaunchTemplateId === "lt-063f582aadc7a680d" && v.VersionNumber === 3),
      );
    });

    // Act
    const { result, calls, budget } = await scanPayments(estate);

    // Assess
    expect(result.status).toBe("complete");
    // The failed call, then one per version: on this error path only.
    expect(calls).toEqual({
      ...budget,
      "EC2.DescribeLaunchTemplateVersions": (budget["EC2.DescribeLaunchTemplateVersions"] ?? 0) + 2,
    });
    expect(coverage(result)).toEqual([
      [
        "payments-euw1",
        "scan.error",
        "ledger",
        "MEDIUM",
        {
          what: "DescribeLaunchTemplateVersions lt-063f582aadc7a680d version 3",
          errorName: "InvalidLaunchTemplateId.VersionNotFound",
        },
      ],
    ]);
  });

  it("names a node group whose launch template is gone", async () => {
    // Prepare
    const estate = estateWith(sample, (payments) => {
      payments.ec2.LaunchTemplateVersions = payments.ec2.LaunchTemplateVersions.filter(
        (v) => v.LaunchTemplateId !== "lt-05e4cd7b7d05f2b5d",
      );
    });

    // Act
    const { result, calls, budget } = await scanPayments(estate);

    // Assess
    expect(result.status).toBe("complete");
    expect(calls).toEqual(budget);
    expect(coverage(result)).toEqual([
      [
        "payments-euw1",
        "scan.error",
        "web",
        "MEDIUM",
        {
          what: "DescribeLaunchTemplateVersions lt-05e4cd7b7d05f2b5d version 1",
          errorName: "InvalidLaunchTemplateId.NotFound",
        },
      ],
    ]);
  });

  it("takes an instance type the region refuses from the shipped data: the same findings, calls added on that path only", async () => {
    // Prepare
    const refusing = estateWith(
      sample,
      (payments) => {
        payments.ec2.InstanceTypes = [];
      },
      {
        failingCalls: [
          {
            ...PAYMENTS,
            operation: "DescribeInstanceTypes",
            errorCode: "InvalidInstanceType",
            resources: ["m5.large"],
          },
        ],
      },
    );
    const answering = estateWith(sample, (payments) => {
      payments.ec2.InstanceTypes = [];
    });

    // Act
    const reference = await scanPayments(answering);
    await sim?.close();
    const { result, calls, budget } = await scanPayments(refusing);

    // Assess
    expect(result.status).toBe("complete");
    expect(result.unread).toEqual([]);
    expect(coverage(result)).toEqual([]);
    expect(keys(result.findings)).toEqual(keys(reference.result.findings));
    const exhausted = result.findings.find((f) => f.ruleId === "ip.subnet-exhausted");
    expect(JSON.stringify(exhausted?.evidence)).toContain(
      "DescribeInstanceTypes refused m5.large (InvalidInstanceType)",
    );
    // [m5.large m5.xlarge m6i.large] refused → [m5.large m5.xlarge] refused, [m6i.large] → [m5.large] refused, [m5.xlarge].
    expect(calls).toEqual({ ...budget, "EC2.DescribeInstanceTypes": 5 });
  });

  it("names the node groups of an instance type neither the region nor the shipped data knows", async () => {
    // Prepare
    const estate = estateWith(sample, (payments) => {
      nodegroupOf(payments, "batch").instanceTypes = ["x9.mystery"];
    });

    // Act
    const { result } = await scanPayments(estate);

    // Assess
    expect(result.status).toBe("complete");
    expect(coverage(result)).toEqual([
      [
        "payments-euw1",
        "scan.error",
        "batch",
        "MEDIUM",
        { what: "DescribeInstanceTypes x9.mystery", errorName: "InvalidInstanceType" },
      ],
    ]);
  });

  it("hands what could not be read to the reconcile of a complete scan", async () => {
    // Prepare
    const estate = estateWith(sample, () => undefined, {
      failingCalls: [
        { ...PAYMENTS, operation: "DescribeAddon", errorCode: "InternalError", resources: ["payments-euw1"] },
      ],
    });
    sim = await startSimulator({ estate });
    const factory = factoryFor(sim, new CallRecorder());
    const outcomes: ReconcileOutcome[] = [];
    const store = {
      writer: {
        reconcileScope: async (_scope: unknown, _findings: unknown, outcome: ReconcileOutcome) => {
          outcomes.push(outcome);
          return [];
        },
      },
    } as unknown as FindingsStore;
    const notifier: Notifier = { notify: async () => ({ status: "nothing-pending", transitions: 0 }) };

    // Act
    await processScanTask(
      { runId: "run-1", ...PAYMENTS, scheduledAt: "2026-11-25T07:00:00Z" },
      { factory, store, notifier },
    );
    factory.destroy();

    // Assess
    expect(outcomes).toMatchObject([
      {
        status: "complete",
        unread: [
          {
            cluster: "payments-euw1",
            rulePrefixes: ["ip.", "sg.pod-eni-unsupported-instance", "sg.datastore-reachable-by-all-pods"],
            what: "DescribeAddon vpc-cni",
            errorName: "InternalError",
          },
        ],
      },
    ]);
  });
});
