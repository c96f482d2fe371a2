import type { KubeletField } from "./types.ts";

/**
 * One entry of a kubelet map as user data wrote it, not yet validated: the key, and the value as text, `null`
 * (YAML null: clears the key) or `undefined` (a value that is not a scalar).
 */
export type RawEntry = [key: string, value: string | null | undefined];

/** A kubelet map as user data wrote it; a later entry for the same key wins. `unreadable` counts non-entries. */
export interface RawMap {
  entries: RawEntry[];
  /** Entries that are no key/value pair at all (a flag item without `<`/`=`, a field that is not a map). */
  unreadable: number;
}

/** What user data sets, per map: the config maps and the flags, each as the node applies them. */
export interface UserDataSettings {
  /** AL2023 `spec.kubelet.config` (NodeConfigs merged), Bottlerocket `settings.kubernetes` tables. */
  config: Partial<Record<KubeletField, RawMap>>;
  /** Kubelet flags: every invocation of a flag adds to one map, which replaces the config file's. */
  flags: Partial<Record<KubeletField, RawMap>>;
}

/** What one family's user-data reader found: settings, how they were delivered, and what it could not resolve. */
export interface UserDataReading {
  settings: UserDataSettings;
  notes: string[];
  via?: string;
  /** Bottlerocket `settings.kubernetes.max-pods`, which the AMI's kubeReserved memory follows. */
  maxPods?: number;
}

const FLAG_FIELDS = {
  "eviction-hard": "evictionHard",
  "kube-reserved": "kubeReserved",
  "system-reserved": "systemReserved",
} as const satisfies Record<string, KubeletField>;

type FlagName = keyof typeof FLAG_FIELDS;

function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(FLAG_FIELDS, name);
}

/** Splits a command-line fragment into words the way a shell would: quotes group, backslashes escape. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text.charAt(++i);
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text.charAt(++i);
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Kubelet flags (`--eviction-hard=…`, `--kube-reserved …`) → flag maps. As in the kubelet's flag types
 * (k8s.io/component-base `cli/flag` `LangleSeparatedMapStringString.Set`, `MapStringString.Set`), the first
 * invocation of a flag starts an empty map (so the config file's map is replaced, not merged) and every later
 * invocation adds its pairs to it; pflag's `WordSepNormalizeFunc` reads `_` as `-` in flag names.
 */
export function kubeletFlagSettings(words: readonly string[]): Partial<Record<KubeletField, RawMap>> {
  const flags: Partial<Record<KubeletField, RawMap>> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const match = /^--?([A-Za-z_-]+)(?:=([\s\S]*))?$/.exec(word);
    const name = match?.[1]?.replaceAll("_", "-");
    if (name === undefined || !isFlagName(name)) continue;
    let value = match?.[2];
    if (value === undefined) {
      const next = words[i + 1];
      if (next === undefined || next.startsWith("--")) continue;
      value = next;
      i++;
    }
    const field = FLAG_FIELDS[name];
    const map = flags[field] ?? { entries: [], unreadable: 0 };
    flags[field] = map;
    addPairs(map, value, name === "eviction-hard" ? "<" : "=");
  }
  return flags;
}

/** `memory.available<200Mi,nodefs.available<10%` or `cpu=250m,memory=1Gi` → entries; empty items are skipped. */
function addPairs(map: RawMap, value: string, separator: "<" | "="): void {
  for (const item of value.split(",")) {
    if (item === "") continue;
    const at = item.indexOf(separator);
    if (at < 0) map.unreadable++;
    else map.entries.push([item.slice(0, at).trim(), item.slice(at + 1).trim()]);
  }
}
