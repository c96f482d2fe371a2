import type { Addon } from "@aws-sdk/client-eks";
import { type TextFormats, textFormats } from "#shared/models/text-formats.ts";
import { CNI_DEFAULTS, type CniSettings } from "./settings.ts";

export { CNI_DEFAULTS, type CniSettings, settingsAsEnv, warmIpTargetsDefined } from "./settings.ts";

export interface CniConfig {
  settings: CniSettings;
  /** Where the settings came from: the add-on's configurationValues, or the CNI defaults. */
  source: "configurationValues" | "defaults";
  /** True when a value could not be read and a default stands in for it. */
  assumed: boolean;
  /** What could not be read, when something could not. */
  error?: string;
  /** Why the settings are assumed (e.g. self-managed aws-node), for evidence. */
  note?: string;
  /** The parsed configurationValues document (to merge a suggested change into). */
  document?: Record<string, unknown>;
}

const SELF_MANAGED_NOTE =
  "no vpc-cni managed add-on: the self-managed aws-node DaemonSet env is invisible from AWS APIs, CNI defaults assumed";

function defaults(): CniSettings {
  return { ...CNI_DEFAULTS };
}

/** Go strconv.Atoi: optional sign, decimal digits, nothing else. */
function goAtoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go strconv.ParseBool. */
function goParseBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return undefined;
}

/** Env values must be strings; YAML/JSON authors write numbers and booleans too. */
function envString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** YAML 1.2 is a superset of JSON, but JSON.parse is exact for the common case (and needs no YAML library). */
function parseJson(text: string): { value: unknown } | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined; // Not JSON: maybe YAML flow style.
  }
}

function parseYaml(yaml: TextFormats["yaml"], text: string): unknown {
  const doc = yaml.parseDocument(text, { prettyErrors: false });
  const [first] = doc.errors;
  if (first) throw first;
  return doc.toJS({ maxAliasCount: 50 });
}

function parseDocument(text: string): { document?: Record<string, unknown>; error?: string } {
  const trimmed = text.trim();
  let value = parseJson(trimmed)?.value;
  if (value === undefined) {
    // Outside the try: the library not loaded is a bug to surface, not a configuration read as unparseable.
    const { yaml } = textFormats();
    try {
      value = parseYaml(yaml, trimmed);
    } catch (err) {
      return { error: `configurationValues is neither JSON nor YAML: ${firstLine(err)}` };
    }
  }
  if (value === null || value === undefined) return { document: {} };
  if (!isRecord(value)) return { error: "configurationValues is not a mapping" };
  return { document: value };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split("\n")[0] ?? "").slice(0, 200);
}

/**
 * Reads `configurationValues` (JSON or YAML with an `env` map). Never throws on what it reads: whatever cannot
 * be read falls back to what ipamd would use, with `assumed: true` and `error` naming it. Text that is not JSON
 * needs the YAML library loaded (`loadTextFormats`).
 */
