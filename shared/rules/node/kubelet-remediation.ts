import {
  amiKubeReserved,
  baselineEvictionHard,
  UPSTREAM_EVICTION_HARD,
} from "#shared/models/kubelet/defaults.ts";
import { isZeroQuantity } from "#shared/models/kubelet/quantity.ts";
import {
  type AmiFamily,
  type KubeletConfigReading,
  type KubeletField,
  type KubeletSetting,
  UNREADABLE_VALUE,
  type ValueSource,
} from "#shared/models/kubelet/types.ts";
import { toToml, toYaml } from "#shared/models/text-formats.ts";
import type { AuditedNodegroup } from "./node-groups.ts";

/** A baseline for the OS and system daemons (sshd, systemd, journald) that kubeReserved does not cover. */
export const RECOMMENDED_SYSTEM_RESERVED: Readonly<Record<string, string>> = {
  cpu: "100m",
  memory: "500Mi",
  "ephemeral-storage": "1Gi",
};

/** All four thresholds, memory above the 100Mi that lets nodes go NotReady before the kubelet evicts. */
export const RECOMMENDED_EVICTION_HARD: Readonly<Record<string, string>> = {
  ...UPSTREAM_EVICTION_HARD,
  "memory.available": "200Mi",
};

export interface RecommendedKubelet {
  systemReserved: Record<string, string>;
  evictionHard: Record<string, string>;
  /** Only when the AMI's figures can be computed (a kubeReserved override is to be replaced). */
  kubeReserved?: Record<string, string>;
}

/** What to set: the user's own non-zero choices kept, the gaps filled so all four thresholds are set. */
export function recommendedKubelet(
  reading: KubeletConfigReading,
  withKubeReserved = false,
): RecommendedKubelet {
  // Only values user data set, and only readable, non-zero ones: nothing unvalidated is ever repeated.
  const own = (setting: KubeletSetting): Record<string, string> =>
    Object.fromEntries(
      Object.entries(setting.value ?? {}).filter(
        ([k, v]) =>
          setting.sources?.[k] !== undefined &&
          setting.sources[k] !== "ami-default" &&
          v !== UNREADABLE_VALUE &&
          !isZeroQuantity(v),
      ),
    );
  const systemReserved = own(reading.systemReserved);
  const kubeReserved = reading.basis !== undefined ? amiKubeReserved(reading.basis) : undefined;
  const complete = kubeReserved?.cpu !== undefined && kubeReserved.memory !== undefined;
  return {
    systemReserved:
      Object.keys(systemReserved).length > 0 ? systemReserved : { ...RECOMMENDED_SYSTEM_RESERVED },
    evictionHard: { ...RECOMMENDED_EVICTION_HARD, ...own(reading.evictionHard) },
    ...(withKubeReserved && complete && kubeReserved !== undefined ? { kubeReserved } : {}),
  };
}

/** A snippet in the family's user-data format, ready to paste into the launch template. */
export function kubeletSnippet(family: AmiFamily, settings: RecommendedKubelet): string {
  switch (family) {
    case "AL2023":
      return [
        "Content-Type: application/node.eks.aws",
        "",
        toYaml({
          apiVersion: "node.eks.aws/v1alpha1",
          kind: "NodeConfig",
          spec: { kubelet: { config: settings } },
        }).trimEnd(),
      ].join("\n");
    case "AL2": {
      const flags = [
        ...(settings.kubeReserved ? [`--kube-reserved=${pairs(settings.kubeReserved, "=")}`] : []),
        `--system-reserved=${pairs(settings.systemReserved, "=")}`,
        `--eviction-hard=${pairs(settings.evictionHard, "<")}`,
      ];
      return `--kubelet-extra-args '${flags.join(" ")}'`;
    }
    case "BOTTLEROCKET":
      return toToml({
        settings: {
          kubernetes: {
            ...(settings.kubeReserved ? { "kube-reserved": settings.kubeReserved } : {}),
            "system-reserved": settings.systemReserved,
            "eviction-hard": settings.evictionHard,
          },
        },
      }).trim();
    default:
      return toYaml({
        apiVersion: "kubelet.config.k8s.io/v1beta1",
        kind: "KubeletConfiguration",
        ...settings,
      }).trimEnd();
  }
}

