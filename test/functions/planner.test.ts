import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import { parseScanTask, type ScanTask } from "#shared/scan/scan-task.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import {
  ACTIVE_ACCOUNTS,
  captureOutput,
  lambdaContext,
  MANAGEMENT_ACCESS_KEY,
  QUEUE_URL,
  SAMPLE_ESTATE,
  setEnv,
} from "./support.ts";

type PlannerModule = typeof import("#functions/planner/handler.ts");

const sqsMock = mockClient(SQSClient);
let sim: Simulator;
let restoreBaseEnv: () => void;
let restoreCaseEnv: (() => void) | undefined;

const SCHEDULER_EVENT = {
  scheduledTime: "2026-11-25T06:15:00Z",
  executionId: "0b5b8d8e-5d1c-4bb7-9d0b-1f0d5f3f2a11",
  scheduleArn: "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/eks-auditor",
};

/** Loads the planner afresh under `env`: its configuration is read once per container, at import. */
async function loadPlanner(env: Record<string, string | undefined>): Promise<PlannerModule> {
  restoreCaseEnv = setEnv(env);
  vi.resetModules();
  return import("#functions/planner/handler.ts");
}

function sentBatches(): SendMessageBatchCommandInput[] {
  return sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
}

function sentTasks(): ScanTask[] {
  return sentBatches().flatMap((batch) =>
    (batch.Entries ?? []).map((e) => parseScanTask(e.MessageBody ?? "")),
  );
}

function scopesOf(tasks: readonly ScanTask[]): string[] {
  return tasks.map((t) => `${t.accountId}/${t.region}`).sort();
}

beforeAll(async () => {
  sim = await startSimulator({ estate: await loadEstateFile(SAMPLE_ESTATE) });
  restoreBaseEnv = setEnv({
    AWS_ACCESS_KEY_ID: MANAGEMENT_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: "simulator",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: "eu-west-1",
    EKS_AUDITOR_ENDPOINT_URL: sim.url,
    QUEUE_URL,
    POWERTOOLS_LOG_LEVEL: "WARN",
  });
});

afterAll(async () => {
  restoreBaseEnv();
  sqsMock.restore();
  await sim.close();
});

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: (input.Entries ?? []).map((e) => ({
      Id: e.Id,
      MessageId: `m-${e.Id}`,
      MD5OfMessageBody: "x",
    })),
    Failed: [],
  }));
  sim.resetCounters();
});

afterEach(() => {
  restoreCaseEnv?.();
  restoreCaseEnv = undefined;
});

