/**
 * Bundles one Lambda handler: `tsx infra/bundling/build.ts <entry.ts> <outdir>` writes `<outdir>/index.mjs`.
 * CDK calls it synchronously (local bundling); the benchmark imports `bundleLambda` directly.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { LAMBDA_BUILD_OPTIONS } from "./options.ts";

/**
 * A bundle's bytes: `total`, every file of the asset (index.mjs and its chunks); `init`, what importing index.mjs
 * loads (the entry and the chunks it imports statically, transitively); the rest is loaded by `await import()`.
 */
export function bundleBytes(metafile: Metafile, entryFile: string): { total: number; init: number } {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((o) => resolve(o) === resolve(entryFile));
  if (entry === undefined) throw new Error(`${entryFile} is not an output of the build`);
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const i of outputs[file]?.imports ?? [])
      if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  visit(entry);
  const size = (files: Iterable<string>) => [...files].reduce((n, f) => n + (outputs[f]?.bytes ?? 0), 0);
  return { total: size(Object.keys(outputs)), init: size(loaded) };
}

export async function bundleLambda(
  entry: string,
  outdir: string,
  /** Only `minifyIdentifiers: false`, for readable CPU profiles: the same code, its names kept. */
  overrides: Pick<BuildOptions, "minifyIdentifiers"> = {},
): Promise<{ outfile: string; metafile: Metafile }> {
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, "index.mjs");
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    ...overrides,
    entryPoints: [entry],
    outdir,
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
