import { describe, expect, it } from "vitest";
import type { AwsClientFactory } from "#shared/aws/clients.ts";
import { InvalidScanTaskError, parseScanTask, processScanTask } from "#shared/scan/scan-task.ts";

const TASK = {
  runId: "20261205T061500Z-1a2b3c4d",
  accountId: "444455556666",
  region: "us-east-1",
  scheduledAt: "2026-12-05T06:15:00.000Z",
};

describe("Function: parseScanTask", () => {
  it("keeps a planning error the planner attached", () => {
    const planError = { name: "AccessDenied", message: "EC2 DescribeRegions in account 444455556666 failed" };
    expect(parseScanTask(JSON.stringify({ ...TASK, planError }))).toEqual({ ...TASK, planError });
  });

  it("keeps the account name the planner took from Organizations, and needs none", () => {
    expect(parseScanTask(JSON.stringify({ ...TASK, accountName: "payments prod" }))).toEqual({
      ...TASK,
      accountName: "payments prod",
    });
    expect(parseScanTask(JSON.stringify(TASK))).not.toHaveProperty("accountName");
  });

  it.each([
    ["not a string", 42],
    ["blank", "  "],
    ["padded", " prod"],
    ["not ASCII", "pröd"],
    ["a line break", "prod\nSubject: x"],
    ["too long", "p".repeat(129)],
  ])("names the field of an account name that is %s", (_what, accountName) => {
    expect(() => parseScanTask(JSON.stringify({ ...TASK, accountName }))).toThrow(
      /^scan task: accountName must be 1 to 128 printable ASCII characters/,
    );
  });

  it("names the field of a malformed planning error", () => {
    expect(() => parseScanTask(JSON.stringify({ ...TASK, planError: { name: 1 } }))).toThrow(
      InvalidScanTaskError,
    );
    expect(() => parseScanTask(JSON.stringify({ ...TASK, planError: "x" }))).toThrow(/planError/);
  });
});

describe("Function: processScanTask", () => {
  it("records a planned scope's planning error as its coverage finding without calling AWS again", async () => {
    // Prepare: a factory that fails the test if the scan touches AWS
    const touched: string[] = [];
    const factory = {
      homeRegion: "us-east-1",
      roleArn: (id: string) => `arn:aws:iam::${id}:role/EksAuditorReadRole`,
      ec2: async () => {
        touched.push("ec2");
        throw new Error("no AWS call expected");
      },
      eks: async () => {
        touched.push("eks");
        throw new Error("no AWS call expected");
      },
    } as unknown as AwsClientFactory;

    // Act
    const { result } = await processScanTask(
      { ...TASK, planError: { name: "AccessDenied", message: "denied" } },
      { factory },
    );

    // Assess
    expect(touched).toEqual([]);
    expect(result.status).toBe("failed");
    expect(result.findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(["scan.access-denied HIGH"]);
  });

  it("pages a whole account-region that failed for another reason at HIGH (scan.error)", async () => {
    const factory = {
      homeRegion: "us-east-1",
      roleArn: (id: string) => `arn:aws:iam::${id}:role/EksAuditorReadRole`,
    } as unknown as AwsClientFactory;
    const { result } = await processScanTask(
      { ...TASK, planError: { name: "InternalError", message: "EC2 DescribeRegions failed" } },
      { factory },
    );
    expect(result.findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(["scan.error HIGH"]);
    expect(result.findings[0]?.remediation).toContain("--accounts 444455556666 --regions us-east-1");
  });
});
