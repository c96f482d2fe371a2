import { loadTextFormats } from "#shared/models/text-formats.ts";
import { UserDataError } from "./decode.ts";
import type { RawEntry, RawMap, UserDataReading } from "./flags.ts";
import type { KubeletField } from "./types.ts";

export const VIA_SETTINGS = "settings.kubernetes";
export const BOTTLEROCKET_TABLES = {
  "eviction-hard": "evictionHard",
  "kube-reserved": "kubeReserved",
  "system-reserved": "systemReserved",
} as const satisfies Record<string, KubeletField>;

/**
 * Bottlerocket: TOML user data, `[settings.kubernetes.eviction-hard]` and the reserved tables. These are config
 * maps: bottlerocket-os/bottlerocket-core-kit `packages/kubernetes-1.x/kubelet-config` renders them into the
 * kubelet's config file (no flags).
 */
export async function readBottlerocketUserData(text: string): Promise<UserDataReading> {
  const { parse, TomlError } = (await loadTextFormats()).toml;
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    // TomlError's message quotes the offending source: only its position is kept.
    const line = err instanceof TomlError ? err.line : undefined;
    throw new UserDataError(
      `Bottlerocket user data is not valid TOML${line !== undefined ? ` at line ${line}` : ""}`,
    );
  }
  const kubernetes = objectAt(objectAt(doc, "settings"), "kubernetes");
  const config: Partial<Record<KubeletField, RawMap>> = {};
  for (const [table, field] of Object.entries(BOTTLEROCKET_TABLES)) {
    const value = objectAt(kubernetes, table);
    // The kubelet template renders a table only when it has entries (`{{#if settings.kubernetes.…}}`).
    if (value !== undefined && Object.keys(value).length > 0)
      config[field] = { entries: flatten(value), unreadable: 0 };
  }
  const maxPods = kubernetes?.["max-pods"];
  return {
    settings: { config, flags: {} },
    notes: [],
    ...(kubernetes !== undefined ? { via: VIA_SETTINGS } : {}),
    ...(typeof maxPods === "number" && Number.isInteger(maxPods) && maxPods > 0 ? { maxPods } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function objectAt(
  value: Record<string, unknown> | undefined,
  key: string,
): Record<string, unknown> | undefined {
  const child = value !== undefined && Object.hasOwn(value, key) ? value[key] : undefined;
  return isObject(child) ? child : undefined;
}

/** `"memory.available" = "1Gi"` and the unquoted `memory.available = "1Gi"` (a nested table) read alike. */
function flatten(table: Record<string, unknown>, prefix = "", out: RawEntry[] = []): RawEntry[] {
  for (const [key, value] of Object.entries(table)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (isObject(value)) flatten(value, name, out);
    else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      out.push([name, String(value)]);
    } else out.push([name, undefined]);
  }
  return out;
}
