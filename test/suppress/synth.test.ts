import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, STACK_IDS } from "#infra/app.ts";
import { readSettings, SettingsError } from "#infra/config.ts";
import { compileSuppressions } from "#shared/suppress/compiled.ts";
import { parseSuppressions } from "#shared/suppress/parse.ts";
import { type Json, propsOf, resourcesOf, synthesize } from "#test/infra/support.ts";

const VALID = `suppressions:
  - rule: elb.foreign-cluster-tag
    cluster: [payments-blue, payments-green]
    reason: Blue and green share vpc-0a1b on purpose (CHG-1234)
    expires: 2099-12-31
`;
const KEY = "eksAuditor.suppressionsFile";

let dir: string;
let valid: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eks-auditor-synth-suppress-"));
  valid = join(dir, "suppressions.yaml");
  writeFileSync(valid, VALID);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function settingsWith(file: string) {
  return readSettings((key) => (key === KEY ? file : undefined), [KEY]);
}

function environmentOf(template: ReturnType<typeof synthesize>["central"], name: string): Json {
  const fn = resourcesOf(template, "AWS::Lambda::Function").find(([id]) => id.startsWith(name));
  return ((propsOf(fn?.[1] ?? {}).Environment as Json | undefined)?.Variables ?? {}) as Json;
}

describe("Setting: eksAuditor.suppressionsFile", () => {
  it("reads and validates the file at synth", () => {
    // Act
    const settings = settingsWith(valid);

    // Assess
    expect(settings.suppressionsFile).toBe(valid);
    expect(settings.suppressions?.entries.map((e) => [e.line, e.rule, e.expires])).toEqual([
      [2, ["elb.foreign-cluster-tag"], "2099-12-31"],
    ]);
  });

  it("fails the synth on a bad file, naming the setting, the file, each line and field", () => {
    // Prepare
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "suppressions:\n  - rule: elb.single-az\n    reason: ''\n    expires: soon\n");

    // Act / Assess
    expect(() => settingsWith(bad)).toThrow(SettingsError);
    expect(() => settingsWith(bad)).toThrow(
      [
        `cdk.json context "${KEY}": ${bad}: 2 problems; nothing was scanned or stored:`,
        `  ${bad}:3: suppressions[0].reason: expected a non-empty text: why the risk is accepted, and by whom`,
        `  ${bad}:4: suppressions[0].expires: "soon" is not a date (YYYY-MM-DD; the entry matches through that day, UTC)`,
      ].join("\n"),
    );
    expect(() => settingsWith(join(dir, "missing.yaml"))).toThrow(
      /"eksAuditor.suppressionsFile": ".*missing.yaml" cannot be read: no such file/,
    );
  });

  it("makes `cdk synth` exit 1 with the error and write nothing", () => {
    // Prepare
    const bad = join(dir, "syntax.yaml");
    writeFileSync(bad, "suppressions:\n  - rule: [elb.single-az\n    reason: x\n");
    const outdir = join(dir, "cdk.out");
    const tsx = createRequire(import.meta.url).resolve("tsx/cli");

    // Act: what `cdk synth -c eksAuditor.suppressionsFile=…` runs (cdk.json "app"), context as the CLI passes it
    const run = spawnSync(process.execPath, [tsx, "infra/app.ts"], {
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ [KEY]: bad }), CDK_OUTDIR: outdir },
      encoding: "utf8",
      timeout: 120_000,
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+: YAML syntax error: `));
    expect(run.stderr).not.toMatch(/\n\s+at /); // one message, no stack trace
    expect(existsSync(outdir) ? readdirSync(outdir) : []).toEqual([]);
  });

  it("gives the scanner, and only the scanner, the file's name in its environment", () => {
    // Act
    const { central } = synthesize({ [KEY]: valid });
    const without = synthesize();

    // Assess
    expect(environmentOf(central, "Scanner").SUPPRESSIONS_FILE).toBe("suppressions.json");
    expect(environmentOf(central, "Planner").SUPPRESSIONS_FILE).toBeUndefined();
    expect(environmentOf(without.central, "Scanner").SUPPRESSIONS_FILE).toBeUndefined();
  });

  it("changes the scanner's asset hash with the file's content, and only the scanner's", () => {
    // Prepare: asset hashes without running esbuild (CDK skips bundling for stacks not selected)
    const other = join(dir, "other.yaml");
    writeFileSync(other, VALID.replace("2099-12-31", "2098-12-31"));
    const keys = (file?: string) => {
      const { central } = synthesize({
        "eksAuditor.skipBundling": false,
        "aws:cdk:bundling-stacks": [],
        ...(file ? { [KEY]: file } : {}),
      });
      const key = (name: string) => {
        const fn = resourcesOf(central, "AWS::Lambda::Function").find(([id]) => id.startsWith(name));
        return JSON.stringify((propsOf(fn?.[1] ?? {}).Code as Json).S3Key);
      };
      return { scanner: key("Scanner"), planner: key("Planner") };
    };

    // Act
    const [none, first, second] = [keys(), keys(valid), keys(other)];

    // Assess
    expect(new Set([none.scanner, first.scanner, second.scanner]).size).toBe(3);
    expect(new Set([none.planner, first.planner, second.planner]).size).toBe(1);
  });

  it("bundles the compiled file beside the scanner's handler (real esbuild bundling)", () => {
    // Prepare
    const outdir = join(dir, "bundled");
    const app = new App({ outdir, context: { [KEY]: valid } });
    buildApp(app);

    // Act
    const assembly = app.synth();

    // Assess
    const template = assembly.getStackByName(STACK_IDS.central).template as {
      Resources: Record<string, Json>;
    };
    const scanner = Object.entries(template.Resources).find(
      ([id, r]) => id.startsWith("Scanner") && r.Type === "AWS::Lambda::Function",
    );
    const key = String((propsOf(scanner?.[1] ?? {}).Code as Json).S3Key).replace(/\.zip$/, "");
    const asset = join(outdir, `asset.${key}`);
    expect(readdirSync(asset).sort()).toEqual(["chunks", "index.mjs", "suppressions.json"]);
    expect(readFileSync(join(asset, "suppressions.json"), "utf8")).toBe(
      compileSuppressions(parseSuppressions(VALID, valid)),
    );
    expect(statSync(join(asset, "suppressions.json")).size).toBeLessThan(1024);
  }, 300_000);
});
