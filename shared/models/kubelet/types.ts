/** The AMI families whose kubelet defaults differ. */
export type AmiFamily = "AL2" | "AL2023" | "BOTTLEROCKET" | "WINDOWS" | "CUSTOM";

/** Where a kubelet setting comes from. */
export type SettingSource = "ami-default" | "user-data" | "unknown";

export interface KubeletSetting {
  /** Key → quantity (`memory.available` → `100Mi`); undefined when not set at all. */
  value?: Record<string, string>;
  source: SettingSource;
  /**
   * The keys user data set. For `evictionHard` these are the overridden thresholds: every other threshold
   * is zero upstream. For Bottlerocket `kubeReserved` the AMI fills the keys user data leaves out.
   */
  userDataKeys?: string[];
}

/** Why a reading has `known: false`. */
export type UnknownReason = "custom-ami" | "windows" | "ami-type-unknown";

/** What the AMI-default `kubeReserved` was computed from (`cpu` needs vCPUs, `memory` needs maxPods). */
export interface KubeReservedBasis {
  instanceType?: string;
  maxPods?: number;
  /** Bottlerocket's kubeReserved memory follows `settings.kubernetes.max-pods` when user data sets it. */
  maxPodsFrom?: "instance-type" | "user-data";
  vcpus?: number;
}

/**
 * The kubelet settings a node group's nodes get, read from launch-template user data or the AMI defaults.
 * Only parsed settings: user data itself is never kept.
 */
export interface KubeletConfigReading {
  family: AmiFamily;
  /** False for a custom AMI: its kubelet settings cannot be read from AWS APIs. */
  known: boolean;
  evictionHard: KubeletSetting;
  kubeReserved: KubeletSetting;
  systemReserved: KubeletSetting;
  /** Set when user data could not be decoded or parsed; the AMI defaults are then assumed. */
  parseError?: string;
  /** How the settings were delivered (`nodeadm NodeConfig`, `bootstrap.sh --kubelet-extra-args`, `settings.kubernetes`). */
  via?: string;
  /** Set when `known` is false. */
  unknownReason?: UnknownReason;
  /** Parts of user data seen but not resolvable (generic descriptions, never user-data text). */
  notes?: string[];
  /** Inputs of the AMI-default `kubeReserved` figures, when known. */
  basis?: KubeReservedBasis;
}
