import type { Finding, Severity } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import type { LbSubnetDiscovery } from "#shared/models/lb-discovery/discovery.ts";
import {
  clusterNameOfTagKey,
  LB_SCHEMES,
  type LbScheme,
  tagValue,
} from "#shared/models/lb-discovery/tags.ts";
import { vpcHasIgwRoute } from "#shared/models/network/route-tables.ts";
import { subnetLocaleOf } from "#shared/models/network/zones.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedCluster,
  auditedClusters,
  createTagsCommand,
  deleteTagsCommand,
  lbcDiscovery,
  listIds,
  liveClusterNames,
  SCHEME_ANNOTATIONS,
  schemeNoun,
  shareWithClusterCommand,
  suggestedLbSubnets,
  TERRAFORM_IGNORE_TAGS_HINT,
} from "./audit.ts";

/** Why discovery came back empty, as one word for evidence and filters. */
export type NoSubnetCause =
  | "no-role-tag-and-no-fallback-candidate"
  | "tagged-for-other-clusters"
  | "insufficient-ips"
  | "tagged-for-other-clusters-or-insufficient-ips"
  | "mixed-zone-types";

export const noEligibleSubnet: RuleDefinition = {
  id: "elb.no-eligible-subnet",
  family: "elb",
  severity: "HIGH",
  title: "Load balancers of a scheme get no subnet",
  why: "Services and Ingresses of that scheme stay pending: the AWS Load Balancer Controller has no subnet to create their load balancer in.",
  firesWhen:
    "LBC discovery for a scheme (`internal`, `internet-facing`) would resolve no subnet; evidence says why (no role tag, tagged for other clusters, < 8 IPs). resourceId = the cluster's VPC id, evidence.scheme. Internet-facing is MEDIUM when the VPC has no IGW route at all.",
  link: "https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/pkg/networking/subnet_resolver.go#L177",
  evaluate: (inventory) =>
    auditedClusters(inventory).flatMap((cluster) =>
      LB_SCHEMES.flatMap((scheme) => {
        const discovery = lbcDiscovery(inventory, cluster, scheme);
        // An inventory without route tables is a collection gap (scan.* reports it), not a finding.
        if (discovery.failure !== "no-subnet" && discovery.failure !== "mixed-locales") return [];
        return [noSubnetFinding(inventory, cluster, scheme, discovery)];
      }),
    ),
};

function noSubnetFinding(
  inventory: Inventory,
  cluster: AuditedCluster,
  scheme: LbScheme,
  discovery: LbSubnetDiscovery,
): Finding {
  const hasIgw = vpcHasIgwRoute(cluster.vpcId, cluster.routeTables);
  const cause = causeOf(discovery);
  // Without an IGW route an internet-facing LB cannot work at all: likely a private-only cluster by design.
  const severity: Severity = scheme === "internet-facing" && !hasIgw ? "MEDIUM" : "HIGH";
  return newFinding(inventory, {
    cluster: cluster.name,
    ruleId: "elb.no-eligible-subnet",
    resourceId: cluster.vpcId,
    variant: scheme,
    severity,
    title: `No subnet for ${schemeNoun(scheme)} in ${cluster.vpcId}`,
    detail: `${sentenceCase(schemeNoun(scheme))} of cluster ${cluster.name} cannot be created in ${cluster.vpcId}: ${explain(cause, discovery, scheme, hasIgw)} The AWS Load Balancer Controller reports "${discovery.error ?? ""}".`,
    remediation: remediationFor(cause, cluster, scheme, discovery, hasIgw, inventory),
    evidence: {
      scheme,
      vpcId: cluster.vpcId,
      cause,
      controllerError: discovery.error,
      fallbackUsed: discovery.fallbackUsed,
      vpcHasIgwRoute: hasIgw,
      vpcSubnets: discovery.counts.vpcSubnets,
      evaluated: discovery.counts.evaluated,
      taggedForOtherClusters: discovery.counts.taggedForOtherClusters,
      insufficientIps: discovery.counts.insufficientIps,
      roleTagKey: discovery.roleTagKey,
      roleTaggedSubnets: discovery.roleTaggedSubnetIds,
      invalidRoleTagValues: invalidRoleTagValues(cluster, discovery.roleTagKey),
      candidates: discovery.candidates,
      chosen: discovery.chosen,
      excluded: discovery.exclusions.map(({ subnetId, availabilityZone, reason }) => ({
        subnetId,
        availabilityZone,
        reason,
      })),
    },
  });
}

function causeOf(discovery: LbSubnetDiscovery): NoSubnetCause {
  if (discovery.failure === "mixed-locales") return "mixed-zone-types";
  const { evaluated, taggedForOtherClusters, insufficientIps } = discovery.counts;
  if (evaluated === 0) return "no-role-tag-and-no-fallback-candidate";
  if (insufficientIps === 0) return "tagged-for-other-clusters";
  if (taggedForOtherClusters === 0) return "insufficient-ips";
  return "tagged-for-other-clusters-or-insufficient-ips";
}

