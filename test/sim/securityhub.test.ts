import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { MANAGEMENT, MANAGEMENT_KEY, MEMBER, REGION, sampleEstate } from "./fixtures.ts";

const PRODUCT = `arn:aws:securityhub:${REGION}:${MANAGEMENT}:product/${MANAGEMENT}/default`;

let sim: Simulator;

function client(options: { attempts?: number; standard?: boolean; region?: string } = {}): SecurityHubClient {
  return new SecurityHubClient({
    region: options.region ?? REGION,
    endpoint: sim.url,
    credentials: { accessKeyId: MANAGEMENT_KEY, secretAccessKey: "x" },
    ...(options.standard
      ? { maxAttempts: options.attempts ?? 3 }
      : { retryStrategy: new ConfiguredRetryStrategy(options.attempts ?? 1, 0) }),
  });
}

/** A finding with every required attribute, as the ASFF reference lists them. */
function finding(overrides: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: "2018-10-08",
    Id: "eks-auditor/222233334444/eu-west-1/payments/sg.ssh-open-to-world/ledger",
    ProductArn: PRODUCT,
    GeneratorId: "sg.ssh-open-to-world",
    AwsAccountId: MANAGEMENT,
    Types: ["Software and Configuration Checks/AWS Security Best Practices/Network Reachability"],
    CreatedAt: "2026-11-25T06:15:00.000Z",
    UpdatedAt: "2026-11-25T06:15:00.000Z",
    Severity: { Label: "CRITICAL", Original: "CRITICAL" },
    Title: "Node group ledger accepts SSH from 0.0.0.0/0",
    Description: "Port 22 is open to the world on every node of ledger.",
    Resources: [{ Type: "AwsEksCluster", Id: `arn:aws:eks:eu-west-1:${MEMBER}:cluster/payments` }],
    RecordState: "ACTIVE",
    Compliance: { Status: "FAILED" },
    Workflow: { Status: "NEW" },
    ...overrides,
  };
}

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  sim = await startSimulator({ estate: parseEstate(sampleEstate()) });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.setEstate(parseEstate(sampleEstate()));
  sim.securityHub.clear();
});

