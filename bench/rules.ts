/**
 * `npm run bench:rules`: rule evaluation on one dense region (issue 19's target: 50 clusters, 200 node groups,
 * 2,000 subnets, 1,700 SGs in ≤ 100 ms; 10× the region in ≤ 12× the time). The region comes from the
 * benchmark's generator, is assembled by the collector's own pure assembly, and every rule of the catalog
 * evaluates it (`evaluateRules`), the same call the scanner makes. Reports the median of several runs per
 * size and the slowest rules; it asserts nothing (a benchmark reports numbers).
 */
import { performance } from "node:perf_hooks";
import { ALL_RULES, evaluateRules } from "#shared/catalog/index.ts";
import type { EstateRegion } from "#shared/estate/index.ts";
import { assembleInventoryWithoutKubelet } from "#shared/inventory/assemble.ts";
import type { Inventory, RawRegion } from "#shared/inventory/types.ts";
import { loadTextFormats } from "#shared/models/text-formats.ts";
import { generateDenseRegion } from "./generate-estate.ts";

const ACCOUNT = "123456789012";
// The pure assembly is synchronous: the YAML library its vpc-cni settings need is loaded first, as
// `assembleInventory` does for a region with a cluster.
await loadTextFormats();
const REGION = "eu-west-1";

function inventoryOf(region: EstateRegion): Inventory {
  return assembleInventoryWithoutKubelet(
    { accountId: ACCOUNT, region: REGION },
    region as unknown as RawRegion,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Each timed run evaluates a freshly assembled inventory, as the scanner does once per account-region: the
 * region-wide indexes the rules build are part of the time, never reused from an earlier run. One untimed run
 * on its own inventory warms the JIT first (a scanner's second scope).
 */
function measure(region: EstateRegion, runs: number): { ms: number; perRule: [string, number][] } {
  evaluateRules(inventoryOf(region));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const inventory = inventoryOf(region);
    const t0 = performance.now();
    evaluateRules(inventory);
    times.push(performance.now() - t0);
  }
  // Per rule, each on a fresh inventory too (so a rule is charged for the indexes it builds).
  const perRule = ALL_RULES.map((rule): [string, number] => {
    const inventory = inventoryOf(region);
    const t0 = performance.now();
    rule.evaluate(inventory);
    return [rule.id, performance.now() - t0];
  }).sort((a, b) => b[1] - a[1]);
  return { ms: median(times), perRule };
}

function sizeOf(inventory: Inventory) {
  return {
    clusters: inventory.clusters.length,
    nodegroups: inventory.clusters.reduce((n, c) => n + c.nodegroups.length, 0),
    subnets: inventory.subnets.length,
    securityGroups: inventory.securityGroups.length,
  };
}

// 70 clusters: at least the target's 200 node groups, 2,000 subnets and 1,700 SGs; then ten times that.
const sizes = [70, 700];
let base: number | undefined;
for (const clusters of sizes) {
  const region = generateDenseRegion(42, ACCOUNT, REGION, { clusters });
  const { ms, perRule } = measure(region, clusters > 100 ? 3 : 9);
  const inventory = inventoryOf(region);
  base ??= ms;
  const size = sizeOf(inventory);
  process.stdout.write(
    `${clusters} clusters: ${size.nodegroups} node groups, ${size.subnets} subnets, ${size.securityGroups} SGs: ` +
      `${ms.toFixed(1)} ms (median), ×${(ms / base).toFixed(2)} the first size; slowest rules: ` +
      `${perRule
        .slice(0, 3)
        .map(([id, t]) => `${id} ${t.toFixed(1)} ms`)
        .join(", ")}\n`,
  );
}
