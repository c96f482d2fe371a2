import { csvFormat } from "./csv.ts";
import { FORMAT_NAMES } from "./format-names.ts";
import { htmlFormat } from "./html.ts";
import { ocsfFormat } from "./ocsf.ts";
import { renderFindingsText } from "./terminal.ts";
import type { FindingsFormat } from "./types.ts";

export const tableFormat: FindingsFormat = {
  name: "table",
  description: "for a terminal: findings by account, region and cluster, each fix whole",
  document: false,
  render: (findings, context) =>
    renderFindingsText(findings, { width: context.width, color: context.color, source: context.source }),
};

/** The findings as they are (the JSON contract of --format json: one array, in table order). */
export const jsonFormat: FindingsFormat = {
  name: "json",
  description: "one JSON array of findings",
  document: true,
  render: (findings) => JSON.stringify(findings, null, 2),
};

/**
 * Every `--format` of `scan` and `findings`, in --help order. A format is one line here: ASFF plugs in as
 * `asffFormat` from #shared/notify/securityhub/asff.ts.
 */
export const FINDINGS_FORMATS: readonly FindingsFormat[] = [
  tableFormat,
  jsonFormat,
  csvFormat,
  ocsfFormat,
  htmlFormat,
];

// The CLI declares its choices from format-names.ts: the two lists must name the same formats, in order.
if (FINDINGS_FORMATS.map((f) => f.name).join() !== FORMAT_NAMES.join())
  throw new Error("shared/report/format-names.ts and FINDINGS_FORMATS name different formats");

export function findingsFormat(name: string): FindingsFormat {
  const format = FINDINGS_FORMATS.find((f) => f.name === name);
  if (!format)
    throw new Error(`--format: unknown format "${name}" (expected one of ${FORMAT_NAMES.join(", ")})`);
  return format;
}
