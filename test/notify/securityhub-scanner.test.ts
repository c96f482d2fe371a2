import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { FindingsStore } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE, setEnv, simulatorEnv } from "#test/functions/support.ts";
import { deliver, loadScanner, type ScannerModule, taskRecord, topicArn } from "#test/reliability/support.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";

/** The scanner's own account (the simulator's caller): it imports into its own Security Hub, in its home region. */
const CENTRAL = "111122223333";
const PRODUCT = `arn:aws:securityhub:eu-west-1:${CENTRAL}:product/${CENTRAL}/default`;
const PAYMENTS = { accountId: "222233334444", region: "eu-west-1" };
const EDGE = { accountId: "111122223333", region: "us-east-1" };
const RUNS: Pick<ScanTask, "runId" | "scheduledAt">[] = [1, 2, 3].map((day) => ({
  runId: `2026112${day}T061500Z-5ec0b0b0`,
  scheduledAt: `2026-11-2${day}T06:15:00.000Z`,
}));

let sim: Simulator;
let dynamo: LocalDynamo;
let estate: Estate;
let restoreEnv: () => void;

/** Payments changes: node group batch is deleted (its findings resolve), ledger gets an SSH key (NEW). */
function changedPayments(base: Estate): Estate {
  const changed = structuredClone(base);
  const cluster = changed.accounts[PAYMENTS.accountId]?.regions[PAYMENTS.region]?.eks.clusters[0];
  const ledger = cluster?.nodegroups.find((n) => n.nodegroupName === "ledger");
  if (cluster === undefined || ledger === undefined)
    throw new Error("sample estate changed: no ledger node group");
  cluster.nodegroups = cluster.nodegroups.filter((n) => n.nodegroupName !== "batch");
  ledger.remoteAccess = { ec2SshKey: "payments-ops" };
  return changed;
}

function scanner(table: string, topic: string): Promise<ScannerModule> {
  return loadScanner({
    TABLE_NAME: table,
    TOPIC_ARN: topic,
    ALERT_MIN_SEVERITY: "HIGH",
    SECURITY_HUB_IMPORT: "true",
  });
}

const about = (f: AwsSecurityFinding) =>
  `${f.ProductFields?.["eksAuditor/AccountId"]}/${f.ProductFields?.["eksAuditor/Region"]}`;

beforeAll(async () => {
  estate = { ...(await loadEstateFile(SAMPLE_ESTATE)), faults: {} };
  [sim, dynamo] = await Promise.all([startSimulator({ estate }), startDynalite()]);
  restoreEnv = setEnv(simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }, { logLevel: "WARN" }));
});

afterAll(async () => {
  restoreEnv();
  await Promise.all([sim.close(), dynamo.stop()]);
});

beforeEach(() => {
  sim.setEstate(estate);
  sim.securityHub.clear();
  sim.published.length = 0;
});

