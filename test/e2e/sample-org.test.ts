import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Finding, RULE_IDS } from "#shared/findings/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

/** One row of "Findings that must appear" in sim/estates/README.md. */
interface ExpectedRow {
  ruleId: string;
  accountId: string;
  region: string;
  cluster: string;
  /** undefined: any resource (scan.* rows name the scope, not a resource id). */
  resourceId?: string;
  variant?: string;
  line: string;
}

function expectedRows(): ExpectedRow[] {
  const readme = readFileSync(new URL("../../sim/estates/README.md", import.meta.url), "utf8");
  const section = readme.split("### Findings that must appear")[1]?.split("###")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const cells = line.split("|").map((c) => c.trim());
      const [, rule = "", accountId = "", region = "", cluster = "", resource = ""] = cells;
      const ticks = [...resource.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
      const first = ticks[0];
      const awsId = first && /^(vpc|subnet|sg)-/.test(first) ? first : undefined;
      const named = /^(node group|cluster) /.test(resource) ? first : undefined;
      const code = /code `([^`]+)`/.exec(resource)?.[1];
      return {
        ruleId: rule.replaceAll("`", ""),
        accountId,
        region,
        cluster: cluster.startsWith("-") ? "-" : cluster,
        ...((awsId ?? named) ? { resourceId: awsId ?? named } : {}),
        ...(code ? { variant: code } : {}),
        line,
      };
    });
}

describe("Demo path: eks-audit scan of the sample organisation", () => {
  let findings: Finding[] = [];
  const rows = expectedRows();

  beforeAll(async () => {
    const run = await runCli([
      "scan",
      "--estate",
      SAMPLE_ESTATE,
      "--org",
      "--regions",
      "eu-west-1,us-east-1",
      "--store",
      "none",
      "--format",
      "json",
    ]);
    // The sample plants 4 account-regions that cannot be scanned: incomplete, exit 4
    expect(run.code).toBe(4);
    findings = JSON.parse(run.stdout) as Finding[];
  });

  it("reads the README's table of expected findings", () => {
    expect(rows.length).toBeGreaterThanOrEqual(RULE_IDS.length - 1);
  });

  it("covers every rule id of the catalog that one snapshot can show", () => {
    // The forecast needs a stored history of scans, which one --store none scan has not:
    // test/scan/forecast-series.test.ts replays a series of snapshots for it.
    const fromHistory = new Set<string>(["ip.subnet-exhaustion-forecast"]);
    expect(new Set(findings.map((f) => f.ruleId))).toEqual(
      new Set(RULE_IDS.filter((id) => !fromHistory.has(id))),
    );
  });

  it.each(
    expectedRows().map((r) => [
      `${r.ruleId} ${r.accountId} ${r.region} ${r.resourceId ?? ""} ${r.variant ?? ""}`,
      r,
    ]),
  )("shows %s", (_name, row) => {
    const match = findings.filter(
      (f) =>
        f.ruleId === row.ruleId &&
        f.accountId === row.accountId &&
        f.region === row.region &&
        f.cluster === row.cluster &&
        (row.resourceId === undefined || f.resourceId === row.resourceId) &&
        (row.variant === undefined || f.variant === row.variant),
    );
    expect(match.length, row.line).toBeGreaterThanOrEqual(1);
  });

  it("gives every finding the fields the output contract names", () => {
    for (const f of findings) {
      for (const key of [
        "accountId",
        "region",
        "cluster",
        "ruleId",
        "resourceId",
        "severity",
        "title",
        "detail",
        "remediation",
      ]) {
        expect(typeof (f as unknown as Record<string, unknown>)[key], `${key} of ${f.ruleId}`).toBe("string");
        expect(((f as unknown as Record<string, string>)[key] ?? "").length).toBeGreaterThan(0);
      }
      expect(typeof f.evidence).toBe("object");
    }
  });

  it("finds nothing on the healthy clusters and accounts", () => {
    const healthy = findings.filter(
      (f) =>
        ["platform-prod-euw1", "analytics-staging", "payments-dr-use1"].includes(f.cluster) ||
        f.accountId === "555566667777" ||
        (f.accountId === "111122223333" && f.region === "eu-west-1"),
    );
    expect(healthy).toEqual([]);
  });

  it("skips the SUSPENDED account", () => {
    expect(findings.filter((f) => f.accountId === "666677778888")).toEqual([]);
  });

  it("never prints the secret planted in launch-template user data", async () => {
    const secret = /sample-estate-FAKE-db-password/;
    expect(JSON.stringify(findings)).not.toMatch(secret);
    // With a store, the changes and the alert texts are printed too.
    const store = mkdtempSync(join(tmpdir(), "eks-audit-e2e-"));
    const table = await runCli([
      "scan",
      "--estate",
      SAMPLE_ESTATE,
      "--org",
      "--regions",
      "eu-west-1,us-east-1",
      "--store",
      `dynalite:${store}`,
      "--alert-severity",
      "INFO",
    ]);
    rmSync(store, { recursive: true, force: true });
    expect(table.code, table.stderr).toBe(4);
    expect(table.stdout).toMatch(/^Subject: /m);
    expect(table.stdout + table.stderr).not.toMatch(secret);
  });
});
