/**
 * One function per AWS record: the exact SDK v3 output shape, every id given. The fluent builder
 * (`region.ts`) generates ids and addresses and calls these; small fixtures call them directly with
 * hand-picked ids. Field order follows what the AWS APIs return, so generated JSON reads like a recording.
 */
import type {
  _InstanceType,
  IpPermission,
  LaunchTemplateVersion,
  NetworkInterface,
  OperatorResponse,
  ResponseLaunchTemplateData,
  Route,
  RouteTable,
  RouteTableAssociation,
  SecurityGroup,
  Subnet,
  Tag,
  Vpc,
} from "@aws-sdk/client-ec2";
import type {
  Addon,
  AMITypes,
  CapacityTypes,
  Cluster,
  ClusterStatus,
  Issue,
  Nodegroup,
  NodegroupStatus,
} from "@aws-sdk/client-eks";
import type { Account } from "@aws-sdk/client-organizations";
import type { EstateCluster, Wire } from "#shared/estate/types.ts";
import { awsId, digest, uuid } from "./ids.ts";
import { base64 } from "./user-data.ts";

/** Dates the builder uses when a story gives none: fixed, so estates are reproducible. */
export const DEFAULT_CREATED_AT = "2024-09-17T09:30:00.000Z";

export type Tags = Record<string, string>;

