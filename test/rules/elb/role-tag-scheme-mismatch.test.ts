import { describe, expect, it } from "vitest";
import { roleTagSchemeMismatch } from "#shared/rules/elb/role-tag-scheme-mismatch.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { CLUSTER, healthySpec, inventoryOf, REGION, subnet } from "./fixtures.ts";

function withTags(id: string, tags: Record<string, string>) {
  const spec = healthySpec();
  spec.subnets = spec.subnets.map((s) =>
    s.SubnetId === id ? subnet({ id, az: s.AvailabilityZone ?? "", tags }) : s,
  );
  return inventoryOf(spec);
}

describe("Rule: elb.role-tag-scheme-mismatch", () => {
  it("fires for kubernetes.io/role/elb on a subnet whose default route goes to a NAT gateway", () => {
    // Prepare
    const inventory = withTags("subnet-0prv2", { "kubernetes.io/role/elb": "1" });

    // Act
    const findings = expectFires(roleTagSchemeMismatch, inventory);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: CLUSTER,
      resourceId: "subnet-0prv2",
      severity: "MEDIUM",
      evidence: { problems: ["elb-on-private-subnet"], reachability: "private", defaultRoute: "nat-0a1" },
    });
    expect(findings[0]?.detail).toContain("rtb-private has no route to an internet gateway");
    expect(findings[0]?.remediation).toBe(
      `aws ec2 delete-tags --resources subnet-0prv2 --tags Key=kubernetes.io/role/elb --region ${REGION} && aws ec2 create-tags --resources subnet-0prv2 --tags Key=kubernetes.io/role/internal-elb,Value=1 --region ${REGION}`,
    );
  });

  it("fires for internal-elb on a public subnet", () => {
    // Prepare
    const inventory = withTags("subnet-0pub0", { "kubernetes.io/role/internal-elb": "1" });

    // Act
    const findings = roleTagSchemeMismatch.evaluate(inventory);

    // Assess
    expect(findings.map((f) => f.evidence.problems)).toEqual([["internal-elb-on-public-subnet"]]);
  });

  it("fires for both role tags on one subnet", () => {
    // Prepare
    const inventory = withTags("subnet-0pub1", {
      "kubernetes.io/role/elb": "1",
      "kubernetes.io/role/internal-elb": "",
    });

    // Act
    const findings = roleTagSchemeMismatch.evaluate(inventory);

    // Assess
    expect(findings[0]?.evidence.problems).toEqual(["internal-elb-on-public-subnet", "both-role-tags"]);
    expect(findings[0]?.remediation).toBe(
      `aws ec2 delete-tags --resources subnet-0pub1 --tags Key=kubernetes.io/role/internal-elb --region ${REGION}`,
    );
  });

  it("does not fire when each role tag sits on a subnet of the matching reachability", () => {
    // Act
    const findings = expectQuiet(roleTagSchemeMismatch, inventoryOf(healthySpec()));

    // Assess
    expect(findings).toEqual([]);
  });
});
