import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Finding } from "#shared/findings/index.ts";
import { readKubeletConfig, synthesizeUserData } from "#shared/models/kubelet/index.ts";
import { NODE_RULES } from "#shared/rules/node/index.ts";
import { nodeInventory } from "#test/rules/node/fixtures.ts";
import { al2UserDataArb, al2023UserDataArb, bottlerocketUserDataArb } from "./generators.ts";
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

const FAMILIES = [
  ["AL2", al2UserDataArb],
  ["AL2023", al2023UserDataArb],
  ["Bottlerocket", bottlerocketUserDataArb],
] as const;
const GENERATED_RUNS = { numRuns: 80 };
const BASIS = { maxPods: 29, vcpus: 2, instanceType: "m5.large" };

/** Every finding of every node rule for one node group with this user data, as the scanner would store it. */
async function nodeFindings(amiType: string, userData: string | undefined): Promise<Finding[]> {
  const inventory = await nodeInventory([
    { name: "ng", amiType, ...(userData !== undefined ? { userData } : {}) },
  ]);
  return NODE_RULES.flatMap((rule) => rule.evaluate(inventory));
}

function decoded(userData: string | undefined): string {
  return Buffer.from(userData ?? "", "base64").toString("utf8");
}

describe("Function: readKubeletConfig on valid user data holding a secret in the kubelet maps (properties)", () => {
  it.each(FAMILIES)(
    "%s: parses every case, reads the planted entries, and carries the secret nowhere",
    async (_, arbitrary) => {
      let runs = 0;
      let registered = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ amiType, userData, secret, text }) => {
          // Act
          const reading = await readKubeletConfig({ amiType, userData, ...BASIS });
          const findings = await nodeFindings(amiType, userData);
          const synthesized = decoded(synthesizeUserData(reading, "prod"));

          // Assess: the reader did read this user data …
          runs++;
          expect(reading.parseError, text).toBeUndefined();
          expect(reading.via, text).toBeDefined();
          if (/unreadable/.test(JSON.stringify(reading))) registered++;
          // … and the secret is in no reading, finding (title, detail, remediation, evidence) or snapshot.
          expect(JSON.stringify(reading)).not.toContain(secret);
          for (const f of findings) {
            for (const part of [f.title, f.detail, f.remediation, JSON.stringify(f.evidence)]) {
              expect(part).not.toContain(secret);
            }
          }
          expect(synthesized).not.toContain(secret);
        }),
        GENERATED_RUNS,
      );
      // The planted secret reached the validation (as an unreadable value or entry) in most cases; the rest
      // were overridden by a later map, as on the node.
      expect(registered / runs).toBeGreaterThan(0.8);
    },
    120_000,
  );
});

describe("Function: synthesizeUserData (properties)", () => {
  it.each(FAMILIES)(
    "%s: writes user data that reads back to the same settings and sources, and to the same findings",
    async (_, arbitrary) => {
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ amiType, userData, text }) => {
          // Prepare
          const original = await readKubeletConfig({ amiType, userData, ...BASIS });

          // Act
          const synthesized = synthesizeUserData(original, "prod");
          const again = await readKubeletConfig({ amiType, userData: synthesized, ...BASIS });

          // Assess
          expect(again, text).toEqual(original);
          expect(await nodeFindings(amiType, synthesized)).toEqual(await nodeFindings(amiType, userData));
        }),
        GENERATED_RUNS,
      );
    },
    120_000,
  );
});
