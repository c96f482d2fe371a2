import { describe, expect, it } from "vitest";
import { nodeWorldIngress } from "#shared/rules/sg/node-world-ingress.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import {
  CLUSTER,
  CLUSTER_SG,
  clusterSecurityGroup,
  healthySpec,
  icmp,
  inventoryOf,
  launchTemplateSpec,
  NODE_SG,
  REGION,
  tcp,
  udp,
} from "./fixtures.ts";

describe("Rule: sg.node-world-ingress", () => {
  it("fires for a node port range open to 0.0.0.0/0 with the exact revoke", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.securityGroups
      .find((g) => g.GroupId === NODE_SG)
      ?.IpPermissions?.push(tcp([30000, 32767], { cidrs: ["0.0.0.0/0"] }));

    // Act
    const findings = expectFires(nodeWorldIngress, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "sg.node-world-ingress",
      cluster: CLUSTER,
      resourceId: "general",
      severity: "HIGH",
      title: "Node group general accepts tcp 30000-32767 from 0.0.0.0/0",
      evidence: {
        nodeSecurityGroups: [NODE_SG],
        worldRules: [
          {
            groupId: NODE_SG,
            groupName: "prod-nodes",
            protocol: "tcp",
            fromPort: 30000,
            toPort: 32767,
            ports: "tcp 30000-32767",
            cidr: "0.0.0.0/0",
          },
        ],
      },
    });
    expect(findings[0]?.detail).toContain("sg-0nodes (prod-nodes) tcp 30000-32767 from 0.0.0.0/0");
    expect(findings[0]?.remediation).toContain(
      `1. Revoke the world rule(s) on ${NODE_SG}: aws ec2 revoke-security-group-ingress --region ${REGION} --group-id ${NODE_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":30000,"ToPort":32767,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`,
    );
  });

  it("fires on the cluster SG for UDP from ::/0 and counts every world rule", () => {
    // Prepare
    const spec = healthySpec();
    spec.securityGroups = [
      clusterSecurityGroup([udp(53, { cidrs: ["::/0"] }), tcp(8080, { cidrs: ["0.0.0.0/0", "::/0"] })]),
    ];

    // Act
    const [finding] = nodeWorldIngress.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.title).toBe("Node group general accepts udp 53 from ::/0 (+2 more world rules)");
    expect(finding?.remediation).toContain(
      `--group-id ${CLUSTER_SG} --ip-permissions '[{"IpProtocol":"udp","FromPort":53,"ToPort":53,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]},{"IpProtocol":"tcp","FromPort":8080,"ToPort":8080,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]},{"IpProtocol":"tcp","FromPort":8080,"ToPort":8080,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'`,
    );
  });

  it("points at loadBalancerSourceRanges for a rule the in-tree NLB controller owns", () => {
    // Prepare
    const spec = healthySpec();
    spec.securityGroups = [
      clusterSecurityGroup([
        tcp(31380, { cidrs: ["0.0.0.0/0"], description: "kubernetes.io/rule/nlb/client=a1b2c3d4e5f6" }),
      ]),
    ];

    // Act
    const [finding] = nodeWorldIngress.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.evidence).toMatchObject({ worldRules: [{ nlbServiceLoadBalancer: "a1b2c3d4e5f6" }] });
    expect(finding?.remediation).toContain("set spec.loadBalancerSourceRanges on that Service");
    expect(finding?.remediation).not.toContain("revoke-security-group-ingress");
  });

  it("leaves exact SSH/RDP rules to sg.ssh-open-to-world, and ICMP and private ranges alone", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.securityGroups
      .find((g) => g.GroupId === NODE_SG)
      ?.IpPermissions?.push(
        tcp(22, { cidrs: ["0.0.0.0/0"] }),
        tcp(3389, { cidrs: ["::/0"] }),
        icmp({ cidrs: ["0.0.0.0/0"] }),
        tcp([30000, 32767], { cidrs: ["10.0.0.0/16"] }),
      );

    // Act
    const findings = expectQuiet(nodeWorldIngress, inventoryOf(spec));

    // Assess
    expect(findings).toEqual([]);
  });

  it("still fires for a range that includes 22 but opens more", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.securityGroups
      .find((g) => g.GroupId === NODE_SG)
      ?.IpPermissions?.push(tcp([0, 1024], { cidrs: ["0.0.0.0/0"] }));

    // Act
    const [finding] = nodeWorldIngress.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.title).toBe("Node group general accepts tcp 0-1024 from 0.0.0.0/0");
  });
});
