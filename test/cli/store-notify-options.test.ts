import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { notifyOption, ruleOption, storeOption } from "#shared/cli/common/options.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

const TOPIC = "arn:aws:sns:eu-west-1:111122223333:eks-auditor-alerts";

describe("Function: storeOption", () => {
  it.each([
    ["none", { kind: "none" }],
    ["dynalite:.eks-audit", { kind: "dynalite", dir: ".eks-audit" }],
    ["dynalite:/tmp/a b", { kind: "dynalite", dir: "/tmp/a b" }],
    ["dynamodb:eks-auditor-findings", { kind: "dynamodb", table: "eks-auditor-findings" }],
    [
      "dynamodb:arn:aws:dynamodb:eu-west-1:111122223333:table/Findings",
      { kind: "dynamodb", table: "Findings", region: "eu-west-1" },
    ],
  ])("parses %s", (input, expected) => {
    expect(storeOption(input)).toEqual(expected);
  });

  it.each(["", "sqlite:x", "dynalite:", "dynamodb:", "dynamodb:ab", "dynamodb:bad/name", "DYNALITE:x"])(
    "rejects %j with the forms it accepts",
    (input) => {
      expect(() => storeOption(input)).toThrow(InvalidArgumentError);
      expect(() => storeOption(input)).toThrow(/expected dynalite:DIR, dynamodb:TABLE or none/);
    },
  );
});

describe("Function: notifyOption", () => {
  it("parses stdout, none and a standard topic ARN (region and account from the ARN)", () => {
    expect(notifyOption("stdout")).toEqual({ kind: "stdout" });
    expect(notifyOption("none")).toEqual({ kind: "none" });
    expect(notifyOption(`sns:${TOPIC}`)).toEqual({
      kind: "sns",
      topicArn: TOPIC,
      region: "eu-west-1",
      accountId: "111122223333",
    });
    expect(notifyOption("sns:arn:aws-us-gov:sns:us-gov-west-1:111122223333:alerts")).toMatchObject({
      region: "us-gov-west-1",
    });
  });

  it.each([
    ["email", /expected stdout, sns:TOPIC_ARN or none/],
    ["sns:", /is not an SNS topic ARN/],
    ["sns:eks-auditor-alerts", /is not an SNS topic ARN/],
    ["sns:arn:aws:sns:eu-west-1:1111:alerts", /is not an SNS topic ARN/],
    ["sns:arn:aws:sqs:eu-west-1:111122223333:alerts", /is not an SNS topic ARN/],
    ["sns:arn:aws:sns:eu-west-1:111122223333:alerts.fifo", /FIFO topics cannot deliver email/],
  ])("rejects %j", (input, message) => {
    expect(() => notifyOption(input)).toThrow(message);
  });
});

describe("Function: ruleOption", () => {
  it("accepts catalog rule ids only, and names the families on error", () => {
    expect(ruleOption("ip.subnet-exhausted")).toBe("ip.subnet-exhausted");
    expect(() => ruleOption("subnet-exhausted")).toThrow(
      /rule families are elb\.\*, ip\.\*, sg\.\*, node\.\*, scan\.\*/,
    );
    expect(() => ruleOption("ip.exhausted")).toThrow(
      /ip\.\* is: ip\.subnet-exhausted, ip\.subnet-nearly-full/,
    );
  });
});

describe("Command: eks-audit scan, --store and --notify errors", () => {
  it.each([
    [["--store", "sqlite:findings.db"], /--store.*expected dynalite:DIR, dynamodb:TABLE or none/],
    [["--store", "dynalite:"], /--store.*expected dynalite:DIR, dynamodb:TABLE or none/],
    [["--notify", "email"], /--notify.*expected stdout, sns:TOPIC_ARN or none/],
    [["--notify", "sns:not-an-arn"], /--notify.*"not-an-arn" is not an SNS topic ARN/],
    [["--notify", `sns:${TOPIC}.fifo`], /--notify.*FIFO topics/],
    [["--store", "none", "--notify", `sns:${TOPIC}`], /--notify: alerts are about changes/],
    [["--store", "none", "--changes-only"], /--changes-only: changes come from the store/],
    [["--alert-severity", "loud"], /--alert-severity.*unknown severity "loud"/],
  ])("exits 1 with one line naming the flag for %j", async (args, message) => {
    // Act
    const run = await runCli(["scan", "--estate", SAMPLE_ESTATE, ...args]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it("documents the store, the alerts and the JSON contract in --help", async () => {
    // Act
    const run = await runCli(["scan", "--help"]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--store <spec>[\s\S]*\(default:\s+dynalite:\.eks-audit\)/);
    expect(run.stdout).toMatch(/--notify <target>/);
    expect(run.stdout).toMatch(/stdout carries exactly one JSON array of findings/);
    expect(run.stdout).toMatch(/changes and the alerts go to stderr/);
  });
});
