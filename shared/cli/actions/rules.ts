import Table from "cli-table3";
import { type CatalogRule, RULE_CATALOG, ruleMetadata } from "#shared/catalog/index.ts";
import { EXIT } from "#shared/cli/common/command.ts";
import type { CliIo } from "#shared/cli/common/io.ts";
import { type OutputFlags, outputChoice } from "#shared/cli/common/output.ts";
import { fitLines, type TextLayout } from "#shared/cli/common/render.ts";
import { colors, MIN_WIDTH, paintSeverity, wrapIndented } from "#shared/report/index.ts";

/** `eks-audit rules`: the catalog from the rules' own metadata (table: id, severity, title; json: everything). */

export function rulesJson(rules: readonly CatalogRule[]): string {
  return JSON.stringify(rules.map(ruleMetadata), null, 2);
}

export function renderRulesTable(
  rules: readonly CatalogRule[],
  layout: TextLayout = { width: 160, color: false },
): string {
  const width = Math.max(MIN_WIDTH + 20, layout.width);
  const c = colors(layout.color);
  const idWidth = Math.max(...rules.map((r) => r.id.length)) + 2;
  // Four borders; the title takes what the id and severity columns leave.
  const titleWidth = width - idWidth - 10 - 4;
  const table = new Table({
    head: ["Rule", "Severity", "Title"],
    colWidths: [idWidth, 10, titleWidth],
    wordWrap: false,
    // One line per rule where the title fits: no separator between rows.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    style: { head: [], border: [] },
  });
  for (const r of rules) {
    table.push([r.id, paintSeverity(c, r.severity), wrapIndented(r.title, titleWidth - 2, 0).join("\n")]);
  }
  return `${table.toString()}\n${fitLines(`${rules.length} rules; why, when they fire and the upstream source: --format json or docs/rules.md`, width)}`;
}

/** `eks-audit rules`: the catalog from the rules' own metadata. */
export function rulesCommand(flags: OutputFlags, io: CliIo): number {
  const output = outputChoice(flags, io);
  io.stdout(
    output.format === "json"
      ? `${rulesJson(RULE_CATALOG)}\n`
      : `${renderRulesTable(RULE_CATALOG, { width: io.columns, color: output.color })}\n`,
  );
  return EXIT.ok;
}
