import type { Subnet } from "@aws-sdk/client-ec2";
import type { Finding, Severity } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  clusterNameOfTagKey,
  clusterTagKey,
  hasValidRoleTag,
  isLookAlikeClusterKey,
  LB_SCHEMES,
  type LbScheme,
  lbcForeignClusterKeys,
  roleTagKeyFor,
} from "#shared/models/lb-discovery/tags.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  type AuditedCluster,
  auditedClusters,
  clusterVpcs,
  deleteTagsCommand,
  shareWithClusterCommand,
  TERRAFORM_IGNORE_TAGS_HINT,
} from "./audit.ts";

export const foreignClusterTag: RuleDefinition = {
  id: "elb.foreign-cluster-tag",
  family: "elb",
  severity: "HIGH",
  title: "Role-tagged subnet excluded by another cluster's tag",
  why: "The controller drops a subnet tagged only for other clusters, so this cluster loses a subnet that was tagged for load balancers.",
  firesWhen:
    "a role-tagged subnet in the cluster's VPC is excluded because it carries another cluster's tag (or a look-alike key) and not this cluster's.",
  link: "https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/pkg/networking/subnet_resolver.go#L633",
  evaluate: (inventory) => {
    const vpcOfCluster = clusterVpcs(inventory);
    return auditedClusters(inventory).flatMap((cluster) =>
      cluster.vpcSubnets.flatMap((subnet) => {
        const keys = lbcForeignClusterKeys(subnet, cluster.name);
        if (keys.length === 0) return [];
        // Role-tagged for a scheme = a candidate LBC evaluates and then drops for the foreign key.
        const schemes = LB_SCHEMES.filter((scheme) => hasValidRoleTag(subnet, roleTagKeyFor(scheme)));
        if (schemes.length === 0) return [];
        return [foreignTagFinding(inventory, cluster, subnet, keys, schemes, vpcOfCluster)];
      }),
    );
  },
};

function foreignTagFinding(
  inventory: Inventory,
  cluster: AuditedCluster,
  subnet: Subnet,
  keys: string[],
  schemes: LbScheme[],
  vpcOfCluster: Map<string, string | undefined>,
): Finding {
  const subnetId = subnet.SubnetId ?? "";
  const lookAlikes = keys.filter(isLookAlikeClusterKey);
  const otherClusters = keys.flatMap((k) => {
    const name = clusterNameOfTagKey(k);
    return name === undefined ? [] : [name];
  });
  const liveOthers = otherClusters.filter((name) => vpcOfCluster.has(name));
  const goneOthers = otherClusters.filter((name) => !vpcOfCluster.has(name));
  // Tags naming only live clusters of the same VPC are how teams isolate clusters sharing a VPC on purpose.
  const deliberateIsolation =
    lookAlikes.length === 0 &&
    otherClusters.length > 0 &&
    otherClusters.every((name) => vpcOfCluster.get(name) === cluster.vpcId);
  // The catalog fixes HIGH; evidence.deliberateIsolation tells reviewers when the tag looks intentional.
  const severity: Severity = "HIGH";
  // A live cluster of another VPC never puts its load balancers here, so its tag is removable too.
  const removable = [
    ...lookAlikes,
    ...otherClusters.filter((name) => vpcOfCluster.get(name) !== cluster.vpcId).map(clusterTagKey),
  ];
  const roleTags = schemes.map((s) => roleTagKeyFor(s));
  return newFinding(inventory, {
    cluster: cluster.name,
    ruleId: "elb.foreign-cluster-tag",
    resourceId: subnetId,
    severity,
    title: `Role-tagged subnet ${subnetId} is excluded by another cluster's tag`,
    detail: `Subnet ${subnetId} (${subnet.AvailabilityZone ?? "?"}) is tagged ${roleTags.join(" and ")} but carries ${keys.join(", ")} and not ${clusterTagKey(cluster.name)}, so the AWS Load Balancer Controller of ${cluster.name} never uses it for ${schemes.join(" or ")} load balancers${lookAlikes.length > 0 ? ` (${lookAlikes.join(", ")} is a look-alike key that still matches the kubernetes.io/cluster prefix)` : ""}.`,
    remediation: remediation(subnetId, cluster.name, removable, deliberateIsolation, inventory.region),
    evidence: {
      subnetId,
      vpcId: cluster.vpcId,
      availabilityZone: subnet.AvailabilityZone ?? null,
      offendingKeys: keys,
      lookAlikeKeys: lookAlikes,
      otherClusters,
      liveOtherClusters: liveOthers,
      deliberateIsolation,
      missingOtherClusters: goneOthers,
      schemes,
      roleTags,
      expectedKey: clusterTagKey(cluster.name),
    },
  });
}

function remediation(
  subnetId: string,
  clusterName: string,
  removable: string[],
  deliberateIsolation: boolean,
  region: string,
): string {
  const share = shareWithClusterCommand([subnetId], clusterName, region);
  if (deliberateIsolation) {
    return `If ${clusterName} should use this subnet too, share it: ${share}; otherwise remove its role tag or accept the isolation.`;
  }
  return `Remove the tag(s) no cluster of this VPC owns: ${deleteTagsCommand([subnetId], removable, region)}; or share the subnet: ${share}. ${TERRAFORM_IGNORE_TAGS_HINT}`;
}
