import { beforeEach, describe, expect, it, vi } from "vitest";
import { emptyRawRegion, type RawRegion } from "#shared/inventory/types.ts";
import { ACCOUNT, estateOf, healthySpec, REGION } from "#test/rules/ip/fixtures.ts";
import { rawRegionOf } from "#test/support/inventory.ts";

/**
 * Each test imports the modules afresh (the unit project shares modules between files, and other files load
 * the libraries): what a new Lambda container starts with.
 */
async function freshModules() {
  vi.resetModules();
  return {
    formats: await import("#shared/models/text-formats.ts"),
    assemble: await import("#shared/inventory/assemble.ts"),
    cni: await import("#shared/models/cni/config.ts"),
  };
}

const YAML_CNI = "env:\n  WARM_IP_TARGET: 3\n  MINIMUM_IP_TARGET: 12\n";

function regionWithCluster(configurationValues: string): RawRegion {
  return rawRegionOf(estateOf(healthySpec({ configurationValues })).accounts[ACCOUNT]?.regions[REGION]);
}

describe("Module: text-formats (YAML and TOML loaded on first need)", () => {
  beforeEach(() => {
    vi.resetModules();
  });

  it("a region without a cluster is assembled without loading them", async () => {
    // Prepare
    const { formats, assemble } = await freshModules();

    // Act
    const inventory = await assemble.assembleInventory(
      { accountId: ACCOUNT, region: REGION },
      emptyRawRegion(),
    );

    // Assess
    expect(inventory.clusters).toEqual([]);
    expect(() => formats.textFormats()).toThrow(/before loadTextFormats\(\) resolved/);
  });

  it("a region with a cluster loads them before its vpc-cni YAML is read", async () => {
    // Prepare
    const { formats, assemble } = await freshModules();

    // Act
    const inventory = await assemble.assembleInventory(
      { accountId: ACCOUNT, region: REGION },
      regionWithCluster(YAML_CNI),
    );

    // Assess
    const [cluster] = inventory.clusters;
    expect(cluster?.cni).toMatchObject({ source: "configurationValues", assumed: false });
    expect(cluster?.cni.settings).toMatchObject({ warmIpTarget: 3, minimumIpTarget: 12 });
    expect(formats.textFormats().yaml.stringify({ a: 1 })).toBe("a: 1\n");
  });

  it("YAML read before the load is a loud internal error, never a configuration read as unparseable", async () => {
    // Prepare
    const { cni } = await freshModules();

    // Act
    const json = cni.parseCniConfigurationValues('{"env":{"WARM_IP_TARGET":"3"}}');

    // Assess
    expect(json.settings.warmIpTarget).toBe(3);
    expect(() => cni.parseCniConfigurationValues(YAML_CNI)).toThrow(/internal error/);
  });

  it("loads once: every call returns the same libraries", async () => {
    // Prepare
    const { formats } = await freshModules();

    // Act
    const [first, second] = await Promise.all([formats.loadTextFormats(), formats.loadTextFormats()]);

    // Assess
    expect(second).toBe(first);
    expect(formats.textFormats()).toBe(first);
    expect(first.toml.stringify({ settings: { a: "b" } }).trim()).toBe('[settings]\na = "b"');
  });
});
