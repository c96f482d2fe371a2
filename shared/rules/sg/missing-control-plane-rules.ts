import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import type { Finding } from "#shared/findings/index.ts";
import type { CapacitySecurityGroupSource } from "#shared/inventory/capacity-types.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { controlPlaneGroupIds } from "#shared/models/security-groups/node-security-groups.ts";
import {
  allowsTcpPort,
  groupIdsOf,
  protocolOf,
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
  groupEvidence,
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
  why: "Without 443 to the API server, 10250 from it and traffic between nodes, nodes fail to join, and logs, exec and webhooks stop working.",
  firesWhen:
    "node SGs exclude the cluster SG (custom launch-template SGs) and lack the 443 (node → control plane) or 10250 (control plane → node) rules; or node groups run on the cluster SG alone and its self-referencing rule (all traffic from itself) was removed (resourceId = the cluster SG).",
  link: "https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html",
  evaluate: (inventory) => {
    const index = securityGroupIndex(inventory);
    const nodegroups = auditedNodegroups(inventory);
    const separateSgs = nodegroups.flatMap((ng) => {
      if (!separateSgModel(ng)) return [];
      const result = checkControlPlaneRules(inventory, ng, index);
      return result.missing.length === 0 ? [] : [missingRulesFinding(inventory, ng, result)];
    });
    // With the cluster SG on the nodes, its self-referencing rule covers both directions: check that it is there.
    const clusterSgs = clusterSgDependents(nodegroups).flatMap((dependents) => {
      const result = checkClusterSgSelfRule(inventory, dependents, index);
      return result === undefined || result.missing.length === 0
        ? []
        : [missingSelfRuleFinding(inventory, dependents, result)];
    });
    return [...separateSgs, ...clusterSgs];
  },
};

/**
 * The nodes carry SGs of their own instead of the cluster SG: a launch template's (managed, self-managed,
 * Karpenter), the VPC default SG (a self-managed template naming none), or SGs a Karpenter/Auto Mode NodeClass
 * selects (observed on the nodes) without the cluster SG. Fargate pods always carry the cluster SG.
 */
function separateSgModel(ng: AuditedNodegroup): boolean {
  const { source, groupIds } = ng.nodeSecurityGroups;
  if (ng.kind === "fargate") return false;
  if (source === "launch-template" || source === "vpc-default-security-group") return true;
  const clusterSg = ng.cluster.resourcesVpcConfig?.clusterSecurityGroupId;
  return source === "observed" && clusterSg !== undefined && !groupIds.includes(clusterSg);
}

/** Node groups of one cluster whose nodes carry the cluster SG alone (plus, maybe, the remote-access SG). */
interface ClusterSgDependents {
  clusterName: string;
  clusterSgId: string;
  nodegroups: AuditedNodegroup[];
}

function clusterSgDependents(nodegroups: readonly AuditedNodegroup[]): ClusterSgDependents[] {
  const byCluster = new Map<string, ClusterSgDependents>();
  for (const ng of nodegroups) {
    const clusterSgId = ng.cluster.resourcesVpcConfig?.clusterSecurityGroupId;
    const sgs = ng.nodeSecurityGroups;
    // A launch template version the inventory lacks may set its own SGs: then the cluster SG is not known to be on the nodes.
    const onClusterSg =
      sgs.source === "cluster-security-group" ||
      (sgs.source === "observed" && sgs.groupIds.every((id) => id === clusterSgId));
    if (clusterSgId === undefined || !onClusterSg) continue;
    if (sgs.unresolvedLaunchTemplate !== undefined || !sgs.groupIds.includes(clusterSgId)) continue;
    const entry = byCluster.get(ng.clusterName) ?? {
      clusterName: ng.clusterName,
      clusterSgId,
      nodegroups: [],
    };
    entry.nodegroups.push(ng);
    byCluster.set(ng.clusterName, entry);
  }
  return [...byCluster.values()];
}

/** What nodes on the cluster SG alone lose without its self-referencing rule. */
export type ClusterSgNeed =
  | "cluster-sg-self-ingress"
  | "control-plane-ingress-443-from-nodes"
  | "node-ingress-10250-from-control-plane";

