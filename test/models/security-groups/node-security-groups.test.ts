import { describe, expect, it } from "vitest";
import { nodeSecurityGroups } from "#shared/models/security-groups/node-security-groups.ts";
import { auditedNodegroups } from "#shared/rules/sg/audit.ts";
import {
  CLUSTER_SG,
  healthySpec,
  inventoryOf,
  LT_ID,
  launchTemplateSpec,
  launchTemplateVersion,
  NODE_SG,
  nodegroup,
} from "#test/rules/sg/fixtures.ts";

describe("Function: nodeSecurityGroups", () => {
  it("puts the cluster SG on a node group without a launch template", () => {
    // Prepare
    const inventory = inventoryOf(healthySpec());
    const [c] = inventory.clusters;

    // Act
    const sgs =
      c?.nodegroups[0] && nodeSecurityGroups(c.cluster, c.nodegroups[0], inventory.launchTemplateVersions);

    // Assess
    expect(sgs).toEqual({ groupIds: [CLUSTER_SG], source: "cluster-security-group" });
  });

  it("drops the cluster SG when the launch template sets SGs", () => {
    // Prepare
    const inventory = inventoryOf(launchTemplateSpec());

    // Act
    const [ng] = auditedNodegroups(inventory);

    // Assess
    expect(ng?.nodeSecurityGroups).toEqual({ groupIds: [NODE_SG], source: "launch-template" });
    expect(ng?.groups.map((g) => g.GroupId)).toEqual([NODE_SG]);
  });

  it("reads SGs set on the launch template's network interfaces", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.launchTemplateVersions = [launchTemplateVersion(1, { interfaceGroups: [NODE_SG, "sg-0extra"] })];

    // Act
    const [ng] = auditedNodegroups(inventoryOf(spec));

    // Assess
    expect(ng?.nodeSecurityGroups.groupIds).toEqual([NODE_SG, "sg-0extra"]);
    expect(ng?.missingGroupIds).toEqual(["sg-0extra"]);
  });

  it("keeps the cluster SG when the launch template sets no SGs", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.launchTemplateVersions = [launchTemplateVersion(1, { instanceType: "m5.large" })];

    // Act
    const [ng] = auditedNodegroups(inventoryOf(spec));

    // Assess
    expect(ng?.nodeSecurityGroups).toEqual({ groupIds: [CLUSTER_SG], source: "cluster-security-group" });
  });

  it("flags a launch template version the inventory does not hold instead of passing the cluster SG off as known", () => {
    // Prepare: the node group pins version 2, only version 1 was collected.
    const spec = launchTemplateSpec();
    spec.nodegroups = [nodegroup("general", { launchTemplate: { id: LT_ID, version: "2" } })];

    // Act
    const [ng] = auditedNodegroups(inventoryOf(spec));

    // Assess
    expect(ng?.nodeSecurityGroups).toMatchObject({
      groupIds: [CLUSTER_SG],
      source: "cluster-security-group",
      unresolvedLaunchTemplate: `${LT_ID}@2`,
    });
  });

  it("adds the remote-access SG EKS created", () => {
    // Prepare
    const spec = healthySpec();
    spec.nodegroups = [
      nodegroup("general", {
        remoteAccess: { ec2SshKey: "ops" },
        resources: { remoteAccessSecurityGroup: "sg-0remote" },
      }),
    ];

    // Act
    const [ng] = auditedNodegroups(inventoryOf(spec));

    // Assess
    expect(ng?.nodeSecurityGroups).toEqual({
      groupIds: [CLUSTER_SG, "sg-0remote"],
      source: "cluster-security-group",
      remoteAccessGroupId: "sg-0remote",
    });
  });
});
