import { type Command, Option } from "commander";
import type { FindingsFlags } from "#shared/cli/actions/findings.ts";
import {
  accountsFlag,
  type CommandContext,
  commandHelp,
  EXIT,
  regionsFlag,
  storeFlag,
} from "#shared/cli/common/command.ts";
import { ruleOption, severityOption } from "#shared/cli/common/options.ts";
import { withOutputOptions } from "#shared/cli/common/output.ts";
import type { Severity } from "#shared/findings/index.ts";

export function registerFindingsCommand(program: Command, { io, setExit }: CommandContext): void {
  const command = program
    .command("findings")
    .description("list the findings the store holds, with status, first seen and resolved (indexed queries)")
    .addOption(
      new Option(
        "--status <status>",
        "open, resolved, suppressed (accepted risks, with their reason and expiry) or all",
      )
        .choices(["open", "resolved", "suppressed", "all"])
        .default("open"),
    )
    .option(
      "--min-severity <severity>",
      "only findings at or above this severity",
      severityOption,
      "INFO" as Severity,
    )
    .addOption(accountsFlag("only these accounts, comma-separated"))
    .addOption(regionsFlag('only these regions, comma-separated ("all": every region)'))
    .option("--rule <id>", "only this rule id, e.g. ip.subnet-exhausted", ruleOption)
    .addOption(storeFlag("the store to read: dynalite:DIR or dynamodb:TABLE"))
    .option("--profile <name>", "AWS shared config profile (for --store dynamodb:TABLE)");
  withOutputOptions(command, {
    description: "output format: table, or one document on stdout (json, csv, ocsf, html)",
    file: true,
  })
    .addHelpText(
      "after",
      commandHelp(
        [
          ["eks-audit findings", "the open findings of the default store (./.eks-audit)"],
          [
            "eks-audit findings --status resolved --account 222233334444",
            "what the scans of one account resolved, and when",
          ],
          [
            ["eks-audit findings --min-severity HIGH --rule ip.subnet-exhausted", "--format json"],
            "one rule's serious findings, as a JSON array",
          ],
          [
            "eks-audit findings --store dynamodb:eks-auditor-findings --status all",
            "the deployed auditor's table (the caller's credentials and region)",
          ],
        ],
        [EXIT.ok, EXIT.error],
        {
          [EXIT.ok]: "done (findings or none)",
          [EXIT.error]: "error: bad flag, or the store cannot be read",
        },
      ),
    )
    .action(async (flags: FindingsFlags) => {
      const { findingsCommand } = await import("#shared/cli/actions/findings.ts");
      setExit(await findingsCommand(flags, io));
    });
}
