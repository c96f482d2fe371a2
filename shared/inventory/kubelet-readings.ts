import type { InstanceTypeInfo, LaunchTemplateVersion } from "@aws-sdk/client-ec2";
import type { Nodegroup } from "@aws-sdk/client-eks";
import { bundledLimits, limitsFromInstanceTypeInfo } from "#shared/models/instance-types/limits.ts";
import { type KubeletConfigInput, readKubeletConfig } from "#shared/models/kubelet/read.ts";
import type { KubeletConfigReading } from "#shared/models/kubelet/types.ts";
import { launchTemplateVersionOf } from "#shared/models/security-groups/node-security-groups.ts";
import { templateVersionOf } from "./capacity.ts";
import type { ClusterInventory, RawCluster } from "./types.ts";

/** `<cluster>/<nodegroup>`: the key of `Inventory.kubelet`. */
export function kubeletReadingKey(clusterName: string, nodegroupName: string): string {
  return `${clusterName}/${nodegroupName}`;
}

const VERSION_NOT_COLLECTED = "the node group's launch template version was not collected; user data unknown";

/**
 * Kubelet readings of every node group, keyed `<cluster>/<nodegroup>`. Call it with the launch template
 * versions as DescribeLaunchTemplateVersions returned them (UserData included), then keep only the readings
 * and `withoutUserData(versions)`. `instanceTypes` (DescribeInstanceTypes) supply vCPUs for the kubeReserved
 * cpu figure; maxPods comes from the bundled eni-max-pods table the AMIs use.
 */
export async function kubeletReadings(
  clusters: readonly RawCluster[],
  launchTemplateVersions: readonly LaunchTemplateVersion[],
  instanceTypes: readonly InstanceTypeInfo[] = [],
): Promise<Record<string, KubeletConfigReading>> {
  const readings: Record<string, KubeletConfigReading> = {};
  for (const { cluster, nodegroups } of clusters) {
    for (const nodegroup of nodegroups) {
      const key = kubeletReadingKey(cluster.name ?? "", nodegroup.nodegroupName ?? "");
      readings[key] = await nodegroupReading(nodegroup, launchTemplateVersions, instanceTypes);
    }
  }
  return readings;
}

async function nodegroupReading(
  nodegroup: Nodegroup,
  versions: readonly LaunchTemplateVersion[],
  instanceTypes: readonly InstanceTypeInfo[],
): Promise<KubeletConfigReading> {
  const version = launchTemplateVersionOf(nodegroup, versions);
  const data = version?.LaunchTemplateData;
  const instanceType = nodegroup.instanceTypes?.[0] ?? data?.InstanceType;
  const info = instanceTypes.find((t) => t.InstanceType === instanceType);
  const maxPods =
    instanceType !== undefined
      ? (bundledLimits(instanceType)?.maxPods ??
        (info ? limitsFromInstanceTypeInfo(info)?.maxPods : undefined))
      : undefined;
  const input: KubeletConfigInput = {
    ...(nodegroup.amiType !== undefined ? { amiType: nodegroup.amiType } : {}),
    ...(data?.UserData !== undefined ? { userData: data.UserData } : {}),
    ...(data?.ImageId !== undefined && data.ImageId !== "" ? { customImage: true } : {}),
    ...(instanceType !== undefined ? { instanceType } : {}),
    ...(maxPods !== undefined ? { maxPods } : {}),
    ...(info?.VCpuInfo?.DefaultVCpus !== undefined ? { vcpus: info.VCpuInfo.DefaultVCpus } : {}),
  };
  const reading = await readKubeletConfig(input);
  const hasTemplate =
    nodegroup.launchTemplate?.id !== undefined || nodegroup.launchTemplate?.name !== undefined;
  if (hasTemplate && version === undefined && reading.known)
    return { ...reading, parseError: VERSION_NOT_COLLECTED };
  return reading;
}

/**
 * Kubelet readings of the self-managed and Karpenter groups, keyed by their `kubeletKeys`: one per launch
 * template, read from its user data alone. These templates name an AMI id whatever AMI it is, so the family
 * comes from the user data's own format (`readKubeletConfig` recognises Karpenter's AL2023 MIME NodeConfig,
 * AL2 bootstrap.sh and Bottlerocket TOML); none recognisable is an unknown reading, never a guess.
 */
export async function capacityKubeletReadings(
  clusters: readonly Pick<ClusterInventory, "capacity">[],
  launchTemplateVersions: readonly LaunchTemplateVersion[],
  instanceTypes: readonly InstanceTypeInfo[] = [],
): Promise<Record<string, KubeletConfigReading>> {
  const readings: Record<string, KubeletConfigReading> = {};
  for (const { capacity } of clusters) {
    for (const group of capacity) {
      if (group.kind !== "self-managed" && group.kind !== "karpenter") continue;
      const instanceType = group.instanceTypes.configured[0] ?? group.instanceTypes.observed[0];
      for (const [i, key] of group.kubeletKeys.entries()) {
        const template = group.launchTemplates[i];
        const version =
          template === undefined ? undefined : templateVersionOf(template, launchTemplateVersions);
        readings[key] = await templateReading(template !== undefined, version, instanceType, instanceTypes);
      }
    }
  }
  return readings;
}

async function templateReading(
  hasTemplate: boolean,
  version: LaunchTemplateVersion | undefined,
  instanceType: string | undefined,
  instanceTypes: readonly InstanceTypeInfo[],
): Promise<KubeletConfigReading> {
  const info = instanceTypes.find((t) => t.InstanceType === instanceType);
  const maxPods =
    instanceType !== undefined
      ? (bundledLimits(instanceType)?.maxPods ??
        (info ? limitsFromInstanceTypeInfo(info)?.maxPods : undefined))
      : undefined;
  const userData = version?.LaunchTemplateData?.UserData;
  const reading = await readKubeletConfig({
    ...(userData !== undefined ? { userData } : {}),
    ...(instanceType !== undefined ? { instanceType } : {}),
    ...(maxPods !== undefined ? { maxPods } : {}),
    ...(info?.VCpuInfo?.DefaultVCpus !== undefined ? { vcpus: info.VCpuInfo.DefaultVCpus } : {}),
  });
  return hasTemplate && version === undefined ? { ...reading, parseError: VERSION_NOT_COLLECTED } : reading;
}

/** Copies of the versions with `LaunchTemplateData.UserData` removed: what the inventory keeps. */
export function withoutUserData(versions: readonly LaunchTemplateVersion[]): LaunchTemplateVersion[] {
  return versions.map((version) => {
    if (version.LaunchTemplateData === undefined) return { ...version };
    const { UserData: _userData, ...data } = version.LaunchTemplateData;
    return { ...version, LaunchTemplateData: data };
  });
}
