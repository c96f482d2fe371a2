import { type Command, Option } from "commander";
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

export const EXIT_CODES_HELP = `
Exit codes:
  0  done, and nothing at or above --fail-on
  1  error: bad flag or input, the store or the notifier failed, or no account-region could be scanned
  2  a finding at or above --fail-on (findings carried over from account-regions that failed count too)
  3  lb-subnets: the controller would find no usable subnets
  4  incomplete: some account-region could not be scanned (its scan.* finding says why)
`;

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

/** `--regions`, `--accounts`, `--org`: which account-regions a command covers. */
export function withScopeOptions(cmd: Command): Command {
  return cmd
    .option(
      "--regions <list>",
      'regions to scan: "eu-west-1,us-east-1" or "all" (each account\'s enabled regions)',
      regionsOption,
    )
    .addOption(
      new Option("--accounts <ids>", "accounts to scan, comma-separated")
        .argParser(accountsOption)
        .conflicts("org"),
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
