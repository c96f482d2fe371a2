import { beforeAll, describe, expect, it } from "vitest";
import { evaluateRules } from "#shared/catalog/index.ts";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import { type Finding, findingKey, isAboutUnread } from "#shared/findings/index.ts";
import { assembleInventory, CNI_SETTINGS_RULES, SUBNET_HEADROOM_RULES } from "#shared/inventory/assemble.ts";
import type { RawRegion, ReadFailure } from "#shared/inventory/types.ts";
import { clusterHeadroom } from "#shared/models/ip-headroom/headroom.ts";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";
import { rawRegionOf } from "#test/support/inventory.ts";

const PAYMENTS = { accountId: "222233334444", region: "eu-west-1" };
const TOOLS = { accountId: "111122223333", region: "us-east-1" };

let estate: Estate;

beforeAll(async () => {
  estate = await loadEstateFile(SAMPLE_ESTATE);
});

/** A private copy of one account-region of the sample estate, as raw API results. */
function raw(scope: { accountId: string; region: string }): RawRegion {
  return structuredClone(rawRegionOf(estate.accounts[scope.accountId]?.regions[scope.region]));
}

function clusterOf(region: RawRegion, name: string) {
  const c = region.eks.clusters.find((x) => x.cluster.name === name);
  if (!c) throw new Error(`no cluster ${name}`);
  return c;
}

function keys(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${findingKey(f)}#${f.severity}`).sort();
}

const stored = (cluster: string, ruleId: string, resourceId: string) => ({ cluster, ruleId, resourceId });

