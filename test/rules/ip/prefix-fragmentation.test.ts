import { describe, expect, it } from "vitest";
import { prefixFragmentation } from "#shared/rules/ip/prefix-fragmentation.ts";
import { subnetNearlyFull } from "#shared/rules/ip/subnet-nearly-full.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { type EstateSpec, eni, inventoryOf, subnet, tightSpec } from "./fixtures.ts";

const PD = '{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1"}}';

/** 14 ENIs of one address each: one in every /28 block that is not already reserved. */
function scattered(): ReturnType<typeof eni>[] {
  return Array.from({ length: 14 }, (_, i) =>
    eni(`eni-0s${i}`, "subnet-0tight", [`10.0.1.${16 * (i + 1) + 5}`]),
  );
}

/** The same 14 addresses packed at the start of the subnet. */
function packed(): ReturnType<typeof eni>[] {
  return Array.from({ length: 14 }, (_, i) => eni(`eni-0p${i}`, "subnet-0tight", [`10.0.1.${4 + i}`]));
}

function pdSpec(networkInterfaces: ReturnType<typeof eni>[], configurationValues = PD): EstateSpec {
  const spec = tightSpec({ configurationValues }, { desired: 2, max: 3 });
  spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 237);
  spec.networkInterfaces = networkInterfaces;
  return spec;
}

describe("Rule: ip.prefix-fragmentation", () => {
  it("fires when the addresses would hold a node but no /28 block is free", () => {
    // Act
    const findings = expectFires(prefixFragmentation, inventoryOf(pdSpec(scattered())));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: "prod",
      ruleId: "ip.prefix-fragmentation",
      resourceId: "subnet-0tight",
      severity: "MEDIUM",
    });
    expect(findings[0]?.detail).toBe(
      "subnet-0tight (eu-west-1a) has 237 free IPs (94.4% of 251) but only 0 free aligned /28 blocks: one more " +
        "m5.large node of node group web needs 2 /28 prefixes at launch (prefix delegation), so its pods get no IP " +
        "(InsufficientCidrBlocks).",
    );
    expect(findings[0]?.remediation).toContain(
      "aws ec2 create-subnet-cidr-reservation --subnet-id subnet-0tight",
    );
    expect(findings[0]?.evidence).toMatchObject({
      availableIps: 237,
      freeAlignedPrefixBlocks: 0,
      prefixesPerNodeAtLaunch: 2,
      networkInterfacesSeen: 14,
      blockCountComplete: true,
    });
  });

  it("is the only finding on that subnet (not also nearly full)", () => {
    // Act
    const findings = subnetNearlyFull.evaluate(inventoryOf(pdSpec(scattered())));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire when the used addresses are packed", () => {
    // Act
    const findings = prefixFragmentation.evaluate(inventoryOf(pdSpec(packed())));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire without prefix delegation", () => {
    // Act
    const findings = expectQuiet(prefixFragmentation, inventoryOf(pdSpec(scattered(), '{"env":{}}')));

    // Assess
    expect(findings).toEqual([]);
  });
});
