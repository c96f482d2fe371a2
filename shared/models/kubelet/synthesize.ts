import { toToml, toYaml } from "#shared/models/text-formats.ts";
import { UNRESOLVED_BOOTSTRAP, UNRESOLVED_ENV, VIA_ENV } from "./al2.ts";
import { NODECONFIG_MIME_TYPE } from "./al2023.ts";
import { encodeUserData } from "./decode.ts";
import {
  type KubeletConfigReading,
  type KubeletField,
  type KubeletSetting,
  UNREADABLE_VALUE,
} from "./types.ts";

const FIELDS: readonly KubeletField[] = ["evictionHard", "kubeReserved", "systemReserved"];
const FLAGS: Record<KubeletField, string> = {
  evictionHard: "--eviction-hard",
  kubeReserved: "--kube-reserved",
  systemReserved: "--system-reserved",
};
const TOML_TABLES: Record<KubeletField, string> = {
  evictionHard: "eviction-hard",
  kubeReserved: "kube-reserved",
  systemReserved: "system-reserved",
};
/** Stands for a value that was not a quantity: it reads back as unreadable, and holds nothing of the original. */
const UNREADABLE_TOKEN = "unreadable";
/** Stands for an entry the kubelet would not accept: a key no kubelet map has. */
const UNREADABLE_KEY = "unreadable-entry";
const CLUSTER_NAME_SAFE = /^[A-Za-z0-9._-]+$/;
const BOUNDARY = "==EKSAUDIT==";

/** What user data has to say for one map so that it reads back the same. */
interface Written {
  field: KubeletField;
  /** Entries for the config map (AL2023 NodeConfig, Bottlerocket table), or undefined to leave it out. */
  config?: Record<string, string>;
  /** Entries for the flag, or undefined for no flag. */
  flag?: Record<string, string>;
}

/**
 * Base64 user data holding only what the reading took from user data, in the family's format, so a recorded
 * estate re-reads to the same effective settings, sources, delivery and notes — and so the same findings —
 * without copying user data. Undefined when the reading took nothing from user data (or is unknown or
 * unparsed). Unreadable values and entries are written as placeholders that read back as unreadable.
 */
export function synthesizeUserData(
  reading: KubeletConfigReading,
  clusterName = "CLUSTER_NAME",
): string | undefined {
  if (!reading.known || reading.parseError !== undefined) return undefined;
  const written = FIELDS.flatMap((field) => {
    const w = writtenFor(field, reading[field]);
    return w !== undefined ? [w] : [];
  });
  const maxPods = reading.basis?.maxPodsFrom === "user-data" ? reading.basis.maxPods : undefined;
  if (written.length === 0 && maxPods === undefined && reading.via === undefined) return undefined;
  switch (reading.family) {
    case "AL2023":
      return encodeUserData(al2023(written));
    case "AL2":
      return encodeUserData(al2(written, reading, clusterName));
    case "BOTTLEROCKET":
      return encodeUserData(bottlerocket(written, maxPods));
    default:
      return undefined;
  }
}

function writtenFor(field: KubeletField, setting: KubeletSetting): Written | undefined {
  if (setting.source !== "user-data") return undefined;
  const placeholders = Object.fromEntries(
    Array.from({ length: setting.unreadableEntries ?? 0 }, (_, i) => [`${UNREADABLE_KEY}-${i + 1}`, "0"]),
  );
  const own = (by: "user-config" | "flag"): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(setting.value ?? {})) {
      if (setting.sources?.[key] === by) out[key] = value === UNREADABLE_VALUE ? UNREADABLE_TOKEN : value;
    }
    return out;
  };
  if (setting.replacedBy === "flag") return { field, flag: { ...own("flag"), ...placeholders } };
  return { field, config: { ...own("user-config"), ...placeholders } };
}

function mime(parts: { contentType: string; body: string }[]): string {
  const lines = ["MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`, ""];
  for (const part of parts)
    lines.push(`--${BOUNDARY}`, `Content-Type: ${part.contentType}`, "", part.body, "");
  lines.push(`--${BOUNDARY}--`, "");
  return lines.join("\n");
}

function flagWord(field: KubeletField, entries: Record<string, string>): string {
  const separator = field === "evictionHard" ? "<" : "=";
  return `${FLAGS[field]}=${Object.entries(entries)
    .map(([k, v]) => `${k}${separator}${v}`)
    .join(",")}`;
}

function al2023(written: Written[]): string {
  const config = Object.fromEntries(written.flatMap((w) => (w.config ? [[w.field, w.config]] : [])));
  const flags = written.flatMap((w) => (w.flag ? [flagWord(w.field, w.flag)] : []));
  const kubelet = {
    ...(Object.keys(config).length > 0 ? { config } : {}),
    ...(flags.length > 0 ? { flags } : {}),
  };
  const nodeConfig = {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: Object.keys(kubelet).length > 0 ? { kubelet } : {},
  };
  return mime([{ contentType: NODECONFIG_MIME_TYPE, body: toYaml(nodeConfig).trimEnd() }]);
}

/** AL2 has only flags: every written map is a flag, delivered the way the original was, notes reproduced. */
function al2(written: Written[], reading: KubeletConfigReading, clusterName: string): string {
  const args = written.map((w) => flagWord(w.field, w.flag ?? w.config ?? {})).join(" ");
  const cluster = CLUSTER_NAME_SAFE.test(clusterName) ? clusterName : "CLUSTER_NAME";
  const script = ["#!/bin/bash", "set -o xtrace"];
  if (reading.via === VIA_ENV) script.push(`export KUBELET_EXTRA_ARGS='${args}'`);
  else script.push(`/etc/eks/bootstrap.sh ${cluster} --kubelet-extra-args '${args}'`);
  for (const note of reading.notes ?? []) {
    if (note === UNRESOLVED_BOOTSTRAP)
      script.push(`/etc/eks/bootstrap.sh ${cluster} --kubelet-extra-args "$UNRESOLVED_ARGS"`);
    if (note === UNRESOLVED_ENV) script.push('KUBELET_EXTRA_ARGS="$UNRESOLVED_ARGS"');
  }
  return mime([{ contentType: 'text/x-shellscript; charset="us-ascii"', body: script.join("\n") }]);
}

function bottlerocket(written: Written[], maxPods: number | undefined): string {
  const kubernetes = {
    ...(maxPods !== undefined ? { "max-pods": maxPods } : {}),
    ...Object.fromEntries(written.map((w) => [TOML_TABLES[w.field], w.config ?? w.flag ?? {}])),
  };
  return `${toToml({ settings: { kubernetes } })}\n`;
}
