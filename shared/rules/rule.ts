import type { Finding, RuleId } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";

/** A rule is a pure function: one account-region inventory in, findings out. It never calls AWS. */
export type Rule = (inventory: Inventory) => Finding[];

export interface RuleDefinition {
  id: RuleId;
  evaluate: Rule;
}

/** Fills accountId/region from the inventory so rules only state what they found. */
export function newFinding(
  inventory: Pick<Inventory, "accountId" | "region">,
  f: Omit<Finding, "accountId" | "region">,
): Finding {
  return { accountId: inventory.accountId, region: inventory.region, ...f };
}
