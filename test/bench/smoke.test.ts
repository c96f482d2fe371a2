import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchResult, DEFAULTS, runBenchmark } from "#bench/benchmark.ts";
import { CriticalChain } from "#bench/chain.ts";
import { type CurveFile, curveFile, renderCurveMarkdown, renderCurveSvg } from "#bench/curve.ts";
import { generateEstate, writeEstateFile } from "#bench/generate-estate.ts";
import {
  type BenchReport,
  collectorCallsPerCluster,
  evaluateTargets,
  mainMeasurement,
  renderReport,
  subnetCidrCallsOverBound,
  variantPair,
} from "#bench/report.ts";
import { CURVE, parseArgs } from "#bench/run.ts";
import { sequentialRounds } from "#bench/timeline.ts";
import { DEFAULT_SETTINGS } from "#infra/config.ts";
import { loadEstateFile, parseEstate } from "#shared/estate/index.ts";

/**
 * The benchmark as `npm run bench` runs it, tiny: 3 accounts × 2 regions, 2 ms per call, no throttling,
 * three scanner worker processes importing the scanner bundle, simulator and dynalite in child
 * processes. Asserts the report's shape and the invariants that do not depend on timing; never a time
 * threshold.
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
      concurrency: 3,
      batchSize: 2,
      latencyMs: 2,
      throttle: undefined,
      probeAccounts: 2,
      bundles: false,
      curve: [],
      estateDir: dir,
      timeoutMs: 150_000,
    });
    report = { ...result, targets: evaluateTargets(result) };
  }, 300_000);

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
    expect(main?.first.accounts).toBe(3);
    expect(main?.first.records).toEqual({ ok: 6, failed: 0 });
    expect(main?.first.totals.errors).toEqual([]);
    expect(main?.first.totals.metrics.ScanErrors).toBe(0);
    // WARN and ERROR lines (Powertools prints them to stderr, which the workers read too): none on a clean run.
    expect(main?.first.totals.warnings).toEqual({});
    expect(main?.first.totals.metrics.ScopesScanned).toBe(6);
  });

  it("scans in separate worker processes, one batch at a time, through the queue process", () => {
    const run = mainMeasurement(result)?.first;
    if (!run) throw new Error("no main measurement");
    expect(run.workers).toHaveLength(3);
    const pids = new Set(run.workers.map((w) => w.pid));
    expect(pids.size).toBe(3);
    expect(pids.has(process.pid)).toBe(false);
    expect(run.workers.reduce((n, w) => n + w.records, 0)).toBe(6);
    // Every worker asks once at the start and once after each batch.
    expect(run.queue.requests).toBe(run.workers.reduce((n, w) => n + w.batches, 0) + 3);
    for (const w of run.workers) {
      expect(w.batches).toBeGreaterThanOrEqual(Math.ceil(w.records / 2));
      expect(w.maxRssMb).toBeGreaterThan(0);
      expect(w.maxRssMb).toBeGreaterThanOrEqual(w.rssAfterInitMb);
      expect(w.store).not.toBeNull();
      // The chain is a lower bound of the time the worker spent in the handler.
      expect(w.chain.ms).toBeLessThanOrEqual(w.handlerMs);
    }
    const busy = run.workers.filter((w) => w.records > 0);
    for (const w of busy) {
      expect(w.cpu.userMs + w.cpu.systemMs).toBeGreaterThan(0);
      expect(w.chain.parts.simAttempts).toBeGreaterThan(0);
      expect(w.chain.parts.dynamoCalls).toBeGreaterThan(0);
    }
    expect(run.cpu.workersMs).toBe(run.workers.reduce((n, w) => n + w.cpu.userMs + w.cpu.systemMs, 0));
  });

  it("records the machine's load beside each run and turns the runs into curve points", () => {
    const run = mainMeasurement(result)?.first;
    expect(run?.uptime.start).toHaveLength(3);
    expect(run?.uptime.end).toHaveLength(3);
    const points = curveFile(result, "npm run bench").points;
    expect(points.map((p) => p.scopes)).toEqual([6]);
    expect(points[0]?.uptime).toEqual(run?.uptime);
    expect(points[0]?.rssMaxMb).toBeGreaterThan(0);
    expect(points[0]?.rssMaxMb).toBeLessThanOrEqual(Math.max(...(run?.workers ?? []).map((w) => w.maxRssMb)));
  });

  it("goes through every stage: plan, scan, store, notify", () => {
    const run = mainMeasurement(result)?.first;
    expect(run?.sim.byOperation.ListAccounts?.calls).toBeGreaterThan(0);
    expect(run?.sim.byOperation.AssumeRole?.calls).toBeGreaterThan(0);
    expect(run?.sim.byOperation.ListClusters?.calls).toBe(6);
    expect(run?.sim.byOperation.DescribeSubnets?.calls).toBe(6);
    expect(run?.totals.store.itemsWritten.finding).toBeGreaterThan(0);
    expect(run?.totals.store.itemsWritten.scope).toBeGreaterThan(0);
    expect(run?.sim.byOperation.Publish?.calls ?? 0).toBe(run?.totals.metrics.AlertsPublished);
    expect(run?.totals.scopes.logged).toBe(6);
    expect(run?.totals.scopes.clusters).toBe(run?.sim.clusters);
    // Every simulator attempt of the workers was seen: the simulator answered them plus the planner's.
    const workerAttempts = run?.workers.reduce((n, w) => n + w.calls.simAttempts, 0) ?? 0;
    expect(workerAttempts + (run?.planChain.parts.simAttempts ?? 0)).toBeLessThanOrEqual(
      run?.sim.attempts ?? 0,
    );
    expect(workerAttempts).toBeGreaterThan(0);
  });

  it("writes no finding item on the unchanged second run, only scope items", () => {
    const second = mainMeasurement(result)?.second;
    expect(second?.totals.store.itemsWritten.finding).toBe(0);
    expect(second?.totals.store.itemsWritten.history).toBe(0);
    expect(second?.totals.store.itemsWritten.scope).toBe(6);
    expect(second?.totals.metrics.AlertsPublished ?? 0).toBe(0);
  });

  it("runs the second run as the next day's: it samples every capacity subnet again", () => {
    // The first run's samples were moved back a day (bench/age-samples.ts), so none is of this hour.
    const main = mainMeasurement(result);
    const firstSamples = main?.first.totals.store.itemsWritten.sample ?? 0;
    expect(firstSamples).toBeGreaterThan(0);
    expect(main?.second?.totals.store.itemsWritten.sample).toBe(firstSamples);
    expect(report.targets.find((t) => t.id === "unchanged-rerun-writes")?.pass).toBe(true);
  });

  it("makes the same API calls per cluster with three times the subnets and SGs", () => {
    const pair = variantPair(result);
    expect(pair).toBeDefined();
    if (!pair) return;
    expect(pair.variant.first.sim.clusters).toBe(pair.base.first.sim.clusters);
    // GetSubnetCidrReservations aside: its SubnetId is required (EC2 API reference), one call per subnet.
    expect(pair.variant.first.sim.collectorByScope).toEqual(pair.base.first.sim.collectorByScope);
    expect(collectorCallsPerCluster(pair.variant)).toBe(collectorCallsPerCluster(pair.base));
    expect(report.targets.find((t) => t.id === "calls-per-cluster-vs-network-size")?.pass).toBe(true);
  });

  it("calls GetSubnetCidrReservations at most once per distinct prefix-delegation node subnet", () => {
    const pair = variantPair(result);
    if (!pair) throw new Error("no network-size pair");
    for (const m of [pair.base, pair.variant]) {
      const bound = m.estate.prefixDelegationNodeSubnets ?? {};
      // The estate has prefix-delegation clusters, and the collector read their subnets' reservations.
      expect(Object.keys(bound).length, m.label).toBeGreaterThan(0);
      expect(Object.keys(m.first.sim.subnetCidrReservationsByScope).sort(), m.label).toEqual(
        Object.keys(bound).sort(),
      );
      expect(subnetCidrCallsOverBound(m), m.label).toEqual([]);
    }
  });

  it("takes the bound from the slowest worker's chain plus the planner's", () => {
    const main = mainMeasurement(result);
    if (!main) throw new Error("no main measurement");
    const b = main.firstBound;
    const slowest = Math.max(...main.first.workers.map((w) => w.chain.ms));
    expect(b.slowest.chainMs).toBe(Math.round(slowest));
    expect(b.ms).toBe(Math.round(main.first.planChain.ms + slowest));
    expect(b.balancedMs).toBeLessThanOrEqual(b.ms);
    expect(b.dynamoFloorMs).toBeGreaterThan(0);
    expect(b.slowest.apiMs).toBe(Math.round(b.slowest.parts.simAttempts * 2));
    expect(Number.isFinite(b.ratio)).toBe(true);
    expect(main.probe?.sampledScopes).toBeGreaterThan(0);
  });

  it("prints a table and a verdict line per target", () => {
    const text = renderReport(report);
    expect(text).toContain("API calls by operation");
    expect(text).toContain("Honest bound");
    expect(text).toContain("Scanner workers");
    expect(report.targets.map((t) => t.id)).toEqual([
      "time-vs-bound",
      "calls-per-cluster-vs-network-size",
      "unchanged-rerun-writes",
      "scanner-bundle-size",
      "cold-init",
      "memory-flat",
      "time-linear",
      "end-to-end-1000x4",
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

  it("writes the same estate to a file as it builds in memory, its format version included", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "eks-auditor-bench-estate-"));
    const file = join(dir, "estate.json");
    const options = { seed: 7, accounts: 4, regions: 2 };

    try {
      // Act
      await writeEstateFile(file, options);
      const written = await loadEstateFile(file);

      // Assess
      expect(written).toEqual(generateEstate(options));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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

  it("weighs the heaviest chain of calls that do not overlap", () => {
    // Prepare: two calls in parallel (0-25, 1-26), a DynamoDB call overlapping the second, a retry wait
    // that starts when the first ended, and the retried call.
    const chain = new CriticalChain();

    // Act
    chain.add({ start: 0, end: 25, weightMs: 25, parts: { simAttempts: 1 } });
    chain.add({ start: 1, end: 26, weightMs: 25, parts: { simAttempts: 1, stsAttempts: 1 } });
    chain.add({ start: 20, end: 30, weightMs: 2, parts: { dynamoCalls: 1 } });
    chain.add({ start: 25, end: 225, weightMs: 200, parts: { retryWaitMs: 200, retries: 1 } });
    chain.add({ start: 225, end: 250, weightMs: 25, parts: { simAttempts: 1 } });

    // Assess
    expect(chain.result.ms).toBe(250);
    expect(chain.result.parts).toEqual({
      simAttempts: 2,
      stsAttempts: 0,
      snsAttempts: 0,
      dynamoCalls: 0,
      retryWaitMs: 200,
      retries: 1,
    });
    expect(() => chain.add({ start: 0, end: 100, weightMs: 1, parts: {} })).toThrow(/end order/);
  });

  it("keeps only what a later call can follow once the chain is settled, with the same result", () => {
    // Prepare: three invocations of calls, one chain settled before each invocation, one never settled.
    const links = [0, 1000, 2000].flatMap((t0) => [
      { start: t0, end: t0 + 25, weightMs: 25, parts: { simAttempts: 1 } },
      { start: t0 + 5, end: t0 + 40, weightMs: 25, parts: { simAttempts: 1 } },
      { start: t0 + 40, end: t0 + 42, weightMs: 2, parts: { dynamoCalls: 1 } },
    ]);
    const settled = new CriticalChain();
    const kept = new CriticalChain();

    // Act
    for (const [i, link] of links.entries()) {
      if (i % 3 === 0) settled.settle(link.start);
      settled.add(link);
      kept.add(link);
    }

    // Assess: the same heaviest chain, from 4 intervals kept instead of 9; a call before the settle is refused.
    expect(settled.result).toEqual(kept.result);
    expect(settled.result.ms).toBe(81);
    expect(kept.size).toBe(9);
    expect(settled.size).toBe(4);
    expect(() => settled.add({ start: 1999, end: 2050, weightMs: 1, parts: {} })).toThrow(/settled/);
  });

  it("plots the curve's three panels and tabulates its figures with the load", () => {
    // Prepare: four points, time and CPU growing with the scopes, RSS flat.
    const point = (scopes: number, timeS: number) => ({
      accounts: scopes / 4,
      regions: 4,
      scopes,
      timeS,
      boundS: timeS / 2,
      ratio: 2,
      workerCpuS: scopes / 10,
      cpuMsPerScope: 100,
      rssMedianMb: 90,
      rssMaxMb: 100,
      heapAfterGcMaxMb: 18,
      othersCores: 0.5,
      loadAverage: { start: 1, max: 3 },
      uptime: { start: [1.5, 2, 3], end: [4, 5, 6.25] },
    });
    const file: CurveFile = {
      startedAt: "2026-01-01T00:00:00.000Z",
      command: "npm run bench -- --curve",
      machine: { cpus: 2, node: "v20", platform: "linux", loadAverage: { start: 0, end: 0 } },
      settings: { seed: 42, regions: 4, workers: 25, batchSize: 5, latencyMs: 25, throttle: null },
      points: [point(48, 3), point(200, 11), point(800, 40), point(4000, 187)],
    };

    // Act
    const svg = renderCurveSvg(file);
    const md = renderCurveMarkdown(file);

    // Assess: an SVG document with the three panels, their legends and every time figure as a label.
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    for (const text of [
      "Time (s, log scale)",
      "Scanner-worker CPU",
      "Peak RSS per worker (MB)",
      "honest bound",
    ])
      expect(svg).toContain(text);
    for (const t of ["187", "40", "11", "93.5"]) expect(svg).toContain(`>${t}<`);
    expect(md).toContain("`npm run bench -- --curve`");
    expect(md).toContain(
      "| 4000 | 1000 × 4 | 187 | 93.5 | 2 | 400 | 100 | 100 | 90 | 18 | 0.5 | 1.50, 2.00, 3.00 | 4.00, 5.00, 6.25 |",
    );
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

  it("parses the command line with the stack's defaults", () => {
    const defaults = parseArgs([]);
    expect(defaults).toMatchObject({
      accounts: 200,
      concurrency: DEFAULT_SETTINGS.scannerConcurrency,
      batchSize: DEFAULT_SETTINGS.scannerBatchSize,
      writeCurve: false,
    });
    expect(parseArgs(["--curve"])).toMatchObject({ curve: CURVE, writeCurve: true });
    expect(parseArgs(["--accounts", "10", "--no-throttle", "--concurrency", "8"])).toMatchObject({
      accounts: 10,
      concurrency: 8,
      variantAccounts: 10,
      throttle: undefined,
    });
    expect(parseArgs(["--variant-accounts", "0", "--no-second-run"])).toMatchObject({
      variantAccounts: 0,
      secondRun: false,
    });
  });
});
