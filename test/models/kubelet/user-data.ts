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
