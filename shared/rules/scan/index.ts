import type { CatalogRule } from "#shared/rules/rule.ts";
import { scanAccessDenied } from "./access-denied.ts";
import { scanRegionUnavailable } from "./region-unavailable.ts";

/** The scan.* coverage rules, in catalog order. */
export const SCAN_RULES: CatalogRule[] = [scanAccessDenied, scanRegionUnavailable];

export { scanAccessDenied, scanRegionUnavailable };
