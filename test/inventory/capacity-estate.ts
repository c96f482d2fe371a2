/**
 * An estate with node capacity of every kind (format v2), for the simulator, collector, assembly and snapshot
 * tests. The VPC, subnets, SGs, clusters, managed node group and every ENI come from the estate builder
 * (so subnet free counts follow from the ENIs); the v2 records the builder does not make yet (instances,
 * Karpenter's launch templates, Auto Scaling groups, Fargate profiles, CIDR reservations) are written here
 * in their SDK output shapes from those built ENIs.
 *
 * Account 111122223333, eu-west-1, VPC `prod` 10.20.0.0/16:
 * - cluster `prod` (vpc-cni without prefix delegation):
 *   - managed node group `general` (m5.large), one node in nodes-a;
 *   - Karpenter NodePool `default`: node k1 in nodes-a with an ipamd ENI in pods-a (custom networking) and a
 *     trunk ENI with one branch ENI, node k2 in nodes-b; one launch template (AL2023 NodeConfig user data);
 *     subnets nodes-a, nodes-b and spare-c are tagged `karpenter.sh/discovery=prod`;
 *   - self-managed Auto Scaling group `prod-legacy` (c5.large, template SG `prod-nodes` only: no cluster
 *     SG), one node in nodes-b; EKS's own ASG for `general` is tagged too and must not count;
 *   - Fargate profile `fp-batch` on fargate-a with two running pods;
 * - cluster `auto` (EKS Auto Mode, no vpc-cni add-on): pool `general-purpose` with one managed instance
 *   hidden by default (its primary ENI holds a /28 prefix), pool `system` without nodes; subnet auto-a has
 *   a prefix and an explicit CIDR reservation.
 */
import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type {
  Instance,
  InstanceNetworkInterface,
  LaunchTemplate,
  NetworkInterface,
} from "@aws-sdk/client-ec2";
import type { FargateProfile } from "@aws-sdk/client-eks";
import type { Estate, EstateRegion, Wire } from "#shared/estate/index.ts";
import {
  al2Bootstrap,
  al2023NodeConfig,
  clusterTag,
  EstateBuilder,
  MIME_BOUNDARY,
  type RegionBuilder,
  type SecurityGroupRef,
  type SubnetRef,
} from "#sim/builder/index.ts";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";
export const SCOPE = { accountId: ACCOUNT, region: REGION };
const LAUNCHED_AT = "2025-06-02T08:14:09.000Z";
const CREATED_AT = "2025-05-20T10:00:00.000Z";

/** Secrets planted in the Karpenter and self-managed user data: no inventory, log or snapshot may hold them. */
export const PLANTED_SECRETS = ["capacity-FAKE-karpenter-token-7Qx2", "capacity-FAKE-legacy-password-9Wz4"];

/**
 * What Karpenter writes for an AL2023 EC2NodeClass whose `userData` holds a script: the user's part, then its
 * own NodeConfig (karpenter-provider-aws pkg/providers/amifamily/bootstrap/nodeadm.go `Script`).
 */
function karpenterUserData(): string {
  const nodeConfig = al2023NodeConfig({ maxPods: 58, evictionHard: { "memory.available": "5%" } });
  const part = nodeConfig.slice(nodeConfig.indexOf(`--${MIME_BOUNDARY}\n`));
  const script = `--${MIME_BOUNDARY}\nContent-Type: text/x-shellscript\n\n#!/bin/bash\nexport API_TOKEN=${PLANTED_SECRETS[0]}\n`;
  return nodeConfig.slice(0, nodeConfig.indexOf(`--${MIME_BOUNDARY}\n`)) + script + part;
}

export interface CapacityEstateOptions {
  /** More Karpenter nodes of NodePool `default`, alternating nodes-a and nodes-b: one address each. */
  extraKarpenterNodes?: number;
}

