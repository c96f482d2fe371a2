import { describe, expect, it } from "vitest";
import { subnetExhausted } from "#shared/rules/ip/subnet-exhausted.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { healthySpec, inventoryOf, subnet, tightSpec } from "./fixtures.ts";

describe("Rule: ip.subnet-exhausted", () => {
  it("fires when not one more node fits at launch cost", () => {
    // Prepare
    const spec = tightSpec();
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 15);

    // Act
    const findings = expectFires(subnetExhausted, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      accountId: "111122223333",
      region: "eu-west-1",
      cluster: "prod",
      ruleId: "ip.subnet-exhausted",
      resourceId: "subnet-0tight",
      severity: "CRITICAL",
    });
    expect(findings[0]?.detail).toContain("subnet-0tight (eu-west-1a) has 15 free IPs");
    expect(findings[0]?.detail).toContain("not one more m5.large node fits at launch cost (20 IPs each");
    expect(findings[0]?.detail).toContain("node group web wants to grow by 10 (desired 2, max 12)");
    expect(findings[0]?.remediation).toContain('"WARM_IP_TARGET":"2"');
    expect(findings[0]?.evidence).toMatchObject({
      availableIps: 15,
      nodegroups: [{ nodegroup: "web", launchCost: { ips: 20 }, nodesThatFitAtLaunch: 0, exhausted: true }],
      cni: { assumed: true },
    });
  });

  it("keeps 5 IPs free in a subnet that is also a cluster subnet", () => {
    // Prepare: 24 free − 5 reserved = 19 < 20.
    const spec = tightSpec({ subnets: ["subnet-0shared"] }, { subnets: ["subnet-0shared"] });
    spec.subnets.push(subnet("subnet-0shared", "10.0.2.0/24", "eu-west-1b", 24));

    // Act
    const findings = subnetExhausted.evaluate(inventoryOf(spec));

    // Assess
    expect(findings.map((f) => f.resourceId)).toEqual(["subnet-0shared"]);
    expect(findings[0]?.evidence).toMatchObject({ reserve: 5, clusterSubnet: true });
  });

  it("fires when a node group health issue InsufficientFreeAddresses names the subnet", () => {
    // Prepare
    const spec = tightSpec(
      {},
      {
        issues: [
          {
            code: "InsufficientFreeAddresses",
            message:
              "One or more of the subnets associated with your managed node group does not have enough available IP addresses for new nodes.",
            resourceIds: ["subnet-0tight"],
          },
        ],
      },
    );

    // Act
    const findings = subnetExhausted.evaluate(inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]?.severity).toBe("CRITICAL");
    expect(findings[0]?.detail).toMatch(/^EKS reports InsufficientFreeAddresses \(node group web\)/);
    expect(findings[0]?.evidence).toMatchObject({
      healthIssues: [{ subnetId: "subnet-0tight", reportedBy: "nodegroup:web", named: true }],
    });
  });

  it("points an issue that names no subnet at the node group's tightest subnet", () => {
    // Prepare
    const spec = tightSpec(
      {},
      {
        subnets: ["subnet-0tight", "subnet-0roomy"],
        issues: [{ code: "InsufficientFreeAddresses", resourceIds: ["eks-web-asg"] }],
      },
    );
    spec.subnets.push(subnet("subnet-0roomy", "10.0.8.0/22", "eu-west-1b", 1000));

    // Act
    const findings = subnetExhausted.evaluate(inventoryOf(spec));

    // Assess
    expect(findings.map((f) => f.resourceId)).toEqual(["subnet-0tight"]);
    expect(findings[0]?.evidence).toMatchObject({ healthIssues: [{ named: false }] });
  });

  it("fires for a cluster health issue on a control-plane subnet", () => {
    // Prepare
    const spec = healthySpec({
      issues: [{ code: "InsufficientFreeAddresses", resourceIds: ["subnet-0b19"] }],
    });

    // Act
    const findings = subnetExhausted.evaluate(inventoryOf(spec));

    // Assess
    expect(findings.map((f) => [f.resourceId, f.severity])).toEqual([["subnet-0b19", "CRITICAL"]]);
    expect(findings[0]?.detail).toContain("(cluster)");
  });

  it("suggests kubectl set env for a self-managed aws-node", () => {
    // Prepare
    const spec = tightSpec({ configurationValues: null });
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 3);

    // Act
    const [finding] = subnetExhausted.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.remediation).toContain(
      "kubectl -n kube-system set env daemonset/aws-node WARM_IP_TARGET=2 MINIMUM_IP_TARGET=9",
    );
    expect(finding?.evidence).toMatchObject({
      cni: { assumed: true, note: expect.stringContaining("self-managed") },
    });
  });

  it("suggests more addresses when the warm pool is already tuned", () => {
    // Prepare
    const spec = tightSpec({ configurationValues: '{"env":{"WARM_IP_TARGET":"1","MINIMUM_IP_TARGET":"4"}}' });
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 4);

    // Act
    const [finding] = subnetExhausted.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.detail).toContain("not one more m5.large node fits at launch cost (5 IPs each");
    expect(finding?.remediation).toMatch(
      /^Add a secondary CIDR from 100\.64\.0\.0\/10 \(aws ec2 associate-vpc-cidr-block --vpc-id vpc-0a1b2c3d/,
    );
    expect(finding?.evidence).toMatchObject({ cni: { source: "configurationValues", assumed: false } });
  });

  it("does not fire while one more node fits", () => {
    // Act
    const tight = subnetExhausted.evaluate(inventoryOf(tightSpec()));
    const healthy = expectQuiet(subnetExhausted, inventoryOf(healthySpec()));

    // Assess
    expect(tight).toEqual([]);
    expect(healthy).toEqual([]);
  });
});
