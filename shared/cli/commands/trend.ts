import { type Command, InvalidArgumentError } from "commander";
import type { TrendFlags } from "#shared/cli/actions/trend.ts";
import { type CommandContext, commandHelp, EXIT, storeFlag } from "#shared/cli/common/command.ts";
import { withOutputOptions } from "#shared/cli/common/output.ts";

/** Samples are kept this many days (the store's TTL): `--days` cannot draw more. */
const MAX_DAYS = 180;
/** `subnet-` and its id (EC2's are 8 or 17 hex digits; estates may name theirs). */
const SUBNET_ID = /^subnet-[0-9a-z]{1,32}$/;

function subnetOption(value: string): string {
  if (!SUBNET_ID.test(value)) {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not a subnet id: expected subnet- and its id, e.g. subnet-0b77d8ae74febc74e.`,
    );
  }
  return value;
}

function daysOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_DAYS) {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not a whole number of days from 1 to ${MAX_DAYS} (samples are kept ${MAX_DAYS} days).`,
    );
  }
  return n;
}

export function registerTrendCommand(program: Command, { io, setExit }: CommandContext): void {
  const command = program
    .command("trend")
    .description(
      "a subnet's free IPs over time from the samples of complete scans, drawn, and when at this rate not one more node fits",
    )
    .requiredOption("--subnet <id>", "the subnet, e.g. subnet-0b77d8ae74febc74e", subnetOption)
    .option(
      "--days <n>",
      `days drawn before the latest sample, 1 to ${MAX_DAYS} (the forecast always uses the last 14)`,
      daysOption,
      14,
    )
    .addOption(storeFlag("the store holding the samples: dynalite:DIR or dynamodb:TABLE"))
    .option("--profile <name>", "AWS shared config profile (for --store dynamodb:TABLE)");
  withOutputOptions(command, {
    description: "output format: table (the chart) or json",
    choices: ["table", "json"],
  })
    .addHelpText(
      "after",
      commandHelp(
        [
          [
            "eks-audit trend --subnet subnet-0ab15888e79d1c16f",
            "the subnet's last 14 days and each cluster's forecast, drawn",
          ],
          [
            "eks-audit trend --subnet subnet-0ab15888e79d1c16f --days 90 --format json",
            "90 days of samples and the forecasts as one JSON document",
          ],
          [
            ["eks-audit trend --subnet subnet-0ab15888e79d1c16f", "--store dynamodb:eks-auditor-findings"],
            "from the deployed auditor's table (the caller's credentials and region)",
          ],
        ],
        [EXIT.ok, EXIT.error],
        {
          [EXIT.ok]: "done (a forecast or the reason there is none)",
          [EXIT.error]: "error: bad flag, no samples of the subnet, or the store cannot be read",
        },
      ),
    )
    .action(async (flags: TrendFlags) => {
      const { trendCommand } = await import("#shared/cli/actions/trend.ts");
      setExit(await trendCommand(flags, io));
    });
}
