import { describe, expect, it } from "vitest";
import { singleAz } from "#shared/rules/elb/single-az.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { CLUSTER, healthySpec, inventoryOf, REGION, subnet, VPC } from "./fixtures.ts";

describe("Rule: elb.single-az", () => {
  it("fires when internal discovery resolves one AZ only", () => {
    // Prepare: only the eu-west-1a private subnet keeps its internal-elb tag.
    const spec = healthySpec();
    spec.subnets = spec.subnets.map((s) =>
      s.SubnetId === "subnet-0prv1" || s.SubnetId === "subnet-0prv2"
        ? subnet({ id: s.SubnetId, az: s.AvailabilityZone ?? "" })
        : s,
    );

    // Act
    const findings = expectFires(singleAz, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "elb.single-az",
      cluster: CLUSTER,
      resourceId: VPC,
      severity: "MEDIUM",
      evidence: {
        scheme: "internal",
        availabilityZone: "eu-west-1a",
        subnetId: "subnet-0prv0",
        controllerError: "subnets count less than minimal required count: 1 < 2",
        suggestedSubnets: ["subnet-0prv1", "subnet-0prv2"],
      },
    });
    expect(findings[0]?.detail).toContain("subnet-0prv0 in eu-west-1a");
    expect(findings[0]?.remediation).toBe(
      `Tag a subnet in another AZ for internal load balancers: aws ec2 create-tags --resources subnet-0prv0 subnet-0prv1 subnet-0prv2 --tags Key=kubernetes.io/role/internal-elb,Value=1 --region ${REGION}`,
    );
  });

  it("points at the candidates in other AZs that one fix would bring back", () => {
    // Prepare: the other AZs' internal subnets carry a deleted cluster's tag or are full.
    const spec = healthySpec();
    spec.subnets = spec.subnets.map((s) => {
      if (s.SubnetId === "subnet-0prv1") {
        return subnet({
          id: "subnet-0prv1",
          az: "eu-west-1b",
          tags: { "kubernetes.io/role/internal-elb": "1", "kubernetes.io/cluster/old": "shared" },
        });
      }
      if (s.SubnetId === "subnet-0prv2") return { ...s, AvailableIpAddressCount: 3 };
      return s;
    });

    // Act
    const findings = singleAz.evaluate(inventoryOf(spec));

    // Assess
    expect(findings[0]?.detail).toContain(
      "2 candidate(s) in other AZs are dropped (subnet-0prv1: tagged for other cluster(s): kubernetes.io/cluster/old)",
    );
    expect(findings[0]?.remediation).toContain(
      `aws ec2 create-tags --resources subnet-0prv1 --tags Key=kubernetes.io/cluster/${CLUSTER},Value=shared --region ${REGION}`,
    );
    expect(findings[0]?.remediation).toContain("free addresses in subnet-0prv2 (3 available, needs 8)");
  });

  it("does not fire when subnets resolve in two or more AZs", () => {
    // Act
    const findings = expectQuiet(singleAz, inventoryOf(healthySpec()));

    // Assess
    expect(findings).toEqual([]);
  });
});
