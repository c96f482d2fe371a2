import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportedFinding } from "#shared/cli/common/render.ts";
import type { Estate } from "#shared/estate/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

/** Two account-regions; payments-euw1 (222233334444) has a finding of every severity from CRITICAL to LOW. */
const SCOPE = ["--accounts", "111122223333,222233334444", "--regions", "eu-west-1"];
const PAYMENTS = "222233334444";

let dir: string;
let denied: string;
let confirmed: ReportedFinding[];

beforeAll(async () => {
  // Prepare: a complete scan of the scope into a store, then an estate where the scope's role is denied
  dir = mkdtempSync(join(tmpdir(), "eks-audit-carried-"));
  const estate = JSON.parse(readFileSync(SAMPLE_ESTATE, "utf8")) as Estate;
  estate.faults = { ...estate.faults, assumeRoleDenied: ["222233334444"] };
  denied = join(dir, "denied.json");
  writeFileSync(denied, JSON.stringify(estate));
  const first = await runCli([
    "scan",
    "--estate",
    SAMPLE_ESTATE,
    ...SCOPE,
    "--store",
    `dynalite:${dir}/store`,
    "--format",
    "json",
  ]);
  expect(first.code, first.stderr).toBe(0);
  confirmed = (JSON.parse(first.stdout) as ReportedFinding[]).filter((f) => f.accountId === PAYMENTS);
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("Command: eks-audit scan, when an account-region's scan fails", () => {
  it("prints the findings still open for it, marked carried over with when they were last confirmed, and exits 4", async () => {
    // Act
    const run = await runCli([
      "scan",
      "--estate",
      denied,
      ...SCOPE,
      "--store",
      `dynalite:${dir}/store`,
      "--format",
      "json",
    ]);

    // Assess
    expect(run.code, run.stderr).toBe(4);
    const findings = JSON.parse(run.stdout) as ReportedFinding[];
    const carried = findings.filter((f) => f.carriedOver === true);
    expect(carried.every((f) => f.accountId === PAYMENTS)).toBe(true);
    const key = (f: ReportedFinding) => `${f.ruleId}#${f.resourceId}#${f.variant ?? ""}`;
    expect(carried.map(key).sort()).toEqual(confirmed.map(key).sort());
    expect(
      carried.every(
        (f) => typeof f.lastConfirmedAt === "string" && !Number.isNaN(Date.parse(f.lastConfirmedAt)),
      ),
    ).toBe(true);
    // The failed scope's own coverage finding comes from this run, and nothing was resolved
    expect(findings.filter((f) => f.carriedOver !== true).map((f) => f.ruleId)).toEqual([
      "scan.access-denied",
    ]);
    expect(run.stderr).not.toMatch(/RESOLVED/);
    expect(run.stderr).toMatch(
      new RegExp(
        `^eks-audit: 1 of 2 account-regions could not be scanned \\(${PAYMENTS}/eu-west-1 AccessDenied\\); ` +
          `${carried.length} findings carried over from the store\\.$`,
        "m",
      ),
    );
  }, 180_000);

  it("gates --fail-on on carried-over findings: exit 2 wins over incomplete", async () => {
    const worst = confirmed.some((f) => f.severity === "CRITICAL") ? "CRITICAL" : "HIGH";
    const run = await runCli([
      "scan",
      "--estate",
      denied,
      ...SCOPE,
      "--store",
      `dynalite:${dir}/store`,
      "--fail-on",
      worst,
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toMatch(
      /\[carried over: this account-region was not scanned; last confirmed \d{4}-\d\d-\d\d \d\d:\d\d UTC\]/,
    );
  }, 180_000);
});
