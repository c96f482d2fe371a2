/** The sg.* rules over Karpenter, self-managed, Auto Mode and Fargate capacity (estate v2). */
import { describe, expect, it } from "vitest";
import { datastoreReachableByAllPods } from "#shared/rules/sg/datastore-reachable-by-all-pods.ts";
import { missingControlPlaneRules } from "#shared/rules/sg/missing-control-plane-rules.ts";
import { multipleClusterTaggedSgs } from "#shared/rules/sg/multiple-cluster-tagged-sgs.ts";
import { nodeWorldIngress } from "#shared/rules/sg/node-world-ingress.ts";
import { podEniUnsupportedInstance } from "#shared/rules/sg/pod-eni-unsupported-instance.ts";
import { sshOpenToWorld } from "#shared/rules/sg/ssh-open-to-world.ts";
import { allowControlPlane, clusterTag, type SecurityGroupRef } from "#sim/builder/index.ts";
import { capacityStory, STORY_CLUSTER, STORY_REGION } from "#test/support/capacity-story.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";

const AUTO_MODE_CLUSTER = { with: { computeConfig: { enabled: true, nodePools: ["general-purpose"] } } };
const AUTO_MODE = { cluster: AUTO_MODE_CLUSTER };
const CLUSTER_TAG_KEY = `kubernetes.io/cluster/${STORY_CLUSTER}`;

/** A self-managed group `legacy` launching m5.large from a template with only `groups`. */
function selfManaged(story: ReturnType<typeof capacityStory>, groups = [story.nodeSg], nodes = 1) {
  const template = story.region.launchTemplate("legacy", [
    { instanceType: "m5.large", securityGroups: groups },
  ]);
  const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
    subnets: [story.nodesA, story.nodesB],
    launchTemplate: template,
    sizes: { min: 1, max: 4, desired: nodes },
  });
  for (let i = 0; i < nodes; i++) legacy.node(story.nodesA, { instanceType: "m5.large", groups });
  return legacy;
}

