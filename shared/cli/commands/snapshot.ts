import type { Command } from "commander";
import type { SnapshotFlags } from "#shared/cli/actions/snapshot.ts";
import {
  type CommandContext,
  commandHelp,
  EXIT,
  withAwsOptions,
  withScopeOptions,
} from "#shared/cli/common/command.ts";

export function registerSnapshotCommand(program: Command, { io, setExit }: CommandContext): void {
  withScopeOptions(
    withAwsOptions(
      program
        .command("snapshot")
        .description("record the scanned scopes into an estate file (user data removed)"),
    ),
  )
    .requiredOption("--out <file>", "estate file to write (an existing file only with --force)")
    .option("--force", "overwrite --out if it exists")
    .addHelpText(
      "after",
      commandHelp(
        [
          [
            "eks-audit snapshot --regions eu-west-1 --out my-account.json",
            "record the caller's account in one region",
          ],
          [
            "eks-audit scan --estate my-account.json --store none",
            "replay it offline, without mixing the replay into your account's history",
          ],
          [
            "eks-audit snapshot --org --regions all --out org.json --force",
            "the whole organisation, replacing an older snapshot",
          ],
        ],
        [EXIT.ok, EXIT.error, EXIT.incomplete],
        {
          [EXIT.ok]: "written: every account-region was read",
          [EXIT.incomplete]:
            "written, but account-regions that could not be read are only named on stderr and recorded as faults",
          [EXIT.error]: "error: bad flag or input, --out exists (and no --force), or no usable credentials",
        },
      ),
    )
    .action(async (flags: SnapshotFlags) => {
      const { snapshotCommand } = await import("#shared/cli/actions/snapshot.ts");
      setExit(await snapshotCommand(flags, io));
    });
}
