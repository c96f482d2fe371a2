import type * as Toml from "smol-toml";
import type * as Yaml from "yaml";

/** The YAML and TOML libraries: what reads user data and vpc-cni settings, and writes the kubelet snippets. */
export interface TextFormats {
  yaml: typeof Yaml;
  toml: typeof Toml;
}

let loaded: TextFormats | undefined;
let loading: Promise<TextFormats> | undefined;

/**
 * Loads the YAML and TOML libraries (once; later calls return the same). The scanner's bundle holds them in a
 * chunk of their own, so a container whose regions have no cluster never compiles them: only a cluster brings
 * what they read (vpc-cni `configurationValues`, launch-template user data) and what they write (the kubelet
 * fixes). `assembleInventory` calls this for a region with a cluster, before anything parses or writes.
 */
export function loadTextFormats(): Promise<TextFormats> {
  loading ??= Promise.all([import("yaml"), import("smol-toml")]).then(([yaml, toml]) => {
    // yaml is CommonJS: in an esbuild ESM bundle (the Lambdas, the CLI) `import()` gives its exports as
    // `default` only; Node's own loader also names them.
    loaded = {
      yaml: "parseDocument" in yaml ? yaml : (yaml as unknown as { default: typeof Yaml }).default,
      toml,
    };
    return loaded;
  });
  return loading;
}

/**
 * The libraries `loadTextFormats` loaded, for synchronous code (rules, the vpc-cni settings). Throws if they
 * are not loaded yet: a caller that skipped the load is a bug to see, never a configuration read as unparseable.
 */
export function textFormats(): TextFormats {
  if (loaded === undefined) {
    throw new Error(
      "internal error: YAML/TOML needed before loadTextFormats() resolved (assembleInventory loads them for a region with a cluster)",
    );
  }
  return loaded;
}

/** YAML text of a value, with the loaded library (`textFormats`). */
export function toYaml(value: unknown): string {
  return textFormats().yaml.stringify(value);
}

/** TOML text of a table, with the loaded library (`textFormats`). */
export function toToml(value: Record<string, unknown>): string {
  return textFormats().toml.stringify(value);
}
