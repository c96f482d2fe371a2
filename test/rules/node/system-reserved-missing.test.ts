import { describe, expect, it } from "vitest";
import { systemReservedMissing } from "#shared/rules/node/system-reserved-missing.ts";
import {
  al2UserData,
  al2023UserData,
  base64,
  bottlerocketUserData,
  mimeMessage,
  nodeConfig,
  nodeConfigPart,
} from "#test/models/kubelet/user-data.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { CLUSTER, nodeInventory } from "./fixtures.ts";

describe("Rule: node.system-reserved-missing", () => {
  it("fires for a stock AL2023 node group with a paste-able NodeConfig", async () => {
    // Prepare
    const inventory = await nodeInventory([{ name: "stock", amiType: "AL2023_x86_64_STANDARD" }]);

    // Act
    const findings = expectFires(systemReservedMissing, inventory);

    // Assess
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({ cluster: CLUSTER, resourceId: "stock", severity: "MEDIUM" });
    expect(finding?.detail).toContain("AL2023");
    expect(finding?.detail).toContain("memory=574Mi");
    expect(finding?.remediation).toContain("kind: NodeConfig");
    expect(finding?.remediation).toContain("systemReserved:");
    for (const key of ["memory.available", "nodefs.available", "imagefs.available", "nodefs.inodesFree"]) {
      expect(finding?.remediation).toContain(`${key}:`);
    }
    expect(finding?.evidence).toMatchObject({ family: "AL2023", systemReserved: { source: "ami-default" } });
  });

  it("gives the AL2 flags and the Bottlerocket table in their own formats", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "al2", amiType: "AL2_x86_64" },
      {
        name: "br",
        amiType: "BOTTLEROCKET_x86_64",
        userData: bottlerocketUserData("[settings.kubernetes]\n"),
      },
    ]);

    // Act
    const [al2, br] = systemReservedMissing.evaluate(inventory);

    // Assess
    expect(al2?.remediation).toContain(
      "--kubelet-extra-args '--system-reserved=cpu=100m,memory=500Mi,ephemeral-storage=1Gi --eviction-hard=memory.available<200Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%'",
    );
    expect(br?.remediation).toContain("[settings.kubernetes.system-reserved]");
    expect(br?.remediation).toContain('"nodefs.inodesFree" = "5%"');
  });

  it("does not fire when user data sets systemReserved", async () => {
    // Prepare
    const inventory = await nodeInventory([
      {
        name: "al2023",
        userData: al2023UserData("    config:\n      systemReserved:\n        memory: 1Gi\n"),
      },
      { name: "al2", amiType: "AL2_x86_64", userData: al2UserData("--system-reserved=cpu=100m,memory=1Gi") },
    ]);

    // Act
    const findings = systemReservedMissing.evaluate(inventory);

    // Assess
    expect(findings).toEqual([]);
  });

  it("fires for an AL2023 empty config map and for a flag that empties the map", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "empty-config", userData: al2023UserData("    config:\n      systemReserved: {}\n") },
      {
        name: "flag-empties",
        userData: al2023UserData(
          "    config:\n      systemReserved:\n        memory: 1Gi\n    flags:\n      - --system-reserved=\n",
        ),
      },
    ]);

    // Act
    const findings = systemReservedMissing.evaluate(inventory);

    // Assess
    expect(findings.map((f) => f.resourceId)).toEqual(["empty-config", "flag-empties"]);
    expect(findings[1]?.detail).toContain("(a --system-reserved flag)");
    expect(findings[1]?.remediation).toMatch(/^Remove --system-reserved from spec\.kubelet\.flags/);
  });

  it("does not fire when later NodeConfig parts merge an empty map into an earlier one", async () => {
    // Prepare
    const userData = base64(
      mimeMessage([
        nodeConfigPart(nodeConfig("    config:\n      systemReserved:\n        memory: 1Gi\n")),
        nodeConfigPart(nodeConfig("    config:\n      systemReserved: {}\n")),
      ]),
    );
    const inventory = await nodeInventory([{ name: "merged", userData }]);

    // Act
    const findings = systemReservedMissing.evaluate(inventory);

    // Assess
    expect(findings).toEqual([]);
  });

  it("does not judge custom AMIs or user data it could not parse", async () => {
    // Prepare
    const inventory = await nodeInventory([
      { name: "custom", amiType: "CUSTOM", imageId: "ami-0123" },
      { name: "broken", amiType: "AL2023_x86_64_STANDARD", userData: "not-base64!" },
    ]);

    // Act
    const findings = expectQuiet(systemReservedMissing, inventory);

    // Assess
    expect(findings).toEqual([]);
  });
});
