import { describe, expect, it } from "vitest";
import { RULE_IDS } from "#shared/findings/index.ts";
import { ELB_RULES } from "#shared/rules/elb/index.ts";
import { healthySpec, inventoryOf, privateOnlySpec, subnet } from "./fixtures.ts";

describe("Rules: ELB_RULES", () => {
  it("wires one rule per elb.* id of the catalog", () => {
    // Act
    const ids = ELB_RULES.map((r) => r.id);

    // Assess
    expect(ids).toEqual(RULE_IDS.filter((id) => id.startsWith("elb.")));
  });

  it("say nothing about a healthy cluster", () => {
    // Prepare
    const inventory = inventoryOf(healthySpec());

    // Act
    const findings = ELB_RULES.flatMap((r) => r.evaluate(inventory));

    // Assess
    expect(findings).toEqual([]);
  });

  it("give a private-only cluster at most the MEDIUM internet-facing finding", () => {
    // Prepare
    const inventory = inventoryOf(privateOnlySpec());

    // Act
    const findings = ELB_RULES.flatMap((r) => r.evaluate(inventory));

    // Assess
    expect(findings.map((f) => [f.ruleId, f.severity, f.evidence.scheme])).toEqual([
      ["elb.no-eligible-subnet", "MEDIUM", "internet-facing"],
    ]);
  });

  it("produce findings whose evidence is plain JSON, without undefined values", () => {
    // Prepare: several problems at once.
    const spec = healthySpec();
    spec.subnets = spec.subnets.map((s) => {
      if (s.SubnetId === "subnet-0prv2") {
        return subnet({ id: "subnet-0prv2", az: "eu-west-1c", tags: { "kubernetes.io/role/elb": "1" } });
      }
      if (s.SubnetId === "subnet-0prv1") {
        return subnet({
          id: "subnet-0prv1",
          az: "eu-west-1b",
          tags: { "kubernetes.io/role/internal-elb": "true", "kubernetes.io/cluster/gone": "shared" },
        });
      }
      if (s.SubnetId === "subnet-0pub0") {
        return subnet({
          id: "subnet-0pub0",
          az: "eu-west-1a",
          tags: { "kubernetes.io/role/elb": "1", "kubernetes.io/clusterX": "owned" },
        });
      }
      return s;
    });

    // Act
    const findings = ELB_RULES.flatMap((r) => r.evaluate(inventoryOf(spec)));

    // Assess
    expect(new Set(findings.map((f) => f.ruleId)).size).toBeGreaterThanOrEqual(5);
    for (const f of findings) {
      expect(JSON.parse(JSON.stringify(f))).toStrictEqual(f);
      expect(f.detail.length).toBeGreaterThan(40);
      expect(f.remediation).toMatch(/aws ec2 (create|delete)-tags|scheme internal/);
    }
  });
});