describe("Class: Simulator (Security Hub BatchImportFindings)", () => {
  it("records the findings it receives over POST /findings/import and holds them by product ARN and Id", async () => {
    // Prepare
    const hub = client();

    // Act
    const out = await hub.send(
      new BatchImportFindingsCommand({ Findings: [finding(), finding({ Id: "b" })] }),
    );
    hub.destroy();

    // Assess
    expect(out).toMatchObject({ SuccessCount: 2, FailedCount: 0, FailedFindings: [] });
    expect(sim.securityHub.imports).toHaveLength(1);
    expect(sim.securityHub.imports[0]).toMatchObject({ accountId: MANAGEMENT, region: REGION });
    expect(sim.securityHub.received().map((f) => f.Id)).toEqual([finding().Id, "b"]);
    expect(sim.securityHub.received()[0]).toEqual(finding());
    expect(sim.securityHub.findings.get(`${PRODUCT}|b`)?.Title).toBe(finding().Title);
    expect(sim.calls.all().map((c) => `${c.service}.${c.operation}`)).toContain(
      "securityhub.BatchImportFindings",
    );
  });

  it.each<[string, Partial<AwsSecurityFinding>, string]>([
    ["no Title", { Title: undefined }, "data.Title is required"],
    ["a Title over 256 characters", { Title: "x".repeat(257) }, "data.Title must be 1 to 256"],
    [
      "a Description over 1024 characters",
      { Description: "d".repeat(1025) },
      "data.Description must be 1 to 1024",
    ],
    ["no Resources", { Resources: [] }, "data.Resources must hold 1 to 32"],
    ["a wrong SchemaVersion", { SchemaVersion: "2020-01-01" }, "data.SchemaVersion"],
    ["no Severity", { Severity: undefined }, "data.Severity is required"],
    ["an unknown Severity.Label", { Severity: { Label: "SEVERE" as "HIGH" } }, "data.Severity.Label"],
    ["no Types", { Types: undefined }, "data.Types must hold"],
    [
      "a type outside the namespaces",
      { Types: ["Misconfiguration/EKS"] },
      "data.Types must start with a namespace",
    ],
    ["a date that is not ISO 8601", { UpdatedAt: "25/11/2026" }, "data.UpdatedAt must be an ISO 8601"],
    ["no GeneratorId", { GeneratorId: undefined }, "data.GeneratorId is required"],
    [
      "a remediation text over 512 characters",
      { Remediation: { Recommendation: { Text: "r".repeat(513) } } },
      "data.Remediation.Recommendation.Text",
    ],
    ["an unknown RecordState", { RecordState: "DELETED" as "ACTIVE" }, "data.RecordState"],
  ])(
    "returns a finding with %s in FailedFindings (InvalidInput) and keeps the valid ones",
    async (_, bad, message) => {
      // Prepare
      const hub = client();

      // Act
      const out = await hub.send(
        new BatchImportFindingsCommand({
          Findings: [finding({ Id: "bad", ...bad }), finding({ Id: "good" })],
        }),
      );
      hub.destroy();

      // Assess
      expect(out.SuccessCount).toBe(1);
      expect(out.FailedFindings).toEqual([
        { Id: "bad", ErrorCode: "InvalidInput", ErrorMessage: expect.stringContaining(message) },
      ]);
      expect([...sim.securityHub.findings.keys()]).toEqual([`${PRODUCT}|good`]);
    },
  );

  it("refuses a finding of another account, or another product ARN, with AccessDeniedException", async () => {
    // Prepare
    const hub = client();

    // Act
    const otherAccount = await errorOf(
      hub.send(new BatchImportFindingsCommand({ Findings: [finding({ AwsAccountId: MEMBER })] })),
    );
    const otherRegion = await errorOf(
      hub.send(
        new BatchImportFindingsCommand({
          Findings: [finding({ ProductArn: PRODUCT.replace(REGION, "us-east-1") })],
        }),
      ),
    );
    hub.destroy();

    // Assess
    for (const err of [otherAccount, otherRegion]) {
      expect(err.name).toBe("AccessDeniedException");
      expect(err.$metadata?.httpStatusCode).toBe(403);
      expect(err.message).toContain("securityhub:BatchImportFindings");
    }
    expect(sim.securityHub.imports).toEqual([]);
  });

  it("refuses more than 100 findings in one call with InvalidInputException", async () => {
    // Prepare
    const hub = client();
    const findings = Array.from({ length: 101 }, (_, i) => finding({ Id: `f-${i}` }));

    // Act
    const err = await errorOf(hub.send(new BatchImportFindingsCommand({ Findings: findings })));
    hub.destroy();

    // Assess
    expect(err.name).toBe("InvalidInputException");
    expect(err.message).toContain("between 1 and 100");
  });

  it("ignores an update whose UpdatedAt is not later, and reopens the workflow of an archived finding", async () => {
    // Prepare
    const hub = client();
    const send = (f: AwsSecurityFinding) => hub.send(new BatchImportFindingsCommand({ Findings: [f] }));
    await send(finding());
    const key = `${PRODUCT}|${finding().Id}`;

    // Act
    await send(finding({ Title: "same time, other title" }));
    const afterSameTime = sim.securityHub.findings.get(key)?.Title;
    await send(
      finding({
        UpdatedAt: "2026-11-26T06:15:00.000Z",
        RecordState: "ARCHIVED",
        Compliance: { Status: "PASSED" },
        Workflow: { Status: "RESOLVED" },
      }),
    );
    const archivedWorkflow = sim.securityHub.findings.get(key)?.Workflow?.Status;
    // A customer resolved it in the console meanwhile (BatchUpdateFindings, not simulated here).
    const held = sim.securityHub.findings.get(key);
    if (held) sim.securityHub.findings.set(key, { ...held, Workflow: { Status: "RESOLVED" } });
    await send(finding({ UpdatedAt: "2026-11-27T06:15:00.000Z", Workflow: { Status: "SUPPRESSED" } }));
    hub.destroy();

    // Assess
    expect(afterSameTime).toBe(finding().Title);
    expect(archivedWorkflow).toBe("NEW"); // Workflow is not taken from an update
    expect(sim.securityHub.findings.get(key)).toMatchObject({
      RecordState: "ACTIVE",
      Workflow: { Status: "NEW" },
    });
    expect(sim.securityHub.imports.map((c) => c.outcomes[0])).toEqual([
      "created",
      "ignored",
      "updated",
      "updated",
    ]);
  });

  it("throttles with TooManyRequestsException (429), which the SDK's standard retries get through", async () => {
    // Prepare
    sim.setEstate(
      parseEstate({ ...sampleEstate(), faults: { throttle: { bucket: 1, refillPerSecond: 4 } } }),
    );
    const once = client();
    const retrying = client({ standard: true, attempts: 5 });

    // Act
    await once.send(new BatchImportFindingsCommand({ Findings: [finding({ Id: "a" })] }));
    const throttled = await errorOf(
      once.send(new BatchImportFindingsCommand({ Findings: [finding({ Id: "b" })] })),
    );
    const retried = await retrying.send(new BatchImportFindingsCommand({ Findings: [finding({ Id: "c" })] }));
    once.destroy();
    retrying.destroy();

    // Assess
    expect(throttled.name).toBe("TooManyRequestsException");
    expect(throttled.$metadata?.httpStatusCode).toBe(429);
    expect(retried.SuccessCount).toBe(1);
    expect(sim.calls.throttled()).toBeGreaterThanOrEqual(2);
  });

  it("answers an injected 5xx, and rejects the next findings on request (FailedFindings)", async () => {
    // Prepare
    sim.setEstate(parseEstate({ ...sampleEstate(), faults: { serverErrorRate: 1 } }));
    const hub = client();
    const failed = await errorOf(hub.send(new BatchImportFindingsCommand({ Findings: [finding()] })));
    sim.setEstate(parseEstate(sampleEstate()));
    sim.securityHub.rejectNext(1, "LimitExceeded", "Too many findings");

    // Act
    const out = await hub.send(
      new BatchImportFindingsCommand({ Findings: [finding({ Id: "x" }), finding({ Id: "y" })] }),
    );
    hub.destroy();

    // Assess
    expect(failed.$metadata?.httpStatusCode).toBeGreaterThanOrEqual(500);
    expect(out.FailedFindings).toEqual([
      { Id: "x", ErrorCode: "LimitExceeded", ErrorMessage: "Too many findings" },
    ]);
    expect(out.SuccessCount).toBe(1);
  });
});

