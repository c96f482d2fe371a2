import fc from "fast-check";
import { stringify as toToml } from "smol-toml";
import { stringify as toYaml } from "yaml";
import type { KubeletField } from "#shared/models/kubelet/index.ts";
import { base64, type MimePartSpec, mimeMessage, nodeConfigPart, shellPart } from "./user-data.ts";

/**
 * fast-check generators of *valid* user data for AL2, AL2023 and Bottlerocket whose kubelet maps — the parts
 * the reader parses — carry a secret: as a threshold or quantity value, as a key, in a flag. Every generated
 * case parses; `secret` is the marker to look for.
 */
export interface GeneratedUserData {
  amiType: string;
  /** Base64, as DescribeLaunchTemplateVersions returns it. */
  userData: string;
  secret: string;
  /** The plain text, for failure messages. */
  text: string;
}

const FIELDS: readonly KubeletField[] = ["evictionHard", "kubeReserved", "systemReserved"];
const KEYS: Record<KubeletField, readonly string[]> = {
  evictionHard: ["memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available"],
  kubeReserved: ["cpu", "memory", "ephemeral-storage"],
  systemReserved: ["cpu", "memory", "ephemeral-storage", "pid"],
};
const FLAG: Record<KubeletField, string> = {
  evictionHard: "--eviction-hard",
  kubeReserved: "--kube-reserved",
  systemReserved: "--system-reserved",
};
const TABLE: Record<KubeletField, string> = {
  evictionHard: "eviction-hard",
  kubeReserved: "kube-reserved",
  systemReserved: "system-reserved",
};

/** Starts with letters, so it is never a quantity; only characters every format carries unquoted. */
const secretArb = fc.stringMatching(/^[a-z0-9]{6,10}$/).map((s) => `Sekr3t${s}`);

const quantityArb = fc.oneof(
  fc.constantFrom("0", "100Mi", "1Gi", "250m", "2", "1.5Gi", "10%", "5%", "0Mi"),
  fc.stringMatching(/^[1-9][0-9]{0,3}(Mi|Gi|m|%)?$/),
);

type Entries = [string, string][];
interface MapSpec {
  field: KubeletField;
  entries: Entries;
}

/** A map for one field whose keys and values are known keys and quantities — or, now and then, the secret. */
function mapArb(secret: string): fc.Arbitrary<MapSpec> {
  return fc
    .constantFrom(...FIELDS)
    .chain((field) =>
      fc
        .array(
          fc.tuple(
            fc.oneof(
              { weight: 6, arbitrary: fc.constantFrom(...KEYS[field]) },
              { weight: 1, arbitrary: fc.constant(secret) },
            ),
            fc.oneof({ weight: 3, arbitrary: quantityArb }, { weight: 1, arbitrary: fc.constant(secret) }),
          ),
          { maxLength: 4 },
        )
        .map((entries) => ({ field, entries })),
    );
}

/** Puts the secret into the value (or key) of the chosen entry of the last map, so at least one is read. */
function planted(maps: MapSpec[], secret: string, asKey: boolean): MapSpec[] {
  if (maps.some((m) => m.entries.some(([k, v]) => k === secret || v === secret))) return maps;
  const last = maps[maps.length - 1];
  if (last === undefined) return maps;
  const [first, ...rest] = last.entries;
  const entry: [string, string] = asKey
    ? [secret, first?.[1] ?? "1Gi"]
    : [first?.[0] ?? KEYS[last.field][0] ?? "memory", secret];
  return [...maps.slice(0, -1), { field: last.field, entries: [...rest, entry] }];
}

function flagWord(map: MapSpec): string {
  const separator = map.field === "evictionHard" ? "<" : "=";
  return `${FLAG[map.field]}=${map.entries.map(([k, v]) => `${k}${separator}${v}`).join(",")}`;
}

/** AL2: flags in `--kubelet-extra-args` or `KUBELET_EXTRA_ARGS`, in a MIME shell part or a bare script. */
export const al2UserDataArb: fc.Arbitrary<GeneratedUserData> = secretArb.chain((secret) =>
  fc
    .record({
      maps: fc.array(mapArb(secret), { minLength: 1, maxLength: 3 }),
      asKey: fc.boolean(),
      viaEnv: fc.boolean(),
      mime: fc.boolean(),
      otherFlags: fc.subarray(["--node-labels=team=a", "--max-pods=20", `--node-labels=token=${secret}`]),
    })
    .map(({ maps, asKey, viaEnv, mime, otherFlags }) => {
      const flags = [...otherFlags, ...planted(maps, secret, asKey).map(flagWord)].join(" ");
      const script = [
        "#!/bin/bash",
        "set -ex",
        `export DB_PASSWORD=${secret}`,
        viaEnv
          ? `KUBELET_EXTRA_ARGS='${flags}'\n/etc/eks/bootstrap.sh prod`
          : `/etc/eks/bootstrap.sh prod --b64-cluster-ca ${secret} \\\n  --kubelet-extra-args '${flags}'`,
        "",
      ].join("\n");
      const text = mime ? mimeMessage([shellPart(script)]) : script;
      return { amiType: "AL2_x86_64", userData: base64(text), secret, text };
    }),
);

