import type { RouteTable, Subnet } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { Wire } from "#shared/estate/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { discoverLbSubnets, type LbDiscoveryOptions } from "#shared/models/lb-discovery/discovery.ts";
import { cluster, inventoryOf, mainTable, routeTable, subnet } from "#test/rules/elb/fixtures.ts";

// Names as in the upstream test tables.
const LBC_CLUSTER = "cluster-dummy";
const LBC_VPC = "vpc-dummy";
const LEGACY_CLUSTER = "clusterid.test";
const LEGACY_VPC = "vpc-mac0";
const REGION = "us-west-2";

function lbcInventory(subnets: Wire<Subnet>[], routeTables: Wire<RouteTable>[] = []): Inventory {
  return inventoryOf({
    clusters: [cluster({ name: LBC_CLUSTER, vpcId: LBC_VPC })],
    subnets,
    routeTables,
    region: REGION,
  });
}

function lbcSubnet(id: string, az: string, tags: Record<string, string> = {}, ips = 8, outpostArn?: string) {
  return subnet({
    id,
    az,
    vpcId: LBC_VPC,
    tags,
    ips,
    ...(outpostArn === undefined ? {} : { outpostArn }),
  });
}

const lbc = (scheme: LbDiscoveryOptions["scheme"], type: LbDiscoveryOptions["type"] = "alb") =>
  ({ controller: "lbc", scheme, type }) as const;

const ELB = { "kubernetes.io/role/elb": "1" };
const INTERNAL_ELB = { "kubernetes.io/role/internal-elb": "1" };

/** cloud-provider-aws `constructRouteTables`: a main table routed to igw-main, one table per listed subnet. */
function constructRouteTables(
  publicBySubnet: Record<string, boolean>,
  vpcId = LEGACY_VPC,
): Wire<RouteTable>[] {
  return [
    mainTable("rtb-main", vpcId, "igw-main"),
    ...Object.entries(publicBySubnet).map(([id, isPublic]) =>
      routeTable({
        id: `rtb-${id}`,
        vpcId,
        subnets: [id],
        defaultRoute: isPublic ? `igw-${id}` : `vgw-${id}`,
      }),
    ),
  ];
}

function legacyInventory(subnets: Wire<Subnet>[], publicBySubnet: Record<string, boolean> = {}): Inventory {
  return inventoryOf({
    clusters: [cluster({ name: LEGACY_CLUSTER, vpcId: LEGACY_VPC })],
    subnets: subnets.map((s) => ({ ...s, VpcId: LEGACY_VPC })),
    routeTables: constructRouteTables(publicBySubnet),
    region: REGION,
  });
}

const legacy = (scheme: LbDiscoveryOptions["scheme"]) =>
  ({ controller: "legacy", scheme, type: "nlb" }) as const;

const chosenIds = (inventory: Inventory, clusterName: string, options: LbDiscoveryOptions) =>
  discoverLbSubnets(inventory, clusterName, options).chosen.map((c) => c.subnetId);