interface NodeSpec {
  key: string;
  subnet: SubnetRef;
  type: string;
  groups: SecurityGroupRef[];
  tags: Record<string, string>;
  /** Addresses per ENI: the primary first, then ipamd's (`subnet` given: custom networking). */
  enis: { addresses: number; subnet?: SubnetRef; prefixes?: string[] }[];
  trunk?: boolean;
  launchTemplate?: { id: string; version: number };
  operator?: Wire<Instance>["Operator"];
}

interface PendingNode {
  id: string;
  spec: NodeSpec;
  eniIds: string[];
}

/** Records written from the built ENIs once the builder has placed them. */
interface Pending {
  nodes: PendingNode[];
  /** ENI ids that belong to a managed instance: hidden by default like their instance. */
  hiddenEnis: Set<string>;
}

function launchNode(r: RegionBuilder, cluster: string, spec: NodeSpec, pending: Pending): PendingNode {
  const id = r.id("i", cluster, spec.key);
  const eniIds: string[] = [];
  let device = 0;
  spec.enis.forEach((eni, i) => {
    eniIds.push(
      r.networkInterface({
        key: `${id}/${i}`,
        subnet: eni.subnet ?? spec.subnet,
        description: i === 0 ? "" : `aws-K8S-${id}`,
        groups: spec.groups,
        addresses: eni.addresses,
        ...(eni.prefixes !== undefined ? { prefixes: eni.prefixes } : {}),
        attachment: { instanceId: id, deviceIndex: device++, attachedAt: LAUNCHED_AT },
        tags:
          i === 0
            ? {}
            : { "node.k8s.amazonaws.com/instance_id": id, "cluster.k8s.amazonaws.com/name": cluster },
        ...(spec.operator !== undefined ? { with: { Operator: spec.operator } } : {}),
      }),
    );
    if (i === 0 && spec.trunk === true) {
      eniIds.push(
        r.networkInterface({
          key: `${id}/trunk`,
          subnet: spec.subnet,
          description: "aws-k8s-trunk-eni",
          groups: spec.groups,
          addresses: 1,
          type: "trunk",
          attachment: { instanceId: id, deviceIndex: device++, attachedAt: LAUNCHED_AT },
          tags: {
            "eks:eni:owner": "eks-vpc-resource-controller",
            "vpcresources.k8s.aws/cluster-name": cluster,
          },
        }),
      );
    }
  });
  if (spec.operator?.HiddenByDefault === true) for (const eni of eniIds) pending.hiddenEnis.add(eni);
  const node = { id, spec, eniIds };
  pending.nodes.push(node);
  return node;
}

/** An ENI as DescribeInstances nests it in `Instance.NetworkInterfaces`. */
function instanceEni(eni: Wire<NetworkInterface>): Wire<InstanceNetworkInterface> {
  const a = eni.Attachment;
  return {
    Attachment: {
      AttachTime: a?.AttachTime,
      AttachmentId: a?.AttachmentId,
      DeleteOnTermination: a?.DeleteOnTermination,
      DeviceIndex: a?.DeviceIndex,
      NetworkCardIndex: a?.NetworkCardIndex,
      Status: a?.Status,
    },
    Description: eni.Description,
    Groups: eni.Groups,
    Ipv6Addresses: [],
    MacAddress: eni.MacAddress,
    NetworkInterfaceId: eni.NetworkInterfaceId,
    OwnerId: eni.OwnerId,
    PrivateDnsName: eni.PrivateDnsName,
    PrivateIpAddress: eni.PrivateIpAddress,
    PrivateIpAddresses: eni.PrivateIpAddresses,
    ...((eni.Ipv4Prefixes ?? []).length > 0 ? { Ipv4Prefixes: eni.Ipv4Prefixes } : {}),
    SourceDestCheck: eni.SourceDestCheck,
    Status: eni.Status,
    SubnetId: eni.SubnetId,
    VpcId: eni.VpcId,
    InterfaceType: eni.InterfaceType,
  };
}

