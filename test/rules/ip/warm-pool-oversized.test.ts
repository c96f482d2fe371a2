import { describe, expect, it } from "vitest";
import { warmPoolOversized } from "#shared/rules/ip/warm-pool-oversized.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { healthySpec, inventoryOf, tightSpec } from "./fixtures.ts";

describe("Rule: ip.warm-pool-oversized", () => {
  it("fires on the default warm ENI pool in a subnet under pressure", () => {
    // Act
    const findings = expectFires(warmPoolOversized, inventoryOf(tightSpec()));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: "prod",
      ruleId: "ip.warm-pool-oversized",
      resourceId: "web",
      severity: "LOW",
    });
    expect(findings[0]?.detail).toContain("fit 7 more nodes");
    expect(findings[0]?.detail).toContain(
      "WARM_IP_TARGET=2 and MINIMUM_IP_TARGET=9 a node takes 10 IPs at launch and 15 fit",
    );
    expect(findings[0]?.remediation).toContain(
      `--configuration-values '{"env":{"WARM_IP_TARGET":"2","MINIMUM_IP_TARGET":"9"}}'`,
    );
    expect(findings[0]?.evidence).toMatchObject({
      nodesThatFitNow: 7,
      nodesThatFitWithWarmIpTarget: 15,
      launchCostNow: { ips: 20 },
      launchCostWithWarmIpTarget: { ips: 10 },
    });
  });

  it("merges the suggestion into the add-on's other configurationValues", () => {
    // Prepare
    const spec = tightSpec({
      configurationValues: "env:\n  AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true'\nnodeAgent:\n  enabled: 'false'\n",
    });

    // Act
    const [finding] = warmPoolOversized.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.remediation).toContain(
      `'{"env":{"AWS_VPC_K8S_CNI_EXTERNALSNAT":"true","WARM_IP_TARGET":"2","MINIMUM_IP_TARGET":"9"},"nodeAgent":{"enabled":"false"}}'`,
    );
  });

  it("does not fire when WARM_IP_TARGET is already set", () => {
    // Prepare
    const spec = tightSpec({ configurationValues: '{"env":{"WARM_IP_TARGET":"1","MINIMUM_IP_TARGET":"5"}}' });

    // Act
    const findings = warmPoolOversized.evaluate(inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire with prefix delegation", () => {
    // Prepare
    const spec = tightSpec({ configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}' });

    // Act
    const findings = warmPoolOversized.evaluate(inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire when the subnets are not under pressure", () => {
    // Act
    const findings = expectQuiet(warmPoolOversized, inventoryOf(healthySpec()));

    // Assess
    expect(findings).toEqual([]);
  });
});
