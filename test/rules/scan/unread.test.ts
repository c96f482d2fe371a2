import { describe, expect, it } from "vitest";
import type { UnreadResource } from "#shared/findings/index.ts";
import { SUBNET_HEADROOM_RULES } from "#shared/inventory/assemble.ts";
import { emptyInventory, type Inventory } from "#shared/inventory/types.ts";
import { coverageFindings } from "#shared/rules/scan/unread.ts";

function inventoryWith(unread: UnreadResource[]): Inventory {
  return { ...emptyInventory("111122223333", "eu-west-1"), unread };
}

const LT_GONE = {
  what: "DescribeLaunchTemplateVersions lt-0abc version 3",
  errorName: "InvalidLaunchTemplateId.VersionNotFound",
};

describe("Function: coverageFindings", () => {
  it("names nothing when everything was read", () => {
    // Act
    const findings = coverageFindings(inventoryWith([]));

    // Assess
    expect(findings).toEqual([]);
  });

  it("reports a denied call as scan.access-denied (HIGH), naming the resource, the call and the error", () => {
    // Prepare
    const inventory = inventoryWith([
      {
        cluster: "prod",
        rulePrefixes: ["ip."],
        what: "DescribeAddon vpc-cni",
        errorName: "AccessDeniedException",
      },
    ]);

    // Act
    const [finding, ...rest] = coverageFindings(inventory);

    // Assess
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      accountId: "111122223333",
      region: "eu-west-1",
      cluster: "prod",
      ruleId: "scan.access-denied",
      resourceId: "prod",
      variant: "DescribeAddon",
      severity: "HIGH",
      evidence: { what: "DescribeAddon vpc-cni", errorName: "AccessDeniedException" },
    });
    for (const text of [finding?.title, finding?.detail]) {
      expect(text).toContain("add-on vpc-cni");
      expect(text).toContain("DescribeAddon");
      expect(text).toContain("AccessDeniedException");
    }
    expect(finding?.remediation).toContain("eks:DescribeAddon");
    expect(finding?.remediation).toContain(
      "aws eks describe-addon --region eu-west-1 --cluster-name prod --addon-name vpc-cni",
    );
  });

  it("gives each node group of a gone launch template version a scan.error (MEDIUM), not its subnets", () => {
    // Prepare
    const inventory = inventoryWith([
      { cluster: "prod", resourceId: "web", ...LT_GONE },
      { cluster: "prod", resourceId: "api", ...LT_GONE },
      { cluster: "prod", resourceId: "subnet-0a", rulePrefixes: SUBNET_HEADROOM_RULES, ...LT_GONE },
      { cluster: "prod", rulePrefixes: ["sg.datastore-reachable-by-all-pods"], ...LT_GONE },
    ]);

    // Act
    const findings = coverageFindings(inventory);

    // Assess
    expect(findings.map((f) => [f.cluster, f.ruleId, f.resourceId, f.severity])).toEqual([
      ["prod", "scan.error", "web", "MEDIUM"],
      ["prod", "scan.error", "api", "MEDIUM"],
    ]);
    expect(findings[0]?.title).toContain("launch template lt-0abc version 3");
    expect(findings[0]?.detail).toContain("subnet-0a");
    expect(findings[0]?.remediation).toContain(
      "aws ec2 describe-launch-template-versions --region eu-west-1 --launch-template-id lt-0abc --versions '3'",
    );
  });

  it("merges two failures of one call about the same node group into one finding", () => {
    // Prepare
    const inventory = inventoryWith(
      ["x9.one", "x9.two"].map((t) => ({
        cluster: "prod",
        resourceId: "batch",
        rulePrefixes: ["ip."],
        what: `DescribeInstanceTypes ${t}`,
        errorName: "InvalidInstanceType",
      })),
    );

    // Act
    const findings = coverageFindings(inventory);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence).toEqual({
      what: "DescribeInstanceTypes x9.one; DescribeInstanceTypes x9.two",
      errorName: "InvalidInstanceType",
    });
  });
});
