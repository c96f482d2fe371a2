import { describe, expect, it } from "vitest";
import { cpuMillicoresToReserve, readKubeletConfig } from "#shared/models/kubelet/index.ts";
import {
  al2UserData,
  al2023UserData,
  base64,
  bottlerocketUserData,
  mimeMessage,
  nodeConfig,
  nodeConfigPart,
  shellPart,
} from "./user-data.ts";

const AL2 = "AL2_x86_64";
const AL2023 = "AL2023_x86_64_STANDARD";
const BOTTLEROCKET = "BOTTLEROCKET_x86_64";
/** m5.large: 29 pods (eni-max-pods), 2 vCPUs → kubeReserved memory 574Mi, cpu 70m. */
const M5_LARGE = { maxPods: 29, vcpus: 2 };

describe("Function: readKubeletConfig", () => {
  describe("AMI defaults", () => {
    it("gives the bootstrap.sh defaults for AL2 without user data", async () => {
      // Act
      const reading = await readKubeletConfig({ amiType: AL2, ...M5_LARGE });

      // Assess
      expect(reading).toEqual({
        family: "AL2",
        known: true,
        evictionHard: {
          value: { "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%" },
          source: "ami-default",
        },
        kubeReserved: {
          value: { cpu: "70m", "ephemeral-storage": "1Gi", memory: "574Mi" },
          source: "ami-default",
        },
        systemReserved: { source: "ami-default" },
        basis: { maxPods: 29, maxPodsFrom: "instance-type", vcpus: 2 },
      });
    });

    it("gives the nodeadm defaults for AL2023 with no launch template", async () => {
      // Act
      const reading = await readKubeletConfig({ amiType: "AL2023_ARM_64_STANDARD" });

      // Assess
      expect(reading.family).toBe("AL2023");
      expect(reading.evictionHard.value).toEqual({
        "memory.available": "100Mi",
        "nodefs.available": "10%",
        "nodefs.inodesFree": "5%",
      });
      expect(reading.kubeReserved).toEqual({ value: { "ephemeral-storage": "1Gi" }, source: "ami-default" });
      expect(reading.systemReserved).toEqual({ source: "ami-default" });
      expect(reading.parseError).toBeUndefined();
    });

    it("leaves Bottlerocket evictionHard and systemReserved unset but always reserves for the kubelet", async () => {
      // Act
      const reading = await readKubeletConfig({ amiType: BOTTLEROCKET, ...M5_LARGE });

      // Assess
      expect(reading.evictionHard).toEqual({ source: "ami-default" });
      expect(reading.systemReserved).toEqual({ source: "ami-default" });
      expect(reading.kubeReserved.value).toEqual({ cpu: "70m", "ephemeral-storage": "1Gi", memory: "574Mi" });
    });

    it("follows the CPU ladder: 6 % of core 1, 1 % of core 2, 0.5 % of cores 3–4, 0.25 % above", () => {
      // Act
      const ladder = [1, 2, 4, 8, 16, 96].map(cpuMillicoresToReserve);

      // Assess
      expect(ladder).toEqual([60, 70, 80, 90, 110, 310]);
    });
  });

  describe("AL2 (bootstrap.sh)", () => {
    it("reads --kubelet-extra-args of bootstrap.sh in a MIME shell part", async () => {
      // Prepare
      const userData = al2UserData(
        "--node-labels=team=a --eviction-hard=memory.available<200Mi,nodefs.available<10% --system-reserved=cpu=250m,memory=1Gi",
      );

      // Act
      const reading = await readKubeletConfig({ amiType: AL2, userData, ...M5_LARGE });

      // Assess
      expect(reading.via).toBe("bootstrap.sh --kubelet-extra-args");
      expect(reading.evictionHard).toEqual({
        value: { "memory.available": "200Mi", "nodefs.available": "10%" },
        source: "user-data",
        userDataKeys: ["memory.available", "nodefs.available"],
      });
      expect(reading.systemReserved).toEqual({
        value: { cpu: "250m", memory: "1Gi" },
        source: "user-data",
        userDataKeys: ["cpu", "memory"],
      });
      expect(reading.kubeReserved.source).toBe("ami-default");
      expect(reading.parseError).toBeUndefined();
    });

    it("reads double-quoted args and space-separated flag values from a bare shell script", async () => {
      // Prepare
      const script = `#!/bin/bash\n/etc/eks/bootstrap.sh prod --kubelet-extra-args "--kube-reserved cpu=0,memory=0 --max-pods=20"\n`;

      // Act
      const reading = await readKubeletConfig({ amiType: AL2, userData: base64(script) });

      // Assess
      expect(reading.kubeReserved).toEqual({
        value: { cpu: "0", memory: "0" },
        source: "user-data",
        userDataKeys: ["cpu", "memory"],
      });
    });

    it("reads KUBELET_EXTRA_ARGS assignments, the sed form included", async () => {
      // Prepare
      const script = [
        "#!/bin/bash",
        `sed -i '/^KUBELET_EXTRA_ARGS=/a KUBELET_EXTRA_ARGS+=" --eviction-hard memory.available<1Gi --system-reserved cpu=500m,memory=1000Mi"' /etc/eks/bootstrap.sh`,
      ].join("\n");
      const userData = base64(mimeMessage([shellPart(script)]));

      // Act
      const reading = await readKubeletConfig({ amiType: AL2, userData });

      // Assess
      expect(reading.via).toBe("KUBELET_EXTRA_ARGS");
      expect(reading.evictionHard.value).toEqual({ "memory.available": "1Gi" });
      expect(reading.systemReserved.value).toEqual({ cpu: "500m", memory: "1000Mi" });
    });

    it("resolves a variable assigned literally in the script", async () => {
      // Prepare
      const script = `#!/bin/bash\nARGS='--system-reserved=memory=300Mi'\n/etc/eks/bootstrap.sh prod --kubelet-extra-args "$ARGS"\n`;

      // Act
      const reading = await readKubeletConfig({ amiType: AL2, userData: base64(script) });

      // Assess
      expect(reading.systemReserved.value).toEqual({ memory: "300Mi" });
      expect(reading.notes).toBeUndefined();
    });

    it("notes --kubelet-extra-args it cannot resolve instead of guessing", async () => {
      // Prepare
      const script = `#!/bin/bash\nX=$(curl -s http://config/args)\n/etc/eks/bootstrap.sh prod --kubelet-extra-args "$X"\n`;

      // Act
      const reading = await readKubeletConfig({ amiType: AL2, userData: base64(script) });

      // Assess
      expect(reading.notes).toEqual([
        expect.stringContaining("--kubelet-extra-args refers to a shell variable"),
      ]);
      expect(reading.systemReserved.source).toBe("ami-default");
      expect(reading.parseError).toBeUndefined();
    });

    it("gives the defaults when the shell part does not touch the kubelet", async () => {
      // Prepare
      const userData = base64(mimeMessage([shellPart("#!/bin/bash\nyum install -y htop\n")]));

      // Act
      const reading = await readKubeletConfig({ amiType: AL2, userData });

      // Assess
      expect(reading.evictionHard.source).toBe("ami-default");
      expect(reading.via).toBeUndefined();
      expect(reading.parseError).toBeUndefined();
    });
  });

  describe("AL2023 (nodeadm NodeConfig)", () => {
    it("reads spec.kubelet.config maps and lets spec.kubelet.flags win", async () => {
      // Prepare
      const userData = al2023UserData(
        [
          "    config:",
          "      evictionHard:",
          "        memory.available: 500Mi",
          "      systemReserved:",
          "        cpu: 100m",
          "    flags:",
          "      - --node-labels=team=a",
          "      - --system-reserved=cpu=200m,memory=600Mi",
          "",
        ].join("\n"),
        [shellPart("#!/bin/bash\necho hello\n")],
      );

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData, ...M5_LARGE });

      // Assess
      expect(reading.via).toBe("nodeadm NodeConfig");
      expect(reading.evictionHard).toEqual({
        value: { "memory.available": "500Mi" },
        source: "user-data",
        userDataKeys: ["memory.available"],
      });
      expect(reading.systemReserved.value).toEqual({ cpu: "200m", memory: "600Mi" });
      expect(reading.kubeReserved.source).toBe("ami-default");
    });

    it("merges several NodeConfig parts in order", async () => {
      // Prepare
      const first = nodeConfig(
        "    config:\n      evictionHard:\n        memory.available: 300Mi\n        nodefs.available: 5%\n",
      );
      const second = nodeConfig(
        "    config:\n      evictionHard:\n        nodefs.available: 12%\n      kubeReserved:\n        memory: 0Mi\n",
      );
      const userData = base64(mimeMessage([nodeConfigPart(first), nodeConfigPart(second)]));

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData });

      // Assess
      expect(reading.evictionHard.value).toEqual({ "memory.available": "300Mi", "nodefs.available": "12%" });
      expect(reading.kubeReserved).toEqual({
        value: { memory: "0Mi" },
        source: "user-data",
        userDataKeys: ["memory"],
      });
    });

    it("reads an empty kubeReserved map as set by user data", async () => {
      // Prepare
      const userData = al2023UserData("    config:\n      kubeReserved: {}\n");

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData });

      // Assess
      expect(reading.kubeReserved).toEqual({ value: {}, source: "user-data", userDataKeys: [] });
    });

    it("reads a bare NodeConfig document", async () => {
      // Prepare
      const userData = base64(nodeConfig("    config:\n      systemReserved:\n        memory: 1Gi\n"));

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData });

      // Assess
      expect(reading.systemReserved.value).toEqual({ memory: "1Gi" });
    });

    it("names the line of a YAML error, not its text", async () => {
      // Prepare
      const userData = base64(
        mimeMessage([nodeConfigPart("kind: NodeConfig\nspec:\n  kubelet: [unclosed\n")]),
      );

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData });

      // Assess
      expect(reading.parseError).toMatch(/^NodeConfig part 1 is not valid YAML at line \d+$/);
      expect(reading.evictionHard.source).toBe("ami-default");
    });
  });

  describe("Bottlerocket (settings.kubernetes)", () => {
    it("reads eviction-hard, kube-reserved and system-reserved tables", async () => {
      // Prepare
      const userData = bottlerocketUserData(
        [
          "[settings.kubernetes]",
          'cluster-name = "prod"',
          "",
          "[settings.kubernetes.eviction-hard]",
          '"memory.available" = "15%"',
          "",
          "[settings.kubernetes.kube-reserved]",
          'memory = "0"',
          "",
          "[settings.kubernetes.system-reserved]",
          'cpu = "10m"',
          'memory = "100Mi"',
          "",
        ].join("\n"),
      );

      // Act
      const reading = await readKubeletConfig({ amiType: BOTTLEROCKET, userData, ...M5_LARGE });

      // Assess
      expect(reading.via).toBe("settings.kubernetes");
      expect(reading.evictionHard).toEqual({
        value: { "memory.available": "15%" },
        source: "user-data",
        userDataKeys: ["memory.available"],
      });
      expect(reading.kubeReserved).toEqual({
        value: { cpu: "70m", "ephemeral-storage": "1Gi", memory: "0" },
        source: "user-data",
        userDataKeys: ["memory"],
      });
      expect(reading.systemReserved.value).toEqual({ cpu: "10m", memory: "100Mi" });
    });

    it("computes kubeReserved memory from settings.kubernetes.max-pods", async () => {
      // Prepare
      const userData = bottlerocketUserData("[settings.kubernetes]\nmax-pods = 110\n");

      // Act
      const reading = await readKubeletConfig({ amiType: BOTTLEROCKET, userData, ...M5_LARGE });

      // Assess
      expect(reading.kubeReserved.value?.memory).toBe("1465Mi");
      expect(reading.basis?.maxPodsFrom).toBe("user-data");
    });

    it("reads unquoted dotted keys as the same thresholds", async () => {
      // Prepare
      const userData = bottlerocketUserData(
        '[settings.kubernetes.eviction-hard]\nmemory.available = "300Mi"\n',
      );

      // Act
      const reading = await readKubeletConfig({ amiType: BOTTLEROCKET, userData });

      // Assess
      expect(reading.evictionHard.value).toEqual({ "memory.available": "300Mi" });
    });
  });

  describe("custom and unreadable AMIs", () => {
    it.each([
      ["amiType CUSTOM", { amiType: "CUSTOM" }],
      [
        "an ImageId in the launch template",
        { amiType: AL2023, customImage: true, userData: al2023UserData("    config: {}\n") },
      ],
    ])("reports nothing known for %s", async (_, input) => {
      // Act
      const reading = await readKubeletConfig(input);

      // Assess
      expect(reading).toEqual({
        family: "CUSTOM",
        known: false,
        unknownReason: "custom-ami",
        evictionHard: { source: "unknown" },
        kubeReserved: { source: "unknown" },
        systemReserved: { source: "unknown" },
      });
    });

    it("does not read Windows node groups", async () => {
      // Act
      const reading = await readKubeletConfig({ amiType: "WINDOWS_CORE_2022_x86_64" });

      // Assess
      expect(reading).toMatchObject({ family: "WINDOWS", known: false, unknownReason: "windows" });
    });

    it("reports nothing known for an amiType it does not know and user data that names no family", async () => {
      // Act
      const reading = await readKubeletConfig({
        amiType: "SOMETHING_NEW",
        userData: base64("#cloud-config\n"),
      });

      // Assess
      expect(reading).toMatchObject({ known: false, unknownReason: "ami-type-unknown" });
    });

    it("recognises the family from user data when the node group reports no amiType", async () => {
      // Act
      const reading = await readKubeletConfig({ userData: al2023UserData("    config: {}\n") });

      // Assess
      expect(reading.family).toBe("AL2023");
      expect(reading.known).toBe(true);
    });
  });

  describe("broken user data", () => {
    const mime = base64(
      mimeMessage([
        shellPart("#!/bin/bash\n/etc/eks/bootstrap.sh prod --kubelet-extra-args '--system-reserved=cpu=1'\n"),
      ]),
    );
    const cases: [string, string, string, RegExp][] = [
      ["non-base64", AL2, "this is not base64!", /not valid base64/],
      ["truncated base64", AL2, mime.slice(0, 101), /truncated/],
      [
        "a MIME message cut short",
        AL2,
        base64(Buffer.from(mime, "base64").toString().slice(0, 150)),
        /truncated/,
      ],
      ["binary garbage", AL2023, Buffer.from([0, 1, 2, 255, 254, 0]).toString("base64"), /not UTF-8|binary/],
      ["text that is neither MIME nor a script", AL2, base64("hello world"), /neither/],
      ["text that is no NodeConfig", AL2023, base64("just: [some yaml"), /neither/],
      ["broken TOML", BOTTLEROCKET, base64("[settings.kubernetes\nx = "), /not valid TOML at line \d+/],
      [
        "gzip that does not inflate",
        AL2,
        Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]).toString("base64"),
        /gzip/,
      ],
    ];

    it.each(cases)("gives the AMI defaults and parseError for %s", async (_, amiType, userData, message) => {
      // Act
      const reading = await readKubeletConfig({ amiType, userData });

      // Assess
      expect(reading.known).toBe(true);
      expect(reading.parseError).toMatch(message);
      expect(reading.systemReserved).toEqual({ source: "ami-default" });
    });
  });
});
