import { describe, expect, it } from "vitest";
import { subnetNearlyFull } from "#shared/rules/ip/subnet-nearly-full.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { healthySpec, inventoryOf, subnet, tightSpec } from "./fixtures.ts";

describe("Rule: ip.subnet-nearly-full", () => {
  it("HIGH when the node group cannot reach maxSize at launch cost", () => {
    // Act
    const findings = expectFires(subnetNearlyFull, inventoryOf(tightSpec()));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: "prod",
      ruleId: "ip.subnet-nearly-full",
      resourceId: "subnet-0tight",
      severity: "HIGH",
    });
    expect(findings[0]?.detail).toBe(
      "subnet-0tight (eu-west-1a) has 151 free IPs (60.2% of 251): 7 more m5.large nodes fit at launch cost " +
        "(20 IPs each), 5 when full (30 each); node group web wants to grow by 10 (desired 2, max 12).",
    );
    expect(findings[0]?.remediation).toContain(
      `aws eks update-addon --cluster-name prod --addon-name vpc-cni --configuration-values '{"env":{"WARM_IP_TARGET":"2","MINIMUM_IP_TARGET":"9"}}' --region eu-west-1`,
    );
    expect(findings[0]?.evidence).toMatchObject({
      availableIps: 151,
      nodegroups: [
        {
          nodegroup: "web",
          launchCost: { ips: 20 },
          fullCost: { ips: 30 },
          nodesThatFitAtLaunch: 7,
          nodesThatFitAtFull: 5,
        },
      ],
      cni: { source: "defaults", assumed: true },
    });
  });

  it("HIGH when fewer than 3 nodes fit at launch cost, even at maxSize", () => {
    // Prepare
    const spec = tightSpec({}, { desired: 2, max: 2 });
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 55);

    // Act
    const findings = subnetNearlyFull.evaluate(inventoryOf(spec));

    // Assess
    expect(findings.map((f) => f.severity)).toEqual(["HIGH"]);
    expect(findings[0]?.evidence).toMatchObject({ reasons: ["fewer than 3 nodes fit at launch cost"] });
  });

  it("MEDIUM when maxSize is reachable at launch cost but not once the nodes fill up", () => {
    // Prepare: 3 × 7 = 21 ≥ 17 at launch, 3 × 5 = 15 < 17 when full.
    const ids = ["subnet-0a24", "subnet-0b24", "subnet-0c24"];
    const spec = tightSpec({}, { subnets: ids, desired: 3, max: 20 });
    spec.subnets.push(
      subnet("subnet-0a24", "10.0.10.0/24", "eu-west-1a", 151),
      subnet("subnet-0b24", "10.0.11.0/24", "eu-west-1b", 151),
      subnet("subnet-0c24", "10.0.12.0/24", "eu-west-1c", 151),
    );

    // Act
    const findings = subnetNearlyFull.evaluate(inventoryOf(spec));

    // Assess
    expect(findings.map((f) => [f.resourceId, f.severity])).toEqual([
      ["subnet-0a24", "MEDIUM"],
      ["subnet-0b24", "MEDIUM"],
      ["subnet-0c24", "MEDIUM"],
    ]);
    expect(findings[0]?.detail).toContain("across its 3 subnets it can add 21 at launch cost, 15 when full");
  });

  it("MEDIUM when only less than 15 % of the subnet is free", () => {
    // Prepare: /22 = 1019 usable, 140 free = 13.7 %.
    const spec = tightSpec({}, { desired: 2, max: 4 });
    spec.subnets[0] = subnet("subnet-0tight", "10.0.4.0/22", "eu-west-1a", 140);

    // Act
    const findings = subnetNearlyFull.evaluate(inventoryOf(spec));

    // Assess
    expect(findings.map((f) => f.severity)).toEqual(["MEDIUM"]);
    expect(findings[0]?.evidence).toMatchObject({
      freePercent: 13.7,
      reasons: ["only 13.7% of the subnet is free"],
    });
  });

  it("costs a node group with several instance types at its most expensive type", () => {
    // Prepare
    const spec = tightSpec({}, { instanceTypes: ["m5.large", "m5.2xlarge"] });

    // Act
    const [finding] = subnetNearlyFull.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.detail).toContain("5 more m5.2xlarge nodes fit at launch cost (30 IPs each)");
    expect(finding?.evidence).toMatchObject({
      nodegroups: [
        { instanceType: "m5.2xlarge", instanceTypeNote: "most expensive of m5.large, m5.2xlarge at launch" },
      ],
    });
  });

  it("says whether the CNI settings were read", () => {
    // Prepare
    const spec = tightSpec({ configurationValues: '{"env":{"WARM_ENI_TARGET":"1"}}' });

    // Act
    const [finding] = subnetNearlyFull.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.evidence).toMatchObject({ cni: { source: "configurationValues", assumed: false } });
  });

  it("does not double-report a subnet that is exhausted", () => {
    // Prepare
    const spec = tightSpec();
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 15);

    // Act
    const findings = subnetNearlyFull.evaluate(inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire on roomy subnets", () => {
    // Act
    const findings = subnetNearlyFull.evaluate(inventoryOf(healthySpec()));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire with WARM_IP_TARGET/MINIMUM_IP_TARGET that make the same subnet roomy enough", () => {
    // Prepare: 151 / 10 = 15 launches ≥ 10 wanted; full 5 × 1 < 10 would still be MEDIUM, so ask for 4 only.
    const spec = tightSpec(
      { configurationValues: '{"env":{"WARM_IP_TARGET":"2","MINIMUM_IP_TARGET":"9"}}' },
      { desired: 2, max: 6 },
    );

    // Act
    const findings = expectQuiet(subnetNearlyFull, inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });
});
