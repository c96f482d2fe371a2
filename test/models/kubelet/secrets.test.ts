import { afterEach, describe, expect, it, vi } from "vitest";
import { readKubeletConfig, synthesizeUserData } from "#shared/models/kubelet/index.ts";
import { NODE_RULES } from "#shared/rules/node/index.ts";
import { nodeInventory } from "#test/rules/node/fixtures.ts";
import { base64, mimeMessage, nodeConfig, nodeConfigPart, shellPart } from "./user-data.ts";

const MARKER = "SECRET-MARKER-7f3a";
/** A shell variable name cannot hold dashes: the same marker, spelled as one. */
const VAR_MARKER = "SECRET_MARKER_7f3a";

/** User data holding secrets next to real kubelet settings, readable and broken, for every family. */
const CASES: [string, string, string][] = [
  [
    "AL2 with a password and a labelled token",
    "AL2_x86_64",
    base64(
      mimeMessage([
        shellPart(
          [
            "#!/bin/bash",
            `export DB_PASSWORD=${MARKER}`,
            `/etc/eks/bootstrap.sh prod --b64-cluster-ca ${MARKER} --kubelet-extra-args '--node-labels=token=${MARKER} --eviction-hard=memory.available<200Mi,nodefs.available<${MARKER} --kube-reserved=cpu=0,${MARKER}=1Gi'`,
          ].join("\n"),
        ),
      ]),
    ),
  ],
  [
    "AL2 with an unresolvable variable named like a secret",
    "AL2_x86_64",
    base64(`#!/bin/bash\n/etc/eks/bootstrap.sh prod --kubelet-extra-args "$${VAR_MARKER}"\n`),
  ],
  [
    "AL2023 with a token in the NodeConfig and a shell part",
    "AL2023_x86_64_STANDARD",
    base64(
      mimeMessage([
        nodeConfigPart(
          `---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    certificateAuthority: ${MARKER}\n  kubelet:\n    config:\n      evictionHard:\n        memory.available: 300Mi\n      kubeReserved:\n        memory: ${MARKER}\n        ${MARKER}: 1Gi\n    flags:\n      - --node-labels=secret=${MARKER}\n      - --system-reserved=cpu=${MARKER}\n`,
        ),
        shellPart(`#!/bin/bash\necho ${MARKER} > /root/token\n`),
      ]),
    ),
  ],
  [
    "a bare AL2023 NodeConfig with the secret as a flag value and an eviction threshold",
    "AL2023_x86_64_STANDARD",
    base64(
      nodeConfig(
        `    config:\n      evictionHard:\n        nodefs.available: ${MARKER}\n    flags:\n      - --eviction-hard=memory.available<${MARKER}\n`,
      ),
    ),
  ],
  [
    "AL2023 with a YAML error on the secret's line",
    "AL2023_x86_64_STANDARD",
    base64(mimeMessage([nodeConfigPart(nodeConfig(`    config: {evictionHard: ${MARKER}: [\n`))])),
  ],
  [
    "Bottlerocket with a bootstrap token",
    "BOTTLEROCKET_x86_64",
    base64(
      `[settings.kubernetes]\nbootstrap-token = "${MARKER}"\n\n[settings.kubernetes.eviction-hard]\n"memory.available" = "10%"\n"nodefs.available" = "${MARKER}"\n\n[settings.kubernetes.kube-reserved]\nmemory = "0"\n\n[settings.kubernetes.system-reserved]\n"${MARKER}" = "1Gi"\n`,
    ),
  ],
  [
    "Bottlerocket with a TOML error on the secret's line",
    "BOTTLEROCKET_x86_64",
    base64(`[settings.kubernetes]\ntoken = ${MARKER}\n`),
  ],
  ["non-base64 user data holding the secret", "AL2_x86_64", `${MARKER}!!`],
  [
    "a MIME message cut short after the secret",
    "AL2_x86_64",
    base64(mimeMessage([shellPart(`#!/bin/bash\nexport X=${MARKER}\n`)]).slice(0, 160)),
  ],
];

/** The cases whose secret sits in a value or key of a kubelet map the reader parses. */
const PLANTED_IN_KUBELET_MAPS = new Set([
  "AL2 with a password and a labelled token",
  "AL2023 with a token in the NodeConfig and a shell part",
  "a bare AL2023 NodeConfig with the secret as a flag value and an eviction threshold",
  "Bottlerocket with a bootstrap token",
]);

function leaks(text: string): boolean {
  return text.includes(MARKER) || text.includes(VAR_MARKER);
}

describe("Secrets in user data", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(CASES)("reads %s, and keeps nothing of it in the reading", async (name, amiType, userData) => {
    // Prepare
    const log = vi.spyOn(console, "log");
    const warn = vi.spyOn(console, "warn");
    const error = vi.spyOn(console, "error");

    // Act
    const reading = await readKubeletConfig({ amiType, userData });

    // Assess
    expect(leaks(JSON.stringify(reading))).toBe(false);
    expect(leaks(reading.parseError ?? "")).toBe(false);
    expect([...log.mock.calls, ...warn.mock.calls, ...error.mock.calls]).toEqual([]);
    // Where the secret sits in a kubelet map, the reader did read it: as an unreadable value or entry.
    if (PLANTED_IN_KUBELET_MAPS.has(name)) {
      expect(reading.parseError).toBeUndefined();
      expect(JSON.stringify(reading)).toMatch(/unreadable/);
    }
  });

  it("keeps nothing of it in the user data a snapshot synthesises", async () => {
    // Act
    const texts = await Promise.all(
      CASES.map(async ([, amiType, userData]) =>
        Buffer.from(
          synthesizeUserData(await readKubeletConfig({ amiType, userData })) ?? "",
          "base64",
        ).toString(),
      ),
    );

    // Assess
    expect(texts.filter((t) => t !== "").length).toBeGreaterThanOrEqual(PLANTED_IN_KUBELET_MAPS.size);
    expect(texts.some(leaks)).toBe(false);
  });

  it("keeps nothing of it in the inventory or the findings of any node rule", async () => {
    // Prepare
    const inventory = await nodeInventory([
      ...CASES.map(([, amiType, userData], i) => ({ name: `ng-${i}`, amiType, userData })),
      {
        name: "ng-custom",
        amiType: "CUSTOM",
        userData: base64(`#!/bin/bash\necho ${MARKER}\n`),
        imageId: "ami-1",
      },
    ]);

    // Act
    const findings = NODE_RULES.flatMap((rule) => rule.evaluate(inventory));

    // Assess
    expect(findings.map((f) => f.ruleId)).toEqual(
      expect.arrayContaining([
        "node.system-reserved-missing",
        "node.partial-eviction-override",
        "node.kube-reserved-disabled",
        "node.kubelet-config-unknown",
      ]),
    );
    expect(leaks(JSON.stringify(findings))).toBe(false);
    expect(leaks(JSON.stringify(inventory))).toBe(false);
  });
});
