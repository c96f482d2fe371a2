import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  describeSetting,
  flagAdvice,
  kubeletEvidence,
  kubeletSnippet,
  lostEvictionSignals,
  notesCaveat,
  recommendedKubelet,
  snippetPlacement,
} from "./kubelet-remediation.ts";
import { identity, inlineLabel, readableNodegroups } from "./node-groups.ts";

/**
 * User data replaces the whole evictionHard map (a kubelet flag, or a Bottlerocket table) and leaves out
 * thresholds the AMI (or the kubelet's default) would have set: the node has no threshold for them. An AL2023
 * `spec.kubelet.config` map merges into nodeadm's thresholds and loses none, so it never fires this.
 */
export const partialEvictionOverride: RuleDefinition = {
  id: "node.partial-eviction-override",
  family: "node",
  severity: "HIGH",
  title: "Partial `evictionHard` override drops thresholds",
  why: "Once user data replaces the `evictionHard` map, the signals it leaves out have no threshold and the kubelet no longer evicts on them.",
  firesWhen:
    "the node's effective `evictionHard` lost keys the AMI would have set, because user data replaced the map with a partial one (a flag, or a whole-map rewrite); an AL2023 `spec.kubelet.config` map merges key by key and does not fire this. Evidence: the effective map and where each value came from.",
  link: "https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/",
  evaluate: (inventory) =>
    readableNodegroups(inventory).flatMap((ng) => {
      const { reading } = ng;
      const setting = reading.evictionHard;
      const keysLost = lostEvictionSignals(reading);
      if (keysLost.length === 0) return [];
      const keysSet = Object.keys(setting.value ?? {});
      const how =
        setting.replacedBy === "flag"
          ? "a --eviction-hard kubelet flag, which replaces the whole map"
          : "a [settings.kubernetes.eviction-hard] table, which is rendered as the whole map";
      const baseline = reading.family === "BOTTLEROCKET" ? "the kubelet's default" : "the AMI";
      const recommended = recommendedKubelet(reading);
      return [
        newFinding(inventory, {
          cluster: ng.clusterName,
          ruleId: "node.partial-eviction-override",
          ...identity(ng),
          severity: "HIGH",
          title: `${ng.label} overrides evictionHard partially: ${keysLost.join(", ")} get no threshold`,
          detail:
            `User data of ${inlineLabel(ng)} (cluster ${ng.clusterName}, ${reading.family}) sets evictionHard ` +
            `with ${how}: the kubelet gets ${describeSetting("evictionHard", setting, reading.family)}, ` +
            `without the ${keysLost.length} that ${baseline} would have set (${keysLost.join(", ")}), so the node ` +
            `is never evicted for ${describeLoss(keysLost)} and fills up instead.${notesCaveat(reading)}`,
          remediation:
            `${flagAdvice(reading, "evictionHard")}Set all four thresholds (and systemReserved) — ` +
            `${snippetPlacement(reading.family)}:\n${kubeletSnippet(reading.family, recommended)}`,
          evidence: { ...kubeletEvidence(ng, reading), keysSet, keysLost, recommended },
        }),
      ];
    }),
};

function describeLoss(keys: readonly string[]): string {
  const kinds = new Set(
    keys.map((k) => (k.startsWith("memory") ? "memory" : k.includes("inodes") ? "inodes" : "disk space")),
  );
  return [...kinds].join(" or ");
}
