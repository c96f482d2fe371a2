/**
 * `npm run bench [-- options]`: runs the pipeline benchmark, prints the report and writes it as JSON to
 * bench/results/<timestamp>.json. See bench/README.md for what each number means.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { type BenchOptions, type BenchResult, DEFAULTS, runBenchmark } from "./benchmark.ts";
import { ROOT } from "./processes.ts";
import { type BenchReport, evaluateTargets, renderReport } from "./report.ts";

export const CURVE = [50, 200, 800];

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
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

export function parseArgs(argv: readonly string[]): BenchOptions & { outDir: string; render?: string } {
  const program = new Command()
    .name("bench")
    .description("eks-auditor pipeline benchmark (simulator + dynalite in child processes)")
    .option("--accounts <n>", "accounts of the main measurement", positive, DEFAULTS.accounts)
    .option("--regions <n>", "regions per account", positive, DEFAULTS.regions)
    .option("--concurrency <n>", "scopes in flight (scanner containers)", positive, DEFAULTS.concurrency)
    .option("--batch-size <n>", "SQS records per scanner invocation", positive, DEFAULTS.batchSize)
    .option(
      "--scope-concurrency <n>",
      "SCOPE_CONCURRENCY of the scanner (calls in flight per scope)",
      positive,
    )
    .option("--seed <n>", "estate seed", positive, DEFAULTS.seed)
    .option("--latency <ms>", "simulator latency per call", nonNegative, DEFAULTS.latencyMs)
    .option("--no-throttle", "no token buckets in the simulator")
    .option("--curve", `also run the scaling curve (${CURVE.join(", ")} accounts)`)
    .option("--curve-sizes <list>", "account counts of the curve", sizes)
    .option(
      "--variant-accounts <n>",
      "accounts of the ×3 subnets/SGs comparison",
      positive,
      DEFAULTS.variantAccounts,
    )
    .option("--no-bundles", "skip the Lambda bundle sizes and cold init")
    .option("--cold-runs <n>", "cold init measurements per bundle", positive, DEFAULTS.coldRuns)
    .option("--profile <dir>", "write a V8 CPU profile of each pipeline run to <dir>")
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
    bundles: boolean;
    coldRuns: number;
    profile?: string;
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
    bundles: o.bundles,
    coldRuns: Math.max(5, o.coldRuns),
    ...(o.profile ? { profileDir: o.profile } : {}),
    outDir: o.out,
    ...(o.render ? { render: o.render } : {}),
  };
}

async function main(): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 (README says so once), not once per run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { outDir, render, ...options } = parseArgs(process.argv.slice(2));
  if (render !== undefined) {
    const saved = JSON.parse(await readFile(render, "utf8")) as BenchResult;
    process.stdout.write(`${renderReport({ ...saved, targets: evaluateTargets(saved) })}\n`);
    return;
  }
  const result = await runBenchmark({
    ...options,
    log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
  const report: BenchReport = { ...result, targets: evaluateTargets(result) };
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `${result.startedAt.replace(/[:.]/g, "-")}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${renderReport(report)}\nreport: ${file}\n`);
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