export function parseCniConfigurationValues(text: string | undefined): CniConfig {
  if (text === undefined || text.trim() === "") {
    return {
      settings: defaults(),
      source: "defaults",
      assumed: true,
      note: "the vpc-cni add-on has no configurationValues: CNI defaults apply",
    };
  }
  const { document, error } = parseDocument(text);
  if (!document) {
    return { settings: defaults(), source: "defaults", assumed: true, ...(error ? { error } : {}) };
  }
  const envValue = document.env;
  if (envValue === undefined || envValue === null) {
    return { settings: defaults(), source: "configurationValues", assumed: false, document };
  }
  if (!isRecord(envValue)) {
    return {
      settings: defaults(),
      source: "defaults",
      assumed: true,
      error: "configurationValues.env is not a mapping",
      document,
    };
  }
  const problems: string[] = [];
  const settings = defaults();
  const read = (key: string): string | undefined => {
    if (!Object.hasOwn(envValue, key)) return undefined;
    const raw = envValue[key];
    const value = envString(raw);
    if (value === undefined) problems.push(`${key}: not a string, number or boolean`);
    return value;
  };
  const readInt = (key: string, accept: (n: number) => boolean, what: string): number | undefined => {
    const value = read(key);
    if (value === undefined) return undefined;
    const n = goAtoi(value);
    if (n === undefined || !accept(n)) {
      problems.push(`${key}="${value.slice(0, 40)}": ${what}`);
      return undefined;
    }
    return n;
  };
  const readBool = (key: string): boolean | undefined => {
    const value = read(key);
    if (value === undefined) return undefined;
    const b = goParseBool(value);
    if (b === undefined) problems.push(`${key}="${value.slice(0, 40)}": not a boolean, ipamd uses false`);
    return b;
  };

  const warmEni = readInt("WARM_ENI_TARGET", (n) => n >= 0, "not a non-negative integer, ipamd uses 1");
  if (warmEni !== undefined) settings.warmEniTarget = warmEni;
  const warmIp = readInt(
    "WARM_IP_TARGET",
    (n) => n >= 0,
    "not a non-negative integer, ipamd treats it as unset",
  );
  if (warmIp !== undefined) settings.warmIpTarget = warmIp;
  const minIp = readInt(
    "MINIMUM_IP_TARGET",
    (n) => n >= 0,
    "not a non-negative integer, ipamd treats it as unset",
  );
  if (minIp !== undefined) settings.minimumIpTarget = minIp;
  settings.enablePrefixDelegation = readBool("ENABLE_PREFIX_DELEGATION") ?? false;
  if (Object.hasOwn(envValue, "WARM_PREFIX_TARGET")) {
    // ipamd's own default for an unreadable value is 0, not the manifest's 1.
    settings.warmPrefixTarget =
      readInt("WARM_PREFIX_TARGET", (n) => n >= 0, "not a non-negative integer, ipamd uses 0") ?? 0;
  }
  settings.enablePodEni = readBool("ENABLE_POD_ENI") ?? false;
  const mode = read("POD_SECURITY_GROUP_ENFORCING_MODE");
  if (mode !== undefined) {
    if (mode === "strict" || mode === "standard") settings.podSecurityGroupEnforcingMode = mode;
    else problems.push(`POD_SECURITY_GROUP_ENFORCING_MODE="${mode.slice(0, 40)}": not strict or standard`);
  }
  settings.customNetworking = readBool("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG") ?? false;
  const maxEniText = read("MAX_ENI");
  if (maxEniText !== undefined) {
    const n = goAtoi(maxEniText);
    // ipamd reads MAX_ENI < 1 as "no cap" (its own default is -1): only a non-integer is a problem.
    if (n === undefined)
      problems.push(`MAX_ENI="${maxEniText.slice(0, 40)}": not an integer, ipamd ignores it`);
    else if (n >= 1) settings.maxEni = n;
  }

  return {
    settings,
    source: "configurationValues",
    assumed: problems.length > 0,
    ...(problems.length > 0 ? { error: problems.join("; ") } : {}),
    document,
  };
}

/** The CNI settings of a cluster from its `vpc-cni` add-on; self-managed aws-node → defaults, assumed. */
export function readCniConfig(addon?: Addon): CniConfig {
  if (!addon) return { settings: defaults(), source: "defaults", assumed: true, note: SELF_MANAGED_NOTE };
  return parseCniConfigurationValues(addon.configurationValues);
}

/** The `vpc-cni` add-on of a cluster's add-on list, if it is managed. */
export function vpcCniAddon(addons: readonly Addon[] | undefined): Addon | undefined {
  return addons?.find((a) => a.addonName === "vpc-cni");
}

/** Whether the add-on turns prefix delegation on (the collector then fetches ENIs of the node subnets). */
export function prefixDelegationEnabled(addon: Addon | undefined): boolean {
  return readCniConfig(addon).settings.enablePrefixDelegation;
}
