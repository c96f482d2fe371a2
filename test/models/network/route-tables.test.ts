import type { RouteTable, Subnet } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import {
  defaultRouteTarget,
  hasInternetGatewayRoute,
  isPublicSubnet,
  routeTableOf,
  vpcHasIgwRoute,
} from "#shared/models/network/route-tables.ts";
import { subnetLocaleOf, zoneTypeOf } from "#shared/models/network/zones.ts";
import { mainTable, privateTable, publicTable, routeTable, subnet } from "#test/rules/elb/fixtures.ts";

// Fixtures are wire shapes; without Date fields they are the SDK shapes.
const asSubnet = (s: ReturnType<typeof subnet>): Subnet => s;
const asTables = (t: ReturnType<typeof routeTable>[]): RouteTable[] => t;

describe("Function: routeTableOf", () => {
  it("returns the explicitly associated table", () => {
    // Prepare
    const tables = asTables([mainTable(), publicTable("rtb-pub", ["subnet-1"])]);

    // Act
    const table = routeTableOf(asSubnet(subnet({ id: "subnet-1", az: "eu-west-1a" })), tables);

    // Assess
    expect(table?.RouteTableId).toBe("rtb-pub");
  });

  it("falls back to the main table of the subnet's VPC", () => {
    // Prepare
    const tables = asTables([
      mainTable("rtb-other-main", "vpc-other"),
      mainTable("rtb-main"),
      publicTable("rtb-pub", ["subnet-9"]),
    ]);

    // Act
    const table = routeTableOf(asSubnet(subnet({ id: "subnet-1", az: "eu-west-1a" })), tables);

    // Assess
    expect(table?.RouteTableId).toBe("rtb-main");
  });

  it("returns undefined when neither applies", () => {
    // Prepare
    const tables = asTables([publicTable("rtb-pub", ["subnet-9"])]);

    // Act
    const table = routeTableOf(asSubnet(subnet({ id: "subnet-1", az: "eu-west-1a" })), tables);

    // Assess
    expect(table).toBeUndefined();
  });
});

describe("Function: hasInternetGatewayRoute", () => {
  it.each([
    { target: "igw-0abc", want: true },
    { target: "nat-0abc", want: false },
    { target: "tgw-0abc", want: false },
    { target: "pcx-0abc", want: false },
    { target: "vgw-0abc", want: false },
  ] as const)("$target → $want", ({ target, want }) => {
    // Prepare
    const table = routeTable({ id: "rtb-1", defaultRoute: target });

    // Act
    const result = hasInternetGatewayRoute(table);

    // Assess
    expect(result).toBe(want);
  });

  it("ignores the local route and egress-only gateways", () => {
    // Prepare
    const table: RouteTable = {
      Routes: [
        { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local" },
        { DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-1" },
      ],
    };

    // Act
    const result = hasInternetGatewayRoute(table);

    // Assess
    expect(result).toBe(false);
  });
});

describe("Function: isPublicSubnet", () => {
  it("is public through the main table when the subnet has no association", () => {
    // Prepare
    const tables = asTables([
      mainTable("rtb-main", undefined, "igw-main"),
      privateTable("rtb-prv", ["subnet-2"]),
    ]);

    // Act
    const unassociated = isPublicSubnet(asSubnet(subnet({ id: "subnet-1", az: "eu-west-1a" })), tables);
    const associated = isPublicSubnet(asSubnet(subnet({ id: "subnet-2", az: "eu-west-1a" })), tables);

    // Assess
    expect(unassociated).toBe(true);
    expect(associated).toBe(false);
  });
});

describe("Function: vpcHasIgwRoute", () => {
  it("looks at every table of the VPC and only that VPC", () => {
    // Prepare
    const tables = asTables([
      mainTable(),
      privateTable("rtb-prv", []),
      publicTable("rtb-x", [], "vpc-other"),
    ]);

    // Act
    const inVpc = vpcHasIgwRoute("vpc-0a1", tables);
    const inOther = vpcHasIgwRoute("vpc-other", tables);

    // Assess
    expect(inVpc).toBe(false);
    expect(inOther).toBe(true);
  });
});

describe("Function: defaultRouteTarget", () => {
  it("names where 0.0.0.0/0 goes", () => {
    // Prepare
    const table = privateTable("rtb-prv", []);

    // Act
    const target = defaultRouteTarget(table);

    // Assess
    expect(target).toBe("nat-0a1");
  });
});

describe("Function: zoneTypeOf", () => {
  it.each([
    { az: "eu-west-1a", want: "availability-zone" },
    { az: "us-gov-west-1b", want: "availability-zone" },
    { az: "us-west-2-lax-1a", want: "local-zone" },
    { az: "us-east-1-bos-1a", want: "local-zone" },
    { az: "us-west-2-wl1-las-wlz-1", want: "wavelength-zone" },
  ])("$az → $want", ({ az, want }) => {
    // Act
    const zoneType = zoneTypeOf(az);

    // Assess
    expect(zoneType).toBe(want);
  });

  it("classifies Outpost subnets by their OutpostArn", () => {
    // Prepare
    const outpost = asSubnet(
      subnet({ id: "subnet-1", az: "us-west-2a", outpostArn: "arn:aws:outposts:op-1" }),
    );

    // Act
    const locale = subnetLocaleOf(outpost);

    // Assess
    expect(locale).toBe("outpost");
  });
});
