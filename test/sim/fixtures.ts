import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { Estate, EstateRegion } from "#shared/estate/index.ts";

export const MANAGEMENT = "111122223333";
export const MEMBER = "222233334444";
export const DENIED = "333344445555";
export const REGION = "eu-west-1";

/** Access key the simulator maps to the management account. */
export const MANAGEMENT_KEY = "AKIA111122223333TEST";

export interface ClientOptions {
  region?: string;
  accessKeyId?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts with no backoff (default 1): most tests are not about retries. */
  maxAttempts?: number;
  /** Use the SDK's standard retry strategy, unchanged, with this many attempts. */
  standardRetries?: number;
}

function config(url: string, opts: ClientOptions) {
  const base = {
    region: opts.region ?? REGION,
    endpoint: url,
    credentials: opts.credentials ?? {
      accessKeyId: opts.accessKeyId ?? MANAGEMENT_KEY,
      secretAccessKey: "x",
    },
  };
  if (opts.standardRetries !== undefined) return { ...base, maxAttempts: opts.standardRetries };
  return { ...base, retryStrategy: new ConfiguredRetryStrategy(opts.maxAttempts ?? 1, 0) };
}

export const ec2Client = (url: string, opts: ClientOptions = {}) => new EC2Client(config(url, opts));
export const eksClient = (url: string, opts: ClientOptions = {}) => new EKSClient(config(url, opts));
export const stsClient = (url: string, opts: ClientOptions = {}) => new STSClient(config(url, opts));
export const snsClient = (url: string, opts: ClientOptions = {}) => new SNSClient(config(url, opts));
export const orgsClient = (url: string, opts: ClientOptions = {}) =>
  new OrganizationsClient(config(url, { region: "us-east-1", ...opts }));

/** SDK output with Dates as ISO strings and `$metadata` dropped, comparable with estate JSON. */
export function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === "$metadata" ? undefined : v)));
}

