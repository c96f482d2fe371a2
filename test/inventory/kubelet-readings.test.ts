import type { LaunchTemplateVersion } from "@aws-sdk/client-ec2";
import type { Cluster, Nodegroup } from "@aws-sdk/client-eks";
import { describe, expect, it } from "vitest";
import { kubeletReadings, withoutUserData } from "#shared/inventory/kubelet-readings.ts";
import { readKubeletConfig, synthesizeUserData } from "#shared/models/kubelet/index.ts";
import {
  al2UserData,
  al2023UserData,
  base64,
  bottlerocketUserData,
  karpenterAl2UserData,
  karpenterAl2023UserData,
} from "#test/models/kubelet/user-data.ts";

const cluster: Cluster = { name: "prod" };

function nodegroup(name: string, extra: Partial<Nodegroup> = {}): Nodegroup {
  return { nodegroupName: name, amiType: "AL2023_x86_64_STANDARD", instanceTypes: ["m5.large"], ...extra };
}

function version(
  id: string,
  versionNumber: number,
  data: LaunchTemplateVersion["LaunchTemplateData"],
): LaunchTemplateVersion {
  return {
    LaunchTemplateId: id,
    VersionNumber: versionNumber,
    DefaultVersion: versionNumber === 1,
    LaunchTemplateData: data,
  };
}

describe("Function: kubeletReadings", () => {
  it("reads every node group, keyed <cluster>/<nodegroup>, from the version it uses", async () => {
    // Prepare
    const versions = [
      version("lt-a", 1, {
        UserData: al2023UserData("    config:\n      systemReserved:\n        memory: 1Gi\n"),
      }),
      version("lt-a", 2, {
        UserData: al2023UserData("    config:\n      systemReserved:\n        memory: 2Gi\n"),
      }),
      version("lt-custom", 1, { ImageId: "ami-0123", UserData: base64("#!/bin/bash\n") }),
    ];
    const clusters = [
      {
        cluster,
        addons: [],
        nodegroups: [
          nodegroup("pinned", { launchTemplate: { id: "lt-a", version: "2" } }),
          nodegroup("plain"),
          nodegroup("custom", { amiType: "CUSTOM", launchTemplate: { id: "lt-custom", version: "1" } }),
          nodegroup("missing-version", { launchTemplate: { id: "lt-gone", version: "1" } }),
        ],
      },
    ];

    // Act
    const readings = await kubeletReadings(clusters, versions, [
      { InstanceType: "m5.large", VCpuInfo: { DefaultVCpus: 2 } },
    ]);

    // Assess
    expect(Object.keys(readings)).toEqual([
      "prod/pinned",
      "prod/plain",
      "prod/custom",
      "prod/missing-version",
    ]);
    expect(readings["prod/pinned"]?.systemReserved.value).toEqual({ memory: "2Gi" });
    expect(readings["prod/plain"]?.kubeReserved.value).toEqual({
      cpu: "70m",
      "ephemeral-storage": "1Gi",
      memory: "574Mi",
    });
    expect(readings["prod/plain"]?.basis).toEqual({
      instanceType: "m5.large",
      maxPods: 29,
      maxPodsFrom: "instance-type",
      vcpus: 2,
    });
    expect(readings["prod/custom"]).toMatchObject({ known: false, unknownReason: "custom-ami" });
    expect(readings["prod/missing-version"]?.parseError).toMatch(/not collected/);
  });
});

describe("Function: withoutUserData", () => {
  it("returns copies without UserData and leaves the input alone", () => {
    // Prepare
    const versions = [
      version("lt-a", 1, { UserData: base64("#!/bin/bash\n"), ImageId: "ami-1" }),
      { LaunchTemplateId: "lt-b" },
    ];

    // Act
    const stripped = withoutUserData(versions);

    // Assess
    expect(stripped).toEqual([
      {
        LaunchTemplateId: "lt-a",
        VersionNumber: 1,
        DefaultVersion: true,
        LaunchTemplateData: { ImageId: "ami-1" },
      },
      { LaunchTemplateId: "lt-b" },
    ]);
    expect(versions[0]?.LaunchTemplateData?.UserData).toBeDefined();
  });
});

describe("Function: synthesizeUserData", () => {
  it.each([
    [
      "AL2_x86_64",
      al2UserData(
        "--node-labels=a=b --eviction-hard=memory.available<300Mi --system-reserved=cpu=1,memory=1Gi",
      ),
    ],
    [
      "AL2023_x86_64_STANDARD",
      al2023UserData(
        "    config:\n      kubeReserved: {}\n      evictionHard:\n        nodefs.available: 5%\n",
      ),
    ],
    [
      "AL2023_x86_64_STANDARD",
      al2023UserData(
        "    config:\n      systemReserved: {}\n      evictionHard:\n        memory.available: s3cret\n        x: 1\n    flags: ['--kube-reserved=memory=0,y=1', '--eviction-hard=']\n",
      ),
    ],
    ["AL2023_x86_64_STANDARD", base64(karpenterAl2023UserData())],
    ["AL2_x86_64", base64(karpenterAl2UserData())],
    [
      "AL2_x86_64",
      base64(
        "#!/bin/bash\nKUBELET_EXTRA_ARGS='--kube-reserved=cpu=0,token=s3cret'\nKUBELET_EXTRA_ARGS+=\"$(cat /x)\"\n",
      ),
    ],
    [
      "BOTTLEROCKET_x86_64",
      bottlerocketUserData(
        '[settings.kubernetes]\nmax-pods = 58\n[settings.kubernetes.kube-reserved]\ncpu = "0"\n',
      ),
    ],
    [
      "BOTTLEROCKET_x86_64",
      bottlerocketUserData(
        '[settings.kubernetes.eviction-hard]\n"memory.available" = "s3cret"\ntoken = "1"\n',
      ),
    ],
  ])("writes %s user data that reads back to the same settings", async (amiType, userData) => {
    // Prepare
    const original = await readKubeletConfig({ amiType, userData, maxPods: 29, vcpus: 2 });

    // Act
    const synthesized = synthesizeUserData(original);
    const again = await readKubeletConfig({ amiType, userData: synthesized, maxPods: 29, vcpus: 2 });

    // Assess
    expect(synthesized).toBeDefined();
    expect(again).toEqual(original);
    expect(Buffer.from(synthesized ?? "", "base64").toString()).not.toMatch(/s3cret|token/);
  });

  it("writes only the kubelet settings that came from user data", async () => {
    // Prepare
    const original = await readKubeletConfig({
      amiType: "AL2_x86_64",
      userData: al2UserData("--node-labels=token=hunter2 --system-reserved=memory=1Gi"),
    });

    // Act
    const text = Buffer.from(synthesizeUserData(original) ?? "", "base64").toString("utf8");

    // Assess
    expect(text).toContain("--kubelet-extra-args '--system-reserved=memory=1Gi'");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("eviction-hard");
  });

  it.each([
    ["AMI defaults only", { amiType: "AL2023_x86_64_STANDARD" }],
    ["a custom AMI", { amiType: "CUSTOM" }],
    ["unparseable user data", { amiType: "AL2_x86_64", userData: "%%%" }],
  ])("gives nothing for %s", async (_, input) => {
    // Prepare
    const reading = await readKubeletConfig(input);

    // Act
    const synthesized = synthesizeUserData(reading);

    // Assess
    expect(synthesized).toBeUndefined();
  });
});
