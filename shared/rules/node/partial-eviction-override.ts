import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  describeSetting,
  kubeletEvidence,
  kubeletSnippet,
  missingEvictionSignals,
  notesCaveat,
  recommendedKubelet,
  snippetPlacement,
} from "./kubelet-remediation.ts";
import { readableNodegroups } from "./node-groups.ts";

/** User data overrides some evictionHard thresholds and omits others, which the kubelet then sets to zero. */
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
      if (reading.evictionHard.source !== "user-data") return [];
      const keysMissing = missingEvictionSignals(reading.evictionHard);
      if (keysMissing.length === 0) return [];
      const keysSet = reading.evictionHard.userDataKeys ?? Object.keys(reading.evictionHard.value ?? {});
      const recommended = recommendedKubelet(reading);
      return [
        newFinding(inventory, {
          cluster: ng.clusterName,
          ruleId: "node.partial-eviction-override",
          resourceId: ng.nodegroupName,
          severity: "HIGH",
          title: `Node group ${ng.nodegroupName} overrides evictionHard partially: ${keysMissing.join(", ")} become zero`,
          detail:
            `User data of node group ${ng.nodegroupName} (cluster ${ng.clusterName}, ${reading.family}) sets ` +
            `${describeSetting("evictionHard", reading.evictionHard, reading.family)}` +
            `${keysSet.length === 0 ? "" : ` — ${keysSet.length} of the thresholds`}; ` +
            `the kubelet sets the ${keysMissing.length} it omits (${keysMissing.join(", ")}) to zero, so the ` +
            `node is never evicted for ${describeLoss(keysMissing)} and fills up instead.${notesCaveat(reading)}`,
          remediation: `Set all four thresholds (and systemReserved) — ${snippetPlacement(reading.family)}:\n${kubeletSnippet(reading.family, recommended)}`,
          evidence: { ...kubeletEvidence(ng, reading), keysSet, keysMissing, recommended },
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