function subnets(vpcId: string, prefix: string, count: number): EstateRegion["ec2"]["Subnets"] {
  return Array.from({ length: count }, (_, i) => ({
    SubnetId: `subnet-${prefix}${String(i).padStart(4, "0")}`,
    VpcId: vpcId,
    CidrBlock: `10.${i}.0.0/24`,
    AvailabilityZone: `${REGION}${"abc"[i % 3]}`,
    AvailabilityZoneId: `euw1-az${(i % 3) + 1}`,
    AvailableIpAddressCount: 200 - i,
    DefaultForAz: false,
    MapPublicIpOnLaunch: i % 2 === 0,
    State: "available",
    OwnerId: MANAGEMENT,
    SubnetArn: `arn:aws:ec2:${REGION}:${MANAGEMENT}:subnet/subnet-${prefix}${String(i).padStart(4, "0")}`,
    Ipv6CidrBlockAssociationSet: [],
    Tags: [
      { Key: "Name", Value: `${i % 2 === 0 ? "public" : "private"}-${i}` },
      { Key: i % 2 === 0 ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb", Value: "1" },
      ...(i < 3 ? [{ Key: "kubernetes.io/cluster/prod", Value: "shared" }] : []),
    ],
  }));
}

/** A small but complete region: every EC2 and EKS shape the auditor reads. */
export function fullRegion(): EstateRegion {
  return {
    ec2: {
      Vpcs: [
        {
          VpcId: "vpc-0a1",
          CidrBlock: "10.0.0.0/16",
          State: "available",
          OwnerId: MANAGEMENT,
          IsDefault: false,
          DhcpOptionsId: "dopt-1",
          InstanceTenancy: "default",
          CidrBlockAssociationSet: [
            {
              AssociationId: "vpc-cidr-assoc-1",
              CidrBlock: "10.0.0.0/16",
              CidrBlockState: { State: "associated" },
            },
          ],
          Tags: [{ Key: "Name", Value: "prod" }],
        },
        { VpcId: "vpc-0b2", CidrBlock: "172.31.0.0/16", IsDefault: true, State: "available", Tags: [] },
      ],
      Subnets: subnets("vpc-0a1", "0a", 12),
      RouteTables: [
        {
          RouteTableId: "rtb-main",
          VpcId: "vpc-0a1",
          OwnerId: MANAGEMENT,
          Associations: [
            {
              Main: true,
              RouteTableAssociationId: "rtbassoc-main",
              RouteTableId: "rtb-main",
              AssociationState: { State: "associated" },
            },
          ],
          Routes: [
            {
              DestinationCidrBlock: "10.0.0.0/16",
              GatewayId: "local",
              Origin: "CreateRouteTable",
              State: "active",
            },
          ],
          PropagatingVgws: [],
          Tags: [],
        },
        {
          RouteTableId: "rtb-public",
          VpcId: "vpc-0a1",
          Associations: [
            {
              Main: false,
              RouteTableAssociationId: "rtbassoc-1",
              RouteTableId: "rtb-public",
              SubnetId: "subnet-0a0000",
            },
            {
              Main: false,
              RouteTableAssociationId: "rtbassoc-2",
              RouteTableId: "rtb-public",
              SubnetId: "subnet-0a0002",
            },
          ],
          Routes: [
            {
              DestinationCidrBlock: "10.0.0.0/16",
              GatewayId: "local",
              Origin: "CreateRouteTable",
              State: "active",
            },
            { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1", Origin: "CreateRoute", State: "active" },
            {
              DestinationIpv6CidrBlock: "::/0",
              EgressOnlyInternetGatewayId: "eigw-1",
              Origin: "CreateRoute",
            },
          ],
          Tags: [{ Key: "Name", Value: "public" }],
        },
        {
          RouteTableId: "rtb-private",
          VpcId: "vpc-0a1",
          Associations: [
            {
              Main: false,
              RouteTableAssociationId: "rtbassoc-3",
              RouteTableId: "rtb-private",
              SubnetId: "subnet-0a0001",
            },
          ],
          Routes: [
            {
              DestinationCidrBlock: "0.0.0.0/0",
              NatGatewayId: "nat-1",
              Origin: "CreateRoute",
              State: "active",
            },
          ],
          Tags: [],
        },
      ],
      SecurityGroups: [
        {
          GroupId: "sg-cluster",
          GroupName: "eks-cluster-sg-prod",
          Description: "EKS created security group applied to ENI",
          VpcId: "vpc-0a1",
          OwnerId: MANAGEMENT,
          IpPermissions: [
            {
              IpProtocol: "-1",
              UserIdGroupPairs: [{ GroupId: "sg-cluster", UserId: MANAGEMENT }],
              IpRanges: [],
              Ipv6Ranges: [],
              PrefixListIds: [],
            },
          ],
          IpPermissionsEgress: [
            {
              IpProtocol: "-1",
              IpRanges: [{ CidrIp: "0.0.0.0/0" }],
              Ipv6Ranges: [{ CidrIpv6: "::/0", Description: "all v6" }],
            },
          ],
          Tags: [{ Key: "aws:eks:cluster-name", Value: "prod" }],
        },
        {
          GroupId: "sg-nodes",
          GroupName: "prod-nodes",
          Description: "node group",
          VpcId: "vpc-0a1",
          IpPermissions: [
            {
              IpProtocol: "tcp",
              FromPort: 22,
              ToPort: 22,
              IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "ssh from anywhere" }],
            },
          ],
          IpPermissionsEgress: [],
          Tags: [],
        },
        {
          GroupId: "sg-rds",
          GroupName: "prod-rds",
          Description: "database",
          VpcId: "vpc-0a1",
          IpPermissions: [
            {
              IpProtocol: "tcp",
              FromPort: 5432,
              ToPort: 5432,
              UserIdGroupPairs: [{ GroupId: "sg-nodes", UserId: MANAGEMENT, Description: "nodes" }],
            },
          ],
          Tags: [{ Key: "team", Value: "data" }],
        },
      ],
      InstanceTypes: [
        {
          InstanceType: "m5.large",
          CurrentGeneration: true,
          Hypervisor: "nitro",
          BareMetal: false,
          ProcessorInfo: { SupportedArchitectures: ["x86_64"] },
          VCpuInfo: { DefaultVCpus: 2 },
          MemoryInfo: { SizeInMiB: 8192 },
          NetworkInfo: {
            MaximumNetworkInterfaces: 3,
            Ipv4AddressesPerInterface: 10,
            Ipv6AddressesPerInterface: 10,
            Ipv6Supported: true,
            MaximumNetworkCards: 1,
            DefaultNetworkCardIndex: 0,
            NetworkCards: [{ NetworkCardIndex: 0, MaximumNetworkInterfaces: 3 }],
          },
        },
      ],
      LaunchTemplateVersions: [
        {
          LaunchTemplateId: "lt-0001",
          LaunchTemplateName: "prod-nodes",
          VersionNumber: 1,
          DefaultVersion: true,
          CreateTime: "2025-01-02T03:04:05.000Z",
          CreatedBy: `arn:aws:iam::${MANAGEMENT}:user/admin`,
          LaunchTemplateData: {
            InstanceType: "m5.large",
            ImageId: "ami-123",
            UserData: Buffer.from("#!/bin/bash\n/etc/eks/bootstrap.sh prod\n").toString("base64"),
            SecurityGroupIds: ["sg-nodes"],
            MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2 },
          },
        },
        {
          LaunchTemplateId: "lt-0001",
          LaunchTemplateName: "prod-nodes",
          VersionNumber: 2,
          DefaultVersion: false,
          CreateTime: "2025-02-02T03:04:05.000Z",
          LaunchTemplateData: {
            InstanceType: "m5.xlarge",
            UserData: Buffer.from(
              "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n--==X==--",
            ).toString("base64"),
            NetworkInterfaces: [
              { DeviceIndex: 0, Groups: ["sg-nodes", "sg-cluster"], AssociatePublicIpAddress: false },
            ],
            TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "platform" }] }],
          },
        },
        {
          LaunchTemplateId: "lt-0002",
          LaunchTemplateName: "batch",
          VersionNumber: 1,
          DefaultVersion: true,
          LaunchTemplateData: { InstanceType: "c6in.32xlarge" },
        },
      ],
      NetworkInterfaces: [
        {
          NetworkInterfaceId: "eni-0001",
          SubnetId: "subnet-0a0001",
          VpcId: "vpc-0a1",
          AvailabilityZone: `${REGION}b`,
          Description: "aws-K8S-i-0123",
          InterfaceType: "interface",
          Status: "in-use",
          PrivateIpAddress: "10.1.0.10",
          PrivateIpAddresses: [
            { PrivateIpAddress: "10.1.0.10", Primary: true },
            { PrivateIpAddress: "10.1.0.11", Primary: false },
          ],
          Groups: [
            { GroupId: "sg-nodes", GroupName: "prod-nodes" },
            { GroupId: "sg-cluster", GroupName: "eks-cluster-sg-prod" },
          ],
          Attachment: {
            AttachmentId: "eni-attach-1",
            InstanceId: "i-0123",
            DeviceIndex: 1,
            Status: "attached",
            AttachTime: "2025-03-01T00:00:00.000Z",
            DeleteOnTermination: true,
          },
          RequesterManaged: false,
          SourceDestCheck: true,
          TagSet: [{ Key: "node.k8s.amazonaws.com/instance_id", Value: "i-0123" }],
        },
        {
          NetworkInterfaceId: "eni-0002",
          SubnetId: "subnet-0a0003",
          VpcId: "vpc-0a1",
          Description: "Amazon EKS prod",
          InterfaceType: "interface",
          Status: "available",
          Groups: [{ GroupId: "sg-cluster", GroupName: "eks-cluster-sg-prod" }],
        },
      ],
    },
    eks: {
      clusters: [
        {
          cluster: {
            name: "prod",
            arn: `arn:aws:eks:${REGION}:${MANAGEMENT}:cluster/prod`,
            createdAt: "2024-06-01T12:00:00.000Z",
            version: "1.31",
            status: "ACTIVE",
            roleArn: `arn:aws:iam::${MANAGEMENT}:role/eks`,
            resourcesVpcConfig: {
              vpcId: "vpc-0a1",
              subnetIds: ["subnet-0a0000", "subnet-0a0001", "subnet-0a0002"],
              securityGroupIds: ["sg-nodes"],
              clusterSecurityGroupId: "sg-cluster",
              endpointPublicAccess: true,
              endpointPrivateAccess: false,
              publicAccessCidrs: ["0.0.0.0/0"],
            },
            kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
            accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
            tags: { team: "platform" },
          },
          nodegroups: [
            {
              nodegroupName: "general",
              clusterName: "prod",
              status: "DEGRADED",
              createdAt: "2024-06-02T00:00:00.000Z",
              modifiedAt: "2024-07-02T00:00:00.000Z",
              subnets: ["subnet-0a0001", "subnet-0a0003"],
              instanceTypes: ["m5.large"],
              amiType: "AL2023_x86_64_STANDARD",
              capacityType: "ON_DEMAND",
              scalingConfig: { minSize: 1, maxSize: 5, desiredSize: 3 },
              remoteAccess: { ec2SshKey: "ops", sourceSecurityGroups: [] },
              resources: {
                autoScalingGroups: [{ name: "eks-general-1234" }],
                remoteAccessSecurityGroup: "sg-remote",
              },
              health: {
                issues: [
                  {
                    code: "Ec2SubnetInvalidConfiguration",
                    message: "One or more Amazon EC2 Subnets have no free IP addresses",
                    resourceIds: ["subnet-0a0001"],
                  },
                ],
              },
              labels: { role: "general" },
              taints: [{ key: "dedicated", value: "general", effect: "NO_SCHEDULE" }],
              tags: { team: "platform" },
            },
            {
              nodegroupName: "batch",
              clusterName: "prod",
              status: "ACTIVE",
              subnets: ["subnet-0a0003"],
              launchTemplate: { id: "lt-0001", name: "prod-nodes", version: "2" },
              scalingConfig: { minSize: 0, maxSize: 10, desiredSize: 0 },
              health: { issues: [] },
            },
          ],
          addons: [
            {
              addonName: "vpc-cni",
              clusterName: "prod",
              addonVersion: "v1.19.0-eksbuild.1",
              status: "ACTIVE",
              createdAt: "2024-06-01T12:30:00.000Z",
              configurationValues: JSON.stringify({
                env: { WARM_IP_TARGET: "5", ENABLE_PREFIX_DELEGATION: "true" },
              }),
              health: { issues: [] },
            },
            {
              addonName: "coredns",
              clusterName: "prod",
              addonVersion: "v1.11.3-eksbuild.2",
              status: "ACTIVE",
            },
          ],
        },
        {
          cluster: {
            name: "staging",
            resourcesVpcConfig: { vpcId: "vpc-0a1", subnetIds: ["subnet-0a0004"] },
          },
          nodegroups: [],
          addons: [],
        },
      ],
    },
  };
}

