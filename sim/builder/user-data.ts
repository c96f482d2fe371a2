import { stringify as toYaml } from "yaml";

/**
 * Launch-template user data as node images read it. EKS managed node groups merge their own bootstrap
 * part into a MIME multi-part document, so AL2 and AL2023 user data is written as one here too.
 */

export const MIME_BOUNDARY = "==EKSBOUNDARY==";

export function mimeMultipart(
  parts: { contentType: string; body: string }[],
  boundary: string = MIME_BOUNDARY,
): string {
  const sections = parts.map((p) => `--${boundary}\nContent-Type: ${p.contentType}\n\n${p.body.trimEnd()}\n`);
  return [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    ...sections,
    `--${boundary}--`,
    "",
  ].join("\n");
}

/** AL2: a shell part that calls bootstrap.sh, optionally with kubelet flags, after `preamble` lines. */
export function al2Bootstrap(
  cluster: string,
  kubeletExtraArgs?: string,
  preamble: string[] = [],
  boundary?: string,
): string {
  const args = kubeletExtraArgs === undefined ? "" : ` --kubelet-extra-args '${kubeletExtraArgs}'`;
  const script = [
    "#!/bin/bash",
    "set -o xtrace",
    ...preamble,
    `/etc/eks/bootstrap.sh ${cluster}${args}`,
  ].join("\n");
  return mimeMultipart([{ contentType: 'text/x-shellscript; charset="us-ascii"', body: script }], boundary);
}

/** AL2023: a nodeadm NodeConfig part with a kubelet config; EKS merges in the cluster details. */
export function al2023NodeConfig(kubeletConfig: Record<string, unknown>, boundary?: string): string {
  const nodeConfig = {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: { kubelet: { config: kubeletConfig } },
  };
  return mimeMultipart(
    [{ contentType: "application/node.eks.aws", body: `---\n${toYaml(nodeConfig)}` }],
    boundary,
  );
}

/** Base64, the way EC2 returns LaunchTemplateData.UserData. */
export function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** The cluster details a node needs to join when nothing merges them in for it (Karpenter, self-managed). */
export interface NodeadmClusterDetails {
  name: string;
  apiServerEndpoint: string;
  /** Base64 of the cluster CA bundle, as DescribeCluster returns it. */
  certificateAuthority: string;
  /** The service CIDR. */
  cidr: string;
}

/**
 * AL2023 user data of a self-managed node: one `application/node.eks.aws` NodeConfig part with the cluster
 * details nodeadm joins with, and the kubelet config the node group sets (awslabs/amazon-eks-ami
 * `nodeadm/api/v1alpha1` NodeConfig; "Self-managed nodes" in the EKS user guide).
 */
export function al2023SelfManagedUserData(
  cluster: NodeadmClusterDetails,
  kubeletConfig: Record<string, unknown> = {},
  boundary?: string,
): string {
  const nodeConfig = {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: {
      cluster,
      ...(Object.keys(kubeletConfig).length === 0 ? {} : { kubelet: { config: kubeletConfig } }),
    },
  };
  return mimeMultipart(
    [{ contentType: "application/node.eks.aws", body: `---\n${toYaml(nodeConfig)}` }],
    boundary,
  );
}

export interface KarpenterUserDataOptions {
  cluster: NodeadmClusterDetails;
  /** EC2NodeClass `spec.kubelet` (clusterDNS, maxPods, systemReserved, evictionHard…), passed through as given. */
  kubelet: Record<string, unknown>;
  /** The node's labels, rendered as one `--node-labels` flag. */
  labels: Record<string, string>;
  /** EC2NodeClass `spec.userData`: a MIME archive, a NodeConfig or a shell script; merged before Karpenter's part. */
  custom?: string;
}

/** Karpenter's MIME boundary (`pkg/providers/amifamily/bootstrap/mime/mime.go`, `boundary = "//"`). */
export const KARPENTER_MIME_BOUNDARY = "//";

/**
 * AL2023 user data as Karpenter renders it for an EC2NodeClass (aws/karpenter-provider-aws
 * `pkg/providers/amifamily/bootstrap/nodeadm.go`, `Nodeadm.Script` and `getNodeConfigYAML`): the custom user
 * data's parts first, Karpenter's generated NodeConfig last (`# Karpenter Generated NodeConfig`, keys sorted
 * as sigs.k8s.io/yaml writes them, `registerWithTaints` injected, the labels as one `--node-labels` flag),
 * serialised by `mime.Archive.Serialize` with boundary `//` and no carriage returns
 * (testdata `al2023_*_userdata_merged.golden`).
 */
export function karpenterAl2023UserData(o: KarpenterUserDataOptions): string {
  const labels = Object.keys(o.labels)
    .sort()
    .map((k) => `${k}=${o.labels[k]}`)
    .join(",");
  const nodeConfig = {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    metadata: {},
    spec: {
      cluster: o.cluster,
      containerd: {},
      instance: { localStorage: {} },
      kubelet: {
        config: {
          ...o.kubelet,
          registerWithTaints: [{ effect: "NoExecute", key: "karpenter.sh/unregistered" }],
        },
        flags: [`--node-labels=${JSON.stringify(labels)}`],
      },
    },
  };
  const generated = `# Karpenter Generated NodeConfig\n${toYaml(nodeConfig, { indentSeq: false, sortMapEntries: true })}`;
  const custom = o.custom === undefined ? [] : [customPart(o.custom)];
  const parts = [...custom, { contentType: "application/node.eks.aws", body: generated }];
  const sections = parts.map(
    (p) => `--${KARPENTER_MIME_BOUNDARY}\nContent-Type: ${p.contentType}\n\n${p.body}`,
  );
  return [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${KARPENTER_MIME_BOUNDARY}"`,
    "",
    `${sections.join("\n")}\n--${KARPENTER_MIME_BOUNDARY}--\n`,
  ].join("\n");
}

/** Karpenter's `parseUserData` for non-MIME custom user data: a YAML document is a NodeConfig, else a shell script. */
function customPart(userData: string): { contentType: string; body: string } {
  const trimmed = userData.trimEnd();
  const isNodeConfig = /^(---\n)?apiVersion: node\.eks\.aws\//.test(trimmed);
  return {
    contentType: isNodeConfig ? "application/node.eks.aws" : 'text/x-shellscript; charset="us-ascii"',
    body: trimmed,
  };
}
