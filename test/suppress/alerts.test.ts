import { describe, expect, it } from "vitest";
import { buildAlerts } from "#shared/notify/index.ts";
import type { Transition } from "#shared/store/index.ts";
import { transition } from "#test/notify/fixtures.ts";
import { SCOPE } from "#test/store/fixtures.ts";

const ACCEPTED = { reason: "Blue and green share the VPC on purpose", expires: "2026-12-31" };

function suppressed(t: Transition): Transition {
  return { ...t, suppression: ACCEPTED };
}

describe("Alerts of suppressed transitions", () => {
  it("never page: SUPPRESSED and the quiet RESOLVED of an accepted risk make no message", () => {
    // Prepare
    const transitions = [
      suppressed(transition("SUPPRESSED", "CRITICAL", { ruleId: "sg.ssh-open-to-world" })),
      suppressed(transition("RESOLVED", "HIGH", { ruleId: "elb.foreign-cluster-tag" })),
    ];

    // Act
    const alerts = buildAlerts(SCOPE, "run-1", transitions, { minSeverity: "INFO" });

    // Assess
    expect(alerts).toEqual([]);
  });

  it("leave no trace in a message that goes out for another change", () => {
    // Prepare
    const transitions = [
      transition("NEW", "HIGH", { ruleId: "ip.subnet-exhausted", resourceId: "subnet-1" }),
      suppressed(
        transition("SUPPRESSED", "CRITICAL", { ruleId: "sg.ssh-open-to-world", resourceId: "ng-1" }),
      ),
      suppressed(
        transition("RESOLVED", "HIGH", { ruleId: "elb.foreign-cluster-tag", resourceId: "subnet-2" }),
      ),
    ];

    // Act
    const [alert, ...more] = buildAlerts(SCOPE, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(more).toEqual([]);
    expect(alert?.transitions.map((t) => t.finding.ruleId)).toEqual(["ip.subnet-exhausted"]);
    expect(alert?.message).not.toMatch(/sg\.ssh-open-to-world|elb\.foreign-cluster-tag|SUPPRESSED/);
    expect(alert?.attributes.ruleIds?.StringValue).toBe('["ip.subnet-exhausted"]');
  });

  it("page a REOPENED finding whose suppression ended, like any reopening", () => {
    // Prepare
    const reopened: Transition = {
      ...transition("REOPENED", "HIGH", { ruleId: "elb.foreign-cluster-tag" }, "HIGH"),
      suppressionEnded: ACCEPTED,
    };

    // Act
    const alerts = buildAlerts(SCOPE, "run-1", [reopened], { minSeverity: "HIGH" });

    // Assess
    expect(alerts.map((a) => a.subject)).toEqual([
      "[eks-auditor] HIGH REOPENED elb.foreign-cluster-tag on prod in 111122223333 eu-west-1",
    ]);
  });
});
