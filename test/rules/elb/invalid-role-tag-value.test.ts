import { describe, expect, it } from "vitest";
import { invalidRoleTagValue } from "#shared/rules/elb/invalid-role-tag-value.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { CLUSTER, healthySpec, inventoryOf, REGION, subnet } from "./fixtures.ts";

function withTags(id: string, tags: Record<string, string>) {
  const spec = healthySpec();
  spec.subnets = spec.subnets.map((s) =>
    s.SubnetId === id ? subnet({ id, az: s.AvailabilityZone ?? "", tags }) : s,
  );
  return inventoryOf(spec);
}

describe("Rule: elb.invalid-role-tag-value", () => {
  it('fires for kubernetes.io/role/internal-elb="true" on a private subnet', () => {
    // Prepare
    const inventory = withTags("subnet-0prv1", { "kubernetes.io/role/internal-elb": "true" });

    // Act
    const findings = expectFires(invalidRoleTagValue, inventory);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: CLUSTER,
      resourceId: "subnet-0prv1",
      severity: "MEDIUM",
      evidence: { invalidTags: { "kubernetes.io/role/internal-elb": "true" }, reachability: "private" },
    });
    expect(findings[0]?.detail).toContain('kubernetes.io/role/internal-elb="true"');
    expect(findings[0]?.remediation).toBe(
      `aws ec2 create-tags --resources subnet-0prv1 --tags Key=kubernetes.io/role/internal-elb,Value=1 --region ${REGION}`,
    );
  });

  it("suggests the right key when the invalid tag also names the wrong scheme", () => {
    // Prepare
    const inventory = withTags("subnet-0prv1", { "kubernetes.io/role/elb": "yes" });

    // Act
    const findings = invalidRoleTagValue.evaluate(inventory);

    // Assess
    expect(findings[0]?.remediation).toContain(
      `aws ec2 delete-tags --resources subnet-0prv1 --tags Key=kubernetes.io/role/elb --region ${REGION}`,
    );
    expect(findings[0]?.remediation).toContain("Key=kubernetes.io/role/internal-elb,Value=1");
  });

  it('does not fire for "1" or an empty value', () => {
    // Prepare
    const inventory = withTags("subnet-0prv1", { "kubernetes.io/role/internal-elb": "" });

    // Act
    const findings = expectQuiet(invalidRoleTagValue, inventory);

    // Assess
    expect(findings).toEqual([]);
  });
});
