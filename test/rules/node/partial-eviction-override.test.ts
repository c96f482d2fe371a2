import { describe, expect, it } from "vitest";
import { partialEvictionOverride } from "#shared/rules/node/partial-eviction-override.ts";
import { al2UserData, al2023UserData, bottlerocketUserData } from "#test/models/kubelet/user-data.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { nodeInventory } from "./fixtures.ts";

describe("Rule: node.partial-eviction-override", () => {
  it("fires when an AL2 flag replaces the AMI's thresholds with fewer", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "al2", amiType: "AL2_x86_64", userData: al2UserData("--eviction-hard=memory.available<500Mi") },
    ]);

    // Act
    const findings = expectFires(partialEvictionOverride, inventory);

    // Assess
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({ resourceId: "al2", severity: "HIGH" });
    expect(finding?.evidence).toMatchObject({
      keysSet: ["memory.available"],
      keysLost: ["nodefs.available", "nodefs.inodesFree"],
      evictionHard: {
        value: { "memory.available": "500Mi" },
        sources: { "memory.available": "flag" },
        replacedBy: "flag",
      },
    });
    expect(finding?.detail).toContain("memory.available<500Mi (flag)");
    // The user's own memory threshold is kept; the others are filled in.
    expect(finding?.remediation).toContain(
      "--eviction-hard=memory.available<500Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%",
    );
  });

  it("fires for an AL2023 spec.kubelet.flags override and says to drop the flag", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "al2023-flag",
        userData: al2023UserData(
          "    config:\n      evictionHard:\n        nodefs.available: 5%\n    flags:\n      - --eviction-hard=memory.available<300Mi\n",
        ),
      },
      { name: "al2023-empty-flag", userData: al2023UserData("    flags: ['--eviction-hard=']\n") },
    ]);

    // Act
    const findings = partialEvictionOverride.evaluate(inventory);

    // Assess
    expect(findings.map((f) => [f.resourceId, f.evidence.keysLost])).toEqual([
      ["al2023-flag", ["nodefs.available", "nodefs.inodesFree"]],
      ["al2023-empty-flag", ["memory.available", "nodefs.available", "nodefs.inodesFree"]],
    ]);
    expect(findings[0]?.remediation).toMatch(/^Remove --eviction-hard from spec\.kubelet\.flags/);
    expect(findings[0]?.remediation).toContain("memory.available: 300Mi");
  });

  it("fires for a partial Bottlerocket eviction-hard table, which replaces the kubelet's defaults", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "br",
        amiType: "BOTTLEROCKET_x86_64",
        userData: bottlerocketUserData('[settings.kubernetes.eviction-hard]\n"memory.available" = "15%"\n'),
      },
    ]);

    // Act
    const findings = partialEvictionOverride.evaluate(inventory);

    // Assess
    expect(findings.map((f) => [f.resourceId, f.evidence.keysLost])).toEqual([
      ["br", ["nodefs.available", "imagefs.available", "nodefs.inodesFree"]],
    ]);
    expect(findings[0]?.remediation).toContain("[settings.kubernetes.eviction-hard]");
  });

  it("does not fire for an AL2023 config map, which merges into nodeadm's thresholds", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "memory-only",
        userData: al2023UserData("    config:\n      evictionHard:\n        memory.available: 300Mi\n"),
      },
      {
        name: "nodefs-only",
        userData: al2023UserData("    config:\n      evictionHard:\n        nodefs.available: 5%\n"),
      },
    ]);

    // Act
    const findings = partialEvictionOverride.evaluate(inventory);

    // Assess
    expect(findings).toEqual([]);
    expect(inventory.kubelet["prod/memory-only"]?.evictionHard.value).toEqual({
      "memory.available": "300Mi",
      "nodefs.available": "10%",
      "nodefs.inodesFree": "5%",
    });
  });

  it("does not fire when the replacement keeps every threshold the AMI sets, or nothing replaces them", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "al2-complete",
        amiType: "AL2_x86_64",
        userData: al2UserData(
          "--eviction-hard=memory.available<500Mi,nodefs.available<10%,nodefs.inodesFree<5%",
        ),
      },
      {
        name: "br-complete",
        amiType: "BOTTLEROCKET_x86_64",
        userData: bottlerocketUserData(
          '[settings.kubernetes.eviction-hard]\n"memory.available" = "300Mi"\n"nodefs.available" = "10%"\n"imagefs.available" = "15%"\n"nodefs.inodesFree" = "5%"\n',
        ),
      },
      { name: "br-stock", amiType: "BOTTLEROCKET_x86_64" },
      { name: "al2-stock", amiType: "AL2_x86_64" },
      { name: "al2023-stock", amiType: "AL2023_x86_64_STANDARD" },
    ]);

    // Act
    const findings = expectQuiet(partialEvictionOverride, inventory);

    // Assess
    expect(findings).toEqual([]);
  });
});
