import type { AMITypes, Issue, NodegroupStatus } from "@aws-sdk/client-eks";
import type { Estate, EstateRegion } from "#shared/estate/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { KARPENTER_MIME_BOUNDARY, mimeMultipart, type NodeadmClusterDetails } from "#sim/builder/index.ts";
import { inventoryWithKubelet } from "#test/support/kubelet.ts";

export const ACCOUNT_ID = "111122223333";
export const REGION = "eu-west-1";
export const CLUSTER = "prod";

export interface NodegroupFixture {
  name: string;
  amiType?: string;
  /** Base64 user data of the node group's launch template; none → no launch template. */
  userData?: string;
  /** An ImageId in the launch template: a custom AMI. */
  imageId?: string;
  instanceType?: string;
  status?: string;
  issues?: Issue[];
}

/** A one-cluster estate whose node groups use launch template versions holding the given user data. */
export function nodeEstate(nodegroups: NodegroupFixture[]): Estate {
  const withTemplate = nodegroups.filter((ng) => ng.userData !== undefined || ng.imageId !== undefined);
  const region: EstateRegion = {
    ec2: {
      Vpcs: [{ VpcId: "vpc-1", CidrBlock: "10.0.0.0/16" }],
      Subnets: [],
      RouteTables: [],
      SecurityGroups: [],
      InstanceTypes: [{ InstanceType: "m5.large", VCpuInfo: { DefaultVCpus: 2 } }],
      LaunchTemplateVersions: withTemplate.map((ng) => ({
        LaunchTemplateId: `lt-${ng.name}`,
        LaunchTemplateName: `lt-${ng.name}`,
        VersionNumber: 1,
        DefaultVersion: true,
        LaunchTemplateData: {
          ...(ng.userData !== undefined ? { UserData: ng.userData } : {}),
          ...(ng.imageId !== undefined ? { ImageId: ng.imageId } : {}),
        },
      })),
      NetworkInterfaces: [],
    },
    eks: {
      clusters: [
        {
          cluster: {
            name: CLUSTER,
            status: "ACTIVE",
            resourcesVpcConfig: { vpcId: "vpc-1", subnetIds: [], clusterSecurityGroupId: "sg-cluster" },
          },
          nodegroups: nodegroups.map((ng) => ({
            nodegroupName: ng.name,
            clusterName: CLUSTER,
            status: (ng.status ?? "ACTIVE") as NodegroupStatus,
            amiType: (ng.amiType ?? "AL2023_x86_64_STANDARD") as AMITypes,
            instanceTypes: [ng.instanceType ?? "m5.large"],
            nodeRole: "arn:aws:iam::111122223333:role/prod-nodes",
            ...(withTemplate.includes(ng) ? { launchTemplate: { id: `lt-${ng.name}`, version: "1" } } : {}),
            ...(ng.issues !== undefined ? { health: { issues: ng.issues } } : {}),
          })),
          addons: [],
        },
      ],
    },
  };
  return {
    version: 1,
    organization: { managementAccountId: ACCOUNT_ID, accounts: [{ Id: ACCOUNT_ID, Name: "prod" }] },
    accounts: { [ACCOUNT_ID]: { regions: { [REGION]: region } } },
  };
}

export function nodeInventory(nodegroups: NodegroupFixture[]): Promise<Inventory> {
  return inventoryWithKubelet(nodeEstate(nodegroups), ACCOUNT_ID, REGION);
}

/** EC2NodeClass `spec.kubelet` maps Karpenter renders as kubelet flags on AL2. */
export interface KarpenterAl2Kubelet {
  systemReserved?: Record<string, string>;
  kubeReserved?: Record<string, string>;
  evictionHard?: Record<string, string>;
}

/**
 * AL2 user data as Karpenter renders it for an EC2NodeClass of `amiFamily: AL2` (aws/karpenter-provider-aws
 * pkg/providers/amifamily/bootstrap/eksbootstrap.go `eksBootstrapScript`, bootstrap.go `kubeletExtraArgs` and
 * `joinParameterArgs`): one shell part calling bootstrap.sh, the NodeClass's kubelet maps as `--system-reserved`,
 * `--kube-reserved` and `--eviction-hard` flags (Go-quoted) inside `--kubelet-extra-args`, in a MIME archive
 * with boundary `//` (testdata `al2_userdata_merged.golden`).
 */
export function karpenterAl2UserData(
  cluster: NodeadmClusterDetails,
  pool: string,
  kubelet: KarpenterAl2Kubelet,
): string {
  const joined = (flag: string, map: Record<string, string> | undefined, separator: string) =>
    map === undefined
      ? []
      : [
          `${flag}=${JSON.stringify(
            Object.entries(map)
              .map(([k, v]) => `${k}${separator}${v}`)
              .join(","),
          )}`,
        ];
  const labels = `karpenter.k8s.aws/ec2nodeclass=default,karpenter.sh/capacity-type=on-demand,karpenter.sh/nodepool=${pool}`;
  const extraArgs = [
    `--node-labels=${JSON.stringify(labels)}`,
    `--register-with-taints="karpenter.sh/unregistered:NoExecute"`,
    ...joined("--system-reserved", kubelet.systemReserved, "="),
    ...joined("--kube-reserved", kubelet.kubeReserved, "="),
    ...joined("--eviction-hard", kubelet.evictionHard, "<"),
  ].join(" ");
  const script = [
    "#!/bin/bash -xe",
    "exec > >(tee /var/log/user-data.log|logger -t user-data -s 2>/dev/console) 2>&1",
    `/etc/eks/bootstrap.sh '${cluster.name}' --apiserver-endpoint '${cluster.apiServerEndpoint}' --b64-cluster-ca '${cluster.certificateAuthority}' \\`,
    `--kubelet-extra-args '${extraArgs}'`,
  ].join("\n");
  return mimeMultipart(
    [{ contentType: 'text/x-shellscript; charset="us-ascii"', body: script }],
    KARPENTER_MIME_BOUNDARY,
  );
}
