import type { LaunchTemplateVersion } from "@aws-sdk/client-ec2";
import type { Estate } from "#shared/estate/index.ts";
import { kubeletReadings, withoutUserData } from "#shared/inventory/kubelet-readings.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { inventoryFromEstate } from "./inventory.ts";

/**
 * `inventoryFromEstate` plus what the collector does with user data: kubelet readings from the estate's
 * launch template versions (UserData included), then the versions kept without UserData.
 */
export async function inventoryWithKubelet(
  estate: Estate,
  accountId: string,
  region: string,
): Promise<Inventory> {
  const inventory = inventoryFromEstate(estate, accountId, region);
  const versions = (estate.accounts[accountId]?.regions[region]?.ec2.LaunchTemplateVersions ??
    []) as unknown as LaunchTemplateVersion[];
  inventory.kubelet = await kubeletReadings(inventory.clusters, versions, inventory.instanceTypes);
  inventory.launchTemplateVersions = withoutUserData(versions);
  return inventory;
}
