import type { Command } from "commander";
import { type CommandContext, commandHelp, EXIT } from "#shared/cli/common/command.ts";
import { type OutputFlags, withOutputOptions } from "#shared/cli/common/output.ts";

export function registerRulesCommand(program: Command, { io, setExit }: CommandContext): void {
  const command = program
    .command("rules")
    .description(
      "list the rules the auditor evaluates: id, default severity, title (json: all their metadata)",
    );
  withOutputOptions(command, {
    description: "output format (json: one array with why, fires-when and upstream link)",
    choices: ["table", "json"],
  })
    .addHelpText(
      "after",
      commandHelp(
        [
          ["eks-audit rules", "id, default severity and title of every rule"],
          [
            "eks-audit rules --format json",
            "with why each rule matters, when it fires and its upstream source",
          ],
        ],
        [EXIT.ok, EXIT.error],
        { [EXIT.ok]: "done", [EXIT.error]: "error: bad flag" },
      ),
    )
    .action(async (flags: OutputFlags) => {
      const { rulesCommand } = await import("#shared/cli/actions/rules.ts");
      setExit(rulesCommand(flags, io));
    });
}
