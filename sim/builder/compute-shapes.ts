/**
 * The estate v2 records, one function per AWS record like `shapes.ts`: EC2 instances (DescribeInstances),
 * launch templates (DescribeLaunchTemplates), subnet CIDR reservations (GetSubnetCidrReservations), Auto
 * Scaling groups (DescribeAutoScalingGroups) and Fargate profiles (DescribeFargateProfile). Shapes and field
 * order follow the SDK v3 output types (`@aws-sdk/client-ec2`, `client-auto-scaling`, `client-eks` 3.1108.0).
 */
import type { AutoScalingGroup, TagDescription } from "@aws-sdk/client-auto-scaling";
import type {
  Instance,
  InstanceNetworkInterface,
  LaunchTemplate,
  NetworkInterface,
  OperatorResponse,
  Reservation,
  SubnetCidrReservation,
} from "@aws-sdk/client-ec2";
import type { FargateProfile, FargateProfileSelector } from "@aws-sdk/client-eks";
import type { Wire } from "#shared/estate/types.ts";
import { awsId, uuid } from "./ids.ts";
import { arn, DEFAULT_CREATED_AT, type Tags, tagList } from "./shapes.ts";

/**
 * `Operator` of a resource an AWS service manages for you. EKS Auto Mode instances (and their ENIs and launch
 * templates) are EC2 managed instances whose principal is `eks.amazonaws.com` (EC2 user guide, "Amazon EC2
 * managed instances": `describe-instances --query Reservations[].Instances[].Operator`); `HiddenByDefault`
 * (SDK `OperatorResponse`) says DescribeInstances leaves them out unless `IncludeManagedResources=true`
 * when the account's managed-resource visibility is `hidden`.
 */
export const EKS_MANAGED: Wire<OperatorResponse> = {
  Managed: true,
  Principal: "eks.amazonaws.com",
  HiddenByDefault: true,
};

/** What DescribeInstances reports for an instance you launched yourself. */
export const NOT_MANAGED: Wire<OperatorResponse> = { Managed: false };

// ---------------------------------------------------------------------------------------------
// instances

export interface InstanceShape {
  account: string;
  region: string;
  id: string;
  instanceType: string;
  imageId: string;
  /** Full zone name. */
  az: string;
  azId?: string;
  subnetId: string;
  vpcId: string;
  launchedAt: string;
  /** The ENIs attached to the instance (DescribeNetworkInterfaces records), device order, primary first. */
  networkInterfaces: Wire<NetworkInterface>[];
  tags: Tags;
  /** The instance profile: its name (the ARN and id derive from it). */
  instanceProfile: string;
  keyName?: string;
  spot?: boolean;
  operator?: Wire<OperatorResponse>;
}

/**
 * An attached ENI as DescribeInstances nests it (`InstanceNetworkInterface`): which ENI, where, its SGs and its
 * addresses. The ENI's full record (MAC, DNS names, tags) is in DescribeNetworkInterfaces (`ec2.NetworkInterfaces`).
 */
function instanceNetworkInterface(eni: Wire<NetworkInterface>): Wire<InstanceNetworkInterface> {
  const a = eni.Attachment;
  return {
    ...(a === undefined
      ? {}
      : {
          Attachment: {
            AttachmentId: a.AttachmentId,
            DeviceIndex: a.DeviceIndex,
            Status: "attached",
            NetworkCardIndex: a.NetworkCardIndex,
          },
        }),
    Description: eni.Description,
    Groups: eni.Groups,
    NetworkInterfaceId: eni.NetworkInterfaceId,
    PrivateIpAddress: eni.PrivateIpAddress,
    PrivateIpAddresses: (eni.PrivateIpAddresses ?? []).map((p) => ({
      Primary: p.Primary,
      PrivateIpAddress: p.PrivateIpAddress,
    })),
    Status: eni.Status,
    SubnetId: eni.SubnetId,
    VpcId: eni.VpcId,
    InterfaceType: eni.InterfaceType,
    ...((eni.Ipv4Prefixes ?? []).length === 0 ? {} : { Ipv4Prefixes: eni.Ipv4Prefixes }),
    ...(eni.Operator === undefined ? {} : { Operator: eni.Operator }),
  };
}

