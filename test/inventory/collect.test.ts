import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CallRecorder, scopeKey } from "#shared/aws/call-recorder.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import {
  type Estate,
  type EstateFaults,
  type EstateRegion,
  type FailingCall,
  loadEstateFile,
} from "#shared/estate/index.ts";
import { type Finding, findingKey } from "#shared/findings/index.ts";
import { assembleInventory, SUBNET_HEADROOM_RULES } from "#shared/inventory/assemble.ts";
import { collectInventory, collectRegion } from "#shared/inventory/collect.ts";
import type { Notifier } from "#shared/notify/index.ts";
import { scanAccounts } from "#shared/scan/run.ts";
import { type ScopeResult, scanScope } from "#shared/scan/scan-scope.ts";
import { processScanTask } from "#shared/scan/scan-task.ts";
import type { FindingsStore, ReconcileOutcome } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";
import { inventoryFromEstate } from "#test/support/inventory.ts";
import { SCOPE as CAPACITY, capacityEstate } from "./capacity-estate.ts";

const CALLER = "111122223333";

/**
 * The collector's call budget for one account-region of an estate, counted over the node capacity of every kind
 * the estate holds (its clusters' `CapacityGroup`s, assembled from the estate file without the simulator): one
 * paginated listing per API per region (or per set of cluster VPCs), one describe per cluster / node group /
 * Fargate profile / launch template a capacity group launches, one GetSubnetCidrReservations per subnet of a
 * prefix-delegation capacity group (the API takes one SubnetId), and one more ENI listing each for those
 * subnets and for the Fargate profiles' subnets.
 */
