/**
 * Compiles the CLI into dist/ (`npm run build`; `npm test` and `npm run demo` run it first): one ESM entry,
 * dist/eks-audit.js, the file package.json's `bin` names, and a chunk per command action, loaded when that
 * command runs. Dependencies stay in node_modules (they are the package's dependencies), so `--version` and
 * `--help` load commander and the commands' flags, nothing else.
 */
import { chmod, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = `${ROOT}dist`;

export async function buildCli(): Promise<void> {
  await rm(OUT, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { "eks-audit": "shared/cli/bin.ts" },
    outdir: OUT,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: "#!/usr/bin/env node" },
    legalComments: "none",
    logLevel: "warning",
  });
  await chmod(`${OUT}/eks-audit.js`, 0o755);
}

// `tsx scripts/build-cli.ts` builds; importing the module (the tests' global setup) does not.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli();
