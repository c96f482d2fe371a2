import type { Document } from "yaml";
import { loadTextFormats, type TextFormats } from "#shared/models/text-formats.ts";
import { UserDataError } from "./decode.ts";
import {
  kubeletFlagSettings,
  type RawEntry,
  type RawMap,
  shellWords,
  type UserDataReading,
} from "./flags.ts";
import { looksLikeMime, mimeParts } from "./mime.ts";
import type { KubeletField } from "./types.ts";

export const NODECONFIG_MIME_TYPE = "application/node.eks.aws";
export const VIA_NODECONFIG = "nodeadm NodeConfig";
const CONFIG_FIELDS: readonly KubeletField[] = ["evictionHard", "kubeReserved", "systemReserved"];

/**
 * One config map while NodeConfigs merge: never set, set to null, set to something that is not a map, or a
 * map whose keys map to a value, null, or undefined (not a scalar).
 */
type MergingMap =
  | { kind: "null" }
  | { kind: "not-a-map" }
  | { kind: "map"; entries: Map<string, RawEntry[1]> };

/**
 * AL2023: the `application/node.eks.aws` parts of a MIME message (or a bare NodeConfig document), as nodeadm
 * reads them (awslabs/amazon-eks-ami `nodeadm/internal/configprovider/mime.go` `ParseMultipart`: every
 * NodeConfig part in order, each decoded as one document, then `internal/api/merge.go` `MergeNodeConfigs`).
 * `spec.kubelet.config` maps merge with mergo's override (`mergeInlineDocument` → `util.Merge`): nested maps
 * key by key, a later value (null included) replacing an earlier one. `spec.kubelet.flags` lists append
 * (`mergeKubeletFlags`) and reach the kubelet after nodeadm's own flags.
 */
export async function readAl2023UserData(text: string): Promise<UserDataReading> {
  let nodeConfigs: Record<string, unknown>[];
  const { yaml } = await loadTextFormats();
  if (looksLikeMime(text)) {
    const parts = (await mimeParts(text)).filter((p) => p.mimeType === NODECONFIG_MIME_TYPE);
    nodeConfigs = parts.flatMap((p, i) => {
      const nodeConfig = nodeConfigDocument(yaml, p.content, `NodeConfig part ${i + 1}`);
      return nodeConfig !== undefined ? [nodeConfig] : [];
    });
  } else {
    const bare = nodeConfigDocument(yaml, text, "user data", true);
    nodeConfigs = bare !== undefined ? [bare] : [];
  }
  const merging = new Map<KubeletField, MergingMap>();
  const flags: string[] = [];
  for (const nodeConfig of nodeConfigs) {
    const kubelet = objectAt(objectAt(nodeConfig, "spec"), "kubelet");
    const config = objectAt(kubelet, "config");
    for (const field of CONFIG_FIELDS) {
      if (config === undefined || !Object.hasOwn(config, field)) continue;
      merging.set(field, mergeMap(merging.get(field), config[field]));
    }
    const list = kubelet?.flags;
    if (Array.isArray(list)) for (const f of list) if (typeof f === "string") flags.push(f);
  }
  const config: Partial<Record<KubeletField, RawMap>> = {};
  for (const [field, map] of merging) {
    const raw = asDropIn(map);
    if (raw !== undefined) config[field] = raw;
  }
  return {
    settings: { config, flags: kubeletFlagSettings(flags.flatMap(shellWords)) },
    notes: [],
    ...(nodeConfigs.length > 0 ? { via: VIA_NODECONFIG } : {}),
  };
}

/** mergo `deepMerge` with `WithOverride` for one field: maps merge key by key, anything else replaces. */
function mergeMap(previous: MergingMap | undefined, next: unknown): MergingMap {
  if (next === null) return { kind: "null" };
  if (!isObject(next)) return { kind: "not-a-map" };
  const entries = previous?.kind === "map" ? new Map(previous.entries) : new Map<string, RawEntry[1]>();
  for (const [key, value] of Object.entries(next)) entries.set(key, scalar(value));
  return { kind: "map", entries };
}

/**
 * The merged map as the kubelet applies nodeadm's drop-in (`40-nodeadm.conf`, kubernetes
 * `cmd/kubelet/app/server.go` `mergeKubeletConfigurations`): a JSON merge patch onto the base config, then
 * unmarshalled onto the base struct, whose existing map keeps what the patch would delete. So null keys (and
 * a null field) leave the AMI's values in place; a field that is not a map is one entry the kubelet rejects.
 */
function asDropIn(map: MergingMap): RawMap | undefined {
  if (map.kind === "null") return undefined;
  if (map.kind === "not-a-map") return { entries: [], unreadable: 1 };
  const entries: RawEntry[] = [];
  for (const [key, value] of map.entries) if (value !== null) entries.push([key, value]);
  return { entries, unreadable: 0 };
}

function scalar(value: unknown): RawEntry[1] {
  if (value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  return undefined;
}

/**
 * The first YAML document of a NodeConfig part, as nodeadm decodes it (`internal/api/bridge/decode.go`
 * `DecodeNodeConfig`: one object per part; later documents in the same part are not read).
 */
function nodeConfigDocument(
  yaml: TextFormats["yaml"],
  source: string,
  label: string,
  bare = false,
): Record<string, unknown> | undefined {
  const notNodeConfig = bare
    ? "AL2023 user data is neither a MIME multi-part message nor a NodeConfig document"
    : `${label} is not a NodeConfig document`;
  const lineCounter = new yaml.LineCounter();
  const parsed = yaml.parseAllDocuments(source, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const documents: Document[] = Array.isArray(parsed) ? parsed : [];
  for (const doc of documents) {
    const [error] = doc.errors;
    if (error === undefined) continue;
    if (bare) throw new UserDataError(notNodeConfig);
    // The error's own message quotes the source: only its line number is kept.
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new UserDataError(`${label} is not valid YAML${line !== undefined ? ` at line ${line}` : ""}`);
  }
  for (const doc of documents) {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch {
      throw new UserDataError(`${label} could not be read as YAML`);
    }
    if (value === null || value === undefined) continue;
    if (!isObject(value) || value.kind !== "NodeConfig") throw new UserDataError(notNodeConfig);
    return value;
  }
  if (bare) throw new UserDataError(notNodeConfig);
  return undefined;
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
