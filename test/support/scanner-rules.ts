/**
 * `expectFires` / `expectQuiet` for the scanner-produced rules (scan.access-denied, scan.region-unavailable):
 * they have no inventory, so the estate is scanned through the simulator and the real scanner. Tests that use
 * these are integration tests (test/layers.ts).
 */

import { AwsClientFactory } from "#shared/aws/clients.ts";
import type { Estate } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import type { ScannerRuleDefinition } from "#shared/rules/rule.ts";
import { scanScope } from "#shared/scan/scan-scope.ts";
import { defaultAccountId, simAccessKeyId, startSimulator } from "#sim/index.ts";
import { assertFires, assertQuiet, type Scope } from "./rules.ts";

/** Asserts that scanning the estate reports at least one well-formed finding of the rule; returns them. */
export async function expectFires(rule: ScannerRuleDefinition, estate: Estate): Promise<Finding[]> {
  const { findings, scopes } = await scannedFindings(rule, estate);
  return assertFires(rule, findings, scopes);
}

/** Asserts that scanning the estate produces none of the rule's findings. */
export async function expectQuiet(rule: ScannerRuleDefinition, estate: Estate): Promise<Finding[]> {
  const { findings } = await scannedFindings(rule, estate);
  return assertQuiet(rule, findings);
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