function emptyRegion(): EstateRegion {
  return {
    ec2: {
      Vpcs: [],
      Subnets: [],
      RouteTables: [],
      SecurityGroups: [],
      InstanceTypes: [],
      LaunchTemplateVersions: [],
      NetworkInterfaces: [],
    },
    eks: { clusters: [] },
  };
}

/** Three accounts: the management account with a full region, a member, and one whose role is denied. */
export function sampleEstate(): Estate {
  const member = emptyRegion();
  member.ec2.Vpcs = [{ VpcId: "vpc-member", CidrBlock: "10.9.0.0/16" }];
  member.ec2.Subnets = [
    {
      SubnetId: "subnet-member1",
      VpcId: "vpc-member",
      CidrBlock: "10.9.1.0/24",
      AvailabilityZone: `${REGION}a`,
      AvailableIpAddressCount: 3,
      Tags: [{ Key: "Name", Value: "member" }],
    },
  ];
  member.eks.clusters = Array.from({ length: 7 }, (_, i) => ({
    cluster: {
      name: `member-${i}`,
      resourcesVpcConfig: { vpcId: "vpc-member", subnetIds: ["subnet-member1"] },
    },
    nodegroups: [],
    addons: [],
  }));
  return {
    version: 1,
    organization: {
      managementAccountId: MANAGEMENT,
      accounts: [
        {
          Id: MANAGEMENT,
          Arn: `arn:aws:organizations::${MANAGEMENT}:account/o-1/${MANAGEMENT}`,
          Name: "management",
          Email: "root@example.com",
          Status: "ACTIVE",
          JoinedMethod: "CREATED",
          JoinedTimestamp: "2020-01-01T00:00:00.000Z",
        },
        { Id: MEMBER, Name: "member", Status: "ACTIVE", JoinedTimestamp: "2021-05-06T07:08:09.000Z" },
        { Id: DENIED, Name: "locked", Status: "ACTIVE" },
        ...Array.from({ length: 4 }, (_, i) => ({
          Id: `44445555666${i}`,
          Name: `extra-${i}`,
          Status: "SUSPENDED" as const,
        })),
      ],
    },
    accounts: {
      [MANAGEMENT]: { regions: { [REGION]: fullRegion(), "us-east-1": emptyRegion() } },
      [MEMBER]: { regions: { [REGION]: member, "ap-south-1": emptyRegion() } },
      [DENIED]: { regions: { [REGION]: emptyRegion() } },
    },
    faults: {
      assumeRoleDenied: [DENIED],
      regionsNotEnabled: { [MEMBER]: ["ap-south-1", "me-south-1"] },
    },
  };
}
