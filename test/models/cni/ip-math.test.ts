import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CNI_DEFAULTS, type CniSettings } from "#shared/models/cni/config.ts";
import {
  freeAlignedPrefixBlocks,
  fullCost,
  fullPods,
  heldInSubnet,
  launchCost,
  nodeIpCost,
  nodesThatFit,
  podEniSlots,
  podIpCapacity,
  usableAddresses,
} from "#shared/models/cni/ip-math.ts";
import { parseIpv4, parseIpv4Cidr } from "#shared/models/cni/ipv4.ts";
import { bundledLimits, type InstanceNetworkLimits } from "#shared/models/instance-types/limits.ts";

function limits(name: string): InstanceNetworkLimits {
  const l = bundledLimits(name);
  if (!l) throw new Error(`no bundled limits for ${name}`);
  return l;
}

function settings(overrides: Partial<CniSettings> = {}): CniSettings {
  return { ...CNI_DEFAULTS, ...overrides };
}

/** A synthetic instance like the CNI unit tests build: `maxIPsPerENI` pod addresses on each of `maxEni` ENIs. */
function synthetic(maxIPsPerENI: number, maxEni: number, maxPods = 500): InstanceNetworkLimits {
  return {
    instanceType: "test.synthetic",
    enis: maxEni,
    ipv4PerEni: maxIPsPerENI + 1,
    maxPods,
    trunking: false,
    branchInterfaces: 0,
    hypervisor: "nitro",
    bareMetal: false,
  };
}

