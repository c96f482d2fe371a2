/** The node.* rules over self-managed and Karpenter capacity; none applies to Auto Mode or Fargate. */
import { describe, expect, it } from "vitest";
import { healthIssues } from "#shared/rules/node/health-issues.ts";
import { kubeReservedDisabled } from "#shared/rules/node/kube-reserved-disabled.ts";
import { kubeletConfigUnknown } from "#shared/rules/node/kubelet-config-unknown.ts";
import { partialEvictionOverride } from "#shared/rules/node/partial-eviction-override.ts";
import { systemReservedMissing } from "#shared/rules/node/system-reserved-missing.ts";
import {
  al2Bootstrap,
  al2023NodeConfig,
  al2023SelfManagedUserData,
  type NodeadmClusterDetails,
} from "#sim/builder/index.ts";
import { capacityStory, STORY_ACCOUNT, STORY_CLUSTER, STORY_REGION } from "#test/support/capacity-story.ts";
import { inventoryWithKubelet } from "#test/support/kubelet.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { karpenterAl2UserData } from "./fixtures.ts";

const AUTO_MODE = { with: { computeConfig: { enabled: true, nodePools: ["general-purpose"] } } };
const RESERVED = { systemReserved: { cpu: "100m", memory: "500Mi" } };

/** User data, or user data rendered with the cluster's join details (nodeadm, bootstrap.sh). */
type UserDataOf = string | ((cluster: NodeadmClusterDetails) => string);

/** A story with a self-managed group and a Karpenter NodePool, each launching from a template with `userData`. */
function storyWith(userData: { selfManaged?: UserDataOf; karpenter?: UserDataOf }) {
  const story = capacityStory({ cluster: AUTO_MODE });
  const render = (u: UserDataOf) => (typeof u === "string" ? u : u(story.cluster.nodeadmDetails()));
  if (userData.selfManaged !== undefined) {
    const template = story.region.launchTemplate("legacy", [
      { instanceType: "m5.large", securityGroups: [story.nodeSg], userData: render(userData.selfManaged) },
    ]);
    const legacy = story.records.selfManagedGroup(story.cluster, "legacy", {
      subnets: [story.nodesA],
      launchTemplate: template,
      sizes: { min: 1, max: 3, desired: 1 },
    });
    legacy.node(story.nodesA, { instanceType: "m5.large", groups: [story.nodeSg] });
  }
  let templateId: string | undefined;
  if (userData.karpenter !== undefined) {
    const template = story.records.karpenterTemplate(story.cluster, "default", {
      instanceType: "m5.large",
      userData: render(userData.karpenter),
    });
    templateId = template.id;
    story.records.karpenterNode(story.cluster, "default", story.nodesB, {
      instanceType: "m5.large",
      groups: [story.cluster.clusterSg],
      launchTemplate: { id: template.id, version: "1" },
    });
  }
  // Auto Mode and Fargate capacity beside them: no node.* finding may name them.
  story.records.autoModeNode(story.cluster, "general-purpose", story.nodesB, {
    instanceType: "c6a.large",
    groups: [story.cluster.clusterSg],
  });
  story.records.fargateProfile(story.cluster, "batch", [story.nodesA]);
  return {
    templateId,
    inventory: () => inventoryWithKubelet(story.build(), STORY_ACCOUNT, STORY_REGION),
  };
}