describe("Function: discoverLbSubnets (lbc)", () => {
  describe("ported from subnet_resolver_test.go Test_defaultSubnetsResolver_ResolveViaDiscovery", () => {
    it("alb/internet-facing, discovered via role tag", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", ELB),
        lbcSubnet("subnet-2", "us-west-2b", ELB),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.chosen).toEqual([
        { availabilityZone: "us-west-2a", subnetId: "subnet-1" },
        { availabilityZone: "us-west-2b", subnetId: "subnet-2" },
      ]);
      expect(result.error).toBeNull();
      expect(result.fallbackUsed).toBe(false);
      expect(result.candidates).toEqual(["subnet-1", "subnet-2"]);
    });

    it("alb/internal, discovered via role tag", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", INTERNAL_ELB),
        lbcSubnet("subnet-2", "us-west-2b", INTERNAL_ELB),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(ids).toEqual(["subnet-1", "subnet-2"]);
    });

    // rtb-main has no routes; rtb-public (subnet-1, subnet-2) routes to igw-xxx; rtb-private has subnet-3, subnet-4.
    const reachabilityTables = [
      mainTable("rtb-main", LBC_VPC),
      routeTable({
        id: "rtb-public",
        vpcId: LBC_VPC,
        subnets: ["subnet-1", "subnet-2"],
        defaultRoute: "igw-xxx",
      }),
      routeTable({ id: "rtb-private", vpcId: LBC_VPC, subnets: ["subnet-3", "subnet-4"] }),
    ];
    const untagged = [
      lbcSubnet("subnet-1", "us-west-2a"),
      lbcSubnet("subnet-2", "us-west-2b"),
      lbcSubnet("subnet-3", "us-west-2a"),
      lbcSubnet("subnet-4", "us-west-2b"),
    ];

    it("alb/internet-facing, discovered via fallback to reachability", () => {
      // Prepare
      const inventory = lbcInventory(untagged, reachabilityTables);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.fallbackUsed).toBe(true);
      expect(result.candidateSource).toBe("reachability");
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-1", "subnet-2"]);
      expect(result.exclusions).toContainEqual(
        expect.objectContaining({ subnetId: "subnet-3", cause: "reachability" }),
      );
    });

    it("alb/internal, discovered via fallback to reachability", () => {
      // Prepare
      const inventory = lbcInventory(untagged, reachabilityTables);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(ids).toEqual(["subnet-3", "subnet-4"]);
    });

    it("subnets tagged for other clusters shall be filtered out when clusterTagCheckEnabled enabled", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", { ...ELB, "kubernetes.io/cluster/other-cluster": "owned" }),
        lbcSubnet("subnet-2", "us-west-2b", ELB),
        lbcSubnet("subnet-3", "us-west-2a", ELB),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-2", "subnet-3"]);
      expect(result.excluded).toEqual([
        { subnetId: "subnet-1", reason: "tagged for other cluster(s): kubernetes.io/cluster/other-cluster" },
      ]);
      expect(result.exclusions).toEqual([
        {
          subnetId: "subnet-1",
          availabilityZone: "us-west-2a",
          cause: "foreign-cluster-tag",
          reason: "tagged for other cluster(s): kubernetes.io/cluster/other-cluster",
          foreignClusterKeys: ["kubernetes.io/cluster/other-cluster"],
        },
      ]);
    });

    it("subnets tagged for other clusters shall not be filtered out when clusterTagCheckEnabled disabled", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", { ...ELB, "kubernetes.io/cluster/other-cluster": "owned" }),
        lbcSubnet("subnet-2", "us-west-2b", ELB),
        lbcSubnet("subnet-3", "us-west-2a", ELB),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, {
        ...lbc("internet-facing"),
        subnetsClusterTagCheck: false,
      });

      // Assess
      expect(ids).toEqual(["subnet-1", "subnet-2"]);
    });

    it("subnets with insufficient available ip addresses shall be filtered out", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", ELB, 2),
        lbcSubnet("subnet-2", "us-west-2b", ELB),
        lbcSubnet("subnet-3", "us-west-2a", ELB),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-2", "subnet-3"]);
      expect(result.excluded).toContainEqual(
        expect.objectContaining({ subnetId: "subnet-1", reason: "only 2 available IPs (needs at least 8)" }),
      );
    });

    it("subnets are either tagged for other clusters or with insufficient ip address", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", { ...ELB, "kubernetes.io/cluster/other-cluster": "owned" }),
        lbcSubnet("subnet-2", "us-west-2b", ELB, 2),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.chosen).toEqual([]);
      expect(result.failure).toBe("no-subnet");
      expect(result.error).toBe(
        "unable to resolve at least one subnet. Evaluated 2 subnets: 1 are tagged for other clusters, and 1 have insufficient available IP addresses",
      );
    });

    it("multiple subnets found per AZ, pick one per az", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", ELB),
        lbcSubnet("subnet-2", "us-west-2a", { ...ELB, [`kubernetes.io/cluster/${LBC_CLUSTER}`]: "owned" }),
        lbcSubnet("subnet-3", "us-west-2b", ELB),
        lbcSubnet("subnet-4", "us-west-2b", ELB),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-2", "subnet-3"]);
      expect(result.excluded).toEqual([
        { subnetId: "subnet-1", reason: "in us-west-2a, where subnet-2 has the cluster tag" },
        { subnetId: "subnet-4", reason: "in us-west-2b, where lower subnet id subnet-3 was chosen" },
      ]);
      expect(result.exclusions.map((e) => [e.cause, e.chosenSubnetId])).toEqual([
        ["same-az", "subnet-2"],
        ["same-az", "subnet-3"],
      ]);
    });

    it("fallback to reachability were disabled", () => {
      // Prepare
      const inventory = lbcInventory(untagged, reachabilityTables);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, {
        ...lbc("internet-facing"),
        subnetDiscoveryByReachability: false,
      });

      // Assess
      expect(result.error).toBe(
        "unable to resolve at least one subnet. Evaluated 0 subnets: 0 are tagged for other clusters, and 0 have insufficient available IP addresses",
      );
    });

    // Older table of the same test (v2.4-v2.11): locale and minimal-count cases.
    it("ALB with one matching availability-zone subnet", () => {
      // Prepare
      const inventory = lbcInventory([lbcSubnet("subnet-1", "us-west-2a", INTERNAL_ELB)]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(result.error).toBe("subnets count less than minimal required count: 1 < 2");
      expect(result.failure).toBe("too-few-subnets");
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-1"]);
    });

    it("NLB with one matching subnet", () => {
      // Prepare
      const inventory = lbcInventory([lbcSubnet("subnet-1", "us-west-2a", INTERNAL_ELB)]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internal", "nlb"));

      // Assess
      expect(result.error).toBeNull();
      expect(result.minimumSubnets).toBe(1);
    });

    it("ALB with one matching local-zone subnet", () => {
      // Prepare
      const inventory = lbcInventory([lbcSubnet("subnet-1", "us-west-2-lax-1a", INTERNAL_ELB)]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(result.error).toBeNull();
      expect(result.locale).toBe("local-zone");
    });

    it("ALB with one matching outpost subnet", () => {
      // Prepare
      const inventory = lbcInventory([lbcSubnet("subnet-1", "us-west-2a", INTERNAL_ELB, 8, "outpost-xxx")]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(result.error).toBeNull();
      expect(result.locale).toBe("outpost");
    });

    it("multiple subnet locales", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", INTERNAL_ELB),
        lbcSubnet("subnet-2", "us-west-2b", INTERNAL_ELB, 8, "outpost-xxx"),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(result.error).toBe("subnets in multiple locales: [availability-zone outpost]");
      expect(result.failure).toBe("mixed-locales");
    });

    it("subnets with multiple cluster tags", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", {
          ...ELB,
          "kubernetes.io/cluster/some-other-cluster": "owned",
          [`kubernetes.io/cluster/${LBC_CLUSTER}`]: "shared",
        }),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(ids).toEqual(["subnet-1"]);
    });

    it("subnets tagged for some other clusters get ignored, with SubnetsClusterTagCheck enabled", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", { ...ELB, "kubernetes.io/cluster/some-other-cluster": "owned" }),
        lbcSubnet("subnet-3", "us-west-2a", { ...ELB, [`kubernetes.io/cluster/${LBC_CLUSTER}`]: "owned" }),
        lbcSubnet("subnet-4", "us-west-2b", { ...ELB, "kubernetes.io/cluster/no-cluster": "owned" }),
        lbcSubnet("subnet-2", "us-west-2a", { ...ELB, [`kubernetes.io/cluster/${LBC_CLUSTER}`]: "owned" }),
        lbcSubnet("subnet-5", "us-west-2c", ELB),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(ids).toEqual(["subnet-2", "subnet-5"]);
    });
  });

  describe("ported from Test_defaultSubnetsResolver_chooseSubnetsPerAZ", () => {
    it("sort by lexicographical order of subnet-id by default", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-2", "us-west-2a", ELB),
        lbcSubnet("subnet-1", "us-west-2a", ELB),
        lbcSubnet("subnet-4", "us-west-2b", ELB),
        lbcSubnet("subnet-3", "us-west-2b", ELB),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(ids).toEqual(["subnet-1", "subnet-3"]);
    });

    it("subnets with current cluster tag gets priority", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", ELB),
        lbcSubnet("subnet-2", "us-west-2a", { ...ELB, [`kubernetes.io/cluster/${LBC_CLUSTER}`]: "owned" }),
        lbcSubnet("subnet-3", "us-west-2b", ELB),
        lbcSubnet("subnet-4", "us-west-2b", ELB),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(ids).toEqual(["subnet-2", "subnet-3"]);
    });
  });

  describe("ported from Test_defaultSubnetsResolver_computeSubnetsMinimalCount", () => {
    it.each([
      { name: "ALB needs 2 subnet by default", az: "us-west-2a", type: "alb", single: false, want: 2 },
      {
        name: "ALB needs 1 subnet in localZone",
        az: "us-west-2-lax-1a",
        type: "alb",
        single: false,
        want: 1,
      },
      {
        name: "ALB needs 1 subnet when albSingleSubnet enabled",
        az: "us-west-2a",
        type: "alb",
        single: true,
        want: 1,
      },
      { name: "NLB needs 1 subnet by default", az: "us-west-2a", type: "nlb", single: false, want: 1 },
    ] as const)("$name", ({ az, type, single, want }) => {
      // Prepare
      const inventory = lbcInventory([lbcSubnet("subnet-1", az, ELB)]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, {
        ...lbc("internet-facing", type),
        albSingleSubnet: single,
      });

      // Assess
      expect(result.minimumSubnets).toBe(want);
      expect(result.error).toBe(want === 2 ? "subnets count less than minimal required count: 1 < 2" : null);
    });
  });

  describe("ported from Test_defaultSubnetsResolver_buildSDKSubnetLocaleType", () => {
    it.each([
      { name: "availabilityZone subnet", az: "us-west-2a", outpost: undefined, want: "availability-zone" },
      { name: "localZone subnet", az: "us-west-2-lax-1a", outpost: undefined, want: "local-zone" },
      {
        name: "wavelengthZone subnet",
        az: "us-west-2-wl1-las-wlz-1",
        outpost: undefined,
        want: "wavelength-zone",
      },
      { name: "outpost subnet", az: "us-west-2a", outpost: "outpost-xxx", want: "outpost" },
    ])("$name", ({ az, outpost, want }) => {
      // Prepare
      const inventory = lbcInventory([lbcSubnet("subnet-1", az, ELB, 8, outpost)]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(result.locale).toBe(want);
    });

    it("mixing a local zone with regular AZs fails with the controller's locale error", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", ELB),
        lbcSubnet("subnet-2", "us-west-2b", ELB),
        lbcSubnet("subnet-3", "us-west-2-lax-1a", ELB),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.error).toBe("subnets in multiple locales: [availability-zone local-zone]");
    });
  });

  describe("role tag values", () => {
    it.each([
      { value: "", kept: true },
      { value: "1", kept: true },
      { value: "true", kept: false },
      { value: "0", kept: false },
    ])('value "$value" is a candidate: $kept', ({ value, kept }) => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", { "kubernetes.io/role/internal-elb": value }),
        lbcSubnet("subnet-2", "us-west-2b", INTERNAL_ELB),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(result.candidates.includes("subnet-1")).toBe(kept);
    });

    it('explains a value other than "1" or empty', () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", { "kubernetes.io/role/internal-elb": "true" }),
        lbcSubnet("subnet-2", "us-west-2b", INTERNAL_ELB),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(result.excluded).toContainEqual({
        subnetId: "subnet-1",
        reason: 'role tag kubernetes.io/role/internal-elb has value "true" (must be "1" or empty)',
      });
      expect(result.exclusions[0]?.cause).toBe("invalid-role-tag-value");
    });

    it("names the missing role tag", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", ELB),
        lbcSubnet("subnet-2", "us-west-2b"),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.excluded).toEqual([{ subnetId: "subnet-2", reason: "no kubernetes.io/role/elb tag" }]);
      expect(result.exclusions[0]?.cause).toBe("no-role-tag");
    });
  });

  describe("reachability fallback", () => {
    const tables = [
      mainTable("rtb-main", LBC_VPC),
      routeTable({
        id: "rtb-public",
        vpcId: LBC_VPC,
        subnets: ["subnet-1", "subnet-2"],
        defaultRoute: "igw-1",
      }),
    ];

    it("one role-tagged subnet anywhere in the VPC switches it off, even an ineligible one", () => {
      // Prepare
      const inventory = lbcInventory(
        [
          lbcSubnet("subnet-1", "us-west-2a"),
          lbcSubnet("subnet-2", "us-west-2b"),
          lbcSubnet("subnet-9", "us-west-2c", { ...ELB, "kubernetes.io/cluster/gone": "shared" }),
        ],
        tables,
      );

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.fallbackUsed).toBe(false);
      expect(result.candidates).toEqual(["subnet-9"]);
      expect(result.error).toBe(
        "unable to resolve at least one subnet. Evaluated 1 subnets: 1 are tagged for other clusters, and 0 have insufficient available IP addresses",
      );
    });

    it("unassociated subnets use the main route table", () => {
      // Prepare
      const inventory = lbcInventory(
        [lbcSubnet("subnet-7", "us-west-2a"), lbcSubnet("subnet-8", "us-west-2b")],
        [mainTable("rtb-main", LBC_VPC, "igw-main")],
      );

      // Act
      const publicIds = chosenIds(inventory, LBC_CLUSTER, lbc("internet-facing"));
      const internal = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internal"));

      // Assess
      expect(publicIds).toEqual(["subnet-7", "subnet-8"]);
      expect(internal.chosen).toEqual([]);
      expect(internal.excluded[0]?.reason).toBe("public subnet: rtb-main routes to igw-main");
    });

    it("NAT, transit gateway and peering routes do not make a subnet public", () => {
      // Prepare
      const inventory = lbcInventory(
        [
          lbcSubnet("subnet-1", "us-west-2a"),
          lbcSubnet("subnet-2", "us-west-2b"),
          lbcSubnet("subnet-3", "us-west-2c"),
        ],
        [
          mainTable("rtb-main", LBC_VPC),
          routeTable({ id: "rtb-nat", vpcId: LBC_VPC, subnets: ["subnet-1"], defaultRoute: "nat-1" }),
          routeTable({ id: "rtb-tgw", vpcId: LBC_VPC, subnets: ["subnet-2"], defaultRoute: "tgw-1" }),
          routeTable({ id: "rtb-pcx", vpcId: LBC_VPC, subnets: ["subnet-3"], defaultRoute: "pcx-1" }),
        ],
      );

      // Act
      const internetFacing = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(internetFacing.candidates).toEqual([]);
      expect(internetFacing.excluded.map((e) => e.reason)).toContain(
        "private subnet: rtb-nat has no route to an internet gateway (0.0.0.0/0 goes to nat-1)",
      );
      expect(chosenIds(inventory, LBC_CLUSTER, lbc("internal"))).toEqual([
        "subnet-1",
        "subnet-2",
        "subnet-3",
      ]);
    });

    it('a role tag with value "true" does not switch the fallback off (the EC2 filter only matches "" and "1")', () => {
      // Prepare
      const inventory = lbcInventory(
        [
          lbcSubnet("subnet-1", "us-west-2a", { "kubernetes.io/role/elb": "true" }),
          lbcSubnet("subnet-2", "us-west-2b"),
        ],
        tables,
      );

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.fallbackUsed).toBe(true);
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-1", "subnet-2"]);
    });

    it("reports the controller error when the VPC has no main route table", () => {
      // Prepare
      const inventory = lbcInventory([lbcSubnet("subnet-1", "us-west-2a")]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"));

      // Assess
      expect(result.failure).toBe("route-table-missing");
      expect(result.error).toBe(
        "failed to list subnets by reachability: [this shall never happen] could not identify main route table for vpc: vpc-dummy",
      );
    });
  });

  describe("cluster tags", () => {
    it("look-alike keys without the slash count as another cluster's tag", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", { ...ELB, "kubernetes.io/clusterX": "owned" }),
        lbcSubnet("subnet-2", "us-west-2b", { ...ELB, "kubernetes.io/cluster": "shared" }),
        lbcSubnet("subnet-3", "us-west-2c", { ...ELB, "kubernetes.io/clusters/other": "1" }),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(result.chosen).toEqual([]);
      expect(result.counts.taggedForOtherClusters).toBe(3);
      expect(result.excluded.map((e) => e.reason)).toContain(
        "tagged for other cluster(s): kubernetes.io/clusterX",
      );
    });

    it("tag values (owned/shared/anything) are ignored", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", { ...ELB, [`kubernetes.io/cluster/${LBC_CLUSTER}`]: "" }),
        lbcSubnet("subnet-2", "us-west-2b", { ...ELB, "kubernetes.io/cluster/other": "" }),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(ids).toEqual(["subnet-1"]);
    });

    it("a cluster-tagged subnet beats a lower subnet id in its AZ", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-0aaa", "us-west-2a", ELB),
        lbcSubnet("subnet-0zzz", "us-west-2a", {
          ...ELB,
          [`kubernetes.io/cluster/${LBC_CLUSTER}`]: "shared",
        }),
      ]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(result.chosen).toEqual([{ availabilityZone: "us-west-2a", subnetId: "subnet-0zzz" }]);
      expect(result.choices[0]?.reason).toBe("has the cluster tag (preferred among 2 in us-west-2a)");
      expect(result.excluded).toEqual([
        { subnetId: "subnet-0aaa", reason: "in us-west-2a, where subnet-0zzz has the cluster tag" },
      ]);
    });

    it("compares subnet ids as plain strings", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-0b", "us-west-2a", ELB),
        lbcSubnet("subnet-0B", "us-west-2a", ELB),
        lbcSubnet("subnet-0a1", "us-west-2a", ELB),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(ids).toEqual(["subnet-0B"]);
    });
  });

  describe("the 8-IP floor", () => {
    it.each([
      { ips: 7, kept: false },
      { ips: 8, kept: true },
    ])("$ips available IPs → kept: $kept", ({ ips, kept }) => {
      // Prepare
      const inventory = lbcInventory([lbcSubnet("subnet-1", "us-west-2a", ELB, ips)]);

      // Act
      const result = discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(result.chosen.length === 1).toBe(kept);
      if (!kept) {
        expect(result.excluded[0]?.reason).toBe("only 7 available IPs (needs at least 8)");
        expect(result.error).toBe(
          "unable to resolve at least one subnet. Evaluated 1 subnets: 0 are tagged for other clusters, and 1 have insufficient available IP addresses",
        );
      }
    });

    it("the floor applies before the per-AZ choice, so a smaller id with 7 IPs loses to its neighbour", () => {
      // Prepare
      const inventory = lbcInventory([
        lbcSubnet("subnet-1", "us-west-2a", ELB, 7),
        lbcSubnet("subnet-2", "us-west-2a", ELB, 100),
      ]);

      // Act
      const ids = chosenIds(inventory, LBC_CLUSTER, lbc("internet-facing", "nlb"));

      // Assess
      expect(ids).toEqual(["subnet-2"]);
    });
  });

  it("reports an unknown cluster", () => {
    // Prepare
    const inventory = lbcInventory([]);

    // Act
    const result = discoverLbSubnets(inventory, "nope", lbc("internal"));

    // Assess
    expect(result.failure).toBe("cluster-not-found");
    expect(result.error).toContain("cluster nope not found");
  });

  it("prints as the lb-subnets JSON shape", () => {
    // Prepare
    const inventory = lbcInventory([
      lbcSubnet("subnet-1", "us-west-2a", ELB),
      lbcSubnet("subnet-2", "us-west-2b"),
    ]);

    // Act
    const json = JSON.parse(
      JSON.stringify(discoverLbSubnets(inventory, LBC_CLUSTER, lbc("internet-facing"))),
    );

    // Assess
    expect(json).toMatchObject({
      controller: "lbc",
      scheme: "internet-facing",
      type: "alb",
      candidates: ["subnet-1"],
      excluded: [{ subnetId: "subnet-2", reason: "no kubernetes.io/role/elb tag" }],
      chosen: [{ availabilityZone: "us-west-2a", subnetId: "subnet-1" }],
      error: "subnets count less than minimal required count: 1 < 2",
    });
  });
});

