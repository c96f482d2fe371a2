import { describe, expect, it } from "vitest";
import type { Estate, EstateRegion } from "#shared/estate/index.ts";
import { assembleInventory } from "#shared/inventory/assemble.ts";
import type { CapacityGroup } from "#shared/inventory/capacity-types.ts";
import type { ClusterInventory, Inventory, ReadFailure } from "#shared/inventory/types.ts";
import { capacityEstate, PLANTED_SECRETS, REGION, SCOPE } from "#test/inventory/capacity-estate.ts";
import { rawRegionOf } from "#test/support/inventory.ts";

/** The assembly of the capacity estate's one account-region, after `edit`. */
async function assembled(
  estate: Estate,
  edit: (region: EstateRegion) => void = () => undefined,
  failures: ReadFailure[] = [],
): Promise<Inventory> {
  const copy = structuredClone(estate);
  const region = copy.accounts[SCOPE.accountId]?.regions[REGION];
  if (region === undefined) throw new Error("capacity estate without its region");
  edit(region);
  return assembleInventory(SCOPE, rawRegionOf(region), failures);
}

function clusterOf(inventory: Inventory, name: string): ClusterInventory {
  const c = inventory.clusters.find((x) => x.cluster.name === name);
  if (c === undefined) throw new Error(`no cluster ${name}`);
  return c;
}

function groupOf(inventory: Inventory, cluster: string, resourceId: string): CapacityGroup {
  const g = clusterOf(inventory, cluster).capacity.find((x) => x.resourceId === resourceId);
  if (g === undefined) throw new Error(`no capacity group ${resourceId} in ${cluster}`);
  return g;
}

