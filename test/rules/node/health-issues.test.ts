import { describe, expect, it } from "vitest";
import { healthIssues } from "#shared/rules/node/health-issues.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { CLUSTER, nodeInventory, REGION } from "./fixtures.ts";

describe("Rule: node.health-issues", () => {
  it("fires once per issue code with its resource ids and a code-specific fix", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "workers",
        status: "DEGRADED",
        issues: [
          {
            code: "NodeCreationFailure",
            message: "Instances failed to join the kubernetes cluster",
            resourceIds: ["i-1"],
          },
          {
            code: "NodeCreationFailure",
            message: "Instances failed to join the kubernetes cluster",
            resourceIds: ["i-2"],
          },
          {
            code: "InsufficientFreeAddresses",
            message: "Subnet has insufficient free addresses",
            resourceIds: ["subnet-1"],
          },
        ],
      },
    ]);

    // Act
    const findings = expectFires(healthIssues, inventory);

    // Assess
    expect(findings.map((f) => [f.resourceId, f.variant, f.severity])).toEqual([
      ["workers", "NodeCreationFailure", "HIGH"],
      ["workers", "InsufficientFreeAddresses", "HIGH"],
    ]);
    const [join, addresses] = findings;
    expect(join?.cluster).toBe(CLUSTER);
    expect(join?.evidence).toMatchObject({
      code: "NodeCreationFailure",
      message: "Instances failed to join the kubernetes cluster",
      resourceIds: ["i-1", "i-2"],
    });
    expect(join?.remediation).toMatch(/443.*10250/);
    expect(join?.remediation).toContain("access entry");
    expect(join?.remediation).toContain(
      `aws eks describe-nodegroup --region ${REGION} --cluster-name ${CLUSTER} --nodegroup-name workers --query nodegroup.health`,
    );
    expect(addresses?.remediation).toMatch(/ip\.subnet-exhausted.*custom networking/);
  });

  it("fires for a DEGRADED node group that reports no issue", async () => {
    // Prepare
    const inventory = await nodeInventory([{ name: "workers", status: "DEGRADED" }]);

    // Act
    const findings = healthIssues.evaluate(inventory);

    // Assess
    expect(findings.map((f) => [f.resourceId, f.variant])).toEqual([["workers", "DEGRADED"]]);
  });

  it("does not fire for a healthy node group", async () => {
    // Prepare
    const inventory = await nodeInventory([{ name: "workers", status: "ACTIVE", issues: [] }]);

    // Act
    const findings = expectQuiet(healthIssues, inventory);

    // Assess
    expect(findings).toEqual([]);
  });
});
