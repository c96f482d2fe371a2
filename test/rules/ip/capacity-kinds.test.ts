/** The ip.* headroom rules over Karpenter, self-managed, Auto Mode and Fargate capacity, and CIDR reservations. */
import { describe, expect, it } from "vitest";
import { prefixFragmentation } from "#shared/rules/ip/prefix-fragmentation.ts";
import { subnetExhausted } from "#shared/rules/ip/subnet-exhausted.ts";
import { subnetNearlyFull } from "#shared/rules/ip/subnet-nearly-full.ts";
import { warmPoolOversized } from "#shared/rules/ip/warm-pool-oversized.ts";
import { capacityStory, STORY_CLUSTER } from "#test/support/capacity-story.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";

const DISCOVERY = { "karpenter.sh/discovery": STORY_CLUSTER };
const AUTO_MODE = { with: { computeConfig: { enabled: true, nodePools: ["general-purpose"] } } };

describe("ip.* rules over every capacity kind", () => {
  describe("Karpenter: headroom per zone, on the subnet with the most free IPs", () => {
    it("fires ip.subnet-exhausted when the only candidate subnet of a zone cannot take one more node", () => {
      // Prepare: a /27 (27 usable) where one m5.large node holds 20 addresses: 7 left, a node costs 20 at launch.
      const story = capacityStory({ subnetA: { cidr: "10.30.0.0/27" } });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
        enis: [10, 10],
      });

      // Act
      const [finding] = expectFires(subnetExhausted, story.build());

      // Assess
      expect(finding).toMatchObject({ resourceId: story.nodesA.id, severity: "CRITICAL" });
      expect(finding?.evidence).toMatchObject({
        availableIps: 7,
        nodegroups: [
          {
            capacityKind: "karpenter",
            capacityGroup: "default",
            resourceId: "karpenter/default",
            launchCost: { ips: 20 },
            zones: [{ zone: "eu-west-1a", picked: story.nodesA.id }],
          },
        ],
      });
      expect(finding?.detail).toContain("Karpenter node pool default has no maxSize");
    });

    it("stays quiet when a discovery-tagged subnet in the same zone has room: Karpenter launches there", () => {
      // Prepare
      const story = capacityStory({ subnetA: { cidr: "10.30.0.0/27" } });
      story.vpc.subnet("nodes-a2", { zone: "a", cidr: "10.30.8.0/24", tags: DISCOVERY });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
        enis: [10, 10],
      });

      // Act / Assess
      const estate = story.build();
      expectQuiet(subnetExhausted, estate);
      expectQuiet(subnetNearlyFull, estate);
    });

    it("fires ip.subnet-nearly-full HIGH when the zone's best subnet fits fewer than 3 nodes", () => {
      // Prepare: a /26 (59 usable) less one node's 20: 39 left, 1 more node at 20.
      const story = capacityStory({ subnetA: { cidr: "10.30.0.0/26" } });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
        enis: [10, 10],
      });

      // Act
      const estate = story.build();
      const [finding] = expectFires(subnetNearlyFull, estate);

      // Assess: no warm-pool advice for a NodePool (no maxSize; the fix is more subnets).
      expect(finding).toMatchObject({ resourceId: story.nodesA.id, severity: "HIGH" });
      expect(finding?.evidence).toMatchObject({ reasons: ["fewer than 3 nodes fit at launch cost"] });
      expectQuiet(warmPoolOversized, estate);
    });
  });

  describe("self-managed Auto Scaling groups", () => {
    it("fires ip.subnet-nearly-full when the group cannot reach its maxSize", () => {
      // Prepare
      const story = capacityStory({ subnetA: { cidr: "10.30.0.0/25" } });
      const template = story.region.launchTemplate("legacy", [
        { instanceType: "m5.large", securityGroups: [story.nodeSg] },
      ]);
      const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
        subnets: [story.nodesA],
        launchTemplate: template,
        sizes: { min: 1, max: 10, desired: 1 },
      });
      legacy.node(story.nodesA, { instanceType: "m5.large", groups: [story.nodeSg], enis: [10, 10] });

      // Act
      const [finding] = expectFires(subnetNearlyFull, story.build());

      // Assess: 123 usable − 20 = 103 free, 5 kept for EKS in this cluster subnet: 4 more at 20 each, 9 wanted.
      expect(finding?.evidence).toMatchObject({
        availableIps: 103,
        reasons: ["self-managed group legacy cannot reach maxSize 10 even at launch cost"],
        nodegroups: [{ capacityKind: "self-managed", maxSize: 10, wantedGrowth: 9, nodesThatFitAtLaunch: 4 }],
      });
    });

    it("fires ip.subnet-exhausted when not one more node of the group fits", () => {
      // Prepare: a /27 cluster subnet: 27 − 20 held − 5 kept = 2 for a node of 20.
      const story = capacityStory({ subnetA: { cidr: "10.30.0.0/27" } });
      const template = story.region.launchTemplate("legacy", [
        { instanceType: "m5.large", securityGroups: [story.nodeSg] },
      ]);
      const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
        subnets: [story.nodesA],
        launchTemplate: template,
        sizes: { min: 1, max: 2, desired: 1 },
      });
      legacy.node(story.nodesA, { instanceType: "m5.large", groups: [story.nodeSg], enis: [10, 10] });

      // Act
      const [finding] = expectFires(subnetExhausted, story.build());

      // Assess
      expect(finding?.evidence).toMatchObject({
        nodegroups: [{ resourceId: "self-managed/legacy", exhausted: true }],
      });
      expect(finding?.remediation).toContain("WARM_IP_TARGET");
    });

    it("fires ip.warm-pool-oversized for a self-managed group on the default warm ENI pool", () => {
      // Prepare: 98 usable after the node and the 5 kept: 4 more at 20, 9 wanted; WARM_IP_TARGET=2 and
      // MINIMUM_IP_TARGET=9 make a node cost 10, so 9 fit.
      const story = capacityStory({ subnetA: { cidr: "10.30.0.0/25" } });
      const template = story.region.launchTemplate("legacy", [
        { instanceType: "m5.large", securityGroups: [story.nodeSg] },
      ]);
      const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
        subnets: [story.nodesA],
        launchTemplate: template,
        sizes: { min: 1, max: 10, desired: 1 },
      });
      legacy.node(story.nodesA, { instanceType: "m5.large", groups: [story.nodeSg], enis: [10, 10] });

      // Act
      const [finding] = expectFires(warmPoolOversized, story.build());

      // Assess
      expect(finding).toMatchObject({
        resourceId: "self-managed/legacy",
        evidence: { capacityKind: "self-managed", nodesThatFitNow: 4, nodesThatFitWithWarmIpTarget: 9 },
      });
    });

    it("stays quiet when the group's subnets hold its maxSize", () => {
      // Prepare
      const story = capacityStory();
      const template = story.region.launchTemplate("legacy", [
        { instanceType: "m5.large", securityGroups: [story.nodeSg] },
      ]);
      story.records.selfManagedGroup(story.cluster, "legacy", {
        subnets: [story.nodesA, story.nodesB],
        launchTemplate: template,
        sizes: { min: 1, max: 6, desired: 1 },
      });

      // Act / Assess
      const estate = story.build();
      expectQuiet(subnetNearlyFull, estate);
      expectQuiet(subnetExhausted, estate);
      expectQuiet(warmPoolOversized, estate);
    });
  });

  describe("Fargate: one address per pod", () => {
    it("fires ip.subnet-exhausted when the profile's subnet has no address left for a pod", () => {
      // Prepare: a /28 holds 11 usable addresses, all taken by running pods.
      const story = capacityStory();
      const small = story.vpc.subnet("fargate-a", { zone: "a", cidr: "10.30.9.0/28" });
      story.records.fargateProfile(story.cluster, "batch", [small]);
      story.records.fargateProfile(story.cluster, "jobs", [small]);
      for (let i = 0; i < 11; i++) story.records.fargatePod(story.cluster, small);

      // Act
      const [finding] = expectFires(subnetExhausted, story.build());

      // Assess
      expect(finding).toMatchObject({ resourceId: small.id });
      // A pod in a subnet two profiles share is listed under both: counted once per ENI.
      expect(finding?.evidence).toMatchObject({
        nodegroups: [
          { capacityKind: "fargate", capacityGroup: "batch", launchCost: { ips: 1 }, runningPods: 11 },
          { capacityKind: "fargate", capacityGroup: "jobs", runningPods: 11 },
        ],
      });
      expect(finding?.remediation).not.toContain("WARM_IP_TARGET");
    });

    it("fires ip.subnet-nearly-full when fewer than 3 pods fit", () => {
      // Prepare: 11 usable, 9 pods running: 2 left.
      const story = capacityStory();
      const small = story.vpc.subnet("fargate-a", { zone: "a", cidr: "10.30.9.0/28" });
      story.records.fargateProfile(story.cluster, "batch", [small]);
      for (let i = 0; i < 9; i++) story.records.fargatePod(story.cluster, small);

      // Act
      const [finding] = expectFires(subnetNearlyFull, story.build());

      // Assess
      expect(finding?.evidence).toMatchObject({
        availableIps: 2,
        reasons: ["fewer than 3 pods fit at launch cost"],
      });
    });

    it("stays quiet with room for more pods", () => {
      // Prepare
      const story = capacityStory();
      story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
      story.records.fargatePod(story.cluster, story.nodesA);

      // Act / Assess
      expectQuiet(subnetExhausted, story.build());
    });
  });

  describe("EKS Auto Mode: its own prefix-delegation model, no vpc-cni advice", () => {
    it("fires ip.subnet-exhausted when a /27 cannot hold the two /28 prefixes of one more node", () => {
      // Prepare: the default NodeClass launches into the cluster subnets; zone a has only a /27.
      const story = capacityStory({ cluster: AUTO_MODE, subnetA: { cidr: "10.30.0.0/27" } });
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
        enis: [1],
      });

      // Act
      const [finding] = expectFires(subnetExhausted, story.build());

      // Assess: 1 + 16 × 2 = 33 addresses at launch, 26 free (5 kept for EKS).
      expect(finding?.evidence).toMatchObject({
        nodegroups: [{ capacityKind: "auto-mode", launchCost: { ips: 33 } }],
      });
      expect(finding?.remediation).not.toMatch(/WARM_IP_TARGET|CNI_CUSTOM_NETWORK|update-addon/);
      expect(finding?.remediation).toContain("NodeClass");
    });

    it("fires ip.subnet-nearly-full HIGH when the zone's cluster subnet fits fewer than 3 more nodes", () => {
      // Prepare: the default NodeClass launches into the cluster subnets; zone a is a /25 (123 usable) where one
      // node holds its primary address and two /28 prefixes: 90 available.
      const story = capacityStory({ cluster: AUTO_MODE, subnetA: { cidr: "10.30.0.0/25" } });
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
        enis: [1],
        prefixes: ["10.30.0.16/28", "10.30.0.32/28"],
      });

      // Act
      const [finding] = expectFires(subnetNearlyFull, story.build());

      // Assess: (90 − 5 kept for EKS) / 33 at launch = 2 nodes; 4 free aligned /28 blocks hold 2 as well.
      expect(finding).toMatchObject({ resourceId: story.nodesA.id, severity: "HIGH" });
      expect(finding?.evidence).toMatchObject({
        availableIps: 90,
        reasons: ["fewer than 3 nodes fit at launch cost"],
        nodegroups: [
          {
            capacityKind: "auto-mode",
            capacityGroup: "general-purpose",
            resourceId: "auto-mode/general-purpose",
            launchCost: { ips: 33 },
            nodesThatFitAtLaunch: 2,
            prefixBlocks: { free: 4, perNodeAtLaunch: 2 },
            zones: [
              { zone: "eu-west-1a", picked: story.nodesA.id },
              { zone: "eu-west-1b", picked: story.nodesB.id },
            ],
          },
        ],
      });
      expect(finding?.remediation).not.toMatch(/WARM_IP_TARGET|update-addon/);
    });

    it("stays quiet on roomy subnets and gets no warm-pool advice", () => {
      // Prepare
      const story = capacityStory({ cluster: AUTO_MODE });
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
      });

      // Act / Assess
      const estate = story.build();
      expectQuiet(subnetExhausted, estate);
      expectQuiet(warmPoolOversized, estate);
    });

    it("stays quiet on ip.subnet-nearly-full when the same node leaves a /24 room for 6 more", () => {
      // Prepare: 251 usable − 33 held = 218 available: (218 − 5) / 33 = 6 nodes, 12 free /28 blocks.
      const story = capacityStory({ cluster: AUTO_MODE });
      story.records.autoModeNode(story.cluster, "general-purpose", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
        enis: [1],
        prefixes: ["10.30.0.16/28", "10.30.0.32/28"],
      });

      // Act / Assess
      const estate = story.build();
      expectQuiet(subnetNearlyFull, estate);
      expectQuiet(prefixFragmentation, estate);
    });
  });

  describe("subnet CIDR reservations under prefix delegation", () => {
    const PD = { vpcCniConfiguration: JSON.stringify({ env: { ENABLE_PREFIX_DELEGATION: "true" } }) };

    /** A /26 node subnet of a prefix-delegation node group, 27 addresses reported available. */
    function pdStory() {
      const story = capacityStory({ cluster: PD, subnetA: { cidr: "10.30.0.0/26", available: 27 } });
      story.cluster.nodegroup("general", {
        amiType: "AL2023_x86_64_STANDARD",
        instanceTypes: ["m5.large"],
        subnets: [story.nodesA],
        scaling: { min: 0, max: 1, desired: 0 },
      });
      return story;
    }

    it("counts a prefix reservation as space for prefixes: not exhausted", () => {
      // Prepare: 59 usable, a /27 prefix reservation left out of AvailableIpAddressCount (27).
      const story = pdStory();
      story.records.cidrReservation(story.nodesA, "10.30.0.32/27", "prefix");

      // Act / Assess
      const estate = story.build();
      expectQuiet(subnetExhausted, estate);
      expectQuiet(prefixFragmentation, estate);
    });

    it("without the reservation the same 27 addresses cannot take a node's 33: exhausted", () => {
      // Prepare
      const story = pdStory();

      // Act
      const [finding] = expectFires(subnetExhausted, story.build());

      // Assess
      expect(finding?.evidence).toMatchObject({
        availableIps: 27,
        nodegroups: [{ launchCost: { ips: 33 } }],
      });
    });

    it("an explicit reservation takes its /28 blocks away from prefixes: fragmented", () => {
      // Prepare: a /25 (8 blocks; AWS's reserved addresses take blocks 0 and 7) with 59 addresses free by count,
      // explicit reservations on blocks 1–5: one block left, a node needs 2.
      const story = capacityStory({ cluster: PD, subnetA: { cidr: "10.30.0.0/25", available: 59 } });
      story.cluster.nodegroup("general", {
        amiType: "AL2023_x86_64_STANDARD",
        instanceTypes: ["m5.large"],
        subnets: [story.nodesA],
        scaling: { min: 0, max: 1, desired: 0 },
      });
      story.records.cidrReservation(story.nodesA, "10.30.0.16/28", "explicit");
      story.records.cidrReservation(story.nodesA, "10.30.0.32/27", "explicit");
      story.records.cidrReservation(story.nodesA, "10.30.0.64/27", "explicit");

      // Act
      const [finding] = expectFires(prefixFragmentation, story.build());

      // Assess
      expect(finding?.evidence).toMatchObject({ freeAlignedPrefixBlocks: 1 });
    });
  });

  describe("ip.prefix-fragmentation: free addresses, no free aligned /28 blocks", () => {
    const PD = { vpcCniConfiguration: JSON.stringify({ env: { ENABLE_PREFIX_DELEGATION: "true" } }) };

    /**
     * A prefix-delegation story whose zone-a cluster subnet is a /25: eight /28 blocks, of which AWS's reserved
     * addresses spoil blocks 0 and 7. Load-balancer ENIs holding one address each in `scattered` blocks leave those
     * blocks unusable for prefixes, though the addresses around them stay free.
     */
    function fragmentedStory(scattered: number[]) {
      const story = capacityStory({ cluster: PD, subnetA: { cidr: "10.30.0.0/25" } });
      for (const block of scattered) {
        story.region.networkInterface({
          key: `alb-${block}`,
          subnet: story.nodesA,
          description: "ELB app/prod-web/50dc6c495c0c9188",
          groups: [story.nodeSg],
          addresses: [`10.30.0.${block * 16 + 4}`],
          requesterManaged: true,
        });
      }
      return story;
    }

    /** One m5.large node in nodes-a: its primary address (block 0) and one /28 prefix in block 6. */
    const PD_NODE = {
      instanceType: "m5.large",
      enis: [1],
      prefixes: ["10.30.0.96/28"],
    };

    it("fires for a Karpenter node pool whose zone's only subnet has one free /28 block", () => {
      // Prepare: blocks 1–4 hold one address each: 123 − 4 − 17 = 102 available, only block 5 free.
      const story = fragmentedStory([1, 2, 3, 4]);
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        ...PD_NODE,
        groups: [story.cluster.clusterSg],
      });

      // Act
      const [finding] = expectFires(prefixFragmentation, story.build());

      // Assess: (102 − 5 kept for EKS) / 33 = 2 nodes by address count, but a node needs 2 blocks at launch.
      expect(finding).toMatchObject({ resourceId: story.nodesA.id, severity: "MEDIUM" });
      expect(finding?.evidence).toMatchObject({
        availableIps: 102,
        freeAlignedPrefixBlocks: 1,
        prefixesPerNodeAtLaunch: 2,
        nodegroups: [
          {
            capacityKind: "karpenter",
            capacityGroup: "default",
            resourceId: "karpenter/default",
            zones: [{ zone: "eu-west-1a", picked: story.nodesA.id }],
          },
        ],
      });
      expect(finding?.detail).toContain("Karpenter node pool default");
    });

    it("stays quiet when a discovery-tagged subnet of the zone has more free addresses: Karpenter launches there", () => {
      // Prepare: per zone, Karpenter launches into the subnet with the most available addresses
      // (karpenter-provider-aws pkg/providers/subnet/subnet.go `ZonalSubnetsForLaunch`).
      const story = fragmentedStory([1, 2, 3, 4]);
      story.vpc.subnet("nodes-a2", { zone: "a", cidr: "10.30.8.0/24", tags: DISCOVERY });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        ...PD_NODE,
        groups: [story.cluster.clusterSg],
      });

      // Act / Assess
      const estate = story.build();
      expectQuiet(prefixFragmentation, estate);
      expectQuiet(subnetExhausted, estate);
    });

    it("fires when the fragmented subnet has more free addresses than a clean one: Karpenter still picks it", () => {
      // Prepare: a clean discovery-tagged /26 (59 available) beside the fragmented /25 (102 available). Karpenter
      // ranks a zone's subnets by AvailableIpAddressCount alone, not by free /28 blocks.
      const story = fragmentedStory([1, 2, 3, 4]);
      const clean = story.vpc.subnet("nodes-a2", { zone: "a", cidr: "10.30.8.0/26", tags: DISCOVERY });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        ...PD_NODE,
        groups: [story.cluster.clusterSg],
      });

      // Act
      const [finding] = expectFires(prefixFragmentation, story.build());

      // Assess
      expect(finding).toMatchObject({ resourceId: story.nodesA.id });
      expect(finding?.evidence).toMatchObject({
        nodegroups: [
          {
            zones: [
              {
                zone: "eu-west-1a",
                picked: story.nodesA.id,
                candidates: [
                  { subnetId: story.nodesA.id, available: 102 },
                  { subnetId: clean.id, available: 59 },
                ].sort((a, b) => a.subnetId.localeCompare(b.subnetId)),
              },
            ],
          },
        ],
      });
    });

    it("fires for a self-managed group whose only subnet has one free /28 block", () => {
      // Prepare
      const story = fragmentedStory([1, 2, 3, 4]);
      const template = story.region.launchTemplate("legacy", [
        { instanceType: "m5.large", securityGroups: [story.nodeSg] },
      ]);
      const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
        subnets: [story.nodesA],
        launchTemplate: template,
        sizes: { min: 1, max: 3, desired: 1 },
      });
      legacy.node(story.nodesA, { ...PD_NODE, groups: [story.nodeSg] });

      // Act
      const [finding] = expectFires(prefixFragmentation, story.build());

      // Assess
      expect(finding).toMatchObject({ resourceId: story.nodesA.id, severity: "MEDIUM" });
      expect(finding?.evidence).toMatchObject({
        availableIps: 102,
        freeAlignedPrefixBlocks: 1,
        nodegroups: [
          { capacityKind: "self-managed", capacityGroup: "legacy", resourceId: "self-managed/legacy" },
        ],
      });
      expect(finding?.remediation).toContain("move self-managed group legacy to a new subnet");
    });

    it("stays quiet for the self-managed group when the scattered addresses leave two blocks free", () => {
      // Prepare: blocks 1–3 hold one address each; blocks 4 and 5 take one more node's two prefixes.
      const story = fragmentedStory([1, 2, 3]);
      const template = story.region.launchTemplate("legacy", [
        { instanceType: "m5.large", securityGroups: [story.nodeSg] },
      ]);
      const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
        subnets: [story.nodesA],
        launchTemplate: template,
        sizes: { min: 1, max: 2, desired: 1 },
      });
      legacy.node(story.nodesA, { ...PD_NODE, groups: [story.nodeSg] });

      // Act / Assess
      const estate = story.build();
      expectQuiet(prefixFragmentation, estate);
      expectQuiet(subnetExhausted, estate);
    });
  });

  describe("ENI truth", () => {
    /** A self-managed group (max 3, desired 1) on a /25 cluster subnet, one node holding `enis` addresses. */
    function observedStory(enis: number[]) {
      const story = capacityStory({ subnetA: { cidr: "10.30.0.0/25" } });
      const template = story.region.launchTemplate("legacy", [
        { instanceType: "m5.large", securityGroups: [story.nodeSg] },
      ]);
      const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
        subnets: [story.nodesA],
        launchTemplate: template,
        sizes: { min: 1, max: 3, desired: 1 },
      });
      legacy.node(story.nodesA, { instanceType: "m5.large", groups: [story.nodeSg], enis });
      return story;
    }

    it("uses a node's observed addresses when they exceed the modelled full cost", () => {
      // Prepare: the node holds 40 addresses (4 ENIs of 10), the model says 30 for a full m5.large.
      const story = observedStory([10, 10, 10, 10]);

      // Act
      const [finding] = expectFires(subnetNearlyFull, story.build());

      // Assess: 123 − 40 − 5 kept = 78 → 1 node at 40 when full, 2 wanted.
      expect(finding).toMatchObject({ severity: "MEDIUM" });
      expect(finding?.evidence).toMatchObject({
        reasons: ["self-managed group legacy cannot reach maxSize 3 once its nodes fill up"],
        nodegroups: [{ observedPerNode: { addresses: 40 }, fullCost: { ips: 40 }, nodesThatFitAtFull: 1 }],
      });
    });

    it("keeps the modelled cost when the nodes hold less", () => {
      // Prepare
      const story = observedStory([10, 10]);

      // Act / Assess
      expectQuiet(subnetNearlyFull, story.build());
    });

    const CUSTOM = {
      vpcCniConfiguration: JSON.stringify({ env: { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: "true" } }),
    };

    it("judges a custom-networking pod subnet found from ipamd's ENIs", () => {
      // Prepare: the node's two ipamd ENIs (20 addresses) sit in a /27 pod subnet: 7 left, a node needs 20 there.
      const story = capacityStory({ cluster: CUSTOM });
      const pods = story.vpc.subnet("pods-a", { zone: "a", cidr: "10.30.64.0/27" });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
        enis: [1, 10, 10],
        podSubnet: pods,
      });

      // Act
      const [finding] = expectFires(subnetExhausted, story.build());

      // Assess
      expect(finding).toMatchObject({ resourceId: pods.id });
      expect(finding?.evidence).toMatchObject({
        availableIps: 7,
        nodegroups: [{ podSubnet: true, launchCost: { ips: 20 } }],
      });
    });

    it("stays quiet when the pod subnet has room", () => {
      // Prepare
      const story = capacityStory({ cluster: CUSTOM });
      const pods = story.vpc.subnet("pods-a", { zone: "a", cidr: "10.30.64.0/22" });
      story.records.karpenterNode(story.cluster, "default", story.nodesA, {
        instanceType: "m5.large",
        groups: [story.cluster.clusterSg],
        enis: [1, 10, 10],
        podSubnet: pods,
      });

      // Act / Assess
      const estate = story.build();
      expectQuiet(subnetExhausted, estate);
      expectQuiet(subnetNearlyFull, estate);
    });
  });
});
