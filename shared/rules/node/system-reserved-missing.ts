import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  describeSetting,
  flagAdvice,
  kubeletEvidence,
  kubeletSnippet,
  notesCaveat,
  recommendedKubelet,
  snippetPlacement,
} from "./kubelet-remediation.ts";
import { identity, readableNodegroups } from "./node-groups.ts";

/**
 * The kubelet config a node group gets sets no systemReserved (true of stock AL2, AL2023 and Bottlerocket).
 * Custom AMIs and unparseable user data are left to node.kubelet-config-unknown: nothing is guessed here.
 */
export const systemReservedMissing: RuleDefinition = {
  id: "node.system-reserved-missing",
  family: "node",
  severity: "MEDIUM",
  title: "Nothing reserved for the OS (no `systemReserved`)",
  why: "Stock EKS AMIs reserve nothing for the OS and system daemons: under memory pressure the node can go NotReady before the kubelet evicts.",
  firesWhen:
    "the kubelet config the node group will get has no `systemReserved` (true for stock AL2/AL2023/Bottlerocket).",
  link: "https://kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources/",
  evaluate: (inventory) =>
    readableNodegroups(inventory).flatMap((ng) => {
      const { reading } = ng;
      const value = reading.systemReserved.value;
      if (value !== undefined && Object.keys(value).length > 0) return [];
      const recommended = recommendedKubelet(reading);
      const stock = reading.systemReserved.source === "ami-default";
      return [
        newFinding(inventory, {
          cluster: ng.clusterName,
          ruleId: "node.system-reserved-missing",
          ...identity(ng),
          severity: "MEDIUM",
          title: `${ng.label} reserves nothing for the OS (no systemReserved)`,
          detail:
            `${ng.label} of cluster ${ng.clusterName} (${reading.family}) gets ` +
            `${stock ? "no systemReserved (the AMI sets none)" : `an empty systemReserved from user data${reading.systemReserved.replacedBy === "flag" ? " (a --system-reserved flag)" : ""}`}; ` +
            `${describeSetting("kubeReserved", reading.kubeReserved, reading.family)} and ` +
            `${describeSetting("evictionHard", reading.evictionHard, reading.family)}. ` +
            "The OS and system daemons then compete with pods for memory and the node can go NotReady under " +
            `memory pressure before the kubelet evicts.${notesCaveat(reading)}`,
          remediation: `${flagAdvice(reading, "systemReserved")}Reserve resources for the OS and set all four eviction thresholds — ${snippetPlacement(reading.family)}:\n${kubeletSnippet(reading.family, recommended)}`,
          evidence: { ...kubeletEvidence(ng, reading), recommended },
        }),
      ];
    }),
};
