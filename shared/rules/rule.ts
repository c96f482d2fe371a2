import type { Finding, RuleId, Severity } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";

/** A rule is a pure function: one account-region inventory in, findings out. It never calls AWS. */
export type Rule = (inventory: Inventory) => Finding[];

/** `elb`, `ip`, `sg`, `node`, `scan`: the part of a rule id before the dot. */
export type RuleFamily = RuleId extends `${infer F}.${string}` ? F : never;

/**
 * What a rule says about itself, beside its logic (cdk-nag packs, Prowler `metadata.json`): `eks-audit
 * rules` and `docs/rules.md` are generated from it.
 */
export interface RuleMetadata {
  id: RuleId;
  family: RuleFamily;
  /** The catalog default; a rule may raise or lower a finding's severity from evidence. */
  severity: Severity;
  /** What is wrong, in a few words (a finding's own title names the resource). */
  title: string;
  /** Why it matters, in one line. */
  why: string;
  /** When it fires, as the rule catalog states it (Markdown). */
  firesWhen: string;
  /** The upstream source file or AWS documentation page the rule follows. */
  link: string;
}

/** A rule evaluated on every inventory the scan collects. */
export interface RuleDefinition extends RuleMetadata {
  evaluate: Rule;
}

/**
 * A coverage rule whose findings the scanner itself produces for a scope it could not scan
 * (`scanFailureFinding`, shared/scan/scan-scope.ts): there is no inventory to evaluate.
 */
export interface ScannerRuleDefinition extends RuleMetadata {
  producedBy: "scanner";
}

/** Any rule of the catalog. */
export type CatalogRule = RuleDefinition | ScannerRuleDefinition;

export function isEvaluated(rule: CatalogRule): rule is RuleDefinition {
  return "evaluate" in rule;
}

/** The metadata alone (what `eks-audit rules --format json` prints), in a fixed key order. */
export function ruleMetadata(rule: CatalogRule): RuleMetadata {
  const { id, family, severity, title, why, firesWhen, link } = rule;
  return { id, family, severity, title, why, firesWhen, link };
}

/** Fills accountId/region from the inventory so rules only state what they found. */
export function newFinding(
  inventory: Pick<Inventory, "accountId" | "region">,
  f: Omit<Finding, "accountId" | "region">,
): Finding {
  return { accountId: inventory.accountId, region: inventory.region, ...f };
}
