import type { AmiFamily, KubeletField, KubeletSetting, KubeReservedBasis } from "./types.ts";

/**
 * Kubelet's own `evictionHard` default (kubernetes `pkg/kubelet/eviction/defaults_linux.go` `DefaultEvictionHard`),
 * used when nothing sets the field (Bottlerocket without the setting). Newer kubelets add `imagefs.inodesFree`;
 * the four every supported version has are kept, so no threshold is claimed lost that an older kubelet never had.
 */
export const UPSTREAM_EVICTION_HARD: Readonly<Record<string, string>> = {
  "memory.available": "100Mi",
  "nodefs.available": "10%",
  "imagefs.available": "15%",
  "nodefs.inodesFree": "5%",
};

/** What AL2 `bootstrap.sh` and AL2023 `nodeadm` write into the kubelet config (no `imagefs.available`). */
export const EKS_AMI_EVICTION_HARD: Readonly<Record<string, string>> = {
  "memory.available": "100Mi",
  "nodefs.available": "10%",
  "nodefs.inodesFree": "5%",
};

/** `amiType` → family; undefined when the node group reported none or one this auditor does not know. */
export function amiFamilyOf(amiType: string | undefined): AmiFamily | undefined {
  if (amiType === undefined || amiType === "") return undefined;
  if (amiType.startsWith("AL2023_")) return "AL2023";
  if (amiType.startsWith("AL2_")) return "AL2";
  if (amiType.startsWith("BOTTLEROCKET_")) return "BOTTLEROCKET";
  if (amiType.startsWith("WINDOWS_")) return "WINDOWS";
  if (amiType === "CUSTOM") return "CUSTOM";
  return undefined;
}

/**
 * `get_cpu_millicores_to_reserve` (AL2 bootstrap.sh, nodeadm `getCPUMillicoresToReserve`, Bottlerocket
 * `kube_cpu_helper`): 6 % of the first core, 1 % of the second, 0.5 % of cores 3–4, 0.25 % above 4.
 */
export function cpuMillicoresToReserve(vcpus: number): number {
  const total = Math.max(0, Math.floor(vcpus)) * 1000;
  const ranges = [0, 1000, 2000, 4000, total];
  const per10k = [600, 100, 50, 25];
  let reserved = 0;
  per10k.forEach((percentage, i) => {
    const start = ranges[i] ?? 0;
    const end = ranges[i + 1] ?? 0;
    if (total > start) reserved += Math.floor(((Math.min(total, end) - start) * percentage) / 10000);
  });
  return reserved;
}

/** `get_memory_mebibytes_to_reserve`: 11 MiB per pod plus 255 MiB. */
export function memoryMebibytesToReserve(maxPods: number): number {
  return 11 * maxPods + 255;
}

/** The AMI's computed `kubeReserved`; `cpu`/`memory` only when vCPUs/maxPods are known. */
export function amiKubeReserved(basis: KubeReservedBasis): Record<string, string> {
  return {
    ...(basis.vcpus !== undefined ? { cpu: `${cpuMillicoresToReserve(basis.vcpus)}m` } : {}),
    "ephemeral-storage": "1Gi",
    ...(basis.maxPods !== undefined ? { memory: `${memoryMebibytesToReserve(basis.maxPods)}Mi` } : {}),
  };
}

export interface KubeletSettings {
  evictionHard: KubeletSetting;
  kubeReserved: KubeletSetting;
  systemReserved: KubeletSetting;
}

/**
 * The map a stock AMI of the family gives the kubelet for one field, before user data; undefined when it
 * sets none. AL2023: awslabs/amazon-eks-ami `nodeadm/internal/kubelet/config.go` (`defaultKubeletSubConfig`
 * for evictionHard, `withDefaultReservedResources` for kubeReserved, no systemReserved); AL2 `bootstrap.sh`
 * writes the same figures. Bottlerocket (bottlerocket-core-kit `packages/kubernetes-1.x/kubelet-config`) always
 * renders kubeReserved and renders evictionHard only from settings, so the kubelet's own default applies.
 */
export function amiMap(
  family: "AL2" | "AL2023" | "BOTTLEROCKET",
  field: KubeletField,
  basis: KubeReservedBasis,
): Record<string, string> | undefined {
  switch (field) {
    case "evictionHard":
      return family === "BOTTLEROCKET" ? undefined : { ...EKS_AMI_EVICTION_HARD };
    case "kubeReserved":
      return amiKubeReserved(basis);
    case "systemReserved":
      return undefined;
  }
}

/** The eviction thresholds the node has when user data sets none: the AMI's, or the kubelet's own default. */
export function baselineEvictionHard(family: AmiFamily): Readonly<Record<string, string>> {
  return family === "BOTTLEROCKET" ? UPSTREAM_EVICTION_HARD : EKS_AMI_EVICTION_HARD;
}

export function unknownSettings(): KubeletSettings {
  return {
    evictionHard: { source: "unknown" },
    kubeReserved: { source: "unknown" },
    systemReserved: { source: "unknown" },
  };
}
