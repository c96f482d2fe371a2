/**
 * Node capacity as one concept: every way an EKS cluster gets nodes, read from the raw API results by
 * `capacityOfCluster` (capacity.ts) and held in `ClusterInventory.capacity`. This is the contract the ip.*,
 * sg.* and node.* rules code against: one loop over `CapacityGroup`s instead of one per kind.
 */
import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type { FargateProfile, Nodegroup } from "@aws-sdk/client-eks";

/**
 * How the group's nodes are launched:
 * - `managed-nodegroup`: an EKS managed node group (DescribeNodegroup);
 * - `karpenter`: a Karpenter NodePool (its instances' `karpenter.sh/nodepool` tag, its launch templates);
 * - `self-managed`: an Auto Scaling group tagged `kubernetes.io/cluster/<cluster>` that EKS does not manage;
 * - `auto-mode`: an EKS Auto Mode node pool (EC2 managed instances, `eks:kubernetes-node-pool-name`);
 * - `fargate`: a Fargate profile (one micro-VM, one ENI, one address per pod).
 */
export type CapacityKind = "managed-nodegroup" | "karpenter" | "self-managed" | "auto-mode" | "fargate";

/** The order groups are listed in, within a cluster (then by name). */
export const CAPACITY_KINDS: readonly CapacityKind[] = [
  "managed-nodegroup",
  "karpenter",
  "self-managed",
  "auto-mode",
  "fargate",
];

/**
 * Which sources of capacity the inventory read for a cluster. `false` means unknown, never "none": an estate
 * v1 holds none of them, and a failed call is also named in `Inventory.unread`.
 */
export interface CapacityRead {
  /** DescribeInstances: observed nodes of every kind; Karpenter and Auto Mode groups are found from them. */
  instances: boolean;
  /** DescribeAutoScalingGroups: self-managed groups. */
  autoScalingGroups: boolean;
  /** DescribeLaunchTemplates: Karpenter's launch templates (their user data gives its kubelet settings). */
  launchTemplates: boolean;
  /** ListFargateProfiles (and DescribeFargateProfile of each profile). */
  fargateProfiles: boolean;
}

/** One ENI of a node, as DescribeInstances (or DescribeNetworkInterfaces) reported it. */
export interface CapacityEni {
  networkInterfaceId: string;
  subnetId?: string;
  /** 0 for the primary ENI; undefined for a branch ENI, a Fargate pod ENI or an unattached one. */
  deviceIndex?: number;
  /** `interface`, `trunk`, `branch`, `efa`…, as EC2 reports it (`interface` when EC2 omits it). */
  interfaceType: string;
  /** ipamd's (VPC CNI) secondary ENI: described `aws-K8S-<instance-id>`. */
  ipamd: boolean;
  /** The ENI's primary private IPv4 address. */
  primaryIp?: string;
  /** Its other private IPv4 addresses: the addresses ipamd holds for pods in secondary-IP mode. */
  secondaryIps: string[];
  /** /28 IPv4 prefixes delegated to it (prefix delegation: 16 addresses each). */
  prefixes: string[];
  groupIds: string[];
  /**
   * An ipamd ENI in another subnet than its node's: VPC CNI custom networking (ENIConfig) gives pods
   * addresses from that subnet (`CapacityGroup.podSubnetIds`).
   */
  podSubnet: boolean;
}

/** A node of a group: an EC2 instance, or for Fargate a running pod (its own micro-VM and ENI). */
export interface ObservedNode {
  /** The instance id; for a Fargate pod, its ENI id. */
  id: string;
  kind: "instance" | "fargate-pod";
  instanceType?: string;
  subnetId?: string;
  availabilityZone?: string;
  /** `pending` or `running` (the collector reads no other state). */
  state?: string;
  launchTime?: Date;
  /** The launch template it was launched from (EC2's `aws:ec2launchtemplate:id`/`:version` tags). */
  launchTemplate?: { id: string; version?: string };
  /** SGs of its primary ENI (a Fargate pod: of its ENI). */
  groupIds: string[];
  /** Attached ENIs in device order: primary, ipamd's, trunk; a Fargate pod's one ENI. */
  enis: CapacityEni[];
  /** Security-groups-for-pods branch ENIs on its trunk ENI: one pod each, with the pod's own SGs. */
  branchEnis: CapacityEni[];
}

/** A launch template a group launches from. */
export interface CapacityLaunchTemplate {
  id?: string;
  name?: string;
  /** As the group names it: a number, `$Default` or `$Latest` (Karpenter launches `$Latest`). */
  version: string;
  /** The version read (DescribeLaunchTemplateVersions); absent when it could not be read. */
  versionNumber?: number;
}

/**
 * Where a group's SGs come from:
 * - `launch-template`: the template's own SGs (instance level or per network interface), which replace the
 *   cluster SG;
 * - `cluster-security-group`: a managed node group without template SGs, or Fargate pods: EKS puts the
 *   cluster SG on them;
 * - `vpc-default-security-group`: a self-managed group whose template names no SG: EC2 gives the VPC's
 *   default SG;
 * - `observed`: the SGs on its nodes' primary ENIs (Karpenter and Auto Mode select them in a NodeClass,
 *   which no AWS API shows; Fargate pods with their own SGs);
 * - `assumed-cluster-security-group`: an Auto Mode pool without nodes: its default NodeClass uses the
 *   cluster SG (assumption);
 * - `unknown`: nothing tells (no node, and no readable template).
 */
