import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, STACK_IDS } from "#infra/app.ts";
import { ESM_REQUIRE_BANNER } from "#infra/constructs/auditor-function.ts";
import { type Json, propsOf } from "./support.ts";

let outdir: string;
let bundles: { handler: string; file: string; code: string; files: string[] }[];

/** One synth with the real esbuild bundling (local esbuild, no Docker). */
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "eks-auditor-bundle-"));
  const app = new App({ outdir });
  buildApp(app);
  const assembly = app.synth();
  const template = assembly.getStackByName(STACK_IDS.central).template as { Resources: Record<string, Json> };
  const functions = Object.values(template.Resources).filter((r) => r.Type === "AWS::Lambda::Function");
  bundles = functions.map((f) => {
    const key = String((propsOf(f).Code as Json).S3Key);
    const dir = join(outdir, `asset.${key.replace(/\.zip$/, "")}`);
    const file = join(dir, "index.mjs");
    return {
      handler: String(propsOf(f).Handler),
      file,
      code: readFileSync(file, "utf8"),
      files: readdirSync(dir),
    };
  });
}, 120_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe("Bundles of the functions", () => {
  it("are one minified ESM file each, without a source map, with the createRequire banner", () => {
    expect(bundles).toHaveLength(2);
    for (const b of bundles) {
      expect(b.handler).toBe("index.handler");
      expect(b.files).toEqual(["index.mjs"]);
      expect(b.code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(/export\s*\{[^}]*\bas handler\b/.test(b.code), "an ESM handler export").toBe(true);
      expect(b.code.split("\n").length).toBeLessThan(500);
    }
  });

  it("bundle the AWS SDK instead of relying on the runtime's copy", () => {
    for (const b of bundles) {
      // (Whole-file matchers would print a megabyte on failure: test booleans.)
      const externalSdk =
        /(from\s*|import\(|require\()["']@aws-sdk\/(client-|lib-|credential-providers)/.test(b.code);
      expect(externalSdk, `${b.file} imports the SDK at run time`).toBe(false);
      expect(b.code.includes("x-amz-user-agent"), "the SDK is inside").toBe(true);
      // Guard against accidentally bundling the simulator, dynalite or the CDK.
      expect(/dynalite|aws-cdk-lib|startSimulator/.test(b.code), "no test or synth code").toBe(false);
      expect(statSync(b.file).size).toBeLessThan(3 * 1024 * 1024);
    }
  });
});
