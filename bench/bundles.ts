/**
 * The Lambda bundles as the CDK stack builds them (esbuild: bundle, minify, ESM, platform node, the
 * runtime's Node.js target, mainFields module/main, the AWS SDK bundled), their size, what fills them, and their cold init:
 * a fresh `node` importing the bundle, timed around `await import()` inside the child.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { bundleBytes, bundleLambda } from "#infra/bundling/build.ts";
import { LAMBDA_BUILD_OPTIONS } from "#infra/bundling/options.ts";
import { ROOT } from "./processes.ts";

export const BUNDLE_ENTRIES = {
  planner: "functions/planner/handler.ts",
  scanner: "functions/scanner/handler.ts",
} as const;

/** The stack's own build options (infra/bundling/options.ts), so the benchmark measures the deployed bundle. */
const BUNDLE_OPTIONS = LAMBDA_BUILD_OPTIONS;

export interface BundleReport {
  name: keyof typeof BUNDLE_ENTRIES;
  entry: string;
  /** Absent entry (the handler is not written yet) or a build error. */
  error?: string;
  /** Every file of the asset: index.mjs and its chunks. */
  bytes?: number;
  /** What importing index.mjs loads (the chunks behind `await import()` excluded). */
  initBytes?: number;
  /** Largest contributors to the output, by package (or project folder), in bytes. */
  topInputs?: { input: string; bytes: number }[];
  coldInitMs?: { median: number; runs: number[] };
}

/** Environment the handlers read at import (module scope): settings only, never used to call anything. */
const HANDLER_ENV = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIA000000000000BNCH",
  AWS_SECRET_ACCESS_KEY: "bench",
  HOME_REGION: "us-east-1",
  QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/eks-auditor-scan-tasks",
  REGIONS: "eu-west-1,us-east-1",
  TABLE_NAME: "eks-auditor-findings",
  TOPIC_ARN: "arn:aws:sns:us-east-1:000000000000:eks-auditor-alerts",
  POWERTOOLS_SERVICE_NAME: "eks-auditor",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

const IMPORT_TIMER =
  "const t0 = performance.now(); await import(process.argv[1]); " +
  "process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round((m ?? 0) * 10) / 10;
}

function importOnce(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", IMPORT_TIMER, pathToFileURL(file).href],
      {
        env: { PATH: process.env.PATH, ...HANDLER_ENV },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      err = (err + c.toString("utf8")).slice(-2000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const ms = /"ms":([\d.]+)/.exec(out)?.[1];
      if (code === 0 && ms !== undefined) resolve(Number(ms));
      else reject(new Error(`cold init of ${file}: exit ${code}\n${err}`));
    });
  });
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m?.[1]) return m[1];
  return input.split("/").slice(0, 2).join("/");
}

/**
 * The smallest Lambda that sends one EC2 call with the SDK bundled: what `@aws-sdk/client-ec2` costs by
 * itself, with the same plugin that lets its schema module tree-shake.
 */
export async function ec2ClientFloorBytes(): Promise<number> {
  const result = await build({
    ...BUNDLE_OPTIONS,
    // One file, no outdir: the one call has no lazily loaded part to split off.
    splitting: false,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    stdin: {
      contents:
        'import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";\n' +
        "export const handler = () => new EC2Client({}).send(new DescribeRegionsCommand({}));\n",
      resolveDir: ROOT,
      loader: "ts",
    },
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
}

export async function measureBundles(options: { coldRuns: number }): Promise<BundleReport[]> {
  const dir = await mkdtemp(join(tmpdir(), "eks-auditor-bench-bundles-"));
  try {
    const reports: BundleReport[] = [];
    for (const [name, entry] of Object.entries(BUNDLE_ENTRIES) as [keyof typeof BUNDLE_ENTRIES, string][]) {
      const report: BundleReport = { name, entry };
      reports.push(report);
      if (!existsSync(join(ROOT, entry))) {
        report.error = `${entry} does not exist yet`;
        continue;
      }
      let outfile = join(dir, name, "index.mjs");
      try {
        const result = await bundleLambda(join(ROOT, entry), join(dir, name));
        outfile = result.outfile;
        const bytes = bundleBytes(result.metafile, outfile);
        report.bytes = bytes.total;
        report.initBytes = bytes.init;
        const byPackage = new Map<string, number>();
        for (const output of Object.values(result.metafile.outputs)) {
          for (const [input, info] of Object.entries(output.inputs)) {
            const key = packageOf(input);
            byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
          }
        }
        report.topInputs = [...byPackage]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([input, bytes]) => ({ input, bytes }));
      } catch (err) {
        report.error = `build failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
        continue;
      }
      try {
        const runs: number[] = [];
        // One warm-up for the file system cache, then the measured runs.
        await importOnce(outfile);
        for (let i = 0; i < options.coldRuns; i++)
          runs.push(Math.round((await importOnce(outfile)) * 10) / 10);
        report.coldInitMs = { median: median(runs), runs };
      } catch (err) {
        report.error = err instanceof Error ? err.message.split("\n").slice(0, 3).join(" ") : String(err);
      }
    }
    return reports;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface DeploymentBundles {
  /** The scanner's bundle, built as the stack builds it (what each worker imports). */
  handler: string;
  /** bench/worker.ts: the worker harness, node built-ins only. */
  worker: string;
}

/** Builds what the deployment-shaped run forks: the scanner bundle and the worker harness, into `dir`. */
export async function buildDeploymentBundles(
  dir: string,
  options: { readableProfiles?: boolean } = {},
): Promise<DeploymentBundles> {
  const worker = join(dir, "worker", "worker.mjs");
  const { outfile: handler } = await bundleLambda(
    join(ROOT, BUNDLE_ENTRIES.scanner),
    join(dir, "scanner"),
    // A profiled run keeps the names (the code is the same), so its profile can be read.
    options.readableProfiles ? { minifyIdentifiers: false } : {},
  );
  await build({
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, "bench/worker.ts")],
    outfile: worker,
    logLevel: "silent",
  });
  return { handler, worker };
}
