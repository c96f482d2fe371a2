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
