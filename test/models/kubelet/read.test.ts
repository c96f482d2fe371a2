import { describe, expect, it } from "vitest";
import { cpuMillicoresToReserve, readKubeletConfig, UNREADABLE_VALUE } from "#shared/models/kubelet/index.ts";
import {
  al2UserData,
  al2023UserData,
  base64,
  bottlerocketUserData,
  karpenterAl2UserData,
  karpenterAl2023UserData,
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
const AMI = "ami-default";

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
          sources: { "memory.available": AMI, "nodefs.available": AMI, "nodefs.inodesFree": AMI },
          source: "ami-default",
        },
        kubeReserved: {
          value: { cpu: "70m", "ephemeral-storage": "1Gi", memory: "574Mi" },
          sources: { cpu: AMI, "ephemeral-storage": AMI, memory: AMI },
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
      expect(reading.kubeReserved).toEqual({
        value: { "ephemeral-storage": "1Gi" },
        sources: { "ephemeral-storage": AMI },
        source: "ami-default",
      });
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
        sources: { "memory.available": "flag", "nodefs.available": "flag" },
        source: "user-data",
        replacedBy: "flag",
      });
      expect(reading.systemReserved).toEqual({
        value: { cpu: "250m", memory: "1Gi" },
        sources: { cpu: "flag", memory: "flag" },
        source: "user-data",
        replacedBy: "flag",
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
        sources: { cpu: "flag", memory: "flag" },
        source: "user-data",
        replacedBy: "flag",
      });
    });

    it("adds up repeated flags, as the kubelet's map flags do, and replaces the AMI's map with them", async () => {
      // Prepare
      const userData = al2UserData(
        "--eviction-hard=memory.available<1Gi --eviction-hard nodefs.available<15%,imagefs.available<20% --kube-reserved=",
      );

      // Act
      const reading = await readKubeletConfig({ amiType: AL2, userData, ...M5_LARGE });

      // Assess
      expect(reading.evictionHard.value).toEqual({
        "imagefs.available": "20%",
        "memory.available": "1Gi",
        "nodefs.available": "15%",
      });
      expect(reading.kubeReserved).toEqual({
        value: {},
        sources: {},
        source: "user-data",
        replacedBy: "flag",
      });
    });

    it("counts unknown keys and pairs without a separator, and marks values that are no quantity", async () => {
      // Prepare
      const userData = al2UserData(
        "--eviction-hard=memory.available<s3cr3t,token<5%,nodefs.available --system-reserved=memory=1Gi,apikey=abc",
      );

      // Act
      const reading = await readKubeletConfig({ amiType: AL2, userData });

      // Assess
      expect(reading.evictionHard).toMatchObject({
        value: { "memory.available": UNREADABLE_VALUE },
        unreadableEntries: 2,
      });
      expect(reading.systemReserved).toMatchObject({ value: { memory: "1Gi" }, unreadableEntries: 1 });
      expect(JSON.stringify(reading)).not.toMatch(/s3cr3t|token|apikey|abc/);
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
    it("merges spec.kubelet.config maps key by key into nodeadm's own, as the kubelet merges its drop-in", async () => {
      // Prepare
      const userData = al2023UserData(
        [
          "    config:",
          "      evictionHard:",
          "        memory.available: 300Mi",
          "      kubeReserved:",
          "        memory: 0",
          "      systemReserved:",
          "        cpu: 100m",
          "",
        ].join("\n"),
        [shellPart("#!/bin/bash\necho hello\n")],
      );

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData, ...M5_LARGE });

      // Assess
      expect(reading.via).toBe("nodeadm NodeConfig");
      expect(reading.evictionHard).toEqual({
        value: { "memory.available": "300Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%" },
        sources: { "memory.available": "user-config", "nodefs.available": AMI, "nodefs.inodesFree": AMI },
        source: "user-data",
      });
      expect(reading.kubeReserved).toEqual({
        value: { cpu: "70m", "ephemeral-storage": "1Gi", memory: "0" },
        sources: { cpu: AMI, "ephemeral-storage": AMI, memory: "user-config" },
        source: "user-data",
      });
      expect(reading.systemReserved).toEqual({
        value: { cpu: "100m" },
        sources: { cpu: "user-config" },
        source: "user-data",
      });
    });

    it("changes nothing for empty config maps", async () => {
      // Prepare
      const userData = al2023UserData("    config:\n      kubeReserved: {}\n      evictionHard: {}\n");

      // Act
      const [reading, stock] = await Promise.all([
        readKubeletConfig({ amiType: AL2023, userData, ...M5_LARGE }),
        readKubeletConfig({ amiType: AL2023, ...M5_LARGE }),
      ]);

      // Assess
      expect(reading.kubeReserved).toEqual(stock.kubeReserved);
      expect(reading.evictionHard).toEqual(stock.evictionHard);
      expect(reading.kubeReserved.source).toBe("ami-default");
    });

    it("lets spec.kubelet.flags replace the whole map, and adds up repeated flags", async () => {
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
          "      - --eviction-hard=memory.available<200Mi",
          "      - --eviction_hard=nodefs.available<5%",
          "      - --kube-reserved=",
          "",
        ].join("\n"),
      );

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData, ...M5_LARGE });

      // Assess
      expect(reading.evictionHard).toEqual({
        value: { "memory.available": "200Mi", "nodefs.available": "5%" },
        sources: { "memory.available": "flag", "nodefs.available": "flag" },
        source: "user-data",
        replacedBy: "flag",
      });
      expect(reading.kubeReserved).toEqual({
        value: {},
        sources: {},
        source: "user-data",
        replacedBy: "flag",
      });
      expect(reading.systemReserved.sources).toEqual({ cpu: "user-config" });
    });

    it("merges several NodeConfig parts in order: a later value wins, null gives the AMI's value back", async () => {
      // Prepare
      const first = nodeConfig(
        "    config:\n      evictionHard:\n        memory.available: 300Mi\n        nodefs.available: 5%\n      systemReserved:\n        memory: 1Gi\n",
      );
      const second = nodeConfig(
        "    config:\n      evictionHard:\n        nodefs.available: 12%\n        memory.available: null\n      systemReserved: null\n",
      );
      const userData = base64(mimeMessage([nodeConfigPart(first), nodeConfigPart(second)]));

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData });

      // Assess
      expect(reading.evictionHard.value).toEqual({
        "memory.available": "100Mi",
        "nodefs.available": "12%",
        "nodefs.inodesFree": "5%",
      });
      expect(reading.evictionHard.sources?.["nodefs.available"]).toBe("user-config");
      expect(reading.evictionHard.sources?.["memory.available"]).toBe(AMI);
      expect(reading.systemReserved).toEqual({ source: "ami-default" });
    });

    it("reads only the first YAML document of a part, as nodeadm decodes one object per part", async () => {
      // Prepare
      const part = `${nodeConfig("    config:\n      systemReserved:\n        memory: 1Gi\n")}---\n${nodeConfig("    config:\n      systemReserved:\n        memory: 2Gi\n")}`;
      const userData = base64(mimeMessage([nodeConfigPart(part)]));

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData });

      // Assess
      expect(reading.systemReserved.value).toEqual({ memory: "1Gi" });
    });

    it("reads a bare NodeConfig document", async () => {
      // Prepare
      const userData = base64(nodeConfig("    config:\n      systemReserved:\n        memory: 1Gi\n"));

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData });

      // Assess
      expect(reading.systemReserved.value).toEqual({ memory: "1Gi" });
    });

    it("keeps only known keys and quantities: the rest is counted or marked unreadable, never copied", async () => {
      // Prepare
      const userData = al2023UserData(
        [
          "    config:",
          "      evictionHard:",
          "        memory.available: hunter2",
          "        token-hunter3: 5%",
          "      kubeReserved:",
          "        memory: [1, 2]",
          "        cpu: 1e3",
          "      systemReserved: not-a-map",
          "    flags:",
          "      - --system-reserved=cpu=100m,hunter4",
          "",
        ].join("\n"),
      );

      // Act
      const reading = await readKubeletConfig({ amiType: AL2023, userData, ...M5_LARGE });

      // Assess
      expect(reading.evictionHard.value?.["memory.available"]).toBe(UNREADABLE_VALUE);
      expect(reading.evictionHard.unreadableEntries).toBe(1);
      expect(reading.kubeReserved.value).toMatchObject({ memory: UNREADABLE_VALUE, cpu: "1000" });
      expect(reading.systemReserved).toMatchObject({ value: { cpu: "100m" }, unreadableEntries: 1 });
      expect(JSON.stringify(reading)).not.toMatch(/hunter/);
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

  describe("Karpenter user data (aws/karpenter-provider-aws bootstrap)", () => {
    it("reads AL2023 user data as nodeadm.go writes it: the user's parts first, Karpenter's NodeConfig last", async () => {
      // Prepare: pkg/providers/amifamily/bootstrap/nodeadm.go `Script`, shaped like testdata/al2023_mime_userdata_merged.golden
      const userData = base64(karpenterAl2023UserData());

      // Act
      const reading = await readKubeletConfig({ userData, ...M5_LARGE });

      // Assess: Karpenter's memory.available wins over the user's, the user's nodefs.available and the AMI's inodes stay
      expect(reading).toMatchObject({ family: "AL2023", via: "nodeadm NodeConfig" });
      expect(reading.parseError).toBeUndefined();
      expect(reading.evictionHard).toEqual({
        value: { "memory.available": "5%", "nodefs.available": "15%", "nodefs.inodesFree": "5%" },
        sources: {
          "memory.available": "user-config",
          "nodefs.available": "user-config",
          "nodefs.inodesFree": AMI,
        },
        source: "user-data",
      });
      expect(reading.kubeReserved.value).toEqual({
        cpu: "200m",
        "ephemeral-storage": "1Gi",
        memory: "574Mi",
      });
      expect(reading.systemReserved.value).toEqual({
        cpu: "100m",
        "ephemeral-storage": "1Gi",
        memory: "100Mi",
      });
    });

    it("reads AL2 user data as eksbootstrap.go writes it: EC2NodeClass kubelet settings become flags", async () => {
      // Prepare: pkg/providers/amifamily/bootstrap/eksbootstrap.go `eksBootstrapScript`, `mergeCustomUserData`
      const userData = base64(karpenterAl2UserData());

      // Act
      const reading = await readKubeletConfig({ userData, ...M5_LARGE });

      // Assess
      expect(reading).toMatchObject({ family: "AL2", via: "bootstrap.sh --kubelet-extra-args" });
      expect(reading.evictionHard).toEqual({
        value: { "memory.available": "5%" },
        sources: { "memory.available": "flag" },
        source: "user-data",
        replacedBy: "flag",
      });
      expect(reading.systemReserved.value).toEqual({ cpu: "100m", memory: "100Mi" });
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
        sources: { "memory.available": "user-config" },
        source: "user-data",
        replacedBy: "user-config",
      });
      expect(reading.kubeReserved).toEqual({
        value: { cpu: "70m", "ephemeral-storage": "1Gi", memory: "0" },
        sources: { cpu: AMI, "ephemeral-storage": AMI, memory: "user-config" },
        source: "user-data",
      });
      expect(reading.systemReserved.value).toEqual({ cpu: "10m", memory: "100Mi" });
    });

    it("keeps only the kube-reserved keys the template renders", async () => {
      // Prepare
      const userData = bottlerocketUserData(
        '[settings.kubernetes.kube-reserved]\ncpu = "1"\npid = "100"\n[settings.kubernetes.system-reserved]\nmemory = "lots"\n',
      );

      // Act
      const reading = await readKubeletConfig({ amiType: BOTTLEROCKET, userData, ...M5_LARGE });

      // Assess
      expect(reading.kubeReserved).toMatchObject({
        value: { cpu: "1", "ephemeral-storage": "1Gi", memory: "574Mi" },
        unreadableEntries: 1,
      });
      expect(reading.systemReserved).toMatchObject({
        value: { memory: UNREADABLE_VALUE },
        replacedBy: "user-config",
      });
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
