/**
 * Bundles one Lambda handler: `tsx infra/bundling/build.ts <entry.ts> <outdir>` writes `<outdir>/index.mjs`.
 * CDK calls it synchronously (local bundling); the benchmark imports `bundleLambda` directly.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { LAMBDA_BUILD_OPTIONS } from "./options.ts";

export async function bundleLambda(
  entry: string,
  outdir: string,
): Promise<{ outfile: string; metafile: Metafile }> {
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, "index.mjs");
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: [entry],
    outfile,
    metafile: true,
    logLevel: "error",
  });
  return { outfile, metafile: result.metafile };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) {
    process.stderr.write("usage: tsx infra/bundling/build.ts ENTRY.ts OUTDIR\n");
    process.exit(1);
  }
  await bundleLambda(entry, outdir);
}
