import type { Estate } from "#shared/estate/index.ts";
import { emptyInventory, type Inventory } from "#shared/inventory/types.ts";

/**
 * The inventory the collector would build for one account-region of an estate, without the simulator:
 * rule tests use it to run rules on estate fixtures. Dates stay ISO strings; no rule reads them.
 */
export function inventoryFromEstate(estate: Estate, accountId: string, region: string): Inventory {
  const r = estate.accounts[accountId]?.regions[region];
  const inventory = emptyInventory(accountId, region);
  if (!r) return inventory;
  const asSdk = <T>(value: unknown): T => value as T;
  inventory.clusters = asSdk(r.eks.clusters);
  const vpcIds = new Set(r.eks.clusters.map((c) => c.cluster.resourcesVpcConfig?.vpcId));
  inventory.vpcs = asSdk(r.ec2.Vpcs);
  inventory.subnets = asSdk(r.ec2.Subnets);
  inventory.routeTables = asSdk(r.ec2.RouteTables.filter((t) => vpcIds.has(t.VpcId)));
  inventory.securityGroups = asSdk(r.ec2.SecurityGroups.filter((g) => vpcIds.has(g.VpcId)));
  inventory.referencingSecurityGroups = asSdk(r.ec2.SecurityGroups);
  inventory.instanceTypes = asSdk(r.ec2.InstanceTypes);
  inventory.launchTemplateVersions = asSdk(r.ec2.LaunchTemplateVersions);
  inventory.networkInterfaces = asSdk(r.ec2.NetworkInterfaces);
  return inventory;
}
