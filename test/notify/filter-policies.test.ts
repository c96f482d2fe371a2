import { describe, expect, it } from "vitest";
import { type Alert, buildAlerts } from "#shared/notify/index.ts";
import { ACCOUNT, REGION } from "#test/store/fixtures.ts";
import { policyMatches, readmeFilterPolicies } from "./filter-policy.ts";
import { transition } from "./fixtures.ts";

const SCOPE = { accountId: ACCOUNT, region: REGION, accountName: "payments-prod" };
const OTHER = { accountId: "222233334444", region: REGION };

/** One run's messages, named for the expectations below. */
function messages(): Record<string, Alert> {
  const only = (alerts: Alert[]) => {
    const [alert, more] = alerts;
    if (alert === undefined || more !== undefined) throw new Error("expected exactly one message");
    return alert;
  };
  return {
    // payments HIGH and data CRITICAL in one account-region
    twoTeams: only(
      buildAlerts(
        SCOPE,
        "run-1",
        [
          transition("NEW", "HIGH", { team: "payments" }),
          transition("NEW", "CRITICAL", {
            team: "data",
            cluster: "etl",
            ruleId: "ip.subnet-exhausted",
            resourceId: "subnet-1",
          }),
        ],
        { minSeverity: "HIGH" },
      ),
    ),
    // payments only MEDIUM (paging at MEDIUM), data HIGH: the message's severity is data's
    paymentsMedium: only(
      buildAlerts(
        SCOPE,
        "run-1",
        [
          transition("NEW", "MEDIUM", { team: "payments", ruleId: "elb.single-az", resourceId: "vpc-1" }),
          transition("NEW", "HIGH", {
            team: "data",
            cluster: "etl",
            ruleId: "sg.ssh-open-to-world",
            resourceId: "ng-a",
          }),
        ],
        { minSeverity: "MEDIUM" },
      ),
    ),
    // a cluster without a team tag
    untagged: only(
      buildAlerts(SCOPE, "run-1", [transition("NEW", "HIGH", { cluster: "legacy" })], {
        minSeverity: "HIGH",
      }),
    ),
    // the member role is not deployed in another account
    coverage: only(
      buildAlerts(
        OTHER,
        "run-1",
        [
          transition("NEW", "HIGH", {
            accountId: OTHER.accountId,
            ruleId: "scan.access-denied",
            cluster: "-",
          }),
        ],
        { minSeverity: "HIGH" },
      ),
    ),
    // another account's resolution of a payments finding
    resolved: only(
      buildAlerts(
        OTHER,
        "run-1",
        [transition("RESOLVED", "CRITICAL", { accountId: OTHER.accountId, team: "payments" })],
        { minSeverity: "HIGH" },
      ),
    ),
  };
}

/** Which of the messages each README policy delivers. */
const EXPECTED: Record<string, string[]> = {
  "Security team, findings at HIGH and above": ["twoTeams", "paymentsMedium", "untagged", "resolved"],
  "Platform owners, everything the auditor could not read (a role not deployed yet, a denied permission)": [
    "coverage",
  ],
  "A team, its clusters' findings": ["twoTeams", "paymentsMedium", "resolved"],
  "A team, only its own changes at HIGH and above": ["twoTeams", "resolved"],
  "Whoever takes clusters without a team tag": ["untagged"],
  "One account's owners": ["coverage", "resolved"],
  "Security team, its rule family only": ["paymentsMedium"],
  "New problems, no resolutions": ["twoTeams", "paymentsMedium", "untagged", "coverage"],
};

describe("README: example filter policies", () => {
  it("lists the policies this test knows, as valid JSON", () => {
    expect([...readmeFilterPolicies().keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))(
    "%s: delivers exactly the messages it is meant for",
    (label, expected) => {
      // Prepare
      const policy = readmeFilterPolicies().get(label);
      const all = messages();

      // Act
      const delivered = Object.entries(all)
        .filter(([, alert]) => policy !== undefined && policyMatches(policy, alert.attributes))
        .map(([name]) => name);

      // Assess
      expect(policy).toBeDefined();
      expect(delivered.sort()).toEqual([...expected].sort());
    },
  );
});