describe("Function: nodeIpCost", () => {
  describe("m5.large with CNI defaults (vpc-cni-ip-math.md)", () => {
    it.each([
      { pods: 0, ips: 10, enis: 1 },
      { pods: 1, ips: 20, enis: 2 },
      { pods: 9, ips: 20, enis: 2 },
      { pods: 10, ips: 30, enis: 3 },
      { pods: 20, ips: 30, enis: 3 },
      { pods: 27, ips: 30, enis: 3 },
      { pods: 29, ips: 30, enis: 3 },
    ])("holds $ips IPs with $pods IP-consuming pods", ({ pods, ips, enis }) => {
      // Prepare
      const m5 = limits("m5.large");

      // Act
      const cost = nodeIpCost(m5, settings(), { pods });

      // Assess
      expect(cost.maxPods).toBe(29);
      expect(cost.ips).toEqual({ nodeSubnet: ips, eniConfigSubnet: 0, total: ips });
      expect(cost.enis).toBe(enis);
      expect(cost.prefixes).toBe(0);
    });

    it("explains the launch cost with its numbers", () => {
      // Act
      const cost = nodeIpCost(limits("m5.large"), settings(), { pods: 1 });

      // Assess
      expect(cost.formula).toBe("E = ceil(1/9) + 1 = 2 ENIs × 10 IPv4 = 20");
    });

    it("prints exactly the ip-cost JSON shape", () => {
      // Act
      const cost = nodeIpCost(limits("m5.large"), settings(), { pods: 1 });

      // Assess
      expect(Object.keys(cost).sort()).toEqual(
        ["enis", "formula", "instanceType", "ips", "maxPods", "pods", "prefixes"].sort(),
      );
      expect(Object.keys(cost.ips)).toEqual(["nodeSubnet", "eniConfigSubnet", "total"]);
      expect(cost).toMatchObject({ instanceType: "m5.large", pods: 1, maxPods: 29, enis: 2, prefixes: 0 });
    });

    it("says when the cap binds", () => {
      // Act
      const cost = nodeIpCost(limits("m5.large"), settings(), { pods: 27 });

      // Assess
      expect(cost.formula).toContain("capped at 3 (Eipam 3)");
    });
  });

  // aws/amazon-vpc-cni-k8s docs/eni-and-ip-target.md, "Some example cases": node holds ENIs + secondary IPs.
  describe("docs/eni-and-ip-target.md example table", () => {
    it.each([
      { type: "t3.small", W: 1, a: 0, m: 0, pods: 0, enis: 1, secondary: 3 },
      { type: "t3.small", W: 1, a: 0, m: 0, pods: 5, enis: 3, secondary: 9 },
      { type: "t3.small", W: 1, a: 0, m: 0, pods: 9, enis: 3, secondary: 9 },
      { type: "t3.small", W: 1, a: 1, m: 1, pods: 0, enis: 1, secondary: 1 },
      { type: "t3.small", W: 1, a: 1, m: 1, pods: 5, enis: 2, secondary: 6 },
      { type: "t3.small", W: 1, a: 1, m: 1, pods: 9, enis: 3, secondary: 9 },
      { type: "t3.small", W: 1, a: 2, m: 5, pods: 0, enis: 2, secondary: 5 },
      { type: "t3.small", W: 1, a: 2, m: 5, pods: 5, enis: 3, secondary: 7 },
      { type: "t3.small", W: 1, a: 2, m: 5, pods: 9, enis: 3, secondary: 9 },
      { type: "p3dn.24xlarge", W: 1, a: 0, m: 0, pods: 0, enis: 1, secondary: 49 },
      { type: "p3dn.24xlarge", W: 1, a: 0, m: 0, pods: 3, enis: 2, secondary: 98 },
      { type: "p3dn.24xlarge", W: 1, a: 0, m: 0, pods: 95, enis: 3, secondary: 147 },
      { type: "p3dn.24xlarge", W: 1, a: 5, m: 10, pods: 0, enis: 1, secondary: 10 },
      { type: "p3dn.24xlarge", W: 1, a: 5, m: 10, pods: 7, enis: 1, secondary: 12 },
      { type: "p3dn.24xlarge", W: 1, a: 5, m: 10, pods: 15, enis: 1, secondary: 20 },
      { type: "p3dn.24xlarge", W: 1, a: 5, m: 10, pods: 45, enis: 2, secondary: 50 },
    ])("$type WARM_ENI=$W WARM_IP=$a MIN_IP=$m, $pods pods: $enis ENIs, $secondary secondary IPs", (row) => {
      // Act
      const cost = nodeIpCost(
        limits(row.type),
        settings({ warmEniTarget: row.W, warmIpTarget: row.a, minimumIpTarget: row.m }),
        { pods: row.pods },
      );

      // Assess
      expect(cost.enis).toBe(row.enis);
      expect(cost.ips.total).toBe(row.enis + row.secondary);
    });
  });

  // aws/amazon-vpc-cni-k8s docs/prefix-and-ip-target.md, "Examples" (run with a high kubelet maxPods: the table
  // puts 58 pods on a t3.small). Attached prefixes are checked; the table's p3dn ENI column predates ipamd filling
  // the first ENI with prefixes before attaching another (tryAssignPrefixes), so E = ceil(P / prefixes per ENI).
  describe("docs/prefix-and-ip-target.md example table", () => {
    it.each([
      { type: "t3.small", w: 1, a: 0, m: 0, pods: 0, prefixes: 1, enis: 1 },
      { type: "t3.small", w: 1, a: 0, m: 0, pods: 5, prefixes: 2, enis: 1 },
      { type: "t3.small", w: 1, a: 0, m: 0, pods: 16, prefixes: 2, enis: 1 },
      { type: "t3.small", w: 1, a: 0, m: 0, pods: 17, prefixes: 3, enis: 1 },
      { type: "t3.small", w: 1, a: 0, m: 0, pods: 58, prefixes: 5, enis: 2 },
      { type: "t3.small", w: 1, a: 1, m: 1, pods: 0, prefixes: 1, enis: 1 },
      { type: "t3.small", w: 1, a: 1, m: 1, pods: 5, prefixes: 1, enis: 1 },
      { type: "t3.small", w: 1, a: 1, m: 1, pods: 17, prefixes: 2, enis: 1 },
      { type: "t3.small", w: 1, a: 1, m: 1, pods: 58, prefixes: 4, enis: 2 },
      // The table's "Attached Prefixes" says 1 here but its own "Prefixes per ENI" says 2, as does the note
      // "MINIMUM_IP_TARGET 20 is equivalent to 32" and ipamd (short = 20 − 0 → ceil(20/16) = 2 prefixes).
      { type: "t3.small", w: 1, a: 7, m: 20, pods: 0, prefixes: 2, enis: 1 },
      { type: "t3.small", w: 1, a: 7, m: 20, pods: 5, prefixes: 2, enis: 1 },
      { type: "t3.small", w: 1, a: 7, m: 20, pods: 17, prefixes: 2, enis: 1 },
      { type: "t3.small", w: 1, a: 7, m: 20, pods: 58, prefixes: 5, enis: 2 },
      { type: "p3dn.24xlarge", w: 1, a: 0, m: 0, pods: 0, prefixes: 1, enis: 1 },
      { type: "p3dn.24xlarge", w: 1, a: 0, m: 0, pods: 3, prefixes: 2, enis: 1 },
      { type: "p3dn.24xlarge", w: 1, a: 0, m: 0, pods: 95, prefixes: 7, enis: 1 },
      { type: "p3dn.24xlarge", w: 1, a: 5, m: 10, pods: 0, prefixes: 1, enis: 1 },
      { type: "p3dn.24xlarge", w: 1, a: 5, m: 10, pods: 7, prefixes: 1, enis: 1 },
      { type: "p3dn.24xlarge", w: 1, a: 5, m: 10, pods: 15, prefixes: 2, enis: 1 },
      { type: "p3dn.24xlarge", w: 1, a: 5, m: 10, pods: 45, prefixes: 4, enis: 1 },
    ])("$type WARM_PREFIX=$w WARM_IP=$a MIN_IP=$m, $pods pods: $prefixes prefixes", (row) => {
      // Act
      const cost = nodeIpCost(
        limits(row.type),
        settings({
          enablePrefixDelegation: true,
          warmPrefixTarget: row.w,
          warmIpTarget: row.a,
          minimumIpTarget: row.m,
        }),
        { pods: row.pods, maxPods: 110 },
      );

      // Assess
      expect(cost.prefixes).toBe(row.prefixes);
      expect(cost.enis).toBe(row.enis);
      expect(cost.ips.nodeSubnet).toBe(row.enis + 16 * row.prefixes);
    });
  });

  // aws/amazon-vpc-cni-k8s pkg/ipamd/ipamd_test.go TestIPAMContext_nodeIPPoolTooLow: fields{maxIPsPerENI, maxEni,
  // warmENITarget, warmIPTarget, datastore, maxPods} → isDatastorePoolTooLow. The pool is "too low" exactly when
  // the steady state needs more than the datastore holds (datastoreWith3FreeIPs: 1 ENI with 3 secondary IPs).
  describe("ipamd_test.go TestIPAMContext_nodeIPPoolTooLow", () => {
    const held = { enis: 1, secondary: 3 };
    it.each([
      { name: "Test 3 unused IPs, 1 warm", W: 1, a: 1, pods: 0, maxPods: 500, low: false },
      { name: "Test 1 used, 1 warm ENI", W: 1, a: 0, pods: 1, maxPods: 500, low: true },
      { name: "Test 1 used, 0 warm ENI", W: 0, a: 0, pods: 1, maxPods: 500, low: false },
      { name: "Test 3 used, 1 warm ENI", W: 1, a: 0, pods: 3, maxPods: 500, low: true },
      { name: "Test 3 used, 0 warm ENI", W: 0, a: 0, pods: 3, maxPods: 500, low: true },
      { name: "Test max pods exceeded", W: 0, a: 5, pods: 3, maxPods: 3, low: false },
    ])("$name → too low: $low", ({ W, a, pods, maxPods, low }) => {
      // Act
      const cost = nodeIpCost(synthetic(3, 4), settings({ warmEniTarget: W, warmIpTarget: a }), {
        pods,
        maxPods,
      });

      // Assess
      const secondary = cost.ips.total - cost.enis;
      expect(cost.enis > held.enis || secondary > held.secondary).toBe(low);
    });
  });

  // ipamd_test.go TestIPAMContext_nodePrefixPoolTooLow: fields{maxIPsPerENI 256, maxEni 4, maxPrefixesPerENI 16,
  // warmPrefixTarget, datastore, maxPods}; datastoreWithFreeIPsFromPrefix holds one /28 prefix.
  describe("ipamd_test.go TestIPAMContext_nodePrefixPoolTooLow", () => {
    it.each([
      { name: "Test 3 unused IPs, 1 warm", w: 1, pods: 0, maxPods: 500, low: false },
      { name: "Test 1 used, 1 warm Prefix", w: 1, pods: 1, maxPods: 500, low: true },
      { name: "Test 1 used, 0 warm Prefix", w: 0, pods: 1, maxPods: 500, low: false },
      { name: "Test 3 used, 1 warm Prefix", w: 1, pods: 3, maxPods: 500, low: true },
      { name: "Test 3 used, 0 warm Prefix", w: 0, pods: 3, maxPods: 500, low: false },
      { name: "Test max pods exceeded", w: 1, pods: 3, maxPods: 4, low: false },
    ])("$name → too low: $low", ({ w, pods, maxPods, low }) => {
      // Act
      const cost = nodeIpCost(
        synthetic(16, 4),
        settings({ enablePrefixDelegation: true, warmPrefixTarget: w }),
        {
          pods,
          maxPods,
        },
      );

      // Assess
      expect(cost.prefixes > 1).toBe(low);
    });
  });

  // ipamd_test.go TestGetWarmIPTargetState / TestGetWarmIPTargetStateWithPDenabled / TestDecreaseIPPool.
  describe("ipamd_test.go warm IP target state", () => {
    it("WARM_IP_TARGET=5 on an empty node: 5 secondary IPs (short 5)", () => {
      // Act
      const cost = nodeIpCost(synthetic(14, 4), settings({ warmIpTarget: 5 }), { pods: 0 });

      // Assess
      expect(cost.ips.total - cost.enis).toBe(5);
    });

    it("WARM_IP_TARGET=5 with prefix delegation on an empty node: 1 prefix (short 1)", () => {
      // Act
      const cost = nodeIpCost(synthetic(16, 4), settings({ enablePrefixDelegation: true, warmIpTarget: 5 }), {
        pods: 0,
      });

      // Assess
      expect(cost.prefixes).toBe(1);
    });

    it("WARM_IP_TARGET=1 with 2 pods: 3 IPs, one of the 4 held is over (TestDecreaseIPPool)", () => {
      // Act
      const cost = nodeIpCost(synthetic(2, 4), settings({ warmIpTarget: 1 }), { pods: 2 });

      // Assess
      expect(cost.ips.total - cost.enis).toBe(3);
    });
  });

  describe("WARM_IP_TARGET / MINIMUM_IP_TARGET on m5.large", () => {
    it.each([
      { a: 2, m: 10, pods: 1, enis: 2, ips: 12 },
      { a: 2, m: 9, pods: 1, enis: 1, ips: 10 },
      { a: 2, m: 0, pods: 0, enis: 1, ips: 3 },
      { a: 2, m: 10, pods: 27, enis: 3, ips: 30 },
      { a: 0, m: 10, pods: 0, enis: 2, ips: 12 },
      { a: 5, m: 30, pods: 0, enis: 3, ips: 30 },
    ])("WARM_IP=$a MIN_IP=$m with $pods pods: $ips IPs", ({ a, m, pods, enis, ips }) => {
      // Act
      const cost = nodeIpCost(limits("m5.large"), settings({ warmIpTarget: a, minimumIpTarget: m }), {
        pods,
      });

      // Assess
      expect(cost.enis).toBe(enis);
      expect(cost.ips.nodeSubnet).toBe(ips);
    });

    it("says the pool freezes without WARM_IP_TARGET", () => {
      // Act
      const cost = nodeIpCost(limits("m5.large"), settings({ minimumIpTarget: 10 }), { pods: 0 });

      // Assess
      expect(cost.formula).toContain("no WARM_IP_TARGET");
    });
  });

  describe("prefix delegation", () => {
    it("m5.large at launch: 2 prefixes on the primary ENI, 1 + 32 = 33 IPs", () => {
      // Act
      const cost = nodeIpCost(limits("m5.large"), settings({ enablePrefixDelegation: true }), { pods: 1 });

      // Assess
      expect(cost).toMatchObject({
        prefixes: 2,
        enis: 1,
        ips: { nodeSubnet: 33, eniConfigSubnet: 0, total: 33 },
      });
      expect(cost.formula).toBe("P = ceil(1/16) + 1 = 2 prefixes; E = ceil(2/9) = 1 ENI; 1 + 16 × 2 = 33");
    });

    it("caps prefixes at ceil(maxPods / 16)", () => {
      // Act
      const cost = nodeIpCost(limits("m5.large"), settings({ enablePrefixDelegation: true }), { pods: 27 });

      // Assess
      expect(cost.prefixes).toBe(2);
    });

    it("with maxPods 110: full m5.large holds 7 prefixes", () => {
      // Act
      const cost = fullCost(limits("m5.large"), settings({ enablePrefixDelegation: true }), { maxPods: 110 });

      // Assess
      expect(cost.pods).toBe(108);
      expect(cost.prefixes).toBe(7);
      expect(cost.ips.nodeSubnet).toBe(1 + 16 * 7);
    });

    it("WARM_PREFIX_TARGET=0 adds a prefix only when none is free", () => {
      // Act
      const sixteen = nodeIpCost(
        synthetic(16, 4),
        settings({ enablePrefixDelegation: true, warmPrefixTarget: 0 }),
        {
          pods: 16,
        },
      );

      // Assess
      expect(sixteen.prefixes).toBe(2);
    });

    it("falls back to secondary IPs on a Xen instance", () => {
      // Act
      const cost = nodeIpCost(limits("m4.large"), settings({ enablePrefixDelegation: true }), { pods: 1 });

      // Assess
      expect(cost.prefixes).toBe(0);
      expect(cost.ips.nodeSubnet).toBe(20);
      expect(cost.formula).toContain("falls back to secondary IPs");
    });

    it("takes prefixes on bare metal (no hypervisor reported)", () => {
      // Act
      const cost = nodeIpCost(limits("c5.metal"), settings({ enablePrefixDelegation: true }), { pods: 1 });

      // Assess
      expect(cost.prefixes).toBe(2);
    });
  });

  describe("custom networking", () => {
    it("node subnet pays 1 per node, the ENIConfig subnet the pod ENIs", () => {
      // Act
      const cost = launchCost(limits("m5.large"), settings({ customNetworking: true }));

      // Assess
      expect(cost.ips).toEqual({ nodeSubnet: 1, eniConfigSubnet: 20, total: 21 });
      expect(cost.enis).toBe(3);
    });

    it("the primary ENI hosts no pods: Eipam − 1", () => {
      // Act
      const full = fullCost(limits("m5.large"), settings({ customNetworking: true }));

      // Assess
      expect(podEniSlots(limits("m5.large"), settings({ customNetworking: true }))).toBe(2);
      expect(full.pods).toBe(18);
      expect(full.ips).toEqual({ nodeSubnet: 1, eniConfigSubnet: 20, total: 21 });
    });

    it("with an empty node still attaches one pod ENI (WARM_ENI_TARGET=1)", () => {
      // Act
      const cost = nodeIpCost(limits("m5.large"), settings({ customNetworking: true }), { pods: 0 });

      // Assess
      expect(cost.ips).toEqual({ nodeSubnet: 1, eniConfigSubnet: 10, total: 11 });
    });
  });

  describe("security groups for pods", () => {
    it("m5.large: +1 trunk ENI address, one ENI fewer for pods", () => {
      // Prepare
      const sgp = settings({ enablePodEni: true });

      // Act
      const launch = launchCost(limits("m5.large"), sgp);
      const full = fullCost(limits("m5.large"), sgp);

      // Assess
      expect(podEniSlots(limits("m5.large"), sgp)).toBe(2);
      expect(launch.ips.nodeSubnet).toBe(21);
      expect(launch.enis).toBe(3);
      expect(full.pods).toBe(18);
      expect(full.ips.nodeSubnet).toBe(21);
    });

    it("an instance that cannot trunk gets no trunk ENI", () => {
      // Act
      const cost = launchCost(limits("t3.large"), settings({ enablePodEni: true }));

      // Assess
      expect(cost.ips.nodeSubnet).toBe(24);
      expect(cost.formula).toContain("cannot trunk");
    });

    it("with custom networking the trunk ENI lives in the ENIConfig subnet", () => {
      // Act
      const cost = launchCost(limits("m5.large"), settings({ enablePodEni: true, customNetworking: true }));

      // Assess
      expect(cost.ips).toEqual({ nodeSubnet: 1, eniConfigSubnet: 11, total: 12 });
    });
  });

  describe("MAX_ENI", () => {
    it("MAX_ENI=1 keeps m5.large on its primary ENI", () => {
      // Prepare
      const one = settings({ maxEni: 1 });

      // Act
      const launch = launchCost(limits("m5.large"), one);
      const full = fullCost(limits("m5.large"), one);

      // Assess
      expect(podIpCapacity(limits("m5.large"), one)).toBe(9);
      expect(launch.ips.nodeSubnet).toBe(10);
      expect(full).toMatchObject({ pods: 9, enis: 1, ips: { nodeSubnet: 10 } });
    });

    it("MAX_ENI above the instance limit changes nothing", () => {
      // Act
      const cost = fullCost(limits("m5.large"), settings({ maxEni: 8 }));

      // Assess
      expect(cost.ips.nodeSubnet).toBe(30);
    });
  });

  it("IPv6 clusters take 1 IPv4 per node", () => {
    // Act
    const cost = fullCost(limits("m5.large"), settings(), { ipFamily: "ipv6" });

    // Assess
    expect(cost.ips).toEqual({ nodeSubnet: 1, eniConfigSubnet: 0, total: 1 });
  });

  it("never goes below the primary ENI nor above the instance limits (property)", () => {
    // Prepare
    const names = ["t3.small", "m5.large", "m5.xlarge", "c5.metal", "p3dn.24xlarge", "m4.large"];
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.integer({ min: -5, max: 1000 }),
        fc.record({
          warmEniTarget: fc.integer({ min: 0, max: 4 }),
          warmIpTarget: fc.integer({ min: 0, max: 40 }),
          minimumIpTarget: fc.integer({ min: 0, max: 60 }),
          enablePrefixDelegation: fc.boolean(),
          warmPrefixTarget: fc.integer({ min: 0, max: 3 }),
          enablePodEni: fc.boolean(),
          customNetworking: fc.boolean(),
        }),
        (name, pods, s) => {
          // Act
          const l = limits(name);
          const cost = nodeIpCost(l, settings(s), { pods });

          // Assess
          expect(cost.ips.total).toBe(cost.ips.nodeSubnet + cost.ips.eniConfigSubnet);
          expect(cost.ips.nodeSubnet).toBeGreaterThanOrEqual(1);
          expect(cost.enis).toBeLessThanOrEqual(l.enis);
          expect(cost.ips.total).toBeLessThanOrEqual(l.enis + (l.ipv4PerEni - 1) * l.enis * 16);
        },
      ),
    );
  });
});