/** EC2 tag list from a map, in the map's order. */
export function tagList(tags: Tags): Wire<Tag>[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function arn(service: string, region: string, account: string, resource: string): string {
  return `arn:aws:${service}:${region}:${account}:${resource}`;
}

// ---------------------------------------------------------------------------------------------
// Organizations

export interface OrganizationAccountShape {
  id: string;
  name: string;
  organizationId: string;
  managementAccountId: string;
  status?: "ACTIVE" | "SUSPENDED";
  joinedAt?: string;
  joinedMethod?: "CREATED" | "INVITED";
  email?: string;
}

export function organizationAccountShape(s: OrganizationAccountShape): Wire<Account> {
  const status = s.status ?? "ACTIVE";
  return {
    Id: s.id,
    Arn: `arn:aws:organizations::${s.managementAccountId}:account/${s.organizationId}/${s.id}`,
    Email: s.email ?? `aws+${s.name}@example.com`,
    Name: s.name,
    Status: status,
    State: status,
    JoinedMethod: s.joinedMethod ?? "CREATED",
    JoinedTimestamp: s.joinedAt ?? DEFAULT_CREATED_AT,
  };
}

// ---------------------------------------------------------------------------------------------
// VPC, subnets, route tables

export interface VpcShape {
  account: string;
  id: string;
  cidr: string;
  /** The Name tag; the id when not given. */
  name?: string;
  /** Derived from the VPC id when not given. */
  dhcpOptionsId?: string;
  cidrAssociationId?: string;
  isDefault?: boolean;
  /** Secondary IPv4 CIDR blocks and their association ids. */
  secondaryCidrs?: { cidr: string; associationId: string }[];
}

export function vpcShape(s: VpcShape): Wire<Vpc> {
  return {
    VpcId: s.id,
    CidrBlock: s.cidr,
    State: "available",
    OwnerId: s.account,
    InstanceTenancy: "default",
    IsDefault: s.isDefault ?? false,
    DhcpOptionsId: s.dhcpOptionsId ?? awsId("dopt", s.account, s.id),
    CidrBlockAssociationSet: [
      {
        AssociationId: s.cidrAssociationId ?? awsId("vpc-cidr-assoc", s.account, s.id),
        CidrBlock: s.cidr,
        CidrBlockState: { State: "associated" },
      },
      ...(s.secondaryCidrs ?? []).map((c) => ({
        AssociationId: c.associationId,
        CidrBlock: c.cidr,
        CidrBlockState: { State: "associated" as const },
      })),
    ],
    Tags: tagList({ Name: s.name ?? s.id }),
  };
}

export interface SubnetShape {
  account: string;
  region: string;
  id: string;
  vpcId: string;
  /** Full zone name, e.g. `eu-west-1a`. */
  az: string;
  azId?: string;
  cidr: string;
  available: number;
  /** Becomes the Name tag, listed first. */
  name?: string;
  tags?: Tags;
  /** MapPublicIpOnLaunch. */
  public?: boolean;
}

export function subnetShape(s: SubnetShape): Wire<Subnet> {
  const tags = s.name === undefined ? (s.tags ?? {}) : { Name: s.name, ...s.tags };
  return {
    AvailabilityZone: s.az,
    ...(s.azId === undefined ? {} : { AvailabilityZoneId: s.azId }),
    AvailableIpAddressCount: s.available,
    CidrBlock: s.cidr,
    DefaultForAz: false,
    MapPublicIpOnLaunch: s.public ?? false,
    MapCustomerOwnedIpOnLaunch: false,
    State: "available",
    SubnetId: s.id,
    VpcId: s.vpcId,
    OwnerId: s.account,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Ipv6Native: false,
    EnableDns64: false,
    SubnetArn: arn("ec2", s.region, s.account, `subnet/${s.id}`),
    PrivateDnsNameOptionsOnLaunch: {
      HostnameType: "ip-name",
      EnableResourceNameDnsARecord: false,
      EnableResourceNameDnsAAAARecord: false,
    },
    Tags: tagList(tags),
  };
}

/** A route by destination and target id; the target's kind follows from its prefix, as in the console. */
export interface RouteSpec {
  to: string;
  via: string;
}

/** `0.0.0.0/0 → nat-…` as DescribeRouteTables reports it; a raw `Route` passes through unchanged. */
export function routeShape(route: RouteSpec | Wire<Route>): Wire<Route> {
  if (!("via" in route)) return route;
  const destination = route.to.includes(":")
    ? { DestinationIpv6CidrBlock: route.to }
    : { DestinationCidrBlock: route.to };
  const target: Wire<Route> = route.via.startsWith("nat-")
    ? { NatGatewayId: route.via }
    : route.via.startsWith("pcx-")
      ? { VpcPeeringConnectionId: route.via }
      : route.via.startsWith("tgw-")
        ? { TransitGatewayId: route.via }
        : route.via.startsWith("eigw-")
          ? { EgressOnlyInternetGatewayId: route.via }
          : { GatewayId: route.via };
  return { ...destination, ...target, Origin: "CreateRoute", State: "active" };
}

export interface RouteTableShape {
  account: string;
  id: string;
  vpcId: string;
  /** The local route's destination. */
  vpcCidr: string;
  name?: string;
  /** The VPC's main table, which every subnet without an explicit association uses. */
  main?: boolean;
  /** Subnets associated explicitly. */
  subnetIds?: string[];
  /** Association ids by subnet id (`main` for the main association); derived from the ids when not given. */
  associationIds?: Record<string, string>;
  routes?: (RouteSpec | Wire<Route>)[];
}

export function routeTableShape(s: RouteTableShape): Wire<RouteTable> {
  const associationId = (key: string) => s.associationIds?.[key] ?? awsId("rtbassoc", s.account, s.id, key);
  const associations: Wire<RouteTableAssociation>[] = (s.subnetIds ?? []).map((subnetId) => ({
    Main: false,
    RouteTableAssociationId: associationId(subnetId),
    RouteTableId: s.id,
    SubnetId: subnetId,
    AssociationState: { State: "associated" },
  }));
  if (s.main === true) {
    associations.unshift({
      Main: true,
      RouteTableAssociationId: associationId("main"),
      RouteTableId: s.id,
      AssociationState: { State: "associated" },
    });
  }
  return {
    RouteTableId: s.id,
    VpcId: s.vpcId,
    OwnerId: s.account,
    Associations: associations,
    PropagatingVgws: [],
    Routes: [
      { DestinationCidrBlock: s.vpcCidr, GatewayId: "local", Origin: "CreateRouteTable", State: "active" },
      ...(s.routes ?? []).map(routeShape),
    ],
    Tags: tagList(s.name === undefined ? {} : { Name: s.name }),
  };
}

// ---------------------------------------------------------------------------------------------
// security groups

/** One rule of a security group, its source resolved to a CIDR or a group id. */
export interface PermissionRule {
  protocol: "tcp" | "udp" | "icmp" | "-1";
  /** From and to port; none for all traffic. */
  ports?: [number, number];
  /** IPv4 or IPv6 CIDR. */
  cidr?: string;
  group?: { id: string; vpcId?: string };
  /** Peering connection through which `group`, an SG of another VPC, is referenced. */
  peering?: string;
  description?: string;
}

/** Rules grouped by protocol and port range, the way DescribeSecurityGroups reports them. */
export function ipPermissions(account: string, rules: readonly PermissionRule[]): Wire<IpPermission>[] {
  const byKey = new Map<string, Wire<IpPermission>>();
  for (const rule of rules) {
    const key = `${rule.protocol}:${rule.ports?.join("-") ?? "all"}`;
    let perm = byKey.get(key);
    if (perm === undefined) {
      perm = {
        IpProtocol: rule.protocol,
        ...(rule.ports === undefined ? {} : { FromPort: rule.ports[0], ToPort: rule.ports[1] }),
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      byKey.set(key, perm);
    }
    const description = rule.description === undefined ? {} : { Description: rule.description };
    if (rule.cidr?.includes(":")) perm.Ipv6Ranges?.push({ CidrIpv6: rule.cidr, ...description });
    else if (rule.cidr !== undefined) perm.IpRanges?.push({ CidrIp: rule.cidr, ...description });
    if (rule.group !== undefined) {
      perm.UserIdGroupPairs?.push({
        GroupId: rule.group.id,
        UserId: account,
        ...description,
        ...(rule.peering === undefined
          ? {}
          : { VpcId: rule.group.vpcId, VpcPeeringConnectionId: rule.peering, PeeringStatus: "active" }),
      });
    }
  }
  return [...byKey.values()];
}

export const ALL_TRAFFIC_OUT: PermissionRule[] = [{ protocol: "-1", cidr: "0.0.0.0/0" }];

export interface SecurityGroupShape {
  account: string;
  region: string;
  id: string;
  name: string;
  description: string;
  vpcId: string;
  ingress?: readonly PermissionRule[];
  /** All traffic out unless given. */
  egress?: readonly PermissionRule[];
  tags?: Tags;
}

export function securityGroupShape(s: SecurityGroupShape): Wire<SecurityGroup> {
  return {
    GroupId: s.id,
    GroupName: s.name,
    Description: s.description,
    OwnerId: s.account,
    VpcId: s.vpcId,
    SecurityGroupArn: arn("ec2", s.region, s.account, `security-group/${s.id}`),
    IpPermissions: ipPermissions(s.account, s.ingress ?? []),
    IpPermissionsEgress: ipPermissions(s.account, s.egress ?? ALL_TRAFFIC_OUT),
    Tags: tagList(s.tags ?? {}),
  };
}

// ---------------------------------------------------------------------------------------------
// launch templates

export interface LaunchTemplateVersionSpec {
  /** VersionDescription; `null` for none (a template a controller created). */
  description?: string | null;
  createdAt?: string;
  /** Who created the version (`CreatedBy`); a Terraform deployer role unless given. */
  createdBy?: string;
  /** Plain text; stored base64-encoded as EC2 returns it. */
  userData?: string;
  /** `UserData` stored exactly as given: already base64, or deliberately malformed. */
  encodedUserData?: string;
  /**
   * The whole `LaunchTemplateData` of a template shaped otherwise than the default one (Karpenter's, say);
   * the image, instance type, security groups and user data given beside it are set over it.
   */
  data?: Wire<ResponseLaunchTemplateData>;
  /** Instance-level SGs: EKS then does not add the cluster SG to the nodes. */
  securityGroupIds?: string[];
  /** SGs on the primary network interface: same effect as `securityGroupIds`. */
  interfaceGroupIds?: string[];
  imageId?: string;
  instanceType?: _InstanceType | string;
}

export interface LaunchTemplateVersionShape extends LaunchTemplateVersionSpec {
  account: string;
  id: string;
  name: string;
  version: number;
  isDefault: boolean;
  /** A template an AWS service manages (EKS Auto Mode's). */
  operator?: Wire<OperatorResponse>;
}

export function launchTemplateVersionShape(s: LaunchTemplateVersionShape): Wire<LaunchTemplateVersion> {
  const base: Wire<ResponseLaunchTemplateData> = s.data ?? {
    BlockDeviceMappings: [
      {
        DeviceName: "/dev/xvda",
        Ebs: { VolumeSize: 50, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true },
      },
    ],
    MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2, HttpEndpoint: "enabled" },
    TagSpecifications: [{ ResourceType: "instance", Tags: tagList({ Name: s.name }) }],
  };
  const userData = s.encodedUserData ?? (s.userData === undefined ? undefined : base64(s.userData));
  return {
    LaunchTemplateId: s.id,
    LaunchTemplateName: s.name,
    VersionNumber: s.version,
    ...(s.description === null ? {} : { VersionDescription: s.description ?? "managed by terraform" }),
    CreateTime: s.createdAt ?? DEFAULT_CREATED_AT,
    CreatedBy: s.createdBy ?? `arn:aws:sts::${s.account}:assumed-role/platform-deployer/terraform`,
    DefaultVersion: s.isDefault,
    LaunchTemplateData: {
      ...(s.imageId === undefined ? {} : { ImageId: s.imageId }),
      ...(s.instanceType === undefined ? {} : { InstanceType: s.instanceType as _InstanceType }),
      ...(s.securityGroupIds === undefined ? {} : { SecurityGroupIds: s.securityGroupIds }),
      ...(s.interfaceGroupIds === undefined
        ? {}
        : {
            NetworkInterfaces: [{ DeviceIndex: 0, Groups: s.interfaceGroupIds, DeleteOnTermination: true }],
          }),
      ...(userData === undefined ? {} : { UserData: userData }),
      ...base,
    },
    ...(s.operator === undefined ? {} : { Operator: s.operator }),
  };
}

// ---------------------------------------------------------------------------------------------
// network interfaces

export interface NetworkInterfaceShape {
  account: string;
  region: string;
  id: string;
  subnetId: string;
  vpcId: string;
  az: string;
  description: string;
  /** IPv4 addresses, the primary first. */
  addresses: string[];
  /** Delegated /28 prefixes. */
  prefixes?: string[];
  groups: { id: string; name: string }[];
  macAddress: string;
  type?: "interface" | "trunk" | "branch" | "vpc_endpoint" | "lambda";
  status?: "in-use" | "available";
  requesterId?: string;
  /** Created by an AWS service on your behalf (`RequesterManaged`). */
  requesterManaged?: boolean;
  attachment?: {
    id: string;
    /** None when the ENI is attached to something outside the account (a Fargate pod's host). */
    instanceId?: string;
    /** The attaching account; this account unless given. */
    instanceOwnerId?: string;
    deviceIndex: number;
    attachedAt: string;
    deleteOnTermination?: boolean;
  };
  operator?: Wire<OperatorResponse>;
  tags?: Tags;
}

/** `ip-10-0-1-7.eu-west-1.compute.internal`; us-east-1 keeps its historical `ec2.internal`. */
export function privateDnsName(region: string, ip: string): string {
  const suffix = region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
  return `ip-${ip.replaceAll(".", "-")}.${suffix}`;
}

export function networkInterfaceShape(s: NetworkInterfaceShape): Wire<NetworkInterface> {
  const primary = s.addresses[0];
  if (primary === undefined) throw new Error(`ENI ${s.id} has no address`);
  return {
    NetworkInterfaceId: s.id,
    SubnetId: s.subnetId,
    VpcId: s.vpcId,
    AvailabilityZone: s.az,
    Description: s.description,
    InterfaceType: s.type ?? "interface",
    Status: s.status ?? "in-use",
    OwnerId: s.account,
    ...(s.requesterId === undefined ? {} : { RequesterId: s.requesterId }),
    RequesterManaged: s.requesterManaged ?? false,
    SourceDestCheck: true,
    MacAddress: s.macAddress,
    PrivateIpAddress: primary,
    PrivateDnsName: privateDnsName(s.region, primary),
    PrivateIpAddresses: s.addresses.map((ip, i) => ({
      Primary: i === 0,
      PrivateIpAddress: ip,
      PrivateDnsName: privateDnsName(s.region, ip),
    })),
    Ipv4Prefixes: (s.prefixes ?? []).map((p) => ({ Ipv4Prefix: p })),
    Ipv6Addresses: [],
    Groups: s.groups.map((g) => ({ GroupId: g.id, GroupName: g.name })),
    ...(s.attachment === undefined
      ? {}
      : {
          Attachment: {
            AttachmentId: s.attachment.id,
            AttachTime: s.attachment.attachedAt,
            DeleteOnTermination: s.attachment.deleteOnTermination ?? true,
            DeviceIndex: s.attachment.deviceIndex,
            NetworkCardIndex: 0,
            ...(s.attachment.instanceId === undefined ? {} : { InstanceId: s.attachment.instanceId }),
            InstanceOwnerId: s.attachment.instanceOwnerId ?? s.account,
            Status: "attached",
          },
        }),
    TagSet: tagList(s.tags ?? {}),
    ...(s.operator === undefined ? {} : { Operator: s.operator }),
  };
}

// ---------------------------------------------------------------------------------------------
// EKS

export interface ClusterShape {
  account: string;
  region: string;
  name: string;
  version: string;
  vpcId: string;
  /** Control-plane subnets; none unless given. */
  subnetIds?: string[];
  clusterSecurityGroupId?: string;
  securityGroupIds?: string[];
  /** Hex ids of the API endpoint and OIDC issuer (32 upper-case hex digits); derived from the name if not given. */
  endpointId?: string;
  oidcId?: string;
  createdAt?: string;
  status?: ClusterStatus;
  endpointPublicAccess?: boolean;
  tags?: Tags;
  /**
   * EKS Auto Mode: the compute, block storage and load balancing capabilities on (DescribeCluster
   * `computeConfig`, `storageConfig.blockStorage`, `kubernetesNetworkConfig.elasticLoadBalancing`).
   */
  autoMode?: { nodePools: string[]; nodeRoleArn: string };
}

/** The API server endpoint EKS gives a cluster, from a hex id derived from its name unless given. */
export function clusterEndpoint(s: {
  account: string;
  region: string;
  name: string;
  endpointId?: string;
}): string {
  const endpointId =
    s.endpointId ?? digest("endpoint", s.account, s.region, s.name).slice(0, 32).toUpperCase();
  return `https://${endpointId}.gr7.${s.region}.eks.amazonaws.com`;
}

/** The service CIDR every built cluster uses (DescribeCluster `kubernetesNetworkConfig.serviceIpv4Cidr`). */
export const SERVICE_IPV4_CIDR = "172.20.0.0/16";

export function clusterShape(s: ClusterShape): Wire<Cluster> {
  const hexId = (kind: string) => digest(kind, s.account, s.region, s.name).slice(0, 32).toUpperCase();
  const oidcId = s.oidcId ?? hexId("oidc");
  return {
    name: s.name,
    arn: arn("eks", s.region, s.account, `cluster/${s.name}`),
    createdAt: s.createdAt ?? DEFAULT_CREATED_AT,
    version: s.version,
    endpoint: clusterEndpoint(s),
    roleArn: `arn:aws:iam::${s.account}:role/${s.name}-cluster`,
    resourcesVpcConfig: {
      subnetIds: s.subnetIds ?? [],
      securityGroupIds: s.securityGroupIds ?? [],
      ...(s.clusterSecurityGroupId === undefined ? {} : { clusterSecurityGroupId: s.clusterSecurityGroupId }),
      vpcId: s.vpcId,
      endpointPublicAccess: s.endpointPublicAccess ?? false,
      endpointPrivateAccess: true,
      publicAccessCidrs: [],
    },
    kubernetesNetworkConfig: {
      serviceIpv4Cidr: SERVICE_IPV4_CIDR,
      ipFamily: "ipv4",
      ...(s.autoMode === undefined ? {} : { elasticLoadBalancing: { enabled: true } }),
    },
    logging: {
      clusterLogging: [
        { types: ["api", "audit", "authenticator"], enabled: true },
        { types: ["controllerManager", "scheduler"], enabled: false },
      ],
    },
    identity: { oidc: { issuer: `https://oidc.eks.${s.region}.amazonaws.com/id/${oidcId}` } },
    status: s.status ?? "ACTIVE",
    platformVersion: "eks.9",
    tags: s.tags ?? {},
    accessConfig: { authenticationMode: s.autoMode === undefined ? "API_AND_CONFIG_MAP" : "API" },
    upgradePolicy: { supportType: "STANDARD" },
    ...(s.autoMode === undefined
      ? {}
      : {
          computeConfig: {
            enabled: true,
            nodePools: s.autoMode.nodePools,
            nodeRoleArn: s.autoMode.nodeRoleArn,
          },
          storageConfig: { blockStorage: { enabled: true } },
        }),
  };
}

export interface AddonShape {
  account: string;
  region: string;
  cluster: string;
  name: string;
  version: string;
  /** Add-on id in its ARN. */
  uuid: string;
  createdAt?: string;
  serviceAccountRoleArn?: string;
  configurationValues?: string;
}

export function addonShape(s: AddonShape): Wire<Addon> {
  return {
    addonName: s.name,
    clusterName: s.cluster,
    status: "ACTIVE",
    addonVersion: s.version,
    health: { issues: [] },
    addonArn: arn("eks", s.region, s.account, `addon/${s.cluster}/${s.name}/${s.uuid}`),
    createdAt: s.createdAt ?? DEFAULT_CREATED_AT,
    modifiedAt: "2025-05-20T10:02:44.000Z",
    tags: {},
    ...(s.serviceAccountRoleArn === undefined ? {} : { serviceAccountRoleArn: s.serviceAccountRoleArn }),
    ...(s.configurationValues === undefined ? {} : { configurationValues: s.configurationValues }),
  };
}

export interface NodegroupShape {
  account: string;
  region: string;
  cluster: string;
  name: string;
  /** Node group id in its ARN and its Auto Scaling group's name; derived from the names when not given. */
  uuid?: string;
  version: string;
  releaseVersion?: string;
  /** AL2023 unless given. */
  amiType?: AMITypes;
  /** Omitted when the launch template names the instance type, as EKS reports it. */
  instanceTypes?: string[];
  subnetIds: string[];
  /** 1 ≤ 2 ≤ 3 unless given. */
  scaling?: { min: number; max: number; desired: number };
  capacityType?: CapacityTypes;
  launchTemplate?: { id: string; name: string; version: string };
  remoteAccess?: { sshKey: string; securityGroupId: string };
  createdAt?: string;
  status?: NodegroupStatus;
  issues?: Wire<Issue>[];
  labels?: Tags;
}

export function nodegroupShape(s: NodegroupShape): Wire<Nodegroup> {
  const id = s.uuid ?? uuid(s.account, s.cluster, s.name);
  const scaling = s.scaling ?? { min: 1, max: 3, desired: 2 };
  return {
    nodegroupName: s.name,
    nodegroupArn: arn("eks", s.region, s.account, `nodegroup/${s.cluster}/${s.name}/${id}`),
    clusterName: s.cluster,
    version: s.version,
    ...(s.releaseVersion === undefined ? {} : { releaseVersion: s.releaseVersion }),
    createdAt: s.createdAt ?? DEFAULT_CREATED_AT,
    modifiedAt: "2025-06-02T08:10:31.000Z",
    status: s.status ?? "ACTIVE",
    capacityType: s.capacityType ?? "ON_DEMAND",
    scalingConfig: { minSize: scaling.min, maxSize: scaling.max, desiredSize: scaling.desired },
    ...(s.instanceTypes === undefined ? {} : { instanceTypes: s.instanceTypes }),
    subnets: s.subnetIds,
    ...(s.remoteAccess === undefined ? {} : { remoteAccess: { ec2SshKey: s.remoteAccess.sshKey } }),
    amiType: s.amiType ?? "AL2023_x86_64_STANDARD",
    nodeRole: `arn:aws:iam::${s.account}:role/${s.cluster}-node`,
    labels: s.labels ?? {},
    resources: {
      autoScalingGroups: [{ name: `eks-${s.name}-${id}` }],
      ...(s.remoteAccess === undefined ? {} : { remoteAccessSecurityGroup: s.remoteAccess.securityGroupId }),
    },
    ...(s.launchTemplate === undefined ? { diskSize: 20 } : {}),
    health: { issues: s.issues ?? [] },
    updateConfig: { maxUnavailable: 1 },
    ...(s.launchTemplate === undefined ? {} : { launchTemplate: s.launchTemplate }),
    tags: {},
  };
}

/** A cluster entry of an estate region. */
export function estateCluster(
  cluster: Wire<Cluster>,
  nodegroups: Wire<Nodegroup>[] = [],
  addons: Wire<Addon>[] = [],
): EstateCluster {
  return { cluster, nodegroups, addons };
}