describe("Function: planner", () => {
  it("enqueues one task per ACTIVE account × configured region, in batches of at most 10", async () => {
    // Prepare
    const regions = ["eu-west-1", "us-east-1", "ap-south-1"];
    const { handler } = await loadPlanner({ REGIONS: regions.join(",") });

    // Act
    const out = await handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner"));

    // Assess
    const expected = ACTIVE_ACCOUNTS.flatMap((a) => regions.map((r) => `${a}/${r}`)).sort();
    const tasks = sentTasks();
    expect(scopesOf(tasks)).toEqual(expected);
    expect(tasks).toHaveLength(15);
    expect(sentBatches().map((b) => b.Entries?.length)).toEqual([10, 5]);
    expect(sentBatches().every((b) => b.QueueUrl === QUEUE_URL)).toBe(true);
    expect(out).toMatchObject({ tasks: 15, accounts: 5 });
    expect(out.runId).toMatch(/^20261125T061500Z-[0-9a-f]{8}$/);
    for (const t of tasks)
      expect(t).toMatchObject({ runId: out.runId, scheduledAt: "2026-11-25T06:15:00.000Z" });
    expect(tasks.some((t) => t.accountId === "666677778888")).toBe(false);
    expect(sim.calls.count({ operation: "ListAccounts" })).toBeGreaterThanOrEqual(1);
  });

  it("names each account in its tasks as Organizations ListAccounts does", async () => {
    // Prepare
    const { handler } = await loadPlanner({ REGIONS: "eu-west-1" });

    // Act
    await handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner"));

    // Assess: the sample organisation's names
    const names = Object.fromEntries(sentTasks().map((t) => [t.accountId, t.accountName]));
    expect(names).toEqual({
      "111122223333": "platform-prod",
      "222233334444": "payments-prod",
      "333344445555": "data-staging",
      "444455556666": "sandbox",
      "555566667777": "shared-services",
    });
  });

  it("derives the same runId for the same Scheduler invocation", async () => {
    // Prepare
    const { handler } = await loadPlanner({ REGIONS: "eu-west-1" });

    // Act
    const first = await handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner", "request-1"));
    const second = await handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner", "request-2"));

    // Assess
    expect(second.runId).toBe(first.runId);
  });

  it("re-sends exactly the entries SQS reports in Failed", async () => {
    // Prepare
    const { handler } = await loadPlanner({ REGIONS: "eu-west-1,us-east-1" });
    let call = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      call += 1;
      const entries = input.Entries ?? [];
      const failing = call === 1 ? entries.slice(0, 3) : [];
      return {
        Successful: entries
          .filter((e) => !failing.includes(e))
          .map((e) => ({ Id: e.Id, MessageId: "m", MD5OfMessageBody: "x" })),
        Failed: failing.map((e) => ({
          Id: e.Id,
          Code: "InternalError",
          SenderFault: false,
          Message: "try again",
        })),
      };
    });

    // Act
    const out = await handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner"));

    // Assess
    const batches = sentBatches();
    expect(batches.map((b) => b.Entries?.length)).toEqual([10, 3]);
    expect(batches[1]?.Entries).toEqual(batches[0]?.Entries?.slice(0, 3));
    expect(out.tasks).toBe(10);
  });

  it("with REGIONS=all, plans each account's enabled regions and a home-region task for an unreachable account", async () => {
    // Prepare
    const { handler } = await loadPlanner({ REGIONS: "all" });

    // Act
    const { lines } = await captureOutput(() =>
      handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner")),
    );

    // Assess
    expect(scopesOf(sentTasks())).toEqual([
      "111122223333/eu-west-1",
      "111122223333/us-east-1",
      "222233334444/eu-west-1",
      "222233334444/us-east-1",
      "333344445555/eu-west-1",
      "444455556666/eu-west-1",
      "555566667777/eu-west-1",
      "555566667777/us-east-1",
    ]);
    const warning = lines.find(
      (l) => l.message === "Account unreachable: one home-region task carries the error",
    );
    expect(warning).toMatchObject({ level: "WARN", accountId: "444455556666", runId: expect.any(String) });
    // The unreachable account's task carries the planning error, so the scanner records it without retrying
    const unreachable = sentTasks().find((t) => t.accountId === "444455556666");
    expect(unreachable?.planError).toMatchObject({ name: "AccessDenied" });
    expect(unreachable?.planError?.message).toMatch(
      /^EC2 DescribeRegions in account 444455556666 failed: AccessDenied/,
    );
  });

  it("takes a static account list minus the exclusions, without calling Organizations", async () => {
    // Prepare
    const { handler } = await loadPlanner({
      REGIONS: "eu-west-1",
      ACCOUNT_IDS: "222233334444,333344445555,555566667777",
      EXCLUDED_ACCOUNT_IDS: "333344445555",
    });

    // Act
    await handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner"));

    // Assess: a static list has ids only, and no name is made up for them
    expect(scopesOf(sentTasks())).toEqual(["222233334444/eu-west-1", "555566667777/eu-west-1"]);
    expect(sentTasks().every((t) => t.accountName === undefined)).toBe(true);
    expect(sim.calls.count({ operation: "ListAccounts" })).toBe(0);
  });

  it("excludes accounts from the organisation's list", async () => {
    // Prepare
    const { handler } = await loadPlanner({
      REGIONS: "eu-west-1",
      EXCLUDED_ACCOUNT_IDS: "111122223333,444455556666",
    });

    // Act
    await handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner"));

    // Assess
    expect(scopesOf(sentTasks())).toEqual([
      "222233334444/eu-west-1",
      "333344445555/eu-west-1",
      "555566667777/eu-west-1",
    ]);
  });

  it("calls Organizations with credentials from assuming ORG_ROLE_ARN", async () => {
    // Prepare
    const { handler } = await loadPlanner({
      REGIONS: "eu-west-1",
      ORG_ROLE_ARN: "arn:aws:iam::111122223333:role/EksAuditorOrganizationsRead",
    });

    // Act
    await handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner"));

    // Assess
    expect(sentTasks()).toHaveLength(5);
    expect(sim.calls.count({ operation: "AssumeRole", outcome: "ok" })).toBe(1);
  });

  it("fails the run when ORG_ROLE_ARN cannot be assumed, and enqueues nothing", async () => {
    // Prepare
    const { handler } = await loadPlanner({
      REGIONS: "eu-west-1",
      ORG_ROLE_ARN: "arn:aws:iam::444455556666:role/EksAuditorOrganizationsRead",
    });

    // Act
    const run = handler(SCHEDULER_EVENT, lambdaContext("eks-auditor-planner"));

    // Assess
    // One line naming the service, the operation and the account; the cause keeps the AWS error
    await expect(run).rejects.toMatchObject({
      name: "PlanningError",
      message: expect.stringMatching(/^Organizations ListAccounts in account \d{12} failed: AccessDenied/),
      cause: expect.objectContaining({ name: "AccessDenied" }),
    });
    expect(sentBatches()).toEqual([]);
  });

  it("fails its init with an error that names a malformed variable", async () => {
    // Act
    const load = loadPlanner({ REGIONS: "eu-west-1,mars-central", EXCLUDED_ACCOUNT_IDS: "1234" });

    // Assess
    await expect(load).rejects.toThrow(/REGIONS: "mars-central" is not a region name/);
    await expect(load).rejects.toThrow(/EXCLUDED_ACCOUNT_IDS: "1234" is not a 12-digit account id/);
  });
});