function callBudget(estate: Estate, accountId: string, region: string): Record<string, number> {
  const clusters = estate.accounts[accountId]?.regions[region]?.eks.clusters ?? [];
  if (clusters.length === 0)
    return { "EC2.DescribeSubnets": 1, "EC2.DescribeVpcs": 1, "EKS.ListClusters": 1 };
  const capacity = inventoryFromEstate(estate, accountId, region).clusters.flatMap((c) => c.capacity);
  const templates = new Set(capacity.flatMap((g) => g.launchTemplates.map((lt) => lt.id).filter(Boolean)));
  const pdSubnets = new Set(
    capacity.filter((g) => g.prefixDelegation).flatMap((g) => [...g.subnetIds, ...g.podSubnetIds]),
  );
  const fargateProfiles = clusters.reduce((n, c) => n + (c.fargateProfiles ?? []).length, 0);
  const budget: Record<string, number> = {
    "AutoScaling.DescribeAutoScalingGroups": 1,
    "EC2.DescribeInstanceTypes": 1,
    "EC2.DescribeInstances": 1,
    "EC2.DescribeLaunchTemplates": 1,
    "EC2.DescribeNetworkInterfaces": 1 + (pdSubnets.size > 0 ? 1 : 0) + (fargateProfiles > 0 ? 1 : 0),
    "EC2.DescribeRouteTables": 1,
    "EC2.DescribeSecurityGroups": 2,
    "EC2.DescribeSubnets": 1,
    "EC2.DescribeVpcs": 1,
    "EKS.DescribeAddon": clusters.length,
    "EKS.DescribeCluster": clusters.length,
    "EKS.DescribeNodegroup": clusters.reduce((n, c) => n + c.nodegroups.length, 0),
    "EKS.ListClusters": 1,
    "EKS.ListFargateProfiles": clusters.length,
    "EKS.ListNodegroups": clusters.length,
  };
  if (templates.size > 0) budget["EC2.DescribeLaunchTemplateVersions"] = templates.size;
  if (pdSubnets.size > 0) budget["EC2.GetSubnetCidrReservations"] = pdSubnets.size;
  if (fargateProfiles > 0) budget["EKS.DescribeFargateProfile"] = fargateProfiles;
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
      expect(recorder.forScope(scopeKey(accountId, region)), `${accountId}/${region}`).toEqual(
        callBudget(estate, accountId, region),
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
      const inventory = await collectInventory(await factory.scopeClients(accountId, region));
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
    const budget = callBudget(estate, PAYMENTS.accountId, PAYMENTS.region);
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
      samples: { ofSubnets: async () => new Map(), record: async () => 0 },
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

/** The capacity estate's account-region, collected through the simulator with a recorder. */
async function collectCapacity(estate: Estate) {
  const s = await startSimulator({ estate });
  const recorder = new CallRecorder();
  const factory = new AwsClientFactory({
    runId: "capacity",
    endpoint: s.url,
    homeRegion: CAPACITY.region,
    credentials: async () => ({ accessKeyId: `AKIA${CAPACITY.accountId}TEST`, secretAccessKey: "x" }),
    recorder,
  });
  try {
    const { raw, failures } = await collectRegion(
      await factory.scopeClients(CAPACITY.accountId, CAPACITY.region),
    );
    const inventory = await assembleInventory(CAPACITY, raw, failures);
    return {
      raw,
      failures,
      inventory,
      calls: recorder.forScope(scopeKey(CAPACITY.accountId, CAPACITY.region)),
    };
  } finally {
    factory.destroy();
    await s.close();
  }
}

/**
 * The capacity estate's call budget, written out: clusters prod and auto; one node group, two Fargate profiles
 * listings and one profile; Karpenter's and prod-legacy's templates; prefix delegation (Auto Mode) in auto-a
 * and auto-b; the SGP/ipamd, prefix-delegation-subnet and Fargate ENI listings.
 */
const CAPACITY_BUDGET = {
  "AutoScaling.DescribeAutoScalingGroups": 1,
  "EC2.DescribeInstanceTypes": 1,
  "EC2.DescribeInstances": 1,
  "EC2.DescribeLaunchTemplateVersions": 2,
  "EC2.DescribeLaunchTemplates": 1,
  "EC2.DescribeNetworkInterfaces": 3,
  "EC2.DescribeRouteTables": 1,
  "EC2.DescribeSecurityGroups": 2,
  "EC2.DescribeSubnets": 1,
  "EC2.DescribeVpcs": 1,
  "EC2.GetSubnetCidrReservations": 2,
  "EKS.DescribeAddon": 2,
  "EKS.DescribeCluster": 2,
  "EKS.DescribeFargateProfile": 1,
  "EKS.DescribeNodegroup": 1,
  "EKS.ListClusters": 1,
  "EKS.ListFargateProfiles": 2,
  "EKS.ListNodegroups": 2,
};

describe("Function: collectRegion with node capacity of every kind", () => {
  it("makes the budgeted calls, and no more with 200 more instances", async () => {
    // Prepare
    const small = capacityEstate().estate;
    const large = capacityEstate({ extraKarpenterNodes: 200 }).estate;

    // Act
    const before = await collectCapacity(small);
    const after = await collectCapacity(large);

    // Assess
    const instances = (raw: typeof before.raw) =>
      (raw.ec2.Reservations ?? []).reduce((n, r) => n + (r.Instances ?? []).length, 0);
    expect(before.calls).toEqual(CAPACITY_BUDGET);
    expect(after.calls).toEqual(CAPACITY_BUDGET);
    expect(instances(before.raw)).toBe(5);
    expect(instances(after.raw)).toBe(205);
    expect(before.failures).toEqual([]);
  });

  it("reads every kind: hidden Auto Mode nodes, Karpenter templates, self-managed groups, Fargate pods", async () => {
    // Prepare
    const { estate, ids } = capacityEstate();

    // Act
    const { raw, inventory } = await collectCapacity(estate);

    // Assess
    const instanceIds = (raw.ec2.Reservations ?? []).flatMap((r) =>
      (r.Instances ?? []).map((i) => i.InstanceId),
    );
    expect(instanceIds.sort()).toEqual(Object.values(ids.nodes).sort());
    expect(raw.ec2.LaunchTemplates?.map((t) => t.LaunchTemplateId)).toEqual([ids.karpenterTemplate]);
    // EKS's own group is tagged for the cluster too: read, then left out of the self-managed kind.
    expect(raw.autoscaling?.AutoScalingGroups.map((g) => g.AutoScalingGroupName)).toHaveLength(2);
    expect(raw.ec2.SubnetCidrReservations?.map((r) => r.Cidr)).toEqual(["10.20.4.128/26", "10.20.4.240/28"]);
    const enis = new Set(raw.ec2.NetworkInterfaces.map((n) => n.NetworkInterfaceId));
    for (const eni of [...ids.fargatePodEnis, ids.branchEni]) expect(enis.has(eni), eni).toBe(true);
    expect(
      inventory.clusters.map((c) => [
        c.cluster.name,
        c.capacity.map((g) => `${g.resourceId}:${g.nodes.length}`),
      ]),
    ).toEqual([
      ["prod", ["general:1", "karpenter/default:2", "self-managed/prod-legacy:1", "fargate/fp-batch:2"]],
      ["auto", ["auto-mode/general-purpose:1", "auto-mode/system:0"]],
    ]);
    expect(inventory.unread).toEqual([]);
  });

  it.each<[string, FailingCall[], string[]]>([
    [
      "DescribeInstances denied",
      [{ ...CAPACITY, operation: "DescribeInstances" }],
      ["prod|DescribeInstances|UnauthorizedOperation", "auto|DescribeInstances|UnauthorizedOperation"],
    ],
    [
      "DescribeAutoScalingGroups denied",
      [{ ...CAPACITY, operation: "DescribeAutoScalingGroups" }],
      ["prod|DescribeAutoScalingGroups|AccessDenied", "auto|DescribeAutoScalingGroups|AccessDenied"],
    ],
    [
      "DescribeLaunchTemplates denied",
      [{ ...CAPACITY, operation: "DescribeLaunchTemplates" }],
      [
        "prod|DescribeLaunchTemplates|UnauthorizedOperation",
        "auto|DescribeLaunchTemplates|UnauthorizedOperation",
      ],
    ],
    [
      "ListFargateProfiles denied for prod",
      [
        {
          ...CAPACITY,
          operation: "ListFargateProfiles",
          errorCode: "AccessDeniedException",
          resources: ["prod"],
        },
      ],
      ["prod|ListFargateProfiles|AccessDeniedException"],
    ],
    [
      "DescribeFargateProfile of fp-batch denied",
      [
        {
          ...CAPACITY,
          operation: "DescribeFargateProfile",
          errorCode: "AccessDeniedException",
          resources: ["prod", "fp-batch"],
        },
      ],
      [
        "prod|DescribeFargateProfile fp-batch|AccessDeniedException",
        "prod|DescribeFargateProfile fp-batch|AccessDeniedException",
      ],
    ],
  ])("completes the scope with %s, naming what was not read", async (_name, failingCalls, unread) => {
    // Prepare
    const { estate } = capacityEstate();

    // Act
    const { inventory, calls } = await collectCapacity({ ...estate, faults: { failingCalls } });

    // Assess
    expect(inventory.unread.map((u) => `${u.cluster}|${u.what}|${u.errorName}`)).toEqual(unread);
    // No call is retried or repeated on a failure path: at most the budget, operation by operation.
    for (const [operation, n] of Object.entries(calls))
      expect(n, operation).toBeLessThanOrEqual(
        CAPACITY_BUDGET[operation as keyof typeof CAPACITY_BUDGET] ?? 0,
      );
    expect(inventory.clusters).toHaveLength(2);
  });

  it("costs one subnet's headroom findings when its CIDR reservations cannot be read", async () => {
    // Prepare
    const { estate, ids } = capacityEstate();
    const failingCalls: FailingCall[] = [
      {
        ...CAPACITY,
        operation: "GetSubnetCidrReservations",
        errorCode: "InternalError",
        resources: [ids.subnets.autoA],
      },
    ];

    // Act
    const { inventory } = await collectCapacity({ ...estate, faults: { failingCalls } });

    // Assess
    expect(inventory.unread).toEqual([
      {
        cluster: "auto",
        resourceId: ids.subnets.autoA,
        rulePrefixes: SUBNET_HEADROOM_RULES,
        what: `GetSubnetCidrReservations ${ids.subnets.autoA}`,
        errorName: "InternalError",
      },
    ]);
    expect(inventory.subnetCidrReservations).toEqual([]);
  });
});