/**
 * A DescribeInstances instance with the fields the auditor reads (identity, placement, type, image, profile,
 * network interfaces, SGs, tags, lifecycle, `Operator`); a recording holds more (block devices, metadata
 * options…), which only make an estate larger.
 */
export function instanceShape(s: InstanceShape): Wire<Instance> {
  const primary = s.networkInterfaces[0];
  if (primary === undefined) throw new Error(`instance ${s.id} has no network interface`);
  return {
    ImageId: s.imageId,
    InstanceId: s.id,
    InstanceType: s.instanceType as Instance["InstanceType"],
    ...(s.keyName === undefined ? {} : { KeyName: s.keyName }),
    LaunchTime: s.launchedAt,
    Placement: {
      ...(s.azId === undefined ? {} : { AvailabilityZoneId: s.azId }),
      AvailabilityZone: s.az,
      Tenancy: "default",
    },
    PrivateDnsName: primary.PrivateDnsName,
    PrivateIpAddress: primary.PrivateIpAddress,
    State: { Code: 16, Name: "running" },
    SubnetId: s.subnetId,
    VpcId: s.vpcId,
    Architecture: "x86_64",
    IamInstanceProfile: {
      Arn: `arn:aws:iam::${s.account}:instance-profile/${s.instanceProfile}`,
      Id: `AIPA${awsId("aipa", s.account, s.instanceProfile).slice(6, 22).toUpperCase()}`,
    },
    ...(s.spot === true ? { InstanceLifecycle: "spot" as const } : {}),
    NetworkInterfaces: s.networkInterfaces.map(instanceNetworkInterface),
    SecurityGroups: (primary.Groups ?? []).map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName })),
    Tags: tagList(s.tags),
    Operator: s.operator ?? NOT_MANAGED,
  };
}

/** One DescribeInstances reservation: the instances one launch request started. */
export function reservationShape(
  account: string,
  id: string,
  instances: Wire<Instance>[],
): Wire<Reservation> {
  return { ReservationId: id, OwnerId: account, Groups: [], Instances: instances };
}

// ---------------------------------------------------------------------------------------------
// launch templates

export interface LaunchTemplateShape {
  account: string;
  id: string;
  name: string;
  createdAt?: string;
  createdBy?: string;
  defaultVersion: number;
  latestVersion: number;
  tags?: Tags;
  operator?: Wire<OperatorResponse>;
}

/** A DescribeLaunchTemplates item. */
export function launchTemplateShape(s: LaunchTemplateShape): Wire<LaunchTemplate> {
  return {
    LaunchTemplateId: s.id,
    LaunchTemplateName: s.name,
    CreateTime: s.createdAt ?? DEFAULT_CREATED_AT,
    CreatedBy: s.createdBy ?? `arn:aws:sts::${s.account}:assumed-role/platform-deployer/terraform`,
    DefaultVersionNumber: s.defaultVersion,
    LatestVersionNumber: s.latestVersion,
    ...(s.tags === undefined || Object.keys(s.tags).length === 0 ? {} : { Tags: tagList(s.tags) }),
    ...(s.operator === undefined ? {} : { Operator: s.operator }),
  };
}

// ---------------------------------------------------------------------------------------------
// subnet CIDR reservations

export interface SubnetCidrReservationShape {
  account: string;
  id: string;
  subnetId: string;
  cidr: string;
  type: "prefix" | "explicit";
  description?: string;
  tags?: Tags;
}

