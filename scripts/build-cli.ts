/**
 * Compiles the CLI into dist/ (`npm run build`; `npm test` and `npm run demo` run it first): one ESM entry,
 * dist/eks-audit.js, the file package.json's `bin` names, and a chunk per command action, loaded when that
 * command runs. `--version` and `--help` load commander and the commands' flags, nothing else.
 *
 * The dependencies are bundled too, as the aws-cdk CLI ships: Node loading a package's index loads every
 * module it re-exports (`@aws-sdk/client-ec2` alone is ~750 command modules and 0.9 s of CPU here), where the
 * bundle holds the commands the CLI sends, with the AWS SDK's unused schemas dropped as in the Lambda bundles
 * (infra/bundling/options.ts). dynalite stays in node_modules: it is loaded with `createRequire` (its LevelDB
 * binding is native).
 */
import { chmod, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ESM_REQUIRE_BANNER, inlineSdkSchemaKeys } from "#infra/bundling/options.ts";

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
    // The ESM builds of the SDK, so unused commands and schemas are dropped.
    mainFields: ["module", "main"],
    // Only the browser's user-agent provider imports it, lazily; Node never calls that provider.
    external: ["bowser"],
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: `#!/usr/bin/env node\n${ESM_REQUIRE_BANNER}` },
    plugins: [inlineSdkSchemaKeys],
    legalComments: "none",
    logLevel: "warning",
  });
  await chmod(`${OUT}/eks-audit.js`, 0o755);
}

// `tsx scripts/build-cli.ts` builds; importing the module (the tests' global setup) does not.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli();
