import type { KubeletConfigReading } from "#shared/models/kubelet/types.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import {
  configzCommand,
  describeSetting,
  kubeletEvidence,
  kubeletSnippet,
  recommendedKubelet,
  snippetPlacement,
} from "./kubelet-remediation.ts";
import { type AuditedNodegroup, auditedNodegroups, identity, inlineLabel } from "./node-groups.ts";

/**
 * The kubelet settings cannot be read from AWS APIs: a custom AMI (or Windows, or no amiType), or user data
 * that does not parse. The other node.* rules stay silent on these rather than judge assumed defaults.
 */
export const kubeletConfigUnknown: RuleDefinition = {
  id: "node.kubelet-config-unknown",
  family: "node",
  severity: "INFO",
  title: "Kubelet settings cannot be read",
  why: "A custom AMI or unparseable user data hides the kubelet's reservations and eviction thresholds from AWS APIs, so the other node checks cannot judge them.",
  firesWhen: "custom AMI: kubelet settings cannot be read from AWS APIs.",
  link: "https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html",
  evaluate: (inventory) =>
    auditedNodegroups(inventory).flatMap((ng) => {
      const { reading } = ng;
      if (reading === undefined || (reading.known && reading.parseError === undefined)) return [];
      const { title, detail } = reading.known ? unparsed(ng, reading) : unreadable(ng, reading);
      const recommended = recommendedKubelet(reading);
      return [
        newFinding(inventory, {
          cluster: ng.clusterName,
          ruleId: "node.kubelet-config-unknown",
          ...identity(ng),
          severity: "INFO",
          title,
          detail,
          remediation:
            `Read the live settings of a node: ${configzCommand(ng)}\n` +
            `If systemReserved is missing or evictionHard lacks any of the four thresholds, ${snippetPlacement(reading.family)}:\n` +
            kubeletSnippet(reading.family, recommended),
          evidence: {
            ...kubeletEvidence(ng, reading),
            known: reading.known,
            ...(reading.unknownReason !== undefined ? { reason: reading.unknownReason } : {}),
            ...(reading.parseError !== undefined
              ? { parseError: reading.parseError, assumedDefaults: true }
              : {}),
          },
        }),
      ];
    }),
};

function unreadable(ng: AuditedNodegroup, reading: KubeletConfigReading): { title: string; detail: string } {
  const what =
    reading.unknownReason === "windows"
      ? `runs Windows (${ng.nodegroup?.amiType ?? "WINDOWS"}), whose kubelet arguments the auditor does not read`
      : reading.unknownReason === "ami-type-unknown"
        ? `reports ${ng.nodegroup?.amiType ? `amiType ${ng.nodegroup?.amiType}, which the auditor does not know,` : "no amiType"} and its user data names no known AMI family`
        : "uses a custom AMI, whose kubelet defaults are baked into the image";
  return {
    title: `Kubelet settings of ${inlineLabel(ng)} cannot be read from AWS APIs`,
    detail:
      `${ng.label} of cluster ${ng.clusterName} ${what}: systemReserved, kubeReserved and ` +
      "evictionHard cannot be checked without looking at a node.",
  };
}

function unparsed(ng: AuditedNodegroup, reading: KubeletConfigReading): { title: string; detail: string } {
  return {
    title: `User data of ${inlineLabel(ng)} could not be read; kubelet settings assumed`,
    detail:
      `${ng.label} of cluster ${ng.clusterName} (${reading.family}): ${reading.parseError ?? ""}. ` +
      `If the AMI defaults apply it gets ${describeSetting("systemReserved", reading.systemReserved, reading.family)} ` +
      `and ${describeSetting("evictionHard", reading.evictionHard, reading.family)}, but this is assumed, not read.`,
  };
}
