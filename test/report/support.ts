import { PassThrough } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import type { CliIo } from "#shared/cli/common/io.ts";
import type { ReportedFinding } from "#shared/cli/common/render.ts";
import { main } from "#shared/cli/main.ts";
import { type CliRun, SAMPLE_ESTATE } from "#test/support/cli.ts";

export interface Terminal {
  columns?: number;
  /** stdout is a terminal (colour unless NO_COLOR or --no-color). */
  tty?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Runs `eks-audit` in-process as on a terminal of the given width and captures what it prints. */
export async function runOnTerminal(argv: string[], terminal: Terminal = {}): Promise<CliRun> {
  const run: CliRun = { code: 0, stdout: "", stderr: "" };
  const env = { ...process.env, ...terminal.env };
  delete env.FORCE_COLOR;
  if (terminal.env?.FORCE_COLOR !== undefined) env.FORCE_COLOR = terminal.env.FORCE_COLOR;
  if (terminal.env?.NO_COLOR === undefined) delete env.NO_COLOR;
  const io: CliIo = {
    stdout: (text) => {
      run.stdout += text;
    },
    stderr: (text) => {
      run.stderr += text;
    },
    env,
    stderrIsTTY: false,
    stderrStream: new PassThrough(),
    columns: terminal.columns ?? 160,
    stdoutIsTTY: terminal.tty === true,
  };
  run.code = await main(argv, io);
  return run;
}

/** Scan the whole sample organisation (no store): its account-regions, including the planted failures. */
export const SAMPLE_SCAN = [
  "scan",
  "--estate",
  SAMPLE_ESTATE,
  "--store",
  "none",
  "--org",
  "--regions",
  "all",
];

/** The exit code of a scan of the sample organisation: some account-regions cannot be scanned (4). */
export const SAMPLE_EXIT = 4;

export async function sampleFindings(): Promise<ReportedFinding[]> {
  const run = await runOnTerminal([...SAMPLE_SCAN, "--format", "json"]);
  if (run.code !== SAMPLE_EXIT) throw new Error(`sample scan exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as ReportedFinding[];
}

/** The text holds terminal escape codes (colour). */
export function hasEscapeCodes(text: string): boolean {
  return stripVTControlCharacters(text) !== text;
}

/** Columns a line takes on a terminal (colour codes take none; the report uses no wide characters). */
export function columnsOf(line: string): number {
  return [...stripVTControlCharacters(line)].length;
}
