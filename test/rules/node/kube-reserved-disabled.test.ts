import { describe, expect, it } from "vitest";
import { kubeReservedDisabled } from "#shared/rules/node/kube-reserved-disabled.ts";
import { al2UserData, al2023UserData, bottlerocketUserData } from "#test/models/kubelet/user-data.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { nodeInventory } from "./fixtures.ts";

describe("Rule: node.kube-reserved-disabled", () => {
  it("fires for an empty kubeReserved, zero flags and a zeroed Bottlerocket key", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "empty", userData: al2023UserData("    config:\n      kubeReserved: {}\n") },
      { name: "zero", amiType: "AL2_x86_64", userData: al2UserData("--kube-reserved=cpu=0,memory=0Mi") },
      {
        name: "br",
        amiType: "BOTTLEROCKET_x86_64",
        userData: bottlerocketUserData('[settings.kubernetes.kube-reserved]\nmemory = "0"\n'),
      },
    ]);

    // Act
    const findings = expectFires(kubeReservedDisabled, inventory);

    // Assess
    expect(findings.map((f) => [f.resourceId, f.severity, f.evidence.zeroedKeys])).toEqual([
      ["empty", "HIGH", []],
      ["zero", "HIGH", ["cpu", "memory"]],
      ["br", "HIGH", ["memory"]],
    ]);
    // m5.large: the AMI would reserve 11 × 29 + 255 = 574Mi and 70m.
    expect(findings[1]?.remediation).toContain("--kube-reserved=cpu=70m,ephemeral-storage=1Gi,memory=574Mi");
    expect(findings[1]?.remediation).toContain("--system-reserved=");
    expect(findings[2]?.remediation).toContain("[settings.kubernetes.kube-reserved]");
  });

  it("does not fire for the AMI's kubeReserved or a non-zero override", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "stock", amiType: "AL2_x86_64" },
      { name: "raised", userData: al2023UserData("    config:\n      kubeReserved:\n        memory: 2Gi\n") },
    ]);

    // Act
    const findings = expectQuiet(kubeReservedDisabled, inventory);

    // Assess
    expect(findings).toEqual([]);
  });
});
