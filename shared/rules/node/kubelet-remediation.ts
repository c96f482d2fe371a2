import { stringify as toToml } from "smol-toml";
import { stringify as toYaml } from "yaml";
import {
  amiKubeReserved,
  EVICTION_SIGNALS,
  UPSTREAM_EVICTION_HARD,
} from "#shared/models/kubelet/defaults.ts";
import type { AmiFamily, KubeletConfigReading, KubeletSetting } from "#shared/models/kubelet/types.ts";
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
  const own = (setting: KubeletSetting): Record<string, string> =>
    setting.source === "user-data"
      ? Object.fromEntries(Object.entries(setting.value ?? {}).filter(([, v]) => !isZeroQuantity(v)))
      : {};
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
export function configzCommand(nodegroupName: string): string {
  return `NODE=$(kubectl get nodes -l eks.amazonaws.com/nodegroup=${nodegroupName} -o jsonpath='{.items[0].metadata.name}') && kubectl get --raw "/api/v1/nodes/$NODE/proxy/configz" | jq '.kubeletconfig | {evictionHard, kubeReserved, systemReserved}'`;
}

/** `evictionHard memory.available<100Mi, nodefs.available<10% (AMI default)`. */
export function describeSetting(
  name: "evictionHard" | "kubeReserved" | "systemReserved",
  setting: KubeletSetting,
  family: AmiFamily,
): string {
  const source =
    setting.source === "user-data" ? "user data" : setting.source === "unknown" ? "unknown" : "AMI default";
  if (setting.value === undefined) {
    if (name === "evictionHard" && family === "BOTTLEROCKET" && setting.source === "ami-default") {
      return `evictionHard unset (kubelet default ${pairs(UPSTREAM_EVICTION_HARD, "<")})`;
    }
    return `no ${name}`;
  }
  const entries = pairs(setting.value, name === "evictionHard" ? "<" : "=");
  return `${name} ${entries === "" ? "{} (empty)" : entries} (${source})`;
}

/** The parsed settings as evidence: values and where they came from, never user data. */
export function kubeletEvidence(
  ng: AuditedNodegroup,
  reading: KubeletConfigReading,
): Record<string, unknown> {
  return {
    nodegroup: ng.nodegroupName,
    amiType: ng.nodegroup.amiType,
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

/** `0`, `0Mi`, `0m`, `0.0Gi`, `0%` and an empty value all reserve nothing. */
export function isZeroQuantity(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed === "") return true;
  const number = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(trimmed)?.[0];
  return number !== undefined && Number(number) === 0;
}

/** Signals the user-data evictionHard leaves out: the kubelet sets each of them to zero. */
export function missingEvictionSignals(setting: KubeletSetting): string[] {
  const set = new Set(setting.userDataKeys ?? Object.keys(setting.value ?? {}));
  return EVICTION_SIGNALS.filter((s) => !set.has(s));
}
