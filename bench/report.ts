/** The benchmark's verdicts (targets) and its readable rendering. */
import Table from "cli-table3";
import type { BenchResult, Measurement } from "./benchmark.ts";

export interface Target {
  id: string;
  target: string;
  measured: string;
  /** null: not measured in this run (e.g. the curve was not run). */
  pass: boolean | null;
  reason?: string;
}

export interface BenchReport extends BenchResult {
  targets: Target[];
}

export const LIMITS = {
  boundRatio: 1.5,
  scannerBundleBytes: 600 * 1000,
  coldInitMs: 150,
  /** Peak RSS of the largest run over the smallest. */
  memoryGrowth: 1.2,
  /** Time ratio over account ratio (1 = exactly linear). */
  timeLinearity: 1.1,
} as const;

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const kb = (bytes: number) => `${r1(bytes / 1000)} KB`;

/** The main measurement: the configured account count at network ×1. */
export function mainMeasurement(result: BenchResult): Measurement | undefined {
  return result.measurements.find(
    (m) => m.accounts === result.options.accounts && m.networkScale === 1 && m.bound,
  );
}

/** Network ×1 measurements, smallest first: the scaling curve. */
export function curve(result: BenchResult): Measurement[] {
  return result.measurements.filter((m) => m.networkScale === 1).sort((a, b) => a.accounts - b.accounts);
}

export function variantPair(result: BenchResult): { base: Measurement; variant: Measurement } | undefined {
  const variant = result.measurements.find((m) => m.networkScale !== 1);
  const base = result.measurements.find((m) => m.networkScale === 1 && m.accounts === variant?.accounts);
  return variant && base ? { base, variant } : undefined;
}

/** EC2 + EKS logical calls (throttled attempts excluded) over the clusters that were described. */
export function collectorCallsPerCluster(m: Measurement): number {
  const calls = Object.values(m.first.sim.collectorByScope).reduce((a, b) => a + b, 0);
  return m.first.sim.clusters === 0 ? 0 : calls / m.first.sim.clusters;
}

/** What the containers still held when the queue was empty, against after they released their run's clients. */
function memoryReason(m: Measurement): string {
  const mem = m.first.memory;
  if (mem.liveHeapAtEndMb === undefined || mem.liveHeapAfterReleaseMb === undefined) return "";
  const held = mem.liveHeapAtEndMb - mem.liveHeapAfterReleaseMb;
  return (
    `at the end of the ${m.accounts}-account run the scanner containers held ${r1(held)} MB of live heap ` +
    `(${r1((held * 1024) / Math.max(1, m.first.scopes))} KB per scope) that ScanRecordHandler.destroy() released: ` +
    "the per-run AwsClientFactory keeps an EC2 and an EKS client for every account-region the container scanned " +
    "(and credentials per account, CallRecorder counts per scope) until the run ends; the garbage the larger heap " +
    "lets accumulate between collections adds to the peak"
  );
}

function cpuMs(m: Measurement): number {
  return m.first.cpu.userMs + m.first.cpu.systemMs;
}

function explainRatio(m: Measurement): string {
  const b = m.bound;
  if (!b) return "";
  const cpu = cpuMs(m);
  const cpuBound = m.first.cpu.eventLoopUtilization >= 0.9 && cpu > b.ms * LIMITS.boundRatio;
  const parts = [
    cpuBound
      ? `CPU-bound: the pipeline process spent ${r1(cpu / 1000)} s of CPU (${m.first.cpu.perScopeMs} ms per scope, event loop ` +
        `${Math.round(m.first.cpu.eventLoopUtilization * 100)} % busy) on one thread, ${r2(cpu / b.ms)} × the latency bound;`
      : "",
    `mean scope time ${m.first.scopeMs.mean} ms against ${r1(b.depth * b.latencyMs)} ms of simulator latency on its critical path`,
    `(measured ${b.measuredRounds} sequential call rounds per scope vs ${b.depth}; ${m.first.sim.throttled} throttled answers;`,
    `a DynamoDB call open ${m.first.perScope.dynamoMs} ms per scope over ${m.first.perScope.dynamoCalls} calls)`,
  ];
  return parts.filter((p) => p !== "").join(" ");
}

