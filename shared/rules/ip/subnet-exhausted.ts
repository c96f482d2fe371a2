import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  clusterHeadroom,
  contextEvidence,
  freeText,
  growthText,
  type InsufficientAddressesIssue,
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

/** ip.subnet-exhausted: not one more node fits at launch cost, or EKS reports InsufficientFreeAddresses. */
function evaluate(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  for (const c of clusterHeadroom(inventory)) {
    const bySubnet = pairsBySubnet(c);
    const issuesBySubnet = new Map<string, InsufficientAddressesIssue[]>();
    for (const issue of c.issues) {
      issuesBySubnet.set(issue.subnetId, [...(issuesBySubnet.get(issue.subnetId) ?? []), issue]);
    }
    const subnetIds = new Set<string>();
    for (const [subnetId, pairs] of bySubnet) {
      if (pairs.some((p) => p.assessment.exhausted)) subnetIds.add(subnetId);
    }
    for (const subnetId of issuesBySubnet.keys()) subnetIds.add(subnetId);

    for (const subnetId of [...subnetIds].sort()) {
      const pairs = bySubnet.get(subnetId) ?? [];
      const issues = issuesBySubnet.get(subnetId) ?? [];
      const exhausted = pairs.filter((p) => p.assessment.exhausted);
      const worst = tightestPair(exhausted.length > 0 ? exhausted : pairs);
      const subnetInfo = inventory.subnets.find((s) => s.SubnetId === subnetId);
      const label = worst
        ? subnetLabel(worst.subnet)
        : subnetLabel({
            subnetId,
            ...(subnetInfo?.AvailabilityZone ? { availabilityZone: subnetInfo.AvailabilityZone } : {}),
          });
      findings.push(
        newFinding(inventory, {
          cluster: c.cluster,
          ruleId: "ip.subnet-exhausted",
          resourceId: subnetId,
          severity: "CRITICAL",
          title: `Subnet ${subnetId} cannot take one more node of cluster ${c.cluster}`,
          detail: detailText(label, worst, exhausted.length > 0, issues, subnetInfo?.AvailableIpAddressCount),
          remediation: remediationForSubnet(inventory, c, worst?.ng, [
            ...new Set(pairs.map((p) => p.ng.label)),
          ]),
          evidence: {
            ...(worst
              ? subnetEvidence(worst.subnet)
              : { subnetId, availableIps: subnetInfo?.AvailableIpAddressCount ?? null }),
            nodegroups: pairs.map((p) => ({
              ...pairEvidence(p.ng, p.subnet),
              exhausted: p.assessment.exhausted,
            })),
            ...(issues.length > 0 ? { healthIssues: issues } : {}),
            ...contextEvidence(c),
          },
        }),
      );
    }
  }
  return findings;
}

function detailText(
  label: string,
  worst: SubnetPair | undefined,
  byCost: boolean,
  issues: readonly InsufficientAddressesIssue[],
  available: number | undefined,
): string {
  const reporters = [...new Set(issues.map((i) => i.reportedBy.replace(/^nodegroup:/, "node group ")))];
  const issueText = `EKS reports InsufficientFreeAddresses (${reporters.join(", ")})`;
  if (worst && byCost) {
    const { ng, subnet } = worst;
    const sentence =
      `${label} ${freeText(subnet)}: not one more ${ng.instanceType} node fits at launch cost ` +
      `(${(subnet.podSubnetCost?.launch ?? ng.launch).ips.nodeSubnet} IPs each, ${(subnet.podSubnetCost?.full ?? ng.full).ips.nodeSubnet} when full); ${growthText(ng)}.`;
    return issues.length > 0 ? `${sentence} ${issueText}.` : sentence;
  }
  if (worst) {
    const { ng, subnet } = worst;
    return (
      `${issueText}: new nodes cannot get addresses in ${label}, which ${freeText(subnet)}; ` +
      `by the CNI math ${moreNodesFit(subnet.fitsAtLaunch, ng.instanceType)} at launch cost ` +
      `(${(subnet.podSubnetCost?.launch ?? ng.launch).ips.nodeSubnet} IPs each, ${ng.label}).`
    );
  }
  const free = available !== undefined ? `which has ${available} free IPs` : "which is not in the inventory";
  return `${issueText}: new nodes cannot get addresses in ${label}, ${free}.`;
}

export const subnetExhausted: RuleDefinition = {
  id: "ip.subnet-exhausted",
  family: "ip",
  severity: "CRITICAL",
  title: "Subnet cannot fit one more node",
  why: "Nodes fail to launch (`InsufficientFreeAddresses`) and pods stay `ContainerCreating` once the VPC CNI has no address left to hand out.",
  firesWhen:
    "not one more node of some node group using the subnet fits at launch cost, or a node group/cluster health issue `InsufficientFreeAddresses` names it.",
  link: "https://github.com/aws/amazon-vpc-cni-k8s/blob/v1.23.0/docs/eni-and-ip-target.md",
  evaluate,
};