describe("Function: discoverLbSubnets (legacy)", () => {
  const CLUSTER_TAG = `kubernetes.io/cluster/${LEGACY_CLUSTER}`;
  // The subnets of cloud-provider-aws aws_test.go Test_findELBSubnets.
  const a1 = subnet({ id: "subnet-a0000001", az: "us-west-2a", tags: { "kubernetes.io/role/elb": "1" } });
  const a2 = subnet({ id: "subnet-a0000002", az: "us-west-2a", tags: { "kubernetes.io/role/elb": "1" } });
  const a3 = subnet({
    id: "subnet-a0000003",
    az: "us-west-2a",
    tags: { [CLUSTER_TAG]: "owned", "kubernetes.io/role/internal-elb": "1" },
  });
  const b1 = subnet({
    id: "subnet-b0000001",
    az: "us-west-2b",
    tags: { [CLUSTER_TAG]: "owned", "kubernetes.io/role/elb": "1" },
  });
  const b2 = subnet({
    id: "subnet-b0000002",
    az: "us-west-2b",
    tags: { [CLUSTER_TAG]: "owned", "kubernetes.io/role/internal-elb": "1" },
  });
  const c1 = subnet({
    id: "subnet-c0000001",
    az: "us-west-2c",
    tags: { [CLUSTER_TAG]: "owned", "kubernetes.io/role/internal-elb": "1" },
  });
  const other = subnet({
    id: "subnet-other",
    az: "us-west-2c",
    tags: { "kubernetes.io/cluster/clusterid.other": "owned", "kubernetes.io/role/internal-elb": "1" },
  });
  const noTag = subnet({ id: "subnet-notag", az: "us-west-2c" });
  const localZone = subnet({
    id: "subnet-in-local-zone",
    az: "us-west-2-lax-1a",
    tags: { [CLUSTER_TAG]: "owned" },
  });
  const wavelength = subnet({
    id: "subnet-in-wavelength-zone",
    az: "us-west-2-wl1-las-wlz-1",
    tags: { [CLUSTER_TAG]: "owned" },
  });

  describe("ported from aws_test.go Test_findELBSubnets", () => {
    it.each([
      { name: "no subnets", subnets: [], tables: {}, internal: false, want: [] },
      {
        name: "single tagged subnet",
        subnets: [a1],
        tables: { "subnet-a0000001": true },
        internal: false,
        want: ["subnet-a0000001"],
      },
      {
        name: "no matching public subnet",
        subnets: [a2],
        tables: { "subnet-a0000002": false },
        internal: false,
        want: [],
      },
      {
        name: "prefer role over cluster tag",
        subnets: [a1, a3],
        tables: { "subnet-a0000001": true, "subnet-a0000003": true },
        internal: false,
        want: ["subnet-a0000001"],
      },
      {
        name: "prefer cluster tag",
        subnets: [c1, noTag],
        tables: {},
        internal: false,
        want: ["subnet-c0000001"],
      },
      {
        name: "include untagged",
        subnets: [a1, noTag],
        tables: { "subnet-a0000001": true, "subnet-notag": true },
        internal: false,
        want: ["subnet-a0000001", "subnet-notag"],
      },
      {
        name: "ignore some other cluster owned subnet",
        subnets: [b1, other],
        tables: { "subnet-b0000001": true, "subnet-other": true },
        internal: false,
        want: ["subnet-b0000001"],
      },
      {
        name: "prefer matching role",
        subnets: [b1, b2],
        tables: { "subnet-b0000001": false, "subnet-b0000002": false },
        internal: true,
        want: ["subnet-b0000002"],
      },
      {
        name: "choose lexicographic order",
        subnets: [a1, a2],
        tables: { "subnet-a0000001": true, "subnet-a0000002": true },
        internal: false,
        want: ["subnet-a0000001"],
      },
      {
        name: "everything",
        subnets: [a1, a2, b1, b2, c1, noTag, other],
        tables: Object.fromEntries([a1, a2, b1, b2, c1, noTag, other].map((s) => [s.SubnetId ?? "", true])),
        internal: false,
        want: ["subnet-a0000001", "subnet-b0000001", "subnet-c0000001"],
      },
      {
        name: "exclude subnets from local and wavelenght zones",
        subnets: [a1, b1, c1, localZone, wavelength],
        tables: {},
        internal: false,
        want: ["subnet-a0000001", "subnet-b0000001", "subnet-c0000001"],
      },
    ])("$name", ({ subnets, tables, internal, want }) => {
      // Prepare
      const inventory = legacyInventory(subnets, tables);

      // Act
      const result = discoverLbSubnets(
        inventory,
        LEGACY_CLUSTER,
        legacy(internal ? "internal" : "internet-facing"),
      );

      // Assess
      expect(result.chosen.map((c) => c.subnetId).sort()).toEqual(want);
      expect(result.error).toBe(
        want.length === 0 ? "could not find any suitable subnets for creating the ELB" : null,
      );
    });

    it("explains the zone-type exclusion", () => {
      // Prepare
      const inventory = legacyInventory([a1, localZone]);

      // Act
      const result = discoverLbSubnets(inventory, LEGACY_CLUSTER, legacy("internet-facing"));

      // Assess
      expect(result.excluded).toContainEqual(
        expect.objectContaining({
          subnetId: "subnet-in-local-zone",
          reason: "not in zone type availability-zone",
        }),
      );
    });
  });

  describe("ported from aws_test.go TestSubnetIDsinVPC", () => {
    const s = (id: string, az: string) => subnet({ id, az });
    const three = [
      s("subnet-a0000001", "af-south-1a"),
      s("subnet-b0000001", "af-south-1b"),
      s("subnet-c0000001", "af-south-1c"),
    ];

    it("3 subnets from 3 different AZs", () => {
      // Prepare
      const inventory = legacyInventory(three, {
        "subnet-a0000001": true,
        "subnet-b0000001": true,
        "subnet-c0000001": true,
      });

      // Act
      const ids = chosenIds(inventory, LEGACY_CLUSTER, legacy("internet-facing"));

      // Assess
      expect(ids).toEqual(["subnet-a0000001", "subnet-b0000001", "subnet-c0000001"]);
    });

    it("implicit routing table: subnets not explicitly linked use main", () => {
      // Prepare
      const inventory = legacyInventory(three, {});

      // Act
      const ids = chosenIds(inventory, LEGACY_CLUSTER, legacy("internet-facing"));

      // Assess
      expect(ids).toEqual(["subnet-a0000001", "subnet-b0000001", "subnet-c0000001"]);
    });

    it("5 subnets from 3 AZs: the lexicographically first wins whether it comes before or after", () => {
      // Prepare
      const five = [...three, s("subnet-c0000000", "af-south-1c"), s("subnet-c0000002", "af-south-1c")];
      const inventory = legacyInventory(five, Object.fromEntries(five.map((x) => [x.SubnetId ?? "", true])));

      // Act
      const ids = chosenIds(inventory, LEGACY_CLUSTER, legacy("internet-facing"));

      // Assess
      expect(ids).toEqual(["subnet-a0000001", "subnet-b0000001", "subnet-c0000000"]);
    });

    it("6 subnets from 3 AZs with 3 private subnets", () => {
      // Prepare
      const six = [
        ...three,
        s("subnet-c0000000", "af-south-1c"),
        s("subnet-d0000001", "af-south-1a"),
        s("subnet-d0000002", "af-south-1b"),
      ];
      const inventory = legacyInventory(six, {
        "subnet-a0000001": false,
        "subnet-b0000001": false,
        "subnet-c0000001": false,
        "subnet-c0000000": true,
        "subnet-d0000001": true,
        "subnet-d0000002": true,
      });

      // Act
      const ids = chosenIds(inventory, LEGACY_CLUSTER, legacy("internet-facing")).sort();

      // Assess
      expect(ids).toEqual(["subnet-c0000000", "subnet-d0000001", "subnet-d0000002"]);
    });
  });

  describe("differences from the LBC", () => {
    it("has no IP floor and no 2-AZ minimum", () => {
      // Prepare
      const inventory = legacyInventory([subnet({ id: "subnet-1", az: "us-west-2a", ips: 0 })]);

      // Act
      const result = discoverLbSubnets(inventory, LEGACY_CLUSTER, legacy("internal"));

      // Assess
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-1"]);
      expect(result.error).toBeNull();
    });

    it("the role key wins with any value, and the legacy KubernetesCluster tag counts as the cluster tag", () => {
      // Prepare
      const inventory = legacyInventory(
        [
          subnet({ id: "subnet-1", az: "us-west-2a", tags: { KubernetesCluster: LEGACY_CLUSTER } }),
          subnet({ id: "subnet-2", az: "us-west-2a" }),
          subnet({ id: "subnet-3", az: "us-west-2b" }),
          subnet({ id: "subnet-4", az: "us-west-2b", tags: { "kubernetes.io/role/elb": "true" } }),
        ],
        {},
      );

      // Act
      const result = discoverLbSubnets(inventory, LEGACY_CLUSTER, legacy("internet-facing"));

      // Assess
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-1", "subnet-4"]);
      expect(result.excluded).toContainEqual(
        expect.objectContaining({
          subnetId: "subnet-3",
          reason: "in us-west-2b, where subnet-4 has the role tag kubernetes.io/role/elb",
        }),
      );
    });

    it("only kubernetes.io/cluster/ keys (with the slash) exclude a subnet", () => {
      // Prepare
      const inventory = legacyInventory(
        [
          subnet({ id: "subnet-1", az: "us-west-2a", tags: { "kubernetes.io/clusterX": "owned" } }),
          subnet({ id: "subnet-2", az: "us-west-2b", tags: { "kubernetes.io/cluster/other": "owned" } }),
        ],
        {},
      );

      // Act
      const result = discoverLbSubnets(inventory, LEGACY_CLUSTER, legacy("internet-facing"));

      // Assess
      expect(result.chosen.map((c) => c.subnetId)).toEqual(["subnet-1"]);
      expect(result.excluded).toContainEqual(
        expect.objectContaining({
          subnetId: "subnet-2",
          reason: "tagged for other cluster(s): kubernetes.io/cluster/other",
        }),
      );
    });

    it("internal load balancers take public and private subnets", () => {
      // Prepare
      const inventory = legacyInventory(
        [subnet({ id: "subnet-1", az: "us-west-2a" }), subnet({ id: "subnet-2", az: "us-west-2b" })],
        { "subnet-1": true, "subnet-2": false },
      );

      // Act
      const ids = chosenIds(inventory, LEGACY_CLUSTER, legacy("internal"));

      // Assess
      expect(ids).toEqual(["subnet-1", "subnet-2"]);
    });
  });
});
