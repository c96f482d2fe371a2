import { describe, expect, it } from "vitest";
import type { RuleId } from "#shared/findings/index.ts";
import { coverageToClose } from "#shared/scan/coverage.ts";
import type { ScopePlan } from "#shared/scan/plan.ts";

const plan: ScopePlan = {
  accountIds: ["111122223333", "222233334444"],
  scopes: [
    { accountId: "111122223333", region: "eu-west-1" },
    {
      accountId: "222233334444",
      region: "us-east-1",
      planError: { name: "AccessDenied", message: "denied" },
    },
  ],
  // 222233334444's regions could not be listed: nothing is known about them
  regionsOf: new Map([["111122223333", ["eu-west-1"]]]),
};

const coverage = (accountId: string, region: string, ruleId: RuleId, cluster = "-") => ({
  accountId,
  region,
  cluster,
  ruleId,
  resourceId: `${accountId}/${region}`,
});

describe("Function: coverageToClose", () => {
  it("closes the coverage of an account that left the plan, with the reason", () => {
    const closures = coverageToClose(plan, [coverage("999988887777", "eu-west-1", "scan.access-denied")]);
    expect(closures).toHaveLength(1);
    expect(closures[0]?.reason).toMatch(/^account 999988887777 is no longer planned/);
  });

  it("closes the coverage of a region the account no longer scans (disabled, or a planner fallback)", () => {
    const closures = coverageToClose(plan, [
      coverage("111122223333", "us-east-1", "scan.access-denied"),
      coverage("111122223333", "ap-south-1", "scan.region-unavailable"),
    ]);
    expect(closures.map((c) => c.finding.region)).toEqual(["us-east-1", "ap-south-1"]);
    expect(closures.every((c) => c.reason.startsWith("region "))).toBe(true);
  });

  it("keeps planned scopes, accounts whose regions are unknown, cluster-level coverage and other rules", () => {
    const closures = coverageToClose(plan, [
      coverage("111122223333", "eu-west-1", "scan.error"),
      coverage("222233334444", "eu-west-1", "scan.error"),
      coverage("111122223333", "us-east-1", "scan.error", "prod"),
      coverage("999988887777", "eu-west-1", "ip.subnet-exhausted"),
    ]);
    expect(closures).toEqual([]);
  });
});
