import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import {
  MANAGEMENT_ACCESS_KEY,
  SAMPLE_ESTATE,
  setEnv,
  simulatorEnv,
  sqsRecord,
} from "#test/functions/support.ts";
import { runCli } from "#test/support/cli.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import {
  deliver,
  type Item,
  isFinding,
  isScope,
  keyOf,
  loadScanner,
  reportFigures,
  scopeOf,
  tableItems,
  taskRecord,
  topicArn,
} from "./support.ts";

/**
 * Guarantee 4 (README "Reliability"): bad input fails where it is, says what is wrong in one place, and
 * loses nothing already stored. Invalid cdk context is covered by test/infra/config.test.ts (every key,
 * and the synth of the app); the parsers' properties are in ./properties.test.ts.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUN = { runId: "20261125T061500Z-bad1bad1", scheduledAt: "2026-11-25T06:15:00.000Z" };
const PAYMENTS = { accountId: "222233334444", region: "eu-west-1" };
const EDGE = { accountId: "111122223333", region: "us-east-1" };
const ETL = { accountId: "333344445555", region: "eu-west-1" };

let dir: string;
let sample: Estate;
let dynamo: LocalDynamo;
const figures: Record<string, number> = {};

/** `value`, or a failed test when the sample estate no longer has it. */
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`sample estate changed: no ${what}`);
  return value;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A copy of the sample estate with one thing broken by `edit` (values of the wrong type via Object.assign). */
function broken(edit: (estate: Estate) => void): string {
  const copy = structuredClone(sample);
  edit(copy);
  return JSON.stringify(copy);
}

function payments(estate: Estate) {
  return must(estate.accounts[PAYMENTS.accountId]?.regions[PAYMENTS.region], "payments scope");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eks-auditor-bad-input-"));
  sample = await loadEstateFile(SAMPLE_ESTATE);
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.stop();
  rmSync(dir, { recursive: true, force: true });
  reportFigures("bad input", figures);
});