interface SelfRuleResult {
  checks: Record<ClusterSgNeed, Check>;
  missing: ClusterSgNeed[];
  controlPlaneGroupIds: string[];
}

/**
 * EKS creates the cluster SG with one inbound rule, all traffic from itself (EKS user guide, "View Amazon EKS
 * security group requirements for clusters", default cluster security group): nodes that carry only that SG
 * need it for node-to-node traffic and for 443 to, and 10250 from, the control-plane ENIs that carry it too.
 * An all-traffic rule from CIDRs covering every node and cluster subnet stands in for it. Undefined when the
 * cluster SG is not in the inventory (nothing can be ruled out).
 */
export function checkClusterSgSelfRule(
  inventory: Inventory,
  dependents: ClusterSgDependents,
  index: ReadonlyMap<string, SecurityGroup>,
): SelfRuleResult | undefined {
  const clusterSg = index.get(dependents.clusterSgId);
  const [first] = dependents.nodegroups;
  if (clusterSg === undefined || first === undefined) return undefined;
  const cluster = first.cluster;
  const vpcId = cluster.resourcesVpcConfig?.vpcId;
  const nodeSubnetIds = [...new Set(dependents.nodegroups.flatMap((ng) => ng.subnetIds))];
  const nodeCidrs = cidrsOfSubnets(inventory, nodeSubnetIds, vpcId);
  const cpCidrs = cidrsOfSubnets(inventory, cluster.resourcesVpcConfig?.subnetIds ?? [], vpcId);
  const everyEni = cidrsOfSubnets(
    inventory,
    [...nodeSubnetIds, ...(cluster.resourcesVpcConfig?.subnetIds ?? [])],
    vpcId,
  );
  const ingress = clusterSg.IpPermissions ?? [];
  const selfRule = ingress.some(
    (p) =>
      protocolOf(p) === "all" &&
      (groupIdsOf(p).includes(dependents.clusterSgId) || rangesCoverAll(p, everyEni.ipv4, everyEni.ipv6)),
  );
  const cpIds = controlPlaneGroupIds(cluster);
  const cpGroups = cpIds.flatMap((id) => {
    const g = index.get(id);
    return g ? [g] : [];
  });
  const nodeGroupIds = [...new Set(dependents.nodegroups.flatMap((ng) => ng.nodeSecurityGroups.groupIds))];
  const nodeGroups = nodeGroupIds.flatMap((id) => {
    const g = index.get(id);
    return g ? [g] : [];
  });
  const nodes: Peer = { groupIds: new Set(nodeGroupIds), ...nodeCidrs };
  const controlPlane: Peer = { groupIds: new Set(cpIds), ...cpCidrs };
  const judge = (groups: SecurityGroup[], all: number, allows: (g: SecurityGroup) => boolean): Check => {
    if (groups.some(allows)) return "present";
    return groups.length < all ? "unknown" : "missing";
  };
  const checks: Record<ClusterSgNeed, Check> = {
    "cluster-sg-self-ingress": selfRule ? "present" : "missing",
    "control-plane-ingress-443-from-nodes": judge(cpGroups, cpIds.length, (g) =>
      (g.IpPermissions ?? []).some((p) => permits(p, API_SERVER_PORT, nodes)),
    ),
    "node-ingress-10250-from-control-plane": judge(nodeGroups, nodeGroupIds.length, (g) =>
      (g.IpPermissions ?? []).some((p) => permits(p, KUBELET_PORT, controlPlane)),
    ),
  };
  // Other rules may still carry 443 and 10250; node-to-node traffic (pods, CoreDNS) needs the self rule itself.
  const missing = selfRule
    ? []
    : (Object.keys(checks) as ClusterSgNeed[]).filter((k) => checks[k] === "missing");
  return { checks, missing, controlPlaneGroupIds: cpIds };
}

const NEED_TEXT: Record<ClusterSgNeed, string> = {
  "cluster-sg-self-ingress": "traffic between nodes (pod to pod, CoreDNS on other nodes)",
  "control-plane-ingress-443-from-nodes": "443 from the nodes to the API server",
  "node-ingress-10250-from-control-plane":
    "10250 from the control plane to the kubelets (logs, exec, webhooks)",
};

