import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "#shared/cli/common/io.ts";
import { simulatorSession } from "#shared/cli/common/session.ts";
import { main } from "#shared/cli/main.ts";
import { loadEstateFile } from "#shared/estate/index.ts";
import { atLeast, type Finding } from "#shared/findings/index.ts";
import type { StoredFinding } from "#shared/store/index.ts";
import { FILLED, FIXED, scriptedChange } from "#sim/demo.ts";
import { startSimulator } from "#sim/index.ts";
import { type CliRun, runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

const ORG = ["--org", "--regions", "eu-west-1,us-east-1"];

let dir: string;
let store: string[];
/** The findings the second scan (after the scripted change) produced. */
let current: Finding[];

function captureIo(): { io: CliIo; out: CliRun } {
  const out: CliRun = { code: 0, stdout: "", stderr: "" };
  const io: CliIo = {
    stdout: (text) => {
      out.stdout += text;
    },
    stderr: (text) => {
      out.stderr += text;
    },
    env: process.env,
    stderrIsTTY: false,
    stderrStream: new PassThrough(),
    columns: 200,
  };
  return { io, out };
}

beforeAll(async () => {
  // Prepare: two scans of the sample organisation into one store, with the demo's change in between
  dir = mkdtempSync(join(tmpdir(), "eks-audit-findings-"));
  store = ["--store", `dynalite:${dir}`];
  const estate = await loadEstateFile(SAMPLE_ESTATE);
  const sim = await startSimulator({ estate });
  try {
    for (const [i, args] of [
      ["scan", ...ORG, ...store, "--notify", "none"],
      ["scan", ...ORG, ...store, "--notify", "none", "--format", "json"],
    ].entries()) {
      if (i === 1) sim.setEstate(scriptedChange(estate));
      const session = simulatorSession(sim.url, estate);
      const { io, out } = captureIo();
      out.code = await main(args, io, { session }).finally(() => session.close());
      expect(out.code, out.stderr).toBe(4); // the sample's planted scan failures
      if (i === 1) current = JSON.parse(out.stdout) as Finding[];
    }
  } finally {
    await sim.close();
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function parse(run: CliRun): StoredFinding[] {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as StoredFinding[];
}

const key = (f: Finding) => `${f.accountId}#${f.region}#${f.ruleId}#${f.resourceId}#${f.variant ?? ""}`;

describe("Command: eks-audit findings", () => {
  it("--status open --min-severity HIGH returns exactly the open HIGH and CRITICAL findings", async () => {
    // Act
    const found = parse(
      await runCli(["findings", ...store, "--status", "open", "--min-severity", "HIGH", "--format", "json"]),
    );

    // Assess
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.status === "OPEN" && atLeast(f.severity, "HIGH"))).toBe(true);
    const expected = current.filter((f) => atLeast(f.severity, "HIGH")).map(key);
    expect(found.map(key).sort()).toEqual(expected.sort());
  });

  it("--rule filters by rule id, across statuses with --status all", async () => {
    // Act
    const found = parse(
      await runCli([
        "findings",
        ...store,
        "--rule",
        "ip.subnet-exhausted",
        "--status",
        "all",
        "--format",
        "json",
      ]),
    );

    // Assess
    expect(new Set(found.map((f) => f.ruleId))).toEqual(new Set(["ip.subnet-exhausted"]));
    const byResource = new Map(found.map((f) => [f.resourceId, f]));
    expect(byResource.get(FIXED.subnetId)).toMatchObject({
      status: "RESOLVED",
      resolvedAt: expect.any(String),
    });
    expect(byResource.get(FILLED.subnetId)).toMatchObject({ status: "OPEN" });
    expect(byResource.get(FILLED.subnetId)?.resolvedAt).toBeUndefined();
  });

  it("--status resolved lists what the second scan resolved, --account narrows to one account", async () => {
    // Act
    const resolved = parse(await runCli(["findings", ...store, "--status", "resolved", "--format", "json"]));
    const staging = parse(
      await runCli(["findings", ...store, "--account", "333344445555", "--format", "json"]),
    );

    // Assess
    expect(resolved.map((f) => `${f.ruleId}#${f.resourceId}#${f.variant ?? ""}`).sort()).toEqual([
      `ip.subnet-exhausted#${FIXED.subnetId}#`,
      "node.health-issues#batch#AsgInstanceLaunchFailures",
      "node.health-issues#batch#InsufficientFreeAddresses",
    ]);
    expect(resolved.every((f) => f.status === "RESOLVED" && f.firstSeen < (f.resolvedAt ?? ""))).toBe(true);
    expect(staging.length).toBeGreaterThan(0);
    expect(new Set(staging.map((f) => f.accountId))).toEqual(new Set(["333344445555"]));
  });

  it("--accounts and --regions narrow to those account-regions, as every other command spells them", async () => {
    // Prepare: the open findings of two accounts, read through the store
    const accounts = ["222233334444", "333344445555"];
    const open = parse(await runCli(["findings", ...store, "--format", "json"]));
    const expected = open
      .filter((f) => accounts.includes(f.accountId) && f.region === "eu-west-1")
      .map(key)
      .sort();

    // Act
    const narrowed = parse(
      await runCli([
        "findings",
        ...store,
        "--accounts",
        accounts.join(","),
        "--region",
        "eu-west-1",
        "--format",
        "json",
      ]),
    );
    const table = await runCli(["findings", ...store, "--account", "222233334444", "--regions", "eu-west-1"]);

    // Assess
    expect(expected.length).toBeGreaterThan(0);
    expect(open.length).toBeGreaterThan(expected.length);
    expect(narrowed.map(key).sort()).toEqual(expected);
    expect(table.stdout.trim().split("\n").pop()).toMatch(/account 222233334444, region eu-west-1/);
  });

  it("prints the scan's grouped findings with status, first seen and resolved, and a summary line", async () => {
    // Act
    const run = await runCli(["findings", ...store, "--status", "all", "--account", "222233334444"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^222233334444 \/ eu-west-1 \/ cluster payments-euw1$/m);
    expect(run.stdout).toMatch(
      /^CRITICAL {2}ip\.subnet-exhausted {2}subnet-\w+\n {2}RESOLVED · first seen \d{4}-\d\d-\d\d \d\d:\d\d UTC · resolved \d{4}-\d\d-\d\d \d\d:\d\d UTC$/m,
    );
    expect(run.stdout).toMatch(/^ {2}OPEN · first seen \d{4}-\d\d-\d\d \d\d:\d\d UTC$/m);
    expect(run.stdout.trim().split("\n").pop()).toMatch(
      /^Summary: \d+ findings \(\d+ open, 3 resolved\) in dynalite:.*; status all, account 222233334444$/,
    );
  });

  it.each([
    [
      ["--rule", "ip.exhausted"],
      /--rule.*unknown rule id "ip\.exhausted": rule families are elb\.\*, ip\.\*/,
    ],
    [["--status", "gone"], /--status.*Allowed choices are open, resolved, suppressed, all/],
    [["--account", "12345"], /--account.*malformed account id "12345"/],
    [["--store", "none"], /--store: findings reads a store/],
  ])("exits 1 with one line for %j", async (args, message) => {
    // Act
    const run = await runCli(["findings", ...store, ...args]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it("says how to create a store that does not exist yet, without creating it", async () => {
    // Prepare
    const missing = join(dir, "not-scanned-yet");

    // Act
    const run = await runCli(["findings", "--store", `dynalite:${missing}`]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `eks-audit: --store dynalite:${missing}: no findings store there yet; \`eks-audit scan\` creates it.`,
    );
  });
});
