import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readKubeletConfig, synthesizeUserData } from "#shared/models/kubelet/index.ts";
import type { KubeletConfigReading } from "#shared/models/kubelet/types.ts";
import { base64, mimeMessage, nodeConfig } from "./user-data.ts";

const AMI_TYPES = [
  undefined,
  "AL2_x86_64",
  "AL2_ARM_64",
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_NVIDIA",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64_NVIDIA",
  "WINDOWS_FULL_2022_x86_64",
  "CUSTOM",
  "SOMETHING_NEW",
] as const;

const amiType = fc.constantFrom(...AMI_TYPES);
const RUNS = { numRuns: 300 };

/** Fragments user data is made of, shuffled into MIME-ish text that is mostly almost valid. */
const fragment = fc.constantFrom(
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="B"',
  "Content-Type: multipart/mixed; boundary=",
  "Content-Type: text/x-shellscript",
  "Content-Type: application/node.eks.aws",
  "Content-Transfer-Encoding: base64",
  "--B",
  "--B--",
  "",
  "#!/bin/bash",
  "/etc/eks/bootstrap.sh c --kubelet-extra-args '--eviction-hard=memory.available<1Gi'",
  '/etc/eks/bootstrap.sh c --kubelet-extra-args "$X',
  'KUBELET_EXTRA_ARGS+=" --kube-reserved=cpu=0',
  "apiVersion: node.eks.aws/v1alpha1",
  "kind: NodeConfig",
  "spec:",
  "  kubelet:",
  "    config:",
  "      evictionHard: {memory.available: 1Gi",
  "    flags: [--system-reserved=cpu=1",
  "&a [*a, *a, *a]",
  "[settings.kubernetes.eviction-hard]",
  '"memory.available" = "1Gi"',
  "[settings.kubernetes",
  "\u0000\uFFFD\u202E",
);
const mimeish = fc.array(fc.oneof(fragment, fc.string()), { maxLength: 40 }).map((lines) => lines.join("\n"));

async function neverThrows(input: Parameters<typeof readKubeletConfig>[0]): Promise<void> {
  const reading = await readKubeletConfig(input);
  expect(typeof reading.known).toBe("boolean");
  expect(reading.evictionHard.source).toMatch(/^(ami-default|user-data|unknown)$/);
}

describe("Function: readKubeletConfig (properties)", () => {
  it("never throws or rejects on arbitrary strings", async () => {
    await fc.assert(
      fc.asyncProperty(amiType, fc.string({ maxLength: 400 }), async (type, userData) =>
        neverThrows({ amiType: type, userData }),
      ),
      RUNS,
    );
  });

  it("never throws or rejects on base64 of arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(amiType, fc.uint8Array({ maxLength: 600 }), async (type, bytes) =>
        neverThrows({ amiType: type, userData: Buffer.from(bytes).toString("base64") }),
      ),
      RUNS,
    );
  });

  it("never throws or rejects on arbitrary MIME-ish text", async () => {
    await fc.assert(
      fc.asyncProperty(amiType, mimeish, fc.boolean(), async (type, text, custom) =>
        neverThrows({ amiType: type, userData: base64(text), customImage: custom }),
      ),
      RUNS,
    );
  });

  it("never throws or rejects on NodeConfig parts with arbitrary YAML bodies", async () => {
    await fc.assert(
      fc.asyncProperty(mimeish, async (kubelet) =>
        neverThrows({
          amiType: "AL2023_x86_64_STANDARD",
          userData: base64(
            mimeMessage([{ contentType: "application/node.eks.aws", body: nodeConfig(kubelet) }]),
          ),
        }),
      ),
      RUNS,
    );
  });
});

const quantity = fc.oneof(
  fc.constantFrom("0", "100Mi", "1Gi", "10%", "250m", "5%"),
  fc.stringMatching(/^[0-9]{1,4}(Mi|Gi|m|%)?$/),
);
const settingMap = (keys: string[]) =>
  fc.option(
    fc
      .uniqueArray(fc.constantFrom(...keys), { maxLength: keys.length })
      .chain((ks) =>
        fc
          .tuple(...ks.map(() => quantity))
          .map((vs) => Object.fromEntries(ks.map((k, i) => [k, vs[i] ?? "0"]))),
      ),
    { nil: undefined },
  );

describe("Function: synthesizeUserData (properties)", () => {
  it("gives back the same settings when read again, for every family", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("AL2_x86_64", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_x86_64"),
        settingMap(["memory.available", "nodefs.available", "imagefs.available", "nodefs.inodesFree"]),
        settingMap(["cpu", "memory", "ephemeral-storage"]),
        settingMap(["cpu", "memory", "ephemeral-storage"]),
        async (type, evictionHard, kubeReserved, systemReserved) => {
          // Prepare: a reading as the reader makes it from user data with these settings.
          const original = await readKubeletConfig({
            amiType: type,
            maxPods: 29,
            vcpus: 2,
            userData: userDataFor(type, { evictionHard, kubeReserved, systemReserved }),
          });

          // Act
          const again = await readKubeletConfig({
            amiType: type,
            maxPods: 29,
            vcpus: 2,
            userData: synthesizeUserData(original),
          });

          // Assess
          expect(settingsOf(again)).toEqual(settingsOf(original));
        },
      ),
      { numRuns: 150 },
    );
  });
});

type Maps = Partial<Record<"evictionHard" | "kubeReserved" | "systemReserved", Record<string, string>>>;

function settingsOf(r: KubeletConfigReading): unknown {
  return { evictionHard: r.evictionHard, kubeReserved: r.kubeReserved, systemReserved: r.systemReserved };
}

function userDataFor(type: string, maps: Maps): string | undefined {
  const entries = Object.entries(maps).filter(
    (e): e is [keyof Maps, Record<string, string>] => e[1] !== undefined,
  );
  if (entries.length === 0) return undefined;
  if (type.startsWith("AL2023")) {
    const yaml = entries
      .map(
        ([f, m]) =>
          `      ${f}:\n${
            Object.entries(m)
              .map(([k, v]) => `        ${k}: "${v}"\n`)
              .join("") || "        {}\n"
          }`,
      )
      .join("");
    return base64(
      mimeMessage([{ contentType: "application/node.eks.aws", body: nodeConfig(`    config:\n${yaml}`) }]),
    );
  }
  if (type.startsWith("AL2")) {
    const flag = {
      evictionHard: "eviction-hard",
      kubeReserved: "kube-reserved",
      systemReserved: "system-reserved",
    };
    const args = entries.map(
      ([f, m]) =>
        `--${flag[f]}=${Object.entries(m)
          .map(([k, v]) => `${k}${f === "evictionHard" ? "<" : "="}${v}`)
          .join(",")}`,
    );
    return base64(`#!/bin/bash\n/etc/eks/bootstrap.sh prod --kubelet-extra-args '${args.join(" ")}'\n`);
  }
  const table = {
    evictionHard: "eviction-hard",
    kubeReserved: "kube-reserved",
    systemReserved: "system-reserved",
  };
  return base64(
    entries
      .map(
        ([f, m]) =>
          `[settings.kubernetes.${table[f]}]\n${Object.entries(m)
            .map(([k, v]) => `"${k}" = "${v}"\n`)
            .join("")}`,
      )
      .join("\n"),
  );
}