/** One item of GetSubnetCidrReservations (`SubnetIpv4CidrReservations`). */
export function subnetCidrReservationShape(s: SubnetCidrReservationShape): Wire<SubnetCidrReservation> {
  return {
    SubnetCidrReservationId: s.id,
    SubnetId: s.subnetId,
    Cidr: s.cidr,
    ReservationType: s.type,
    OwnerId: s.account,
    ...(s.description === undefined ? {} : { Description: s.description }),
    Tags: tagList(s.tags ?? {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Auto Scaling groups

export interface AutoScalingGroupShape {
  account: string;
  region: string;
  name: string;
  launchTemplate: { id: string; name: string; version: string };
  scaling: { min: number; max: number; desired: number };
  /** Zone names of the group's subnets, in subnet order. */
  zones: string[];
  subnetIds: string[];
  instances: { id: string; instanceType: string; az: string; azId?: string }[];
  /** Tags and whether each propagates to the instances it launches. */
  tags: { key: string; value: string; propagateAtLaunch: boolean }[];
  createdAt?: string;
}

/** A DescribeAutoScalingGroups item; tags come back sorted by key. */
export function autoScalingGroupShape(s: AutoScalingGroupShape): Wire<AutoScalingGroup> {
  const launchTemplate = {
    LaunchTemplateId: s.launchTemplate.id,
    LaunchTemplateName: s.launchTemplate.name,
    Version: s.launchTemplate.version,
  };
  const tags: Wire<TagDescription>[] = [...s.tags]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((t) => ({
      ResourceId: s.name,
      ResourceType: "auto-scaling-group",
      Key: t.key,
      Value: t.value,
      PropagateAtLaunch: t.propagateAtLaunch,
    }));
  return {
    AutoScalingGroupName: s.name,
    AutoScalingGroupARN: arn(
      "autoscaling",
      s.region,
      s.account,
      `autoScalingGroup:${uuid(s.account, s.region, s.name)}:autoScalingGroupName/${s.name}`,
    ),
    LaunchTemplate: launchTemplate,
    MinSize: s.scaling.min,
    MaxSize: s.scaling.max,
    DesiredCapacity: s.scaling.desired,
    DefaultCooldown: 300,
    AvailabilityZones: [...new Set(s.zones)],
    LoadBalancerNames: [],
    TargetGroupARNs: [],
    HealthCheckType: "EC2",
    HealthCheckGracePeriod: 300,
    Instances: s.instances.map((i) => ({
      InstanceId: i.id,
      InstanceType: i.instanceType,
      AvailabilityZone: i.az,
      ...(i.azId === undefined ? {} : { AvailabilityZoneId: i.azId }),
      LifecycleState: "InService",
      HealthStatus: "Healthy",
      LaunchTemplate: launchTemplate,
      ProtectedFromScaleIn: false,
    })),
    CreatedTime: s.createdAt ?? DEFAULT_CREATED_AT,
    SuspendedProcesses: [],
    VPCZoneIdentifier: s.subnetIds.join(","),
    EnabledMetrics: [],
    Tags: tags,
    TerminationPolicies: ["Default"],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${s.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
    TrafficSources: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Fargate profiles

export interface FargateProfileShape {
  account: string;
  region: string;
  cluster: string;
  name: string;
  subnetIds: string[];
  selectors: Wire<FargateProfileSelector>[];
  podExecutionRoleArn?: string;
  createdAt?: string;
  tags?: Tags;
}

/** DescribeFargateProfile's `fargateProfile`. */
export function fargateProfileShape(s: FargateProfileShape): Wire<FargateProfile> {
  const id = uuid(s.account, s.cluster, "fargate", s.name);
  return {
    fargateProfileName: s.name,
    fargateProfileArn: arn("eks", s.region, s.account, `fargateprofile/${s.cluster}/${s.name}/${id}`),
    clusterName: s.cluster,
    createdAt: s.createdAt ?? DEFAULT_CREATED_AT,
    podExecutionRoleArn:
      s.podExecutionRoleArn ?? `arn:aws:iam::${s.account}:role/${s.cluster}-fargate-pod-execution`,
    subnets: s.subnetIds,
    selectors: s.selectors,
    status: "ACTIVE",
    tags: s.tags ?? {},
    health: { issues: [] },
  };
}
