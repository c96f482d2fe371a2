import { describe, expect, it } from "vitest";
import { kubeletConfigUnknown } from "#shared/rules/node/kubelet-config-unknown.ts";
import { al2023UserData, base64 } from "#test/models/kubelet/user-data.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { nodeInventory } from "./fixtures.ts";

describe("Rule: node.kubelet-config-unknown", () => {
  it("fires for a custom AMI with a command that reads the live settings", async () => {
    // Prepare
    const inventory = await nodeInventory([{ name: "custom", amiType: "CUSTOM", imageId: "ami-0123" }]);

    // Act
    const findings = expectFires(kubeletConfigUnknown, inventory);

    // Assess
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({ resourceId: "custom", severity: "INFO" });
    expect(finding?.detail).toContain("custom AMI");
    expect(finding?.evidence).toMatchObject({ known: false, reason: "custom-ami" });
    expect(finding?.remediation).toContain("eks.amazonaws.com/nodegroup=custom");
    expect(finding?.remediation).toContain("/proxy/configz");
    expect(finding?.remediation).toContain("kind: KubeletConfiguration");
  });

  it("fires for user data it could not parse, saying the defaults are assumed", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "broken", amiType: "AL2023_x86_64_STANDARD", userData: base64("kind: [NodeConfig") },
    ]);

    // Act
    const findings = kubeletConfigUnknown.evaluate(inventory);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence).toMatchObject({
      assumedDefaults: true,
      parseError: expect.stringMatching(/neither/),
    });
    expect(findings[0]?.detail).toContain("assumed");
    expect(findings[0]?.remediation).toContain("kind: NodeConfig");
  });

  it("does not fire for node groups whose settings were read", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "stock", amiType: "BOTTLEROCKET_ARM_64" },
      {
        name: "configured",
        userData: al2023UserData("    config:\n      systemReserved:\n        memory: 1Gi\n"),
      },
    ]);

    // Act
    const findings = expectQuiet(kubeletConfigUnknown, inventory);

    // Assess
    expect(findings).toEqual([]);
  });
});
