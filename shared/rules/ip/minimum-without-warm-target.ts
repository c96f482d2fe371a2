import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { IPS_PER_PREFIX } from "#shared/models/cni/ip-math.ts";
import { clusterHeadroom, cniEvidence } from "#shared/models/ip-headroom/headroom.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import { clusterFacts } from "./context.ts";
import { SUGGESTED_WARM_IP_TARGET, setCniEnvCommand } from "./remediation.ts";

/**
 * ip.minimum-without-warm-target: MINIMUM_IP_TARGET without WARM_IP_TARGET (or WARM_IP_TARGET=0, which ipamd
 * reads as unset). ipamd's datastoreTargetState then only tops the pool up to MINIMUM_IP_TARGET: the pool
 * freezes and the next pod gets no IP.
 */
function evaluate(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  for (const c of clusterHeadroom(inventory)) {
    const { minimumIpTarget, warmIpTarget, enablePrefixDelegation } = c.cni.settings;
    if (c.ipFamily === "ipv6" || minimumIpTarget <= 0 || warmIpTarget > 0) continue;
    const podsWithIp = enablePrefixDelegation
      ? IPS_PER_PREFIX * Math.ceil(minimumIpTarget / IPS_PER_PREFIX)
      : minimumIpTarget;
    const facts = clusterFacts(inventory, c.cluster);
    const env = { WARM_IP_TARGET: String(SUGGESTED_WARM_IP_TARGET) };
    // Auto Mode and Fargate do not run the cluster's vpc-cni.
    const ec2Groups = c.nodegroups.filter((ng) => ng.kind !== "auto-mode" && ng.kind !== "fargate");
    const perNodegroup = ec2Groups.map((ng) => ({
      nodegroup: ng.nodegroup,
      instanceType: ng.instanceType,
      maxPods: ng.full.maxPods,
      podsBeyondPool: Math.max(0, ng.full.pods - podsWithIp),
    }));
    const worst = [...perNodegroup].sort((a, b) => b.podsBeyondPool - a.podsBeyondPool)[0];
    const example =
      worst && worst.podsBeyondPool > 0
        ? ` Node group ${worst.nodegroup} (${worst.instanceType}, maxPods ${worst.maxPods}) can leave up to ` +
          `${worst.podsBeyondPool} pods per node without an IP.`
        : "";
    findings.push(
      newFinding(inventory, {
        cluster: c.cluster,
        ruleId: "ip.minimum-without-warm-target",
        resourceId: c.cluster,
        severity: "MEDIUM",
        title: `vpc-cni of ${c.cluster} sets MINIMUM_IP_TARGET without WARM_IP_TARGET`,
        detail:
          `The vpc-cni configuration of cluster ${c.cluster} sets MINIMUM_IP_TARGET=${minimumIpTarget} without ` +
          `WARM_IP_TARGET: ipamd keeps each node's pool at ${podsWithIp} IPs and never grows it, so pod ` +
          `${podsWithIp + 1} on a node stays in ContainerCreating ("failed to assign an IP address").${example}`,
        remediation: setCniEnvCommand(inventory.region, c.cluster, c.cni, env, facts.managedAddon),
        evidence: {
          minimumIpTarget,
          warmIpTarget: null,
          podsThatGetAnIpPerNode: podsWithIp,
          prefixDelegation: enablePrefixDelegation,
          nodegroups: perNodegroup,
          cni: cniEvidence(c.cni),
        },
      }),
    );
  }
  return findings;
}

export const minimumWithoutWarmTarget: RuleDefinition = {
  id: "ip.minimum-without-warm-target",
  family: "ip",
  severity: "MEDIUM",
  title: "`MINIMUM_IP_TARGET` without `WARM_IP_TARGET`",
  why: "ipamd then tops the pool up only to `MINIMUM_IP_TARGET`: once pods use it, the pool freezes and the next pod gets no IP.",
  firesWhen: "`MINIMUM_IP_TARGET` set without `WARM_IP_TARGET` (the pool freezes).",
  link: "https://github.com/aws/amazon-vpc-cni-k8s/blob/v1.23.0/pkg/ipamd/ipamd.go#L2176",
  evaluate,
};
