import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { controlPlaneGroupIds } from "#shared/models/security-groups/node-security-groups.ts";
import {
  allowsTcpPort,
  groupIdsOf,
  rangesCoverAll,
  shellJson,
  WORLD_IPV4,
  WORLD_IPV6,
} from "#shared/models/security-groups/permissions.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedNodegroup,
  auditedNodegroups,
  cidrsOfSubnets,
  listText,
  securityGroupIndex,
} from "./audit.ts";

export const KUBELET_PORT = 10250;
export const API_SERVER_PORT = 443;

/** The four rules of the separate-SG model (EKS user guide, security group requirements). */
export type ControlPlaneRule =
  | "node-ingress-10250-from-control-plane"
  | "control-plane-ingress-443-from-nodes"
  | "node-egress-443-to-control-plane"
  | "control-plane-egress-10250-to-nodes";

interface Peer {
  groupIds: ReadonlySet<string>;
  ipv4: readonly string[];
  ipv6: readonly string[];
}

type Check = "present" | "missing" | "unknown";

export const missingControlPlaneRules: RuleDefinition = {
  id: "sg.missing-control-plane-rules",
  family: "sg",
  severity: "HIGH",
  title: "Nodes lack the security-group rules to reach the control plane",
  why: "Without 443 to the API server and 10250 from it, nodes fail to join, and logs, exec and webhooks stop working.",
  firesWhen:
    "node SGs exclude the cluster SG (custom launch-template SGs) and lack the 443 (node → control plane) or 10250 (control plane → node) rules.",
  link: "https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html",
  evaluate: (inventory) => {
    const index = securityGroupIndex(inventory);
    return auditedNodegroups(inventory).flatMap((ng) => {
      // With the cluster SG on the nodes, its self-referencing rule covers both directions.
      if (ng.nodeSecurityGroups.source !== "launch-template") return [];
      const result = checkControlPlaneRules(inventory, ng, index);
      return result.missing.length === 0 ? [] : [missingRulesFinding(inventory, ng, result)];
    });
  },
};

interface CheckResult {
  checks: Record<ControlPlaneRule, Check>;
  missing: ControlPlaneRule[];
  controlPlaneGroupIds: string[];
  missingControlPlaneGroupIds: string[];
  endpointPrivateAccess: boolean;
}

export function checkControlPlaneRules(
  inventory: Inventory,
  ng: AuditedNodegroup,
  index: ReadonlyMap<string, SecurityGroup>,
): CheckResult {
  const vpcId = ng.cluster.resourcesVpcConfig?.vpcId;
  const cpIds = controlPlaneGroupIds(ng.cluster);
  const cpGroups = cpIds.flatMap((id) => {
    const g = index.get(id);
    return g ? [g] : [];
  });
  const missingCp = cpIds.filter((id) => !index.has(id));
  const nodeIds = ng.nodeSecurityGroups.groupIds;
  const nodeCidrs = cidrsOfSubnets(inventory, ng.nodegroup.subnets ?? [], vpcId);
  const cpCidrs = cidrsOfSubnets(inventory, ng.cluster.resourcesVpcConfig?.subnetIds ?? [], vpcId);
  const controlPlane: Peer = { groupIds: new Set(cpIds), ...cpCidrs };
  const nodes: Peer = { groupIds: new Set(nodeIds), ...nodeCidrs };
  // Without the private endpoint, nodes reach the API server on public addresses: only a world route will do.
  const endpointPrivateAccess = ng.cluster.resourcesVpcConfig?.endpointPrivateAccess ?? true;
  const apiServer: Peer = endpointPrivateAccess
    ? controlPlane
    : { groupIds: new Set<string>(), ipv4: [WORLD_IPV4], ipv6: [WORLD_IPV6] };

  // An SG the inventory lacks may hold the rule: "missing" only when every SG of that side was seen.
  const judge = (groups: SecurityGroup[], unseen: number, allows: (g: SecurityGroup) => boolean): Check => {
    if (groups.some(allows)) return "present";
    return unseen > 0 || groups.length === 0 ? "unknown" : "missing";
  };
  const unseenNodes = ng.missingGroupIds.length;
  const checks: Record<ControlPlaneRule, Check> = {
    "node-ingress-10250-from-control-plane": judge(ng.groups, unseenNodes, (g) =>
      (g.IpPermissions ?? []).some((p) => permits(p, KUBELET_PORT, controlPlane)),
    ),
    "control-plane-ingress-443-from-nodes": judge(cpGroups, missingCp.length, (g) =>
      (g.IpPermissions ?? []).some((p) => permits(p, API_SERVER_PORT, nodes)),
    ),
    "node-egress-443-to-control-plane": judge(ng.groups, unseenNodes, (g) =>
      (g.IpPermissionsEgress ?? []).some((p) => permits(p, API_SERVER_PORT, apiServer)),
    ),
    "control-plane-egress-10250-to-nodes": judge(cpGroups, missingCp.length, (g) =>
      (g.IpPermissionsEgress ?? []).some((p) => permits(p, KUBELET_PORT, nodes)),
    ),
  };
  const missing = (Object.keys(checks) as ControlPlaneRule[]).filter((k) => checks[k] === "missing");
  return {
    checks,
    missing,
    controlPlaneGroupIds: cpIds,
    missingControlPlaneGroupIds: missingCp,
    endpointPrivateAccess,
  };
}

