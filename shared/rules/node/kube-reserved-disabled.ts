import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  describeSetting,
  flagAdvice,
  kubeletEvidence,
  kubeletSnippet,
  lostKubeReserved,
  notesCaveat,
  recommendedKubelet,
  snippetPlacement,
  zeroedKubeReserved,
} from "./kubelet-remediation.ts";
import { identity, inlineLabel, readableNodegroups } from "./node-groups.ts";

/**
 * The node's effective kubeReserved has cpu or memory at zero, or lacks them because user data replaced the map
 * (a flag: empty or partial): the kubelet and runtime get no reservation. An AL2023 `spec.kubelet.config` map
 * merges into nodeadm's figures, so `kubeReserved: {}` there changes nothing and does not fire this.
 */
export const kubeReservedDisabled: RuleDefinition = {
  id: "node.kube-reserved-disabled",
  family: "node",
  severity: "HIGH",
  title: "`kubeReserved` zeroed or emptied",
  why: "Without the AMI's reservation the kubelet and container runtime compete with pods for memory and CPU, and the node can go NotReady.",
  firesWhen:
    "the node's effective `kubeReserved` has memory or CPU at zero, or is empty where the AMI would have set it (flag or whole-map rewrite); an empty AL2023 config map changes nothing and does not fire this.",
  link: "https://github.com/awslabs/amazon-eks-ami/blob/v20260724/nodeadm/internal/kubelet/config.go#L274",
  evaluate: (inventory) =>
    readableNodegroups(inventory).flatMap((ng) => {
      const { reading } = ng;
      const setting = reading.kubeReserved;
      if (setting.source !== "user-data") return [];
      const zeroed = zeroedKubeReserved(setting);
      const keysLost = lostKubeReserved(setting);
      if (zeroed.length === 0 && keysLost.length === 0) return [];
      const empty = Object.keys(setting.value ?? {}).length === 0;
      const what = empty
        ? "empty"
        : [
            ...(zeroed.length > 0 ? [`${zeroed.join(", ")} = 0`] : []),
            ...(keysLost.length > 0 ? [`${keysLost.join(", ")} not set`] : []),
          ].join("; ");
      const recommended = recommendedKubelet(reading, true);
      const fix =
        recommended.kubeReserved !== undefined
          ? "Restore the AMI's kubeReserved figures (or drop the override)"
          : "Drop the kubeReserved override so the AMI computes it (11 × maxPods + 255 MiB, a CPU ladder, 1Gi ephemeral storage)";
      const unreserved = [...new Set([...zeroed, ...keysLost])].sort();
      return [
        newFinding(inventory, {
          cluster: ng.clusterName,
          ruleId: "node.kube-reserved-disabled",
          ...identity(ng),
          severity: "HIGH",
          title: `${ng.label} disables kubeReserved (${what})`,
          detail:
            `User data of ${inlineLabel(ng)} (cluster ${ng.clusterName}, ${reading.family}) leaves the kubelet ` +
            `${describeSetting("kubeReserved", setting, reading.family)}${setting.replacedBy === "flag" ? " (a flag replaces the AMI's map)" : ""}: ` +
            `the kubelet and container runtime get no ${unreserved.join("/")} reservation and pods are scheduled into it, ` +
            `so the node can go NotReady under load; ${describeSetting("systemReserved", reading.systemReserved, reading.family)}.${notesCaveat(reading)}`,
          remediation: `${flagAdvice(reading, "kubeReserved")}${fix}, and set systemReserved and all four eviction thresholds — ${snippetPlacement(reading.family)}:\n${kubeletSnippet(reading.family, recommended)}`,
          evidence: {
            ...kubeletEvidence(ng, reading),
            empty,
            zeroedKeys: zeroed,
            keysLost,
            recommended,
          },
        }),
      ];
    }),
};
