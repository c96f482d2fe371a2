/** User-data builders for tests: plain text in, base64 out (as DescribeLaunchTemplateVersions returns it). */

export function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

export interface MimePartSpec {
  contentType: string;
  body: string;
}

export function mimeMessage(parts: MimePartSpec[], boundary = "==MYBOUNDARY=="): string {
  const lines = ["MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="${boundary}"`, ""];
  for (const part of parts)
    lines.push(`--${boundary}`, `Content-Type: ${part.contentType}`, "", part.body, "");
  lines.push(`--${boundary}--`, "");
  return lines.join("\n");
}

export function shellPart(script: string): MimePartSpec {
  return { contentType: 'text/x-shellscript; charset="us-ascii"', body: script };
}

export function nodeConfigPart(yaml: string): MimePartSpec {
  return { contentType: "application/node.eks.aws", body: yaml };
}

/** AL2 MIME user data whose script passes `extraArgs` to bootstrap.sh in single quotes. */
export function al2UserData(extraArgs: string, before = ""): string {
  return base64(
    mimeMessage([
      shellPart(
        `#!/bin/bash\nset -ex\n${before}/etc/eks/bootstrap.sh prod \\\n  --b64-cluster-ca LS0tCg== \\\n  --kubelet-extra-args '${extraArgs}'\n`,
      ),
    ]),
  );
}

/** AL2023 MIME user data with one NodeConfig part whose `spec.kubelet` is `kubeletYaml` (indented 4). */
export function al2023UserData(kubeletYaml: string, extraParts: MimePartSpec[] = []): string {
  return base64(mimeMessage([nodeConfigPart(nodeConfig(kubeletYaml)), ...extraParts]));
}

export function nodeConfig(kubeletYaml: string): string {
  return `---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n${kubeletYaml}`;
}

export function bottlerocketUserData(toml: string): string {
  return base64(toml);
}

/**
 * AL2023 user data exactly as aws/karpenter-provider-aws `pkg/providers/amifamily/bootstrap/nodeadm.go` `Script`
 * writes it (boundary `//`, carriage returns removed, see `testdata/al2023_mime_userdata_merged.golden`): the
 * EC2NodeClass `userData` parts first, then Karpenter's NodeConfig with `spec.kubelet` rendered from
 * `EC2NodeClass.spec.kubelet` by sigs.k8s.io/yaml (keys sorted).
 */
export function karpenterAl2023UserData(): string {
  return [
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="//"',
    "",
    "--//",
    "Content-Type: application/node.eks.aws",
    "",
    "apiVersion: node.eks.aws/v1alpha1",
    "kind: NodeConfig",
    "spec:",
    "  kubelet:",
    "    config:",
    "      evictionHard:",
    "        memory.available: 300Mi",
    "        nodefs.available: 15%",
    "      maxPods: 42",
    "--//",
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    "#!/bin/bash",
    'echo "Hello, AL2023!"',
    "--//",
    "Content-Type: application/node.eks.aws",
    "",
    "# Karpenter Generated NodeConfig",
    "apiVersion: node.eks.aws/v1alpha1",
    "kind: NodeConfig",
    "metadata: {}",
    "spec:",
    "  cluster:",
    "    apiServerEndpoint: https://test-cluster",
    "    certificateAuthority: Y2EtYnVuZGxlCg==",
    "    cidr: 10.100.0.0/16",
    "    name: test-cluster",
    "  containerd: {}",
    "  instance:",
    "    localStorage: {}",
    "  kubelet:",
    "    config:",
    "      clusterDNS:",
    "      - 10.0.100.10",
    "      evictionHard:",
    "        memory.available: 5%",
    "      kubeReserved:",
    "        cpu: 200m",
    "      maxPods: 110",
    "      registerWithTaints:",
    "      - effect: NoExecute",
    "        key: karpenter.sh/unregistered",
    "      systemReserved:",
    "        cpu: 100m",
    "        ephemeral-storage: 1Gi",
    "        memory: 100Mi",
    "    flags:",
    '    - --node-labels="karpenter.k8s.aws/ec2nodeclass=default,karpenter.sh/capacity-type=on-demand,karpenter.sh/nodepool=default"',
    "",
    "--//--",
    "",
  ].join("\n");
}

/**
 * AL2 user data as aws/karpenter-provider-aws `pkg/providers/amifamily/bootstrap/eksbootstrap.go` writes it:
 * `mergeCustomUserData` puts the EC2NodeClass `userData` first, then `eksBootstrapScript`, whose
 * `kubeletExtraArgs` renders `EC2NodeClass.spec.kubelet` as `%q`-quoted flags.
 */
export function karpenterAl2UserData(): string {
  return [
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="//"',
    "",
    "--//",
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    "#!/bin/bash",
    'echo "Hello, AL2!"',
    "--//",
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    "#!/bin/bash -xe",
    "exec > >(tee /var/log/user-data.log|logger -t user-data -s 2>/dev/console) 2>&1",
    "/etc/eks/bootstrap.sh 'test-cluster' --apiserver-endpoint 'https://test-cluster' --b64-cluster-ca 'Y2EtYnVuZGxlCg==' \\",
    "--dns-cluster-ip '10.0.100.10' \\",
    "--use-max-pods false \\",
    `--kubelet-extra-args '--node-labels="karpenter.sh/capacity-type=on-demand,karpenter.sh/nodepool=default" --register-with-taints="karpenter.sh/unregistered=:NoExecute" --max-pods=110 --system-reserved="cpu=100m,memory=100Mi" --eviction-hard="memory.available<5%"'`,
    "--//--",
    "",
  ].join("\n");
}
