import { describe, expect, it } from "vitest";
import { missingControlPlaneRules } from "#shared/rules/sg/missing-control-plane-rules.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import {
  allTraffic,
  CLUSTER,
  CLUSTER_SG,
  clusterSecurityGroup,
  healthySpec,
  inventoryOf,
  launchTemplateSpec,
  NODE_SG,
  nodegroup,
  REGION,
  type SgSpec,
  securityGroup,
  tcp,
} from "./fixtures.ts";

function nodeGroupSg(spec: SgSpec) {
  const sg = spec.securityGroups.find((g) => g.GroupId === NODE_SG);
  if (!sg) throw new Error("fixture has no node SG");
  return sg;
}

describe("Rule: sg.missing-control-plane-rules", () => {
  it("fires when launch-template SGs lack 10250 from the control plane", () => {
    // Prepare
    const spec = launchTemplateSpec();
    nodeGroupSg(spec).IpPermissions = [allTraffic({ groups: [NODE_SG] })];

    // Act
    const findings = expectFires(missingControlPlaneRules, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "sg.missing-control-plane-rules",
      cluster: CLUSTER,
      resourceId: "general",
      severity: "HIGH",
      title: "Node group general lacks 1 control-plane SG rule (10250 into nodes)",
      evidence: {
        nodeSecurityGroups: [NODE_SG],
        securityGroupSource: "launch-template",
        controlPlaneSecurityGroups: [CLUSTER_SG],
        missing: ["node-ingress-10250-from-control-plane"],
        checks: {
          "node-ingress-10250-from-control-plane": "missing",
          "control-plane-ingress-443-from-nodes": "present",
          "node-egress-443-to-control-plane": "present",
          "control-plane-egress-10250-to-nodes": "present",
        },
      },
    });
    expect(findings[0]?.remediation).toContain(
      `1. aws ec2 authorize-security-group-ingress --region ${REGION} --group-id ${NODE_SG} --protocol tcp --port 10250 --source-group ${CLUSTER_SG}`,
    );
  });

  it("fires when the cluster SG does not accept 443 from the node SG and names the node group's health issue", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.securityGroups = spec.securityGroups.map((g) =>
      g.GroupId === CLUSTER_SG ? clusterSecurityGroup() : g,
    );
    const [general] = spec.nodegroups;
    if (general)
      general.health = { issues: [{ code: "NodeCreationFailure", message: "Instances failed to join" }] };

    // Act
    const [finding] = missingControlPlaneRules.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.evidence).toMatchObject({
      missing: ["control-plane-ingress-443-from-nodes"],
      healthIssues: ["NodeCreationFailure"],
    });
    expect(finding?.detail).toContain("the node group already reports NodeCreationFailure");
    expect(finding?.remediation).toContain(
      `aws ec2 authorize-security-group-ingress --region ${REGION} --group-id ${CLUSTER_SG} --protocol tcp --port 443 --source-group ${NODE_SG}`,
    );
  });

  it("fires for restricted egress on both sides with exact egress commands", () => {
    // Prepare
    const spec = launchTemplateSpec();
    nodeGroupSg(spec).IpPermissionsEgress = [tcp(53, { cidrs: ["10.0.0.0/16"] })];
    const cluster = spec.securityGroups.find((g) => g.GroupId === CLUSTER_SG);
    if (cluster) cluster.IpPermissionsEgress = [allTraffic({ groups: [CLUSTER_SG] })];

    // Act
    const [finding] = missingControlPlaneRules.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.evidence.missing).toEqual([
      "node-egress-443-to-control-plane",
      "control-plane-egress-10250-to-nodes",
    ]);
    expect(finding?.remediation).toContain(
      `1. aws ec2 authorize-security-group-egress --region ${REGION} --group-id ${NODE_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"UserIdGroupPairs":[{"GroupId":"${CLUSTER_SG}"}]}]'`,
    );
    expect(finding?.remediation).toContain(
      `2. aws ec2 authorize-security-group-egress --region ${REGION} --group-id ${CLUSTER_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":10250,"ToPort":10250,"UserIdGroupPairs":[{"GroupId":"${NODE_SG}"}]}]'`,
    );
  });

  it("requires world egress on 443 when the cluster has no private endpoint", () => {
    // Prepare
    const spec = launchTemplateSpec();
    const vpcConfig = spec.cluster.resourcesVpcConfig;
    if (vpcConfig) vpcConfig.endpointPrivateAccess = false;
    nodeGroupSg(spec).IpPermissionsEgress = [allTraffic({ cidrs: ["10.0.0.0/16"] })];

    // Act
    const [finding] = missingControlPlaneRules.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.evidence).toMatchObject({
      endpointPrivateAccess: false,
      missing: ["node-egress-443-to-control-plane"],
    });
    expect(finding?.remediation).toContain(`"IpRanges":[{"CidrIp":"0.0.0.0/0"}]`);
  });

  it("accepts VPC-wide CIDR rules and an additional cluster SG in place of the cluster SG", () => {
    // Prepare: 10250 from the VPC CIDR; 443 accepted by an SG given at cluster creation.
    const spec = launchTemplateSpec();
    nodeGroupSg(spec).IpPermissions = [tcp(10250, { cidrs: ["10.0.0.0/16"] })];
    spec.securityGroups = spec.securityGroups.map((g) =>
      g.GroupId === CLUSTER_SG ? clusterSecurityGroup() : g,
    );
    spec.securityGroups.push(
      securityGroup("sg-0cpextra", "prod-control-plane", { ingress: [tcp(443, { groups: [NODE_SG] })] }),
    );
    const vpcConfig = spec.cluster.resourcesVpcConfig;
    if (vpcConfig) vpcConfig.securityGroupIds = ["sg-0cpextra"];

    // Act
    const findings = expectQuiet(missingControlPlaneRules, inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not fire for correct launch-template SGs, the cluster-SG model, or SGs it cannot see", () => {
    // Prepare: the third case names a node SG the inventory lacks.
    const unseen = launchTemplateSpec();
    unseen.securityGroups = unseen.securityGroups.filter((g) => g.GroupId !== NODE_SG);

    // Act
    const findings = [launchTemplateSpec(), healthySpec(), unseen].flatMap((spec) =>
      missingControlPlaneRules.evaluate(inventoryOf(spec)),
    );

    // Assess
    expect(findings).toEqual([]);
  });

  describe("the cluster SG's self-referencing rule", () => {
    /** The healthy spec (node group `general` on the cluster SG) plus `batch` on it too, the cluster SG's ingress replaced. */
    function clusterSgSpec(ingress: ReturnType<typeof tcp>[]) {
      const spec = healthySpec();
      spec.nodegroups.push(nodegroup("batch"));
      const clusterSg = clusterSecurityGroup();
      clusterSg.IpPermissions = ingress;
      spec.securityGroups = [clusterSg];
      return spec;
    }

    it("fires for the cluster SG when node groups run on it alone and its self rule is gone", () => {
      // Prepare
      const spec = clusterSgSpec([]);

      // Act
      const findings = expectFires(missingControlPlaneRules, inventoryOf(spec));

      // Assess
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        cluster: CLUSTER,
        resourceId: CLUSTER_SG,
        severity: "HIGH",
        title: `Cluster SG ${CLUSTER_SG} lost its self-referencing rule; 2 node groups rely on it`,
        evidence: {
          clusterSecurityGroup: CLUSTER_SG,
          nodegroups: ["general", "batch"],
          selfReferencingRule: "missing",
          controlPlaneSecurityGroups: [CLUSTER_SG],
          missing: [
            "cluster-sg-self-ingress",
            "control-plane-ingress-443-from-nodes",
            "node-ingress-10250-from-control-plane",
          ],
        },
      });
      expect(findings[0]?.detail).toContain("EKS re-creates the rule only at the next cluster update");
      expect(findings[0]?.remediation).toContain(
        `1. aws ec2 authorize-security-group-ingress --region ${REGION} --group-id ${CLUSTER_SG} --ip-permissions '[{"IpProtocol":"-1","UserIdGroupPairs":[{"GroupId":"${CLUSTER_SG}","Description":"EKS cluster SG: all traffic from itself"}]}]'`,
      );
    });

    it("names only node-to-node traffic as missing when other rules still carry 443 and 10250", () => {
      // Prepare
      const spec = clusterSgSpec([tcp(443, { groups: [CLUSTER_SG] }), tcp(10250, { groups: [CLUSTER_SG] })]);

      // Act
      const [finding] = expectFires(missingControlPlaneRules, inventoryOf(spec));

      // Assess
      expect(finding?.evidence).toMatchObject({
        missing: ["cluster-sg-self-ingress"],
        checks: {
          "cluster-sg-self-ingress": "missing",
          "control-plane-ingress-443-from-nodes": "present",
          "node-ingress-10250-from-control-plane": "present",
        },
      });
    });

    it("does not fire with the self rule, an all-traffic rule from the VPC, no node group on the cluster SG, or SGs it cannot see", () => {
      // Prepare
      const vpcWide = clusterSgSpec([allTraffic({ cidrs: ["10.0.0.0/16"] })]);
      const separateSgs = launchTemplateSpec();
      const clusterSg = separateSgs.securityGroups.find((g) => g.GroupId === CLUSTER_SG);
      if (clusterSg) clusterSg.IpPermissions = [tcp(443, { groups: [NODE_SG] })];
      const unseen = clusterSgSpec([]);
      unseen.securityGroups = [];
      const unknownTemplate = clusterSgSpec([]);
      unknownTemplate.nodegroups = [
        nodegroup("general", { launchTemplate: { id: "lt-0missing", version: "7" } }),
      ];

      // Act
      const findings = [healthySpec(), vpcWide, separateSgs, unseen, unknownTemplate].flatMap((spec) =>
        expectQuiet(missingControlPlaneRules, inventoryOf(spec)),
      );

      // Assess
      expect(findings).toEqual([]);
    });
  });
});
