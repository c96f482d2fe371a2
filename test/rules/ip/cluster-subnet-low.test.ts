import { describe, expect, it } from "vitest";
import { clusterSubnetLow } from "#shared/rules/ip/cluster-subnet-low.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { healthySpec, inventoryOf, subnet } from "./fixtures.ts";

function specWithControlPlane(available: [number, number]) {
  const spec = healthySpec({ subnets: ["subnet-0cpa", "subnet-0cpb"] });
  spec.subnets.push(
    subnet("subnet-0cpa", "10.0.250.0/28", "eu-west-1a", available[0]),
    subnet("subnet-0cpb", "10.0.250.16/28", "eu-west-1b", available[1]),
  );
  return spec;
}

describe("Rule: ip.cluster-subnet-low", () => {
  it("HIGH below 5 free IPs: control-plane upgrades fail", () => {
    // Act
    const findings = expectFires(clusterSubnetLow, inventoryOf(specWithControlPlane([3, 11])));

    // Assess
    expect(findings.map((f) => [f.resourceId, f.severity])).toEqual([
      ["subnet-0cpa", "HIGH"],
      ["subnet-0cpb", "MEDIUM"],
    ]);
    expect(findings[0]).toMatchObject({ cluster: "prod", ruleId: "ip.cluster-subnet-low" });
    expect(findings[0]?.detail).toBe(
      "subnet-0cpa (eu-west-1a), a control-plane subnet of cluster prod, has 3 free IPs: EKS needs up to 5 free IPs " +
        "in each cluster subnet for control-plane ENIs: the next Kubernetes version upgrade can fail.",
    );
    expect(findings[0]?.remediation).toContain(
      "aws eks update-cluster-config --name prod --resources-vpc-config subnetIds=NEW_SUBNET_ID --region eu-west-1",
    );
    expect(findings[0]?.evidence).toMatchObject({ availableIps: 3, requiredForUpgrade: 5, recommended: 16 });
  });

  it("does not fire with 16 or more free IPs", () => {
    // Act
    const findings = clusterSubnetLow.evaluate(inventoryOf(specWithControlPlane([16, 11])));
    const healthy = expectQuiet(clusterSubnetLow, inventoryOf(healthySpec()));

    // Assess
    expect(findings.map((f) => f.resourceId)).toEqual(["subnet-0cpb"]);
    expect(findings[0]?.remediation).toContain("subnetIds=subnet-0cpa,NEW_SUBNET_ID");
    expect(healthy).toEqual([]);
  });
});
