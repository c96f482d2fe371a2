import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  allowsTcpPort,
  describePorts,
  protocolOf,
  revocablePermission,
  revokeIngressCommand,
  WORLD_IPV4,
  worldSourcesOf,
} from "#shared/models/security-groups/permissions.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedNodegroup,
  auditedNodegroups,
  deleteNodegroupCommand,
  groupEvidence,
  groupLabel,
  listText,
  type PublicSubnet,
  partitionOf,
  publicNodeSubnets,
  recreateNodegroupCommand,
  roleNameOf,
} from "./audit.ts";

export const SSH_PORT = 22;
export const RDP_PORT = 3389;
/** Remote administration ports: this rule owns them, sg.node-world-ingress every other port. */
export const ADMIN_PORTS = [SSH_PORT, RDP_PORT] as const;

/** What EKS opened because `remoteAccess` has a key and no source SGs. */
interface RemoteAccessExposure {
  ec2SshKey: string;
  port: number;
  cidr: string;
  securityGroupId?: string;
}

interface WorldAdminRule {
  groupId: string;
  groupName?: string;
  protocol: string;
  fromPort?: number;
  toPort?: number;
  ports: number[];
  cidrs: string[];
  permission: IpPermission;
}

export const sshOpenToWorld: RuleDefinition = {
  id: "sg.ssh-open-to-world",
  family: "sg",
  severity: "HIGH",
  title: "SSH or RDP open to the internet on nodes",
  why: "A managed node group with an SSH key and no source security groups opens port 22 (3389 on Windows) on every node to 0.0.0.0/0.",
  firesWhen:
    "`remoteAccess.ec2SshKey` set without `sourceSecurityGroups`, or a node SG allows 22/3389 from 0.0.0.0/0 or ::/0. CRITICAL when the node subnets are public.",
  link: "https://docs.aws.amazon.com/eks/latest/APIReference/API_RemoteAccessConfig.html",
  evaluate: (inventory) =>
    auditedNodegroups(inventory).flatMap((ng) => {
      // Fargate pods and Auto Mode nodes run no SSH or RDP server (AWS manages them; Auto Mode offers no SSH access).
      if (ng.kind === "fargate" || ng.kind === "auto-mode") return [];
      const remoteAccess = remoteAccessExposure(ng);
      // Unknown launch-template SGs: only what DescribeNodegroup itself says can be judged.
      const rules = ng.nodeSecurityGroups.unresolvedLaunchTemplate ? [] : ng.groups.flatMap(worldAdminRules);
      if (!remoteAccess && rules.length === 0) return [];
      return [sshFinding(inventory, ng, remoteAccess, rules)];
    }),
};

function remoteAccessExposure(ng: AuditedNodegroup): RemoteAccessExposure | undefined {
  const ra = ng.nodegroup?.remoteAccess;
  if (!ra?.ec2SshKey || (ra.sourceSecurityGroups ?? []).length > 0) return undefined;
  const securityGroupId = ng.nodeSecurityGroups.remoteAccessGroupId;
  return {
    ec2SshKey: ra.ec2SshKey,
    port: ng.windows ? RDP_PORT : SSH_PORT,
    cidr: WORLD_IPV4,
    ...(securityGroupId ? { securityGroupId } : {}),
  };
}

/** Ingress rules of one SG that open 22 or 3389 over TCP (or all traffic) to 0.0.0.0/0 or ::/0. */
export function worldAdminRules(group: SecurityGroup): WorldAdminRule[] {
  return (group.IpPermissions ?? []).flatMap((perm) => {
    const cidrs = [...new Set(worldSourcesOf(perm).map((s) => s.cidr))];
    const ports = ADMIN_PORTS.filter((port) => allowsTcpPort(perm, port));
    if (cidrs.length === 0 || ports.length === 0) return [];
    return [
      {
        groupId: group.GroupId ?? "",
        ...(group.GroupName ? { groupName: group.GroupName } : {}),
        protocol: protocolOf(perm),
        ...(perm.FromPort !== undefined ? { fromPort: perm.FromPort } : {}),
        ...(perm.ToPort !== undefined ? { toPort: perm.ToPort } : {}),
        ports,
        cidrs,
        permission: perm,
      },
    ];
  });
}

function portNames(ports: Iterable<number>): string {
  const set = new Set(ports);
  const names = [...(set.has(SSH_PORT) ? ["SSH (22)"] : []), ...(set.has(RDP_PORT) ? ["RDP (3389)"] : [])];
  return names.join(" and ");
}

