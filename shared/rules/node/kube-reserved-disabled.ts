import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  describeSetting,
  isZeroQuantity,
  kubeletEvidence,
  kubeletSnippet,
  notesCaveat,
  recommendedKubelet,
  snippetPlacement,
} from "./kubelet-remediation.ts";
import { readableNodegroups } from "./node-groups.ts";

/** User data sets kubeReserved to an empty map or zero quantities: kubelet and runtime get no reservation. */
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
      const value = setting.value ?? {};
      const userKeys = setting.userDataKeys ?? Object.keys(value);
      const empty = Object.keys(value).length === 0;
      const zeroed = userKeys.filter((k) => isZeroQuantity(value[k] ?? ""));
      if (!empty && zeroed.length === 0) return [];
      const recommended = recommendedKubelet(reading, true);
      const fix =
        recommended.kubeReserved !== undefined
          ? "Restore the AMI's kubeReserved figures (or drop the override)"
          : "Drop the kubeReserved override so the AMI computes it (11 × maxPods + 255 MiB, a CPU ladder, 1Gi ephemeral storage)";
      return [
        newFinding(inventory, {
          cluster: ng.clusterName,
          ruleId: "node.kube-reserved-disabled",
          resourceId: ng.nodegroupName,
          severity: "HIGH",
          title: `Node group ${ng.nodegroupName} disables kubeReserved (${empty ? "empty" : `${zeroed.join(", ")} = 0`})`,
          detail:
            `User data of node group ${ng.nodegroupName} (cluster ${ng.clusterName}, ${reading.family}) sets ` +
            `${describeSetting("kubeReserved", setting, reading.family)}: the kubelet and container runtime get no ` +
            `${empty ? "reservation" : zeroed.join("/")} and pods are scheduled into it, so the node can go NotReady ` +
            `under load; ${describeSetting("systemReserved", reading.systemReserved, reading.family)}.${notesCaveat(reading)}`,
          remediation: `${fix}, and set systemReserved and all four eviction thresholds — ${snippetPlacement(reading.family)}:\n${kubeletSnippet(reading.family, recommended)}`,
          evidence: { ...kubeletEvidence(ng, reading), empty, zeroedKeys: zeroed, recommended },
        }),
      ];
    }),
};
