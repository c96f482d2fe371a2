import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportedFinding } from "#shared/cli/common/render.ts";
import { fixCommands } from "#shared/report/index.ts";
import {
  columnsOf,
  hasEscapeCodes,
  runOnTerminal,
  SAMPLE_EXIT,
  SAMPLE_SCAN,
  sampleFindings,
} from "#test/report/support.ts";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";

/** The text as a shell reads it: line continuations removed, adjacent quoted pieces of one word joined. */
function asTheShellReadsIt(text: string): string {
  return text
    .replace(/ \\\n */g, " ")
    .replace(/\\\n/g, "")
    .replace(/''/g, "");
}

const PAYMENTS = ["scan", "--estate", SAMPLE_ESTATE, "--store", "none", "--accounts", "222233334444"];

let findings: ReportedFinding[];

beforeAll(async () => {
  findings = await sampleFindings();
});

describe("Command: eks-audit scan (table)", () => {
  it.each([80, 100, 160])("fits %i columns and prints every fix command whole", async (columns) => {
    // Act
    const run = await runOnTerminal(SAMPLE_SCAN, { columns });

    // Assess
    expect(run.code, run.stderr).toBe(SAMPLE_EXIT);
    const lines = run.stdout.split("\n");
    expect(lines.filter((line) => columnsOf(line) > columns)).toEqual([]);
    const shown = asTheShellReadsIt(run.stdout);
    const commands = findings.flatMap((f) => fixCommands(f.remediation));
    expect(commands.length).toBeGreaterThan(findings.length / 2);
    for (const command of commands) expect(shown).toContain(asTheShellReadsIt(command));
    for (const f of findings) {
      const resource = f.variant ? `${f.resourceId} (${f.variant})` : f.resourceId;
      expect(run.stdout).toContain(`${f.severity}  ${f.ruleId}  ${resource}`);
    }
    expect(run.stdout).not.toContain("…");
  });

  it("breaks a long command between words with a line continuation at 80 columns", async () => {
    // Act
    const run = await runOnTerminal(PAYMENTS, { columns: 80 });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^ {6}aws eks update-addon --cluster-name payments-euw1 --addon-name vpc-cni \\\n {8}--configuration-values \\\n {8}'\{"env":/m,
    );
  });

  it.each([
    ["on a terminal", { tty: true }, [], true],
    ["on a terminal with NO_COLOR=1", { tty: true, env: { NO_COLOR: "1" } }, [], false],
    [
      "on a terminal with NO_COLOR empty (not set, per no-color.org)",
      { tty: true, env: { NO_COLOR: "" } },
      [],
      true,
    ],
    ["on a terminal with --no-color", { tty: true }, ["--no-color"], false],
    ["in a pipe", { tty: false }, [], false],
    ["in a pipe with FORCE_COLOR=1", { tty: false, env: { FORCE_COLOR: "1" } }, [], true],
  ])("colours severities %s", async (_case, terminal, flags, coloured) => {
    // Act
    const run = await runOnTerminal([...PAYMENTS, "--regions", "eu-west-1", ...flags], {
      columns: 100,
      ...terminal,
    });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(hasEscapeCodes(run.stdout)).toBe(coloured);
    expect(run.stdout).toMatch(/CRITICAL/);
  });
});

describe("Command: eks-audit scan with a store (changes and alert preview)", () => {
  const dirs: string[] = [];
  const scanWithStore = (columns: number) => {
    const dir = mkdtempSync(join(tmpdir(), "eks-audit-width-"));
    dirs.push(dir);
    const args = [
      "scan",
      "--estate",
      SAMPLE_ESTATE,
      "--store",
      `dynalite:${dir}`,
      "--org",
      "--regions",
      "all",
    ];
    return runOnTerminal(args, { columns });
  };

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("fits 80 columns on stdout and stderr, and prints each command of the alerts whole", async () => {
    // Prepare: the alerts as they are sent, on a terminal too wide to wrap them.
    const wide = await scanWithStore(100_000);
    const sent = wide.stdout.slice(wide.stdout.indexOf("SNS would send"));
    const commands = sent.split("\n").flatMap((line) => fixCommands(line));

    // Act
    const run = await scanWithStore(80);

    // Assess
    expect(run.code, run.stderr).toBe(SAMPLE_EXIT);
    expect(commands.length).toBeGreaterThan(5);
    const lines = [...run.stdout.split("\n"), ...run.stderr.split("\n")];
    expect(lines.filter((line) => columnsOf(line) > 80)).toEqual([]);
    expect(run.stderr).toMatch(/could not be scanned/);
    const preview = asTheShellReadsIt(run.stdout.slice(run.stdout.indexOf("SNS would send")));
    for (const command of commands) expect(preview).toContain(asTheShellReadsIt(command));
  });
});
