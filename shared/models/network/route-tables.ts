import type { Route, RouteTable, Subnet } from "@aws-sdk/client-ec2";

/**
 * The route table a subnet uses: its explicit association, else the main table of its VPC.
 * Same lookup as cloud-provider-aws `isSubnetPublic` and the LBC `isSubnetContainsRouteToIGW`.
 */
export function routeTableOf(subnet: Subnet, routeTables: RouteTable[]): RouteTable | undefined {
  const subnetId = subnet.SubnetId;
  if (subnetId !== undefined) {
    const explicit = lookupOf(routeTables).explicit.get(subnetId);
    if (explicit) return explicit;
  }
  return mainRouteTableOf(subnet.VpcId, routeTables);
}

/** The VPC's main route table; tables without a VpcId are taken to belong to the VPC asked about. */
export function mainRouteTableOf(
  vpcId: string | undefined,
  routeTables: RouteTable[],
): RouteTable | undefined {
  const { main, mainWithoutVpc, firstMain } = lookupOf(routeTables);
  if (vpcId === undefined) return firstMain;
  const own = main.get(vpcId);
  // The first match in list order, as a scan of the list would find it.
  if (own === undefined) return mainWithoutVpc?.table;
  if (mainWithoutVpc === undefined || own.position < mainWithoutVpc.position) return own.table;
  return mainWithoutVpc.table;
}

interface RouteTableLookup {
  /** The first table explicitly associated with each subnet. */
  explicit: Map<string, RouteTable>;
  /** The first main table of each VPC, with its position in the list. */
  main: Map<string, { table: RouteTable; position: number }>;
  /** The first main table that names no VPC. */
  mainWithoutVpc?: { table: RouteTable; position: number };
  /** The first main table of the list (a subnet whose VPC is unknown takes it). */
  firstMain?: RouteTable;
}

/** Built once per route-table list (every subnet of every rule asks): a scan per subnet made rules quadratic. */
const lookups = new WeakMap<readonly RouteTable[], RouteTableLookup>();

function lookupOf(routeTables: readonly RouteTable[]): RouteTableLookup {
  let lookup = lookups.get(routeTables);
  if (lookup === undefined) {
    const built: RouteTableLookup = { explicit: new Map(), main: new Map() };
    routeTables.forEach((table, position) => {
      const associations = table.Associations ?? [];
      for (const a of associations)
        if (a.SubnetId !== undefined && !built.explicit.has(a.SubnetId))
          built.explicit.set(a.SubnetId, table);
      if (!associations.some((a) => a.Main === true)) return;
      built.firstMain ??= table;
      if (table.VpcId === undefined) built.mainWithoutVpc ??= { table, position };
      else if (!built.main.has(table.VpcId)) built.main.set(table.VpcId, { table, position });
    });
    lookup = built;
    lookups.set(routeTables, lookup);
  }
  return lookup;
}

/** Only a route whose GatewayId starts with `igw` makes a subnet public; NAT, TGW, peering and VGW do not. */
export function hasInternetGatewayRoute(table: RouteTable | undefined): boolean {
  return (table?.Routes ?? []).some(isInternetGatewayRoute);
}

export function isInternetGatewayRoute(route: Route): boolean {
  return (route.GatewayId ?? "").startsWith("igw");
}

export function isPublicSubnet(subnet: Subnet, routeTables: RouteTable[]): boolean {
  return hasInternetGatewayRoute(routeTableOf(subnet, routeTables));
}

/** Whether any route table of the VPC routes to an internet gateway (internet-facing LBs can work at all). */
export function vpcHasIgwRoute(vpcId: string, routeTables: RouteTable[]): boolean {
  return routeTables.some((table) => table.VpcId === vpcId && hasInternetGatewayRoute(table));
}

/** The IGW route of a table, for evidence (`igw-0abc`), if any. */
export function internetGatewayOf(table: RouteTable | undefined): string | undefined {
  return (table?.Routes ?? []).find(isInternetGatewayRoute)?.GatewayId;
}

/** Where the default route (0.0.0.0/0) of a table goes, for human-readable evidence. */
export function defaultRouteTarget(table: RouteTable | undefined): string | undefined {
  const route = (table?.Routes ?? []).find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
  return route ? routeTarget(route) : undefined;
}

export function routeTarget(route: Route): string | undefined {
  return (
    route.GatewayId ??
    route.NatGatewayId ??
    route.TransitGatewayId ??
    route.VpcPeeringConnectionId ??
    route.NetworkInterfaceId ??
    route.InstanceId ??
    route.EgressOnlyInternetGatewayId ??
    route.LocalGatewayId ??
    route.CarrierGatewayId
  );
}
