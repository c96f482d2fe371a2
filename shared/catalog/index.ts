import type { Finding, RuleId } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { ELB_RULES } from "#shared/rules/elb/index.ts";
import { IP_RULES } from "#shared/rules/ip/index.ts";
import { NODE_RULES } from "#shared/rules/node/index.ts";
import { type CatalogRule, isEvaluated, type RuleDefinition } from "#shared/rules/rule.ts";
import { SCAN_RULES } from "#shared/rules/scan/index.ts";
import { coverageFindings } from "#shared/rules/scan/unread.ts";
import { SG_RULES } from "#shared/rules/sg/index.ts";

export type {
  CatalogRule,
  Rule,
  RuleDefinition,
  RuleFamily,
  RuleMetadata,
  ScannerRuleDefinition,
} from "#shared/rules/rule.ts";
export { isEvaluated, ruleMetadata } from "#shared/rules/rule.ts";

/** Every rule of the catalog with its metadata, in `RULE_IDS` order (scanner-produced scan.* ones included). */
export const RULE_CATALOG: readonly CatalogRule[] = [
  ...ELB_RULES,
  ...IP_RULES,
  ...SG_RULES,
  ...NODE_RULES,
  ...SCAN_RULES,
];

/** Every rule evaluated on an inventory (scan.access-denied and scan.region-unavailable come from the scanner). */
export const ALL_RULES: readonly RuleDefinition[] = RULE_CATALOG.filter(isEvaluated);

export function ruleById(id: RuleId): CatalogRule | undefined {
  return RULE_CATALOG.find((r) => r.id === id);
}

/** Thrown when a rule itself fails: the scope is then not complete, so nothing may be resolved. */
export class RuleEvaluationError extends Error {
  constructor(
    readonly ruleId: string,
    cause: unknown,
  ) {
    super(`rule ${ruleId} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "RuleEvaluationError";
  }
}

/** The findings of `rules`, then the coverage findings of what the scan could not read (always). */
export function evaluateRules(inventory: Inventory, rules: readonly RuleDefinition[] = ALL_RULES): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    try {
      findings.push(...rule.evaluate(inventory));
    } catch (err) {
      throw new RuleEvaluationError(rule.id, err);
    }
  }
  findings.push(...coverageFindings(inventory));
  return findings;
}
