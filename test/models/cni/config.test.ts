import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CNI_DEFAULTS,
  parseCniConfigurationValues,
  prefixDelegationEnabled,
  readCniConfig,
  settingsAsEnv,
  vpcCniAddon,
  warmIpTargetsDefined,
} from "#shared/models/cni/config.ts";
import { loadTextFormats } from "#shared/models/text-formats.ts";

// YAML configurationValues need the YAML library, which the scan loads for a region with a cluster.
await loadTextFormats();

describe("Function: parseCniConfigurationValues", () => {
  it("reads a JSON env map", () => {
    // Act
    const config = parseCniConfigurationValues('{"env":{"WARM_IP_TARGET":"2","MINIMUM_IP_TARGET":"10"}}');

    // Assess
    expect(config.source).toBe("configurationValues");
    expect(config.assumed).toBe(false);
    expect(config.error).toBeUndefined();
    expect(config.settings).toEqual({ ...CNI_DEFAULTS, warmIpTarget: 2, minimumIpTarget: 10 });
  });

  it("reads YAML and normalises numbers and booleans", () => {
    // Prepare
    const yaml = [
      "env:",
      "  WARM_ENI_TARGET: 0",
      "  ENABLE_PREFIX_DELEGATION: true",
      '  WARM_PREFIX_TARGET: "2"',
      "  ENABLE_POD_ENI: 'True'",
      "  POD_SECURITY_GROUP_ENFORCING_MODE: standard",
      "  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 1",
      "  MAX_ENI: 2",
      "resources:",
      "  requests:",
      "    cpu: 25m",
    ].join("\n");

    // Act
    const config = parseCniConfigurationValues(yaml);

    // Assess
    expect(config.assumed).toBe(false);
    expect(config.settings).toEqual({
      warmEniTarget: 0,
      warmIpTarget: 0,
      minimumIpTarget: 0,
      enablePrefixDelegation: true,
      warmPrefixTarget: 2,
      enablePodEni: true,
      podSecurityGroupEnforcingMode: "standard",
      customNetworking: true,
      maxEni: 2,
    });
    expect(config.document).toMatchObject({ resources: { requests: { cpu: "25m" } } });
  });

  it("reads YAML flow style that is not JSON", () => {
    // Act
    const config = parseCniConfigurationValues("{env: {WARM_IP_TARGET: 3}}");

    // Assess
    expect(config.settings.warmIpTarget).toBe(3);
    expect(config.assumed).toBe(false);
  });

  it.each([
    "{not: json: [",
    "env: [unclosed",
    "- a\n- b",
    '"just a string"',
    "env: 5",
    "{{{{",
    "env:\n  A: 1\nenv:\n  B: 2",
  ])("falls back to the defaults for %j with assumed and an error", (text) => {
    // Act
    const config = parseCniConfigurationValues(text);

    // Assess
    expect(config.settings).toEqual(CNI_DEFAULTS);
    expect(config.assumed).toBe(true);
    expect(config.error).toEqual(expect.any(String));
  });

  it("no configurationValues: defaults, assumed, no error", () => {
    // Act
    const none = parseCniConfigurationValues(undefined);
    const blank = parseCniConfigurationValues("  \n");

    // Assess
    for (const config of [none, blank]) {
      expect(config).toMatchObject({ settings: CNI_DEFAULTS, source: "defaults", assumed: true });
      expect(config.error).toBeUndefined();
    }
  });

  it("configurationValues without env: the CNI defaults apply, read not assumed", () => {
    // Act
    const config = parseCniConfigurationValues('{"resources":{"limits":{"memory":"128Mi"}}}');

    // Assess
    expect(config).toMatchObject({ settings: CNI_DEFAULTS, source: "configurationValues", assumed: false });
  });

  // What ipamd does with odd values (pkg/ipamd/ipamd.go getWarmIPTarget, getMinimumIPTarget, getWarmENITarget,
  // getWarmPrefixTarget, getMaxENI; utils.GetBoolAsStringEnvVar = strconv.ParseBool, ipamd_test.go
  // TestGetWarmENITarget / TestGetWarmPrefixTarget).
  describe("odd values, read as ipamd reads them", () => {
    it.each([
      { key: "WARM_IP_TARGET", value: "5", field: "warmIpTarget", expected: 5, error: false },
      { key: "WARM_IP_TARGET", value: "0", field: "warmIpTarget", expected: 0, error: false },
      { key: "WARM_IP_TARGET", value: "-1", field: "warmIpTarget", expected: 0, error: true },
      { key: "WARM_IP_TARGET", value: "non-integer-string", field: "warmIpTarget", expected: 0, error: true },
      { key: "WARM_IP_TARGET", value: "2.5", field: "warmIpTarget", expected: 0, error: true },
      { key: "WARM_IP_TARGET", value: " 2", field: "warmIpTarget", expected: 0, error: true },
      { key: "WARM_IP_TARGET", value: "+3", field: "warmIpTarget", expected: 3, error: false },
      { key: "MINIMUM_IP_TARGET", value: "-4", field: "minimumIpTarget", expected: 0, error: true },
      { key: "WARM_ENI_TARGET", value: "0", field: "warmEniTarget", expected: 0, error: false },
      { key: "WARM_ENI_TARGET", value: "-1", field: "warmEniTarget", expected: 1, error: true },
      { key: "WARM_ENI_TARGET", value: "two", field: "warmEniTarget", expected: 1, error: true },
      { key: "WARM_PREFIX_TARGET", value: "5", field: "warmPrefixTarget", expected: 5, error: false },
      {
        key: "WARM_PREFIX_TARGET",
        value: "non-integer-string",
        field: "warmPrefixTarget",
        expected: 0,
        error: true,
      },
      { key: "WARM_PREFIX_TARGET", value: "-2", field: "warmPrefixTarget", expected: 0, error: true },
      {
        key: "ENABLE_PREFIX_DELEGATION",
        value: "1",
        field: "enablePrefixDelegation",
        expected: true,
        error: false,
      },
      {
        key: "ENABLE_PREFIX_DELEGATION",
        value: "TRUE",
        field: "enablePrefixDelegation",
        expected: true,
        error: false,
      },
      {
        key: "ENABLE_PREFIX_DELEGATION",
        value: "yes",
        field: "enablePrefixDelegation",
        expected: false,
        error: true,
      },
      {
        key: "ENABLE_PREFIX_DELEGATION",
        value: "",
        field: "enablePrefixDelegation",
        expected: false,
        error: true,
      },
      { key: "ENABLE_POD_ENI", value: "f", field: "enablePodEni", expected: false, error: false },
      { key: "MAX_ENI", value: "0", field: "maxEni", expected: undefined, error: false },
      { key: "MAX_ENI", value: "-1", field: "maxEni", expected: undefined, error: false },
      { key: "MAX_ENI", value: "x", field: "maxEni", expected: undefined, error: true },
      {
        key: "POD_SECURITY_GROUP_ENFORCING_MODE",
        value: "loose",
        field: "podSecurityGroupEnforcingMode",
        expected: "strict",
        error: true,
      },
    ] as const)("$key=$value → $field $expected", ({ key, value, field, expected, error }) => {
      // Act
      const config = parseCniConfigurationValues(JSON.stringify({ env: { [key]: value } }));

      // Assess
      expect(config.settings[field]).toBe(expected);
      expect(config.assumed).toBe(error);
      if (error) expect(config.error).toContain(key);
      else expect(config.error).toBeUndefined();
    });

    it("a value that is neither string, number nor boolean is named in the error", () => {
      // Act
      const config = parseCniConfigurationValues(
        '{"env":{"WARM_IP_TARGET":{"a":1},"MINIMUM_IP_TARGET":"4"}}',
      );

      // Assess
      expect(config.settings.warmIpTarget).toBe(0);
      expect(config.settings.minimumIpTarget).toBe(4);
      expect(config.assumed).toBe(true);
      expect(config.error).toContain("WARM_IP_TARGET");
    });

    it("env that is not a mapping falls back to the defaults", () => {
      // Act
      const config = parseCniConfigurationValues('{"env":["WARM_IP_TARGET=2"]}');

      // Assess
      expect(config).toMatchObject({ settings: CNI_DEFAULTS, assumed: true });
      expect(config.error).toContain("env");
    });
  });

  it("never throws on arbitrary text (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        // Act
        const config = parseCniConfigurationValues(text);

        // Assess
        expect(["configurationValues", "defaults"]).toContain(config.source);
        expect(typeof config.settings.warmEniTarget).toBe("number");
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary JSON and env values, and keeps every number sane (property)", () => {
    const envValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.jsonValue(),
    );
    const key = fc.constantFrom(
      "WARM_ENI_TARGET",
      "WARM_IP_TARGET",
      "MINIMUM_IP_TARGET",
      "ENABLE_PREFIX_DELEGATION",
      "WARM_PREFIX_TARGET",
      "ENABLE_POD_ENI",
      "MAX_ENI",
      "__proto__",
      "constructor",
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ env: fc.dictionary(key, envValue) })), (doc) => {
        // Act
        const config = parseCniConfigurationValues(JSON.stringify(doc));

        // Assess
        const s = config.settings;
        for (const n of [s.warmEniTarget, s.warmIpTarget, s.minimumIpTarget, s.warmPrefixTarget]) {
          expect(Number.isInteger(n) && n >= 0).toBe(true);
        }
        if (s.maxEni !== undefined) expect(s.maxEni).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });
});

