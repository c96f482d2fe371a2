export {
  amiFamilyOf,
  cpuMillicoresToReserve,
  EKS_AMI_EVICTION_HARD,
  EVICTION_SIGNALS,
  memoryMebibytesToReserve,
  UPSTREAM_EVICTION_HARD,
} from "./defaults.ts";
export { type KubeletConfigInput, readKubeletConfig } from "./read.ts";
export { synthesizeUserData } from "./synthesize.ts";
export type {
  AmiFamily,
  KubeletConfigReading,
  KubeletSetting,
  KubeReservedBasis,
  SettingSource,
  UnknownReason,
} from "./types.ts";