/** Where the snippet goes, in words. */
export function snippetPlacement(family: AmiFamily): string {
  switch (family) {
    case "AL2023":
      return "add this NodeConfig part to the launch template's MIME user data";
    case "AL2":
      return "pass these kubelet flags to /etc/eks/bootstrap.sh in the launch template's user data";
    case "BOTTLEROCKET":
      return "add these settings to the launch template's Bottlerocket user data (TOML)";
    case "WINDOWS":
      return "set these fields in the node's kubelet configuration (or pass the equivalent --system-reserved / --eviction-hard flags through Start-EKSBootstrap.ps1 -KubeletExtraArgs)";
    default:
      return "set these fields in the AMI's KubeletConfiguration";
  }
}

/** A command that shows the live kubelet settings of one node of the group. */
/** The label that selects a group's nodes: EKS's node group label, Karpenter's NodePool label, else a node name. */
function nodeSelector(ng: Pick<AuditedNodegroup, "kind" | "nodegroupName">): string {
  if (ng.kind === "karpenter") return `-l karpenter.sh/nodepool=${ng.nodegroupName}`;
  if (ng.kind === "managed-nodegroup") return `-l eks.amazonaws.com/nodegroup=${ng.nodegroupName}`;
  return `--field-selector metadata.name=NODE_NAME_OF_${ng.nodegroupName}`;
}

export function configzCommand(ng: Pick<AuditedNodegroup, "kind" | "nodegroupName">): string {
  return `NODE=$(kubectl get nodes ${nodeSelector(ng)} -o jsonpath='{.items[0].metadata.name}') && kubectl get --raw "/api/v1/nodes/$NODE/proxy/configz" | jq '.kubeletconfig | {evictionHard, kubeReserved, systemReserved}'`;
}

const SOURCE_LABEL: Record<ValueSource, string> = {
  "ami-default": "AMI default",
  "user-config": "user data config",
  flag: "flag",
};

/**
 * `evictionHard memory.available<300Mi (user data config), nodefs.available<10% (AMI default)`: the effective
 * map, each value with where it came from (one label when they share it).
 */
export function describeSetting(name: KubeletField, setting: KubeletSetting, family: AmiFamily): string {
  const separator = name === "evictionHard" ? "<" : "=";
  const unreadable =
    setting.unreadableEntries !== undefined
      ? ` and ${setting.unreadableEntries} entr${setting.unreadableEntries === 1 ? "y" : "ies"} the kubelet does not accept`
      : "";
  if (setting.value === undefined) {
    if (name === "evictionHard" && family === "BOTTLEROCKET" && setting.source === "ami-default") {
      return `evictionHard unset (kubelet default ${pairs(UPSTREAM_EVICTION_HARD, "<")})`;
    }
    return `no ${name}${setting.source === "unknown" ? " known" : ""}${unreadable}`;
  }
  const entries = Object.entries(setting.value);
  if (entries.length === 0) {
    const from = setting.replacedBy === "flag" ? "a flag" : "user data";
    return `${name} {} (empty, from ${from})${unreadable}`;
  }
  const labels = new Set(entries.map(([k]) => sourceLabel(setting, k)));
  const shown = (k: string, v: string) =>
    `${k}${separator}${v === UNREADABLE_VALUE ? `(${UNREADABLE_VALUE})` : v}`;
  if (labels.size === 1) {
    return `${name} ${entries.map(([k, v]) => shown(k, v)).join(",")} (${[...labels][0]})${unreadable}`;
  }
  return `${name} ${entries.map(([k, v]) => `${shown(k, v)} (${sourceLabel(setting, k)})`).join(", ")}${unreadable}`;
}