function instanceOf(node: PendingNode, enis: Map<string, Wire<NetworkInterface>>): Wire<Instance> {
  const { spec } = node;
  const nested = node.eniIds.map((id) => {
    const eni = enis.get(id);
    if (eni === undefined) throw new Error(`no ENI ${id}`);
    return instanceEni(eni);
  });
  const primary = nested[0];
  const tags = {
    ...spec.tags,
    ...(spec.launchTemplate === undefined
      ? {}
      : {
          "aws:ec2launchtemplate:id": spec.launchTemplate.id,
          "aws:ec2launchtemplate:version": String(spec.launchTemplate.version),
        }),
  };
  return {
    AmiLaunchIndex: 0,
    ImageId: "ami-0e2bd5b1ab3d7c1f4",
    InstanceId: node.id,
    InstanceType: spec.type as Wire<Instance>["InstanceType"],
    LaunchTime: LAUNCHED_AT,
    Monitoring: { State: "disabled" },
    Placement: { AvailabilityZone: spec.subnet.az, GroupName: "", Tenancy: "default" },
    PrivateDnsName: primary?.PrivateDnsName,
    PrivateIpAddress: primary?.PrivateIpAddress,
    State: { Code: 16, Name: "running" },
    SubnetId: spec.subnet.id,
    VpcId: spec.subnet.vpc.id,
    Architecture: "x86_64",
    NetworkInterfaces: nested,
    SecurityGroups: spec.groups.map((g) => ({ GroupId: g.id, GroupName: g.name })),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...(spec.operator !== undefined ? { Operator: spec.operator } : {}),
  };
}