describe("Reliability: bad input on the command line", () => {
  let table: string;
  let stored: Item[];

  beforeAll(async () => {
    // Prepare: a store holding a scan of payments, reached as --store dynamodb:TABLE (dynalite)
    table = await dynamo.createTable();
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
    vi.stubEnv("AWS_ACCESS_KEY_ID", MANAGEMENT_ACCESS_KEY);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local");
    vi.stubEnv("AWS_REGION", "eu-west-1");
    const first = await runCli(scanArgs(SAMPLE_ESTATE));
    expect(first.code, first.stderr).toBe(0);
    stored = await tableItems(dynamo.doc, table);
    expect(stored.filter(isFinding).length).toBeGreaterThan(5);
  }, 60_000);

  afterAll(() => {
    vi.unstubAllEnvs();
  });

  function scanArgs(estate: string): string[] {
    return [
      "scan",
      "--estate",
      estate,
      "--accounts",
      PAYMENTS.accountId,
      "--regions",
      PAYMENTS.region,
      "--store",
      `dynamodb:${table}`,
      "--notify",
      "none",
    ];
  }

  it.each<[string, () => string, RegExp]>([
    [
      "a fault setting out of range",
      () => broken((e) => Object.assign(e, { faults: { throttle: { bucket: -1, refillPerSecond: 2 } } })),
      /faults\.throttle\.bucket: /,
    ],
    [
      "a node group's subnets that are not a list",
      () =>
        broken((e) => {
          Object.assign(must(payments(e).eks.clusters[0]?.nodegroups[1], "node group"), {
            subnets: "subnet-1",
          });
        }),
      /accounts\.222233334444\.regions\.eu-west-1\.eks\.clusters\[0\]\.nodegroups\[1\]\.subnets: /,
    ],
    [
      "a negative free-address count",
      () =>
        broken((e) => {
          must(payments(e).ec2.Subnets[2], "subnet").AvailableIpAddressCount = -3;
        }),
      /accounts\.222233334444\.regions\.eu-west-1\.ec2\.Subnets\[2\]\.AvailableIpAddressCount: /,
    ],
    [
      "a malformed account id in the organisation",
      () =>
        broken((e) => {
          must(e.organization.accounts[1], "account").Id = "12345";
        }),
      /organization\.accounts\[1\]\.Id: must be a 12-digit AWS account id/,
    ],
    [
      "a region that is not a region name",
      () =>
        broken((e) => {
          const account = must(e.accounts[PAYMENTS.accountId], "payments account");
          account.regions["mars-1"] = payments(e);
        }),
      /accounts\.222233334444\.regions\.mars-1/,
    ],
    [
      "two clusters with one name",
      () =>
        broken((e) => {
          const clusters = payments(e).eks.clusters;
          // payments-euw1 again, after payments-euw1 and checkout-euw1.
          clusters.push(must(clusters[0], "cluster"));
        }),
      /accounts\.222233334444\.regions\.eu-west-1\.eks\.clusters\[2\]\.cluster\.name: duplicate cluster/,
    ],
    [
      "an unknown top-level key",
      () => broken((e) => Object.assign(e, { faultz: {} })),
      /\(root\): unknown key/,
    ],
    ["a version 3 file", () => broken((e) => Object.assign(e, { version: 3 })), /version: /],
    ["JSON that is not an object", () => "[1, 2, 3]", /\(root\): /],
    ["a file cut short", () => JSON.stringify(sample).slice(0, 4000), /not valid JSON/],
  ])(
    "eks-audit scan --estate with %s: exits 1 naming the JSON path; the store is unchanged",
    async (_, text, path) => {
      // Prepare
      const estate = file(`estate-${Math.random().toString(36).slice(2)}.json`, text());

      // Act
      const run = await runCli(scanArgs(estate));

      // Assess
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(`${estate}: invalid estate`);
      expect(run.stderr).toMatch(path);
      expect(await tableItems(dynamo.doc, table)).toEqual(stored);
      figures.malformedEstates = (figures.malformedEstates ?? 0) + 1;
    },
  );

  it.each<[string, string[], RegExp]>([
    ["an unknown severity", ["--min-severity", "urgent"], /--min-severity.*unknown severity "urgent"/],
    [
      "an unknown alert severity",
      ["--alert-severity", "page-me"],
      /--alert-severity.*unknown severity "page-me"/,
    ],
    ["an unknown --fail-on severity", ["--fail-on", "SEVERE"], /--fail-on.*unknown severity "SEVERE"/],
    ["a bad region", ["--regions", "eu-west-1,mars-east"], /--regions.*bad region "mars-east"/],
    ["a region in capitals", ["--regions", "EU-WEST-1"], /--regions.*bad region "EU-WEST-1"/],
    [
      "a malformed account id",
      ["--accounts", "2222333344445"],
      /--accounts.*malformed account id "2222333344445"/,
    ],
    [
      "an account id with letters",
      ["--accounts", "22223333444x"],
      /--accounts.*malformed account id "22223333444x"/,
    ],
    ["an unknown flag", ["--frobnicate"], /unknown option '--frobnicate'/],
    ["a flag without its value", ["--regions"], /--regions.*argument missing/],
    ["a zero concurrency", ["--concurrency", "0"], /--concurrency.*"0" is not a positive whole number/],
    ["an unknown output format", ["--format", "yaml"], /--format.*Allowed choices are table, json/],
  ])(
    "eks-audit scan with %s: exits 1 with one clear line; the store is unchanged",
    async (_, bad, message) => {
      // Act
      const run = await runCli([...scanArgs(SAMPLE_ESTATE), ...bad]);

      // Assess
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(message);
      expect(await tableItems(dynamo.doc, table)).toEqual(stored);
      figures.badCliValues = (figures.badCliValues ?? 0) + 1;
    },
  );

  it("npm run sim with a malformed estate: exits 1 naming the file and the JSON path, serving nothing", async () => {
    // Prepare (test/sim/cli.test.ts covers a missing subnet id; here a fault setting and a nested node group)
    const estate = file(
      "sim-bad.json",
      broken((e) => {
        Object.assign(e, { faults: { slowCalls: { rate: 2, delayMs: 10 } } });
        must(payments(e).eks.clusters[0]?.nodegroups[0], "node group").nodegroupName = "";
      }),
    );

    // Act
    const child = spawn("npx", ["tsx", "sim/cli.ts", "--estate", estate, "--port", "0"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [stdout, stderr] = [collect(child.stdout), collect(child.stderr)];
    const code = await exitOf(child);

    // Assess
    expect(code).toBe(1);
    expect(stdout()).toBe("");
    expect(stderr()).toContain(`${estate}: invalid estate`);
    expect(stderr()).toMatch(/faults\.slowCalls\.rate: /);
    expect(stderr()).toMatch(
      /accounts\.222233334444\.regions\.eu-west-1\.eks\.clusters\[0\]\.nodegroups\[0\]\.nodegroupName: /,
    );
  });
});

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = "";
  stream?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

describe("Reliability: bad input to the scanner", () => {
  let sim: Simulator;
  let restoreEnv: () => void;

  beforeAll(async () => {
    sim = await startSimulator({ estate: { ...sample, faults: {} } });
    restoreEnv = setEnv({
      ...simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }),
    });
  });

  afterAll(async () => {
    restoreEnv();
    await sim.close();
  });

  it("a malformed SQS body fails only its record, with one log line; the others are scanned and nothing stored is lost", async () => {
    // Prepare: a table already holding payments' findings
    const table = await dynamo.createTable();
    const env = { TABLE_NAME: table, TOPIC_ARN: topicArn("bad-input"), ALERT_MIN_SEVERITY: "HIGH" };
    await deliver([await loadScanner(env)], [taskRecord({ ...RUN, ...PAYMENTS })]);
    const before = await tableItems(dynamo.doc, table);
    const task = (changes: Partial<Record<keyof ScanTask, unknown>>) =>
      sqsRecord(JSON.stringify({ ...RUN, ...PAYMENTS, runId: "20261126T061500Z-bad1bad1", ...changes }));
    const malformed: [string, SQSRecord][] = [
      ["an empty body", sqsRecord("")],
      ["text", sqsRecord("scan 222233334444 eu-west-1 please")],
      ["a JSON array", sqsRecord(JSON.stringify([RUN.runId, PAYMENTS.accountId, PAYMENTS.region]))],
      ["JSON null", sqsRecord("null")],
      ["a cut-short body", sqsRecord(JSON.stringify({ ...RUN, ...PAYMENTS }).slice(0, 40))],
      ["an 11-digit account", task({ accountId: "22223333444" })],
      ["a number for the account", task({ accountId: 222233334444 })],
      ["a region that is no region", task({ region: "eu-west" })],
      ["a runId of 65 characters", task({ runId: "r".repeat(65) })],
      ["a scheduledAt that is no time", task({ scheduledAt: "yesterday" })],
      ["no runId", task({ runId: undefined })],
      ["a 256 KiB body cut short", sqsRecord(`{"runId": "${"x".repeat(256 * 1024)}`)],
    ];
    const good = [taskRecord({ ...RUN, ...EDGE }), taskRecord({ ...RUN, ...ETL })];
    const [first, second] = good;
    if (first === undefined || second === undefined) throw new Error("no good records");
    const batch = [
      first,
      ...malformed.slice(0, 6).map(([, r]) => r),
      second,
      ...malformed.slice(6).map(([, r]) => r),
    ];

    // Act
    const delivery = await deliver([await loadScanner(env)], batch, {
      batchSize: batch.length,
      maxReceives: 1,
    });

    // Assess
    const bad = malformed.map(([, r]) => r.messageId).sort();
    expect(delivery.deadLetters.map((r) => r.messageId).sort()).toEqual(bad);
    const logged = delivery.lines.filter(
      (l) => l.message === "Malformed scan task: record left for redelivery and the DLQ",
    );
    expect(logged.map((l) => l.messageId).sort()).toEqual(bad);
    for (const line of logged) {
      expect(line.level).toBe("ERROR");
      expect(String(line.body).length).toBeLessThanOrEqual(500);
      expect(JSON.stringify(line.error)).toMatch(/scan task: /);
    }
    const after = await tableItems(dynamo.doc, table);
    const scanned = after
      .filter((i) => isScope(i) && i.runId === RUN.runId)
      .map(scopeOf)
      .sort();
    expect(scanned).toEqual(
      [
        `${EDGE.accountId}/${EDGE.region}`,
        `${ETL.accountId}/${ETL.region}`,
        `${PAYMENTS.accountId}/${PAYMENTS.region}`,
      ].sort(),
    );
    const paymentsItems = (items: Item[]) =>
      items.filter((i) => scopeOf(i) === `${PAYMENTS.accountId}/${PAYMENTS.region}`);
    expect(paymentsItems(after)).toEqual(paymentsItems(before));
    expect(
      after
        .filter((i) => !before.some((b) => keyOf(b) === keyOf(i)))
        .every((i) => scopeOf(i) !== `${PAYMENTS.accountId}/${PAYMENTS.region}`),
    ).toBe(true);
    figures.malformedSqsBodies = malformed.length;
  });

  it("garbage vpc-cni configurationValues and user data: findings say assumed / unknown with the parse error, no crash", async () => {
    // Prepare: payments with unreadable add-on settings and two unreadable launch templates
    const garbage = structuredClone(sample);
    const region = garbage.accounts[PAYMENTS.accountId]?.regions[PAYMENTS.region];
    const cluster = region?.eks.clusters[0];
    const cni = cluster?.addons.find((a) => a.addonName === "vpc-cni");
    const ledger = cluster?.nodegroups.find((n) => n.nodegroupName === "ledger");
    const web = cluster?.nodegroups.find((n) => n.nodegroupName === "web");
    const versionOf = (ng: typeof ledger) =>
      region?.ec2.LaunchTemplateVersions.find(
        (v) =>
          v.LaunchTemplateId === ng?.launchTemplate?.id &&
          String(v.VersionNumber) === ng?.launchTemplate?.version,
      );
    const [ledgerVersion, webVersion] = [versionOf(ledger), versionOf(web)];
    if (
      cni === undefined ||
      ledgerVersion?.LaunchTemplateData === undefined ||
      webVersion?.LaunchTemplateData === undefined
    )
      throw new Error("sample estate changed: no vpc-cni add-on or launch templates for ledger and web");
    cni.configurationValues = '{"env": {"WARM_IP_TARGET": [1, 2,\n\u0000\u0007 ::: - -\t{{{';
    ledgerVersion.LaunchTemplateData.UserData = Buffer.from(
      'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="==B=="\n\n--==B==\nContent-Type: application/node.eks.aws\n\n---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {kubelet: {config: [unclosed\n',
    ).toString("base64");
    webVersion.LaunchTemplateData.UserData = "%%% not base64 at all \u0000 ~~~";
    sim.setEstate({ ...garbage, faults: {} });
    const table = await dynamo.createTable();
    const env = { TABLE_NAME: table, TOPIC_ARN: topicArn("garbage"), ALERT_MIN_SEVERITY: "HIGH" };

    try {
      // Act
      const delivery = await deliver([await loadScanner(env)], [taskRecord({ ...RUN, ...PAYMENTS })]);

      // Assess
      expect(delivery.deadLetters).toEqual([]);
      const items = await tableItems(dynamo.doc, table);
      expect(items.find(isScope)?.status).toBe("complete");
      const findings = items.filter(isFinding);
      const evidence = (i: Item) => JSON.parse(String(i.evidence)) as Record<string, unknown>;
      // The ip.* findings that depend on the CNI settings carry them as evidence (ip.cluster-subnet-low does not).
      // Auto Mode and Fargate capacity never read the vpc-cni add-on (AWS runs their networking): their findings
      // keep their own settings, whatever the add-on says.
      const ip = findings.filter(
        (i) =>
          String(i.ruleId).startsWith("ip.") &&
          findKey(evidence(i), "cni") !== undefined &&
          !["auto-mode", "fargate"].includes(String(findKey(evidence(i), "capacityKind"))),
      );
      expect(ip.map((i) => i.ruleId)).toContain("ip.subnet-exhausted");
      for (const f of ip) {
        expect(findKey(evidence(f), "cni"), String(f.sk)).toMatchObject({
          assumed: true,
          error: expect.stringMatching(/configurationValues/),
        });
      }
      const unknown = findings.filter((i) => i.ruleId === "node.kubelet-config-unknown");
      expect(unknown.map((i) => i.resourceId).sort()).toEqual(expect.arrayContaining(["ledger", "web"]));
      for (const f of unknown.filter((i) => i.resourceId === "ledger" || i.resourceId === "web")) {
        expect(evidence(f), String(f.sk)).toMatchObject({
          parseError: expect.any(String),
          assumedDefaults: true,
        });
      }
      figures.garbageFindingsAssumed = ip.length;
      figures.garbageNodegroupsUnknown = unknown.length;
    } finally {
      sim.setEstate({ ...sample, faults: {} });
    }
  });
});

/** The first value under `key` anywhere in a JSON value (breadth-first, bounded by the value's size). */
function findKey(value: unknown, key: string): unknown {
  const queue: unknown[] = [value];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const v = queue[i];
    if (v === null || typeof v !== "object") continue;
    if (!Array.isArray(v) && key in v) return (v as Record<string, unknown>)[key];
    queue.push(...Object.values(v));
  }
  return undefined;
}
