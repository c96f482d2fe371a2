import type { Estate, EstateRegion } from "#shared/estate/index.ts";
import { assembleInventory, assembleInventoryWithoutKubelet } from "#shared/inventory/assemble.ts";
import { emptyRawRegion, type Inventory, type RawRegion } from "#shared/inventory/types.ts";
import { loadTextFormats } from "#shared/models/text-formats.ts";

// `inventoryFromEstate` assembles synchronously: the YAML library its vpc-cni settings need is loaded here, as
// `assembleInventory` loads it for a region with a cluster.
await loadTextFormats();

/**
 * An estate region as the raw API results the collector assembles. The estate holds the SDK output shapes,
 * with Date fields as ISO strings; no rule reads them.
 */
export function rawRegionOf(region: EstateRegion | undefined): RawRegion {
  return region === undefined ? emptyRawRegion() : (region as unknown as RawRegion);
}

/**
 * The inventory of one account-region of an estate, assembled by the collector's own assembly without the
 * simulator, kubelet settings left out (they need asynchronous parsing: `inventoryWithKubelet`). An
 * estate holds more than the collector reads; `test/inventory/assemble.test.ts` names the difference.
 */
export function inventoryFromEstate(estate: Estate, accountId: string, region: string): Inventory {
  return assembleInventoryWithoutKubelet(
    { accountId, region },
    rawRegionOf(estate.accounts[accountId]?.regions[region]),
  );
}

/** The full assembly of one account-region of an estate, kubelet settings included. */
export function assembledFromEstate(estate: Estate, accountId: string, region: string): Promise<Inventory> {
  return assembleInventory({ accountId, region }, rawRegionOf(estate.accounts[accountId]?.regions[region]));
}