function explain(
  cause: NoSubnetCause,
  discovery: LbSubnetDiscovery,
  scheme: LbScheme,
  hasIgw: boolean,
): string {
  const { evaluated, taggedForOtherClusters, insufficientIps, vpcSubnets } = discovery.counts;
  switch (cause) {
    case "no-role-tag-and-no-fallback-candidate": {
      const kind = scheme === "internet-facing" ? "public (IGW-routed)" : "private";
      const igw =
        scheme === "internet-facing" && !hasIgw
          ? " and the VPC has no route to an internet gateway at all"
          : "";
      return `none of its ${vpcSubnets} subnets has ${discovery.roleTagKey}=1, and the reachability fallback finds no ${kind} subnet${igw}.`;
    }
    case "tagged-for-other-clusters":
      return `all ${evaluated} ${discovery.fallbackUsed ? "candidate" : "role-tagged"} subnets are tagged for other clusters (${foreignKeysOf(discovery).join(", ")}).`;
    case "insufficient-ips":
      return `all ${evaluated} ${discovery.fallbackUsed ? "candidate" : "role-tagged"} subnets have fewer than 8 available IPs (${ipSummary(discovery)}).`;
    case "tagged-for-other-clusters-or-insufficient-ips":
      return `of ${evaluated} ${discovery.fallbackUsed ? "candidate" : "role-tagged"} subnets, ${taggedForOtherClusters} are tagged for other clusters and ${insufficientIps} have fewer than 8 available IPs.`;
    case "mixed-zone-types":
      return `the subnets it picks (${listIds(discovery.chosen.map((c) => `${c.subnetId} in ${c.availabilityZone}`))}) mix zone types.`;
  }
}

function remediationFor(
  cause: NoSubnetCause,
  cluster: AuditedCluster,
  scheme: LbScheme,
  discovery: LbSubnetDiscovery,
  hasIgw: boolean,
  inventory: Inventory,
): string {
  const region = inventory.region;
  const roleTag = { [discovery.roleTagKey]: "1" };
  const suggested = suggestedLbSubnets(cluster, scheme).map((s) => s.SubnetId ?? "");
  const tagSuggested =
    suggested.length > 0
      ? createTagsCommand(suggested, roleTag, region)
      : `${createTagsCommand([], roleTag, region)} (one ${scheme === "internet-facing" ? "public" : "private"} subnet with at least 8 free IPs per AZ)`;
  switch (cause) {
    case "no-role-tag-and-no-fallback-candidate":
      if (scheme === "internet-facing" && !hasIgw) {
        return `The VPC has no internet gateway route, so use scheme internal (${SCHEME_ANNOTATIONS}); if the cluster must be reachable from the internet, attach an internet gateway, route public subnets to it and tag them: ${tagSuggested}`;
      }
      return `Tag one subnet per AZ for ${schemeNoun(scheme)}: ${tagSuggested}`;
    case "tagged-for-other-clusters":
    case "tagged-for-other-clusters-or-insufficient-ips":
      return foreignRemediation(cluster, discovery, inventory, tagSuggested);
    case "insufficient-ips":
      return `Free addresses in ${ipSummary(discovery)}, or tag roomier subnets: ${tagSuggested}`;
    case "mixed-zone-types": {
      const outliers = discovery.chosen
        .map((c) => cluster.vpcSubnets.find((s) => s.SubnetId === c.subnetId))
        .filter((s) => s !== undefined && subnetLocaleOf(s) !== "availability-zone")
        .map((s) => s?.SubnetId ?? "");
      return `Remove the role tag from the Local Zone/Wavelength/Outpost subnets (${deleteTagsCommand(outliers, [discovery.roleTagKey], region)}), or list the subnets explicitly with alb.ingress.kubernetes.io/subnets or service.beta.kubernetes.io/aws-load-balancer-subnets.`;
    }
  }
}

function foreignRemediation(
  cluster: AuditedCluster,
  discovery: LbSubnetDiscovery,
  inventory: Inventory,
  tagSuggested: string,
): string {
  const region = inventory.region;
  const live = liveClusterNames(inventory);
  const foreign = discovery.exclusions.filter((e) => e.cause === "foreign-cluster-tag");
  const ids = foreign.map((e) => e.subnetId);
  const keys = foreignKeysOf(discovery);
  const staleKeys = keys.filter((k) => !live.has(clusterNameOfTagKey(k) ?? ""));
  const steps = [
    `Share the subnets with ${cluster.name}: ${shareWithClusterCommand(ids, cluster.name, region)}`,
  ];
  if (staleKeys.length > 0)
    steps.push(`if no live cluster owns them, remove the tags: ${deleteTagsCommand(ids, staleKeys, region)}`);
  if (discovery.counts.insufficientIps > 0)
    steps.push(`for the subnets short of IPs, tag roomier ones: ${tagSuggested}`);
  return `${steps.join("; ")}. ${TERRAFORM_IGNORE_TAGS_HINT}`;
}

function foreignKeysOf(discovery: LbSubnetDiscovery): string[] {
  return [...new Set(discovery.exclusions.flatMap((e) => e.foreignClusterKeys ?? []))].sort();
}

function ipSummary(discovery: LbSubnetDiscovery): string {
  return listIds(
    discovery.exclusions
      .filter((e) => e.cause === "insufficient-ips")
      .map((e) => `${e.subnetId}: ${e.availableIps ?? 0} IPs`),
  );
}

function invalidRoleTagValues(
  cluster: AuditedCluster,
  roleTagKey: string,
): { subnetId: string; value: string }[] {
  return cluster.vpcSubnets.flatMap((s) => {
    const value = tagValue(s, roleTagKey);
    return value === undefined || value === "" || value === "1"
      ? []
      : [{ subnetId: s.SubnetId ?? "", value }];
  });
}

function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
