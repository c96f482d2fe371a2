import { describe, expect, it } from "vitest";
import { foreignClusterTag } from "#shared/rules/elb/foreign-cluster-tag.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { CLUSTER, cluster, healthySpec, inventoryOf, REGION, subnet, VPC } from "./fixtures.ts";

function withTags(
  id: string,
  tags: Record<string, string>,
  extraClusters: { name: string; vpcId: string }[] = [],
) {
  const spec = healthySpec();
  spec.subnets = spec.subnets.map((s) =>
    s.SubnetId === id ? subnet({ id, az: s.AvailabilityZone ?? "", tags }) : s,
  );
  spec.clusters = [...spec.clusters, ...extraClusters.map((c) => cluster(c))];
  return inventoryOf(spec);
}

describe("Rule: elb.foreign-cluster-tag", () => {
  it("fires HIGH for a role-tagged subnet carrying a missing cluster's tag", () => {
    // Prepare
    const inventory = withTags("subnet-0pub0", {
      "kubernetes.io/role/elb": "1",
      "kubernetes.io/cluster/old-prod": "shared",
    });

    // Act
    const findings = expectFires(foreignClusterTag, inventory);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: CLUSTER,
      resourceId: "subnet-0pub0",
      severity: "HIGH",
      evidence: {
        offendingKeys: ["kubernetes.io/cluster/old-prod"],
        schemes: ["internet-facing"],
        missingOtherClusters: ["old-prod"],
      },
    });
    expect(findings[0]?.remediation).toContain(
      `aws ec2 delete-tags --resources subnet-0pub0 --tags Key=kubernetes.io/cluster/old-prod --region ${REGION}`,
    );
    expect(findings[0]?.remediation).toContain("ignore_tags");
  });

  it("fires HIGH for a look-alike key without the slash", () => {
    // Prepare
    const inventory = withTags("subnet-0prv0", {
      "kubernetes.io/role/internal-elb": "1",
      "kubernetes.io/clusterprod": "owned",
    });

    // Act
    const findings = foreignClusterTag.evaluate(inventory);

    // Assess
    expect(findings[0]).toMatchObject({
      severity: "HIGH",
      evidence: { lookAlikeKeys: ["kubernetes.io/clusterprod"], schemes: ["internal"] },
    });
    expect(findings[0]?.detail).toContain("look-alike key");
  });

  it("stays HIGH (catalog default) but marks deliberate isolation when the tag names another live cluster of the same VPC", () => {
    // Prepare
    const inventory = withTags(
      "subnet-0pub0",
      { "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/staging": "shared" },
      [{ name: "staging", vpcId: VPC }],
    );

    // Act
    const findings = foreignClusterTag.evaluate(inventory).filter((f) => f.cluster === CLUSTER);

    // Assess
    expect(findings.map((f) => [f.resourceId, f.severity])).toEqual([["subnet-0pub0", "HIGH"]]);
    expect(findings[0]?.evidence.deliberateIsolation).toBe(true);
  });

  it("stays HIGH when the tag names a live cluster of another VPC, which never uses this subnet", () => {
    // Prepare
    const inventory = withTags(
      "subnet-0pub0",
      { "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/tools": "shared" },
      [{ name: "tools", vpcId: "vpc-elsewhere" }],
    );

    // Act
    const findings = foreignClusterTag.evaluate(inventory);

    // Assess
    expect(findings.map((f) => [f.resourceId, f.severity])).toEqual([["subnet-0pub0", "HIGH"]]);
    expect(findings[0]?.remediation).toContain("--tags Key=kubernetes.io/cluster/tools --region");
  });

  it("does not fire without a role tag, or when the subnet also carries this cluster's tag", () => {
    // Prepare
    const spec = healthySpec();
    spec.subnets = [
      ...spec.subnets,
      subnet({ id: "subnet-0x1", az: "eu-west-1a", tags: { "kubernetes.io/cluster/old-prod": "shared" } }),
      subnet({
        id: "subnet-0x2",
        az: "eu-west-1b",
        tags: {
          "kubernetes.io/role/elb": "1",
          "kubernetes.io/cluster/old-prod": "shared",
          [`kubernetes.io/cluster/${CLUSTER}`]: "shared",
        },
      }),
    ];

    // Act
    const findings = expectQuiet(foreignClusterTag, inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });
});
