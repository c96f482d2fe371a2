import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "#shared/findings/index.ts";
import type { StoredFinding } from "#shared/store/index.ts";
import { type CliRun, runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

/**
 * The sample's edge-use1 (111122223333, us-east-1) has a public subnet tagged for tools-use1: the
 * elb.foreign-cluster-tag pattern a team may keep on purpose. Its cluster is tagged team=edge.
 */
const SUBNET = "subnet-02cae6ab2b85733f3";
const SCOPE = ["--accounts", "111122223333", "--regions", "us-east-1"];

let dir: string;
let store: string[];
let estate: string;
let fixedEstate: string;

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

/** A suppressions file for the deliberate foreign tag, expiring at the end of `expires`. */
function suppressionsFile(name: string, expires: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      "# Accepted risks of the edge team",
      "suppressions:",
      "  - rule: elb.foreign-cluster-tag",
      '    account: "111122223333"',
      "    cluster: edge-*",
      `    resource: ${SUBNET}`,
      "    tags: [team=edge]",
      "    reason: edge-use1 and tools-use1 share this subnet on purpose (CHG-42)",
      "    owner: team-edge",
      `    expires: ${expires}`,
      "",
    ].join("\n"),
  );
  return path;
}

function scan(...args: string[]): Promise<CliRun> {
  return runCli(["scan", "--estate", estate, ...SCOPE, ...store, "--notify", "stdout", ...args]);
}