export function evaluateTargets(result: BenchResult): Target[] {
  const targets: Target[] = [];
  const main = mainMeasurement(result);
  const bound = main?.bound;
  targets.push({
    id: "time-vs-lower-bound",
    target: `measured time / lower bound ≤ ${LIMITS.boundRatio}`,
    measured: bound
      ? `${bound.ratio} (${r1((main?.first.wallMs ?? 0) / 1000)} s vs ${r1(bound.ms / 1000)} s)`
      : "n/a",
    pass: bound ? bound.ratio <= LIMITS.boundRatio : null,
    ...(bound && main && bound.ratio > LIMITS.boundRatio ? { reason: explainRatio(main) } : {}),
  });

  const pair = variantPair(result);
  if (pair) {
    const base = collectorCallsPerCluster(pair.base);
    const variant = collectorCallsPerCluster(pair.variant);
    const scopes = Object.keys(pair.base.first.sim.collectorByScope);
    const differing = scopes.filter(
      (s) => pair.base.first.sim.collectorByScope[s] !== pair.variant.first.sim.collectorByScope[s],
    ).length;
    const pass = variant <= base * 1.005;
    targets.push({
      id: "calls-per-cluster-vs-network-size",
      target: `API calls per cluster independent of subnets/SGs per VPC (×${pair.variant.networkScale})`,
      measured: `${r2(base)} → ${r2(variant)} calls per cluster; ${differing} of ${scopes.length} scopes differ`,
      pass,
      ...(pass
        ? {}
        : {
            reason: "more subnets or SGs per VPC cost more calls: a listing pages or is split per resource",
          }),
    });
  } else {
    targets.push({
      id: "calls-per-cluster-vs-network-size",
      target: "calls per cluster vs ×3 network",
      measured: "n/a",
      pass: null,
    });
  }

  const seconds = result.measurements.filter((m) => m.second);
  const findingWrites = seconds.map((m) => m.second?.dynamo.itemsWritten.finding ?? 0);
  targets.push({
    id: "unchanged-rerun-writes",
    target: "unchanged second run writes 0 finding items",
    measured: seconds
      .map(
        (m) =>
          `${m.accounts} accounts: ${m.second?.dynamo.itemsWritten.finding} finding / ${m.second?.dynamo.itemsWritten.scope} scope items`,
      )
      .join("; "),
    pass: seconds.length === 0 ? null : findingWrites.every((n) => n === 0),
  });

  const scanner = result.bundles.find((b) => b.name === "scanner");
  targets.push({
    id: "scanner-bundle-size",
    target: `scanner bundle ≤ ${kb(LIMITS.scannerBundleBytes)} minified`,
    measured: scanner?.bytes !== undefined ? kb(scanner.bytes) : (scanner?.error ?? "not built"),
    pass: scanner?.bytes !== undefined ? scanner.bytes <= LIMITS.scannerBundleBytes : null,
    ...(scanner?.bytes !== undefined && scanner.bytes > LIMITS.scannerBundleBytes
      ? {
          reason:
            `largest inputs: ${(scanner.topInputs ?? [])
              .slice(0, 4)
              .map((i) => `${i.input} ${kb(i.bytes)}`)
              .join(", ")}` +
            (result.ec2ClientFloorBytes
              ? `; a Lambda that only sends one EC2 call, built the same way, is already ${kb(result.ec2ClientFloorBytes)}: ` +
                "with the SDK bundled (architecture), the SDK core, credential chain and the YAML/MIME/TOML parsers " +
                "the kubelet and CNI readers need stay above the budget"
              : ""),
        }
      : {}),
  });
  const cold = result.bundles.filter((b) => b.coldInitMs);
  targets.push({
    id: "cold-init",
    target: `cold init ≤ ${LIMITS.coldInitMs} ms (import of the bundle, median)`,
    measured: cold.length ? cold.map((b) => `${b.name} ${b.coldInitMs?.median} ms`).join(", ") : "n/a",
    pass: cold.length ? cold.every((b) => (b.coldInitMs?.median ?? Infinity) <= LIMITS.coldInitMs) : null,
    ...(cold.some((b) => (b.coldInitMs?.median ?? 0) > LIMITS.coldInitMs)
      ? {
          reason:
            `the import parses and compiles ${cold.map((b) => `${b.name} ${kb(b.bytes ?? 0)}`).join(", ")} and runs the ` +
            "handler's module scope (settings, SDK clients, Powertools); the SDK's EC2 client is most of it (see the " +
            `bundle target); the figure moves with the machine's load (load average ${r2(result.machine.loadAverage?.start ?? 0)} → ` +
            `${r2(result.machine.loadAverage?.end ?? 0)} here)`,
        }
      : {}),
  });

  const points = curve(result);
  const small = points[0];
  const large = points.at(-1);
  if (small && large && large.accounts > small.accounts) {
    const growth = large.first.memory.peakRssMb / small.first.memory.peakRssMb;
    const memPass = growth <= LIMITS.memoryGrowth;
    targets.push({
      id: "memory-flat",
      target: `peak RSS does not grow with accounts (≤ ×${LIMITS.memoryGrowth} from ${small.accounts} to ${large.accounts})`,
      measured: `${small.first.memory.peakRssMb} MB → ${large.first.memory.peakRssMb} MB (×${r2(growth)}; heap ${small.first.memory.peakHeapUsedMb} → ${large.first.memory.peakHeapUsedMb} MB)`,
      pass: memPass,
      ...(memPass ? {} : { reason: memoryReason(large) }),
    });
    const timeRatio = large.first.wallMs / small.first.wallMs;
    const accountRatio = large.accounts / small.accounts;
    targets.push({
      id: "time-linear",
      target: "time grows linearly or better with accounts (fixed concurrency)",
      measured: `×${r2(timeRatio)} time for ×${r2(accountRatio)} accounts (${small.first.scopesPerSecond} → ${large.first.scopesPerSecond} scopes/s)`,
      pass: timeRatio <= accountRatio * LIMITS.timeLinearity,
    });
  } else {
    targets.push({
      id: "memory-flat",
      target: "peak RSS flat with accounts",
      measured: "n/a (one size)",
      pass: null,
    });
    targets.push({
      id: "time-linear",
      target: "time linear with accounts",
      measured: "n/a (one size)",
      pass: null,
    });
  }
  return targets;
}