function missingSelfRuleFinding(
  inventory: Inventory,
  dependents: ClusterSgDependents,
  result: SelfRuleResult,
): Finding {
  const sg = dependents.clusterSgId;
  const names = dependents.nodegroups.map((ng) => ng.resourceId);
  const restore = `aws ec2 authorize-security-group-ingress --region ${inventory.region} --group-id ${sg} --ip-permissions ${shellJson(
    [
      {
        IpProtocol: "-1",
        UserIdGroupPairs: [{ GroupId: sg, Description: "EKS cluster SG: all traffic from itself" }],
      },
    ],
  )}`;
  return newFinding(inventory, {
    cluster: dependents.clusterName,
    ruleId: "sg.missing-control-plane-rules",
    resourceId: sg,
    severity: "HIGH",
    title: `Cluster SG ${sg} lost its self-referencing rule; ${names.length} node group${names.length > 1 ? "s rely" : " relies"} on it`,
    detail: `The cluster security group ${sg} of ${dependents.clusterName} no longer allows all traffic from itself, yet node group${names.length > 1 ? "s" : ""} ${listText(names)} carry only that SG. Nothing else allows ${listText(result.missing.map((m) => NEED_TEXT[m]))}, so nodes fail to join or pods cannot reach each other. EKS re-creates the rule only at the next cluster update.`,
    remediation: `1. ${restore}\n2. If infrastructure code manages the rules of ${sg}, add the rule there too, or its next apply removes it again.`,
    evidence: {
      clusterSecurityGroup: sg,
      nodegroups: names,
      selfReferencingRule: "missing",
      controlPlaneSecurityGroups: result.controlPlaneGroupIds,
      checks: result.checks,
      missing: result.missing,
    },
  });
}

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
  const vpcId = ng.clusterInventory.vpcId;
  const cpIds = controlPlaneGroupIds(ng.cluster);
  const cpGroups = cpIds.flatMap((id) => {
    const g = index.get(id);
    return g ? [g] : [];
  });
  const missingCp = cpIds.filter((id) => !index.has(id));
  const nodeIds = ng.nodeSecurityGroups.groupIds;
  const nodeCidrs = cidrsOfSubnets(inventory, ng.subnetIds, vpcId);
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
  const health = (ng.nodegroup?.health?.issues ?? [])
    .map((i) => i.code ?? "")
    .filter((code) => code === "NodeCreationFailure" || code === "ClusterUnreachable");
  return newFinding(inventory, {
    cluster: ng.clusterName,
    ruleId: "sg.missing-control-plane-rules",
    resourceId: ng.resourceId,
    severity: "HIGH",
    title: `${ng.label} lacks ${result.missing.length} control-plane SG rule${result.missing.length > 1 ? "s" : ""} (${listText(result.missing.map((m) => SHORT_NAME[m]))})`,
    detail: `${ng.label} of cluster ${ng.clusterName} runs with ${SG_SOURCE_TEXT[ng.nodeSecurityGroups.source]} (${listText(ng.nodeSecurityGroups.groupIds)}) instead of the cluster SG ${clusterSg}, and nothing allows ${listText(result.missing.map((m) => RULE_TEXT[m]))}. Nodes then fail to join or the API server cannot reach kubelets${health.length > 0 ? `; the node group already reports ${listText(health)}` : " (NodeCreationFailure / ClusterUnreachable)"}.`,
    remediation: remediation(inventory.region, result, nodeSg, clusterSg),
    evidence: {
      ...groupEvidence(ng),
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

const SG_SOURCE_TEXT: Record<CapacitySecurityGroupSource, string> = {
  "launch-template": "its launch template's SGs",
  "vpc-default-security-group": "the VPC's default SG (its launch template names none)",
  observed: "the SGs its NodeClass selects, as seen on its nodes",
  "cluster-security-group": "the cluster SG",
  "assumed-cluster-security-group": "the cluster SG (assumed)",
  unknown: "unknown SGs",
};

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
