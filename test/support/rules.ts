/**
 * One pair of assertions for every rule test (cdk-nag `validateStack` style): `expectFires(rule, input)` and
 * `expectQuiet(rule, input)`. The input is an inventory or an estate; an estate is turned into the inventory the
 * collector would build for each of its account-regions. Scanner-produced rules (scan.access-denied,
 * scan.region-unavailable) have no inventory: their estate is scanned through the simulator instead, so the
 * helpers return a promise for them.
 */
import { expect } from "vitest";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import type { Estate } from "#shared/estate/index.ts";
import { type Finding, SEVERITIES } from "#shared/findings/index.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import type { CatalogRule, RuleDefinition, ScannerRuleDefinition } from "#shared/rules/rule.ts";
import { scanScope } from "#shared/scan/scan-scope.ts";
import { defaultAccountId, simAccessKeyId, startSimulator } from "#sim/index.ts";
import { inventoryFromEstate } from "./inventory.ts";

/** Asserts that the rule reports at least one well-formed finding, all under its own id; returns them. */
export function expectFires(rule: RuleDefinition, input: Inventory | Estate): Finding[];
export function expectFires(rule: ScannerRuleDefinition, estate: Estate): Promise<Finding[]>;
export function expectFires(rule: CatalogRule, input: Inventory | Estate): Finding[] | Promise<Finding[]> {
  if ("evaluate" in rule) return assertFires(rule, evaluated(rule, input), scopesOf(input));
  return scannedFindings(rule, asEstate(rule, input)).then(({ findings, scopes }) =>
    assertFires(rule, findings, scopes),
  );
}

/** Asserts that the rule reports nothing (for a scanner rule: that the scan produces none of its findings). */
export function expectQuiet(rule: RuleDefinition, input: Inventory | Estate): Finding[];
export function expectQuiet(rule: ScannerRuleDefinition, estate: Estate): Promise<Finding[]>;
export function expectQuiet(rule: CatalogRule, input: Inventory | Estate): Finding[] | Promise<Finding[]> {
  if ("evaluate" in rule) return assertQuiet(rule, evaluated(rule, input));
  return scannedFindings(rule, asEstate(rule, input)).then(({ findings }) => assertQuiet(rule, findings));
}

interface Scope {
  accountId: string;
  region: string;
}

function isInventory(input: Inventory | Estate): input is Inventory {
  return "accountId" in input && "clusters" in input;
}

function asEstate(rule: CatalogRule, input: Inventory | Estate): Estate {
  if (isInventory(input)) {
    throw new Error(`${rule.id} is produced by the scanner, not from an inventory: pass an estate to scan`);
  }
  return input;
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

function assertFires(rule: CatalogRule, findings: Finding[], scopes: readonly Scope[]): Finding[] {
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

function assertQuiet(rule: CatalogRule, findings: Finding[]): Finding[] {
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

/**
 * Scans every account-region of the estate (and the regions its faults mark as not enabled) through the
 * simulator and the real scanner, with the caller holding the estate's management account's credentials.
 */
async function scannedFindings(
  rule: ScannerRuleDefinition,
  estate: Estate,
): Promise<{ findings: Finding[]; scopes: Scope[] }> {
  const notEnabled = estate.faults?.regionsNotEnabled ?? {};
  const scopes = Object.entries(estate.accounts).flatMap(([accountId, account]) =>
    [...new Set([...Object.keys(account.regions), ...(notEnabled[accountId] ?? [])])].map((region) => ({
      accountId,
      region,
    })),
  );
  const [home] = scopes;
  if (home === undefined) throw new Error(`${rule.id}: the estate has no account-region to scan`);
  const sim = await startSimulator({ estate });
  const caller = defaultAccountId(estate);
  const factory = new AwsClientFactory({
    runId: "rule-test",
    endpoint: sim.url,
    homeRegion: home.region,
    credentials: async () => ({ accessKeyId: simAccessKeyId(caller), secretAccessKey: "simulator" }),
    maxAttempts: 1,
  });
  try {
    const results = await Promise.all(scopes.map((scope) => scanScope(factory, scope)));
    return { findings: results.flatMap((r) => r.findings), scopes };
  } finally {
    factory.destroy();
    await sim.close();
  }
}
