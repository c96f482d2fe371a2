import type { Subnet } from "@aws-sdk/client-ec2";
import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  hasValidRoleTag,
  INTERNAL_ROLE_TAG,
  PUBLIC_ROLE_TAG,
  tagValue,
} from "#shared/models/lb-discovery/tags.ts";
import { defaultRouteTarget, internetGatewayOf, routeTableOf } from "#shared/models/network/route-tables.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedCluster,
  auditedClusters,
  createTagsCommand,
  deleteTagsCommand,
  reachabilityOf,
} from "./audit.ts";

export type RoleTagMismatch = "elb-on-private-subnet" | "internal-elb-on-public-subnet" | "both-role-tags";

export const roleTagSchemeMismatch: RuleDefinition = {
  id: "elb.role-tag-scheme-mismatch",
  family: "elb",
  severity: "MEDIUM",
  title: "Subnet role tag that contradicts the subnet's routing",
  why: "Load balancers land in subnets that cannot serve their scheme: internet-facing ones without an internet route, internal ones in public subnets.",
  firesWhen:
    "`kubernetes.io/role/elb` on a subnet with no IGW route, `internal-elb` on a public subnet, or both on one subnet.",
  link: "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/subnet_discovery/",
  evaluate: (inventory) =>
    auditedClusters(inventory).flatMap((cluster) =>
      cluster.vpcSubnets.flatMap((subnet) => {
        const reachability = reachabilityOf(subnet, cluster);
        // No route table in the inventory: reachability unknown, nothing to say.
        if (reachability === undefined) return [];
        const problems = mismatchesOf(subnet, reachability);
        return problems.length === 0
          ? []
          : [mismatchFinding(inventory, cluster, subnet, reachability, problems)];
      }),
    ),
};

/** Only role tags LBC acts on (`1`/empty) count; other values are elb.invalid-role-tag-value's business. */
export function mismatchesOf(subnet: Subnet, reachability: "public" | "private"): RoleTagMismatch[] {
  const publicRole = hasValidRoleTag(subnet, PUBLIC_ROLE_TAG);
  const internalRole = hasValidRoleTag(subnet, INTERNAL_ROLE_TAG);
  const problems: RoleTagMismatch[] = [];
  if (publicRole && reachability === "private") problems.push("elb-on-private-subnet");
  if (internalRole && reachability === "public") problems.push("internal-elb-on-public-subnet");
  if (publicRole && internalRole) problems.push("both-role-tags");
  return problems;
}

function mismatchFinding(
  inventory: Inventory,
  cluster: AuditedCluster,
  subnet: Subnet,
  reachability: "public" | "private",
  problems: RoleTagMismatch[],
): Finding {
  const subnetId = subnet.SubnetId ?? "";
  const table = routeTableOf(subnet, cluster.routeTables);
  const tableId = table?.RouteTableId ?? "its route table";
  const route =
    reachability === "public"
      ? `routes to ${internetGatewayOf(table) ?? "an internet gateway"}`
      : `has no route to an internet gateway (0.0.0.0/0 → ${defaultRouteTarget(table) ?? "none"})`;
  const wrongKey = reachability === "public" ? INTERNAL_ROLE_TAG : PUBLIC_ROLE_TAG;
  const rightKey = reachability === "public" ? PUBLIC_ROLE_TAG : INTERNAL_ROLE_TAG;
  return newFinding(inventory, {
    cluster: cluster.name,
    ruleId: "elb.role-tag-scheme-mismatch",
    resourceId: subnetId,
    severity: "MEDIUM",
    title: `${wrongKey} on ${reachability} subnet ${subnetId}`,
    detail: `Subnet ${subnetId} (${subnet.AvailabilityZone ?? "?"}) is ${reachability}: ${tableId} ${route}, yet it is tagged ${tagsShown(subnet)}. ${consequence(problems)}`,
    remediation: `${deleteTagsCommand([subnetId], [wrongKey], inventory.region)}${
      hasValidRoleTag(subnet, rightKey)
        ? ""
        : ` && ${createTagsCommand([subnetId], { [rightKey]: "1" }, inventory.region)}`
    }`,
    evidence: {
      subnetId,
      vpcId: cluster.vpcId,
      availabilityZone: subnet.AvailabilityZone ?? null,
      problems,
      reachability,
      routeTableId: table?.RouteTableId ?? null,
      internetGateway: internetGatewayOf(table) ?? null,
      defaultRoute: defaultRouteTarget(table) ?? null,
      roleTags: Object.fromEntries(
        [PUBLIC_ROLE_TAG, INTERNAL_ROLE_TAG].flatMap((k) => {
          const v = tagValue(subnet, k);
          return v === undefined ? [] : [[k, v]];
        }),
      ),
    },
  });
}

function consequence(problems: RoleTagMismatch[]): string {
  if (problems.includes("elb-on-private-subnet")) {
    return "LBC does not check reachability for role-tagged subnets, so internet-facing load balancers land here and cannot be reached from the internet.";
  }
  if (problems.includes("internal-elb-on-public-subnet")) {
    return "Internal load balancers land in a public subnet, next to internet-facing ones.";
  }
  return "Internal and internet-facing load balancers share the subnet.";
}

function tagsShown(subnet: Subnet): string {
  return [PUBLIC_ROLE_TAG, INTERNAL_ROLE_TAG]
    .filter((k) => hasValidRoleTag(subnet, k))
    .map((k) => `${k}=${tagValue(subnet, k) ?? ""}`)
    .join(" and ");
}
