import { LineCounter, parseAllDocuments } from "yaml";
import { UserDataError } from "./decode.ts";
import {
  kubeletFlagSettings,
  setEntry,
  shellWords,
  type UserDataReading,
  type UserDataSettings,
} from "./flags.ts";
import { looksLikeMime, mimeParts } from "./mime.ts";

export const NODECONFIG_MIME_TYPE = "application/node.eks.aws";
const VIA = "nodeadm NodeConfig";
const CONFIG_FIELDS = ["evictionHard", "kubeReserved", "systemReserved"] as const;

/**
 * AL2023: the `application/node.eks.aws` parts of a MIME message (or a bare NodeConfig document).
 * NodeConfigs merge in order: `spec.kubelet.config` maps key by key, `spec.kubelet.flags` appended;
 * flags win over the config file, as they do in the kubelet.
 */
export async function readAl2023UserData(text: string): Promise<UserDataReading> {
  let nodeConfigs: Record<string, unknown>[];
  if (looksLikeMime(text)) {
    const parts = (await mimeParts(text)).filter((p) => p.mimeType === NODECONFIG_MIME_TYPE);
    nodeConfigs = parts.flatMap((p, i) => nodeConfigDocuments(p.content, `NodeConfig part ${i + 1}`));
  } else {
    nodeConfigs = nodeConfigDocuments(text, "user data", true);
  }
  const fromConfig: UserDataSettings = {};
  const flags: string[] = [];
  for (const nodeConfig of nodeConfigs) {
    const kubelet = objectAt(objectAt(nodeConfig, "spec"), "kubelet");
    const config = objectAt(kubelet, "config");
    for (const field of CONFIG_FIELDS) {
      const map = objectAt(config, field);
      if (map !== undefined) fromConfig[field] = { ...(fromConfig[field] ?? {}), ...stringMap(map) };
    }
    const list = kubelet?.flags;
    if (Array.isArray(list)) for (const f of list) if (typeof f === "string") flags.push(f);
  }
  const settings = { ...fromConfig, ...kubeletFlagSettings(flags.flatMap(shellWords)) };
  return { settings, notes: [], ...(nodeConfigs.length > 0 ? { via: VIA } : {}) };
}

function nodeConfigDocuments(source: string, label: string, bare = false): Record<string, unknown>[] {
  const notNodeConfig = bare
    ? "AL2023 user data is neither a MIME multi-part message nor a NodeConfig document"
    : `${label} is not a NodeConfig document`;
  const found: Record<string, unknown>[] = [];
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(source, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const documents = Array.isArray(parsed) ? parsed : [];
  for (const doc of documents) {
    const [error] = doc.errors;
    if (error !== undefined) {
      if (bare) throw new UserDataError(notNodeConfig);
      // The error's own message quotes the source: only its line number is kept.
      const line = lineCounter.linePos(error.pos[0]).line;
      throw new UserDataError(`${label} is not valid YAML${line !== undefined ? ` at line ${line}` : ""}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch {
      throw new UserDataError(`${label} could not be read as YAML`);
    }
    if (value === null || value === undefined) continue;
    if (!isObject(value) || value.kind !== "NodeConfig") throw new UserDataError(notNodeConfig);
    found.push(value);
  }
  if (bare && found.length === 0) throw new UserDataError(notNodeConfig);
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectAt(
  value: Record<string, unknown> | undefined,
  key: string,
): Record<string, unknown> | undefined {
  const child = value !== undefined && Object.hasOwn(value, key) ? value[key] : undefined;
  return isObject(child) ? child : undefined;
}

/** Scalar entries as strings (`cpu: 0` → `"0"`); nested values are not quantities and are left out. */
function stringMap(map: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      setEntry(out, key, String(value));
    } else if (value === null) {
      setEntry(out, key, "");
    }
  }
  return out;
}
