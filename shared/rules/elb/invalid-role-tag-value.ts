import type { Subnet } from "@aws-sdk/client-ec2";
import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  INTERNAL_ROLE_TAG,
  isValidRoleTagValue,
  PUBLIC_ROLE_TAG,
  ROLE_TAG_KEYS,
  tagValue,
} from "#shared/models/lb-discovery/tags.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedCluster,
  auditedClusters,
  createTagsCommand,
  deleteTagsCommand,
  reachabilityOf,
} from "./audit.ts";

export const invalidRoleTagValue: RuleDefinition = {
  id: "elb.invalid-role-tag-value",
  family: "elb",
  severity: "MEDIUM",
  title: "Subnet role tag with a value the controller ignores",
  why: "The AWS Load Balancer Controller matches a role tag only with the value `1` or an empty value, so the subnet is never chosen by its tag.",
  firesWhen:
    "a role key is present with a value other than `1` or empty (LBC ignores the subnet). resourceId = subnet.",
  link: "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/subnet_discovery/",
  evaluate: (inventory) =>
    auditedClusters(inventory).flatMap((cluster) =>
      cluster.vpcSubnets.flatMap((subnet) => {
        const invalid = invalidRoleTags(subnet);
        return invalid.length === 0 ? [] : [invalidValueFinding(inventory, cluster, subnet, invalid)];
      }),
    ),
};

interface InvalidRoleTag {
  key: string;
  value: string;
}

function invalidRoleTags(subnet: Subnet): InvalidRoleTag[] {
  return ROLE_TAG_KEYS.flatMap((key) => {
    const value = tagValue(subnet, key);
    return value === undefined || isValidRoleTagValue(value) ? [] : [{ key, value }];
  });
}

function invalidValueFinding(
  inventory: Inventory,
  cluster: AuditedCluster,
  subnet: Subnet,
  invalid: InvalidRoleTag[],
): Finding {
  const subnetId = subnet.SubnetId ?? "";
  const shown = invalid.map((t) => `${t.key}="${t.value}"`).join(" and ");
  const reachability = reachabilityOf(subnet, cluster);
  return newFinding(inventory, {
    cluster: cluster.name,
    ruleId: "elb.invalid-role-tag-value",
    resourceId: subnetId,
    severity: "MEDIUM",
    title: `Role tag with an unusable value on ${subnetId}`,
    detail: `Subnet ${subnetId} (${subnet.AvailabilityZone ?? "?"}) in ${cluster.vpcId} has ${shown}; the AWS Load Balancer Controller only matches the value "1" or an empty value, so it never selects this subnet by its role tag.`,
    remediation: remediation(subnetId, invalid, reachability, inventory.region),
    evidence: {
      subnetId,
      vpcId: cluster.vpcId,
      availabilityZone: subnet.AvailabilityZone ?? null,
      invalidTags: Object.fromEntries(invalid.map((t) => [t.key, t.value])),
      acceptedValues: ["1", ""],
      reachability: reachability ?? "unknown",
    },
  });
}

/** Set `1`, or move the tag to the key that matches the subnet's reachability. */
function remediation(
  subnetId: string,
  invalid: InvalidRoleTag[],
  reachability: "public" | "private" | undefined,
  region: string,
): string {
  const rightKey =
    reachability === "public" ? PUBLIC_ROLE_TAG : reachability === "private" ? INTERNAL_ROLE_TAG : undefined;
  const keep = invalid.filter((t) => rightKey === undefined || t.key === rightKey).map((t) => t.key);
  const move = invalid.filter((t) => rightKey !== undefined && t.key !== rightKey).map((t) => t.key);
  const steps: string[] = [];
  if (keep.length > 0) {
    steps.push(createTagsCommand([subnetId], Object.fromEntries(keep.map((k) => [k, "1"])), region));
  }
  if (move.length > 0 && rightKey !== undefined) {
    steps.push(
      `the subnet is ${reachability}, so replace ${move.join(", ")}: ${deleteTagsCommand([subnetId], move, region)} && ${createTagsCommand([subnetId], { [rightKey]: "1" }, region)}`,
    );
  }
  return steps.join("; ");
}
