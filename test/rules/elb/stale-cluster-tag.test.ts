import { describe, expect, it } from "vitest";
import { NO_CLUSTER } from "#shared/findings/index.ts";
import { staleClusterTag } from "#shared/rules/elb/stale-cluster-tag.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { cluster, healthySpec, inventoryOf, REGION, subnet } from "./fixtures.ts";

describe("Rule: elb.stale-cluster-tag", () => {
  it("fires for a subnet anywhere in the region tagged for a cluster that does not exist", () => {
    // Prepare: the subnet is in a VPC no cluster uses.
    const spec = healthySpec();
    spec.subnets = [
      ...spec.subnets,
      subnet({
        id: "subnet-0old",
        az: "eu-west-1a",
        vpcId: "vpc-legacy",
        tags: { "kubernetes.io/cluster/legacy-1-17": "shared" },
      }),
    ];

    // Act
    const findings = expectFires(staleClusterTag, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "elb.stale-cluster-tag",
      cluster: NO_CLUSTER,
      resourceId: "subnet-0old",
      severity: "LOW",
      evidence: { staleCluster: "legacy-1-17", vpcId: "vpc-legacy" },
    });
    expect(findings[0]?.remediation).toContain(
      `aws ec2 delete-tags --resources subnet-0old --tags Key=kubernetes.io/cluster/legacy-1-17 --region ${REGION}`,
    );
    expect(findings[0]?.remediation).toContain('ignore_tags { key_prefixes = ["kubernetes.io/cluster/"] }');
  });

  it("does not fire for tags of clusters that exist, whatever their status", () => {
    // Prepare
    const spec = healthySpec();
    spec.clusters = [...spec.clusters, cluster({ name: "blue", status: "CREATING" })];
    spec.subnets = [
      ...spec.subnets,
      subnet({ id: "subnet-0blue", az: "eu-west-1a", tags: { "kubernetes.io/cluster/blue": "owned" } }),
    ];

    // Act
    const findings = staleClusterTag.evaluate(inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });

  it("ignores look-alike keys, which name no cluster", () => {
    // Prepare
    const spec = healthySpec();
    spec.subnets = [
      ...spec.subnets,
      subnet({ id: "subnet-0x", az: "eu-west-1a", tags: { "kubernetes.io/clusterX": "1" } }),
    ];

    // Act
    const findings = expectQuiet(staleClusterTag, inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });
});
