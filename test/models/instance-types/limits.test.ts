import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import {
  bundledInstanceTypeInfo,
  bundledInstanceTypeNames,
  bundledLimits,
  eniMaxPods,
  limitsFor,
  limitsFromInstanceTypeInfo,
} from "#shared/models/instance-types/limits.ts";

describe("Function: limitsFromInstanceTypeInfo", () => {
  it("reads DescribeInstanceTypes and computes the eni-max-pods value", () => {
    // Act
    const limits = limitsFromInstanceTypeInfo({
      InstanceType: "m5.large",
      Hypervisor: "nitro",
      BareMetal: false,
      NetworkInfo: {
        MaximumNetworkInterfaces: 3,
        Ipv4AddressesPerInterface: 10,
        Ipv6AddressesPerInterface: 10,
        DefaultNetworkCardIndex: 0,
        NetworkCards: [{ NetworkCardIndex: 0, MaximumNetworkInterfaces: 3 }],
      },
    });

    // Assess
    expect(limits).toEqual({
      instanceType: "m5.large",
      enis: 3,
      ipv4PerEni: 10,
      ipv6PerEni: 10,
      maxPods: 29,
      trunking: true,
      branchInterfaces: 9,
      hypervisor: "nitro",
      bareMetal: false,
    });
  });

  it("counts the ENIs of the default network card only (multi-card p5.48xlarge)", () => {
    // Prepare
    const info = bundledInstanceTypeInfo("p5.48xlarge");

    // Act
    const limits = info ? limitsFromInstanceTypeInfo(info) : undefined;

    // Assess
    expect(info?.NetworkInfo?.MaximumNetworkInterfaces).toBe(64);
    expect(limits?.enis).toBe(2);
    expect(limits?.maxPods).toBe(100);
  });

  it("falls back to MaximumNetworkInterfaces without network cards, and to no trunking for unknown types", () => {
    // Act
    const limits = limitsFromInstanceTypeInfo({
      InstanceType: "zz9.plural" as InstanceTypeInfo["InstanceType"],
      NetworkInfo: { MaximumNetworkInterfaces: 4, Ipv4AddressesPerInterface: 15 },
    });

    // Assess
    expect(limits).toMatchObject({
      enis: 4,
      maxPods: 58,
      trunking: false,
      hypervisor: "unknown",
      bareMetal: false,
    });
  });

  it("is undefined without network limits", () => {
    // Assess
    expect(limitsFromInstanceTypeInfo({ InstanceType: "m5.large" })).toBeUndefined();
    expect(limitsFromInstanceTypeInfo({ NetworkInfo: { Ipv4AddressesPerInterface: 10 } })).toBeUndefined();
  });
});

describe("Function: bundledLimits / bundledInstanceTypeInfo", () => {
  it("agrees with the runtime shape for every bundled type", () => {
    // Act / Assess
    const names = bundledInstanceTypeNames();
    expect(names.length).toBeGreaterThan(1000);
    for (const name of names) {
      const info = bundledInstanceTypeInfo(name);
      const fromInfo = info ? limitsFromInstanceTypeInfo(info) : undefined;
      const bundled = bundledLimits(name);
      expect({ ...fromInfo }).toEqual(bundled);
      if (bundled) expect(bundled.maxPods).toBe(eniMaxPods(bundled.enis, bundled.ipv4PerEni));
    }
  });

  it("knows nothing of made-up or inherited names", () => {
    // Assess
    expect(bundledLimits("m99.huge")).toBeUndefined();
    expect(bundledLimits("constructor")).toBeUndefined();
    expect(bundledInstanceTypeInfo("__proto__")).toBeUndefined();
  });
});

describe("Function: limitsFor", () => {
  it("reads the inventory and never guesses", () => {
    // Prepare
    const info = bundledInstanceTypeInfo("t3.medium");
    const inventory = { instanceTypes: info ? [info] : [] };

    // Act / Assess
    expect(limitsFor(inventory, "t3.medium")?.maxPods).toBe(17);
    expect(limitsFor(inventory, "m5.large")).toBeUndefined();
  });
});
