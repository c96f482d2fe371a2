import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import {
  clusterHeadroom,
  contextEvidence,
  freeText,
  pairEvidence,
  pairsBySubnet,
  subnetEvidence,
  subnetLabel,
} from "#shared/models/ip-headroom/headroom.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";

/**
 * ip.prefix-fragmentation: prefix delegation is on and the subnet has the addresses for one more node but not
 * the free aligned /28 blocks its prefixes need (scattered secondary IPs and ENI addresses split the blocks).
 */
function evaluate(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  for (const c of clusterHeadroom(inventory)) {
    for (const [subnetId, pairs] of pairsBySubnet(c)) {
      const fragmented = pairs.filter((p) => p.assessment.fragmented);
      const worst = fragmented.sort(
        (a, b) =>
          (b.subnet.prefixBlocks?.perNodeAtLaunch ?? 0) - (a.subnet.prefixBlocks?.perNodeAtLaunch ?? 0),
      )[0];
      const blocks = worst?.subnet.prefixBlocks;
      if (!worst || !blocks) continue;
      const { ng, subnet } = worst;
      findings.push(
        newFinding(inventory, {
          cluster: c.cluster,
          ruleId: "ip.prefix-fragmentation",
          resourceId: subnetId,
          severity: "MEDIUM",
          title: `Subnet ${subnetId} has free IPs but no room for /28 prefixes`,
          detail:
            `${subnetLabel(subnet)} ${freeText(subnet)} but only ${blocks.free} free aligned /28 ` +
            `${blocks.free === 1 ? "block" : "blocks"}: one more ${ng.instanceType} node of ${ng.label} ` +
            `needs ${blocks.perNodeAtLaunch} /28 prefixes at launch (prefix delegation), so its pods get no IP ` +
            `(InsufficientCidrBlocks).`,
          remediation:
            `Keep prefixes and single addresses apart: create a prefix reservation on a free range once it is ` +
            `released (aws ec2 create-subnet-cidr-reservation --subnet-id ${subnetId} --reservation-type prefix ` +
            `--cidr <free-aligned-range> --region ${inventory.region}), or move ${ng.label} to a new ` +
            `subnet used only by prefix-delegation nodes.`,
          evidence: {
            ...subnetEvidence(subnet),
            freeAlignedPrefixBlocks: blocks.free,
            prefixesPerNodeAtLaunch: blocks.perNodeAtLaunch,
            prefixesPerNodeAtFull: blocks.perNodeAtFull,
            networkInterfacesSeen: blocks.networkInterfaces,
            blockCountComplete: blocks.complete,
            nodegroups: pairs.map((p) => pairEvidence(p.ng, p.subnet)),
            ...contextEvidence(c),
          },
        }),
      );
    }
  }
  return findings;
}

export const prefixFragmentation: RuleDefinition = {
  id: "ip.prefix-fragmentation",
  family: "ip",
  severity: "MEDIUM",
  title: "Subnet too fragmented for prefix delegation",
  why: "With prefix delegation a node needs free aligned /28 blocks: scattered free addresses cannot launch the next node.",
  firesWhen:
    "prefix delegation is on and the subnet cannot hold the /28 blocks of one more node although `AvailableIpAddressCount` would. Prefix-type subnet CIDR reservations count as space for prefixes.",
  link: "https://docs.aws.amazon.com/eks/latest/userguide/cni-increase-ip-addresses-procedure.html",
  evaluate,
};
