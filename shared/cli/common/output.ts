import { existsSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type Command, Option } from "commander";
import { FORMAT_NAMES } from "#shared/report/format-names.ts";
import type { FindingsFormat, ReportContext, ReportFinding } from "#shared/report/index.ts";
import type { CliIo } from "./io.ts";

/** The output flags as commander hands them over. */
export interface OutputFlags {
  format: string;
  /** `--output`, the aws CLI's name for it: an alias of `--format`. */
  output?: string;
  outputFile?: string;
  force?: boolean;
  /** false with `--no-color`. */
  color?: boolean;
}

/** What a command prints and where. */
export interface OutputChoice {
  format: string;
  /** The file the formatted findings go to (stdout then carries only the summary). */
  file?: string;
  force: boolean;
  color: boolean;
}

/**
 * `--format` (and `--output`, its aws CLI spelling), `--no-color`, and with `file` `--output-file PATH` and
 * `--force`: the output options of a command.
 */
export function withOutputOptions(
  cmd: Command,
  options: { description: string; choices?: readonly string[]; file?: boolean },
): Command {
  const choices = [...(options.choices ?? FORMAT_NAMES)];
  cmd
    .addOption(new Option("--format <format>", options.description).choices(choices).default("table"))
    .addOption(
      new Option("--output <format>", "the same as --format (the aws CLI's name for it)")
        .choices(choices)
        .conflicts("format"),
    );
  if (options.file) {
    cmd
      .option(
        "--output-file <path>",
        "write the formatted findings to this file (never over an existing one without --force); stdout then carries the summary",
      )
      .option("--force", "with --output-file: overwrite the file if it exists");
  }
  return cmd.option("--no-color", "no colour (also when NO_COLOR is set or stdout is not a terminal)");
}

/**
 * Colour on a terminal, unless `--no-color` or NO_COLOR (any non-empty value, no-color.org) says no;
 * FORCE_COLOR (non-empty, not 0) turns it on in a pipe.
 */
export function useColor(io: Pick<CliIo, "env" | "stdoutIsTTY">, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if ((io.env.NO_COLOR ?? "") !== "") return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  return io.stdoutIsTTY === true && io.env.TERM !== "dumb";
}

/**
 * The output a command's flags ask for. An `--output-file` that exists (without `--force`) or whose
 * folder does not is refused here, before any scan runs.
 */
export function outputChoice(flags: OutputFlags, io: Pick<CliIo, "env" | "stdoutIsTTY">): OutputChoice {
  const format = flags.output ?? flags.format;
  const force = flags.force === true;
  if (flags.force && flags.outputFile === undefined) {
    throw new Error("--force: nothing to overwrite without --output-file PATH.");
  }
  if (flags.outputFile !== undefined) checkOutputFile(flags.outputFile, force);
  return {
    format,
    ...(flags.outputFile !== undefined ? { file: flags.outputFile } : {}),
    force,
    color: flags.outputFile === undefined && useColor(io, flags.color),
  };
}

function checkOutputFile(path: string, force: boolean): void {
  if (path.trim() === "") throw new Error("--output-file: give a file path.");
  if (existsSync(path)) {
    if (statSync(path).isDirectory())
      throw new Error(`--output-file: ${path} is a directory; give a file path.`);
    if (!force) throw new Error(`--output-file: ${path} exists; pass --force to overwrite it.`);
  }
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new Error(`--output-file: folder ${folder} does not exist.`);
  }
}

/** Writes the report; without --force, only a file that does not exist yet (exclusive create). */
export async function writeOutputFile(path: string, text: string, force: boolean): Promise<void> {
  try {
    await writeFile(path, text, { flag: force ? "w" : "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new Error(`--output-file: ${path} exists; pass --force to overwrite it.`);
    throw new Error(`--output-file: cannot write ${path} (${code ?? (err as Error).message}).`);
  }
}

/** `Wrote 38 findings as csv to findings.csv.` */
export function wroteLine(count: number, format: string, path: string): string {
  return `Wrote ${count} finding${count === 1 ? "" : "s"} as ${format} to ${path}.`;
}

/** What `printFindings` left for the command: where its other text (changes, alerts) goes. */
export interface PrintedFindings {
  /** stderr when stdout carries a document, else stdout. */
  text: (text: string) => void;
  /** stdout carries a document (json, csv, ocsf, html…): nothing else may be printed there. */
  documentOnStdout: boolean;
}

/**
 * The one place a command's findings leave it, in the format the flags chose:
 * - `--output-file PATH`: the document goes to the file; stdout carries the summary and a "Wrote …" line;
 * - a document format (json, csv, ocsf, html…): stdout carries exactly the document, the summary goes to
 *   stderr;
 * - table: the findings, a blank line and the summary, fitted to the terminal.
 * `summary: undefined` prints no findings and no summary (`scan --changes-only` in table mode).
 */
export async function printFindings(
  io: Pick<CliIo, "stdout" | "stderr" | "columns">,
  output: OutputChoice,
  findings: readonly ReportFinding[],
  report: Omit<ReportContext, "width" | "color">,
  summary: string | undefined,
  /** A format only this command has (scan's asff), chosen by its name. */
  own?: FindingsFormat,
): Promise<PrintedFindings> {
  // The renderers load when findings are printed, not when the CLI starts.
  const [{ findingsFormat }, { fitLines }] = await Promise.all([
    import("#shared/report/index.ts"),
    import("./render.ts"),
  ]);
  const format = own?.name === output.format ? own : findingsFormat(output.format);
  const render = () => format.render(findings, { ...report, width: io.columns, color: output.color });
  const fitted = (text: string) => `${fitLines(text, io.columns)}\n`;
  if (output.file !== undefined) {
    await writeOutputFile(output.file, ensureNewline(render()), output.force);
    if (summary !== undefined) io.stdout(fitted(summary));
    io.stdout(fitted(wroteLine(findings.length, format.name, output.file)));
    return { text: io.stdout, documentOnStdout: false };
  }
  if (format.document) {
    io.stdout(ensureNewline(render()));
    if (summary !== undefined) io.stderr(`${summary}\n`);
    return { text: io.stderr, documentOnStdout: true };
  }
  if (summary !== undefined) io.stdout(`${render()}\n\n${fitted(summary)}`);
  return { text: io.stdout, documentOnStdout: false };
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
