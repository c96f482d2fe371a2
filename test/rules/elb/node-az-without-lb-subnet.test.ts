import { describe, expect, it } from "vitest";
import { nodeAzWithoutLbSubnet } from "#shared/rules/elb/node-az-without-lb-subnet.ts";
import { capacityStory } from "#test/support/capacity-story.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { CLUSTER, healthySpec, inventoryOf, privateOnlySpec, REGION, subnet } from "./fixtures.ts";

describe("Rule: elb.node-az-without-lb-subnet", () => {
  it("fires when a node group runs in an AZ where internal load balancers get no subnet", () => {
    // Prepare: eu-west-1c loses its internal-elb tag; nodes still run there.
    const spec = healthySpec();
    spec.subnets = spec.subnets.map((s) =>
      s.SubnetId === "subnet-0prv2" ? subnet({ id: "subnet-0prv2", az: "eu-west-1c" }) : s,
    );

    // Act
    const findings = expectFires(nodeAzWithoutLbSubnet, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: CLUSTER,
      resourceId: "general",
      severity: "LOW",
      evidence: { scheme: "internal", azs: ["eu-west-1c"], nodegroup: "general" },
    });
    expect(findings[0]?.remediation).toContain(
      `--resources subnet-0prv0 subnet-0prv1 subnet-0prv2 --tags Key=kubernetes.io/role/internal-elb,Value=1 --region ${REGION}`,
    );
  });

  it("does not fire when every node AZ has a load-balancer subnet", () => {
    // Act
    const findings = nodeAzWithoutLbSubnet.evaluate(inventoryOf(healthySpec()));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire for a scheme that resolves no subnet at all", () => {
    // Act
    const findings = expectQuiet(nodeAzWithoutLbSubnet, inventoryOf(privateOnlySpec()));

    // Assess
    expect(findings).toEqual([]);
  });
});

describe("Rule: elb.node-az-without-lb-subnet over every capacity kind", () => {
  const internalOnlyInA = {
    subnetA: { tags: { "kubernetes.io/cluster/prod": "shared", "kubernetes.io/role/internal-elb": "1" } },
  };

  it("fires for a Karpenter node pool whose nodes run in an AZ where internal load balancers get no subnet", () => {
    // Prepare: only zone a's subnet is tagged for internal load balancers; Karpenter launched into zone b.
    const story = capacityStory(internalOnlyInA);
    story.records.karpenterNode(story.cluster, "default", story.nodesB, {
      instanceType: "m5.large",
      groups: [story.nodeSg],
    });

    // Act
    const findings = expectFires(nodeAzWithoutLbSubnet, story.build()).filter(
      (f) => f.variant === "internal",
    );

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      resourceId: "karpenter/default",
      title: "Karpenter node pool default runs in eu-west-1b, where internal load balancers have no subnet",
      evidence: { azs: ["eu-west-1b"], capacityKind: "karpenter", capacityGroup: "default" },
    });
  });

  it("stays quiet when the Karpenter pool's nodes run only where internal load balancers have a subnet", () => {
    // Prepare
    const story = capacityStory(internalOnlyInA);
    story.records.karpenterNode(story.cluster, "default", story.nodesA, {
      instanceType: "m5.large",
      groups: [story.nodeSg],
    });

    // Act
    const findings = expectQuiet(nodeAzWithoutLbSubnet, story.build());

    // Assess
    expect(findings).toEqual([]);
  });
});