describe("Function: readCniConfig", () => {
  it("no vpc-cni add-on: self-managed aws-node, defaults assumed with a note", () => {
    // Act
    const config = readCniConfig(undefined);

    // Assess
    expect(config).toMatchObject({ settings: CNI_DEFAULTS, source: "defaults", assumed: true });
    expect(config.note).toContain("self-managed aws-node");
  });

  it("reads the add-on's configurationValues", () => {
    // Act
    const config = readCniConfig({
      addonName: "vpc-cni",
      configurationValues: "env:\n  WARM_IP_TARGET: '1'\n",
    });

    // Assess
    expect(config.settings.warmIpTarget).toBe(1);
    expect(warmIpTargetsDefined(config.settings)).toBe(true);
  });

  it("finds the vpc-cni add-on and tells the collector about prefix delegation", () => {
    // Prepare
    const addons = [
      { addonName: "coredns" },
      { addonName: "vpc-cni", configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}' },
    ];

    // Act
    const addon = vpcCniAddon(addons);

    // Assess
    expect(addon?.addonName).toBe("vpc-cni");
    expect(prefixDelegationEnabled(addon)).toBe(true);
    expect(prefixDelegationEnabled(undefined)).toBe(false);
  });

  it("shows the settings as env values for evidence", () => {
    // Act
    const env = settingsAsEnv({ ...CNI_DEFAULTS, minimumIpTarget: 10, maxEni: 2 });

    // Assess
    expect(env).toEqual({
      WARM_ENI_TARGET: "1",
      MINIMUM_IP_TARGET: "10",
      ENABLE_PREFIX_DELEGATION: "false",
      WARM_PREFIX_TARGET: "1",
      ENABLE_POD_ENI: "false",
      AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: "false",
      MAX_ENI: "2",
    });
  });
});
