import { describe, expect, it } from "vitest";
import { multipleClusterTaggedSgs } from "#shared/rules/sg/multiple-cluster-tagged-sgs.ts";
import { clusterTag } from "#sim/builder/index.ts";
import { capacityStory, STORY_CLUSTER, STORY_REGION } from "#test/support/capacity-story.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";

const KEY = `kubernetes.io/cluster/${STORY_CLUSTER}`;

/** A node SG tagged for the cluster, as terraform-aws-eks tags its node SG. */
function taggedNodeSg(story: ReturnType<typeof capacityStory>) {
  return story.vpc.securityGroup("prod-node-tagged", "node SG tagged for the cluster", {
    tags: clusterTag(STORY_CLUSTER, "owned"),
  });
}

describe("Rule: sg.multiple-cluster-tagged-sgs", () => {
  it("fires for Karpenter nodes that carry the cluster SG and a cluster-tagged node SG, naming the tag to remove", () => {
    // Prepare
    const story = capacityStory();
    const tagged = taggedNodeSg(story);
    const groups = [story.cluster.clusterSg, tagged];
    story.records.karpenterNode(story.cluster, "default", story.nodesA, { instanceType: "m5.large", groups });
    story.records.karpenterNode(story.cluster, "default", story.nodesB, { instanceType: "m5.large", groups });

    // Act
    const findings = expectFires(multipleClusterTaggedSgs, story.build());

    // Assess
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      resourceId: "karpenter/default",
      severity: "HIGH",
      title: `Karpenter node pool default carries 2 SGs tagged ${KEY}`,
      evidence: {
        capacityKind: "karpenter",
        capacityGroup: "default",
        keep: story.cluster.clusterSg.id,
        removeTagFrom: [tagged.id],
        fromConfiguration: false,
      },
    });
    expect(finding?.evidence.nodes).toHaveLength(2);
    expect(finding?.remediation).toContain(
      `aws ec2 delete-tags --region ${STORY_REGION} --resources ${tagged.id} --tags Key=${KEY}`,
    );
  });

  it("fires for a self-managed group whose launch template puts two cluster-tagged SGs on nodes it has not launched yet", () => {
    // Prepare
    const story = capacityStory();
    const tagged = taggedNodeSg(story);
    const template = story.region.launchTemplate("legacy", [
      { instanceType: "m5.large", securityGroups: [story.cluster.clusterSg, tagged] },
    ]);
    story.records.selfManagedGroup(story.cluster, "legacy", {
      subnets: [story.nodesA],
      launchTemplate: template,
      sizes: { min: 0, max: 3, desired: 0 },
    });

    // Act
    const [finding] = expectFires(multipleClusterTaggedSgs, story.build());

    // Assess
    expect(finding).toMatchObject({
      resourceId: "self-managed/legacy",
      evidence: { capacityKind: "self-managed", fromConfiguration: true, nodes: [] },
    });
    expect(finding?.detail).toContain("its nodes will carry 2 security groups");
  });

  it("keeps the managed node group's resourceId and fires on a node's ENIs", () => {
    // Prepare
    const story = capacityStory();
    const tagged = taggedNodeSg(story);
    const template = story.region.launchTemplate("general", [
      { instanceType: "m5.large", securityGroups: [story.cluster.clusterSg, tagged] },
    ]);
    const ng = story.cluster.nodegroup("general", {
      amiType: "AL2023_x86_64_STANDARD",
      subnets: [story.nodesA],
      scaling: { min: 1, max: 3, desired: 1 },
      launchTemplate: template,
    });
    const node = ng.node(story.nodesA, { enis: [10] });
    story.records.instanceOf(node, {
      instanceType: "m5.large",
      groups: [story.cluster.clusterSg, tagged],
      tags: { "eks:nodegroup-name": "general", "eks:cluster-name": STORY_CLUSTER },
    });

    // Act
    const [finding] = expectFires(multipleClusterTaggedSgs, story.build());

    // Assess
    expect(finding).toMatchObject({ resourceId: "general", evidence: { nodegroup: "general" } });
    expect(finding?.evidence).toMatchObject({ nodes: [{ node: node.instanceId }] });
  });

  it("fires for an Auto Mode node pool whose NodeClass selects two cluster-tagged SGs", () => {
    // Prepare
    const story = capacityStory({
      cluster: { with: { computeConfig: { enabled: true, nodePools: ["general-purpose"] } } },
    });
    const tagged = taggedNodeSg(story);
    story.records.autoModeNode(story.cluster, "general-purpose", story.nodesA, {
      instanceType: "c6a.large",
      groups: [story.cluster.clusterSg, tagged],
    });

    // Act
    const [finding] = expectFires(multipleClusterTaggedSgs, story.build());

    // Assess
    expect(finding).toMatchObject({ resourceId: "auto-mode/general-purpose" });
  });

  it("stays quiet when only the cluster SG carries the tag, or a node has one SG, or no node carries two", () => {
    // Prepare
    const story = capacityStory({
      cluster: { with: { computeConfig: { enabled: true, nodePools: ["general-purpose"] } } },
    });
    const tagged = taggedNodeSg(story);
    // Karpenter: the cluster SG plus an untagged node SG (the LBC picks the cluster SG).
    story.records.karpenterNode(story.cluster, "default", story.nodesA, {
      instanceType: "m5.large",
      groups: [story.cluster.clusterSg, story.nodeSg],
    });
    // Self-managed: a single SG, tagged (an ENI with one SG needs no tag at all).
    const template = story.region.launchTemplate("legacy", [
      { instanceType: "m5.large", securityGroups: [tagged] },
    ]);
    const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
      subnets: [story.nodesB],
      launchTemplate: template,
      sizes: { min: 1, max: 3, desired: 1 },
    });
    legacy.node(story.nodesB, { instanceType: "m5.large", groups: [tagged] });
    // Auto Mode and Fargate on the cluster SG alone.
    story.records.autoModeNode(story.cluster, "general-purpose", story.nodesA, {
      instanceType: "c6a.large",
      groups: [story.cluster.clusterSg],
    });
    story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
    story.records.fargatePod(story.cluster, story.nodesA);

    // Act / Assess
    expectQuiet(multipleClusterTaggedSgs, story.build());
  });
});
