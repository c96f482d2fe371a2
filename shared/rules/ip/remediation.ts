/** Pasteable fixes for the ip.* findings. */
import type { CniConfig, CniSettings } from "#shared/models/cni/config.ts";
import { warmEniMode } from "#shared/models/cni/ip-math.ts";
import type { InstanceNetworkLimits } from "#shared/models/instance-types/limits.ts";

/** The warm IP pool the auditor suggests instead of a whole warm ENI. */
export const SUGGESTED_WARM_IP_TARGET = 2;
/** Upper bound of the suggested MINIMUM_IP_TARGET: a handful of DaemonSet and application pods. */
const SUGGESTED_MINIMUM_CAP = 10;

/**
 * A MINIMUM_IP_TARGET that still fits the node's first ENI (its IPs less the primary), at most 10: a new
 * node then holds one ENI instead of two.
 */
export function suggestedMinimumIpTarget(limits: InstanceNetworkLimits): number {
  return Math.max(1, Math.min(limits.ipv4PerEni - 1, SUGGESTED_MINIMUM_CAP));
}

export function withWarmIpTarget(settings: CniSettings, minimumIpTarget: number): CniSettings {
  return { ...settings, warmIpTarget: SUGGESTED_WARM_IP_TARGET, minimumIpTarget };
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The command that sets env values on the vpc-cni add-on, merged into its current configurationValues
 * (update-addon replaces the whole document); `kubectl set env` for a self-managed aws-node.
 */
export function setCniEnvCommand(
  region: string,
  cluster: string,
  cni: CniConfig,
  env: Record<string, string>,
  managedAddon: boolean,
): string {
  if (!managedAddon) {
    const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    return `kubectl -n kube-system set env daemonset/aws-node ${pairs.join(" ")}`;
  }
  const document = cni.document ?? {};
  const current = isRecord(document.env) ? document.env : {};
  const merged = JSON.stringify({ ...document, env: { ...current, ...env } });
  return (
    `aws eks update-addon --cluster-name ${cluster} --addon-name vpc-cni ` +
    `--configuration-values ${shellQuote(merged)} --region ${region}`
  );
}

/** Secondary CIDR + custom networking, or larger subnets: the fix when the pool is already tight. */
export function moreAddressesHint(
  region: string,
  vpcId: string | undefined,
  nodegroups: readonly string[],
): string {
  const vpc = vpcId ?? "VPC_ID";
  const groups = nodegroups.length > 0 ? ` ${nodegroups.join(", ")}` : " the node groups";
  return (
    `Add a secondary CIDR from 100.64.0.0/10 (aws ec2 associate-vpc-cidr-block --vpc-id ${vpc} ` +
    `--cidr-block 100.64.0.0/16 --region ${region}), create one subnet per AZ in it and enable custom networking ` +
    `(AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true with one ENIConfig per AZ), or move${groups} to larger subnets.`
  );
}

/** What to paste for a subnet that is short of addresses, given how the CNI is configured. */
export function capacityRemediation(args: {
  region: string;
  cluster: string;
  vpcId: string | undefined;
  cni: CniConfig;
  managedAddon: boolean;
  limits: InstanceNetworkLimits | undefined;
  nodegroups: readonly string[];
}): string {
  const { region, cluster, vpcId, cni, managedAddon, limits, nodegroups } = args;
  const hint = moreAddressesHint(region, vpcId, nodegroups);
  if (limits && warmEniMode(limits, cni.settings) && !cni.settings.customNetworking) {
    const env = {
      WARM_IP_TARGET: String(SUGGESTED_WARM_IP_TARGET),
      MINIMUM_IP_TARGET: String(suggestedMinimumIpTarget(limits)),
    };
    const command = setCniEnvCommand(region, cluster, cni, env, managedAddon);
    return `Shrink the per-node warm pool: ${command} — or: ${hint}`;
  }
  return hint;
}
