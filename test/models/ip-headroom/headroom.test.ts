import { describe, expect, it } from "vitest";
import {
  assessSubnet,
  clusterHeadroom,
  nodegroupInstanceTypes,
} from "#shared/models/ip-headroom/headroom.ts";
import { eni, inventoryOf, subnet, tightSpec } from "#test/rules/ip/fixtures.ts";

describe("Module: headroom", () => {
  it("per pair: A, reserve in cluster subnets, launch/full cost, nodes that fit, k × min", () => {
    // Prepare: subnet-0cp1 is a cluster subnet (R = 5): (25 − 5) / 20 = 1 at launch, 0 full.
    const spec = tightSpec({}, { subnets: ["subnet-0tight", "subnet-0cp1"], desired: 2, max: 12 });

    // Act
    const [cluster] = clusterHeadroom(inventoryOf(spec));
    const ng = cluster?.nodegroups[0];

    // Assess
    expect(cluster?.cni).toMatchObject({ source: "defaults", assumed: true });
    expect(ng).toMatchObject({
      nodegroup: "web",
      instanceType: "m5.large",
      launch: { ips: { nodeSubnet: 20 } },
      full: { ips: { nodeSubnet: 30 } },
      wantedGrowth: 10,
      growthAtLaunch: 2,
      growthAtFull: 0,
    });
    expect(
      ng?.subnets.map((s) => [s.subnetId, s.available, s.reserve, s.fitsAtLaunch, s.fitsAtFull]),
    ).toEqual([
      ["subnet-0tight", 151, 0, 7, 5],
      ["subnet-0cp1", 25, 5, 1, 0],
    ]);
    // The bottleneck is the cluster subnet: 2 × 1 < 10; the /24 alone would allow 2 × 7.
    const [tight, cp] = ng?.subnets ?? [];
    expect(ng && tight && assessSubnet(ng, tight).nearlyFull).toBeUndefined();
    expect(ng && cp && assessSubnet(ng, cp).nearlyFull).toEqual({
      severity: "HIGH",
      reasons: [
        "node group web cannot reach maxSize 12 even at launch cost",
        "fewer than 3 nodes fit at launch cost",
      ],
    });
  });

  it("under prefix delegation counts free /28 blocks and takes the smaller of both limits", () => {
    // Prepare: 3 ENIs hold one address each in blocks 1, 2 and 3 of the /24: 11 blocks stay free.
    const spec = tightSpec({ configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}' });
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 248);
    spec.networkInterfaces = [
      eni("eni-01", "subnet-0tight", ["10.0.1.20"]),
      eni("eni-02", "subnet-0tight", ["10.0.1.40"]),
      eni("eni-03", "subnet-0tight", ["10.0.1.60"]),
    ];

    // Act
    const [cluster] = clusterHeadroom(inventoryOf(spec));
    const s = cluster?.nodegroups[0]?.subnets[0];

    // Assess: 248 / 33 = 7 by addresses, 11 / 2 = 5 by blocks.
    expect(s?.fitsAtLaunchByIps).toBe(7);
    expect(s?.prefixBlocks).toMatchObject({ free: 11, perNodeAtLaunch: 2, fitsAtLaunch: 5, complete: true });
    expect(s?.fitsAtLaunch).toBe(5);
  });

  it("marks the block count incomplete when the ENIs seen hold less than AWS reports in use", () => {
    // Prepare
    const spec = tightSpec({ configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}' });

    // Act
    const [cluster] = clusterHeadroom(inventoryOf(spec));

    // Assess
    expect(cluster?.nodegroups[0]?.subnets[0]?.prefixBlocks).toMatchObject({ free: 14, complete: false });
  });

  it("reads the instance type from the launch template, else the EKS default", () => {
    // Prepare
    const inventory = inventoryOf(tightSpec());
    inventory.launchTemplateVersions = [
      { LaunchTemplateId: "lt-0abc", VersionNumber: 3, LaunchTemplateData: { InstanceType: "c5.large" } },
    ];

    // Act
    const fromTemplate = nodegroupInstanceTypes(
      { launchTemplate: { id: "lt-0abc", version: "3" } },
      inventory,
    );
    const fallback = nodegroupInstanceTypes({}, inventory);

    // Assess
    expect(fromTemplate.types).toEqual(["c5.large"]);
    expect(fallback).toMatchObject({ types: ["t3.medium"], note: expect.stringContaining("EKS default") });
  });

  it("skips a node group whose subnets are all missing from the inventory without throwing", () => {
    // Prepare
    const spec = tightSpec({}, { subnets: ["subnet-0gone"] });

    // Act
    const [cluster] = clusterHeadroom(inventoryOf(spec));

    // Assess
    expect(cluster?.nodegroups[0]).toMatchObject({
      missingSubnets: ["subnet-0gone"],
      subnets: [],
      growthAtLaunch: 0,
    });
  });
});
