import { stringify } from "csv-stringify/sync";
import { sortFindings } from "./order.ts";
import type { FindingsFormat, ReportContext, ReportFinding } from "./types.ts";

type Column = readonly [header: string, value: (f: ReportFinding) => string];

/** The columns every CSV has: the finding as the JSON format names its fields, evidence as JSON text. */
const FINDING_COLUMNS: readonly Column[] = [
  ["accountId", (f) => f.accountId],
  ["region", (f) => f.region],
  ["cluster", (f) => f.cluster],
  ["ruleId", (f) => f.ruleId],
  ["severity", (f) => f.severity],
  ["resourceId", (f) => f.resourceId],
  ["variant", (f) => f.variant ?? ""],
  ["title", (f) => f.title],
  ["detail", (f) => f.detail],
  ["remediation", (f) => f.remediation],
  ["evidence", (f) => JSON.stringify(f.evidence)],
];

/** A scan's findings: whether the store carried one over from an account-region that was not scanned. */
const SCAN_COLUMNS: readonly Column[] = [
  ["carriedOver", (f) => (f.carriedOver ? "true" : "false")],
  ["lastConfirmedAt", (f) => f.lastConfirmedAt ?? ""],
];

/** The store's findings: their lifecycle. */
const STORE_COLUMNS: readonly Column[] = [
  ["status", (f) => f.status ?? ""],
  ["firstSeen", (f) => f.firstSeen ?? ""],
  ["lastChangedAt", (f) => f.lastChangedAt ?? ""],
  ["resolvedAt", (f) => f.resolvedAt ?? ""],
  ["resolvedReason", (f) => f.resolvedReason ?? ""],
];

export function csvColumns(source: ReportContext["source"]): readonly Column[] {
  return [...FINDING_COLUMNS, ...(source === "store" ? STORE_COLUMNS : SCAN_COLUMNS)];
}

/** A header row and one row per finding (RFC 4180 quoting by csv-stringify), in table order. */
export function renderCsv(
  findings: readonly ReportFinding[],
  context: Pick<ReportContext, "source">,
): string {
  const columns = csvColumns(context.source);
  return stringify(
    sortFindings(findings).map((f) => columns.map(([, value]) => value(f))),
    { header: true, columns: columns.map(([header]) => header), record_delimiter: "unix" },
  );
}

export const csvFormat: FindingsFormat = {
  name: "csv",
  description: "a header row and one row per finding (evidence as JSON)",
  document: true,
  render: renderCsv,
};
