import { amiMap, type KubeletSettings } from "./defaults.ts";
import type { RawMap, UserDataSettings } from "./flags.ts";
import { knownKeysOf, validatedValue } from "./quantity.ts";
import {
  type KubeletField,
  type KubeletSetting,
  type KubeReservedBasis,
  UNREADABLE_VALUE,
  type ValueSource,
} from "./types.ts";

type ReadableFamily = "AL2" | "AL2023" | "BOTTLEROCKET";

const NOTHING_SET: UserDataSettings = { config: {}, flags: {} };

/** The kubeReserved keys Bottlerocket's kubelet-config template renders (cpu, memory, ephemeral-storage). */
const BOTTLEROCKET_KUBE_RESERVED = ["cpu", "memory", "ephemeral-storage"];

/** A map under construction: values with their sources, and entries the kubelet would not accept. */
interface Layered {
  value: Record<string, string> | undefined;
  sources: Record<string, ValueSource>;
  replacedBy?: "flag" | "user-config";
  unreadable: number;
}

/**
 * The kubelet maps as the node will have them: the AMI's map, then user data's config maps, then its flags.
 * - AL2023: `spec.kubelet.config` reaches the kubelet as a drop-in merged key by key onto nodeadm's config
 *   (kubernetes `cmd/kubelet/app/server.go` `mergeKubeletConfigurations`), so a partial map keeps the AMI's
 *   other keys and an empty one changes nothing.
 * - Flags (AL2 `--kubelet-extra-args`, AL2023 `spec.kubelet.flags`) are re-parsed over the config
 *   (`kubeletConfigFlagPrecedence`); the first invocation of a map flag starts an empty map, so a flag
 *   replaces the whole map.
 * - Bottlerocket renders `eviction-hard` and `system-reserved` tables as the whole map, and fills each
 *   kubeReserved key user data leaves out (`kubelet-config` template, `kube_reserve_cpu`/`kube_reserve_memory`).
 * Every value copied from user data is validated (a quantity, or a percentage for thresholds) and only keys the
 * kubelet knows are kept; the rest is counted.
 */
export function effectiveSettings(
  family: ReadableFamily,
  settings: UserDataSettings,
  basis: KubeReservedBasis,
): KubeletSettings {
  return {
    evictionHard: effectiveSetting(family, "evictionHard", settings, basis),
    kubeReserved: effectiveSetting(family, "kubeReserved", settings, basis),
    systemReserved: effectiveSetting(family, "systemReserved", settings, basis),
  };
}

function effectiveSetting(
  family: ReadableFamily,
  field: KubeletField,
  settings: UserDataSettings,
  basis: KubeReservedBasis,
): KubeletSetting {
  const ami = amiMap(family, field, basis);
  let layered: Layered = {
    value: ami !== undefined ? { ...ami } : undefined,
    sources: Object.fromEntries(Object.keys(ami ?? {}).map((k) => [k, "ami-default" as const])),
    unreadable: 0,
  };
  const config = settings.config[field];
  if (config !== undefined) {
    layered =
      family === "BOTTLEROCKET" && field === "kubeReserved"
        ? merged(layered, field, config, BOTTLEROCKET_KUBE_RESERVED)
        : family === "BOTTLEROCKET"
          ? replaced(field, config, "user-config")
          : merged(layered, field, config);
  }
  const flags = family === "BOTTLEROCKET" ? undefined : settings.flags[field];
  if (flags !== undefined) layered = replaced(field, flags, "flag");
  return setting(layered, ami === undefined);
}

/** The settings a stock AMI of the family gives when user data sets nothing. */
export function amiDefaults(family: ReadableFamily, basis: KubeReservedBasis): KubeletSettings {
  return effectiveSettings(family, NOTHING_SET, basis);
}

function merged(
  base: Layered,
  field: KubeletField,
  raw: RawMap,
  keys: readonly string[] = knownKeysOf(field),
): Layered {
  const { values, unreadable } = validated(field, raw, keys);
  const sources = { ...base.sources };
  for (const key of Object.keys(values)) sources[key] = "user-config";
  return { value: { ...(base.value ?? {}), ...values }, sources, unreadable: base.unreadable + unreadable };
}

function replaced(field: KubeletField, raw: RawMap, by: "flag" | "user-config"): Layered {
  const { values, unreadable } = validated(field, raw, knownKeysOf(field));
  const sources = Object.fromEntries(Object.keys(values).map((k) => [k, by]));
  return { value: values, sources, replacedBy: by, unreadable };
}

/** Known keys with their validated values (later entries win); unknown keys and non-pairs counted. */
function validated(
  field: KubeletField,
  raw: RawMap,
  keys: readonly string[],
): { values: Record<string, string>; unreadable: number } {
  // Keys come from a fixed list, so no key read from user data ever becomes a property name.
  const values: Record<string, string> = {};
  let unreadable = raw.unreadable;
  for (const [key, value] of raw.entries) {
    const known = keys.find((k) => k === key);
    if (known === undefined) unreadable++;
    else values[known] = typeof value === "string" ? validatedValue(field, value) : UNREADABLE_VALUE;
  }
  return { values, unreadable };
}

function setting(layered: Layered, amiSetsNone: boolean): KubeletSetting {
  const { value, sources, replacedBy, unreadable } = layered;
  const fromUserData =
    replacedBy !== undefined ||
    unreadable > 0 ||
    Object.values(sources).some((s) => s !== "ami-default") ||
    (amiSetsNone && value !== undefined);
  return {
    ...(value !== undefined ? { value: sorted(value), sources: sorted(sources) } : {}),
    source: fromUserData ? "user-data" : "ami-default",
    ...(replacedBy !== undefined ? { replacedBy } : {}),
    ...(unreadable > 0 ? { unreadableEntries: unreadable } : {}),
  };
}

/** Keys in a stable order, so two readings of the same settings compare and print alike. */
function sorted<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
