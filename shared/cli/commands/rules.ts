import Table from "cli-table3";
import type { Command } from "commander";
import { type CatalogRule, RULE_CATALOG, ruleMetadata } from "#shared/catalog/index.ts";
import { type CommandContext, commandHelp, EXIT, formatFlag } from "#shared/cli/common/command.ts";

/** `eks-audit rules`: the catalog from the rules' own metadata (table: id, severity, title; json: everything). */
export function registerRulesCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command("rules")
    .description(
      "list the rules the auditor evaluates: id, default severity, title (json: all their metadata)",
    )
    .addOption(formatFlag("output format (json: one array with why, fires-when and upstream link)"))
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
    .action((flags: { format: "table" | "json" }) => {
      io.stdout(
        flags.format === "json" ? `${rulesJson(RULE_CATALOG)}\n` : `${renderRulesTable(RULE_CATALOG)}\n`,
      );
      setExit(EXIT.ok);
    });
}

export function rulesJson(rules: readonly CatalogRule[]): string {
  return JSON.stringify(rules.map(ruleMetadata), null, 2);
}

export function renderRulesTable(rules: readonly CatalogRule[]): string {
  const table = new Table({
    head: ["Rule", "Severity", "Title"],
    // One line per rule: no separator between rows.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    style: { head: [], border: [] },
  });
  for (const r of rules) table.push([r.id, r.severity, r.title]);
  return `${table.toString()}\n${rules.length} rules; why, when they fire and the upstream source: --format json or docs/rules.md`;
}