describe("Function: assembleInventory, node capacity of every kind", () => {
  it("lists every group of a cluster in kind order, managed node groups under their v1 identity", async () => {
    // Prepare
    const { estate } = capacityEstate();

    // Act
    const inventory = await assembled(estate);

    // Assess
    expect(
      inventory.clusters.map((c) => [c.cluster.name, c.capacity.map((g) => `${g.kind}|${g.resourceId}`)]),
    ).toEqual([
      [
        "prod",
        [
          "managed-nodegroup|general",
          "karpenter|karpenter/default",
          "self-managed|self-managed/prod-legacy",
          "fargate|fargate/fp-batch",
        ],
      ],
      ["auto", ["auto-mode|auto-mode/general-purpose", "auto-mode|auto-mode/system"]],
    ]);
    expect(clusterOf(inventory, "prod").capacityRead).toEqual({
      instances: true,
      autoScalingGroups: true,
      launchTemplates: true,
      fargateProfiles: true,
    });
    expect(clusterOf(inventory, "prod").unattributedNodes).toEqual([]);
  });

  it("gives a Karpenter NodePool its nodes' subnets and the discovery-tagged ones, its pod subnets and template", async () => {
    // Prepare
    const { estate, ids } = capacityEstate();

    // Act
    const inventory = await assembled(estate);

    // Assess
    const karpenter = groupOf(inventory, "prod", "karpenter/default");
    expect(karpenter).toMatchObject({
      name: "default",
      cluster: "prod",
      subnetIds: [ids.subnets.nodesA, ids.subnets.nodesB, ids.subnets.spareC].sort(),
      subnetsFrom: ["nodes", "karpenter-discovery-tag"],
      podSubnetIds: [ids.subnets.podsA],
      securityGroups: { groupIds: [ids.nodeSg, ids.clusterSg.prod].sort(), source: "observed" },
      instanceTypes: { configured: [], observed: ["m6i.large"] },
      launchTemplates: [{ id: ids.karpenterTemplate, version: "$Latest", versionNumber: 1 }],
      kubeletKeys: [`prod/karpenter/default@${ids.karpenterTemplate}`],
      prefixDelegation: false,
      maxPodsFrom: "eni-max-pods",
    });
    expect(karpenter.sizes).toBeUndefined();
    expect(karpenter.nodes.map((n) => n.id)).toEqual([ids.nodes.k1, ids.nodes.k2].sort());
    const k1 = karpenter.nodes.find((n) => n.id === ids.nodes.k1);
    expect(k1?.enis.map((e) => [e.deviceIndex, e.interfaceType, e.ipamd, e.podSubnet])).toEqual([
      [0, "interface", false, false],
      [1, "trunk", false, false],
      [2, "interface", true, true],
    ]);
    expect(k1?.enis[2]?.secondaryIps).toHaveLength(4);
    expect(k1?.branchEnis.map((e) => [e.networkInterfaceId, e.groupIds])).toEqual([
      [ids.branchEni, [ids.podSg]],
    ]);
  });

  it("gives a self-managed group its template's SGs, its sizes and subnets; EKS's own group is not one", async () => {
    // Prepare
    const { estate, ids } = capacityEstate();

    // Act
    const inventory = await assembled(estate);

    // Assess
    const legacy = groupOf(inventory, "prod", "self-managed/prod-legacy");
    expect(legacy).toMatchObject({
      subnetIds: [ids.subnets.nodesA, ids.subnets.nodesB].sort(),
      subnetsFrom: ["configured"],
      securityGroups: { groupIds: [ids.nodeSg], source: "launch-template" },
      instanceTypes: { configured: ["c5.large"], observed: ["c5.large"] },
      sizes: { min: 1, max: 4, desired: 1 },
      launchTemplates: [{ id: ids.legacyTemplate, version: "$Latest", versionNumber: 1 }],
      kubeletKeys: ["prod/self-managed/prod-legacy"],
    });
    expect(legacy.nodes.map((n) => n.id)).toEqual([ids.nodes.legacy]);
    const general = groupOf(inventory, "prod", "general");
    expect(general.nodes.map((n) => n.id)).toEqual([ids.nodes.general]);
    expect(general.sizes).toEqual({ min: 1, max: 3, desired: 1 });
    expect(general.securityGroups).toMatchObject({ source: "cluster-security-group" });
  });

  it("models Auto Mode pools with prefixes and no kubelet, a pool without nodes on the cluster SG and subnets", async () => {
    // Prepare
    const { estate, ids } = capacityEstate();

    // Act
    const inventory = await assembled(estate);

    // Assess
    const gp = groupOf(inventory, "auto", "auto-mode/general-purpose");
    expect(gp).toMatchObject({
      subnetsFrom: ["nodes", "cluster-subnets"],
      securityGroups: { groupIds: [ids.clusterSg.auto], source: "observed" },
      kubeletKeys: [],
      launchTemplates: [],
      prefixDelegation: true,
      maxPodsFrom: "auto-mode",
    });
    expect(gp.nodes[0]?.enis[0]?.prefixes).toEqual(["10.20.4.16/28"]);
    expect(groupOf(inventory, "auto", "auto-mode/system")).toMatchObject({
      subnetIds: [ids.subnets.autoA, ids.subnets.autoB].sort(),
      subnetsFrom: ["cluster-subnets"],
      securityGroups: { groupIds: [ids.clusterSg.auto], source: "assumed-cluster-security-group" },
      nodes: [],
    });
  });

  it("counts a Fargate profile's running pods from their ENIs, never the control plane's", async () => {
    // Prepare
    const { estate, ids } = capacityEstate();

    // Act
    const inventory = await assembled(estate);

    // Assess
    const fargate = groupOf(inventory, "prod", "fargate/fp-batch");
    expect(fargate).toMatchObject({
      subnetIds: [ids.subnets.fargateA],
      securityGroups: { groupIds: [ids.clusterSg.prod], source: "observed" },
      prefixDelegation: false,
      maxPodsFrom: "one-per-pod",
      kubeletKeys: [],
    });
    expect(fargate.nodes.map((n) => [n.id, n.kind, n.enis.length])).toEqual(
      [...ids.fargatePodEnis].sort().map((id) => [id, "fargate-pod", 1]),
    );
  });

  it("reads the Karpenter and self-managed kubelet settings from template user data, and keeps no user data", async () => {
    // Prepare
    const { estate, ids } = capacityEstate();

    // Act
    const inventory = await assembled(estate);

    // Assess
    const karpenter = inventory.kubelet[`prod/karpenter/default@${ids.karpenterTemplate}`];
    expect(karpenter).toMatchObject({
      family: "AL2023",
      evictionHard: { source: "user-data", value: { "memory.available": "5%" } },
    });
    expect(inventory.kubelet["prod/self-managed/prod-legacy"]).toMatchObject({
      family: "AL2",
      evictionHard: { source: "user-data", value: { "memory.available": "200Mi" } },
    });
    expect(inventory.launchTemplateVersions.some((v) => v.LaunchTemplateData?.UserData !== undefined)).toBe(
      false,
    );
    const held = JSON.stringify(inventory);
    for (const secret of PLANTED_SECRETS) expect(held).not.toContain(secret);
  });

  it("names an instance claiming the cluster that no group accounts for", async () => {
    // Prepare: the self-managed group's node, its group gone from the listing
    const { estate, ids } = capacityEstate();

    // Act
    const inventory = await assembled(estate, (region) => {
      if (region.autoscaling !== undefined)
        region.autoscaling.AutoScalingGroups = region.autoscaling.AutoScalingGroups.filter(
          (g) => g.AutoScalingGroupName !== "prod-legacy",
        );
    });

    // Assess
    const prod = clusterOf(inventory, "prod");
    expect(prod.capacity.some((g) => g.kind === "self-managed")).toBe(false);
    expect(prod.unattributedNodes.map((n) => n.id)).toEqual([ids.nodes.legacy]);
  });

  it("marks every v2 source unread for an estate v1 region: managed node groups only, never 'no capacity'", async () => {
    // Prepare
    const { estate } = capacityEstate();

    // Act
    const inventory = await assembled(estate, (region) => {
      delete region.ec2.Reservations;
      delete region.ec2.LaunchTemplates;
      delete region.ec2.SubnetCidrReservations;
      delete region.autoscaling;
      for (const c of region.eks.clusters) delete c.fargateProfiles;
    });

    // Assess
    const prod = clusterOf(inventory, "prod");
    expect(prod.capacity.map((g) => g.resourceId)).toEqual(["general"]);
    expect(prod.capacityRead).toEqual({
      instances: false,
      autoScalingGroups: false,
      launchTemplates: false,
      fargateProfiles: false,
    });
    // Auto Mode pools come from the cluster's computeConfig even without instances.
    expect(clusterOf(inventory, "auto").capacity.map((g) => g.resourceId)).toEqual([
      "auto-mode/general-purpose",
      "auto-mode/system",
    ]);
  });

  it("keeps a failed listing's source unknown and names what rests on it", async () => {
    // Prepare
    const { estate } = capacityEstate();

    // Act
    const inventory = await assembled(estate, () => undefined, [
      { operation: "DescribeAutoScalingGroups", errorName: "AccessDenied" },
    ]);

    // Assess
    expect(clusterOf(inventory, "prod").capacityRead.autoScalingGroups).toBe(false);
    expect(inventory.unread.map((u) => `${u.cluster}|${u.what}|${u.errorName}`)).toEqual([
      "prod|DescribeAutoScalingGroups|AccessDenied",
      "auto|DescribeAutoScalingGroups|AccessDenied",
    ]);
  });
});