describe("Function: launchCost / fullCost", () => {
  it("full pods: min(maxPods − 2, Eipam × L)", () => {
    // Assess
    expect(fullPods(limits("m5.large"), settings())).toBe(27);
    expect(fullPods(limits("m5.large"), settings({ enablePodEni: true }))).toBe(18);
    expect(fullPods(limits("m5.large"), settings({ enablePrefixDelegation: true }), 110)).toBe(108);
  });

  it("m5.large with defaults: 20 at launch, 30 full", () => {
    // Act
    const launch = launchCost(limits("m5.large"), settings());
    const full = fullCost(limits("m5.large"), settings());

    // Assess
    expect([launch.pods, launch.ips.nodeSubnet]).toEqual([1, 20]);
    expect([full.pods, full.ips.nodeSubnet]).toEqual([27, 30]);
  });
});

describe("Function: nodesThatFit", () => {
  it("reference example: A = 151, m5.large defaults → 7 at launch, 5 full", () => {
    // Prepare
    const m5 = limits("m5.large");

    // Act / Assess
    expect(nodesThatFit(151, 0, launchCost(m5, settings()))).toBe(7);
    expect(nodesThatFit(151, 0, fullCost(m5, settings()))).toBe(5);
    expect(nodesThatFit(151, 0, launchCost(m5, settings({ warmIpTarget: 2, minimumIpTarget: 10 })))).toBe(12);
  });

  it("subtracts the reserve and never goes negative", () => {
    // Assess
    expect(nodesThatFit(24, 5, 20)).toBe(0);
    expect(nodesThatFit(25, 5, 20)).toBe(1);
    expect(nodesThatFit(3, 5, 20)).toBe(0);
  });
});