interface NodeConfigSpec {
  config: MapSpec[];
  flags: MapSpec[];
}

function nodeConfigYaml(spec: NodeConfigSpec, secret: string): string {
  const config: Record<string, Record<string, string>> = {};
  for (const map of spec.config) config[map.field] = Object.fromEntries(map.entries);
  const kubelet = {
    ...(spec.config.length > 0 ? { config } : {}),
    ...(spec.flags.length > 0
      ? { flags: [`--node-labels=secret=${secret}`, ...spec.flags.map(flagWord)] }
      : {}),
  };
  return toYaml({
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: { cluster: { name: "prod", certificateAuthority: secret }, kubelet },
  });
}

/** AL2023: one to three NodeConfig parts (config maps, flags) in MIME with a shell part, or one bare document. */
export const al2023UserDataArb: fc.Arbitrary<GeneratedUserData> = secretArb.chain((secret) =>
  fc
    .record({
      parts: fc.array(
        fc.record({
          config: fc.array(mapArb(secret), { maxLength: 3 }),
          flags: fc.array(mapArb(secret), { maxLength: 2 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      asKey: fc.boolean(),
      inFlag: fc.boolean(),
      bare: fc.boolean(),
      shell: fc.boolean(),
    })
    .map(({ parts, asKey, inFlag, bare, shell }) => {
      const chosen = bare ? parts.slice(0, 1) : parts;
      // Plant in the last part's flags or config, whichever the kubelet reads last.
      const last = chosen[chosen.length - 1] ?? { config: [], flags: [] };
      const fallback: MapSpec[] = [{ field: "kubeReserved", entries: [] }];
      const lastPart: NodeConfigSpec =
        inFlag || last.config.length === 0
          ? { ...last, flags: planted(last.flags.length > 0 ? last.flags : fallback, secret, asKey) }
          : { ...last, config: planted(last.config, secret, asKey) };
      const specs = [...chosen.slice(0, -1), lastPart];
      const yamls = specs.map((s) => nodeConfigYaml(s, secret));
      const mimeParts: MimePartSpec[] = [
        ...yamls.map((y) => nodeConfigPart(`---\n${y}`)),
        ...(shell ? [shellPart(`#!/bin/bash\necho ${secret} > /root/token\n`)] : []),
      ];
      const text = bare ? (yamls[0] ?? "") : mimeMessage(mimeParts);
      return { amiType: "AL2023_x86_64_STANDARD", userData: base64(text), secret, text };
    }),
);

/** Bottlerocket: TOML settings with `eviction-hard`, `kube-reserved` and `system-reserved` tables. */
export const bottlerocketUserDataArb: fc.Arbitrary<GeneratedUserData> = secretArb.chain((secret) =>
  fc
    .record({
      maps: fc.array(mapArb(secret), { minLength: 1, maxLength: 3 }),
      asKey: fc.boolean(),
      maxPods: fc.option(fc.integer({ min: 4, max: 250 }), { nil: undefined }),
    })
    .map(({ maps, asKey, maxPods }) => {
      // A later table of the same name would be a TOML error: one table per field.
      const byField = new Map<KubeletField, Entries>();
      for (const map of maps) byField.set(map.field, map.entries);
      const tables = planted(
        [...byField].map(([field, entries]) => ({ field, entries })),
        secret,
        asKey,
      );
      const kubernetes: Record<string, unknown> = {
        "cluster-name": "prod",
        "bootstrap-token": secret,
        ...(maxPods !== undefined ? { "max-pods": maxPods } : {}),
      };
      for (const { field, entries } of tables) kubernetes[TABLE[field]] = Object.fromEntries(entries);
      const text = `${toToml({ settings: { kubernetes } })}\n`;
      return { amiType: "BOTTLEROCKET_x86_64", userData: base64(text), secret, text };
    }),
);

export const anyFamilyUserDataArb: fc.Arbitrary<GeneratedUserData> = fc.oneof(
  al2UserDataArb,
  al2023UserDataArb,
  bottlerocketUserDataArb,
);