function sourceLabel(setting: KubeletSetting, key: string): string {
  const source = setting.sources?.[key];
  return source !== undefined ? SOURCE_LABEL[source] : setting.source === "unknown" ? "unknown" : "user data";
}

/** The parsed settings as evidence: values and where they came from, never user data. */
export function kubeletEvidence(
  ng: AuditedNodegroup,
  reading: KubeletConfigReading,
): Record<string, unknown> {
  return {
    ...(ng.kind === "managed-nodegroup"
      ? { nodegroup: ng.nodegroupName }
      : {
          capacityKind: ng.kind,
          capacityGroup: ng.nodegroupName,
          ...(ng.variant !== undefined ? { launchTemplateId: ng.variant } : {}),
        }),
    amiType: ng.nodegroup?.amiType,
    family: reading.family,
    ...(reading.via !== undefined ? { via: reading.via } : {}),
    evictionHard: reading.evictionHard,
    kubeReserved: reading.kubeReserved,
    systemReserved: reading.systemReserved,
    ...(reading.basis !== undefined ? { kubeReservedBasis: reading.basis } : {}),
    ...(reading.notes !== undefined ? { unresolvedUserData: reading.notes } : {}),
  };
}

/** One sentence for readings where part of user data could not be resolved. */
export function notesCaveat(reading: KubeletConfigReading): string {
  return reading.notes !== undefined && reading.notes.length > 0
    ? ` Part of the user data could not be resolved (${reading.notes.join("; ")}), so it may set more than this.`
    : "";
}

export function pairs(map: Readonly<Record<string, string>>, separator: "<" | "="): string {
  return Object.entries(map)
    .map(([k, v]) => `${k}${separator}${v}`)
    .join(",");
}

/**
 * Thresholds the node lost: keys of the AMI's evictionHard (for Bottlerocket, the kubelet's default) that are
 * missing because user data replaced the whole map. A config map that merges (AL2023) loses nothing.
 */
export function lostEvictionSignals(reading: KubeletConfigReading): string[] {
  const setting = reading.evictionHard;
  if (setting.replacedBy === undefined) return [];
  const value = setting.value ?? {};
  return Object.keys(baselineEvictionHard(reading.family)).filter((k) => !Object.hasOwn(value, k));
}

/** The AMIs always reserve cpu and memory for the kubelet; a replaced kubeReserved map without them reserves none. */
export function lostKubeReserved(setting: KubeletSetting): string[] {
  if (setting.replacedBy === undefined) return [];
  const value = setting.value ?? {};
  return ["cpu", "memory"].filter((k) => !Object.hasOwn(value, k));
}

/** Keys among cpu and memory that user data set to zero. */
export function zeroedKubeReserved(setting: KubeletSetting): string[] {
  const value = setting.value ?? {};
  return ["cpu", "memory"].filter(
    (k) =>
      Object.hasOwn(value, k) &&
      setting.sources?.[k] !== "ami-default" &&
      isZeroQuantity(value[k] ?? UNREADABLE_VALUE),
  );
}

/** For a map a flag replaced: why the snippet alone does not fix it (on AL2023 a config part loses to the flag). */
export function flagAdvice(reading: KubeletConfigReading, field: KubeletField): string {
  if (reading[field].replacedBy !== "flag") return "";
  const flag = FLAG_NAMES[field];
  return reading.family === "AL2023"
    ? `Remove ${flag} from spec.kubelet.flags: a flag replaces the whole map, while spec.kubelet.config merges into the AMI's. `
    : `The ${flag} flag replaces the whole map: write every key into it. `;
}

const FLAG_NAMES: Record<KubeletField, string> = {
  evictionHard: "--eviction-hard",
  kubeReserved: "--kube-reserved",
  systemReserved: "--system-reserved",
};
