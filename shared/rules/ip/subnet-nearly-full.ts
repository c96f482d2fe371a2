import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  clusterHeadroom,
  contextEvidence,
  freeText,
  growthText,
  moreNodesFit,
  pairEvidence,
  pairsBySubnet,
  type SubnetPair,
  subnetEvidence,
  subnetLabel,
  tightestPair,
} from "#shared/models/ip-headroom/headroom.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import { remediationForSubnet } from "./context.ts";

/**
 * ip.subnet-nearly-full: a node group cannot reach maxSize within the subnet's headroom or fewer than 3 nodes
 * fit at launch cost (HIGH); only at full cost, or below 15 % free (MEDIUM). A subnet already reported as
 * exhausted or fragmented is left to those rules.
 */
function evaluate(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  for (const c of clusterHeadroom(inventory)) {
    const issueSubnets = new Set(c.issues.map((i) => i.subnetId));
    for (const [subnetId, pairs] of pairsBySubnet(c)) {
      if (issueSubnets.has(subnetId)) continue;
      if (pairs.some((p) => p.assessment.exhausted || p.assessment.fragmented)) continue;
      const flagged = pairs.filter((p) => p.assessment.nearlyFull !== undefined);
      if (flagged.length === 0) continue;
      const high = flagged.filter((p) => p.assessment.nearlyFull?.severity === "HIGH");
      const severity = high.length > 0 ? "HIGH" : "MEDIUM";
      const worst = tightestPair(high.length > 0 ? high : flagged);
      if (!worst) continue;
      findings.push(
        newFinding(inventory, {
          cluster: c.cluster,
          ruleId: "ip.subnet-nearly-full",
          resourceId: subnetId,
          severity,
          title: `Subnet ${subnetId} is running out of IPs for cluster ${c.cluster}`,
          detail: detailText(worst, flagged.length),
          remediation: remediationForSubnet(
            inventory,
            c,
            worst.ng,
            flagged.map((p) => p.ng.label),
          ),
          evidence: {
            ...subnetEvidence(worst.subnet),
            reasons: [...new Set(flagged.flatMap((p) => p.assessment.nearlyFull?.reasons ?? []))],
            nodegroups: pairs.map((p) => pairEvidence(p.ng, p.subnet)),
            ...contextEvidence(c),
          },
        }),
      );
    }
  }
  return findings;
}

function detailText(worst: SubnetPair, flaggedCount: number): string {
  const { ng, subnet } = worst;
  const blocks = subnet.prefixBlocks ? ` (${subnet.prefixBlocks.free} free /28 blocks)` : "";
  const others = flaggedCount > 1 ? ` ${flaggedCount - 1} other node group(s) are affected too.` : "";
  return (
    `${subnetLabel(subnet)} ${freeText(subnet)}${blocks}: ${moreNodesFit(subnet.fitsAtLaunch, ng.instanceType)} ` +
    `at launch cost (${(subnet.podSubnetCost?.launch ?? ng.launch).ips.nodeSubnet} IPs each), ` +
    `${subnet.fitsAtFull} when full (${(subnet.podSubnetCost?.full ?? ng.full).ips.nodeSubnet} each); ${growthText(ng)}.${others}`
  );
}

export const subnetNearlyFull: RuleDefinition = {
  id: "ip.subnet-nearly-full",
  family: "ip",
  severity: "HIGH",
  title: "Subnet cannot hold its node groups at full size",
  why: "Scale-ups stop short of `maxSize`: the VPC CNI's warm pool takes addresses for every node before its pods do.",
  firesWhen:
    "the node group cannot reach `maxSize` within the subnet's headroom, or fewer than 3 nodes fit at launch cost; MEDIUM when only below 15 % free. Evidence: available IPs, per node group the launch/full cost and nodes that fit, the CNI settings used and whether they were read or assumed.",
  link: "https://github.com/aws/amazon-vpc-cni-k8s/blob/v1.23.0/docs/eni-and-ip-target.md",
  evaluate,
};