describe("Function: scanner with SECURITY_HUB_IMPORT=true", () => {
  it("imports the first run's findings, then the second run's changes only, then nothing; and pages as before", async () => {
    // Prepare
    const table = await dynamo.createTable();
    const topic = topicArn("sechub-three-runs");
    const store = new FindingsStore(dynamo.doc, table);
    const records = (run: (typeof RUNS)[number]) =>
      [PAYMENTS, EDGE].map((scope) => taskRecord({ ...run, ...scope }));

    // Act
    const first = await deliver([await scanner(table, topic)], records(RUNS[0] as (typeof RUNS)[number]));
    const firstImport = sim.securityHub.received();
    const firstPages = sim.published.length;
    sim.setEstate(changedPayments(estate));
    const second = await deliver([await scanner(table, topic)], records(RUNS[1] as (typeof RUNS)[number]));
    const secondImport = sim.securityHub.received().slice(firstImport.length);
    const calls = sim.securityHub.imports.length;
    const third = await deliver([await scanner(table, topic)], records(RUNS[2] as (typeof RUNS)[number]));

    // Assess: run 1 imports every finding of both scopes into the scanner's own account and region
    for (const d of [first, second, third]) expect(d.deadLetters).toEqual([]);
    // Every finding ever stored for the two scopes was imported once when first seen: run 1's, then run 2's NEW.
    const stored = (
      await Promise.all([PAYMENTS, EDGE].map((s) => store.reader.queryFindings({ accountId: s.accountId })))
    )
      .flat()
      .filter((f) => [PAYMENTS, EDGE].some((s) => s.accountId === f.accountId && s.region === f.region));
    const newInRun2 = secondImport.filter((f) => f.ProductFields?.["eksAuditor/Transition"] === "NEW").length;
    expect(firstImport.length).toBeGreaterThan(0);
    expect(new Set(firstImport.map((f) => f.Id)).size).toBe(firstImport.length);
    expect(firstImport.length).toBe(stored.length - newInRun2);
    expect(new Set(firstImport.map(about))).toEqual(
      new Set([PAYMENTS, EDGE].map((s) => `${s.accountId}/${s.region}`)),
    );
    expect(firstImport.every((f) => f.ProductArn === PRODUCT && f.AwsAccountId === CENTRAL)).toBe(true);
    expect(firstImport.every((f) => f.RecordState === "ACTIVE" && f.Workflow?.Status === "NEW")).toBe(true);
    const paymentsResource = firstImport
      .find((f) => about(f) === "222233334444/eu-west-1")
      ?.Resources?.at(-1)?.Id;
    expect(paymentsResource).toMatch(/^arn:aws:eks:eu-west-1:222233334444:cluster\//);
    expect(sim.securityHub.imports.every((c) => c.failed.length === 0)).toBe(true);
    expect(firstPages).toBe(2);

    // Run 2: payments only; the resolved findings archived, the new SSH finding active
    expect(secondImport.length).toBeGreaterThan(0);
    expect(new Set(secondImport.map(about))).toEqual(new Set(["222233334444/eu-west-1"]));
    const resolved = await store.reader.queryFindings({ status: "resolved", accountId: PAYMENTS.accountId });
    expect(secondImport.filter((f) => f.RecordState === "ARCHIVED")).toHaveLength(resolved.length);
    expect(
      secondImport.find(
        (f) =>
          f.GeneratorId === "sg.ssh-open-to-world" && f.ProductFields?.["eksAuditor/ResourceId"] === "ledger",
      ),
    ).toMatchObject({ RecordState: "ACTIVE", Compliance: { Status: "FAILED" } });
    expect(sim.published).toHaveLength(3);

    // Run 3: unchanged, no import call and no page
    expect(sim.securityHub.imports).toHaveLength(calls);
    expect(sim.published).toHaveLength(3);
  });

  it("pages once while Security Hub refuses, and imports once it accepts, without paging again", async () => {
    // Prepare: Security Hub not enabled in the central account (what BatchImportFindings answers then)
    const table = await dynamo.createTable();
    const topic = topicArn("sechub-not-enabled");
    sim.setEstate({
      ...estate,
      faults: {
        failingCalls: [
          { accountId: CENTRAL, operation: "BatchImportFindings", errorCode: "InvalidAccessException" },
        ],
      },
    });
    const record = taskRecord({ ...(RUNS[0] as (typeof RUNS)[number]), ...PAYMENTS });

    // Act
    const refused = await deliver([await scanner(table, topic)], [record], { maxReceives: 3 });
    const pagesWhileRefused = sim.published.length;
    sim.setEstate(estate);
    const accepted = await deliver([await scanner(table, topic)], [record], { maxReceives: 1 });

    // Assess
    expect(refused.deadLetters).toHaveLength(1); // every delivery failed the record: the DLQ alarm's business
    expect(refused.output).toContain("InvalidAccessException");
    expect(pagesWhileRefused).toBe(1);
    expect(accepted.deadLetters).toEqual([]);
    expect(sim.securityHub.accepted().length).toBeGreaterThan(0);
    expect(sim.published).toHaveLength(1);
  });
});
