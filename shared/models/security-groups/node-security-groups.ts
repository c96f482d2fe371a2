import type { LaunchTemplateVersion } from "@aws-sdk/client-ec2";
import type { Cluster, Nodegroup } from "@aws-sdk/client-eks";

export interface NodeSecurityGroups {
  /** The SGs on the node's ENIs, in effect for every pod that does not use a branch ENI. */
  groupIds: string[];
  /** Where they came from: the launch template's own SGs replace the cluster SG. */
  source: "launch-template" | "cluster-security-group";
  /** The EKS-created SG for `remoteAccess` (SSH/RDP), when there is one. */
  remoteAccessGroupId?: string;
  /**
   * `<template>@<version>` when the node group names a launch template version the inventory does not hold:
   * its SGs are then unknown and `groupIds` only assumes the cluster SG.
   */
  unresolvedLaunchTemplate?: string;
}

/** The launch template version a node group uses (its pinned version, else the template's default). */
export function launchTemplateVersionOf(
  nodegroup: Nodegroup,
  versions: readonly LaunchTemplateVersion[],
): LaunchTemplateVersion | undefined {
  const lt = nodegroup.launchTemplate;
  if (!lt?.id && !lt?.name) return undefined;
  const ofTemplate = versions.filter(
    (v) => (lt.id && v.LaunchTemplateId === lt.id) || (lt.name && v.LaunchTemplateName === lt.name),
  );
  if (lt.version && /^\d+$/.test(lt.version))
    return ofTemplate.find((v) => String(v.VersionNumber) === lt.version);
  if (lt.version === "$Latest") {
    return ofTemplate.reduce<LaunchTemplateVersion | undefined>(
      (a, v) => (a === undefined || (v.VersionNumber ?? 0) > (a.VersionNumber ?? 0) ? v : a),
      undefined,
    );
  }
  return ofTemplate.find((v) => v.DefaultVersion) ?? ofTemplate[0];
}

/**
 * Node SGs of a managed node group: the launch template's SGs (instance level or per network interface)
 * if it sets any, else the cluster SG; plus the remote-access SG.
 */
export function nodeSecurityGroups(
  cluster: Cluster,
  nodegroup: Nodegroup,
  versions: readonly LaunchTemplateVersion[],
): NodeSecurityGroups {
  const lt = nodegroup.launchTemplate;
  const version = launchTemplateVersionOf(nodegroup, versions);
  const data = version?.LaunchTemplateData;
  const fromTemplate = new Set<string>([
    ...(data?.SecurityGroupIds ?? []),
    ...(data?.NetworkInterfaces ?? []).flatMap((ni) => ni.Groups ?? []),
  ]);
  const remoteAccessGroupId = nodegroup.resources?.remoteAccessSecurityGroup;
  const clusterSg = cluster.resourcesVpcConfig?.clusterSecurityGroupId;
  const groupIds =
    fromTemplate.size > 0 ? [...fromTemplate] : clusterSg !== undefined ? [clusterSg] : ([] as string[]);
  if (remoteAccessGroupId && !groupIds.includes(remoteAccessGroupId)) groupIds.push(remoteAccessGroupId);
  return {
    groupIds,
    source: fromTemplate.size > 0 ? "launch-template" : "cluster-security-group",
    ...(remoteAccessGroupId ? { remoteAccessGroupId } : {}),
    ...((lt?.id || lt?.name) && version === undefined
      ? { unresolvedLaunchTemplate: `${lt.id ?? lt.name}@${lt.version ?? "$Default"}` }
      : {}),
  };
}

/**
 * The SGs on the control-plane ENIs: the cluster SG and the SGs given at cluster creation
 * (`resourcesVpcConfig.securityGroupIds`), which EKS never puts on nodes (EKS user guide, "View Amazon EKS
 * security group requirements for clusters").
 */
export function controlPlaneGroupIds(cluster: Cluster): string[] {
  const vpc = cluster.resourcesVpcConfig;
  const ids = [vpc?.clusterSecurityGroupId, ...(vpc?.securityGroupIds ?? [])].filter(
    (id): id is string => id !== undefined && id !== "",
  );
  return [...new Set(ids)];
}