describe("Class: Simulator (Security Hub BatchUpdateFindings)", () => {
  const note = { Text: "eks-auditor: accepted risk: kept on purpose", UpdatedBy: "eks-auditor" };

  it("sets Workflow and Note of imported findings over PATCH /findings/batchupdate, leaving UpdatedAt as it was", async () => {
    // Prepare
    const hub = client();
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding(), finding({ Id: "b" })] }));

    // Act
    const out = await hub.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [{ Id: finding().Id, ProductArn: PRODUCT }],
        Workflow: { Status: "SUPPRESSED" },
        Note: note,
      }),
    );
    hub.destroy();

    // Assess
    expect(out.ProcessedFindings).toEqual([{ Id: finding().Id, ProductArn: PRODUCT }]);
    expect(out.UnprocessedFindings).toEqual([]);
    expect(sim.calls.byOperation().BatchUpdateFindings).toBe(1);
    expect(sim.securityHub.findings.get(`${PRODUCT}|${finding().Id}`)).toMatchObject({
      Workflow: { Status: "SUPPRESSED" },
      Note: { ...note, UpdatedAt: expect.any(String) },
      UpdatedAt: finding().UpdatedAt,
    });
    expect(sim.securityHub.workflowOf(PRODUCT, "b")).toBe("NEW");
    expect(sim.securityHub.updates).toMatchObject([{ accountId: MANAGEMENT, workflow: "SUPPRESSED", note }]);
  });

  it("keeps a SUPPRESSED workflow when an import reopens the finding (only NOTIFIED and RESOLVED go back to NEW)", async () => {
    // Prepare
    const hub = client();
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding(), finding({ Id: "b" })] }));
    await hub.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [{ Id: finding().Id, ProductArn: PRODUCT }],
        Workflow: { Status: "SUPPRESSED" },
      }),
    );
    await hub.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [{ Id: "b", ProductArn: PRODUCT }],
        Workflow: { Status: "RESOLVED" },
      }),
    );
    const archived = { RecordState: "ARCHIVED" as const, UpdatedAt: "2026-11-25T07:00:00.000Z" };
    const active = { RecordState: "ACTIVE" as const, UpdatedAt: "2026-11-25T08:00:00.000Z" };

    // Act
    await hub.send(
      new BatchImportFindingsCommand({ Findings: [finding(archived), finding({ Id: "b", ...archived })] }),
    );
    await hub.send(
      new BatchImportFindingsCommand({ Findings: [finding(active), finding({ Id: "b", ...active })] }),
    );
    hub.destroy();

    // Assess
    expect(sim.securityHub.workflowOf(PRODUCT, finding().Id ?? "")).toBe("SUPPRESSED");
    expect(sim.securityHub.workflowOf(PRODUCT, "b")).toBe("NEW");
  });

  it("answers FindingNotFound, DuplicatedFindingIdentifier and injected rejections in UnprocessedFindings", async () => {
    // Prepare: a finding of another account's product is not the caller's to update
    const hub = client();
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding(), finding({ Id: "b" })] }));
    sim.securityHub.rejectNextUpdates(1, "ConcurrentUpdateError", "Concurrent finding updates detected");

    // Act
    const out = await hub.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [
          { Id: "b", ProductArn: PRODUCT },
          { Id: finding().Id, ProductArn: PRODUCT },
          { Id: finding().Id, ProductArn: PRODUCT },
          { Id: "never-imported", ProductArn: PRODUCT },
        ],
        Workflow: { Status: "SUPPRESSED" },
      }),
    );
    hub.destroy();

    // Assess
    expect(out.ProcessedFindings).toEqual([{ Id: finding().Id, ProductArn: PRODUCT }]);
    expect(out.UnprocessedFindings?.map((u) => [u.FindingIdentifier?.Id, u.ErrorCode])).toEqual([
      ["b", "ConcurrentUpdateError"],
      [finding().Id, "DuplicatedFindingIdentifier"],
      ["never-imported", "FindingNotFound"],
    ]);
    expect(sim.securityHub.workflowOf(PRODUCT, "b")).toBe("NEW");
  });

  it("refuses a bad Workflow.Status, a Note over 512 characters and more than 100 identifiers with InvalidInputException", async () => {
    // Prepare
    const hub = client();
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding()] }));
    const one = [{ Id: finding().Id, ProductArn: PRODUCT }];

    // Act
    const errors = await Promise.all([
      errorOf(
        hub.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: one,
            Workflow: { Status: "IGNORED" as "NEW" },
          }),
        ),
      ),
      errorOf(
        hub.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: one,
            Note: { Text: "x".repeat(513), UpdatedBy: "eks-auditor" },
          }),
        ),
      ),
      errorOf(
        hub.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: one,
            Note: { Text: " ", UpdatedBy: "eks-auditor" },
          }),
        ),
      ),
      errorOf(
        hub.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: Array.from({ length: 101 }, (_, i) => ({
              Id: `f-${i}`,
              ProductArn: PRODUCT,
            })),
            Workflow: { Status: "SUPPRESSED" },
          }),
        ),
      ),
    ]);
    hub.destroy();

    // Assess
    expect(errors.map((e) => e.name)).toEqual([
      "InvalidInputException",
      "InvalidInputException",
      "InvalidInputException",
      "InvalidInputException",
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining("Workflow.Status must be one of NEW, NOTIFIED, RESOLVED, SUPPRESSED"),
      expect.stringContaining("Note.Text must be at most 512 characters, got 513"),
      expect.stringContaining("Note.Text must contain a non-blank character"),
      expect.stringContaining("between 1 and 100 identifiers, got 101"),
    ]);
    expect(sim.securityHub.workflowOf(PRODUCT, finding().Id ?? "")).toBe("NEW");
    expect(sim.securityHub.updates).toEqual([]);
  });

  it("throttles with TooManyRequestsException (429) like every other call", async () => {
    // Prepare
    const hub = client();
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding()] }));
    sim.setEstate(
      parseEstate({ ...sampleEstate(), faults: { throttle: { bucket: 1, refillPerSecond: 0.01 } } }),
    );
    const update = () =>
      hub.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [{ Id: finding().Id, ProductArn: PRODUCT }],
          Workflow: { Status: "SUPPRESSED" },
        }),
      );

    // Act
    await update();
    const throttled = await errorOf(update());
    hub.destroy();

    // Assess
    expect(throttled.name).toBe("TooManyRequestsException");
    expect(throttled.$metadata?.httpStatusCode).toBe(429);
  });
});
