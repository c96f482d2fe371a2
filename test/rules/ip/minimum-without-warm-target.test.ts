import { describe, expect, it } from "vitest";
import { minimumWithoutWarmTarget } from "#shared/rules/ip/minimum-without-warm-target.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { healthySpec, inventoryOf } from "./fixtures.ts";

describe("Rule: ip.minimum-without-warm-target", () => {
  it("fires when MINIMUM_IP_TARGET is set without WARM_IP_TARGET", () => {
    // Prepare
    const spec = healthySpec({ configurationValues: '{"env":{"MINIMUM_IP_TARGET":"10"}}' });

    // Act
    const findings = expectFires(minimumWithoutWarmTarget, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: "prod",
      ruleId: "ip.minimum-without-warm-target",
      resourceId: "prod",
      severity: "MEDIUM",
    });
    expect(findings[0]?.detail).toContain("MINIMUM_IP_TARGET=10 without WARM_IP_TARGET");
    expect(findings[0]?.detail).toContain("pod 11 on a node stays in ContainerCreating");
    expect(findings[0]?.detail).toContain(
      "Node group batch (m5.xlarge, maxPods 58) can leave up to 46 pods per node without an IP.",
    );
    expect(findings[0]?.remediation).toBe(
      `aws eks update-addon --cluster-name prod --addon-name vpc-cni --configuration-values '{"env":{"MINIMUM_IP_TARGET":"10","WARM_IP_TARGET":"2"}}' --region eu-west-1`,
    );
    expect(findings[0]?.evidence).toMatchObject({
      minimumIpTarget: 10,
      podsThatGetAnIpPerNode: 10,
      nodegroups: expect.arrayContaining([
        { nodegroup: "web", instanceType: "m5.large", maxPods: 29, podsBeyondPool: 17 },
      ]),
    });
  });

  it("fires when WARM_IP_TARGET is 0, which ipamd reads as unset", () => {
    // Prepare
    const spec = healthySpec({
      configurationValues: "env:\n  WARM_IP_TARGET: '0'\n  MINIMUM_IP_TARGET: '20'\n",
    });

    // Act
    const findings = minimumWithoutWarmTarget.evaluate(inventoryOf(spec));

    // Assess
    expect(findings.map((f) => f.resourceId)).toEqual(["prod"]);
  });

  it("does not fire with both targets, or with neither", () => {
    // Act
    const both = minimumWithoutWarmTarget.evaluate(
      inventoryOf(
        healthySpec({ configurationValues: '{"env":{"MINIMUM_IP_TARGET":"10","WARM_IP_TARGET":"2"}}' }),
      ),
    );
    const neither = expectQuiet(minimumWithoutWarmTarget, inventoryOf(healthySpec()));

    // Assess
    expect(both).toEqual([]);
    expect(neither).toEqual([]);
  });
});
