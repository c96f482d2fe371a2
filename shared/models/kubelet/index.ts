export {
  amiFamilyOf,
  baselineEvictionHard,
  cpuMillicoresToReserve,
  EKS_AMI_EVICTION_HARD,
  memoryMebibytesToReserve,
  UPSTREAM_EVICTION_HARD,
} from "./defaults.ts";
export { isEvictionThreshold, isQuantity, isZeroQuantity } from "./quantity.ts";
export { type KubeletConfigInput, readKubeletConfig } from "./read.ts";
export { synthesizeUserData } from "./synthesize.ts";
export {
  type AmiFamily,
  type KubeletConfigReading,
  type KubeletField,
  type KubeletSetting,
  type KubeReservedBasis,
  type SettingSource,
  UNREADABLE_VALUE,
  type UnknownReason,
  type ValueSource,
} from "./types.ts";
