import { describe, expect, it } from "vitest";
import { kubeReservedDisabled } from "#shared/rules/node/kube-reserved-disabled.ts";
import { al2UserData, al2023UserData, bottlerocketUserData } from "#test/models/kubelet/user-data.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { nodeInventory } from "./fixtures.ts";

describe("Rule: node.kube-reserved-disabled", () => {
  it("fires for AL2 flags that zero or drop cpu and memory", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "zero", amiType: "AL2_x86_64", userData: al2UserData("--kube-reserved=cpu=0,memory=0Mi") },
      {
        name: "partial",
        amiType: "AL2_x86_64",
        userData: al2UserData("--kube-reserved=ephemeral-storage=2Gi"),
      },
    ]);

    // Act
    const findings = kubeReservedDisabled.evaluate(inventory);

    // Assess
    expect(
      findings.map((f) => [f.resourceId, f.severity, f.evidence.zeroedKeys, f.evidence.keysLost]),
    ).toEqual([
      ["zero", "HIGH", ["cpu", "memory"], []],
      ["partial", "HIGH", [], ["cpu", "memory"]],
    ]);
    // m5.large: the AMI would reserve 11 × 29 + 255 = 574Mi and 70m.
    expect(findings[0]?.remediation).toContain("--kube-reserved=cpu=70m,ephemeral-storage=1Gi,memory=574Mi");
    expect(findings[0]?.remediation).toContain("--system-reserved=");
    expect(findings[1]?.title).toContain("cpu, memory not set");
  });

  it("fires for an AL2023 zero in the config map and an empty AL2023 flag", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "config-zero",
        userData: al2023UserData("    config:\n      kubeReserved:\n        memory: 0\n"),
      },
      { name: "flag-empty", userData: al2023UserData("    flags:\n      - --kube-reserved=\n") },
    ]);

    // Act
    const findings = kubeReservedDisabled.evaluate(inventory);

    // Assess
    expect(
      findings.map((f) => [f.resourceId, f.evidence.zeroedKeys, f.evidence.keysLost, f.evidence.empty]),
    ).toEqual([
      ["config-zero", ["memory"], [], false],
      ["flag-empty", [], ["cpu", "memory"], true],
    ]);
    // The effective map and each value's source are in the evidence: cpu stays the AMI's.
    expect(findings[0]?.evidence.kubeReserved).toMatchObject({
      value: { cpu: "70m", "ephemeral-storage": "1Gi", memory: "0" },
      sources: { cpu: "ami-default", "ephemeral-storage": "ami-default", memory: "user-config" },
    });
    expect(findings[1]?.remediation).toMatch(/^Remove --kube-reserved from spec\.kubelet\.flags/);
  });

  it("fires for a zeroed Bottlerocket kube-reserved key", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "br",
        amiType: "BOTTLEROCKET_x86_64",
        userData: bottlerocketUserData('[settings.kubernetes.kube-reserved]\nmemory = "0"\n'),
      },
    ]);

    // Act
    const findings = expectFires(kubeReservedDisabled, inventory);

    // Assess
    expect(findings.map((f) => [f.resourceId, f.evidence.zeroedKeys])).toEqual([["br", ["memory"]]]);
    expect(findings[0]?.remediation).toContain("[settings.kubernetes.kube-reserved]");
  });

  it("does not fire for an empty AL2023 config map, which changes nothing", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "empty", userData: al2023UserData("    config:\n      kubeReserved: {}\n") },
    ]);

    // Act
    const findings = kubeReservedDisabled.evaluate(inventory);

    // Assess
    expect(findings).toEqual([]);
    expect(inventory.kubelet["prod/empty"]?.kubeReserved.value).toEqual({
      cpu: "70m",
      "ephemeral-storage": "1Gi",
      memory: "574Mi",
    });
  });

  it("does not fire for the AMI's kubeReserved or non-zero overrides, in any family", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "al2-stock", amiType: "AL2_x86_64" },
      {
        name: "al2-raised",
        amiType: "AL2_x86_64",
        userData: al2UserData("--kube-reserved=cpu=100m,memory=1Gi"),
      },
      {
        name: "al2023-raised",
        userData: al2023UserData("    config:\n      kubeReserved:\n        memory: 2Gi\n"),
      },
      {
        name: "br-raised",
        amiType: "BOTTLEROCKET_x86_64",
        userData: bottlerocketUserData('[settings.kubernetes.kube-reserved]\ncpu = "200m"\n'),
      },
    ]);

    // Act
    const findings = expectQuiet(kubeReservedDisabled, inventory);

    // Assess
    expect(findings).toEqual([]);
  });
});
