import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "#functions/commons/config.ts";
import { deployedSuppressions } from "#functions/scanner/suppressions.ts";
import { loadEstateFile } from "#shared/estate/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { FindingsStore } from "#shared/store/index.ts";
import { compileSuppressions } from "#shared/suppress/compiled.ts";
import { parseSuppressions } from "#shared/suppress/parse.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import {
  captureOutput,
  lambdaContext,
  SAMPLE_ESTATE,
  setEnv,
  simulatorEnv,
  sqsEvent,
  sqsRecord,
  TOPIC_ARN,
} from "#test/functions/support.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";

type ScannerModule = typeof import("#functions/scanner/handler.ts");

/** The sample's deliberate foreign tag (edge-use1, 111122223333, us-east-1; the cluster is tagged team=edge). */
const SUBNET = "subnet-02cae6ab2b85733f3";
const YAML = `suppressions:
  - rule: elb.foreign-cluster-tag
    resource: ${SUBNET}
    tags: [team=edge]
    reason: edge-use1 and tools-use1 share this subnet on purpose (CHG-42)
`;

let dir: string;
let sim: Simulator;
let dynamo: LocalDynamo;
let store: FindingsStore;
let scanner: ScannerModule;
let restoreEnv: () => void;

beforeAll(async () => {
  // Prepare: what `cdk synth` writes beside the handler, from eksAuditor.suppressionsFile
  dir = mkdtempSync(join(tmpdir(), "eks-auditor-scanner-suppress-"));
  writeFileSync(
    join(dir, "suppressions.json"),
    compileSuppressions(parseSuppressions(YAML, "suppressions.yaml")),
  );
  [sim, dynamo] = await Promise.all([
    loadEstateFile(SAMPLE_ESTATE).then((estate) => startSimulator({ estate })),
    startDynalite(),
  ]);
  const tableName = await dynamo.createTable();
  store = new FindingsStore(dynamo.doc, tableName);
  restoreEnv = setEnv({
    ...simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }),
    TABLE_NAME: tableName,
    TOPIC_ARN,
    ALERT_MIN_SEVERITY: "HIGH",
    // Lambda runs in /var/task beside index.mjs; here the task root is the temporary directory.
    LAMBDA_TASK_ROOT: dir,
    SUPPRESSIONS_FILE: "suppressions.json",
  });
  scanner = await import("#functions/scanner/handler.ts");
});

afterAll(async () => {
  restoreEnv();
  await Promise.all([sim.close(), dynamo.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("Function: scanner, with the deployment's suppressions file", () => {
  it("stores the accepted risk SUPPRESSED and leaves it out of the page", async () => {
    // Prepare
    const task: ScanTask = {
      runId: "20261125T061500Z-5ca1ab1e",
      scheduledAt: "2026-11-25T06:15:00.000Z",
      accountId: "111122223333",
      region: "us-east-1",
    };

    // Act
    const { result: response, lines } = await captureOutput(() =>
      scanner.handler(sqsEvent([sqsRecord(JSON.stringify(task))]), lambdaContext("eks-auditor-scanner")),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(lines.find((l) => l.message === "Scope scanned")).toMatchObject({ suppressed: 1 });
    const suppressed = await store.reader.queryFindings({ status: "suppressed" });
    expect(suppressed.map((f) => [f.ruleId, f.resourceId, f.suppression?.reason])).toEqual([
      ["elb.foreign-cluster-tag", SUBNET, "edge-use1 and tools-use1 share this subnet on purpose (CHG-42)"],
    ]);
    // The look-alike tag on the other subnet is not covered: it stays open and pages.
    const open = await store.reader.queryFindings({ status: "open", ruleId: "elb.foreign-cluster-tag" });
    expect(open.map((f) => f.resourceId)).toEqual(["subnet-03895f3ecf7481509"]);
    const messages = sim.published.filter((m) => m.messageAttributes.region?.StringValue === "us-east-1");
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.some((m) => m.message.includes("subnet-03895f3ecf7481509"))).toBe(true);
    expect(messages.some((m) => m.message.includes(SUBNET))).toBe(false);
  });
});

describe("Function: deployedSuppressions", () => {
  it("fails the init naming the variable when the file is missing or is not a compiled file", () => {
    // Prepare
    writeFileSync(join(dir, "raw.yaml"), YAML);

    // Act / Assess
    expect(deployedSuppressions(undefined, dir)).toBeUndefined();
    expect(() => deployedSuppressions("missing.json", dir)).toThrow(ConfigError);
    expect(() => deployedSuppressions("missing.json", dir)).toThrow(
      /^SUPPRESSIONS_FILE=missing.json: cannot read/,
    );
    expect(() => deployedSuppressions("raw.yaml", dir)).toThrow(/SUPPRESSIONS_FILE=raw.yaml: .*not JSON/);
    expect(deployedSuppressions("suppressions.json", dir)?.set.entries).toHaveLength(1);
  });
});
