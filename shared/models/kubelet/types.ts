/** The AMI families whose kubelet defaults differ. */
export type AmiFamily = "AL2" | "AL2023" | "BOTTLEROCKET" | "WINDOWS" | "CUSTOM";

/** Whether user data touched a kubelet map at all. */
export type SettingSource = "ami-default" | "user-data" | "unknown";

/**
 * Where one effective value came from: the AMI's own kubelet config, a config map in user data (AL2023
 * `spec.kubelet.config`, Bottlerocket `settings.kubernetes`), or a kubelet flag (AL2 `--kubelet-extra-args`,
 * AL2023 `spec.kubelet.flags`).
 */
export type ValueSource = "ami-default" | "user-config" | "flag";

/** The three kubelet maps the node rules judge. */
export type KubeletField = "evictionHard" | "kubeReserved" | "systemReserved";

/** What a value read from user data becomes when it is not a Kubernetes quantity (or percentage): never the value. */
export const UNREADABLE_VALUE = "unreadable value";

export interface KubeletSetting {
  /**
   * The map as the kubelet will have it: key → quantity (`memory.available` → `100Mi`), or
   * `UNREADABLE_VALUE`. Undefined when nothing sets the field (the kubelet's own default applies).
   * Only keys the kubelet knows for this map are kept.
   */
  value?: Record<string, string>;
  /** For each key of `value`, where its value came from. */
  sources?: Record<string, ValueSource>;
  /** `user-data` when some value, or the map itself, comes from user data. */
  source: SettingSource;
  /**
   * User data replaced the whole map rather than merging into it: a kubelet flag (the first `--eviction-hard`
   * clears the config file's map), or a Bottlerocket settings table (rendered as the whole map). Keys the
   * AMI would have set and the replacement leaves out are gone.
   */
  replacedBy?: "flag" | "user-config";
  /**
   * Entries user data wrote for this map that the kubelet does not accept (an unknown key, a pair without a
   * separator, a value that is not a map): counted, never named.
   */
  unreadableEntries?: number;
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
 * Only parsed and validated settings: user data itself is never kept.
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