describe("Function: freeAlignedPrefixBlocks", () => {
  it("an empty /24 has 14 free /28 blocks (the first holds .0–.3, the last .255)", () => {
    // Assess
    expect(freeAlignedPrefixBlocks("10.0.1.0/24")).toBe(14);
  });

  it.each([
    { cidr: "10.0.1.0/28", free: 0 },
    { cidr: "10.0.1.0/27", free: 0 },
    { cidr: "10.0.1.0/26", free: 2 },
    { cidr: "10.0.0.0/19", free: 510 },
    { cidr: "10.0.1.0/29", free: 0 },
  ])("an empty $cidr has $free", ({ cidr, free }) => {
    // Assess
    expect(freeAlignedPrefixBlocks(cidr)).toBe(free);
  });

  it("one address per block leaves none although most addresses are free", () => {
    // Prepare
    const addresses = Array.from({ length: 14 }, (_, i) => `10.0.1.${16 * (i + 1) + 5}`);

    // Act
    const free = freeAlignedPrefixBlocks("10.0.1.0/24", { addresses });

    // Assess
    expect(free).toBe(0);
  });

  it("packed addresses leave the other blocks free", () => {
    // Prepare
    const addresses = Array.from({ length: 14 }, (_, i) => `10.0.1.${4 + i}`);

    // Act
    const free = freeAlignedPrefixBlocks("10.0.1.0/24", { addresses });

    // Assess: .4–.15 sit in the reserved first block, .16 and .17 take the second.
    expect(free).toBe(13);
  });

  it("counts prefixes, wider prefixes, and ignores what lies outside or cannot be read", () => {
    // Act
    const free = freeAlignedPrefixBlocks("10.0.1.0/24", {
      addresses: ["10.0.2.9", "not-an-ip", "10.0.1.300"],
      prefixes: ["10.0.1.32/28", "10.0.1.64/27", "10.0.9.0/28", "garbage"],
    });

    // Assess
    expect(free).toBe(11);
  });

  it("is undefined for an unreadable subnet CIDR", () => {
    // Assess
    expect(freeAlignedPrefixBlocks("10.0.1.0")).toBeUndefined();
    expect(freeAlignedPrefixBlocks("10.0.1.0/33")).toBeUndefined();
    expect(freeAlignedPrefixBlocks("10.0.1.256/24")).toBeUndefined();
  });

  it("never exceeds the empty count and only shrinks as addresses are taken (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1023 }), { maxLength: 200 }), (offsets) => {
        // Prepare
        const addresses = offsets.map((o) => `10.0.${4 + Math.floor(o / 256)}.${o % 256}`);

        // Act
        const all = freeAlignedPrefixBlocks("10.0.4.0/22", { addresses }) ?? -1;
        const half = freeAlignedPrefixBlocks("10.0.4.0/22", {
          addresses: addresses.slice(0, addresses.length / 2),
        });

        // Assess
        const blocks = new Set(offsets.map((o) => Math.floor(o / 16)));
        blocks.add(0);
        blocks.add(63);
        expect(all).toBe(64 - blocks.size);
        expect(all).toBeLessThanOrEqual(half ?? -1);
      }),
    );
  });
});

