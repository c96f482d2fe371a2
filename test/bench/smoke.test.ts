import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchResult, DEFAULTS, runBenchmark } from "#bench/benchmark.ts";
import { generateEstate } from "#bench/generate-estate.ts";
import {
  type BenchReport,
  collectorCallsPerCluster,
  evaluateTargets,
  mainMeasurement,
  renderReport,
  variantPair,
} from "#bench/report.ts";
import { parseArgs } from "#bench/run.ts";
import { sequentialRounds } from "#bench/timeline.ts";
import { parseEstate } from "#shared/estate/index.ts";

/**
 * The benchmark's own pipeline on a tiny estate: 3 accounts × 2 regions, 2 ms per call, no throttling,
 * simulator and dynalite in child processes as in `npm run bench`. Asserts the report's shape and the
 * invariants that do not depend on timing; never a time threshold.
 */
describe("Benchmark smoke run", () => {
  let dir: string;
  let result: BenchResult;
  let report: BenchReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "eks-auditor-bench-smoke-"));
    result = await runBenchmark({
      ...DEFAULTS,
      accounts: 3,
      regions: 2,
      variantAccounts: 3,
      concurrency: 4,
      batchSize: 2,
      latencyMs: 2,
      throttle: undefined,
      probeAccounts: 2,
      bundles: false,
      curve: [],
      estateDir: dir,
      timeoutMs: 60_000,
    });
    report = { ...result, targets: evaluateTargets(result) };
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("measures the estate twice and its ×3-network twin once", () => {
    expect(result.measurements.map((m) => [m.accounts, m.networkScale, m.second !== undefined])).toEqual([
      [3, 1, true],
      [3, 3, false],
    ]);
    const main = mainMeasurement(result);
    expect(main?.scopes).toBe(6);
    expect(main?.first.records).toEqual({ ok: 6, failed: 0 });
    expect(main?.first.scanErrors).toBe(0);
    expect(main?.first.accounts).toBe(3);
  });

  it("goes through every stage: plan, scan, store, notify", () => {
    const run = mainMeasurement(result)?.first;
    expect(run?.sim.byOperation.ListAccounts?.calls).toBeGreaterThan(0);
    expect(run?.sim.byOperation.AssumeRole?.calls).toBeGreaterThan(0);
    expect(run?.sim.byOperation.ListClusters?.calls).toBe(6);
    expect(run?.sim.byOperation.DescribeSubnets?.calls).toBe(6);
    expect(run?.dynamo.itemsWritten.finding).toBeGreaterThan(0);
    expect(run?.dynamo.itemsWritten.scope).toBeGreaterThan(0);
    expect(run?.sim.byOperation.Publish?.calls ?? 0).toBe(run?.alertsPublished);
    expect(run?.memory.peakRssMb).toBeGreaterThan(0);
    expect(run?.memory.maxRssMb).toBeGreaterThanOrEqual(run?.memory.peakRssMb ?? 0);
  });

  it("writes no finding item on the unchanged second run, only scope items", () => {
    const second = mainMeasurement(result)?.second;
    expect(second?.dynamo.itemsWritten.finding).toBe(0);
    expect(second?.dynamo.itemsWritten.history).toBe(0);
    expect(second?.dynamo.itemsWritten.scope).toBe(6);
    expect(second?.alertsPublished).toBe(0);
    expect(report.targets.find((t) => t.id === "unchanged-rerun-writes")?.pass).toBe(true);
  });

  it("makes the same API calls per cluster with three times the subnets and SGs", () => {
    const pair = variantPair(result);
    expect(pair).toBeDefined();
    if (!pair) return;
    expect(pair.variant.first.sim.clusters).toBe(pair.base.first.sim.clusters);
    expect(pair.variant.first.sim.collectorByScope).toEqual(pair.base.first.sim.collectorByScope);
    expect(collectorCallsPerCluster(pair.variant)).toBe(collectorCallsPerCluster(pair.base));
    expect(report.targets.find((t) => t.id === "calls-per-cluster-vs-network-size")?.pass).toBe(true);
  });

  it("derives the lower bound from the probed critical path", () => {
    const main = mainMeasurement(result);
    expect(main?.probe?.sampledScopes).toBeGreaterThan(0);
    expect(main?.bound?.depth).toBeGreaterThan(0);
    expect(main?.bound?.waves).toBe(2);
    expect(main?.bound?.ms).toBeGreaterThan(0);
    expect(Number.isFinite(main?.bound?.ratio)).toBe(true);
  });

  it("prints a table and a verdict line per target", () => {
    const text = renderReport(report);
    expect(text).toContain("API calls by operation");
    expect(text).toContain("Lower bound");
    expect(report.targets.map((t) => t.id)).toEqual([
      "time-vs-lower-bound",
      "calls-per-cluster-vs-network-size",
      "unchanged-rerun-writes",
      "scanner-bundle-size",
      "cold-init",
      "memory-flat",
      "time-linear",
    ]);
    for (const t of report.targets) expect(text).toContain(t.target);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe("Benchmark pieces", () => {
  it("generates the same valid estate from the same seed", () => {
    const a = generateEstate({ seed: 7, accounts: 4, regions: 2 });
    expect(JSON.stringify(generateEstate({ seed: 7, accounts: 4, regions: 2 }))).toBe(JSON.stringify(a));
    expect(() => parseEstate(JSON.parse(JSON.stringify(a)))).not.toThrow();
    expect(Object.keys(a.accounts)).toHaveLength(4);
  });

  it("keeps the clusters when only the network grows", () => {
    const clustersOf = (scale: number) =>
      Object.values(
        generateEstate({ seed: 7, accounts: 6, regions: 2, networkScale: scale }).accounts,
      ).flatMap((acc) =>
        Object.values(acc.regions).flatMap((r) =>
          r.eks.clusters.map((c) => [c.cluster.name, c.nodegroups.length]),
        ),
      );
    expect(clustersOf(3)).toEqual(clustersOf(1));
  });

  it("counts sequential rounds as the longest chain of non-overlapping calls", () => {
    expect(sequentialRounds([])).toBe(0);
    expect(
      sequentialRounds([
        { start: 0, end: 25 },
        { start: 1, end: 26 },
        { start: 26, end: 51 },
        { start: 52, end: 77 },
        { start: 30, end: 55 },
      ]),
    ).toBe(3);
  });

  it("parses the command line", () => {
    expect(parseArgs([]).accounts).toBe(200);
    expect(parseArgs(["--curve"]).curve).toEqual([50, 200, 800]);
    expect(parseArgs(["--accounts", "10", "--no-throttle", "--concurrency", "8"])).toMatchObject({
      accounts: 10,
      concurrency: 8,
      variantAccounts: 10,
      throttle: undefined,
    });
  });
});
