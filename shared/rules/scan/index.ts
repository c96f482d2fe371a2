import type { CatalogRule } from "#shared/rules/rule.ts";
import { scanAccessDenied } from "./access-denied.ts";
import { scanError } from "./error.ts";
import { scanRegionUnavailable } from "./region-unavailable.ts";

/** The scan.* coverage rules, in catalog order; only `scan.error` also evaluates inventories. */
export const SCAN_RULES: CatalogRule[] = [scanAccessDenied, scanRegionUnavailable, scanError];

export { scanAccessDenied, scanError, scanRegionUnavailable };
