import { describe, expect, it } from "vitest";
import { scanRegionUnavailable } from "#shared/rules/scan/region-unavailable.ts";
import { expectFires, expectQuiet } from "#test/support/scanner-rules.ts";
import { MEMBER, memberEstate, REGION } from "./fixtures.ts";

describe("Rule: scan.region-unavailable", () => {
  it("fires for a region the account has not enabled, and only for that region", async () => {
    // Prepare
    const estate = memberEstate({ regionsNotEnabled: { [MEMBER]: ["ap-south-1"] } });

    // Act
    const findings = await expectFires(scanRegionUnavailable, estate);

    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        accountId: MEMBER,
        region: "ap-south-1",
        resourceId: "ap-south-1",
        severity: "INFO",
      }),
    ]);
  });

  it(`does not fire for ${REGION}, which is enabled`, async () => {
    // Act
    const findings = await expectQuiet(scanRegionUnavailable, memberEstate());

    // Assess
    expect(findings).toEqual([]);
  });
});