function jsonOf<T>(run: CliRun): T {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** The alert subjects the run printed (`--notify stdout`). */
function subjects(run: CliRun): string[] {
  return [...`${run.stdout}\n${run.stderr}`.matchAll(/^Subject: (.*)$/gm)].map((m) => m[1] ?? "");
}

/** The change lines of one finding: `SUPPRESSED  HIGH  edge-use1  elb.foreign-cluster-tag  subnet-…`. */
function changesOf(run: CliRun, resourceId = SUBNET): string[] {
  return `${run.stdout}\n${run.stderr}`
    .split("\n")
    .filter((l) => l.includes(resourceId) && /^\s+(NEW|REOPENED|ESCALATED|SUPPRESSED|RESOLVED)\s/.test(l))
    .map((l) => l.trim().split(/\s+/)[0] ?? "");
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eks-audit-suppress-"));
  store = ["--store", `dynalite:${join(dir, "store")}`];
  estate = SAMPLE_ESTATE;
  // The same estate after someone removed tools-use1's tag from the subnet: the finding goes away.
  const sample = JSON.parse(readFileSync(SAMPLE_ESTATE, "utf8")) as {
    accounts: Record<
      string,
      { regions: Record<string, { ec2: { Subnets: { SubnetId: string; Tags?: { Key: string }[] }[] } }> }
    >;
  };
  const subnet = sample.accounts["111122223333"]?.regions["us-east-1"]?.ec2.Subnets.find(
    (s) => s.SubnetId === SUBNET,
  );
  if (subnet === undefined) throw new Error(`${SUBNET} is not in the sample estate any more`);
  subnet.Tags = (subnet.Tags ?? []).filter((t) => t.Key !== "kubernetes.io/cluster/tools-use1");
  fixedEstate = join(dir, "fixed-estate.json");
  writeFileSync(fixedEstate, JSON.stringify(sample));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("Command: eks-audit scan --suppressions", () => {
  it("takes a finding through OPEN → SUPPRESSED → unchanged → expired: REOPENED → SUPPRESSED → (no file: REOPENED → SUPPRESSED) → RESOLVED", async () => {
    // Run 1: no suppressions: the foreign tag is NEW and pages.
    const first = await scan();
    expect(first.code, first.stderr).toBe(0);
    expect(changesOf(first)).toEqual(["NEW"]);
    expect(first.stdout).toContain(`Resource: ${SUBNET}`);

    // Run 2: accepted until tomorrow: SUPPRESSED, not shown among the findings, not paged.
    const untilTomorrow = suppressionsFile("accepted.yaml", day(1));
    const second = await scan("--suppressions", untilTomorrow, "--format", "json");
    const shown = jsonOf<Finding[]>(second);
    expect(shown.some((f) => f.resourceId === SUBNET)).toBe(false);
    expect(shown.some((f) => f.ruleId === "elb.foreign-cluster-tag")).toBe(true);
    expect(changesOf(second)).toEqual(["SUPPRESSED"]);
    expect(subjects(second)).toEqual([]);
    expect(second.stderr).toContain(`1 finding suppressed by ${untilTomorrow} (accepted risks)`);

    // Run 3: the same file, the same estate: no change, nothing to page; the table lists the accepted
    // risk apart from the findings, under its entry.
    const third = await scan("--suppressions", untilTomorrow);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain("No changes since the last scan");
    expect(subjects(third)).toEqual([]);
    expect(third.stdout).not.toContain(`Resource: ${SUBNET}`);
    const report = third.stdout.slice(third.stdout.indexOf("1 finding suppressed by")).split("\n");
    expect(report.slice(0, 3)).toEqual([
      `1 finding suppressed by ${untilTomorrow} (accepted risks): not among the findings, not paged, not counted by --fail-on; list them with eks-audit findings --status suppressed.`,
      `  ${untilTomorrow}:3, owner team-edge, until ${day(1)}: edge-use1 and tools-use1 share this subnet on purpose (CHG-42)`,
      `    HIGH elb.foreign-cluster-tag ${SUBNET} (edge-use1, 111122223333 us-east-1)`,
    ]);

    // The store lists it as an accepted risk, with its reason, and not among the open findings.
    const suppressed = jsonOf<StoredFinding[]>(
      await runCli(["findings", ...store, "--status", "suppressed", "--format", "json"]),
    );
    expect(suppressed.map((f) => [f.status, f.resourceId, f.suppression?.expires])).toEqual([
      ["SUPPRESSED", SUBNET, day(1)],
    ]);
    expect(suppressed[0]?.suppression?.reason).toBe(
      "edge-use1 and tools-use1 share this subnet on purpose (CHG-42)",
    );
    const open = jsonOf<StoredFinding[]>(
      await runCli(["findings", ...store, "--status", "open", "--format", "json"]),
    );
    expect(open.some((f) => f.resourceId === SUBNET)).toBe(false);
    const table = await runCli(["findings", ...store, "--status", "suppressed"]);
    expect(table.stdout).toContain("(0 open, 0 resolved, 1 suppressed)");
    expect(table.stdout).toContain(
      `suppressed until ${day(1)}: elb.foreign-cluster-tag ${SUBNET} (edge-use1, owner team-edge): edge-use1 and`,
    );

    // Run 4: the entry expired yesterday: REOPENED, paged once; the run says which entry expired.
    const expired = suppressionsFile("expired.yaml", day(-1));
    const fourth = await scan("--suppressions", expired, "--changes-only");
    expect(fourth.code, fourth.stderr).toBe(0);
    expect(changesOf(fourth)).toEqual(["REOPENED"]);
    // The subject names the cluster (no account name: the scan lists accounts, it does not read the org).
    expect(subjects(fourth)).toEqual([
      "[eks-auditor] HIGH REOPENED elb.foreign-cluster-tag on edge-use1 in 111122223333 us-east-1",
    ]);
    expect(fourth.stdout).toContain(`${expired}:3: expired on ${day(-1)}`);
    const again = await scan("--suppressions", expired, "--changes-only");
    expect(subjects(again)).toEqual([]);

    // Run 5: accepted again: SUPPRESSED, quietly.
    const fifth = await scan("--suppressions", untilTomorrow, "--changes-only");
    expect(changesOf(fifth)).toEqual(["SUPPRESSED"]);
    expect(subjects(fifth)).toEqual([]);
    expect(fifth.stderr).not.toContain("REOPENED: this scan had no --suppressions file");

    // A run without the file: nothing covers the finding any more: REOPENED, and the run says why.
    const forgotten = await scan("--changes-only");
    expect(changesOf(forgotten)).toEqual(["REOPENED"]);
    expect(forgotten.stderr).toContain(
      "eks-audit: 1 suppressed finding REOPENED: this scan had no --suppressions file; pass the file the deployment uses",
    );
    const restored = await scan("--suppressions", untilTomorrow, "--changes-only");
    expect(changesOf(restored)).toEqual(["SUPPRESSED"]);

    // Run 6: the tag is gone, the scan no longer produces the finding: RESOLVED quietly.
    const sixth = await runCli([
      "scan",
      "--estate",
      fixedEstate,
      ...SCOPE,
      ...store,
      "--notify",
      "stdout",
      "--suppressions",
      untilTomorrow,
      "--changes-only",
    ]);
    expect(sixth.code, sixth.stderr).toBe(0);
    expect(changesOf(sixth)).toEqual(["RESOLVED"]);
    expect(subjects(sixth).some((s) => s.includes("elb.foreign-cluster-tag"))).toBe(false);
    expect(sixth.stdout).not.toContain(`Resource: ${SUBNET}`);
    const resolved = jsonOf<StoredFinding[]>(
      await runCli(["findings", ...store, "--status", "resolved", "--format", "json"]),
    );
    expect(resolved.find((f) => f.resourceId === SUBNET)).toMatchObject({
      status: "RESOLVED",
      suppression: { expires: day(1) },
    });
    // Eleven CLI runs: sized for a loaded 2-core machine.
  }, 300_000);

  it("refuses a bad file with its line and field, exit 1, before anything is scanned or stored", async () => {
    // Prepare
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      [
        "suppressions:",
        "  - rule: elb.foreign-cluster-tag",
        "    reason: shared on purpose",
        "    expires: 2026-02-30",
        "  - rule: scan.error",
        "    reason: noisy",
        "",
      ].join("\n"),
    );
    const fresh = join(dir, "never-created");

    // Act
    const run = await runCli([
      "scan",
      "--estate",
      estate,
      ...SCOPE,
      "--store",
      `dynalite:${fresh}`,
      "--suppressions",
      bad,
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      `eks-audit: --suppressions ${bad}: 2 problems; nothing was scanned or stored:`,
    );
    expect(run.stderr).toContain(`${bad}:4: suppressions[0].expires: "2026-02-30" is not a date`);
    expect(run.stderr).toContain(`${bad}:5: suppressions[1].rule: "scan.error": coverage findings`);
    expect(existsSync(fresh)).toBe(false);
  });

  it("names a file that cannot be read", async () => {
    // Act
    const run = await runCli([
      "scan",
      "--estate",
      estate,
      ...SCOPE,
      "--store",
      "none",
      "--suppressions",
      join(dir, "nope.yaml"),
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`nope.yaml: cannot read the suppressions file: no such file.`);
  });

  it("leaves suppressed findings out of --fail-on, also without a store", async () => {
    // Prepare: every finding of the scope is an accepted risk
    const all = join(dir, "all.yaml");
    writeFileSync(all, "suppressions:\n  - rule: '*'\n    region: us-east-1\n    reason: lab account\n");

    // Act
    const gated = await runCli([
      "scan",
      "--estate",
      estate,
      ...SCOPE,
      "--store",
      "none",
      "--fail-on",
      "INFO",
    ]);
    const accepted = await runCli([
      "scan",
      "--estate",
      estate,
      ...SCOPE,
      "--store",
      "none",
      "--fail-on",
      "INFO",
      "--suppressions",
      all,
      "--format",
      "json",
    ]);

    // Assess
    expect(gated.code).toBe(2);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout)).toEqual([]);
    expect(accepted.stderr).toMatch(/\d+ findings suppressed by .*all\.yaml \(accepted risks\)/);
  });
});
