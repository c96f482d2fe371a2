import { type Command, Help, Option } from "commander";
import type { ScopeResult } from "#shared/scan/scan-scope.ts";
import type { Transition } from "#shared/store/index.ts";
import type { ScopeNotification } from "./alerts.ts";
import type { CliIo } from "./io.ts";
import { accountsOption, DEFAULT_STORE, regionsOption, storeOption, urlOption } from "./options.ts";
import type { ReportedFinding } from "./render.ts";
import type { Session } from "./session.ts";

/** What one `scan` did, for callers that run it in-process (the demo, tests). */
export interface ScanReport {
  runId: string;
  results: ScopeResult[];
  /** Findings at or above `--min-severity`, in table order, carried-over ones included. */
  findings: ReportedFinding[];
  /** This run's transitions (all severities); undefined with `--store none`. */
  transitions?: Transition[];
  notifications: ScopeNotification[];
  /** e.g. `dynalite:.eks-audit`. */
  store?: string;
}

export interface ScanContext {
  /** An open session to scan through (the demo's simulator); the caller closes it. */
  session?: Session;
  onReport?: (report: ScanReport) => void;
}

/** In-process callers (the demo, tests) may scan through an open session and read the report. */
export type CliContext = ScanContext;

/** What a command module gets to register itself on the program. */
export interface CommandContext {
  io: CliIo;
  /** The process exit code of the command that ran. */
  setExit(code: number): void;
  context: CliContext;
}

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/**
 * The exit codes of every command, as `--help` and the README list them. A scan never looks healthier than
 * what it saw: 1 wins over 2, 2 over 4, and any of them over 0 — so a CI job that tolerates an incomplete
 * scan (4) still stops on a finding at --fail-on, carried over or not.
 */
export const EXIT = {
  ok: 0,
  /** Bad flags or input, a store or notifier failure, or a scan that reached no account-region. */
  error: 1,
  /** `--fail-on`: a finding at or above the severity exists (findings carried over from failed scopes count). */
  findings: 2,
  /** `lb-subnets`: the controller would fail to find subnets. */
  controllerWouldFail: 3,
  /** Some account-region could not be scanned (and nothing reached --fail-on): its scan.* finding is printed. */
  incomplete: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each exit code means, as every `--help` prints it. */
const EXIT_MEANINGS: Record<ExitCode, string> = {
  [EXIT.ok]: "done, and nothing at or above --fail-on",
  [EXIT.error]:
    "error: bad flag or input, the store or the notifier failed, or no account-region could be scanned",
  [EXIT.findings]:
    "a finding at or above --fail-on (findings carried over from account-regions that failed count too)",
  [EXIT.controllerWouldFail]: "lb-subnets: the controller would find no usable subnets",
  [EXIT.incomplete]: "incomplete: some account-region could not be scanned (its scan.* finding says why)",
};

/**
 * The width the texts after a command's options are written for: they fit an 80-column terminal (the
 * options above them are wrapped by commander to the terminal's width, 80 when it is not a terminal).
 */
export const HELP_WIDTH = 80;

/** A help section's items (`  term  description`), wrapped by commander's own help formatter. */
function helpItems(items: readonly (readonly [term: string, description: string])[]): string {
  const help = new Help();
  help.helpWidth = HELP_WIDTH;
  const termWidth = Math.max(...items.map(([term]) => term.length));
  return items.map(([term, description]) => help.formatItem(term, termWidth, description, help)).join("\n");
}

/** `Exit codes:` with the given codes, each with its meaning (or the command's own wording of it). */
export function exitCodesHelp(
  codes: readonly ExitCode[],
  wording: Partial<Record<ExitCode, string>> = {},
): string {
  const sorted = [...codes].sort((x, y) => x - y);
  return `Exit codes:\n${helpItems(sorted.map((c) => [String(c), wording[c] ?? EXIT_MEANINGS[c]]))}\n`;
}

/** Every exit code (the program's `--help`). */
export const EXIT_CODES_HELP = `\n${exitCodesHelp(Object.values(EXIT))}`;

/**
 * A command's `--help` example: the command line (a long one in parts, printed as continuation lines
 * ending in ` \`) and what it does.
 */
export type HelpExample = readonly [command: string | readonly string[], what: string];

/** The end of a command's `--help`: a few runnable examples, then the exit codes that command returns. */
export function commandHelp(
  examples: readonly HelpExample[],
  codes: readonly ExitCode[],
  wording: Partial<Record<ExitCode, string>> = {},
): string {
  const help = new Help();
  const lines = examples.flatMap(([command, what]) => [
    ...help
      .boxWrap(what, HELP_WIDTH - 4)
      .split("\n")
      .map((l) => `  # ${l}`),
    `  ${typeof command === "string" ? command : command.join(" \\\n      ")}`,
  ]);
  return `\nExamples:\n${lines.join("\n")}\n\n${exitCodesHelp(codes, wording)}`;
}

export interface AwsFlags {
  profile?: string;
  roleName?: string;
  endpointUrl?: string;
  estate?: string;
}

/** `--profile`, `--role-name`, `--endpoint-url`, `--estate`: how a command reaches AWS (or the simulator). */
export function withAwsOptions(cmd: Command): Command {
  return cmd
    .option("--profile <name>", "AWS shared config profile for the caller's credentials")
    .option("--role-name <name>", "member role assumed in other accounts", "EksAuditorReadRole")
    .option("--endpoint-url <url>", "send every AWS call to this endpoint (e.g. the simulator)", urlOption)
    .option(
      "--estate <file>",
      "start the loopback simulator on this estate file and scan it (no AWS account needed)",
    );
}

/** `--region` and `--regions` are one flag (so are `--account` and `--accounts`); repeated, the lists merge. */
export function regionsFlag(description: string): Option {
  return new Option("--region, --regions <list>", description).argParser(regionsOption);
}

export function accountsFlag(description: string): Option {
  return new Option("--account, --accounts <ids>", description).argParser(accountsOption);
}

/** `--regions`, `--accounts`, `--org`: which account-regions a command covers. */
export function withScopeOptions(cmd: Command): Command {
  return cmd
    .addOption(
      regionsFlag(
        'regions to scan: "eu-west-1,us-east-1" or "all" (each account\'s enabled regions; default: the current region)',
      ),
    )
    .addOption(
      accountsFlag(
        "accounts to scan, comma-separated (default: the caller's; others through --role-name)",
      ).conflicts("org"),
    )
    .option("--org", "scan every ACTIVE account of the organisation (Organizations ListAccounts)");
}

export function storeFlag(description: string): Option {
  return new Option("--store <spec>", description)
    .argParser(storeOption)
    .default(storeOption(DEFAULT_STORE), DEFAULT_STORE);
}

/** `--format` with the given choices, `table` by default. */
export function formatFlag(description: string, choices: readonly string[] = ["table", "json"]): Option {
  return new Option("--format <format>", description).choices([...choices]).default("table");
}
