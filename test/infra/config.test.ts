import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { buildApp } from "#infra/app.ts";
import { DEFAULT_SETTINGS, readSettings, scheduleProblem } from "#infra/config.ts";

function settings(context: Record<string, unknown>) {
  return readSettings((key) => context[key], Object.keys(context));
}

describe("Function: readSettings", () => {
  it("provides defaults that need no organisation-specific value", () => {
    // Act
    const s = settings({});

    // Assess
    expect(s).toEqual(DEFAULT_SETTINGS);
    expect(s).toMatchObject({
      schedule: "cron(15 6 * * ? *)",
      regions: "all",
      memberRoleName: "EksAuditorReadRole",
    });
    expect(s.organizationId).toBeUndefined();
  });

  it("agrees with the defaults spelled out in cdk.json", () => {
    // Prepare
    const cdkJson = JSON.parse(readFileSync(new URL("../../cdk.json", import.meta.url), "utf8")) as {
      context: Record<string, unknown>;
    };

    // Act
    const s = settings(cdkJson.context);

    // Assess
    expect(s).toEqual(DEFAULT_SETTINGS);
  });

  it("reads lists from cdk.json arrays and from -c comma-separated strings, numbers from strings", () => {
    // Act
    const s = settings({
      "eksAuditor.regions": "eu-west-1, us-east-1",
      "eksAuditor.excludedAccounts": ["111122223333"],
      "eksAuditor.scannerConcurrency": "10",
      "eksAuditor.alertSeverity": "medium",
      "eksAuditor.skipBundling": "true",
      "eksAuditor.orgRootId": "r-ab12",
      "eksAuditor.opsEmail": "sre@example.com",
      "eksAuditor.customerManagedKey": "true",
      "eksAuditor.scannerBatchSize": "1",
    });

    // Assess
    expect(s).toMatchObject({
      opsEmail: "sre@example.com",
      customerManagedKey: true,
      scannerBatchSize: 1,
      regions: ["eu-west-1", "us-east-1"],
      excludedAccounts: ["111122223333"],
      scannerConcurrency: 10,
      alertSeverity: "MEDIUM",
      skipBundling: true,
      orgRootId: "r-ab12",
    });
  });

  it.each([
    [
      "eksAuditor.schedule",
      "cron(99 * * * ? *)",
      /"eksAuditor.schedule": "cron\(99 \* \* \* \? \*\)" is not a valid EventBridge Scheduler cron expression \(minutes must be 0-59/,
    ],
    ["eksAuditor.schedule", "cron(0 6 * * *)", /"eksAuditor.schedule".*takes 6/],
    [
      "eksAuditor.schedule",
      "cron(0 6 * * MON *)",
      /"eksAuditor.schedule".*exactly one of day-of-month and day-of-week must be \?/,
    ],
    ["eksAuditor.schedule", "rate(1 hours)", /"eksAuditor.schedule".*rate expression.*rate\(1 hour\)/],
    ["eksAuditor.schedule", "every day", /"eksAuditor.schedule"/],
    ["eksAuditor.regions", "eu-west-1,mars-east-1", /"eksAuditor.regions".*unknown AWS region "mars-east-1"/],
    ["eksAuditor.stackSetRegions", ["eu-westt-1"], /"eksAuditor.stackSetRegions".*unknown AWS region/],
    [
      "eksAuditor.stackSetRegions",
      ["us-east-1", "eu-west-1"],
      /"eksAuditor.stackSetRegions": \["us-east-1","eu-west-1"\] must name exactly one region: the StackSet creates named IAM roles/,
    ],
    ["eksAuditor.stackSetRegions", "us-east-1,eu-west-1", /"eksAuditor.stackSetRegions".*exactly one region/],
    [
      "eksAuditor.schedule",
      "cron(0 6 ? * MON *)",
      /"eksAuditor.schedule": "cron\(0 6 \? \* MON \*\)" runs up to 168.0 hours apart: the heartbeat alarm .* CloudWatch evaluates at most 7 days/,
    ],
    [
      "eksAuditor.schedule",
      "cron(0 0 29 2 ? *)",
      /"eksAuditor.schedule".*fires fewer than twice in three years/,
    ],
    ["eksAuditor.opsEmail", "sre", /"eksAuditor.opsEmail": "sre" is not an email address/],
    [
      "eksAuditor.regionsRoleName",
      "EksAuditorReadRole",
      /"eksAuditor.regionsRoleName".*must differ from "eksAuditor.memberRoleName"/,
    ],
    ["eksAuditor.scannerBatchSize", 11, /"eksAuditor.scannerBatchSize": 11 must be an integer from 1 to 10/],
    ["eksAuditor.customerManagedKey", "yes", /"eksAuditor.customerManagedKey": "yes" must be true or false/],
    ["eksAuditor.accounts", "12345", /"eksAuditor.accounts": "12345" is not a 12-digit account id/],
    [
      "eksAuditor.excludedAccounts",
      ["111122223333", "abc"],
      /"eksAuditor.excludedAccounts".*bad value "abc"/,
    ],
    [
      "eksAuditor.organizationalUnitIds",
      "ou-bad",
      /"eksAuditor.organizationalUnitIds": "ou-bad" is not an OU id/,
    ],
    ["eksAuditor.orgRootId", "root", /"eksAuditor.orgRootId"/],
    [
      "eksAuditor.organizationId",
      "o-short",
      /"eksAuditor.organizationId": "o-short" is not an organisation id/,
    ],
    ["eksAuditor.centralAccountId", "99998888777", /"eksAuditor.centralAccountId"/],
    ["eksAuditor.alertSeverity", "URGENT", /"eksAuditor.alertSeverity": "URGENT" is not a severity/],
    ["eksAuditor.emailSeverity", "SEVERE", /"eksAuditor.emailSeverity"/],
    ["eksAuditor.alertEmail", "oncall", /"eksAuditor.alertEmail": "oncall" is not an email address/],
    [
      "eksAuditor.scannerConcurrency",
      1,
      /"eksAuditor.scannerConcurrency": 1 must be an integer from 2 to 1000/,
    ],
    [
      "eksAuditor.logRetentionDays",
      42,
      /"eksAuditor.logRetentionDays": 42 is not a CloudWatch Logs retention/,
    ],
    ["eksAuditor.memberRoleName", "bad role", /"eksAuditor.memberRoleName"/],
    ["eksAuditor.orgRoleArn", "EksAuditorOrganizationsRead", /"eksAuditor.orgRoleArn".*not an IAM role ARN/],
    ["eksAuditor.stackSetCallAs", "ADMIN", /"eksAuditor.stackSetCallAs".*SELF or DELEGATED_ADMIN/],
    ["eksAuditor.scheduleTimeZone", "Mars/Olympus", /"eksAuditor.scheduleTimeZone"/],
    ["eksAuditor.region", "eu-west-1", /"eksAuditor.region" is not a setting of eks-auditor/],
  ])("rejects %s = %j, naming the key", (key, value, message) => {
    // Act
    const read = () => settings({ [key]: value });

    // Assess
    expect(read).toThrow(message);
  });

  it("reads the team tag keys from a cdk.json list or a -c string, and names the key of a bad one", () => {
    expect(settings({ "eksAuditor.teamTagKeys": ["squad", "owner"] }).teamTagKeys).toEqual([
      "squad",
      "owner",
    ]);
    expect(settings({ "eksAuditor.teamTagKeys": "cost-center, team" }).teamTagKeys).toEqual([
      "cost-center",
      "team",
    ]);
    expect(() => settings({ "eksAuditor.teamTagKeys": ["k".repeat(129)] })).toThrow(
      /^cdk\.json context "eksAuditor\.teamTagKeys": \["k+"\] "k{40}…" is not a tag key/,
    );
  });

  it("fails the synth of the app with the key named", () => {
    // Prepare
    const app = new App({ context: { "eksAuditor.schedule": "cron(99 * * * ? *)" } });

    // Act
    const build = () => buildApp(app);

    // Assess
    expect(build).toThrow(
      'cdk.json context "eksAuditor.schedule": "cron(99 * * * ? *)" is not a valid EventBridge Scheduler cron expression',
    );
  });
});

describe("Function: buildApp", () => {
  it("fails the synth on a cdk-nag AwsSolutions violation nobody acknowledged", () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), "eks-auditor-nag-"));
    const app = new App({ outdir, context: { "eksAuditor.skipBundling": true } });
    buildApp(app);
    new Queue(new Stack(app, "Unacknowledged"), "PlainQueue");

    // Act
    const synth = () => app.synth();

    // Assess
    try {
      expect(synth).toThrow();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("Function: scheduleProblem", () => {
  it.each([
    "cron(15 6 * * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0 8 ? * MON-FRI *)",
    "cron(30 2 L * ? 2026-2030)",
    "cron(0 9 ? * 2#1 *)",
    "cron(0 12 15W JAN,JUL ? *)",
    "rate(1 day)",
    "rate(30 minutes)",
  ])("accepts %s", (expression) => {
    expect(scheduleProblem(expression)).toBeUndefined();
  });

  it.each([
    "cron(60 * * * ? *)",
    "cron(0 24 * * ? *)",
    "cron(0 6 32 * ? *)",
    "cron(0 6 ? 13 * *)",
    "cron(0 6 ? * 8 *)",
    "cron(0 6 * * * *)",
    "cron(0 6 ? * ? *)",
    "cron(0 6 * * ? 1969)",
    "cron(0/0 * * * ? *)",
    "rate(0 minutes)",
    "rate(5 minute)",
    "rate(5 weeks)",
    "at(2026-11-25T06:15:00)",
  ])("rejects %s", (expression) => {
    expect(scheduleProblem(expression)).toEqual(expect.any(String));
  });
});