export type CapacitySecurityGroupSource =
  | "launch-template"
  | "cluster-security-group"
  | "vpc-default-security-group"
  | "observed"
  | "assumed-cluster-security-group"
  | "unknown";

export interface CapacitySecurityGroups {
  /** The SGs on the group's node ENIs: every pod without a branch ENI shares them. */
  groupIds: string[];
  source: CapacitySecurityGroupSource;
  /** Managed node groups: the EKS-created SG for `remoteAccess` (SSH/RDP). */
  remoteAccessGroupId?: string;
  /** `<template>@<version>` when the group names a template version the inventory does not hold. */
  unresolvedLaunchTemplate?: string;
}

/**
 * Where a group's subnets come from:
 * - `configured`: the group names them (node group and Fargate profile `subnets`, ASG `VPCZoneIdentifier`);
 * - `nodes`: subnets its nodes run in;
 * - `karpenter-discovery-tag`: cluster-VPC subnets tagged `karpenter.sh/discovery=<cluster>`, the common
 *   EC2NodeClass `subnetSelectorTerms` (an assumption: the NodeClass itself is a Kubernetes object);
 * - `cluster-subnets`: Auto Mode's default NodeClass places nodes in the cluster's subnets (assumption).
 */
export type CapacitySubnetSource = "configured" | "nodes" | "karpenter-discovery-tag" | "cluster-subnets";

/**
 * Where the rules take a node's pod count (so its IP cost) from:
 * - `eni-max-pods`: the EC2 kinds (managed, Karpenter, self-managed) under the VPC CNI: the instance type's
 *   eni-max-pods figure, the AMI's default maxPods (`Inventory.kubelet[key].basis.maxPodsFrom` is
 *   `user-data` when user data set another, which only Bottlerocket settings expose);
 * - `auto-mode`: AWS sets maxPods on Auto Mode nodes and hands pods addresses from /28 prefixes;
 * - `one-per-pod`: Fargate: every pod is its own node, with one ENI and one address.
 */
export type CapacityMaxPodsSource = "eni-max-pods" | "auto-mode" | "one-per-pod";

/** One group of node capacity of a cluster, whatever launches it. */
export interface CapacityGroup {
  kind: CapacityKind;
  /** The node group, NodePool, Auto Scaling group, Auto Mode node pool or Fargate profile name. */
  name: string;
  /**
   * What findings about the group name in `resourceId`: a managed node group's name (the v1 identity,
   * unchanged), `<kind>/<name>` otherwise (`karpenter/default`, `self-managed/legacy-asg`, `fargate/fp`).
   */
  resourceId: string;
  cluster: string;
  /** Subnets the group's nodes use or may use, sorted. */
  subnetIds: string[];
  /** Where `subnetIds` come from. */
  subnetsFrom: CapacitySubnetSource[];
  /** Custom-networking pod subnets: those of its nodes' ipamd ENIs outside their node's subnet, sorted. */
  podSubnetIds: string[];
  /** The SGs its nodes (and so every pod without a branch ENI) have. */
  securityGroups: CapacitySecurityGroups;
  instanceTypes: {
    /** What the group asks for: node group or template types, ASG overrides. Karpenter/Auto Mode: none visible. */
    configured: string[];
    /** What its nodes run, sorted. */
    observed: string[];
  };
  /** Managed node groups and Auto Scaling groups; Karpenter, Auto Mode and Fargate have none (no maxSize). */
  sizes?: { min?: number; max?: number; desired?: number };
  /** Templates it launches from (managed: 0 or 1; self-managed: 1; Karpenter: one per template it made). */
  launchTemplates: CapacityLaunchTemplate[];
  /**
   * Keys of `Inventory.kubelet` holding its kubelet settings: `<cluster>/<nodegroup>` for a managed node
   * group, `<cluster>/<resourceId>` for a self-managed group, `<cluster>/<resourceId>@<template id>` per
   * Karpenter template. Empty for Auto Mode and Fargate: AWS manages their kubelet.
   */
  kubeletKeys: string[];
  /**
   * Pods get /28 prefixes rather than single addresses: the vpc-cni setting for EC2 kinds, always for Auto
   * Mode (EKS user guide, "Learn about VPC Networking and Load Balancing in EKS Auto Mode": prefix delegation
   * by default, falling back to secondary IPs when the subnet has no free /28); never for Fargate.
   */
  prefixDelegation: boolean;
  /** Where a node's pod count comes from (see `CapacityMaxPodsSource`). */
  maxPodsFrom: CapacityMaxPodsSource;
  /**
   * Its nodes as EC2 described them, sorted by id. Fargate: its running pods, each a node with one ENI and one
   * address. A Fargate pod ENI does not say which profile launched it: a pod in a subnet several profiles
   * share is listed under each of them (count addresses per subnet by ENI id).
   */
  nodes: ObservedNode[];
  /** The record the group came from, as the API returned it. */
  source: {
    nodegroup?: Nodegroup;
    autoScalingGroup?: AutoScalingGroup;
    fargateProfile?: FargateProfile;
  };
}
