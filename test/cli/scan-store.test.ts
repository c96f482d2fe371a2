import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { openFindingsStore } from "#shared/cli/common/store.ts";
import type { Finding } from "#shared/findings/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";
import { startDynalite } from "#test/support/dynalite.ts";

/** payments-euw1 only: one account-region with a finding of every severity from CRITICAL to LOW. */
const PAYMENTS = ["scan", "--estate", SAMPLE_ESTATE, "--accounts", "222233334444", "--regions", "eu-west-1"];

const dirs: string[] = [];
function storeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "eks-audit-store-"));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("Command: eks-audit scan --store dynalite:DIR", () => {
  it("prints this run's transitions and alerts after the findings, and nothing new on a re-run", async () => {
    // Prepare
    const dir = storeDir();

    // Act
    const first = await runCli([...PAYMENTS, "--store", `dynalite:${dir}`]);
    const second = await runCli([...PAYMENTS, "--store", `dynalite:${dir}`]);

    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(dir, "CURRENT"))).toBe(true);
    const [findings = "", changes = ""] = first.stdout.split("Changes since the last scan:");
    expect(findings).toMatch(/^Summary: \d+ findings/m);
    expect(changes).toMatch(/^222233334444 \/ eu-west-1$/m);
    expect(changes).toMatch(
      /^ {2}NEW +CRITICAL +payments-euw1 +ip\.subnet-exhausted +subnet-0b77d8ae74febc74e/m,
    );
    expect(changes).toMatch(/^Changes: \d+ NEW in 1 account-region \(store dynalite:.*\)\.$/m);
    expect(changes.match(/^Subject: /gm)).toHaveLength(1);
    expect(changes).toMatch(
      /^Subject: \[eks-auditor\] CRITICAL NEW ip\.subnet-exhausted on payments-euw1 in 222233334444 eu-west-1/m,
    );

    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /^No changes since the last scan \(store dynalite:.*\): nothing to page\.$/m,
    );
    expect(second.stdout).not.toMatch(/^ {2}(NEW|REOPENED|ESCALATED|RESOLVED) /m);
    expect(second.stdout).not.toMatch(/^Subject: /m);
  });

  it("routes by the cluster tag keys --team-tags names, and names a bad list", async () => {
    // Act: payments-euw1 is tagged team=payments and env=prod
    const byEnv = await runCli([...PAYMENTS, "--store", `dynalite:${storeDir()}`, "--team-tags", "env,team"]);
    const bad = await runCli([...PAYMENTS, "--store", "none", "--team-tags", " , "]);

    // Assess
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(byEnv.stdout).toMatch(/^Teams \(cluster tags\): prod\.$/m);
    expect(byEnv.stdout).toMatch(/^ {3}Cluster: payments-euw1 {3}Resource: \S+ {3}Team: prod$/m);
    expect(byEnv.stdout).not.toMatch(/Team: payments/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--team-tags.*expected a comma-separated list of tag keys/);
  });

  it("keeps stdout one JSON array of findings in JSON mode and sends the changes to stderr", async () => {
    // Prepare
    const dir = storeDir();
    const plain = await runCli([...PAYMENTS, "--store", "none", "--format", "json"]);

    // Act
    const run = await runCli([...PAYMENTS, "--store", `dynalite:${dir}`, "--format", "json"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const findings = JSON.parse(run.stdout) as Finding[];
    const ids = (list: Finding[]) => list.map((f) => `${f.ruleId}#${f.resourceId}#${f.variant ?? ""}`);
    expect(ids(findings)).toEqual(ids(JSON.parse(plain.stdout) as Finding[]));
    expect(run.stderr).toMatch(/^Changes: \d+ NEW in 1 account-region/m);
    expect(run.stderr).toMatch(/^Subject: \[eks-auditor\] CRITICAL NEW/m);
  });

  it("hides changes below --min-severity and pages at --alert-severity", async () => {
    // Prepare
    const dir = storeDir();

    // Act
    const run = await runCli([
      ...PAYMENTS,
      "--store",
      `dynalite:${dir}`,
      "--changes-only",
      "--min-severity",
      "HIGH",
      "--alert-severity",
      "CRITICAL",
      "--notify",
      "stdout",
    ]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/┌/);
    expect(run.stdout).not.toMatch(/^ {2}NEW +(MEDIUM|LOW|INFO) /m);
    expect(run.stdout).toMatch(/^ {2}NEW +HIGH /m);
    expect(run.stdout).toMatch(/paging at CRITICAL and above/);
    expect(run.stdout.match(/^Subject: /gm)).toHaveLength(1);
  });

  it("with --notify none lists the changes and says that nothing was sent", async () => {
    // Act
    const run = await runCli([...PAYMENTS, "--store", `dynalite:${storeDir()}`, "--notify", "none"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}NEW +CRITICAL /m);
    expect(run.stdout).toMatch(/Paging is off \(--notify none\)/);
    expect(run.stdout).not.toMatch(/^Subject: /m);
  });

  it("says in one line when another process holds the store", async () => {
    // Prepare
    const dir = storeDir();
    const held = await openFindingsStore({ kind: "dynalite", dir }, { create: true });

    // Act
    const run = await runCli([...PAYMENTS, "--store", `dynalite:${dir}`]).finally(() => held.close());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/--store dynalite:.*: in use by another eks-audit process/);
  });
});

describe("Command: eks-audit scan --store dynamodb:TABLE", () => {
  it("reconciles into an existing table through the caller's DynamoDB endpoint, and names a missing one", async () => {
    // Prepare: DynamoDB is dynalite here, reached through the SDK's own endpoint setting
    const dynamo = await startDynalite();
    const table = await dynamo.createTable();
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIA111122223333TEST");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local");
    vi.stubEnv("AWS_REGION", "eu-west-1");

    try {
      // Act
      const first = await runCli([...PAYMENTS, "--store", `dynamodb:${table}`, "--changes-only"]);
      const again = await runCli([...PAYMENTS, "--store", `dynamodb:${table}`, "--changes-only"]);
      const missing = await runCli([...PAYMENTS, "--store", "dynamodb:no-such-table"]);

      // Assess
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(
        new RegExp(
          `^Changes: \\d+ NEW in 1 account-region \\(store dynamodb:${table} \\(eu-west-1\\)\\)`,
          "m",
        ),
      );
      expect(again.stdout).toMatch(/^No changes since the last scan/m);
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim().split("\n")).toHaveLength(1);
      expect(missing.stderr).toMatch(/--store dynamodb:no-such-table: no table "no-such-table" in eu-west-1/);
    } finally {
      await dynamo.stop();
    }
  });
});
