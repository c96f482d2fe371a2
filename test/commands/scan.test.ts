import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

const BASE = ["scan", "--estate", SAMPLE_ESTATE, "--store", "none"];

describe("Command: eks-audit scan", () => {
  it("scans only the caller's account and current region by default", async () => {
    const run = await runCli([...BASE, "--format", "json"], { AWS_REGION: "us-east-1" });
    const findings = JSON.parse(run.stdout) as Finding[];
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => `${f.accountId}/${f.region}`))).toEqual(
      new Set(["111122223333/us-east-1"]),
    );
  });

  it("exits 2 when a finding is at or above --fail-on, and 0 on a healthy scope", async () => {
    const failing = await runCli([
      ...BASE,
      "--accounts",
      "111122223333,222233334444",
      "--regions",
      "eu-west-1",
      "--fail-on",
      "CRITICAL",
      "--format",
      "json",
    ]);
    expect(failing.code).toBe(2);
    expect((JSON.parse(failing.stdout) as Finding[]).some((f) => f.severity === "CRITICAL")).toBe(true);
    const healthy = await runCli([
      ...BASE,
      "--accounts",
      "555566667777",
      "--regions",
      "all",
      "--fail-on",
      "LOW",
    ]);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/No findings\./);
  });

  it("never exits 0 when an account-region could not be scanned: 4, with one line naming them", async () => {
    // 444455556666 denies AssumeRole; 222233334444 us-east-1 answers InternalError (the sample's faults)
    const run = await runCli([...BASE, "--org", "--regions", "eu-west-1,us-east-1", "--format", "json"]);
    expect(run.code).toBe(4);
    const failed = (JSON.parse(run.stdout) as Finding[]).filter((f) => f.ruleId.startsWith("scan."));
    expect(failed.map((f) => `${f.accountId}/${f.region} ${f.ruleId}`).sort()).toEqual([
      "222233334444/us-east-1 scan.error",
      "333344445555/us-east-1 scan.region-unavailable",
      "444455556666/eu-west-1 scan.access-denied",
      "444455556666/us-east-1 scan.access-denied",
    ]);
    const line = run.stderr.split("\n").filter((l) => l.includes("could not be scanned"));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/^eks-audit: 4 of 10 account-regions could not be scanned \(/);
  });

  it("exits 1 with one clear line when no account-region could be reached", async () => {
    const run = await runCli([...BASE, "--accounts", "444455556666", "--regions", "eu-west-1,us-east-1"]);
    expect(run.code).toBe(1);
    expect(
      run.stderr
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("eks-audit:")),
    ).toEqual([
      "eks-audit: no account-region could be scanned (444455556666/eu-west-1 AccessDenied, 444455556666/us-east-1 AccessDenied).",
    ]);
  });

  it("hides findings below --min-severity", async () => {
    const run = await runCli([
      ...BASE,
      "--org",
      "--regions",
      "all",
      "--min-severity",
      "high",
      "--format",
      "json",
    ]);
    const severities = new Set((JSON.parse(run.stdout) as Finding[]).map((f) => f.severity));
    expect([...severities].sort()).toEqual(["CRITICAL", "HIGH"]);
  });

  it("prints a table grouped by account, region and cluster, worst first, ending with a summary line", async () => {
    const run = await runCli([...BASE, "--accounts", "222233334444", "--regions", "eu-west-1"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^222233334444 \/ eu-west-1 \/ cluster payments-euw1$/m);
    const severities = [...run.stdout.matchAll(/^│ (CRITICAL|HIGH|MEDIUM|LOW|INFO) /gm)].map((m) => m[1]);
    const order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"];
    expect(severities.map((s) => order.indexOf(s ?? ""))).toEqual(
      [...severities.map((s) => order.indexOf(s ?? ""))].sort((a, b) => a - b),
    );
    const last = run.stdout.trim().split("\n").pop() ?? "";
    expect(last).toMatch(
      /^Summary: \d+ findings \(1 CRITICAL, .*\) in 1 account-region \(1 complete, 0 failed\); \d+ API calls in [\d.]+ s$/,
    );
  });

  it("takes --region/--regions and --account/--accounts as one flag each, repeated flags merging", async () => {
    // Act
    const spelled = await runCli([
      ...BASE,
      "--region",
      "eu-west-1",
      "--regions",
      "us-east-1",
      "--account",
      "111122223333",
      "--accounts",
      "222233334444",
    ]);
    const listed = await runCli([
      ...BASE,
      "--regions",
      "eu-west-1,us-east-1",
      "--accounts",
      "111122223333,222233334444",
    ]);

    // Assess: the same four account-regions (one of them planted to fail), the same findings
    const summary = (out: string) => (out.trim().split("\n").pop() ?? "").replace(/ in [\d.]+ s$/, "");
    expect(summary(spelled.stdout)).toMatch(/ in 4 account-regions \(3 complete, 1 failed\);/);
    expect(summary(spelled.stdout)).toBe(summary(listed.stdout));
    expect(spelled.code).toBe(4);
    expect(listed.code).toBe(4);
  });

  it("completes under a throttling storm: the SDK's standard retry absorbs RequestLimitExceeded", async () => {
    // Prepare: the sample with a tiny token bucket per account-region-API
    const estate = await loadEstateFile(SAMPLE_ESTATE);
    const file = join(mkdtempSync(join(tmpdir(), "eks-audit-throttle-")), "estate.json");
    writeFileSync(
      file,
      JSON.stringify({ ...estate, faults: { throttle: { bucket: 2, refillPerSecond: 20 }, seed: 1 } }),
    );

    // Act
    const calm = await runCli([
      ...BASE,
      "--accounts",
      "111122223333",
      "--regions",
      "us-east-1",
      "--format",
      "json",
    ]);
    const storm = await runCli([
      "scan",
      "--estate",
      file,
      "--store",
      "none",
      "--accounts",
      "111122223333",
      "--regions",
      "us-east-1",
      "--format",
      "json",
    ]);

    // Assess
    expect(storm.code, storm.stderr).toBe(0);
    const ids = (out: string) =>
      (JSON.parse(out) as Finding[]).map((f) => `${f.ruleId}#${f.resourceId}#${f.variant ?? ""}`).sort();
    expect(ids(storm.stdout)).toEqual(ids(calm.stdout));
    expect(ids(storm.stdout).some((id) => id.startsWith("scan."))).toBe(false);
  });

  it.each([
    [["--regions", "eu-west"], /--regions.*bad region "eu-west"/],
    [["--accounts", "1234"], /--accounts.*malformed account id "1234"/],
    [["--min-severity", "urgent"], /--min-severity.*unknown severity "urgent"/],
    [["--frobnicate"], /unknown option '--frobnicate'/],
  ])("exits 1 with one clear line for %j", async (args, message) => {
    const run = await runCli([...BASE, ...args]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it("rejects a malformed estate file naming the JSON path", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "eks-audit-bad-")), "estate.json");
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        organization: { accounts: [] },
        accounts: {
          "111122223333": { regions: { "eu-west-1": { ec2: { Subnets: [{ VpcId: "vpc-1" }] } } } },
        },
      }),
    );
    const run = await runCli(["scan", "--estate", file, "--store", "none"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: invalid estate`);
    expect(run.stderr).toContain("accounts.111122223333.regions.eu-west-1.ec2.Subnets[0].SubnetId: required");
  });
});
