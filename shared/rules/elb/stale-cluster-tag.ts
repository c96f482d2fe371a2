import type { Subnet } from "@aws-sdk/client-ec2";
import { type Finding, NO_CLUSTER } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  clusterNameOfTagKey,
  clusterTagKey,
  hasValidRoleTag,
  ROLE_TAG_KEYS,
  tagValue,
} from "#shared/models/lb-discovery/tags.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import { deleteTagsCommand, liveClusterNames, TERRAFORM_IGNORE_TAGS_HINT } from "./audit.ts";

export const staleClusterTag: RuleDefinition = {
  id: "elb.stale-cluster-tag",
  family: "elb",
  severity: "LOW",
  title: "Subnet tagged for a cluster that does not exist",
  why: "A leftover `kubernetes.io/cluster/<name>` tag makes the AWS Load Balancer Controller of every other cluster skip the subnet.",
  firesWhen:
    "a subnet carries `kubernetes.io/cluster/<name>` for a cluster that does not exist in that account-region. resourceId = subnet, evidence.staleCluster.",
  link: "https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/pkg/networking/subnet_resolver.go#L633",
  evaluate: (inventory) => {
    const live = liveClusterNames(inventory);
    // Every subnet of the region: stale tags outlive their cluster wherever the subnet is.
    return inventory.subnets.flatMap((subnet) => {
      const stale = staleClusterNames(subnet, live);
      return stale.length === 0 ? [] : [staleTagFinding(inventory, subnet, stale)];
    });
  },
};

export function staleClusterNames(subnet: Subnet, live: ReadonlySet<string>): string[] {
  const names = (subnet.Tags ?? []).flatMap((t) => {
    const name = clusterNameOfTagKey(t.Key ?? "");
    return name === undefined || live.has(name) ? [] : [name];
  });
  return [...new Set(names)].sort();
}

function staleTagFinding(inventory: Inventory, subnet: Subnet, stale: string[]): Finding {
  const subnetId = subnet.SubnetId ?? "";
  const keys = stale.map(clusterTagKey);
  const [first = ""] = stale;
  const roleTagged = ROLE_TAG_KEYS.some((k) => hasValidRoleTag(subnet, k));
  return newFinding(inventory, {
    cluster: NO_CLUSTER,
    ruleId: "elb.stale-cluster-tag",
    resourceId: subnetId,
    severity: "LOW",
    title: `Subnet ${subnetId} is tagged for missing cluster ${first}${stale.length > 1 ? ` (+${stale.length - 1})` : ""}`,
    detail: `Subnet ${subnetId} in ${subnet.VpcId ?? "?"} carries ${keys.join(", ")}, but no such EKS cluster exists in ${inventory.accountId}/${inventory.region}; the tag makes the AWS Load Balancer Controller of every other cluster skip this subnet${roleTagged ? " although it is role-tagged" : ""}.`,
    remediation: `${deleteTagsCommand([subnetId], keys, inventory.region)}. ${TERRAFORM_IGNORE_TAGS_HINT} — and delete the tag in the code that sets it, if any.`,
    evidence: {
      subnetId,
      vpcId: subnet.VpcId ?? null,
      staleCluster: first,
      staleClusters: stale,
      tags: Object.fromEntries(keys.map((k) => [k, tagValue(subnet, k) ?? ""])),
      roleTagged,
    },
  });
}
