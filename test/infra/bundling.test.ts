import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { App } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, STACK_IDS } from "#infra/app.ts";
import { ESM_REQUIRE_BANNER } from "#infra/constructs/auditor-function.ts";
import { type Json, propsOf } from "./support.ts";

let outdir: string;
interface Bundle {
  handler: string;
  name: string;
  dir: string;
  file: string;
  code: string;
  /** Every file of the asset, relative to its directory. */
  files: string[];
  /** What importing index.mjs loads: the entry and the chunks it imports statically, transitively. */
  loadedAtInit: string[];
}
let bundles: Bundle[];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

/** Follows the static `import … from "./chunks/…"` statements of an ESM bundle; `import("…")` is not followed. */
function staticClosure(dir: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(dir, file), "utf8");
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*)"(\.\.?\/[^"]+\.mjs)"/g)) {
      if (m[1]) visit(relative(dir, resolve(dir, dirname(file), m[1])));
    }
  };
  visit(entry);
  return [...seen].sort();
}

const textOf = (b: Bundle, files: readonly string[]) =>
  files.map((f) => readFileSync(join(b.dir, f), "utf8")).join("\n");

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
    const code = readFileSync(file, "utf8");
    return {
      handler: String(propsOf(f).Handler),
      // The planner sends SQS messages, the scanner never does.
      name: code.includes("SendMessageBatch") ? "planner" : "scanner",
      dir,
      file,
      code,
      files: filesUnder(dir),
      loadedAtInit: staticClosure(dir, "index.mjs"),
    };
  });
}, 120_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe("Bundles of the functions", () => {
  it("are minified ESM: index.mjs and its chunks, without a source map, each with the createRequire banner", () => {
    expect(bundles.map((b) => b.name).sort()).toEqual(["planner", "scanner"]);
    for (const b of bundles) {
      expect(b.handler).toBe("index.handler");
      expect(b.files).toContain("index.mjs");
      for (const f of b.files) {
        expect(f === "index.mjs" || /^chunks\/[\w-]+\.mjs$/.test(f), `${b.name}: ${f}`).toBe(true);
        const code = readFileSync(join(b.dir, f), "utf8");
        expect(code.startsWith(ESM_REQUIRE_BANNER), `${b.name}: ${f} has the banner`).toBe(true);
        expect(code.split("\n").length).toBeLessThan(500);
      }
      expect(/export\s*\{[^}]*\bas handler\b/.test(b.code), "an ESM handler export").toBe(true);
    }
  });

  it("bundle the AWS SDK instead of relying on the runtime's copy", () => {
    for (const b of bundles) {
      // (Whole-file matchers would print a megabyte on failure: test booleans.)
      const all = textOf(b, b.files);
      const externalSdk =
        /(from\s*|import\(|require\()["']@aws-sdk\/(client-|lib-|credential-providers)/.test(all);
      expect(externalSdk, `${b.dir} imports the SDK at run time`).toBe(false);
      expect(
        b.code.includes("x-amz-user-agent") || textOf(b, b.loadedAtInit).includes("x-amz-user-agent"),
      ).toBe(true);
      // Guard against accidentally bundling the simulator, dynalite or the CDK.
      expect(/dynalite|aws-cdk-lib|startSimulator/.test(all), "no test or synth code").toBe(false);
      expect(b.files.reduce((n, f) => n + statSync(join(b.dir, f)).size, 0)).toBeLessThan(3 * 1024 * 1024);
    }
  });

  it("load the Security Hub client only for SECURITY_HUB_IMPORT, and the MIME, YAML and TOML parsers only when needed", () => {
    for (const b of bundles) {
      const atInit = textOf(b, b.loadedAtInit);
      const lazy = textOf(
        b,
        b.files.filter((f) => !b.loadedAtInit.includes(f)),
      );
      expect(atInit.includes('defaultSigningName:"securityhub"'), `${b.name}: Security Hub at init`).toBe(
        false,
      );
      expect(lazy.includes('defaultSigningName:"securityhub"'), `${b.name}: Security Hub in a chunk`).toBe(
        true,
      );
    }
    const scanner = bundles.find((b) => b.name === "scanner");
    if (!scanner) throw new Error("no scanner bundle");
    const mimeParser = "Can not reuse parser, create a new PostalMime object";
    expect(textOf(scanner, scanner.loadedAtInit).includes(mimeParser), "postal-mime at init").toBe(false);
    expect(textOf(scanner, scanner.files).includes(mimeParser), "postal-mime in the asset").toBe(true);
    // yaml and smol-toml: loaded for a region with a cluster (loadTextFormats), never by the container's init.
    for (const [library, marker] of [
      ["yaml", "Implicit keys need to be on a single line"],
      ["smol-toml", "Invalid TOML document"],
    ] as const) {
      expect(textOf(scanner, scanner.loadedAtInit).includes(marker), `${library} at init`).toBe(false);
      expect(textOf(scanner, scanner.files).includes(marker), `${library} in the asset`).toBe(true);
    }
  });

  it("keep the scan's EKS and Auto Scaling clients out of the planner", () => {
    const planner = bundles.find((b) => b.name === "planner");
    const scanner = bundles.find((b) => b.name === "scanner");
    if (!planner || !scanner) throw new Error("missing bundle");
    for (const client of ['defaultSigningName:"eks"', 'defaultSigningName:"autoscaling"']) {
      expect(textOf(planner, planner.files).includes(client), `planner: ${client}`).toBe(false);
      expect(textOf(scanner, scanner.loadedAtInit).includes(client), `scanner: ${client}`).toBe(true);
    }
  });
});