describe("node.* rules over every capacity kind", () => {
  it("node.system-reserved-missing fires for a Karpenter template's AL2023 NodeConfig and names the template", async () => {
    // Prepare
    const { templateId, inventory } = storyWith({ karpenter: al2023NodeConfig({ maxPods: 29 }) });

    // Act
    const findings = expectFires(systemReservedMissing, await inventory());

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      cluster: STORY_CLUSTER,
      resourceId: "karpenter/default",
      variant: templateId,
      evidence: { capacityKind: "karpenter", capacityGroup: "default", launchTemplateId: templateId },
    });
    expect(findings[0]?.title).toContain(`Karpenter node pool default (launch template ${templateId})`);
  });

  it("node.system-reserved-missing fires for a self-managed group on stock AL2023 settings", async () => {
    // Prepare
    const { inventory } = storyWith({ selfManaged: al2023NodeConfig({ maxPods: 29 }) });

    // Act
    const [finding] = expectFires(systemReservedMissing, await inventory());

    // Assess
    expect(finding).toMatchObject({
      resourceId: "self-managed/legacy",
      evidence: { capacityKind: "self-managed" },
    });
    expect(finding?.variant).toBeUndefined();
  });

  it("node.system-reserved-missing stays quiet when the user data reserves resources for the OS", async () => {
    // Prepare
    const { inventory } = storyWith({
      karpenter: al2023NodeConfig(RESERVED),
      selfManaged: al2023NodeConfig(RESERVED),
    });

    // Act / Assess
    expectQuiet(systemReservedMissing, await inventory());
  });

  it("node.partial-eviction-override fires for a self-managed group whose AL2 flag replaces evictionHard", async () => {
    // Prepare
    const { inventory } = storyWith({
      selfManaged: al2Bootstrap(STORY_CLUSTER, "--eviction-hard=memory.available<200Mi"),
    });

    // Act
    const [finding] = expectFires(partialEvictionOverride, await inventory());

    // Assess
    expect(finding).toMatchObject({
      resourceId: "self-managed/legacy",
      evidence: { capacityKind: "self-managed", keysLost: ["nodefs.available", "nodefs.inodesFree"] },
    });
  });

  it("node.partial-eviction-override fires for a Karpenter AL2 template whose NodeClass sets one evictionHard key", async () => {
    // Prepare: Karpenter renders EC2NodeClass spec.kubelet.evictionHard as an --eviction-hard flag in bootstrap.sh's
    // --kubelet-extra-args; the flag replaces the AL2 AMI's whole evictionHard map.
    const { templateId, inventory } = storyWith({
      karpenter: (cluster) =>
        karpenterAl2UserData(cluster, "default", { evictionHard: { "memory.available": "200Mi" } }),
    });

    // Act
    const findings = expectFires(partialEvictionOverride, await inventory());

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      resourceId: "karpenter/default",
      variant: templateId,
      severity: "HIGH",
      evidence: {
        capacityKind: "karpenter",
        capacityGroup: "default",
        launchTemplateId: templateId,
        keysSet: ["memory.available"],
        keysLost: ["nodefs.available", "nodefs.inodesFree"],
      },
    });
    expect(findings[0]?.title).toBe(
      `Karpenter node pool default (launch template ${templateId}) overrides evictionHard partially: nodefs.available, nodefs.inodesFree get no threshold`,
    );
  });

  it("node.partial-eviction-override stays quiet for a Karpenter AL2 flag that keeps every AMI threshold", async () => {
    // Prepare
    const { inventory } = storyWith({
      karpenter: (cluster) =>
        karpenterAl2UserData(cluster, "default", {
          evictionHard: { "memory.available": "200Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%" },
        }),
    });

    // Act / Assess
    expectQuiet(partialEvictionOverride, await inventory());
  });

  it("node.partial-eviction-override stays quiet for an AL2023 config map, which merges", async () => {
    // Prepare
    const { inventory } = storyWith({
      selfManaged: al2023NodeConfig({ evictionHard: { "memory.available": "300Mi" } }),
      karpenter: al2023NodeConfig({ evictionHard: { "memory.available": "300Mi" } }),
    });

    // Act / Assess
    expectQuiet(partialEvictionOverride, await inventory());
  });

  it("node.kube-reserved-disabled fires for a Karpenter template that zeroes kubeReserved memory", async () => {
    // Prepare
    const { inventory } = storyWith({
      karpenter: al2023NodeConfig({ kubeReserved: { memory: "0", cpu: "0" } }),
    });

    // Act
    const [finding] = expectFires(kubeReservedDisabled, await inventory());

    // Assess
    expect(finding).toMatchObject({
      resourceId: "karpenter/default",
      evidence: { zeroedKeys: ["cpu", "memory"] },
    });
  });

  it("node.kube-reserved-disabled fires for a self-managed AL2023 NodeConfig that zeroes kubeReserved", async () => {
    // Prepare: a self-managed node's NodeConfig carries the cluster details; its kubelet config merges key by key,
    // so explicit zeros win over nodeadm's figures.
    const { inventory } = storyWith({
      selfManaged: (cluster) =>
        al2023SelfManagedUserData(cluster, { kubeReserved: { cpu: "0", memory: "0" } }),
    });

    // Act
    const [finding] = expectFires(kubeReservedDisabled, await inventory());

    // Assess
    expect(finding).toMatchObject({
      resourceId: "self-managed/legacy",
      severity: "HIGH",
      evidence: {
        capacityKind: "self-managed",
        capacityGroup: "legacy",
        zeroedKeys: ["cpu", "memory"],
        keysLost: [],
      },
    });
    expect(finding?.variant).toBeUndefined();
    expect(finding?.title).toBe("Self-managed group legacy disables kubeReserved (cpu, memory = 0)");
  });

  it("node.kube-reserved-disabled fires for a self-managed AL2 --kube-reserved flag without cpu and memory", async () => {
    // Prepare: the flag replaces the map bootstrap.sh computed.
    const { inventory } = storyWith({
      selfManaged: al2Bootstrap(STORY_CLUSTER, "--kube-reserved=ephemeral-storage=1Gi"),
    });

    // Act
    const [finding] = expectFires(kubeReservedDisabled, await inventory());

    // Assess
    expect(finding).toMatchObject({
      resourceId: "self-managed/legacy",
      evidence: { capacityKind: "self-managed", zeroedKeys: [], keysLost: ["cpu", "memory"] },
    });
  });

  it("node.kube-reserved-disabled stays quiet for a self-managed AL2 flag that reserves cpu and memory", async () => {
    // Prepare
    const { inventory } = storyWith({
      selfManaged: al2Bootstrap(STORY_CLUSTER, "--kube-reserved=cpu=70m,memory=574Mi,ephemeral-storage=1Gi"),
    });

    // Act / Assess
    expectQuiet(kubeReservedDisabled, await inventory());
  });

  it("node.kube-reserved-disabled stays quiet for an empty AL2023 kubeReserved map", async () => {
    // Prepare
    const { inventory } = storyWith({
      karpenter: al2023NodeConfig({ kubeReserved: {} }),
      selfManaged: al2023NodeConfig({ kubeReserved: {} }),
    });

    // Act / Assess
    expectQuiet(kubeReservedDisabled, await inventory());
  });

  it("node.kubelet-config-unknown fires for self-managed user data of no known AMI family", async () => {
    // Prepare
    const { inventory } = storyWith({ selfManaged: "#!/bin/bash\n/opt/custom/join-cluster.sh\n" });

    // Act
    const [finding] = expectFires(kubeletConfigUnknown, await inventory());

    // Assess
    expect(finding).toMatchObject({ resourceId: "self-managed/legacy", severity: "INFO" });
    expect(finding?.remediation).toContain("NODE_NAME_OF_legacy");
  });

  it("node.kubelet-config-unknown fires for a Karpenter template whose user data names no known AMI family", async () => {
    // Prepare
    const { templateId, inventory } = storyWith({ karpenter: "#!/bin/bash\n/opt/custom/join.sh\n" });

    // Act
    const [finding] = expectFires(kubeletConfigUnknown, await inventory());

    // Assess
    expect(finding).toMatchObject({ resourceId: "karpenter/default", variant: templateId });
    expect(finding?.remediation).toContain("karpenter.sh/nodepool=default");
  });

  it("node.kubelet-config-unknown stays quiet for readable user data, Auto Mode and Fargate", async () => {
    // Prepare
    const { inventory } = storyWith({
      selfManaged: al2023NodeConfig(RESERVED),
      karpenter: al2023NodeConfig(RESERVED),
    });

    // Act / Assess
    expectQuiet(kubeletConfigUnknown, await inventory());
  });

  it("node.health-issues reads managed node groups only: Karpenter, self-managed, Auto Mode and Fargate are quiet", async () => {
    // Prepare
    const { inventory } = storyWith({
      selfManaged: al2023NodeConfig(RESERVED),
      karpenter: al2023NodeConfig(RESERVED),
    });

    // Act / Assess
    expectQuiet(healthIssues, await inventory());
  });
});
