import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  describePorts,
  portRangeFor,
  protocolOf,
  revocablePermission,
  revokeIngressCommand,
  type WorldSource,
  worldSourcesOf,
} from "#shared/models/security-groups/permissions.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import { type AuditedNodegroup, auditedNodegroups, groupEvidence, groupLabel, listText } from "./audit.ts";
import { ADMIN_PORTS } from "./ssh-open-to-world.ts";

/** Prefix of the rules the in-tree service controller adds for an NLB Service (cloud-provider-aws). */
export const NLB_CLIENT_RULE_PREFIX = "kubernetes.io/rule/nlb/client=";

interface WorldRule {
  groupId: string;
  groupName?: string;
  protocol: string;
  fromPort?: number;
  toPort?: number;
  ports: string;
  cidr: string;
  description?: string;
  /** The load balancer whose Service owns the rule, when the in-tree NLB controller created it. */
  nlbServiceLoadBalancer?: string;
  permission: IpPermission;
}

export const nodeWorldIngress: RuleDefinition = {
  id: "sg.node-world-ingress",
  family: "sg",
  severity: "HIGH",
  title: "Node security group open to the internet",
  why: "Every node, and every pod listening on a host or node port, is reachable from anywhere on those ports.",
  firesWhen: "a node SG allows any other port from 0.0.0.0/0 or ::/0.",
  link: "https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html",
  evaluate: (inventory) =>
    auditedNodegroups(inventory).flatMap((ng) => {
      if (ng.nodeSecurityGroups.unresolvedLaunchTemplate) return [];
      const rules = ng.groups.flatMap(worldRulesOtherThanAdmin);
      return rules.length === 0 ? [] : [worldIngressFinding(inventory, ng, rules)];
    }),
};

/**
 * Ingress from 0.0.0.0/0 or ::/0 on anything but a rule that opens exactly tcp 22 or tcp 3389 (those belong to
 * sg.ssh-open-to-world; a wider range belongs to both). ICMP is left out: it carries no port, and path-MTU
 * discovery needs it from anywhere.
 */
export function worldRulesOtherThanAdmin(group: SecurityGroup): WorldRule[] {
  return (group.IpPermissions ?? []).flatMap((perm) => {
    const protocol = protocolOf(perm);
    if (protocol === "icmp" || protocol === "icmpv6" || opensOnlyAdminPort(perm)) return [];
    return worldSourcesOf(perm).map((source) => worldRule(group, perm, protocol, source));
  });
}

function opensOnlyAdminPort(perm: IpPermission): boolean {
  if (protocolOf(perm) !== "tcp") return false;
  const range = portRangeFor(perm, "tcp");
  return (
    range !== undefined && range.from === range.to && (ADMIN_PORTS as readonly number[]).includes(range.from)
  );
}

function worldRule(
  group: SecurityGroup,
  perm: IpPermission,
  protocol: string,
  source: WorldSource,
): WorldRule {
  const description = source.description;
  const nlb = description?.startsWith(NLB_CLIENT_RULE_PREFIX)
    ? description.slice(NLB_CLIENT_RULE_PREFIX.length)
    : undefined;
  return {
    groupId: group.GroupId ?? "",
    ...(group.GroupName ? { groupName: group.GroupName } : {}),
    protocol,
    ...(perm.FromPort !== undefined ? { fromPort: perm.FromPort } : {}),
    ...(perm.ToPort !== undefined ? { toPort: perm.ToPort } : {}),
    ports: describePorts(perm),
    cidr: source.cidr,
    ...(description ? { description } : {}),
    ...(nlb ? { nlbServiceLoadBalancer: nlb } : {}),
    permission: perm,
  };
}

function worldIngressFinding(inventory: Inventory, ng: AuditedNodegroup, rules: WorldRule[]): Finding {
  const label = (r: WorldRule) =>
    `${groupLabel(
      ng.groups.find((g) => g.GroupId === r.groupId),
      r.groupId,
    )} ${r.ports} from ${r.cidr}`;
  const [first] = rules;
  const others = rules.length - 1;
  return newFinding(inventory, {
    cluster: ng.clusterName,
    ruleId: "sg.node-world-ingress",
    resourceId: ng.resourceId,
    severity: "HIGH",
    title: `${ng.label} accepts ${first?.ports ?? "traffic"} from ${first?.cidr ?? "anywhere"}${others > 0 ? ` (+${others} more world rule${others > 1 ? "s" : ""})` : ""}`,
    detail: `${ng.label} of cluster ${ng.clusterName} carries ${rules.length} ingress rule(s) open to the whole internet: ${listText(rules.map(label))}. Every node of the group, and every pod that listens on a host or node port, is reachable on those ports wherever a route exists.`,
    remediation: remediation(inventory, rules),
    evidence: {
      ...groupEvidence(ng),
      nodeSecurityGroups: ng.nodeSecurityGroups.groupIds,
      securityGroupSource: ng.nodeSecurityGroups.source,
      worldRules: rules.map(({ permission: _p, ...rule }) => rule),
    },
  });
}

function remediation(inventory: Inventory, rules: WorldRule[]): string {
  const region = inventory.region;
  const steps: string[] = [];
  const nlbRules = rules.filter((r) => r.nlbServiceLoadBalancer !== undefined);
  const plain = rules.filter((r) => r.nlbServiceLoadBalancer === undefined);
  const byGroup = new Map<string, WorldRule[]>();
  for (const r of plain) byGroup.set(r.groupId, [...(byGroup.get(r.groupId) ?? []), r]);
  for (const [groupId, groupRules] of byGroup) {
    const permissions = groupRules.map((r) => revocablePermission(r.permission, { cidrs: [r.cidr] }));
    steps.push(
      `Revoke the world rule(s) on ${groupId}: ${revokeIngressCommand(groupId, permissions, region)}`,
    );
  }
  if (nlbRules.length > 0) {
    const lbs = [...new Set(nlbRules.map((r) => r.nlbServiceLoadBalancer ?? ""))];
    steps.push(
      `The in-tree service controller owns the rule(s) for NLB ${listText(lbs)} and re-adds a revoked one: set spec.loadBalancerSourceRanges on that Service (kubectl patch service SERVICE_NAME -n NAMESPACE -p '{"spec":{"loadBalancerSourceRanges":["CLIENT_CIDR"]}}'), or move it to the AWS Load Balancer Controller with IP targets.`,
    );
  }
  steps.push(
    "Expose services through a load balancer with its own security group rather than opening node ports to 0.0.0.0/0.",
  );
  return steps.map((s, i) => `${i + 1}. ${s}`).join("\n");
}