function sshFinding(
  inventory: Inventory,
  ng: AuditedNodegroup,
  remoteAccess: RemoteAccessExposure | undefined,
  rules: WorldAdminRule[],
): Finding {
  const publicSubnets = publicNodeSubnets(inventory, ng);
  const ports = [...(remoteAccess ? [remoteAccess.port] : []), ...rules.flatMap((r) => r.ports)];
  const reasons = [
    ...(remoteAccess
      ? [
          `remoteAccess has key ${remoteAccess.ec2SshKey} and no sourceSecurityGroups, so EKS opened tcp ${remoteAccess.port} to ${WORLD_IPV4}${remoteAccess.securityGroupId ? ` through ${remoteAccess.securityGroupId}` : ""}`,
        ]
      : []),
    ...rules.map(
      (r) =>
        `${groupLabel(
          ng.groups.find((g) => g.GroupId === r.groupId),
          r.groupId,
        )} allows ${describePorts(r.permission)} from ${r.cidrs.join(" and ")}`,
    ),
  ];
  const reach = reachText(publicSubnets, ng.subnetIds);
  return newFinding(inventory, {
    cluster: ng.clusterName,
    ruleId: "sg.ssh-open-to-world",
    resourceId: ng.resourceId,
    severity: publicSubnets.length > 0 ? "CRITICAL" : "HIGH",
    title: `${ng.label} is open to ${portNames(ports)} from anywhere${publicSubnets.length > 0 ? " on public subnets" : ""}`,
    detail: `${ng.label} of cluster ${ng.clusterName}: ${reasons.join("; ")}. ${reach}`,
    remediation: remediation(inventory, ng, remoteAccess, rules),
    evidence: {
      ...groupEvidence(ng),
      amiType: ng.nodegroup?.amiType,
      nodeSecurityGroups: ng.nodeSecurityGroups.groupIds,
      securityGroupSource: ng.nodeSecurityGroups.source,
      ...(remoteAccess ? { remoteAccess } : {}),
      worldRules: rules.map(({ permission: _p, ...rule }) => rule),
      subnets: ng.subnetIds,
      publicSubnets,
    },
  });
}

function reachText(publicSubnets: PublicSubnet[], subnets: string[]): string {
  if (publicSubnets.length === 0) {
    return `Its subnets (${listText(subnets)}) have no internet-gateway route, so the port is reachable from the VPC, peered networks and VPNs rather than the internet.`;
  }
  const withIp = publicSubnets.filter((s) => s.mapPublicIpOnLaunch).map((s) => s.subnetId);
  return `Subnet(s) ${listText(publicSubnets.map((s) => `${s.subnetId} (${s.internetGateway})`))} route to an internet gateway${withIp.length > 0 ? ` and give instances public IPs (${listText(withIp)})` : ""}, so nodes there can be reached from the internet.`;
}

function remediation(
  inventory: Inventory,
  ng: AuditedNodegroup,
  remoteAccess: RemoteAccessExposure | undefined,
  rules: WorldAdminRule[],
): string {
  const region = inventory.region;
  const steps: string[] = [];
  if (remoteAccess) {
    const recreate = recreateNodegroupCommand(ng, region, {
      suffix: "restricted",
      remoteAccess: `ec2SshKey=${remoteAccess.ec2SshKey},sourceSecurityGroups=ADMIN_SG_ID`,
    });
    steps.push(
      `Remote access cannot be changed in place: create a replacement node group that admits only your admin SG (or leave --remote-access out), move the workloads, then delete ${ng.name}: ${recreate} && ${deleteNodegroupCommand(ng, region)}`,
    );
  }
  // Rules on the EKS-owned remote-access SG go away with the node group; any other rule is revoked.
  const revocable = rules.filter((r) => !(remoteAccess && r.groupId === remoteAccess.securityGroupId));
  const byGroup = new Map<string, WorldAdminRule[]>();
  for (const r of revocable) byGroup.set(r.groupId, [...(byGroup.get(r.groupId) ?? []), r]);
  for (const [groupId, groupRules] of byGroup) {
    const permissions = groupRules.map((r) => revocablePermission(r.permission, { cidrs: r.cidrs }));
    steps.push(
      `Revoke the world rule(s) on ${groupId}: ${revokeIngressCommand(groupId, permissions, region)}`,
    );
  }
  const role = roleNameOf(ng.nodegroup?.nodeRole) ?? "NODE_ROLE_NAME";
  const partition = partitionOf(ng.cluster.arn);
  steps.push(
    `Prefer SSM Session Manager to SSH/RDP (no inbound port at all): aws iam attach-role-policy --role-name ${role} --policy-arn arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore, then aws ssm start-session --region ${region} --target INSTANCE_ID.`,
  );
  return steps.map((s, i) => `${i + 1}. ${s}`).join("\n");
}
