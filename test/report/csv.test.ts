import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvColumns, renderCsv, sortFindings } from "#shared/report/index.ts";
import { carriedOver, hostileFinding, storedFindings } from "#test/report/findings.ts";

function rows(csv: string): Record<string, string>[] {
  return parse(csv, { columns: true, skip_empty_lines: false }) as Record<string, string>[];
}

describe("Format: csv", () => {
  it("has a header row and one row per finding, every field as the finding has it", () => {
    // Prepare
    const findings = [hostileFinding(), carriedOver()];

    // Act
    const csv = renderCsv(findings, { source: "scan" });

    // Assess
    const header = csv.split("\n")[0];
    expect(header).toBe(
      "accountId,region,cluster,ruleId,severity,resourceId,variant,title,detail,remediation,evidence,carriedOver,lastConfirmedAt",
    );
    const read = rows(csv);
    expect(read).toHaveLength(2);
    for (const [i, f] of sortFindings(findings).entries()) {
      const row = read[i] ?? {};
      expect(row.accountId).toBe(f.accountId);
      expect(row.ruleId).toBe(f.ruleId);
      expect(row.resourceId).toBe(f.resourceId);
      expect(row.variant).toBe(f.variant ?? "");
      expect(row.title).toBe(f.title);
      expect(row.detail).toBe(f.detail);
      expect(row.remediation).toBe(f.remediation);
      expect(JSON.parse(row.evidence ?? "")).toEqual(f.evidence);
      expect(row.carriedOver).toBe(f.carriedOver ? "true" : "false");
      expect(row.lastConfirmedAt).toBe(f.lastConfirmedAt ?? "");
    }
  });

  it("quotes commas, quotes and newlines so they read back unchanged", () => {
    // Prepare
    const f = hostileFinding();

    // Act
    const [row] = rows(renderCsv([f], { source: "scan" }));

    // Assess
    expect(f.remediation).toMatch(/,.*"[\s\S]*\n/);
    expect(row?.remediation).toBe(f.remediation);
    expect(row?.title).toBe(f.title);
  });

  it("gives the store's findings their status, first seen and resolution instead", () => {
    // Prepare
    const stored = storedFindings();

    // Act
    const read = rows(renderCsv(stored, { source: "store" }));

    // Assess
    expect(Object.keys(read[0] ?? {})).toEqual(csvColumns("store").map(([header]) => header));
    expect(Object.keys(read[0] ?? {})).not.toContain("carriedOver");
    const resolved = read.find((r) => r.status === "RESOLVED");
    const original = stored.find((f) => f.status === "RESOLVED");
    expect(resolved?.resolvedAt).toBe(original?.resolvedAt);
    expect(resolved?.firstSeen).toBe(original?.firstSeen);
    expect(read.filter((r) => r.status === "OPEN")).toHaveLength(
      stored.filter((f) => f.status === "OPEN").length,
    );
  });

  it("is a header row alone without findings", () => {
    expect(renderCsv([], { source: "scan" }).trim().split("\n")).toHaveLength(1);
  });
});