describe("Function: heldInSubnet / usableAddresses", () => {
  it("collects the addresses and prefixes of the subnet's ENIs only", () => {
    // Act
    const held = heldInSubnet("subnet-a", [
      {
        SubnetId: "subnet-a",
        PrivateIpAddress: "10.0.1.5",
        PrivateIpAddresses: [{ PrivateIpAddress: "10.0.1.5" }, { PrivateIpAddress: "10.0.1.6" }],
        Ipv4Prefixes: [{ Ipv4Prefix: "10.0.1.32/28" }],
      },
      { SubnetId: "subnet-b", PrivateIpAddress: "10.0.2.5" },
    ]);

    // Assess
    expect(held.networkInterfaces).toBe(1);
    expect(new Set(held.addresses)).toEqual(new Set(["10.0.1.5", "10.0.1.6"]));
    expect(held.prefixes).toEqual(["10.0.1.32/28"]);
  });

  it("a /24 has 251 usable addresses", () => {
    // Assess
    expect(usableAddresses("10.0.1.0/24")).toBe(251);
    expect(usableAddresses("nope")).toBeUndefined();
  });
});

describe("Module: ipv4", () => {
  it.each([
    { text: "0.0.0.0", value: 0 },
    { text: "10.0.1.7", value: 167772423 },
    { text: "255.255.255.255", value: 4294967295 },
    { text: " 10.0.0.1 ", value: 167772161 },
    { text: "256.0.0.1", value: undefined },
    { text: "10.0.1", value: undefined },
    { text: "10.0.1.1.1", value: undefined },
    { text: "a.b.c.d", value: undefined },
    { text: "", value: undefined },
  ])("parseIpv4($text) = $value", ({ text, value }) => {
    // Assess
    expect(parseIpv4(text)).toBe(value);
  });

  it.each([
    { text: "10.0.1.0/24", cidr: { base: 167772416, prefixLength: 24, size: 256 } },
    { text: "10.0.1.7/28", cidr: { base: 167772416, prefixLength: 28, size: 16 } },
    { text: "0.0.0.0/0", cidr: { base: 0, prefixLength: 0, size: 4294967296 } },
    { text: "10.0.1.9/32", cidr: { base: 167772425, prefixLength: 32, size: 1 } },
    { text: "10.0.1.0/33", cidr: undefined },
    { text: "10.0.1.0/", cidr: undefined },
    { text: "10.0.1.0/-1", cidr: undefined },
    { text: "10.0.1.0", cidr: undefined },
  ])("parseIpv4Cidr($text)", ({ text, cidr }) => {
    // Assess
    expect(parseIpv4Cidr(text)).toEqual(cidr);
  });
});
