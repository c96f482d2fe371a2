import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import type { ExcludedSubnet, LbSubnetDiscovery } from "#shared/models/lb-discovery/discovery.ts";
import { LB_SCHEMES, type LbScheme } from "#shared/models/lb-discovery/tags.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedCluster,
  auditedClusters,
  blockedCandidates,
  createTagsCommand,
  lbcDiscovery,
  schemeNoun,
  suggestedLbSubnets,
  unblockSteps,
} from "./audit.ts";

export const singleAz: RuleDefinition = {
  id: "elb.single-az",
  family: "elb",
  severity: "MEDIUM",
  title: "Load-balancer subnets in only one Availability Zone",
  why: "An ALB needs subnets in at least two Availability Zones: the controller refuses to create it with one.",
  firesWhen: "discovery resolves subnets in fewer than 2 AZs (an ALB cannot be created).",
  link: "https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/pkg/networking/subnet_resolver.go#L714",
  evaluate: (inventory) =>
    auditedClusters(inventory).flatMap((cluster) =>
      LB_SCHEMES.flatMap((scheme) => {
        const discovery = lbcDiscovery(inventory, cluster, scheme);
        // Only the ALB minimum fails: an NLB would still be created in the one AZ.
        if (discovery.failure !== "too-few-subnets") return [];
        return [singleAzFinding(inventory, cluster, scheme, discovery)];
      }),
    ),
};

function singleAzFinding(
  inventory: Inventory,
  cluster: AuditedCluster,
  scheme: LbScheme,
  discovery: LbSubnetDiscovery,
): Finding {
  const chosenAzs = new Set(discovery.chosen.map((c) => c.availabilityZone));
  const [only] = discovery.chosen;
  const az = only?.availabilityZone ?? "";
  const subnetId = only?.subnetId ?? "";
  const otherAzs = cluster.vpcSubnets
    .map((s) => s.AvailabilityZone ?? "")
    .filter((a, i, all) => a !== "" && !chosenAzs.has(a) && all.indexOf(a) === i);
  const elsewhere = blockedCandidates(discovery, new Set(otherAzs));
  const suggestions = suggestedLbSubnets(cluster, scheme, new Set(otherAzs)).map((s) => s.SubnetId ?? "");
  const [firstBlocked] = elsewhere;
  return newFinding(inventory, {
    cluster: cluster.name,
    ruleId: "elb.single-az",
    resourceId: cluster.vpcId,
    variant: scheme,
    severity: "MEDIUM",
    title: `${capitalize(schemeNoun(scheme))} resolve subnets in only one AZ (${az})`,
    detail: `Subnet discovery for ${schemeNoun(scheme)} of cluster ${cluster.name} resolves only ${subnetId} in ${az}, so an ALB cannot be created ("${discovery.error ?? ""}"); ${
      firstBlocked
        ? `${elsewhere.length} candidate(s) in other AZs are dropped (${firstBlocked.subnetId}: ${firstBlocked.reason}).`
        : `no other subnet of ${cluster.vpcId} is ${discovery.fallbackUsed ? `a ${scheme === "internet-facing" ? "public" : "private"} candidate` : `tagged ${discovery.roleTagKey}`}.`
    }`,
    remediation: remediation(cluster, scheme, discovery, suggestions, elsewhere, inventory.region),
    evidence: {
      scheme,
      vpcId: cluster.vpcId,
      availabilityZone: az,
      subnetId,
      controllerError: discovery.error,
      fallbackUsed: discovery.fallbackUsed,
      otherAzs,
      excludedInOtherAzs: elsewhere.map(({ subnetId: id, availabilityZone, reason }) => ({
        subnetId: id,
        availabilityZone,
        reason,
      })),
      suggestedSubnets: suggestions,
    },
  });
}

function remediation(
  cluster: AuditedCluster,
  scheme: LbScheme,
  discovery: LbSubnetDiscovery,
  suggestions: string[],
  blocked: ExcludedSubnet[],
  region: string,
): string {
  const roleTag = { [discovery.roleTagKey]: "1" };
  const unblock = unblockSteps(blocked, cluster.name, region);
  if (unblock.length > 0) return `In the other AZs, ${unblock.join("; ")}.`;
  if (suggestions.length === 0) {
    const kind = scheme === "internet-facing" ? "public" : "private";
    const ids = [...discovery.chosen.map((c) => c.subnetId), "NEW_SUBNET_ID"];
    return `Create a ${kind} subnet (at least 8 free IPs) in a second AZ of ${cluster.vpcId} and tag it with the current one: ${createTagsCommand(ids, roleTag, region)}`;
  }
  // Tagging the current subnet too keeps it once the tag switches the reachability fallback off.
  const ids = [...new Set([...discovery.chosen.map((c) => c.subnetId), ...suggestions])];
  return `Tag a subnet in another AZ for ${schemeNoun(scheme)}: ${createTagsCommand(ids, roleTag, region)}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