function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } });
}

/** The human-readable report. */
export function renderReport(report: BenchReport): string {
  const o = report.options;
  const out: string[] = [];
  out.push(
    `eks-auditor benchmark — ${report.startedAt}, ${report.machine.cpus} CPUs, Node ${report.machine.node}` +
      (report.machine.loadAverage
        ? `, load average ${r2(report.machine.loadAverage.start)} → ${r2(report.machine.loadAverage.end)}`
        : ""),
    `seed ${o.seed}; ${o.regions} regions; ${o.concurrency} scopes in flight (scanner containers), SQS batch ${o.batchSize}, ` +
      `scope concurrency ${o.scopeConcurrency ?? "default"}; simulator ${o.latencyMs} ms per call, ` +
      `throttle ${o.throttle ? `${o.throttle.bucket} + ${o.throttle.refillPerSecond}/s per account-region-API` : "off"}`,
    "",
  );

  const runs = table([
    "run",
    "scopes",
    "clusters",
    "time s",
    "scopes/s",
    "API calls",
    "/scope",
    "/cluster",
    "throttled",
    "finding items",
    "scope items",
    "peak RSS MB",
    "maxRSS MB",
    "CPU ms/scope",
    "event loop",
  ]);
  for (const m of report.measurements) {
    for (const run of [m.first, m.second]) {
      if (!run) continue;
      runs.push([
        `${m.label} — ${run.label}`,
        run.scopes,
        run.sim.clusters,
        r1(run.wallMs / 1000),
        run.scopesPerSecond,
        run.sim.calls,
        r2(run.sim.calls / Math.max(1, run.scopes)),
        r2(run.sim.calls / Math.max(1, run.sim.clusters)),
        run.sim.throttled,
        run.dynamo.itemsWritten.finding,
        run.dynamo.itemsWritten.scope,
        run.memory.peakRssMb,
        run.memory.maxRssMb,
        run.cpu.perScopeMs,
        run.cpu.eventLoopUtilization,
      ]);
    }
  }
  out.push(
    "Runs (API calls are the simulator's answers, throttled attempts counted apart)",
    runs.toString(),
    "",
  );

  const main = mainMeasurement(report);
  if (main) {
    const run = main.first;
    const ops = table(["operation", "service", "calls", "per scope", "per cluster", "throttled"]);
    const entries = Object.entries(run.sim.byOperation).sort((a, b) => b[1].calls - a[1].calls);
    for (const [op, v] of entries) {
      ops.push([
        op,
        v.service,
        v.calls,
        r2(v.calls / run.scopes),
        r2(v.calls / Math.max(1, run.sim.clusters)),
        v.throttled,
      ]);
    }
    ops.push([
      "total",
      "",
      run.sim.calls,
      r2(run.sim.calls / run.scopes),
      r2(run.sim.calls / Math.max(1, run.sim.clusters)),
      run.sim.throttled,
    ]);
    out.push(
      `API calls by operation — ${main.label}, first run (${run.scopes} scopes, ${run.scopesWithClusters} with clusters, ` +
        `${run.sim.clusters} clusters, ${run.sim.nodegroups} node groups)`,
      ops.toString(),
      `SDK attempts sent ${run.simAttempts} (simulator answered ${run.sim.attempts}: ${run.sim.throttled} throttled, ` +
        `${run.sim.serverErrors} 5xx, ${run.sim.errorAnswers} other errors such as a missing vpc-cni add-on); ` +
        `scanner ApiCalls metric ${run.collectorCalls}; failed records ${run.records.failed}; scan errors ${run.scanErrors}`,
      "",
    );

    const dyn = table([
      "DynamoDB",
      "finding items",
      "scope items",
      "history items",
      "write calls",
      "Put",
      "Update",
      "BatchWrite",
      "read calls",
    ]);
    for (const r of [main.first, main.second]) {
      if (!r) continue;
      const d = r.dynamo;
      dyn.push([
        `${r.label} run`,
        d.itemsWritten.finding,
        d.itemsWritten.scope,
        d.itemsWritten.history,
        d.writeCalls,
        d.writesByOperation.PutItem,
        d.writesByOperation.UpdateItem,
        d.writesByOperation.BatchWriteItem,
        d.readCalls,
      ]);
    }
    out.push(dyn.toString());
    out.push(
      `notifications, first run: ${JSON.stringify(main.first.notifications)}; transitions ${JSON.stringify(main.first.transitions)}`,
      main.second ? `notifications, second run: ${JSON.stringify(main.second.notifications)}` : "",
      "",
    );

    const b = main.bound;
    const p = main.probe;
    if (b && p) {
      out.push(
        "Lower bound = critical-path depth × latency × ceil(scopes / concurrency)",
        `  collector depth (probe over ${p.sampledScopes} scopes, no concurrency limit): ` +
          `${p.collectorDepth.withClusters ?? "-"} rounds with clusters, ${p.collectorDepth.empty ?? "-"} without; max ${p.maxDepth}`,
        `  mean depth per scope ${b.depth} = collector ${b.parts.collector} + AssumeRole ${b.parts.assumeRole} + Publish ${b.parts.publish}`,
        `  ${b.depth} × ${b.latencyMs} ms × ${b.waves} waves = ${r1(b.ms / 1000)} s; measured ${r1(main.first.wallMs / 1000)} s → ratio ${b.ratio}`,
        `  measured sequential rounds per scope in the run: ${b.measuredRounds} (histogram ${JSON.stringify(main.first.rounds.histogram)})`,
        `  scope time mean ${main.first.scopeMs.mean} ms (a simulator call open ${main.first.perScope.simMs} ms, ` +
          `a DynamoDB call open ${main.first.perScope.dynamoMs} ms over ${main.first.perScope.dynamoCalls} calls), ` +
          `max ${main.first.scopeMs.max} ms; plan ${main.first.planMs} ms`,
        `  CPU: ${r1(cpuMs(main) / 1000)} s in the pipeline process (${main.first.cpu.perScopeMs} ms per scope, ` +
          `event loop ${Math.round(main.first.cpu.eventLoopUtilization * 100)} % busy) — on one thread that alone takes ` +
          `${r2(cpuMs(main) / Math.max(1, b.ms))} × the lower bound`,
        "",
      );
    }
  }

  const points = curve(report);
  if (points.length > 0) {
    const c = table([
      "accounts",
      "scopes",
      "time s",
      "scopes/s",
      "calls",
      "peak RSS MB",
      "maxRSS MB",
      "peak heap MB",
      "RSS at start MB",
      "live heap at end MB",
      "… after containers released MB",
    ]);
    for (const m of points) {
      const run = m.first;
      c.push([
        m.accounts,
        run.scopes,
        r1(run.wallMs / 1000),
        run.scopesPerSecond,
        run.sim.calls,
        run.memory.peakRssMb,
        run.memory.maxRssMb,
        run.memory.peakHeapUsedMb,
        run.memory.baselineRssMb,
        run.memory.liveHeapAtEndMb ?? "-",
        run.memory.liveHeapAfterReleaseMb ?? "-",
      ]);
    }
    out.push(`Scaling (first runs, ${o.regions} regions, concurrency ${o.concurrency})`, c.toString(), "");
  }

  const pair = variantPair(report);
  if (pair) {
    out.push(
      `Network size: ${pair.base.accounts} accounts at ×1 vs ×${pair.variant.networkScale} subnets and SGs per VPC: ` +
        `${r2(collectorCallsPerCluster(pair.base))} vs ${r2(collectorCallsPerCluster(pair.variant))} EC2+EKS calls per cluster ` +
        `(estate ${pair.base.estate.megabytes} MB vs ${pair.variant.estate.megabytes} MB)`,
      "",
    );
  }

  if (report.bundles.length > 0) {
    const t = table(["bundle", "minified", "cold init median ms", "runs ms", "largest inputs"]);
    for (const bundle of report.bundles) {
      t.push([
        bundle.name,
        bundle.bytes !== undefined ? kb(bundle.bytes) : (bundle.error ?? "-"),
        bundle.coldInitMs?.median ?? "-",
        bundle.coldInitMs?.runs.join(" ") ?? "-",
        (bundle.topInputs ?? [])
          .slice(0, 4)
          .map((i) => `${i.input} ${kb(i.bytes)}`)
          .join("\n"),
      ]);
    }
    out.push(
      "Lambda bundles (esbuild as the CDK stack: bundle, minify, ESM, node24, SDK bundled)",
      t.toString(),
    );
    if (report.ec2ClientFloorBytes !== undefined)
      out.push(`a Lambda sending one EC2 call, built the same way: ${kb(report.ec2ClientFloorBytes)}`);
    out.push("");
  }

  out.push("Targets");
  for (const t of report.targets) {
    const verdict = t.pass === null ? "N/A " : t.pass ? "PASS" : "MISS";
    out.push(`  ${verdict}  ${t.target}: ${t.measured}${t.reason ? `\n        reason: ${t.reason}` : ""}`);
  }
  out.push("", `total ${r1(report.totalMs / 1000)} s`);
  return out.join("\n");
}
