import type { Finding } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { launchCost, nodesThatFit, warmEniMode } from "#shared/models/cni/ip-math.ts";
import {
  clusterHeadroom,
  contextEvidence,
  subnetLabel,
  underPressure,
} from "#shared/models/ip-headroom/headroom.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import { clusterFacts } from "./context.ts";
import {
  SUGGESTED_WARM_IP_TARGET,
  setCniEnvCommand,
  suggestedMinimumIpTarget,
  withWarmIpTarget,
} from "./remediation.ts";

/**
 * ip.warm-pool-oversized: the default warm-ENI pool on a node group whose subnets are under pressure, where
 * WARM_IP_TARGET=2 with a MINIMUM_IP_TARGET that fits the first ENI would fit at least twice as many nodes.
 */
function evaluate(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  for (const c of clusterHeadroom(inventory)) {
    if (c.ipFamily === "ipv6" || c.cni.settings.customNetworking) continue;
    for (const ng of c.nodegroups) {
      // Auto Mode and Fargate have no vpc-cni warm pool to tune. Karpenter has no maxSize to fall short of: what
      // frees its tight zone is more subnets (karpenter-provider-aws #5234), named by ip.subnet-nearly-full.
      if (ng.limits === undefined || !ng.hasMaxSize || ng.kind === "auto-mode" || ng.kind === "fargate")
        continue;
      if (!warmEniMode(ng.limits, c.cni.settings) || ng.subnets.length === 0 || !underPressure(ng)) continue;
      const minimum = suggestedMinimumIpTarget(ng.limits);
      const alternative = launchCost(ng.limits, withWarmIpTarget(c.cni.settings, minimum), {
        ipFamily: c.ipFamily,
      });
      const perSubnet = ng.subnets.map((s) => ({
        subnetId: s.subnetId,
        now: s.fitsAtLaunch,
        withWarmIpTarget: nodesThatFit(s.available, s.reserve, alternative),
      }));
      const tightest = perSubnet.reduce((a, b) => (b.now < a.now ? b : a));
      const k = perSubnet.length;
      const now = k * Math.min(...perSubnet.map((s) => s.now));
      const better = k * Math.min(...perSubnet.map((s) => s.withWarmIpTarget));
      if (better <= now || better < 2 * now) continue;
      const subnet = ng.subnets.find((s) => s.subnetId === tightest.subnetId);
      const env = { WARM_IP_TARGET: String(SUGGESTED_WARM_IP_TARGET), MINIMUM_IP_TARGET: String(minimum) };
      const facts = clusterFacts(inventory, c.cluster);
      findings.push(
        newFinding(inventory, {
          cluster: c.cluster,
          ruleId: "ip.warm-pool-oversized",
          resourceId: ng.resourceId,
          severity: "LOW",
          title: `${capitalized(ng.label)} keeps a whole warm ENI per node in tight subnets`,
          detail:
            `${capitalized(ng.label)} (${ng.instanceType}) uses the default warm ENI pool: each new node takes ` +
            `${ng.launch.ips.nodeSubnet} IPs at launch, so its subnets fit ${now} more ${now === 1 ? "node" : "nodes"} ` +
            `(tightest ${subnet ? subnetLabel(subnet) : tightest.subnetId}: ${tightest.now}). With ` +
            `WARM_IP_TARGET=${SUGGESTED_WARM_IP_TARGET} and MINIMUM_IP_TARGET=${minimum} a node takes ` +
            `${alternative.ips.nodeSubnet} IPs at launch and ${better} fit.`,
          remediation:
            `${setCniEnvCommand(inventory.region, c.cluster, c.cni, env, facts.managedAddon)} ` +
            `(applies to every node group of ${c.cluster}; set MINIMUM_IP_TARGET a little above the pods you expect per node).`,
          evidence: {
            ...(ng.kind === "managed-nodegroup"
              ? { nodegroup: ng.nodegroup }
              : { capacityKind: ng.kind, capacityGroup: ng.nodegroup }),
            instanceType: ng.instanceType,
            ...(ng.instanceTypeNote ? { instanceTypeNote: ng.instanceTypeNote } : {}),
            nodesThatFitNow: now,
            nodesThatFitWithWarmIpTarget: better,
            launchCostNow: { ips: ng.launch.ips.nodeSubnet, formula: ng.launch.formula },
            launchCostWithWarmIpTarget: { ips: alternative.ips.nodeSubnet, formula: alternative.formula },
            suggestedEnv: env,
            subnets: perSubnet,
            ...contextEvidence(c),
          },
        }),
      );
    }
  }
  return findings;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const warmPoolOversized: RuleDefinition = {
  id: "ip.warm-pool-oversized",
  family: "ip",
  severity: "LOW",
  title: "Default warm ENI pool on subnets under pressure",
  why: "`WARM_ENI_TARGET=1` keeps a whole spare network interface of addresses on every node; a warm IP target would fit at least twice as many nodes.",
  firesWhen:
    "default warm-ENI settings on a node group whose subnets are under pressure, where `WARM_IP_TARGET`/`MINIMUM_IP_TARGET` would fit at least twice as many nodes; evidence gives both numbers.",
  link: "https://github.com/aws/amazon-vpc-cni-k8s/blob/v1.23.0/docs/eni-and-ip-target.md",
  evaluate,
};
