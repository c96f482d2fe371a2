import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  CLUSTER_SUBNET_RECOMMENDED,
  CLUSTER_SUBNET_RESERVE,
  clusterHeadroom,
  subnetLabel,
} from "#shared/models/ip-headroom/headroom.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";

/** ip.cluster-subnet-low: a control-plane subnet with < 5 free IPs (HIGH, upgrades fail) or < 16 (MEDIUM). */
function evaluate(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  const subnets = new Map(inventory.subnets.map((s) => [s.SubnetId ?? "", s]));
  for (const c of clusterHeadroom(inventory)) {
    const ci = inventory.clusters.find((x) => x.cluster.name === c.cluster);
    const allIds = c.clusterSubnetIds;
    for (const subnetId of [...new Set(allIds)].sort()) {
      const subnet = subnets.get(subnetId);
      const available = subnet?.AvailableIpAddressCount;
      if (subnet === undefined || available === undefined || available >= CLUSTER_SUBNET_RECOMMENDED)
        continue;
      const severity = available < CLUSTER_SUBNET_RESERVE ? "HIGH" : "MEDIUM";
      const label = subnetLabel({
        subnetId,
        ...(subnet.AvailabilityZone ? { availabilityZone: subnet.AvailabilityZone } : {}),
      });
      const roomy = allIds
        .filter((id) => id !== subnetId)
        .filter((id) => (subnets.get(id)?.AvailableIpAddressCount ?? 0) >= CLUSTER_SUBNET_RECOMMENDED);
      const consequence =
        severity === "HIGH"
          ? `EKS needs up to ${CLUSTER_SUBNET_RESERVE} free IPs in each cluster subnet for control-plane ENIs: the next Kubernetes version upgrade can fail`
          : `EKS needs up to ${CLUSTER_SUBNET_RESERVE} free IPs here to upgrade the control plane and recommends keeping ${CLUSTER_SUBNET_RECOMMENDED}`;
      findings.push(
        newFinding(inventory, {
          cluster: c.cluster,
          ruleId: "ip.cluster-subnet-low",
          resourceId: subnetId,
          severity,
          title: `Cluster subnet ${subnetId} of ${c.cluster} has ${available} free IPs`,
          detail: `${label}, a control-plane subnet of cluster ${c.cluster}, has ${available} free IPs: ${consequence}.`,
          remediation:
            `Free addresses in ${subnetId} or give the control plane subnets with at least ${CLUSTER_SUBNET_RECOMMENDED} free IPs ` +
            `(a /28 or larger per AZ, used by nothing else): aws eks update-cluster-config --name ${c.cluster} ` +
            `--resources-vpc-config subnetIds=${[...roomy, "NEW_SUBNET_ID"].join(",")} --region ${inventory.region}`,
          evidence: {
            subnetId,
            ...(subnet.AvailabilityZone ? { availabilityZone: subnet.AvailabilityZone } : {}),
            ...(subnet.CidrBlock ? { cidrBlock: subnet.CidrBlock } : {}),
            availableIps: available,
            requiredForUpgrade: CLUSTER_SUBNET_RESERVE,
            recommended: CLUSTER_SUBNET_RECOMMENDED,
            clusterSubnetIds: allIds,
            clusterVersion: ci?.cluster.version ?? null,
          },
        }),
      );
    }
  }
  return findings;
}

export const clusterSubnetLow: RuleDefinition = {
  id: "ip.cluster-subnet-low",
  family: "ip",
  severity: "HIGH",
  title: "Control-plane subnet short of free IPs",
  why: "EKS places new control-plane network interfaces in these subnets during upgrades; without free addresses the upgrade fails.",
  firesWhen:
    "a cluster (control-plane) subnet has fewer than 5 available IPs (upgrades fail); MEDIUM below 16.",
  link: "https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html",
  evaluate,
};
