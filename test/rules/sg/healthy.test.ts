import { describe, expect, it } from "vitest";
import { findingKey, RULE_IDS } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { SG_RULES } from "#shared/rules/sg/index.ts";
import {
  allTraffic,
  branchEni,
  CLUSTER_SG,
  DATA_VPC,
  healthySpec,
  inventoryOf,
  launchTemplateSpec,
  NODE_SG,
  nodegroup,
  PUBLIC_A,
  securityGroup,
  tcp,
  vpcCni,
} from "./fixtures.ts";

function evaluateSg(inventory: Inventory) {
  return SG_RULES.flatMap((rule) => rule.evaluate(inventory));
}

describe("Rules: sg.*", () => {
  it("lists the catalog's sg rules in catalog order", () => {
    // Act
    const ids = SG_RULES.map((r) => r.id);

    // Assess
    expect(ids).toEqual(RULE_IDS.filter((id) => id.startsWith("sg.")));
  });

  it.each([
    ["a node group on the cluster SG", healthySpec],
    ["a node group on launch-template SGs with the control-plane rules", launchTemplateSpec],
  ])("find nothing for %s", (_name, spec) => {
    // Act
    const findings = evaluateSg(inventoryOf(spec()));

    // Assess
    expect(findings).toEqual([]);
  });

  it("give every finding its own key in a messy estate", () => {
    // Prepare: three node groups sharing the cluster SG, SSH and node ports open, two data stores, SGP on t3.
    const spec = healthySpec();
    spec.addons = [vpcCni({ ENABLE_POD_ENI: "true" })];
    spec.nodegroups = [
      nodegroup("general", {
        remoteAccess: { ec2SshKey: "ops" },
        resources: { remoteAccessSecurityGroup: "sg-0ra" },
      }),
      nodegroup("edge", { subnets: [PUBLIC_A], instanceTypes: ["t3.large"] }),
      nodegroup("batch"),
    ];
    spec.securityGroups = [
      securityGroup(CLUSTER_SG, "eks-cluster-sg", {
        ingress: [allTraffic({ groups: [CLUSTER_SG] }), tcp([0, 65535], { cidrs: ["0.0.0.0/0"] })],
      }),
      securityGroup("sg-0ra", "eks-remoteAccess", { ingress: [tcp(22, { cidrs: ["0.0.0.0/0"] })] }),
      securityGroup("sg-0rds", "orders-db", {
        vpcId: DATA_VPC,
        ingress: [tcp(5432, { groups: [CLUSTER_SG] })],
      }),
      securityGroup("sg-0redis", "cache", { ingress: [tcp(6379, { groups: [CLUSTER_SG, NODE_SG] })] }),
    ];
    spec.networkInterfaces = [branchEni("eni-0b", ["sg-0app"])];

    // Act
    const findings = evaluateSg(inventoryOf(spec));

    // Assess
    const keys = findings.map(findingKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(
      [
        "eu-west-1#prod#sg.datastore-reachable-by-all-pods#sg-0rds",
        "eu-west-1#prod#sg.datastore-reachable-by-all-pods#sg-0redis",
        "eu-west-1#prod#sg.node-world-ingress#batch",
        "eu-west-1#prod#sg.node-world-ingress#edge",
        "eu-west-1#prod#sg.node-world-ingress#general",
        "eu-west-1#prod#sg.pod-eni-unsupported-instance#edge",
        "eu-west-1#prod#sg.ssh-open-to-world#batch",
        "eu-west-1#prod#sg.ssh-open-to-world#edge",
        "eu-west-1#prod#sg.ssh-open-to-world#general",
      ].sort(),
    );
    expect(findings.find((f) => findingKey(f) === "eu-west-1#prod#sg.ssh-open-to-world#edge")?.severity).toBe(
      "CRITICAL",
    );
  });
});
