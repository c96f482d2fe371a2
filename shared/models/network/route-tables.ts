import type { Route, RouteTable, Subnet } from "@aws-sdk/client-ec2";

/**
 * The route table a subnet uses: its explicit association, else the main table of its VPC.
 * Same lookup as cloud-provider-aws `isSubnetPublic` and the LBC `isSubnetContainsRouteToIGW`.
 */
export function routeTableOf(subnet: Subnet, routeTables: RouteTable[]): RouteTable | undefined {
  const subnetId = subnet.SubnetId;
  if (subnetId !== undefined) {
    const explicit = routeTables.find((table) => table.Associations?.some((a) => a.SubnetId === subnetId));
    if (explicit) return explicit;
  }
  return mainRouteTableOf(subnet.VpcId, routeTables);
}

/** The VPC's main route table; tables without a VpcId are taken to belong to the VPC asked about. */
export function mainRouteTableOf(
  vpcId: string | undefined,
  routeTables: RouteTable[],
): RouteTable | undefined {
  return routeTables.find(
    (table) => inVpc(table, vpcId) && (table.Associations ?? []).some((a) => a.Main === true),
  );
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

function inVpc(table: RouteTable, vpcId: string | undefined): boolean {
  return vpcId === undefined || table.VpcId === undefined || table.VpcId === vpcId;
}
