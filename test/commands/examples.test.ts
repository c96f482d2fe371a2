import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { parse } from "shell-quote";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import { createTableInput } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";

/**
 * Every `eks-audit` command line the README and the commands' `--help` show runs, as written, against the
 * loopback simulator: the ones for a real account get `--endpoint-url` (and dummy credentials, a `prod`
 * profile, a dynalite behind `dynamodb:eks-auditor-findings`), the simulator ones get its real URL.
 */

const REPO = new URL("../../", import.meta.url).pathname;
/** The URL the README and the help show for `npm run sim`. */
const DOCUMENTED_SIM_URL = "http://127.0.0.1:4566";
const COMMANDS = ["scan", "findings", "snapshot", "lb-subnets", "ip-cost", "trend", "rules"];
/** What a command needs no AWS for. */
const OFFLINE = new Set(["findings", "ip-cost", "trend", "rules"]);
/** Placeholders of the examples for a real account that the sample organisation does not have. */
const PLACEHOLDERS: readonly { arg: string; error: RegExp }[] = [
  {
    arg: "web",
    error: /^eks-audit: --cluster: no cluster "web" in 111122223333\/eu-west-1 \(clusters there: /,
  },
];

/** The command lines of the README's bash blocks that run `eks-audit`. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
  return blocks.flatMap((b) => b.split("\n")).filter((l) => l.startsWith("npx eks-audit "));
}

/** The words of a command line up to its first comment, redirect or other operator, after `eks-audit`. */
function argvOf(line: string): string[] {
  const words: string[] = [];
  for (const entry of parse(line)) {
    if (typeof entry !== "string") break;
    words.push(entry);
  }
  return words.slice(words.indexOf("eks-audit") + 1);
}

function againstSimulator(argv: readonly string[], url: string): string[] {
  const args = argv.map((a) => (a === DOCUMENTED_SIM_URL ? url : a));
  const local = OFFLINE.has(args[0] ?? "") || args.includes("--estate") || args.includes("--endpoint-url");
  return local ? args : [...args, "--endpoint-url", url];
}

let sim: Simulator;
let dynamo: LocalDynamo;
const savedEnv = { ...process.env };
const savedCwd = process.cwd();

beforeAll(async () => {
  sim = await startSimulator({ estate: await loadEstateFile(SAMPLE_ESTATE) });
  dynamo = await startDynalite();
  await dynamo.client.send(new CreateTableCommand(createTableInput("eks-auditor-findings")));
  const home = mkdtempSync(join(tmpdir(), "eks-audit-examples-home-"));
  mkdirSync(join(home, ".aws"));
  writeFileSync(join(home, ".aws", "config"), "[profile prod]\nregion = eu-west-1\n");
  writeFileSync(
    join(home, ".aws", "credentials"),
    "[prod]\naws_access_key_id = AKIA111122223333PROD\naws_secret_access_key = sim\n",
  );
  Object.assign(process.env, {
    HOME: home,
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    AWS_ACCESS_KEY_ID: "AKIA111122223333SIMX",
    AWS_SECRET_ACCESS_KEY: "sim",
    AWS_REGION: "eu-west-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});

afterAll(async () => {
  process.chdir(savedCwd);
  process.env = savedEnv;
  await dynamo?.stop();
  await sim?.close();
});

/** A fresh working directory (the default store, `--out` files) where `sim/estates/…` resolves. */
function workingDirectory(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `eks-audit-${name}-`));
  symlinkSync(join(REPO, "sim"), join(dir, "sim"));
  return dir;
}

async function expectRuns(line: string): Promise<void> {
  // Act
  const argv = againstSimulator(argvOf(line), sim.url);
  const run = await runCli(argv);

  // Assess: 1 is an error; 0, 2 (--fail-on), 3 (lb-subnets) and 4 (the sample's planted failures) are results
  const placeholder = PLACEHOLDERS.find((p) => argv.includes(p.arg));
  if (placeholder && run.code === 1) {
    expect(run.stderr.trim()).toMatch(placeholder.error);
    return;
  }
  expect(run.code, `${argv.join(" ")}\n${run.stderr}`).not.toBe(1);
  expect(run.stdout.length + run.stderr.length).toBeGreaterThan(0);
}

/** The example lines of each command's `--help` (between "Examples:" and the blank line before the exit codes). */
async function helpExamples(): Promise<Map<string, { help: string; lines: string[] }>> {
  const out = new Map<string, { help: string; lines: string[] }>();
  for (const command of COMMANDS) {
    const help = (await runCli([command, "--help"])).stdout;
    const [, section = ""] = help.split("\nExamples:\n");
    // A long example goes on over continuation lines (` \` at the end of a line), as in a shell.
    const lines = (section.split("\n\n")[0] ?? "")
      .replace(/ \\\n +/g, " ")
      .split("\n")
      .filter((l) => l.startsWith("  eks-audit "))
      .map((l) => l.trim());
    out.set(command, { help, lines });
  }
  return out;
}

const README = readmeExamples();
const HELP = await helpExamples();

describe("README and --help examples", () => {
  it("the README shows scan, findings, snapshot, lb-subnets, ip-cost, trend and rules", () => {
    expect(new Set(README.map((l) => argvOf(l)[0]))).toEqual(new Set(COMMANDS));
  });

  it.each(COMMANDS)("%s --help shows examples of itself, its exit codes and --debug", (command) => {
    const { help = "", lines = [] } = HELP.get(command) ?? {};
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(argvOf(lines[0] ?? "")[0]).toBe(command);
    expect(help).toMatch(/\nExit codes:\n {2}0 {2}.+\n(?: {5}.+\n)* {2}1 {2}.+/);
    expect(help).toMatch(/--debug/);
  });

  it.each(["", ...COMMANDS])("%s --help fits an 80-column terminal", async (command) => {
    // Act: not a terminal, so commander wraps the options at 80 columns too
    const help = (await runCli(command === "" ? ["--help"] : [command, "--help"])).stdout;

    // Assess
    const long = help.split("\n").filter((l) => l.length > 80);
    expect(long).toEqual([]);
    expect(help).toMatch(/\nExit codes:\n/);
  });
});

/** The README's lines in its order, then the help examples it does not already show. */
const EXAMPLES = [...README, ...COMMANDS.flatMap((c) => HELP.get(c)?.lines ?? [])].filter(
  (line, i, all) => all.findIndex((other) => argvOf(other).join(" ") === argvOf(line).join(" ")) === i,
);

describe("every example runs against the simulator", () => {
  beforeAll(() => process.chdir(workingDirectory("examples")));
  it.each(EXAMPLES)("%s", expectRuns);
});