describe("sg.* rules over every capacity kind", () => {
  describe("Rule: sg.ssh-open-to-world", () => {
    it("fires for a Karpenter node pool and a self-managed group whose SG opens 22 to the world", () => {
      // Prepare
      const story = capacityStory();
      story.nodeSg.allow({ tcp: 22, from: "0.0.0.0/0" });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.nodeSg],
      });
      selfManaged(story);

      // Act
      const findings = expectFires(sshOpenToWorld, story.build());

      // Assess
      expect(findings.map((f) => f.resourceId).sort()).toEqual(["karpenter/default", "self-managed/legacy"]);
      const karpenter = findings.find((f) => f.resourceId === "karpenter/default");
      expect(karpenter?.title).toBe("Karpenter node pool default is open to SSH (22) from anywhere");
      expect(karpenter?.evidence).toMatchObject({ capacityKind: "karpenter", capacityGroup: "default" });
    });

    it("stays quiet for Fargate pods on a world-open SG (no SSH server) and for closed node SGs", () => {
      // Prepare
      const story = capacityStory(AUTO_MODE);
      story.cluster.clusterSg.allow({ tcp: 22, from: "0.0.0.0/0" });
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
      story.records.fargatePod(story.cluster, story.nodesA);
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.nodeSg],
      });
      selfManaged(story);

      // Act / Assess
      expectQuiet(sshOpenToWorld, story.build());
    });
  });

  describe("Rule: sg.node-world-ingress", () => {
    it("fires for a Fargate profile and an Auto Mode pool on a cluster SG open to the world", () => {
      // Prepare
      const story = capacityStory(AUTO_MODE);
      story.cluster.clusterSg.allow({ tcp: 8080, from: "0.0.0.0/0" });
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
      story.records.fargatePod(story.cluster, story.nodesA);
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesB, {
        instanceType: "c6a.large",
        groups: [story.cluster.clusterSg],
      });

      // Act
      const findings = expectFires(nodeWorldIngress, story.build());

      // Assess
      expect(findings.map((f) => f.resourceId).sort()).toEqual([
        "auto-mode/general-purpose",
        "fargate/batch",
      ]);
      expect(findings.find((f) => f.resourceId === "fargate/batch")?.title).toBe(
        "Fargate profile batch accepts tcp 8080 from 0.0.0.0/0",
      );
    });

    it("fires for a Karpenter node pool and a self-managed group on a node SG open to the world", () => {
      // Prepare
      const story = capacityStory();
      story.nodeSg.allow({ tcp: [30000, 32767], from: "0.0.0.0/0" });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.nodeSg],
      });
      selfManaged(story);

      // Act
      const findings = expectFires(nodeWorldIngress, story.build());

      // Assess
      expect(findings.map((f) => f.resourceId).sort()).toEqual(["karpenter/default", "self-managed/legacy"]);
    });

    it("stays quiet when the SGs of every kind admit nothing from the world", () => {
      // Prepare
      const story = capacityStory(AUTO_MODE);
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
      story.records.fargatePod(story.cluster, story.nodesA);
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesB, {
        instanceType: "c6a.large",
        groups: [story.cluster.clusterSg],
      });
      selfManaged(story);

      // Act / Assess
      expectQuiet(nodeWorldIngress, story.build());
    });
  });

  describe("Rule: sg.datastore-reachable-by-all-pods", () => {
    it("fires when a database SG admits a Karpenter node SG, naming the node pool", () => {
      // Prepare
      const story = capacityStory();
      story.vpc.securityGroup("orders-db", "orders database").allow({ tcp: 5432, from: story.nodeSg });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.nodeSg],
      });

      // Act
      const [finding] = expectFires(datastoreReachableByAllPods, story.build());

      // Assess
      expect(finding?.title).toContain("Every pod of Karpenter node pool default can reach");
      expect(finding?.evidence).toMatchObject({
        nodegroups: [{ capacityKind: "karpenter", capacityGroup: "default" }],
      });
    });

    it("fires for Fargate pods, which carry the cluster SG", () => {
      // Prepare
      const story = capacityStory();
      story.vpc.securityGroup("cache", "redis").allow({ tcp: 6379, from: story.cluster.clusterSg });
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);

      // Act
      const [finding] = expectFires(datastoreReachableByAllPods, story.build());

      // Assess
      expect(finding?.evidence).toMatchObject({
        nodegroups: [{ capacityKind: "fargate", capacityGroup: "batch" }],
      });
    });

    it("fires for a self-managed group and an Auto Mode pool whose SG a database admits", () => {
      // Prepare
      const story = capacityStory(AUTO_MODE);
      story.vpc.securityGroup("orders-db", "orders database").allow({ tcp: 3306, from: story.nodeSg });
      selfManaged(story);
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesB, {
        instanceType: "c6a.large",
        groups: [story.nodeSg],
      });

      // Act
      const [finding] = expectFires(datastoreReachableByAllPods, story.build());

      // Assess
      expect(finding?.evidence).toMatchObject({
        nodegroups: [
          { capacityKind: "self-managed", capacityGroup: "legacy" },
          { capacityKind: "auto-mode", capacityGroup: "general-purpose" },
        ],
      });
    });

    it("stays quiet when the database admits only a pod SG", () => {
      // Prepare
      const story = capacityStory();
      const podSg = story.vpc.securityGroup("pods", "pods with their own SG");
      story.vpc.securityGroup("orders-db", "orders database").allow({ tcp: 5432, from: podSg });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.nodeSg],
      });
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);

      // Act / Assess
      expectQuiet(datastoreReachableByAllPods, story.build());
    });
  });

  describe("Rule: sg.missing-control-plane-rules", () => {
    it("fires for a self-managed group whose template SG lacks the control-plane rules", () => {
      // Prepare
      const story = capacityStory();
      selfManaged(story);

      // Act
      const [finding] = expectFires(missingControlPlaneRules, story.build());

      // Assess
      expect(finding).toMatchObject({
        resourceId: "self-managed/legacy",
        evidence: { capacityKind: "self-managed", securityGroupSource: "launch-template" },
      });
      expect(finding?.title).toContain("Self-managed group legacy lacks");
    });

    it("fires for Karpenter nodes whose NodeClass SGs leave out the cluster SG", () => {
      // Prepare
      const story = capacityStory();
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.nodeSg],
      });

      // Act
      const [finding] = expectFires(missingControlPlaneRules, story.build());

      // Assess
      expect(finding).toMatchObject({
        resourceId: "karpenter/default",
        evidence: { securityGroupSource: "observed" },
      });
    });

    it("fires for an Auto Mode pool whose NodeClass SGs leave out the cluster SG", () => {
      // Prepare
      const story = capacityStory(AUTO_MODE);
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesA, {
        instanceType: "c6a.large",
        groups: [story.nodeSg],
      });

      // Act
      const [finding] = expectFires(missingControlPlaneRules, story.build());

      // Assess
      expect(finding).toMatchObject({ resourceId: "auto-mode/general-purpose" });
    });

    it("stays quiet when the node SG and the cluster SG allow each other, and for Karpenter on the cluster SG", () => {
      // Prepare
      const story = capacityStory();
      allowControlPlane(story.nodeSg, story.cluster.clusterSg);
      selfManaged(story);
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
      });

      // Act / Assess
      expectQuiet(missingControlPlaneRules, story.build());
    });
  });

  describe("Rule: sg.pod-eni-unsupported-instance", () => {
    const POD_ENI = { vpcCniConfiguration: JSON.stringify({ env: { ENABLE_POD_ENI: "true" } }) };

    it("fires for a Karpenter node pool running a type that cannot trunk", () => {
      // Prepare
      const story = capacityStory({ cluster: POD_ENI });
      story.records.karpenterNode(story.cluster, "burst", story.nodesA, {
        instanceType: "t3.large",
        groups: [story.nodeSg],
      });

      // Act
      const [finding] = expectFires(podEniUnsupportedInstance, story.build());

      // Assess
      expect(finding).toMatchObject({
        resourceId: "karpenter/burst",
        evidence: { instanceTypes: ["t3.large"] },
      });
      expect(finding?.remediation).toContain("kubectl edit nodepool burst");
    });

    it("fires for a self-managed group whose launch template runs a type that cannot trunk", () => {
      // Prepare
      const story = capacityStory({ cluster: POD_ENI });
      const template = story.region.launchTemplate("burst", [
        { instanceType: "t3.large", securityGroups: [story.nodeSg] },
      ]);
      const burst = story.records.selfManagedGroup(story.cluster, "burst", {
        subnets: [story.nodesA, story.nodesB],
        launchTemplate: template,
        sizes: { min: 1, max: 4, desired: 1 },
      });
      burst.node(story.nodesA, { instanceType: "t3.large", groups: [story.nodeSg] });

      // Act
      const findings = expectFires(podEniUnsupportedInstance, story.build());

      // Assess
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        resourceId: "self-managed/burst",
        severity: "LOW",
        title:
          "Self-managed group burst uses t3.large, which cannot trunk: no security groups for pods there",
        evidence: {
          capacityKind: "self-managed",
          capacityGroup: "burst",
          instanceTypes: ["t3.large"],
          unsupported: [{ instanceType: "t3.large", reason: "no-trunking", branchInterfaces: 0 }],
          suggestedInstanceType: { instanceType: "m5.large" },
        },
      });
      expect(findings[0]?.remediation).toContain(`--launch-template-id ${template.id}`);
      expect(findings[0]?.remediation).toContain(
        `aws autoscaling start-instance-refresh --region ${STORY_REGION} --auto-scaling-group-name burst`,
      );
    });

    it("stays quiet for trunking types, and for Auto Mode and Fargate, which have no vpc-cni trunk", () => {
      // Prepare
      const story = capacityStory({ cluster: { ...POD_ENI, ...AUTO_MODE_CLUSTER } });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.nodeSg],
      });
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesB, {
        instanceType: "t3.large",
        groups: [story.cluster.clusterSg],
      });
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
      selfManaged(story);

      // Act / Assess
      expectQuiet(podEniUnsupportedInstance, story.build());
    });
  });

  describe("Rule: sg.multiple-cluster-tagged-sgs", () => {
    /**
     * A running Fargate pod whose SecurityGroupPolicy gives its ENI `groups` (the cluster SG among them): a
     * requester-managed ENI attached to no instance of the account, as `CapacityRecords.fargatePod` writes one.
     */
    function fargatePodWith(story: ReturnType<typeof capacityStory>, groups: SecurityGroupRef[]): string {
      return story.region.networkInterface({
        key: `${story.cluster.name}/fargate/sgp`,
        subnet: story.nodesA,
        description: "fargate-ip-sgp",
        groups,
        addresses: 1,
        requesterId: "AROAFARGATEEXAMPLE:fargate",
        with: { RequesterManaged: true },
      });
    }

    // Fargate pods are IP targets only. The AWS Load Balancer Controller finds a Fargate pod's ENI by its IP
    // (kubernetes-sigs/aws-load-balancer-controller pkg/networking/pod_eni_info_resolver.go `resolveViaVPCENIs`,
    // used for every pod on a `eks.amazonaws.com/compute-type: fargate` node) and then picks the SG for the load
    // balancer's ingress rules with pkg/networking/networking_manager.go `resolveEndpointSGForENI`, exactly as for
    // an EC2 node's ENI: two cluster-tagged SGs on the pod's ENI fail the TargetGroupBinding's reconcile.
    it("fires for a Fargate profile whose pod ENI carries the cluster SG and a second cluster-tagged SG", () => {
      // Prepare
      const story = capacityStory();
      const tagged = story.vpc.securityGroup("prod-pods-tagged", "pod SG tagged for the cluster", {
        tags: clusterTag(STORY_CLUSTER, "owned"),
      });
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
      const pod = fargatePodWith(story, [story.cluster.clusterSg, tagged]);

      // Act
      const findings = expectFires(multipleClusterTaggedSgs, story.build());

      // Assess
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        resourceId: "fargate/batch",
        severity: "HIGH",
        title: `Fargate profile batch carries 2 SGs tagged ${CLUSTER_TAG_KEY}`,
        evidence: {
          capacityKind: "fargate",
          capacityGroup: "batch",
          keep: story.cluster.clusterSg.id,
          removeTagFrom: [tagged.id],
          securityGroupSource: "observed",
          fromConfiguration: false,
          nodes: [
            {
              node: pod,
              networkInterfaceId: pod,
              interfaceType: "interface",
              clusterTagged: [story.cluster.clusterSg.id, tagged.id].sort(),
            },
          ],
        },
      });
      expect(findings[0]?.remediation).toContain(
        `aws ec2 delete-tags --region ${STORY_REGION} --resources ${tagged.id} --tags Key=${CLUSTER_TAG_KEY}`,
      );
    });

    it("stays quiet for a Fargate pod whose second SG is not cluster-tagged: the controller picks the cluster SG", () => {
      // Prepare
      const story = capacityStory();
      const podSg = story.vpc.securityGroup("prod-pods", "pod SG, untagged");
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
      fargatePodWith(story, [story.cluster.clusterSg, podSg]);

      // Act / Assess
      expectQuiet(multipleClusterTaggedSgs, story.build());
    });
  });
});
