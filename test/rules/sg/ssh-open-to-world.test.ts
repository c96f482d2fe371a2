import { describe, expect, it } from "vitest";
import { sshOpenToWorld } from "#shared/rules/sg/ssh-open-to-world.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import {
  allTraffic,
  CLUSTER,
  healthySpec,
  inventoryOf,
  launchTemplateSpec,
  NODE_SG,
  nodegroup,
  PRIVATE_A,
  PUBLIC_A,
  REGION,
  securityGroup,
  tcp,
} from "./fixtures.ts";

const REMOTE_SG = "sg-0remote";

/** EKS's remote-access SG as it creates it for a key without source SGs. */
function remoteAccessGroup(port: number) {
  return securityGroup(REMOTE_SG, "eks-remoteAccess-1234", {
    ingress: [tcp(port, { cidrs: ["0.0.0.0/0"] })],
  });
}

describe("Rule: sg.ssh-open-to-world", () => {
  it("fires HIGH for remote access with a key and no source SGs on private subnets", () => {
    // Prepare
    const spec = healthySpec();
    spec.nodegroups = [
      nodegroup("general", {
        remoteAccess: { ec2SshKey: "ops-key" },
        resources: { remoteAccessSecurityGroup: REMOTE_SG },
      }),
    ];
    spec.securityGroups.push(remoteAccessGroup(22));

    // Act
    const findings = expectFires(sshOpenToWorld, inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "sg.ssh-open-to-world",
      cluster: CLUSTER,
      resourceId: "general",
      severity: "HIGH",
      title: "Node group general is open to SSH (22) from anywhere",
      evidence: {
        remoteAccess: { ec2SshKey: "ops-key", port: 22, cidr: "0.0.0.0/0", securityGroupId: REMOTE_SG },
        publicSubnets: [],
      },
    });
    expect(findings[0]?.detail).toContain(
      "remoteAccess has key ops-key and no sourceSecurityGroups, so EKS opened tcp 22 to 0.0.0.0/0 through sg-0remote",
    );
    const remediation = findings[0]?.remediation ?? "";
    expect(remediation).toContain(
      `aws eks create-nodegroup --region ${REGION} --cluster-name ${CLUSTER} --nodegroup-name general-restricted`,
    );
    expect(remediation).toContain("--remote-access ec2SshKey=ops-key,sourceSecurityGroups=ADMIN_SG_ID");
    expect(remediation).toContain(
      `aws eks delete-nodegroup --region ${REGION} --cluster-name ${CLUSTER} --nodegroup-name general`,
    );
    expect(remediation).toContain(
      "aws iam attach-role-policy --role-name prod-node-role --policy-arn arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    );
    // The rule on the EKS-owned SG goes with the node group: no revoke for it.
    expect(remediation).not.toContain("revoke-security-group-ingress");
  });

  it("names RDP (3389) for a Windows node group", () => {
    // Prepare
    const spec = healthySpec();
    spec.nodegroups = [
      nodegroup("windows", {
        amiType: "WINDOWS_CORE_2022_x86_64",
        remoteAccess: { ec2SshKey: "ops-key" },
        resources: { remoteAccessSecurityGroup: REMOTE_SG },
      }),
    ];
    spec.securityGroups.push(remoteAccessGroup(3389));

    // Act
    const [finding] = sshOpenToWorld.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.title).toBe("Node group windows is open to RDP (3389) from anywhere");
    expect(finding?.evidence).toMatchObject({ remoteAccess: { port: 3389 } });
  });

  it("is CRITICAL when a node subnet routes to an internet gateway", () => {
    // Prepare
    const spec = healthySpec();
    spec.nodegroups = [
      nodegroup("edge", {
        subnets: [PRIVATE_A, PUBLIC_A],
        remoteAccess: { ec2SshKey: "ops-key" },
        resources: { remoteAccessSecurityGroup: REMOTE_SG },
      }),
    ];
    spec.securityGroups.push(remoteAccessGroup(22));

    // Act
    const [finding] = sshOpenToWorld.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.severity).toBe("CRITICAL");
    expect(finding?.title).toBe("Node group edge is open to SSH (22) from anywhere on public subnets");
    expect(finding?.evidence).toMatchObject({
      publicSubnets: [{ subnetId: PUBLIC_A, internetGateway: "igw-0main", mapPublicIpOnLaunch: true }],
    });
    expect(finding?.detail).toContain("Subnet(s) subnet-0puba (igw-0main) route to an internet gateway");
  });

  it("fires for a launch-template SG that allows 22 from ::/0 and gives the exact revoke", () => {
    // Prepare
    const spec = launchTemplateSpec();
    const nodes = spec.securityGroups.find((g) => g.GroupId === NODE_SG);
    nodes?.IpPermissions?.push(tcp(22, { cidrs: ["::/0"] }));

    // Act
    const findings = sshOpenToWorld.evaluate(inventoryOf(spec));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: "HIGH",
      evidence: {
        securityGroupSource: "launch-template",
        worldRules: [
          { groupId: NODE_SG, protocol: "tcp", fromPort: 22, toPort: 22, ports: [22], cidrs: ["::/0"] },
        ],
      },
    });
    expect(findings[0]?.remediation).toContain(
      `aws ec2 revoke-security-group-ingress --region ${REGION} --group-id ${NODE_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'`,
    );
  });

  it("counts an all-traffic world rule as SSH and RDP", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.securityGroups
      .find((g) => g.GroupId === NODE_SG)
      ?.IpPermissions?.push(allTraffic({ cidrs: ["0.0.0.0/0"] }));

    // Act
    const [finding] = sshOpenToWorld.evaluate(inventoryOf(spec));

    // Assess
    expect(finding?.title).toBe("Node group general is open to SSH (22) and RDP (3389) from anywhere");
    expect(finding?.remediation).toContain(
      `--ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`,
    );
  });

  it("does not fire for remote access restricted to source SGs or SSH from a private range", () => {
    // Prepare
    const spec = launchTemplateSpec();
    spec.securityGroups
      .find((g) => g.GroupId === NODE_SG)
      ?.IpPermissions?.push(tcp(22, { cidrs: ["10.0.0.0/8"] }));
    const restricted = healthySpec();
    restricted.nodegroups = [
      nodegroup("general", {
        remoteAccess: { ec2SshKey: "ops-key", sourceSecurityGroups: ["sg-0bastion"] },
        resources: { remoteAccessSecurityGroup: REMOTE_SG },
      }),
    ];
    restricted.securityGroups.push(
      securityGroup(REMOTE_SG, "eks-remoteAccess-1234", { ingress: [tcp(22, { groups: ["sg-0bastion"] })] }),
    );

    // Act
    const findings = [
      ...expectQuiet(sshOpenToWorld, inventoryOf(spec)),
      ...expectQuiet(sshOpenToWorld, inventoryOf(restricted)),
    ];

    // Assess
    expect(findings).toEqual([]);
  });
});