/** TCP `port` (or all traffic) to/from one of the peer's SGs, or a CIDR that covers every peer subnet. */
function permits(perm: IpPermission, port: number, peer: Peer): boolean {
  if (!allowsTcpPort(perm, port)) return false;
  if (groupIdsOf(perm).some((id) => peer.groupIds.has(id))) return true;
  return rangesCoverAll(perm, peer.ipv4, peer.ipv6);
}

const RULE_TEXT: Record<ControlPlaneRule, string> = {
  "node-ingress-10250-from-control-plane":
    "node SG inbound tcp 10250 from the control plane (kubelet: logs, exec, webhooks)",
  "control-plane-ingress-443-from-nodes": "control-plane SG inbound tcp 443 from the nodes (API server)",
  "node-egress-443-to-control-plane": "node SG outbound tcp 443 to the control plane",
  "control-plane-egress-10250-to-nodes": "control-plane SG outbound tcp 10250 to the nodes",
};

function missingRulesFinding(inventory: Inventory, ng: AuditedNodegroup, result: CheckResult): Finding {
  const nodeSg =
    ng.nodeSecurityGroups.groupIds.find((id) => id !== ng.nodeSecurityGroups.remoteAccessGroupId) ?? "";
  const clusterSg = result.controlPlaneGroupIds[0] ?? "CLUSTER_SG_ID";
  const health = (ng.nodegroup.health?.issues ?? [])
    .map((i) => i.code ?? "")
    .filter((code) => code === "NodeCreationFailure" || code === "ClusterUnreachable");
  return newFinding(inventory, {
    cluster: ng.clusterName,
    ruleId: "sg.missing-control-plane-rules",
    resourceId: ng.name,
    severity: "HIGH",
    title: `Node group ${ng.name} lacks ${result.missing.length} control-plane SG rule${result.missing.length > 1 ? "s" : ""} (${listText(result.missing.map((m) => SHORT_NAME[m]))})`,
    detail: `Node group ${ng.name} of cluster ${ng.clusterName} runs with its launch template's SGs (${listText(ng.nodeSecurityGroups.groupIds)}) instead of the cluster SG ${clusterSg}, and nothing allows ${listText(result.missing.map((m) => RULE_TEXT[m]))}. Nodes then fail to join or the API server cannot reach kubelets${health.length > 0 ? `; the node group already reports ${listText(health)}` : " (NodeCreationFailure / ClusterUnreachable)"}.`,
    remediation: remediation(inventory.region, result, nodeSg, clusterSg),
    evidence: {
      nodegroup: ng.name,
      nodeSecurityGroups: ng.nodeSecurityGroups.groupIds,
      securityGroupSource: ng.nodeSecurityGroups.source,
      controlPlaneSecurityGroups: result.controlPlaneGroupIds,
      ...(result.missingControlPlaneGroupIds.length > 0
        ? { controlPlaneSecurityGroupsNotInInventory: result.missingControlPlaneGroupIds }
        : {}),
      ...(ng.missingGroupIds.length > 0 ? { nodeSecurityGroupsNotInInventory: ng.missingGroupIds } : {}),
      endpointPrivateAccess: result.endpointPrivateAccess,
      checks: result.checks,
      missing: result.missing,
      healthIssues: health,
    },
  });
}

const SHORT_NAME: Record<ControlPlaneRule, string> = {
  "node-ingress-10250-from-control-plane": "10250 into nodes",
  "control-plane-ingress-443-from-nodes": "443 into the control plane",
  "node-egress-443-to-control-plane": "443 out of nodes",
  "control-plane-egress-10250-to-nodes": "10250 out of the control plane",
};

function remediation(region: string, result: CheckResult, nodeSg: string, clusterSg: string): string {
  const egress = (groupId: string, port: number, to: Record<string, unknown>) =>
    `aws ec2 authorize-security-group-egress --region ${region} --group-id ${groupId} --ip-permissions ${shellJson(
      [{ IpProtocol: "tcp", FromPort: port, ToPort: port, ...to }],
    )}`;
  const commandFor: Record<ControlPlaneRule, () => string> = {
    "node-ingress-10250-from-control-plane": () =>
      `aws ec2 authorize-security-group-ingress --region ${region} --group-id ${nodeSg} --protocol tcp --port ${KUBELET_PORT} --source-group ${clusterSg}`,
    "control-plane-ingress-443-from-nodes": () =>
      `aws ec2 authorize-security-group-ingress --region ${region} --group-id ${clusterSg} --protocol tcp --port ${API_SERVER_PORT} --source-group ${nodeSg}`,
    // Public endpoint only: the API server answers on public addresses, reached through NAT or an IGW.
    "node-egress-443-to-control-plane": () =>
      result.endpointPrivateAccess
        ? egress(nodeSg, API_SERVER_PORT, { UserIdGroupPairs: [{ GroupId: clusterSg }] })
        : egress(nodeSg, API_SERVER_PORT, { IpRanges: [{ CidrIp: WORLD_IPV4 }] }),
    "control-plane-egress-10250-to-nodes": () =>
      egress(clusterSg, KUBELET_PORT, { UserIdGroupPairs: [{ GroupId: nodeSg }] }),
  };
  const commands = result.missing.map((rule) => commandFor[rule]());
  return [
    ...commands.map((c, i) => `${i + 1}. ${c}`),
    `${commands.length + 1}. Admission webhooks served from pods also need the control plane to reach their port (often 443) on ${nodeSg}; alternatively add ${clusterSg} to the launch template's SGs.`,
  ].join("\n");
}
