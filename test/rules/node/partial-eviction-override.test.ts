import { describe, expect, it } from "vitest";
import { partialEvictionOverride } from "#shared/rules/node/partial-eviction-override.ts";
import { al2UserData, al2023UserData, bottlerocketUserData } from "#test/models/kubelet/user-data.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { nodeInventory } from "./fixtures.ts";

describe("Rule: node.partial-eviction-override", () => {
  it("fires when user data sets some thresholds and omits the others", async () => {
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
      keysMissing: ["nodefs.available", "imagefs.available", "nodefs.inodesFree"],
    });
    expect(finding?.detail).toContain("memory.available<500Mi");
    // The user's own memory threshold is kept; the missing three are filled in.
    expect(finding?.remediation).toContain(
      "--eviction-hard=memory.available<500Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%",
    );
  });

  it("fires for a partial Bottlerocket eviction-hard table and an AL2023 NodeConfig", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "br",
        amiType: "BOTTLEROCKET_x86_64",
        userData: bottlerocketUserData('[settings.kubernetes.eviction-hard]\n"memory.available" = "15%"\n'),
      },
      {
        name: "al2023",
        userData: al2023UserData("    config:\n      evictionHard:\n        nodefs.available: 5%\n"),
      },
    ]);

    // Act
    const findings = partialEvictionOverride.evaluate(inventory);

    // Assess
    expect(findings.map((f) => f.resourceId)).toEqual(["br", "al2023"]);
    expect(findings[0]?.remediation).toContain("[settings.kubernetes.eviction-hard]");
    expect(findings[1]?.remediation).toContain("nodefs.available: 5%");
  });

  it("does not fire when all four thresholds are set or the AMI default applies", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "complete",
        amiType: "AL2_x86_64",
        userData: al2UserData(
          "--eviction-hard=memory.available<500Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%",
        ),
      },
      { name: "stock", amiType: "AL2023_x86_64_STANDARD" },
    ]);

    // Act
    const findings = expectQuiet(partialEvictionOverride, inventory);

    // Assess
    expect(findings).toEqual([]);
  });
});
