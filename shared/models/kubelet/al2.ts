import { UserDataError } from "./decode.ts";
import { kubeletFlagSettings, shellWords, type UserDataReading } from "./flags.ts";
import { looksLikeMime, type MimePart, mimeParts } from "./mime.ts";

export const VIA_BOOTSTRAP = "bootstrap.sh --kubelet-extra-args";
export const VIA_ENV = "KUBELET_EXTRA_ARGS";
export const UNRESOLVED_BOOTSTRAP =
  "--kubelet-extra-args refers to a shell variable or command that cannot be resolved; the kubelet flags in it are unknown";
export const UNRESOLVED_ENV =
  "KUBELET_EXTRA_ARGS refers to a shell variable or command that cannot be resolved; the kubelet flags in it are unknown";

/** `NAME=value`, `export NAME=value`, `NAME+=value` with the value double-quoted, single-quoted or bare. */
const ASSIGNMENT =
  /(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)(\+?)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s;&|'"`]*))/g;
const EXTRA_ARGS = /--kubelet-extra-args(?:\s+|=)(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s;&|'"]+))/g;

/** AL2: the shell parts of a MIME message (or a bare shell script) passing kubelet flags to bootstrap.sh. */
export async function readAl2UserData(text: string): Promise<UserDataReading> {
  let scripts: string[];
  if (looksLikeMime(text)) {
    scripts = (await mimeParts(text)).filter(isShellPart).map((p) => p.content);
  } else if (/^\s*#!/.test(text)) {
    scripts = [text];
  } else {
    throw new UserDataError("AL2 user data is neither a MIME multi-part message nor a shell script");
  }
  const args: string[] = [];
  const notes = new Set<string>();
  const vias = new Set<string>();
  for (const script of scripts) scanScript(script, args, notes, vias);
  // AL2 has no config map in user data: bootstrap.sh hands these flags to the kubelet, which lets them win.
  const settings = { config: {}, flags: kubeletFlagSettings(args.flatMap(shellWords)) };
  const via = vias.has(VIA_BOOTSTRAP) ? VIA_BOOTSTRAP : vias.has(VIA_ENV) ? VIA_ENV : undefined;
  return { settings, notes: [...notes], ...(via !== undefined ? { via } : {}) };
}

function isShellPart(part: MimePart): boolean {
  if (part.mimeType.startsWith("text/x-shellscript") || part.mimeType === "text/cloud-boothook") return true;
  return part.mimeType === "text/plain" && /^\s*#!/.test(part.content);
}

/** Collects, in script order, every `--kubelet-extra-args` value and `KUBELET_EXTRA_ARGS` assignment. */
function scanScript(script: string, args: string[], notes: Set<string>, vias: Set<string>): void {
  const variables = new Map<string, string | undefined>();
  const lines = script.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  for (const line of lines) {
    if (/^\s*#/.test(line)) continue;
    if (/bootstrap\.sh\b/.test(line)) {
      for (const m of line.matchAll(EXTRA_ARGS)) {
        vias.add(VIA_BOOTSTRAP);
        const value = m[2] ?? expand(unescapeDouble(m[1] ?? m[3] ?? ""), variables);
        if (value === undefined) notes.add(UNRESOLVED_BOOTSTRAP);
        else args.push(value);
      }
    }
    for (const m of line.matchAll(ASSIGNMENT)) {
      const name = m[1] ?? "";
      const raw = m[4] ?? expand(unescapeDouble(m[3] ?? m[5] ?? ""), variables);
      const previous = variables.get(name);
      const value =
        m[2] === "+" ? (previous === undefined || raw === undefined ? undefined : previous + raw) : raw;
      variables.set(name, value);
      if (name !== "KUBELET_EXTRA_ARGS") continue;
      vias.add(VIA_ENV);
      if (raw === undefined) notes.add(UNRESOLVED_ENV);
      else args.push(raw);
    }
  }
}

function unescapeDouble(value: string): string {
  return value.replace(/\\([\\"$`])/g, "$1");
}

/**
 * Expands `$NAME` / `${NAME}` from literal assignments seen earlier in the script; undefined when a
 * reference (or a command substitution) cannot be resolved, so nothing is guessed.
 */
function expand(value: string, variables: ReadonlyMap<string, string | undefined>): string | undefined {
  let unresolved = false;
  const expanded = value.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_, a, b) => {
      const known = variables.get(String(a ?? b));
      if (known === undefined) unresolved = true;
      return known ?? "";
    },
  );
  if (unresolved || /\$[({]|`/.test(expanded)) return undefined;
  return expanded;
}
