/**
 * `npm run bench [-- options]`: runs the pipeline benchmark, prints the report and writes it as JSON to
 * bench/results/<timestamp>.json. See bench/README.md for what each number means.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { type BenchOptions, type BenchResult, DEFAULTS, runBenchmark } from "./benchmark.ts";
import { curveFile, renderCurveMarkdown, renderCurveSvg } from "./curve.ts";
import { ROOT } from "./processes.ts";
import { type BenchReport, evaluateTargets, renderReport } from "./report.ts";

/** Accounts of the scaling curve: × 4 regions, 48, 200, 800 and 4,000 scopes. */
export const CURVE = [12, 50, 200, 1000];

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be an integer ≥ 0");
  return n;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number ≥ 0");
  return n;
}

function sizes(value: string): number[] {
  return value.split(",").map((v) => positive(v.trim()));
}

export function parseArgs(
  argv: readonly string[],
): BenchOptions & { outDir: string; render?: string; writeCurve: boolean } {
  const program = new Command()
    .name("bench")
    .description(
      "eks-auditor benchmark shaped like the deployment: planner and queue, scanner worker processes, " +
        "simulator and dynalite in child processes",
    )
    .option("--accounts <n>", "accounts of the main measurement", positive, DEFAULTS.accounts)
    .option("--regions <n>", "regions per account", positive, DEFAULTS.regions)
    .option(
      "--concurrency <n>",
      "scanner worker processes (default: the stack's scannerConcurrency)",
      positive,
      DEFAULTS.concurrency,
    )
    .option(
      "--batch-size <n>",
      "SQS records per scanner invocation (default: the stack's scannerBatchSize)",
      positive,
      DEFAULTS.batchSize,
    )
    .option(
      "--scope-concurrency <n>",
      "SCOPE_CONCURRENCY of the scanner (calls in flight per scope)",
      positive,
    )
    .option("--seed <n>", "estate seed", positive, DEFAULTS.seed)
    .option("--latency <ms>", "simulator latency per call", nonNegative, DEFAULTS.latencyMs)
    .option("--no-throttle", "no token buckets in the simulator")
    .option(
      "--curve",
      `also run the scaling curve (${CURVE.join(", ")} accounts) and write curve.json, curve.md and curve.svg to --out`,
    )
    .option("--curve-sizes <list>", "account counts of the curve (implies --curve)", sizes)
    .option(
      "--variant-accounts <n>",
      "accounts of the ×3 subnets/SGs comparison (0: none)",
      count,
      DEFAULTS.variantAccounts,
    )
    .option("--no-second-run", "skip the second run over the unchanged estate")
    .option("--probe-accounts <n>", "accounts of the depth probe (0: none)", count, DEFAULTS.probeAccounts)
    .option("--no-bundles", "skip the Lambda bundle sizes and cold init")
    .option("--cold-runs <n>", "cold init measurements per bundle", positive, DEFAULTS.coldRuns)
    .option("--profile <dir>", "write a V8 CPU profile of each scanner worker to <dir>")
    .option(
      "--heap-snapshot <dir>",
      "write a heap snapshot of each scanner worker to <dir> once its run drained (after a full collection)",
    )
    .option("--out <dir>", "where the JSON report goes", join(ROOT, "bench/results"))
    .option("--render <file>", "print a saved JSON report again (targets re-evaluated) and exit")
    .parse([...argv], { from: "user" });
  const o = program.opts<{
    accounts: number;
    regions: number;
    concurrency: number;
    batchSize: number;
    scopeConcurrency?: number;
    seed: number;
    latency: number;
    throttle: boolean;
    curve?: boolean;
    curveSizes?: number[];
    variantAccounts: number;
    secondRun: boolean;
    probeAccounts: number;
    bundles: boolean;
    coldRuns: number;
    profile?: string;
    heapSnapshot?: string;
    out: string;
    render?: string;
  }>();
  return {
    ...DEFAULTS,
    accounts: o.accounts,
    regions: o.regions,
    concurrency: o.concurrency,
    batchSize: o.batchSize,
    ...(o.scopeConcurrency ? { scopeConcurrency: o.scopeConcurrency } : {}),
    seed: o.seed,
    latencyMs: o.latency,
    ...(o.throttle ? {} : { throttle: undefined }),
    curve: o.curveSizes ?? (o.curve ? CURVE : []),
    variantAccounts: Math.min(o.variantAccounts, o.accounts),
    secondRun: o.secondRun,
    probeAccounts: o.probeAccounts,
    bundles: o.bundles,
    coldRuns: Math.max(5, o.coldRuns),
    ...(o.profile ? { profileDir: o.profile } : {}),
    ...(o.heapSnapshot ? { heapSnapshotDir: o.heapSnapshot } : {}),
    outDir: o.out,
    writeCurve: o.curve === true || o.curveSizes !== undefined,
    ...(o.render ? { render: o.render } : {}),
  };
}

/** bench/results/curve.json, curve.md and curve.svg (committed: the plot and the figures it shows). */
async function writeCurveFiles(
  result: BenchResult,
  outDir: string,
  command: string,
  partial = false,
): Promise<void> {
  const figures = { ...curveFile(result, command), ...(partial ? { partial: true } : {}) };
  if (figures.points.length < (partial ? 1 : 2))
    throw new Error("the curve needs at least two sizes (--curve-sizes a,b)");
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, "curve.json"), `${JSON.stringify(figures, null, 2)}\n`);
  await writeFile(join(outDir, "curve.md"), renderCurveMarkdown(figures));
  await writeFile(join(outDir, "curve.svg"), renderCurveSvg(figures));
  process.stdout.write(`curve: ${join(outDir, "curve.svg")} (figures in curve.json and curve.md)\n`);
}

async function main(): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 (README says so once), not once per run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { outDir, render, writeCurve, ...options } = parseArgs(process.argv.slice(2));
  if (render !== undefined) {
    const saved = JSON.parse(await readFile(render, "utf8")) as BenchResult;
    process.stdout.write(`${renderReport({ ...saved, targets: evaluateTargets(saved) })}\n`);
    if (writeCurve) await writeCurveFiles(saved, outDir, `npm run bench -- --render ${render}`);
    return;
  }
  const command = ["npm run bench --", ...process.argv.slice(2)].join(" ");
  const result = await runBenchmark({
    ...options,
    log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
    // After each point: the report so far, and the curve so far; a run stopped early keeps them.
    onPoint: async (partial) => {
      await mkdir(outDir, { recursive: true });
      const name = `${partial.startedAt.replace(/[:.]/g, "-")}.partial.json`;
      await writeFile(join(outDir, name), `${JSON.stringify(partial, null, 2)}\n`);
      if (writeCurve) await writeCurveFiles(partial, outDir, command, true);
    },
  });
  const report: BenchReport = { ...result, targets: evaluateTargets(result) };
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `${result.startedAt.replace(/[:.]/g, "-")}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${renderReport(report)}\nreport: ${file}\n`);
  if (writeCurve) await writeCurveFiles(result, outDir, command);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
