import { stringify } from "smol-toml";
import { stringify as toYaml } from "yaml";
import { NODECONFIG_MIME_TYPE } from "./al2023.ts";
import { encodeUserData } from "./decode.ts";
import type { KubeletConfigReading, KubeletSetting } from "./types.ts";

type Field = "evictionHard" | "kubeReserved" | "systemReserved";
const FIELDS: readonly Field[] = ["evictionHard", "kubeReserved", "systemReserved"];
const FLAGS: Record<Field, string> = {
  evictionHard: "--eviction-hard",
  kubeReserved: "--kube-reserved",
  systemReserved: "--system-reserved",
};
const TOML_TABLES: Record<Field, string> = {
  evictionHard: "eviction-hard",
  kubeReserved: "kube-reserved",
  systemReserved: "system-reserved",
};
/** Keys and quantities that survive a flag list (`,` `<` `=`) and shell quoting unchanged. */
const FLAG_SAFE = /^[A-Za-z0-9._%/+-]*$/;
const BOUNDARY = "==EKSAUDIT==";

/**
 * Base64 user data holding only the kubelet settings the reading took from user data, in the family's
 * format, so a recorded estate reproduces the node findings without copying user data. Undefined when the
 * reading took nothing from user data (or is unknown). Entries that cannot be written as a kubelet flag
 * (AL2) are left out.
 */
export function synthesizeUserData(
  reading: KubeletConfigReading,
  clusterName = "CLUSTER_NAME",
): string | undefined {
  if (!reading.known || reading.parseError !== undefined) return undefined;
  const fromUserData = FIELDS.flatMap((field): [Field, Record<string, string>][] => {
    const values = userDataValues(reading[field]);
    return values !== undefined ? [[field, values]] : [];
  });
  const maxPods = reading.basis?.maxPodsFrom === "user-data" ? reading.basis.maxPods : undefined;
  if (fromUserData.length === 0 && maxPods === undefined) return undefined;
  switch (reading.family) {
    case "AL2023":
      return encodeUserData(al2023(fromUserData));
    case "AL2":
      return encodeUserData(al2(fromUserData, clusterName));
    case "BOTTLEROCKET":
      return encodeUserData(bottlerocket(fromUserData, maxPods));
    default:
      return undefined;
  }
}

function userDataValues(setting: KubeletSetting): Record<string, string> | undefined {
  if (setting.source !== "user-data") return undefined;
  const keys = setting.userDataKeys ?? Object.keys(setting.value ?? {});
  const out: Record<string, string> = {};
  for (const key of keys) {
    const v =
      setting.value !== undefined && Object.hasOwn(setting.value, key) ? setting.value[key] : undefined;
    if (v !== undefined) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true });
  }
  return out;
}

function mime(parts: { contentType: string; body: string }[]): string {
  const lines = ["MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`, ""];
  for (const part of parts)
    lines.push(`--${BOUNDARY}`, `Content-Type: ${part.contentType}`, "", part.body, "");
  lines.push(`--${BOUNDARY}--`, "");
  return lines.join("\n");
}

function al2023(settings: [Field, Record<string, string>][]): string {
  const nodeConfig = {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: { kubelet: { config: Object.fromEntries(settings) } },
  };
  return mime([{ contentType: NODECONFIG_MIME_TYPE, body: toYaml(nodeConfig).trimEnd() }]);
}

function al2(settings: [Field, Record<string, string>][], clusterName: string): string {
  const flags = settings.map(([field, values]) => {
    const separator = field === "evictionHard" ? "<" : "=";
    const entries = Object.entries(values).filter(
      ([k, v]) => FLAG_SAFE.test(k) && k !== "" && FLAG_SAFE.test(v),
    );
    return `${FLAGS[field]}=${entries.map(([k, v]) => `${k}${separator}${v}`).join(",")}`;
  });
  const cluster = FLAG_SAFE.test(clusterName) ? clusterName : "CLUSTER_NAME";
  const script = [
    "#!/bin/bash",
    "set -o xtrace",
    `/etc/eks/bootstrap.sh ${cluster} --kubelet-extra-args '${flags.join(" ")}'`,
  ];
  return mime([{ contentType: 'text/x-shellscript; charset="us-ascii"', body: script.join("\n") }]);
}

function bottlerocket(settings: [Field, Record<string, string>][], maxPods: number | undefined): string {
  const kubernetes = {
    ...(maxPods !== undefined ? { "max-pods": maxPods } : {}),
    ...Object.fromEntries(settings.map(([field, values]) => [TOML_TABLES[field], values])),
  };
  return `${stringify({ settings: { kubernetes } })}\n`;
}