function launchTemplateRecord(
  id: string,
  name: string,
  tags: Record<string, string>,
  createdBy: string,
): Wire<LaunchTemplate> {
  return {
    CreateTime: CREATED_AT,
    CreatedBy: createdBy,
    DefaultVersionNumber: 1,
    LatestVersionNumber: 1,
    LaunchTemplateId: id,
    LaunchTemplateName: name,
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function asgRecord(
  name: string,
  spec: {
    template: { id: string; name: string; version: string };
    subnets: SubnetRef[];
    sizes: [number, number, number];
    tags: Record<string, string>;
    instances: { id: string; type: string; az: string }[];
  },
): Wire<AutoScalingGroup> {
  const [min, max, desired] = spec.sizes;
  return {
    AutoScalingGroupName: name,
    AutoScalingGroupARN: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:2f0e1c57-1d9a-4b0e-9f4e-5d1c9a3b2e10:autoScalingGroupName/${name}`,
    LaunchTemplate: {
      LaunchTemplateId: spec.template.id,
      LaunchTemplateName: spec.template.name,
      Version: spec.template.version,
    },
    MinSize: min,
    MaxSize: max,
    DesiredCapacity: desired,
    DefaultCooldown: 300,
    AvailabilityZones: [...new Set(spec.subnets.map((s) => s.az))],
    HealthCheckType: "EC2",
    HealthCheckGracePeriod: 300,
    Instances: spec.instances.map((i) => ({
      InstanceId: i.id,
      InstanceType: i.type,
      AvailabilityZone: i.az,
      LifecycleState: "InService",
      HealthStatus: "Healthy",
      LaunchTemplate: {
        LaunchTemplateId: spec.template.id,
        LaunchTemplateName: spec.template.name,
        Version: "1",
      },
      ProtectedFromScaleIn: false,
    })),
    CreatedTime: CREATED_AT,
    VPCZoneIdentifier: spec.subnets.map((s) => s.id).join(","),
    Tags: Object.entries(spec.tags).map(([Key, Value]) => ({
      ResourceId: name,
      ResourceType: "auto-scaling-group",
      Key,
      Value,
      PropagateAtLaunch: true,
    })),
    TerminationPolicies: ["Default"],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
  };
}

function fargateProfileRecord(cluster: string, name: string, subnets: SubnetRef[]): Wire<FargateProfile> {
  return {
    fargateProfileName: name,
    fargateProfileArn: `arn:aws:eks:${REGION}:${ACCOUNT}:fargateprofile/${cluster}/${name}/5ac8d1a4-3c2e-8f16-2b4d-7e9f0a1b2c3d`,
    clusterName: cluster,
    createdAt: CREATED_AT,
    podExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${cluster}-fargate-pod-execution`,
    subnets: subnets.map((s) => s.id),
    selectors: [{ namespace: "batch", labels: {} }],
    status: "ACTIVE",
    tags: {},
    health: { issues: [] },
  };
}

/** Ids the tests name. */
export interface CapacityIds {
  subnets: Record<"nodesA" | "nodesB" | "spareC" | "podsA" | "fargateA" | "autoA" | "autoB", string>;
  clusterSg: { prod: string; auto: string };
  nodeSg: string;
  podSg: string;
  karpenterTemplate: string;
  legacyTemplate: string;
  nodes: { general: string; k1: string; k2: string; legacy: string; auto: string };
  fargatePodEnis: string[];
  branchEni: string;
}

export function capacityEstate(options: CapacityEstateOptions = {}): { estate: Estate; ids: CapacityIds } {
  const org = new EstateBuilder({ organizationId: "o-capacity0001", managementAccountId: ACCOUNT });
  const r = org.account(ACCOUNT, { name: "capacity" }).region(REGION);
  const vpc = r.vpc("prod", "10.20.0.0/16");
  const discovery = { "karpenter.sh/discovery": "prod" };
  const nodesA = vpc.subnet("nodes-a", {
    zone: "a",
    cidr: "10.20.0.0/24",
    tags: { ...clusterTag("prod"), ...discovery },
  });
  const nodesB = vpc.subnet("nodes-b", {
    zone: "b",
    cidr: "10.20.1.0/24",
    tags: { ...clusterTag("prod"), ...discovery },
  });
  const spareC = vpc.subnet("spare-c", { zone: "c", cidr: "10.20.2.0/24", tags: discovery });
  const fargateA = vpc.subnet("fargate-a", { zone: "a", cidr: "10.20.3.0/24" });
  const autoA = vpc.subnet("auto-a", { zone: "a", cidr: "10.20.4.0/24" });
  const autoB = vpc.subnet("auto-b", { zone: "b", cidr: "10.20.5.0/24" });
  const podsA = vpc.subnet("pods-a", { zone: "a", cidr: "10.20.16.0/20" });
  const nodeSg = vpc.securityGroup("prod-nodes", "nodes of prod");
  const podSg = vpc.securityGroup("prod-pods", "pods with their own SG");

  const prod = vpc.cluster("prod", { version: "1.33", subnets: [nodesA, nodesB] });
  const auto = vpc.cluster("auto", {
    version: "1.33",
    subnets: [autoA, autoB],
    addons: ["coredns", "kube-proxy"],
    with: {
      computeConfig: {
        enabled: true,
        nodePools: ["general-purpose", "system"],
        nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/auto-node`,
      },
    },
  });
  const pending: Pending = { nodes: [], hiddenEnis: new Set() };

  // Managed node group `general`: EKS tags its instances with the node group name.
  r.instanceType("m5.large", "c5.large", "m6i.large");
  const general = prod.nodegroup("general", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: ["m5.large"],
    subnets: [nodesA, nodesB],
    scaling: { min: 1, max: 3, desired: 1 },
  });
  const generalNode = launchNode(
    r,
    "prod",
    {
      key: "general/1",
      subnet: nodesA,
      type: "m5.large",
      groups: [prod.clusterSg],
      tags: {
        "eks:cluster-name": "prod",
        "eks:nodegroup-name": "general",
        "kubernetes.io/cluster/prod": "owned",
        "aws:autoscaling:groupName": general.autoScalingGroupName,
      },
      enis: [{ addresses: 3 }],
    },
    pending,
  );

  // Karpenter NodePool `default`: one template (its user data an AL2023 NodeConfig), nodes tagged by GetTags.
  const karpenterTags = {
    "kubernetes.io/cluster/prod": "owned",
    "karpenter.sh/nodepool": "default",
    "eks:eks-cluster-name": "prod",
    "karpenter.k8s.aws/ec2nodeclass": "default",
  };
  const karpenterLt = r.launchTemplate("karpenter.k8s.aws/9114836102384757192", [
    {
      imageId: "ami-0e2bd5b1ab3d7c1f4",
      userData: karpenterUserData(),
      interfaceGroups: [nodeSg, prod.clusterSg],
      description: "",
    },
  ]);
  const karpenterNode = (key: string, subnet: SubnetRef, enis: NodeSpec["enis"], trunk = false) =>
    launchNode(
      r,
      "prod",
      {
        key,
        subnet,
        type: "m6i.large",
        groups: [nodeSg, prod.clusterSg],
        tags: { ...karpenterTags, "karpenter.sh/nodeclaim": `default-${key}` },
        enis,
        trunk,
        launchTemplate: { id: karpenterLt.id, version: 1 },
      },
      pending,
    );
  const k1 = karpenterNode("k1", nodesA, [{ addresses: 2 }, { addresses: 5, subnet: podsA }], true);
  const k2 = karpenterNode("k2", nodesB, [{ addresses: 4 }]);
  for (let i = 0; i < (options.extraKarpenterNodes ?? 0); i++)
    karpenterNode(`extra-${i}`, i % 2 === 0 ? nodesA : nodesB, [{ addresses: 1 }]);
  const trunkOf = (node: PendingNode) => node.eniIds[1] ?? "";
  const branchEni = r.networkInterface({
    key: `${k1.id}/branch/1`,
    subnet: nodesA,
    description: "aws-k8s-branch-eni",
    groups: [podSg],
    addresses: 1,
    type: "branch",
    tags: {
      "eks:eni:owner": "eks-vpc-resource-controller",
      "vpcresources.k8s.aws/cluster-name": "prod",
      "vpcresources.k8s.aws/trunk-eni-id": trunkOf(k1),
      "vpcresources.k8s.aws/vlan-id": "1",
    },
  });

  // Self-managed group `prod-legacy`: its template replaces the cluster SG with `prod-nodes`.
  const legacyLt = r.launchTemplate("prod-legacy", [
    {
      imageId: "ami-0a1b2c3d4e5f60718",
      instanceType: "c5.large",
      userData: al2Bootstrap("prod", "--max-pods=29 --eviction-hard=memory.available<200Mi", [
        `export DB_PASSWORD=${PLANTED_SECRETS[1]}`,
      ]),
      securityGroups: [nodeSg],
    },
  ]);
  const legacyNode = launchNode(
    r,
    "prod",
    {
      key: "legacy/1",
      subnet: nodesB,
      type: "c5.large",
      groups: [nodeSg],
      tags: {
        "kubernetes.io/cluster/prod": "owned",
        "aws:autoscaling:groupName": "prod-legacy",
        Name: "prod-legacy",
      },
      enis: [{ addresses: 3 }],
      launchTemplate: { id: legacyLt.id, version: 1 },
    },
    pending,
  );

  // Fargate profile `fp-batch`: each running pod is a requester-managed ENI with the cluster SG.
  const fargatePodEnis = ["pod-1", "pod-2"].map((pod) =>
    r.networkInterface({
      key: `prod/fargate/${pod}`,
      subnet: fargateA,
      description: "",
      groups: [prod.clusterSg],
      addresses: 1,
      with: { RequesterManaged: true },
    }),
  );
  const controlPlane = prod.controlPlaneEni(nodesA);

  // Auto Mode pool `general-purpose`: an EC2 managed instance, hidden by default, with a /28 prefix.
  const operator = { Managed: true, Principal: "eks.amazonaws.com", HiddenByDefault: true };
  const autoNode = launchNode(
    r,
    "auto",
    {
      key: "auto/1",
      subnet: autoA,
      type: "m5.large",
      groups: [auto.clusterSg],
      tags: {
        "eks:eks-cluster-name": "auto",
        "eks:kubernetes-node-pool-name": "general-purpose",
        "eks:kubernetes-node-class-name": "default",
      },
      enis: [{ addresses: 1, prefixes: ["10.20.4.16/28"] }],
      operator,
    },
    pending,
  );

  const estate = org.build();
  estate.version = 2;
  const region = estate.accounts[ACCOUNT]?.regions[REGION] as EstateRegion;
  const enis = new Map(region.ec2.NetworkInterfaces.map((n) => [n.NetworkInterfaceId ?? "", n]));
  for (const id of [...pending.hiddenEnis]) {
    const eni = enis.get(id);
    if (eni !== undefined) eni.Operator = operator;
  }
  const controlPlaneEni = enis.get(controlPlane);
  if (controlPlaneEni !== undefined) controlPlaneEni.RequesterManaged = true;
  region.ec2.Reservations = pending.nodes.map((node, i) => ({
    ReservationId: r.id("r", node.id, String(i)),
    OwnerId: ACCOUNT,
    ...(node.spec.operator !== undefined ? { RequesterId: "eks.amazonaws.com" } : {}),
    Groups: [],
    Instances: [instanceOf(node, enis)],
  }));
  region.ec2.LaunchTemplates = [
    launchTemplateRecord(
      karpenterLt.id,
      karpenterLt.name,
      karpenterTags,
      `arn:aws:sts::${ACCOUNT}:assumed-role/KarpenterController-prod/1733400000000000000`,
    ),
  ];
  region.ec2.SubnetCidrReservations = [
    {
      SubnetCidrReservationId: r.id("scr", "auto-a", "prefix"),
      SubnetId: autoA.id,
      Cidr: "10.20.4.128/26",
      ReservationType: "prefix",
      OwnerId: ACCOUNT,
      Description: "reserved for prefix delegation",
      Tags: [],
    },
    {
      SubnetCidrReservationId: r.id("scr", "auto-a", "explicit"),
      SubnetId: autoA.id,
      Cidr: "10.20.4.240/28",
      ReservationType: "explicit",
      OwnerId: ACCOUNT,
      Tags: [],
    },
  ];
  region.autoscaling = {
    AutoScalingGroups: [
      asgRecord(general.autoScalingGroupName, {
        template: {
          id: r.id("lt", "eks-general"),
          name: `eks-${general.autoScalingGroupName}`,
          version: "1",
        },
        subnets: [nodesA, nodesB],
        sizes: [1, 3, 1],
        tags: {
          "eks:cluster-name": "prod",
          "eks:nodegroup-name": "general",
          "kubernetes.io/cluster/prod": "owned",
          "k8s.io/cluster-autoscaler/enabled": "true",
        },
        instances: [{ id: generalNode.id, type: "m5.large", az: nodesA.az }],
      }),
      asgRecord("prod-legacy", {
        template: { id: legacyLt.id, name: legacyLt.name, version: "$Latest" },
        subnets: [nodesA, nodesB],
        sizes: [1, 4, 1],
        tags: { "kubernetes.io/cluster/prod": "owned", Name: "prod-legacy" },
        instances: [{ id: legacyNode.id, type: "c5.large", az: nodesB.az }],
      }),
    ],
  };
  const prodCluster = region.eks.clusters.find((c) => c.cluster.name === "prod");
  if (prodCluster !== undefined)
    prodCluster.fargateProfiles = [fargateProfileRecord("prod", "fp-batch", [fargateA])];
  const autoCluster = region.eks.clusters.find((c) => c.cluster.name === "auto");
  if (autoCluster !== undefined) autoCluster.fargateProfiles = [];

  return {
    estate,
    ids: {
      subnets: {
        nodesA: nodesA.id,
        nodesB: nodesB.id,
        spareC: spareC.id,
        podsA: podsA.id,
        fargateA: fargateA.id,
        autoA: autoA.id,
        autoB: autoB.id,
      },
      clusterSg: { prod: prod.clusterSg.id, auto: auto.clusterSg.id },
      nodeSg: nodeSg.id,
      podSg: podSg.id,
      karpenterTemplate: karpenterLt.id,
      legacyTemplate: legacyLt.id,
      nodes: { general: generalNode.id, k1: k1.id, k2: k2.id, legacy: legacyNode.id, auto: autoNode.id },
      fargatePodEnis,
      branchEni,
    },
  };
}
