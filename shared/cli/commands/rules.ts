import Table from "cli-table3";
import { type Command, Option } from "commander";
import { type CatalogRule, RULE_CATALOG, ruleMetadata } from "#shared/catalog/index.ts";

/** What the command needs of the CLI's `CliIo` (kept structural: shared/cli/commands never imports shared/cli). */
interface RulesIo {
  stdout(text: string): void;
}

/** `eks-audit rules`: the catalog from the rules' own metadata (table: id, severity, title; json: everything). */
export function registerRulesCommand(
  program: Command,
  io: RulesIo,
  setExit: (code: number) => void,
): Command {
  return program
    .command("rules")
    .description(
      "list the rules the auditor evaluates: id, default severity, title (json: all their metadata)",
    )
    .addOption(
      new Option(
        "--format <format>",
        "output format (json: one array with why, fires-when and upstream link)",
      )
        .choices(["table", "json"])
        .default("table"),
    )
    .action((flags: { format: "table" | "json" }) => {
      io.stdout(
        flags.format === "json" ? `${rulesJson(RULE_CATALOG)}\n` : `${renderRulesTable(RULE_CATALOG)}\n`,
      );
      setExit(0);
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
