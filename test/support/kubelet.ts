import type { Estate } from "#shared/estate/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { assembledFromEstate } from "./inventory.ts";

/** `inventoryFromEstate` plus the kubelet settings, read from user data exactly as the collector's assembly does. */
export function inventoryWithKubelet(estate: Estate, accountId: string, region: string): Promise<Inventory> {
  return assembledFromEstate(estate, accountId, region);
}
