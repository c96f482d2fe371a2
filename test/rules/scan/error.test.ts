import { describe, expect, it } from "vitest";
import { scanError } from "#shared/rules/scan/error.ts";
import { CLUSTER, healthySpec, inventoryOf, REGION, VPC } from "#test/rules/elb/fixtures.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";

/** The healthy elb estate with DescribeCluster's vpcId left out and the cluster's subnets listed. */
function withoutVpcId(subnetIds: string[]) {
  const spec = healthySpec();
  const [c] = spec.clusters;
  if (!c) throw new Error("fixture has no cluster");
  c.cluster.resourcesVpcConfig = { subnetIds };
  return spec;
}

/** As `withoutVpcId`, and the node groups' subnets unknown too (the assembly also derives the VPC from them). */
function withNoVpcHint(subnetIds: string[]) {
  const spec = withoutVpcId(subnetIds);
  for (const c of spec.clusters) for (const ng of c.nodegroups ?? []) ng.subnets = [];
  return spec;
}

describe("Rule: scan.error (audits that could not run)", () => {
  it("fires when neither DescribeCluster nor the inventory's subnets name the cluster's VPC", () => {
    // Prepare: the cluster's subnets are not in the inventory
    const spec = withNoVpcHint(["subnet-0gone1", "subnet-0gone2"]);

    // Act
    const findings = expectFires(scanError, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "scan.error",
      cluster: CLUSTER,
      resourceId: CLUSTER,
      variant: "elb",
      severity: "MEDIUM",
      title: `Load-balancer subnet audit could not run for cluster ${CLUSTER}: its VPC is unknown`,
      evidence: {
        audit: "elb",
        reason: "vpc-unknown",
        subnetIds: ["subnet-0gone1", "subnet-0gone2"],
        subnetsFound: {},
      },
    });
    expect(findings[0]?.detail).toContain(
      "none of its 2 subnet(s) (subnet-0gone1, subnet-0gone2) is in this scan's DescribeSubnets answer",
    );
    expect(findings[0]?.remediation).toContain(
      `aws eks describe-cluster --region ${REGION} --name ${CLUSTER} --query cluster.resourcesVpcConfig; aws ec2 describe-subnets --region ${REGION} --subnet-ids subnet-0gone1 subnet-0gone2`,
    );
  });

  it("fires when the cluster lists no subnet at all", () => {
    // Act
    const [finding] = expectFires(scanError, inventoryOf(withNoVpcHint([])));

    // Assess
    expect(finding?.detail).toContain("and it lists no subnet");
    expect(finding?.remediation).not.toContain("describe-subnets");
  });

  it("does not fire when the VPC comes from the cluster's subnets, or from DescribeCluster", () => {
    // Prepare
    const derived = withoutVpcId(["subnet-0prv0", "subnet-0prv1"]);

    // Act
    const findings = [
      ...expectQuiet(scanError, inventoryOf(derived)),
      ...expectQuiet(scanError, inventoryOf(healthySpec())),
    ];

    // Assess
    expect(findings).toEqual([]);
    expect(derived.subnets.find((s) => s.SubnetId === "subnet-0prv0")?.VpcId).toBe(VPC);
  });

  it("does not fire for clusters that are not ACTIVE (the elb audit skips them too)", () => {
    // Prepare
    const spec = withoutVpcId([]);
    const [c] = spec.clusters;
    if (c) c.cluster.status = "CREATING";

    // Act
    const findings = expectQuiet(scanError, inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });
});
