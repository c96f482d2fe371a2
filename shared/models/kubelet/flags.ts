/** The kubelet settings user data can set; a field is present only when user data set it. */
export interface UserDataSettings {
  evictionHard?: Record<string, string>;
  kubeReserved?: Record<string, string>;
  systemReserved?: Record<string, string>;
}

const FLAG_FIELDS = {
  "eviction-hard": "evictionHard",
  "kube-reserved": "kubeReserved",
  "system-reserved": "systemReserved",
} as const satisfies Record<string, keyof UserDataSettings>;

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

/** Kubelet flags (`--eviction-hard=…`, `--kube-reserved …`) → settings; a later flag replaces an earlier one. */
export function kubeletFlagSettings(words: readonly string[]): UserDataSettings {
  const settings: UserDataSettings = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const match = /^--?([a-z-]+)(?:=([\s\S]*))?$/.exec(word);
    const name = match?.[1];
    if (name === undefined || !isFlagName(name)) continue;
    let value = match?.[2];
    if (value === undefined) {
      const next = words[i + 1];
      if (next === undefined || next.startsWith("--")) continue;
      value = next;
      i++;
    }
    settings[FLAG_FIELDS[name]] = name === "eviction-hard" ? thresholdMap(value) : reservedMap(value);
  }
  return settings;
}

/** `memory.available<200Mi,nodefs.available<10%` → `{memory.available: 200Mi, …}`. */
export function thresholdMap(value: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of value.split(",")) {
    const at = entry.indexOf("<");
    if (at <= 0) continue;
    setEntry(map, entry.slice(0, at).trim(), entry.slice(at + 1).trim());
  }
  return map;
}

/** `cpu=250m,memory=1Gi` → `{cpu: 250m, memory: 1Gi}`. */
export function reservedMap(value: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of value.split(",")) {
    const at = entry.indexOf("=");
    if (at <= 0) continue;
    setEntry(map, entry.slice(0, at).trim(), entry.slice(at + 1).trim());
  }
  return map;
}

/** Sets an own key, whatever its name (`__proto__` included), on a map parsed from user data. */
export function setEntry(map: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** What one family's user-data reader found: settings, how they were delivered, and what it could not resolve. */
export interface UserDataReading {
  settings: UserDataSettings;
  notes: string[];
  via?: string;
  /** Bottlerocket `settings.kubernetes.max-pods`, which the AMI's kubeReserved memory follows. */
  maxPods?: number;
}