describe("Function: assembleInventory", () => {
  describe("a cluster's VPC", () => {
    it("derives it from the cluster's subnets when resourcesVpcConfig.vpcId is missing: the same findings", async () => {
      // Prepare
      const withVpc = raw(TOOLS);
      const withoutVpc = raw(TOOLS);
      for (const c of withoutVpc.eks.clusters) {
        if (c.cluster.resourcesVpcConfig) delete c.cluster.resourcesVpcConfig.vpcId;
      }

      // Act
      const given = await assembleInventory(TOOLS, withVpc);
      const derived = await assembleInventory(TOOLS, withoutVpc);

      // Assess
      expect(derived.clusters.map((c) => c.vpcId)).toEqual([
        "vpc-001c823c20483cd76",
        "vpc-04901484317cf5b30",
        "vpc-01e4db2fa95968d0b",
      ]);
      expect(keys(evaluateRules(derived))).toEqual(keys(evaluateRules(given)));
      expect(evaluateRules(derived).some((f) => f.ruleId === "elb.no-eligible-subnet")).toBe(true);
    });

    it("falls back to the node groups' subnets, and leaves it unknown when the subnets do not tell", async () => {
      // Prepare
      const region = raw(TOOLS);
      const [edge, tools] = region.eks.clusters;
      if (!edge?.cluster.resourcesVpcConfig || !tools?.cluster.resourcesVpcConfig) throw new Error("sample");
      edge.cluster.resourcesVpcConfig = { subnetIds: ["subnet-0notinventoried"] };
      // One subnet of each cluster VPC: they disagree.
      tools.cluster.resourcesVpcConfig = {
        subnetIds: ["subnet-0716af457925ecea0", "subnet-0de1fde353f1ff8c5"],
      };
      for (const ng of tools.nodegroups) ng.subnets = [];

      // Act
      const inventory = await assembleInventory(TOOLS, region);

      // Assess
      // storefront-use1 keeps its own VPC.
      expect(inventory.clusters.map((c) => c.vpcId)).toEqual([
        "vpc-001c823c20483cd76",
        undefined,
        "vpc-01e4db2fa95968d0b",
      ]);
    });
  });

  describe("an unreadable vpc-cni add-on", () => {
    it("assumes the CNI defaults, names the error in the evidence, and leaves the cluster's CNI findings unread", async () => {
      // Prepare: the collector read no add-on for payments-euw1.
      const region = raw(PAYMENTS);
      clusterOf(region, "payments-euw1").addons = [];
      const failures: ReadFailure[] = [
        {
          operation: "DescribeAddon",
          cluster: "payments-euw1",
          addonName: "vpc-cni",
          errorName: "AccessDeniedException",
        },
      ];

      // Act
      const inventory = await assembleInventory(PAYMENTS, region, failures);
      const findings = evaluateRules(inventory);

      // Assess
      const [payments] = inventory.clusters;
      expect(payments?.cni).toMatchObject({ source: "defaults", assumed: true });
      expect(payments?.cni.error).toMatch(/AccessDeniedException/);
      expect(inventory.unread).toEqual([
        {
          cluster: "payments-euw1",
          rulePrefixes: CNI_SETTINGS_RULES,
          what: "DescribeAddon vpc-cni",
          errorName: "AccessDeniedException",
        },
      ]);
      const usingCni = findings.filter(
        (f) => f.ruleId.startsWith("ip.") || f.ruleId === "sg.datastore-reachable-by-all-pods",
      );
      expect(usingCni.map((f) => f.ruleId)).toEqual(
        expect.arrayContaining(["ip.subnet-exhausted", "sg.datastore-reachable-by-all-pods"]),
      );
      for (const f of usingCni.filter((x) => x.ruleId !== "ip.cluster-subnet-low"))
        expect(JSON.stringify(f.evidence), f.ruleId).toContain(
          "DescribeAddon vpc-cni failed with AccessDeniedException",
        );
      expect(findings.filter((f) => f.ruleId.startsWith("scan."))).toMatchObject([
        {
          cluster: "payments-euw1",
          ruleId: "scan.access-denied",
          severity: "HIGH",
          resourceId: "payments-euw1",
        },
      ]);
      const unread = inventory.unread;
      expect(
        isAboutUnread(stored("payments-euw1", "ip.subnet-nearly-full", "subnet-022915e597c2e46bb"), unread),
      ).toBe(true);
      expect(isAboutUnread(stored("payments-euw1", "sg.pod-eni-unsupported-instance", "web"), unread)).toBe(
        true,
      );
      expect(isAboutUnread(stored("payments-euw1", "node.system-reserved-missing", "batch"), unread)).toBe(
        false,
      );
      expect(isAboutUnread(stored("payments-euw1", "sg.node-world-ingress", "web"), unread)).toBe(false);
    });

    it("turns prefix delegation off in what is fetched and assessed, so prefix findings are kept, not resolved", async () => {
      // Prepare: tools-use1 runs prefix delegation; its add-on could not be read.
      const region = raw(TOOLS);
      clusterOf(region, "tools-use1").addons = [];
      const failures: ReadFailure[] = [
        {
          operation: "DescribeAddon",
          cluster: "tools-use1",
          addonName: "vpc-cni",
          errorName: "ThrottlingException",
        },
      ];

      // Act
      const inventory = await assembleInventory(TOOLS, region, failures);
      const findings = evaluateRules(inventory);

      // Assess
      expect(findings.some((f) => f.ruleId === "ip.prefix-fragmentation")).toBe(false);
      expect(findings.filter((f) => f.ruleId.startsWith("scan."))).toMatchObject([
        { cluster: "tools-use1", ruleId: "scan.error", severity: "MEDIUM", resourceId: "tools-use1" },
      ]);
      expect(
        isAboutUnread(
          stored("tools-use1", "ip.prefix-fragmentation", "subnet-078543a5fc5b02081"),
          inventory.unread,
        ),
      ).toBe(true);
      expect(
        isAboutUnread(stored("edge-use1", "ip.minimum-without-warm-target", "edge-use1"), inventory.unread),
      ).toBe(false);
    });
  });

  describe("a node group deleted between ListNodegroups and DescribeNodegroup", () => {
    it("gives the node group a coverage finding and keeps its findings and the headroom findings of the cluster", async () => {
      // Prepare
      const region = raw(PAYMENTS);
      const payments = clusterOf(region, "payments-euw1");
      payments.nodegroups = payments.nodegroups.filter((ng) => ng.nodegroupName !== "batch");
      const failures: ReadFailure[] = [
        {
          operation: "DescribeNodegroup",
          cluster: "payments-euw1",
          nodegroup: "batch",
          errorName: "ResourceNotFoundException",
        },
      ];

      // Act
      const inventory = await assembleInventory(PAYMENTS, region, failures);
      const findings = evaluateRules(inventory);

      // Assess
      expect(findings.filter((f) => f.ruleId.startsWith("scan."))).toMatchObject([
        {
          cluster: "payments-euw1",
          ruleId: "scan.error",
          severity: "MEDIUM",
          resourceId: "batch",
          evidence: { what: "DescribeNodegroup batch", errorName: "ResourceNotFoundException" },
        },
      ]);
      const unread = inventory.unread;
      expect(isAboutUnread(stored("payments-euw1", "sg.ssh-open-to-world", "batch"), unread)).toBe(true);
      expect(
        isAboutUnread(stored("payments-euw1", "ip.subnet-exhausted", "subnet-0b77d8ae74febc74e"), unread),
      ).toBe(true);
      expect(
        isAboutUnread(
          stored("payments-euw1", "sg.datastore-reachable-by-all-pods", "sg-0838c67f98818da55"),
          unread,
        ),
      ).toBe(true);
      expect(isAboutUnread(stored("payments-euw1", "sg.node-world-ingress", "web"), unread)).toBe(false);
      expect(
        isAboutUnread(stored("payments-euw1", "ip.cluster-subnet-low", "subnet-09b320d41e9818de4"), unread),
      ).toBe(false);
    });
  });

  describe("a launch template version that is gone", () => {
    it("keeps the node group's findings; its subnets' headroom too when its instance type came from the template", async () => {
      // Prepare: builders-custom takes c5.2xlarge from lt-04afee755148d73c6 v1; ci-runners names m5.large itself.
      const region = raw(TOOLS);
      const gone = new Set(["lt-04afee755148d73c6", "lt-0c3e170bcce2b7d04"]);
      region.ec2.LaunchTemplateVersions = region.ec2.LaunchTemplateVersions.filter(
        (v) => !gone.has(v.LaunchTemplateId ?? ""),
      );
      const failures: ReadFailure[] = [
        {
          operation: "DescribeLaunchTemplateVersions",
          launchTemplateId: "lt-04afee755148d73c6",
          version: "1",
          errorName: "InvalidLaunchTemplateId.VersionNotFound",
        },
        {
          operation: "DescribeLaunchTemplateVersions",
          launchTemplateId: "lt-0c3e170bcce2b7d04",
          version: "2",
          errorName: "InvalidLaunchTemplateId.NotFound",
        },
      ];

      // Act
      const inventory = await assembleInventory(TOOLS, region, failures);
      const findings = evaluateRules(inventory);

      // Assess
      const coverage = findings.filter((f) => f.ruleId.startsWith("scan."));
      expect(coverage.map((f) => [f.cluster, f.ruleId, f.resourceId, f.severity])).toEqual([
        ["tools-use1", "scan.error", "builders-custom", "MEDIUM"],
        ["tools-use1", "scan.error", "ci-runners", "MEDIUM"],
      ]);
      expect(coverage[0]?.title).toContain("lt-04afee755148d73c6 version 1");
      expect(coverage[0]?.remediation).toContain("update-nodegroup-version");
      const unread = inventory.unread;
      expect(unread).toContainEqual({
        cluster: "tools-use1",
        resourceId: "subnet-0de1fde353f1ff8c5",
        rulePrefixes: SUBNET_HEADROOM_RULES,
        what: "DescribeLaunchTemplateVersions lt-04afee755148d73c6 version 1",
        errorName: "InvalidLaunchTemplateId.VersionNotFound",
      });
      // ci-runners names its own instance type: its subnet's numbers did not rest on the template.
      expect(unread.some((u) => u.resourceId === "subnet-078543a5fc5b02081")).toBe(false);
      expect(
        isAboutUnread(stored("tools-use1", "node.partial-eviction-override", "ci-runners"), unread),
      ).toBe(true);
      expect(
        isAboutUnread(stored("tools-use1", "node.kube-reserved-disabled", "platform-agents"), unread),
      ).toBe(false);
      const headroom = clusterHeadroom(inventory).find((c) => c.cluster === "tools-use1");
      expect(headroom?.skipped).toContainEqual({
        nodegroup: "builders-custom",
        reason: expect.stringContaining("lt-04afee755148d73c6 version 1 was not read"),
      });
    });
  });

  describe("an instance type the region does not know", () => {
    it("uses the shipped instance data, says so in the evidence, and leaves nothing unread", async () => {
      // Prepare: batch runs m5.large; DescribeInstanceTypes refused it.
      const region = raw(PAYMENTS);
      const reference = await assembleInventory(PAYMENTS, raw(PAYMENTS));
      region.ec2.InstanceTypes = region.ec2.InstanceTypes.filter((t) => t.InstanceType !== "m5.large");
      const failures: ReadFailure[] = [
        { operation: "DescribeInstanceTypes", instanceType: "m5.large", errorName: "InvalidInstanceType" },
      ];

      // Act
      const inventory = await assembleInventory(PAYMENTS, region, failures);
      const findings = evaluateRules(inventory);

      // Assess
      expect(inventory.unread).toEqual([]);
      expect(inventory.instanceTypesFromShippedData).toEqual({ "m5.large": "InvalidInstanceType" });
      const exhausted = findings.find(
        (f) => f.ruleId === "ip.subnet-exhausted" && f.resourceId === "subnet-0b77d8ae74febc74e",
      );
      expect(JSON.stringify(exhausted?.evidence)).toContain(
        "DescribeInstanceTypes refused m5.large (InvalidInstanceType): limits from the shipped instance data",
      );
      expect(keys(findings)).toEqual(keys(evaluateRules(reference)));
    });

    it("leaves the node groups using it unread when the shipped data lacks it too", async () => {
      // Prepare
      const region = raw(PAYMENTS);
      const batch = clusterOf(region, "payments-euw1").nodegroups.find((ng) => ng.nodegroupName === "batch");
      if (batch) batch.instanceTypes = ["x9.mystery"];
      const failures: ReadFailure[] = [
        { operation: "DescribeInstanceTypes", instanceType: "x9.mystery", errorName: "InvalidInstanceType" },
      ];

      // Act
      const inventory = await assembleInventory(PAYMENTS, region, failures);
      const findings = evaluateRules(inventory);

      // Assess
      expect(findings.filter((f) => f.ruleId.startsWith("scan."))).toMatchObject([
        { ruleId: "scan.error", resourceId: "batch", severity: "MEDIUM", variant: "DescribeInstanceTypes" },
      ]);
      expect(
        isAboutUnread(stored("payments-euw1", "ip.warm-pool-oversized", "batch"), inventory.unread),
      ).toBe(true);
      expect(
        isAboutUnread(
          stored("payments-euw1", "ip.subnet-exhausted", "subnet-0b77d8ae74febc74e"),
          inventory.unread,
        ),
      ).toBe(true);
      expect(isAboutUnread(stored("payments-euw1", "sg.ssh-open-to-world", "batch"), inventory.unread)).toBe(
        false,
      );
    });
  });

  it("reads nothing as unread when every call answered", async () => {
    // Act
    const inventory = await assembleInventory(PAYMENTS, raw(PAYMENTS));

    // Assess
    expect(inventory.unread).toEqual([]);
    expect(evaluateRules(inventory).filter((f) => f.ruleId.startsWith("scan."))).toEqual([]);
  });
});
