import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";

/** ESM bundles need `require` for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __eksAuditorCreateRequire } from 'node:module'; const require = __eksAuditorCreateRequire(import.meta.url);";

/**
 * The AWS SDK's schema modules spell member traits with computed keys (`{ [_xN]: _sSub }`, where
 * `const _xN = "xmlName"`). esbuild cannot prove a computed key pure, so it keeps every schema of the
 * service: 550 KB for EC2 alone. Writing the constant in place (`{ "xmlName": _sSub }`) is the same object,
 * and lets esbuild drop the schemas of operations the function never calls.
 */
export function inlineSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const m of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) {
    if (m[1] && m[2]) constants.set(m[1], m[2]);
  }
  return source.replace(/\[(_\w+)\]:/g, (whole, name: string) => {
    const value = constants.get(name);
    return value === undefined ? whole : `${value}:`;
  });
}

export const inlineSdkSchemaKeys: Plugin = {
  name: "inline-sdk-schema-keys",
  setup(build) {
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => ({
        contents: inlineSchemaKeys(await readFile(args.path, "utf8")),
        loader: "js",
      }),
    );
  },
};

/** How every Lambda bundle is built: ESM, minified, the AWS SDK inside (no dependence on the runtime's SDK). */
export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  format: "esm",
  // What a function imports with `await import()` only on some paths (the Security Hub notifier, the MIME parser)
  // goes to a chunk beside index.mjs, loaded when first needed: the init compiles only what every run uses.
  splitting: true,
  entryNames: "index",
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  platform: "node",
  target: "node24",
  mainFields: ["module", "main"],
  // Only the browser's user-agent provider imports it (@aws-sdk/core, createUserAgentStringParsingProvider), and
  // Node never calls that provider: the import stays an import instead of a 34 KB chunk nothing loads.
  external: ["bowser"],
  // The Lambda runtime's credentials are in the environment: the rest of the default chain stays out.
  alias: {
    "@aws-sdk/credential-provider-node": fileURLToPath(new URL("./lambda-credentials.ts", import.meta.url)),
    // lambda-credentials.ts takes `fromEnv` alone: the package's index would add a chunk for each other
    // provider it loads lazily (SSO, INI, Cognito…), which esbuild emits even though nothing reaches them.
    "@aws-sdk/credential-providers": createRequire(import.meta.url).resolve(
      "@aws-sdk/credential-providers/dist-es/fromEnv.js",
    ),
  },
  banner: { js: ESM_REQUIRE_BANNER },
  sourcemap: false,
  legalComments: "none",
  plugins: [inlineSdkSchemaKeys],
} satisfies BuildOptions;
