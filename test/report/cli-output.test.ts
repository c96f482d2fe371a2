import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "#shared/cli/common/command.ts";
import type { ReportedFinding } from "#shared/cli/common/render.ts";
import { FORMAT_NAMES } from "#shared/report/index.ts";
import { columnsOf, hasEscapeCodes, runOnTerminal } from "#test/report/support.ts";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";

/** The payments account-region of the sample organisation: one scan, no failures. */
const SCOPE = ["--estate", SAMPLE_ESTATE, "--accounts", "222233334444", "--regions", "eu-west-1"];
const PAYMENTS = ["scan", ...SCOPE, "--store", "none"];

let dir: string;
let findings: ReportedFinding[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eks-audit-output-"));
  const run = await runOnTerminal([...PAYMENTS, "--format", "json"]);
  expect(run.code, run.stderr).toBe(0);
  findings = JSON.parse(run.stdout) as ReportedFinding[];
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("Flags: --format, --output, --output-file", () => {
  it("offers table, json, csv, ocsf and html", () => {
    expect(FORMAT_NAMES).toEqual(expect.arrayContaining(["table", "json", "csv", "ocsf", "html"]));
  });

  it("takes --output as the aws CLI does: the same document as --format", async () => {
    // Act
    const run = await runOnTerminal([...PAYMENTS, "--output", "json"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(findings);
  });

  it.each([
    [
      ["--output", "text"],
      /--output <format>' argument 'text' is invalid\. Allowed choices are table, json, csv, ocsf, html/,
    ],
    [["--format", "yaml"], /--format <format>' argument 'yaml' is invalid\. Allowed choices are table, json/],
    [
      ["--format", "json", "--output", "csv"],
      /--output <format>' cannot be used with option '--format <format>/,
    ],
    [["--force"], /--force: nothing to overwrite without --output-file PATH/],
    [
      ["--output-file", "/no/such/folder/findings.csv"],
      /--output-file: folder \/no\/such\/folder does not exist/,
    ],
  ])("refuses %j with one line naming the flag", async (flags, message) => {
    // Act
    const run = await runOnTerminal([...PAYMENTS, ...flags]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
  });

  it("prints one CSV document on stdout: a header and a row per finding; the summary goes to stderr", async () => {
    // Act
    const run = await runOnTerminal([...PAYMENTS, "--format", "csv"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const rows = parseCsv(run.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => `${r.ruleId}#${r.resourceId}#${r.variant}`)).toEqual(
      findings.map((f) => `${f.ruleId}#${f.resourceId}#${f.variant ?? ""}`),
    );
    expect(run.stderr).toMatch(/^Summary: \d+ findings/m);
  });

  it.each([
    ["ocsf", (out: string) => (JSON.parse(out) as { class_uid: number }[]).map((e) => e.class_uid)],
    ["html", (out: string) => out.match(/<article class="finding"/g)],
  ])("prints a %s document with one entry per finding", async (format, entries) => {
    // Act
    const run = await runOnTerminal([...PAYMENTS, "--format", format]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(entries(run.stdout)).toHaveLength(findings.length);
  });

  it("writes --output-file, prints only the summary, and never overwrites it without --force", async () => {
    // Prepare
    const file = join(dir, "findings.csv");

    // Act
    const first = await runOnTerminal([...PAYMENTS, "--format", "csv", "--output-file", file]);
    const again = await runOnTerminal([...PAYMENTS, "--format", "html", "--output-file", file]);
    const kept = readFileSync(file, "utf8");
    const forced = await runOnTerminal([...PAYMENTS, "--format", "html", "--output-file", file, "--force"]);

    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Summary: \d+ findings/m);
    expect(first.stdout).toContain(`Wrote ${findings.length} findings as csv to ${file}.`);
    expect(first.stdout).not.toContain("accountId,region");
    expect(first.stdout).not.toContain("Fix:");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`--output-file: ${file} exists; pass --force to overwrite it.`);
    expect(again.stdout).toBe("");
    expect(kept.startsWith("accountId,region,cluster,ruleId")).toBe(true);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, "utf8").startsWith("<!doctype html>")).toBe(true);
  });

  it("writes the table to a file without colour, as wide as the terminal", async () => {
    // Prepare
    const file = join(dir, "findings.txt");

    // Act
    const run = await runOnTerminal([...PAYMENTS, "--output-file", file], { tty: true, columns: 90 });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const table = readFileSync(file, "utf8");
    expect(table).toContain("CRITICAL  ip.subnet-exhausted  subnet-");
    expect(hasEscapeCodes(table)).toBe(false);
    expect(table.split("\n").filter((l) => columnsOf(l) > 90)).toEqual([]);
  });
});

describe("Command: eks-audit findings (formats)", () => {
  let store: string[];

  beforeAll(async () => {
    store = ["--store", `dynalite:${join(dir, "store")}`];
    const scan = await runOnTerminal(["scan", ...SCOPE, ...store, "--notify", "none"]);
    expect(scan.code, scan.stderr).toBe(0);
  });

  it("prints the store's findings as CSV with their status and first sighting", async () => {
    // Act
    const run = await runOnTerminal(["findings", ...store, "--output", "csv"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const rows = parseCsv(run.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(findings.length);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["OPEN"]));
    expect(rows.every((r) => /^\d{4}-\d\d-\d\dT/.test(r.firstSeen ?? ""))).toBe(true);
  });

  it("writes OCSF to a file and prints the summary", async () => {
    // Prepare
    const file = join(dir, "store.ocsf.json");

    // Act
    const run = await runOnTerminal(["findings", ...store, "--format", "ocsf", "--output-file", file]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Summary: \d+ findings \(\d+ open, 0 resolved\)/m);
    const events = JSON.parse(readFileSync(file, "utf8")) as { status: string }[];
    expect(events).toHaveLength(findings.length);
    expect(new Set(events.map((e) => e.status))).toEqual(new Set(["New"]));
  });

  it("fits its table to 80 columns with each finding's status line", async () => {
    // Act
    const run = await runOnTerminal(["findings", ...store], { columns: 80 });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n").filter((l) => columnsOf(l) > 80)).toEqual([]);
    expect(run.stdout).toMatch(/^ {2}OPEN · first seen \d{4}-\d\d-\d\d \d\d:\d\d UTC$/m);
  });
});

describe("Commands: rules, lb-subnets, ip-cost (table or json)", () => {
  it.each([
    [["rules"], EXIT.ok],
    [["ip-cost", "--instance-type", "m5.large", "--cni", "WARM_IP_TARGET=2"], EXIT.ok],
    [
      [
        "lb-subnets",
        "--estate",
        SAMPLE_ESTATE,
        "--account",
        "111122223333",
        "--region",
        "us-east-1",
        "--cluster",
        "edge-use1",
        "--scheme",
        "internal",
      ],
      // The sample's two internal-elb subnets of edge-use1 are short of IPs: the controller would fail.
      EXIT.controllerWouldFail,
    ],
  ])("%j: fits 80 columns, and --output json is --format json", async (args, exit) => {
    // Act
    const table = await runOnTerminal(args, { columns: 80 });
    const viaOutput = await runOnTerminal([...args, "--output", "json"]);
    const viaFormat = await runOnTerminal([...args, "--format", "json"]);

    // Assess
    expect(table.code, table.stderr).toBe(exit);
    expect(table.stdout.split("\n").filter((l) => columnsOf(l) > 80)).toEqual([]);
    expect(viaOutput.code, viaOutput.stderr).toBe(exit);
    expect(JSON.parse(viaOutput.stdout)).toEqual(JSON.parse(viaFormat.stdout));
  });

  it("keeps the file options to the commands that print findings", async () => {
    // Act
    const run = await runOnTerminal(["rules", "--output-file", join(dir, "rules.txt")]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown option '--output-file'/);
    expect(existsSync(join(dir, "rules.txt"))).toBe(false);
  });
});

describe("File: an existing --output-file", () => {
  it("is refused before the scan runs", async () => {
    // Prepare
    const file = join(dir, "existing.json");
    writeFileSync(file, "keep me\n");

    // Act
    const run = await runOnTerminal([...PAYMENTS, "--format", "json", "--output-file", file]);

    // Assess
    expect(run.code).toBe(1);
    expect(readFileSync(file, "utf8")).toBe("keep me\n");
    expect(run.stderr).not.toMatch(/Summary/);
  });
});
