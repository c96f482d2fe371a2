/**
 * One pair of assertions for every rule test (cdk-nag `validateStack` style): `expectFires(rule, input)` and
 * `expectQuiet(rule, input)`. The input is an inventory or an estate; an estate is turned into the inventory the
 * collector would build for each of its account-regions. Scanner-produced rules (scan.access-denied,
 * scan.region-unavailable) have no inventory: `#test/support/scanner-rules.ts` scans their estate through the
 * simulator instead (an integration test).
 */
import { expect } from "vitest";
import type { Estate } from "#shared/estate/index.ts";
import { type Finding, SEVERITIES } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import type { CatalogRule, RuleDefinition } from "#shared/rules/rule.ts";
import { inventoryFromEstate } from "./inventory.ts";

/** Asserts that the rule reports at least one well-formed finding, all under its own id; returns them. */
export function expectFires(rule: RuleDefinition, input: Inventory | Estate): Finding[] {
  return assertFires(rule, evaluated(rule, input), scopesOf(input));
}

/** Asserts that the rule reports nothing. */
export function expectQuiet(rule: RuleDefinition, input: Inventory | Estate): Finding[] {
  return assertQuiet(rule, evaluated(rule, input));
}

export interface Scope {
  accountId: string;
  region: string;
}

function isInventory(input: Inventory | Estate): input is Inventory {
  return "accountId" in input && "clusters" in input;
}

function scopesOf(input: Inventory | Estate): Scope[] {
  if (isInventory(input)) return [{ accountId: input.accountId, region: input.region }];
  return Object.entries(input.accounts).flatMap(([accountId, account]) =>
    Object.keys(account.regions).map((region) => ({ accountId, region })),
  );
}

function evaluated(rule: RuleDefinition, input: Inventory | Estate): Finding[] {
  if (isInventory(input)) return rule.evaluate(input);
  // An estate's inventory here has no kubelet readings: node rules would stay quiet for want of data.
  if (rule.family === "node") {
    throw new Error(
      `${rule.id} reads user data: pass \`await inventoryWithKubelet(estate, account, region)\``,
    );
  }
  const scopes = scopesOf(input);
  if (scopes.length === 0) throw new Error(`${rule.id}: the estate has no account-region to evaluate`);
  return scopes.flatMap((s) => rule.evaluate(inventoryFromEstate(input, s.accountId, s.region)));
}

export function assertFires(rule: CatalogRule, findings: Finding[], scopes: readonly Scope[]): Finding[] {
  const own = findings.filter((f) => f.ruleId === rule.id);
  expect(own.length, `${rule.id} did not fire`).toBeGreaterThan(0);
  if ("evaluate" in rule) {
    expect(
      findings.filter((f) => f.ruleId !== rule.id).map((f) => f.ruleId),
      `${rule.id} reports under other rule ids`,
    ).toEqual([]);
  }
  for (const f of own) expectWellFormed(f, scopes);
  return own;
}

export function assertQuiet(rule: CatalogRule, findings: Finding[]): Finding[] {
  const own = findings.filter((f) => f.ruleId === rule.id);
  expect(own, `${rule.id} fired`).toEqual([]);
  return own;
}

/** What every finding carries (rule catalog): its scope, the resource, a severity, text, a fix, plain JSON evidence. */
function expectWellFormed(f: Finding, scopes: readonly Scope[]): void {
  const where = `${f.ruleId} ${f.resourceId}`;
  expect(
    scopes.some((s) => s.accountId === f.accountId && s.region === f.region),
    `${where}: accountId/region ${f.accountId}/${f.region} is not a scanned scope`,
  ).toBe(true);
  expect(f.cluster, `${where}: cluster`).not.toBe("");
  expect(f.resourceId, `${f.ruleId}: resourceId`).not.toBe("");
  expect(SEVERITIES, `${where}: severity`).toContain(f.severity);
  expect(f.title.trim(), `${where}: title`).not.toBe("");
  expect(f.detail.trim(), `${where}: detail`).not.toBe("");
  expect(f.remediation.trim(), `${where}: remediation`).not.toBe("");
  expect(JSON.parse(JSON.stringify(f.evidence)), `${where}: evidence is plain JSON`).toEqual(f.evidence);
}
