import { type Command, Option } from "commander";
import type { ScanFlags } from "#shared/cli/actions/scan.ts";
import {
  type CommandContext,
  commandHelp,
  EXIT,
  storeFlag,
  withAwsOptions,
  withScopeOptions,
} from "#shared/cli/common/command.ts";
import {
  notifyOption,
  positiveIntOption,
  severityOption,
  teamTagsOption,
} from "#shared/cli/common/options.ts";
import { withOutputOptions } from "#shared/cli/common/output.ts";
import type { Severity } from "#shared/findings/index.ts";
import { FORMAT_NAMES } from "#shared/report/format-names.ts";
import { DEFAULT_CONCURRENCY } from "#shared/scan/defaults.ts";

const SCAN_HELP = `
Store and alerts:
  With a store (default: an embedded dynalite under ./.eks-audit, nothing to
  install), each account-region is reconciled with the findings of the last
  scan. After the findings, scan prints this run's changes (NEW, REOPENED,
  ESCALATED, RESOLVED by account-region), a counts line, and the alerts: one
  per account-region and kind (coverage, findings) with a change at or above
  --alert-severity (a RESOLVED finding counts at the severity it had).
  --store none scans without history: findings only.
    --store dynalite:DIR     embedded DynamoDB (dynalite) persisted in DIR,
                             created when missing
    --store dynamodb:TABLE   a DynamoDB table (name or ARN) with the caller's
                             credentials (--profile)
    --notify stdout          print each alert's subject and email text
                             (default with a store)
    --notify sns:TOPIC_ARN   publish to the topic (region from the ARN); pages
                             once per change
    --notify securityhub[:REGION]
                             import the changed findings (ASFF) into the
                             caller's own Security Hub (home region by
                             default); archives resolved ones; once per change
    --notify none            no alerts; changes stay unsent in the store

Account-regions that could not be scanned get their scan.* finding; with a
store, the findings still open for them are shown too, marked carried over
(JSON: "carriedOver": true, "lastConfirmedAt"). With --org --regions all,
coverage findings of account-regions the organisation no longer has are
resolved.

Accepted risks (--suppressions FILE): findings an entry of the file matches
are stored SUPPRESSED, never page, and are left out of the findings and of
--fail-on (eks-audit findings --status suppressed lists them). When an entry
expires or stops matching, the finding is REOPENED and pages once; a
suppressed finding the scan no longer produces is RESOLVED quietly. A bad
file is an error (exit 1, naming each line) before anything is scanned.

JSON mode (--format json): stdout carries exactly one JSON array of findings,
with or without a store; the changes and the alerts go to stderr as text.
--format asff prints the same findings as one array in the AWS Security
Finding Format, as --notify securityhub would import them.

Other formats (--format, or --output as in the aws CLI): csv (a header row,
one row per finding), ocsf (a JSON array of OCSF Detection Findings, class
2004) and html (one self-contained page) own stdout the same way; table (the
default) fits the terminal and prints every fix command whole.
--output-file PATH writes the document to PATH instead (never over an
existing file without --force) and prints the summary and the changes on
stdout.
${commandHelp(
  [
    ["eks-audit scan", "the caller's account in the current region, history in ./.eks-audit"],
    [
      "eks-audit scan --profile prod --regions eu-west-1,us-east-1 --fail-on HIGH",
      "two regions; exit 2 on a HIGH or CRITICAL finding (for CI)",
    ],
    [
      "eks-audit scan --org --regions all --store dynamodb:eks-auditor-findings",
      "every account and enabled region, into the deployed auditor's table",
    ],
    [
      ["eks-audit scan --estate sim/estates/sample-org.json --org --region eu-west-1", "--store none"],
      "the sample organisation, no AWS account needed (replays stay out of your history)",
    ],
    [
      "eks-audit scan --endpoint-url http://127.0.0.1:4566 --store none",
      "against a simulator started with npm run sim (dummy AWS_* credentials)",
    ],
  ],
  [EXIT.ok, EXIT.error, EXIT.findings, EXIT.incomplete],
)}`;

export function registerScanCommand(program: Command, { io, setExit, context }: CommandContext): void {
  const command = withScopeOptions(
    withAwsOptions(
      program
        .command("scan")
        .description("scan accounts and regions, print the findings and what changed since the last scan"),
    ),
  )
    .option("--concurrency <n>", "account-regions scanned at once", positiveIntOption, DEFAULT_CONCURRENCY)
    .option(
      "--min-severity <severity>",
      "hide findings (and changes) below this severity",
      severityOption,
      "INFO" as Severity,
    )
    .option("--fail-on <severity>", "exit 2 when a finding at or above this severity exists", severityOption)
    .addOption(storeFlag("where findings and their history live: dynalite:DIR, dynamodb:TABLE or none"))
    .addOption(
      new Option(
        "--notify <target>",
        "where alerts go: stdout, sns:TOPIC_ARN, securityhub[:REGION] or none (default: stdout with a store)",
      ).argParser(notifyOption),
    )
    .option(
      "--alert-severity <severity>",
      "changes at or above this severity page (default HIGH)",
      severityOption,
    )
    .option("--changes-only", "table mode: print only this run's changes and alerts, not the findings")
    .option(
      "--suppressions <file>",
      "accepted risks (YAML, docs/suppressions.md): matching findings are stored SUPPRESSED and never page",
    )
    .option(
      "--team-tags <keys>",
      "cluster tag keys naming the owning team, first match wins: the alerts' team attribute (default team,owner)",
      teamTagsOption,
    );
  withOutputOptions(command, {
    description:
      "output format: table, or a document on stdout (json, csv, ocsf, html, asff); the rest goes to stderr",
    choices: [...FORMAT_NAMES, "asff"],
    file: true,
  })
    .addHelpText("after", SCAN_HELP)
    .action(async (_flags: ScanFlags, command: Command) => {
      const { scanCommand } = await import("#shared/cli/actions/scan.ts");
      setExit(await scanCommand(command.optsWithGlobals<ScanFlags>(), io, context));
    });
}
