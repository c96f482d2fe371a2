import { describe, expect, it } from "vitest";
import { scanAccessDenied } from "#shared/rules/scan/access-denied.ts";
import { expectFires, expectQuiet } from "#test/support/scanner-rules.ts";
import { MEMBER, memberEstate, REGION } from "./fixtures.ts";

describe("Rule: scan.access-denied", () => {
  it("fires when the member role cannot be assumed, naming the role", async () => {
    // Prepare
    const estate = memberEstate({ assumeRoleDenied: [MEMBER] });

    // Act
    const findings = await expectFires(scanAccessDenied, estate);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      accountId: MEMBER,
      region: REGION,
      cluster: "-",
      severity: scanAccessDenied.severity,
      resourceId: `arn:aws:iam::${MEMBER}:role/EksAuditorReadRole`,
      evidence: { errorName: "AccessDenied" },
    });
  });

  it("does not fire when the role can be assumed", async () => {
    // Act
    const findings = await expectQuiet(scanAccessDenied, memberEstate());

    // Assess
    expect(findings).toEqual([]);
  });

  it("is not evaluated on inventories: the scanner produces it", () => {
    // Assess
    expect("evaluate" in scanAccessDenied).toBe(false);
    expect(scanAccessDenied.producedBy).toBe("scanner");
  });
});
