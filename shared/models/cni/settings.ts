// The vpc-cni settings and their defaults, apart from the parser (config.ts) so that code which only names
// them (alert links) loads no YAML parser.

/**
 * The ipamd settings that decide how many subnet addresses a node takes, as the CNI itself reads them
 * (aws/amazon-vpc-cni-k8s pkg/ipamd/ipamd.go: getWarmENITarget, getWarmIPTarget, getMinimumIPTarget,
 * getWarmPrefixTarget, getMaxENI, usePrefixDelegation, UseCustomNetworkCfg, EnablePodENI).
 */
export interface CniSettings {
  /** WARM_ENI_TARGET (default 1; 0 is valid; negative or non-numeric → 1). */
  warmEniTarget: number;
  /** WARM_IP_TARGET; 0 means not set, as in ipamd (negative or non-numeric → 0). */
  warmIpTarget: number;
  /** MINIMUM_IP_TARGET; 0 means not set (negative or non-numeric → 0). */
  minimumIpTarget: number;
  /** ENABLE_PREFIX_DELEGATION (default false; Go strconv.ParseBool, anything else → false). */
  enablePrefixDelegation: boolean;
  /** WARM_PREFIX_TARGET (the shipped manifest sets 1; ipamd turns a negative or non-numeric value into 0). */
  warmPrefixTarget: number;
  /** ENABLE_POD_ENI: security groups for pods, one trunk ENI per node (default false). */
  enablePodEni: boolean;
  /** POD_SECURITY_GROUP_ENFORCING_MODE (default strict). */
  podSecurityGroupEnforcingMode: "strict" | "standard";
  /** AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: pods on ENIConfig subnets (default false). */
  customNetworking: boolean;
  /** MAX_ENI; undefined when not set or < 1 (ipamd then uses the instance limit). */
  maxEni?: number;
}

export const CNI_DEFAULTS: Readonly<CniSettings> = Object.freeze({
  warmEniTarget: 1,
  warmIpTarget: 0,
  minimumIpTarget: 0,
  enablePrefixDelegation: false,
  warmPrefixTarget: 1,
  enablePodEni: false,
  podSecurityGroupEnforcingMode: "strict",
  customNetworking: false,
});

/** True when WARM_IP_TARGET or MINIMUM_IP_TARGET is in force (ipamd's warmIPTargetsDefined). */
export function warmIpTargetsDefined(settings: CniSettings): boolean {
  return settings.warmIpTarget > 0 || settings.minimumIpTarget > 0;
}

/** The settings as env values, for evidence: only what differs from nothing (every key, readable). */
export function settingsAsEnv(settings: CniSettings): Record<string, string> {
  const env: Record<string, string> = {
    WARM_ENI_TARGET: String(settings.warmEniTarget),
    ENABLE_PREFIX_DELEGATION: String(settings.enablePrefixDelegation),
    WARM_PREFIX_TARGET: String(settings.warmPrefixTarget),
    ENABLE_POD_ENI: String(settings.enablePodEni),
    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: String(settings.customNetworking),
  };
  if (settings.warmIpTarget > 0) env.WARM_IP_TARGET = String(settings.warmIpTarget);
  if (settings.minimumIpTarget > 0) env.MINIMUM_IP_TARGET = String(settings.minimumIpTarget);
  if (settings.enablePodEni) env.POD_SECURITY_GROUP_ENFORCING_MODE = settings.podSecurityGroupEnforcingMode;
  if (settings.maxEni !== undefined) env.MAX_ENI = String(settings.maxEni);
  return env;
}
