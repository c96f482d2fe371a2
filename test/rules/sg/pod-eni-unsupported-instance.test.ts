import { describe, expect, it } from "vitest";
import { podEniUnsupportedInstance } from "#shared/rules/sg/pod-eni-unsupported-instance.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import {
  CLUSTER,
  healthySpec,
  inventoryOf,
  LT_ID,
  launchTemplateSpec,
  launchTemplateVersion,
  NODE_SG,
  nodegroup,
  REGION,
  vpcCni,
} from "./fixtures.ts";

describe("Rule: sg.pod-eni-unsupported-instance", () => {
  it("fires LOW for a t3 node group when ENABLE_POD_ENI is true and suggests the same size in m5", () => {
    // Prepare
    const spec = healthySpec();
    spec.addons = [vpcCni({ ENABLE_POD_ENI: "true" })];
    spec.nodegroups = [nodegroup("burst", { instanceTypes: ["t3.large"] })];

    // Act
    const findings = expectFires(podEniUnsupportedInstance, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "sg.pod-eni-unsupported-instance",
      cluster: CLUSTER,
      resourceId: "burst",
      severity: "LOW",
      title: "Node group burst uses t3.large, which cannot trunk: no security groups for pods there",
      evidence: {
        instanceTypes: ["t3.large"],
        unsupported: [
          { instanceType: "t3.large", reason: "no-trunking", hypervisor: "nitro", branchInterfaces: 0 },
        ],
        suggestedInstanceType: { instanceType: "m5.large", branchInterfaces: 9 },
      },
    });
    expect(findings[0]?.detail).toContain("m5.large trunks with up to 9 branch ENIs");
    expect(findings[0]?.remediation).toContain(
      `aws eks create-nodegroup --region ${REGION} --cluster-name ${CLUSTER} --nodegroup-name burst-trunk --node-role`,
    );
    expect(findings[0]?.remediation).toContain("--instance-types m5.large");
  });

  it("keeps the trunking types of a mixed node group and suggests m6g for Arm", () => {
    // Prepare
    const spec = healthySpec();
    spec.addons = [vpcCni({ ENABLE_POD_ENI: "true" })];
    spec.nodegroups = [
      nodegroup("arm", { amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m6g.xlarge", "t4g.xlarge"] }),
    ];

    // Act
    const [finding] = podEniUnsupportedInstance.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.evidence).toMatchObject({
      unsupported: [{ instanceType: "t4g.xlarge" }],
      suggestedInstanceType: { instanceType: "m6g.xlarge", branchInterfaces: 18 },
    });
    expect(finding?.detail).toContain("only land on the group's other instance types");
    expect(finding?.remediation).toContain("--instance-types m6g.xlarge");
  });

  it("reads the instance type from the launch template and rolls a new version", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.addons = [vpcCni({ ENABLE_POD_ENI: "true" })];
    spec.nodegroups = [
      nodegroup("general", { instanceTypes: [], launchTemplate: { id: LT_ID, version: "1" } }),
    ];
    spec.launchTemplateVersions = [
      launchTemplateVersion(1, { securityGroupIds: [NODE_SG], instanceType: "t3.medium" }),
    ];

    // Act
    const [finding] = podEniUnsupportedInstance.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.evidence).toMatchObject({ instanceTypes: ["t3.medium"] });
    expect(finding?.remediation).toContain(
      `aws ec2 create-launch-template-version --region ${REGION} --launch-template-id ${LT_ID} --source-version '1' --launch-template-data '{"InstanceType":"m5.large"}'`,
    );
  });

  it("fires for a Windows node group", () => {
    // Prepare
    const spec = healthySpec();
    spec.addons = [vpcCni({ ENABLE_POD_ENI: "true" })];
    spec.nodegroups = [
      nodegroup("win", { amiType: "WINDOWS_FULL_2022_x86_64", instanceTypes: ["m5.large"] }),
    ];

    // Act
    const [finding] = podEniUnsupportedInstance.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.title).toBe("Windows node group win cannot run pods with security groups");
    expect(finding?.evidence).toMatchObject({
      unsupported: [{ instanceType: "m5.large", reason: "windows" }],
    });
  });

  it("does not fire for trunking types or when ENABLE_POD_ENI is off", () => {
    // Prepare
    const trunking = healthySpec();
    trunking.addons = [vpcCni({ ENABLE_POD_ENI: "true" })];
    const off = healthySpec();
    off.nodegroups = [nodegroup("burst", { instanceTypes: ["t3.large"] })];

    // Act
    const findings = [trunking, off].flatMap((spec) =>
      expectQuiet(podEniUnsupportedInstance, inventoryOf(spec)),
    );

    // Assess
    expect(findings).toEqual([]);
  });
});
