import { gzipSync } from "node:zlib";
import { InvalidArgumentError } from "commander";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { generateEstate } from "#bench/generate-estate.ts";
import { CONTEXT_PREFIX, DEFAULT_SETTINGS, readSettings, SettingsError } from "#infra/config.ts";
import {
  accountsOption,
  nonNegativeIntOption,
  notifyOption,
  positiveIntOption,
  regionsOption,
  ruleOption,
  severityOption,
  storeOption,
  urlOption,
} from "#shared/cli/common/options.ts";
import { type Estate, EstateValidationError, loadEstateFile, parseEstate } from "#shared/estate/index.ts";
import { RULE_IDS, SEVERITIES } from "#shared/findings/index.ts";
import { parseCniConfigurationValues } from "#shared/models/cni/config.ts";
import { readKubeletConfig } from "#shared/models/kubelet/index.ts";
import { loadTextFormats } from "#shared/models/text-formats.ts";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "#shared/scan/plan.ts";
import { InvalidScanTaskError, parseScanTask, type ScanTask } from "#shared/scan/scan-task.ts";
import { SAMPLE_ESTATE } from "#test/functions/support.ts";
import { anyFamilyUserDataArb } from "#test/models/kubelet/generators.ts";

/**
 * Guarantee 4, fuzzed (README "Reliability"): every parser of outside input either returns a value or
 * throws its own error type, never anything else, and what it accepts survives a round trip. Already
 * covered elsewhere and not repeated here: readKubeletConfig never throws (test/models/kubelet/property.test.ts),
 * parseCniConfigurationValues never throws and keeps numbers sane (test/cni/config.test.ts).
 */

const RUNS = { numRuns: 200 };

/** Runs `fn`; returns its error, or undefined when it returned. */
function errorOf(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

// ---- the estate validator ------------------------------------------------------------------------

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  if (value === null || typeof value !== "object") return out;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  for (const [key, child] of entries) {
    out.push([...prefix, key]);
    pathsOf(child, [...prefix, key], out);
  }
  return out;
}

/** A copy of `value` with the value at `path` replaced (or removed when `replacement` is undefined). */
function withValueAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value);
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path.at(-1);
  if (last === undefined || parent === null || typeof parent !== "object") return copy;
  if (replacement === undefined) {
    if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
    else delete (parent as Record<string | number, unknown>)[last];
  } else {
    (parent as Record<string | number, unknown>)[last] = replacement;
  }
  return copy;
}

/** `parseEstate` returns an estate or throws EstateValidationError whose every issue is `<json path>: <why>`. */
function checkedParse(input: unknown): Estate | undefined {
  const err = errorOf(() => parseEstate(input));
  if (err === undefined) return parseEstate(input);
  expect(err).toBeInstanceOf(EstateValidationError);
  const issues = (err as EstateValidationError).issues;
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    // `<json path>: <why>` (keys may hold any character, so the path is not parsed further)
    expect(issue).toContain(": ");
    expect(issue.startsWith(": ")).toBe(false);
  }
  return undefined;
}

/** Accepted once, accepted again after JSON serialisation, to the same estate (as JSON: -0 is written 0). */
function checkRoundTrip(estate: Estate): void {
  const text = JSON.stringify(estate);
  const again = parseEstate(JSON.parse(text));
  expect(JSON.stringify(again)).toBe(text);
}

describe("Property: parseEstate", () => {
  it("throws nothing but EstateValidationError on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // Act + Assess
        const estate = checkedParse(value);
        if (estate !== undefined) checkRoundTrip(estate);
      }),
      { numRuns: 500 },
    );
  });

  it("on the sample estate with one value replaced or removed anywhere: an estate that round-trips, or issues with their JSON path", async () => {
    // Prepare
    const sample = JSON.parse(JSON.stringify(await loadEstateFile(SAMPLE_ESTATE))) as unknown;
    const paths = pathsOf(sample);
    const replacement = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom("", "-1", "eu-west-1", "111122223333", "subnet-", "sg-x", 0, -1, 1.5, null, [], {}),
    );

    fc.assert(
      fc.property(fc.constantFrom(...paths), replacement, (path, value) => {
        // Act + Assess
        const estate = checkedParse(withValueAt(sample, path, value));
        if (estate !== undefined) checkRoundTrip(estate);
      }),
      { numRuns: 400 },
    );
  });

  it("accepts every estate bench/generate-estate.ts generates, and again after a round trip", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 3 }),
        (seed, accounts) => {
          // Act
          const estate = parseEstate(generateEstate({ seed, accounts, regions: 1 }));

          // Assess
          checkRoundTrip(estate);
        },
      ),
      { numRuns: 25 },
    );
  });
});

// ---- the SQS message body --------------------------------------------------------------------------

const region = fc
  .tuple(
    fc.constantFrom("eu", "us", "ap", "ca", "sa", "me", "af", "il", "mx"),
    fc.constantFrom("", "-gov", "-iso", "-isob"),
    fc.constantFrom("west", "east", "central", "north", "south", "southeast", "northeast"),
    fc.integer({ min: 1, max: 9 }),
  )
  .map(([area, partition, direction, n]) => `${area}${partition}-${direction}-${n}`);
const accountId = fc.stringMatching(/^\d{12}$/);
const validTask: fc.Arbitrary<ScanTask> = fc.record({
  runId: fc.string({ minLength: 1, maxLength: 64 }),
  accountId,
  region,
  scheduledAt: fc
    .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
    .map((d) => d.toISOString()),
});

function checkedTask(body: string): ScanTask | undefined {
  const err = errorOf(() => parseScanTask(body));
  if (err === undefined) return parseScanTask(body);
  expect(err).toBeInstanceOf(InvalidScanTaskError);
  expect((err as Error).message).toMatch(/^scan task: /);
  return undefined;
}

describe("Property: parseScanTask", () => {
  it("throws nothing but InvalidScanTaskError on arbitrary text and JSON, and what it accepts is well-formed", () => {
    const fieldValue = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.string(), accountId, region);
    const body = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          { runId: fieldValue, accountId: fieldValue, region: fieldValue, scheduledAt: fieldValue },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(body, (text) => {
        // Act
        const task = checkedTask(text);

        // Assess
        if (task === undefined) return;
        expect(task.runId.length).toBeGreaterThan(0);
        expect(task.runId.length).toBeLessThanOrEqual(64);
        expect(task.accountId).toMatch(ACCOUNT_ID_PATTERN);
        expect(task.region).toMatch(REGION_PATTERN);
        expect(Number.isNaN(Date.parse(task.scheduledAt))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("gives back every well-formed task it was sent, whatever extra keys ride along", () => {
    fc.assert(
      fc.property(validTask, fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })), (task, extra) => {
        // Act
        const parsed = parseScanTask(JSON.stringify({ ...extra, ...task }));

        // Assess
        expect(parsed).toEqual(task);
      }),
      RUNS,
    );
  });

  it("names the one field that is wrong", () => {
    const broken = fc.oneof(
      fc.constant(["runId", ""] as const),
      fc.constant(["runId", "r".repeat(65)] as const),
      fc.tuple(
        fc.constant("accountId" as const),
        fc.string().filter((s) => !ACCOUNT_ID_PATTERN.test(s)),
      ),
      fc.tuple(
        fc.constant("region" as const),
        fc.string().filter((s) => !REGION_PATTERN.test(s)),
      ),
      fc.tuple(
        fc.constant("scheduledAt" as const),
        fc.string().filter((s) => Number.isNaN(Date.parse(s))),
      ),
      fc.tuple(
        fc.constantFrom("runId", "accountId", "region", "scheduledAt"),
        fc.constantFrom(null, 7, true, [], {}),
      ),
    );
    fc.assert(
      fc.property(validTask, broken, (task, [field, value]) => {
        // Act
        const err = errorOf(() => parseScanTask(JSON.stringify({ ...task, [field]: value })));

        // Assess
        expect(err).toBeInstanceOf(InvalidScanTaskError);
        expect((err as Error).message).toMatch(new RegExp(`^scan task: ${field} must be `));
      }),
      RUNS,
    );
  });
});

// ---- the CLI option parsers ------------------------------------------------------------------------

/**
 * A CLI parser returns a value or throws commander's InvalidArgumentError with a one-line message (for a
 * value without a line break: see the KNOWN ISSUE below).
 */
function checkedOption<T>(parse: (value: string) => T, value: string): T | undefined {
  const err = errorOf(() => parse(value));
  if (err === undefined) return parse(value);
  expect(err).toBeInstanceOf(InvalidArgumentError);
  expect((err as Error).message.length).toBeGreaterThan(0);
  if (!/[\n\r]/.test(value)) expect((err as Error).message).not.toMatch(/[\n\r]/);
  return undefined;
}

/** Text near what people type: lists of near-region, near-account and near-severity tokens, or anything. */
const cliText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc
    .array(
      fc.oneof(
        region,
        accountId,
        fc.constantFrom("all", "high", "HIGH", " low ", "", "  ", "-1", "0", "1e3", "0x10"),
      ),
      { maxLength: 4 },
    )
    .map((items) => items.join(",")),
  fc.constantFrom(
    "dynalite:.eks-audit",
    "dynamodb:findings",
    "sns:arn:aws:sns:eu-west-1:111122223333:alerts",
  ),
  fc.webUrl(),
);

describe("Property: the CLI option parsers (shared/cli/options.ts)", () => {
  it("return a value or throw InvalidArgumentError with one line, on any text", () => {
    const parsers: ((value: string) => unknown)[] = [
      regionsOption,
      accountsOption,
      severityOption,
      positiveIntOption,
      nonNegativeIntOption,
      urlOption,
      storeOption,
      notifyOption,
      ruleOption,
    ];
    fc.assert(
      fc.property(cliText, (text) => {
        // Act + Assess
        for (const parse of parsers) checkedOption(parse, text);
      }),
      { numRuns: 500 },
    );
  });

  it("accept again what they produced, written back the way a user would write it", () => {
    fc.assert(
      fc.property(cliText, (text) => {
        // Act + Assess
        const regions = checkedOption(regionsOption, text);
        if (regions?.kind === "list") expect(regionsOption(regions.regions.join(","))).toEqual(regions);
        const accounts = checkedOption(accountsOption, text);
        if (accounts !== undefined) expect(accountsOption(accounts.join(", "))).toEqual(accounts);
        const severity = checkedOption(severityOption, text);
        if (severity !== undefined) {
          expect(SEVERITIES).toContain(severity);
          expect(severityOption(severity.toLowerCase())).toBe(severity);
        }
        for (const parse of [positiveIntOption, nonNegativeIntOption]) {
          const n = checkedOption(parse, text);
          if (n !== undefined) expect(parse(String(n))).toBe(n);
        }
        const store = checkedOption(storeOption, text);
        if (store?.kind === "dynalite") expect(storeOption(`dynalite:${store.dir}`)).toEqual(store);
        if (store?.kind === "dynamodb" && store.region === undefined) {
          expect(storeOption(`dynamodb:${store.table}`)).toEqual(store);
        }
        const notify = checkedOption(notifyOption, text);
        if (notify?.kind === "sns") expect(notifyOption(`sns:${notify.topicArn}`)).toEqual(notify);
        const rule = checkedOption(ruleOption, text);
        if (rule !== undefined) expect(RULE_IDS).toContain(rule);
        const url = checkedOption(urlOption, text);
        if (url !== undefined) expect(url).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("quote the value they reject, so a line break or control character cannot split the error line", () => {
    expect(() => regionsOption("eu-west-1\nus-east-1")).toThrow(/^[^\n]*$/);
  });

  it("take every region, account and severity they should", () => {
    fc.assert(
      fc.property(
        fc.array(region, { minLength: 1, maxLength: 5 }),
        fc.array(accountId, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...SEVERITIES),
        (regions, accounts, severity) => {
          // Act + Assess
          expect(regionsOption(regions.join(","))).toEqual({ kind: "list", regions: [...new Set(regions)] });
          expect(accountsOption(accounts.join(","))).toEqual([...new Set(accounts)]);
          expect(severityOption(` ${severity.toLowerCase()} `)).toBe(severity);
        },
      ),
      RUNS,
    );
  });
});

// ---- the cdk context validator ---------------------------------------------------------------------

describe("Property: readSettings (infra/config.ts)", () => {
  it("returns settings or throws SettingsError naming the key, for any value of any key", () => {
    const keys = [
      ...Object.keys(DEFAULT_SETTINGS),
      "orgRoleArn",
      "organizationId",
      "centralAccountId",
      "orgRootId",
      "alertEmail",
    ];
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      cliText,
      fc.array(fc.oneof(region, accountId, fc.string()), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...keys), value, (key, v) => {
        // Act
        const context: Record<string, unknown> = { [`${CONTEXT_PREFIX}${key}`]: v };
        const err = errorOf(() => readSettings((k) => context[k], Object.keys(context)));

        // Assess
        if (err === undefined) return;
        expect(err).toBeInstanceOf(SettingsError);
        expect((err as Error).message).toContain(`"${CONTEXT_PREFIX}${key}"`);
      }),
      { numRuns: 500 },
    );
  });
});

// ---- parsers of what member accounts hold ----------------------------------------------------------

describe("Property: parseCniConfigurationValues", () => {
  // The YAML spelling needs the library, which a scan loads for a region with a cluster.
  beforeAll(async () => {
    await loadTextFormats();
  });

  it("reads the same settings from the JSON and the YAML spelling of one document", () => {
    const key = fc.constantFrom(
      "WARM_ENI_TARGET",
      "WARM_IP_TARGET",
      "MINIMUM_IP_TARGET",
      "ENABLE_PREFIX_DELEGATION",
      "WARM_PREFIX_TARGET",
      "ENABLE_POD_ENI",
      "MAX_ENI",
      "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
      "POD_SECURITY_GROUP_ENFORCING_MODE",
    );
    const envValue = fc.oneof(
      fc.integer({ min: -5, max: 50 }),
      fc.boolean(),
      fc.constantFrom("true", "false", "1", "0", "standard", "strict", "", "abc"),
    );
    fc.assert(
      fc.property(fc.dictionary(key, envValue), (env) => {
        // Act
        const fromJson = parseCniConfigurationValues(JSON.stringify({ env }));
        const fromYaml = parseCniConfigurationValues(toYaml({ env }));

        // Assess
        expect(fromYaml.settings).toEqual(fromJson.settings);
        expect(fromYaml.assumed).toBe(fromJson.assumed);
      }),
      RUNS,
    );
  });
});

describe("Property: readKubeletConfig keeps no user data", () => {
  it("never carries a secret planted in the kubelet maps of valid AL2, AL2023 and Bottlerocket user data", async () => {
    let runs = 0;
    let parsed = 0;
    await fc.assert(
      fc.asyncProperty(anyFamilyUserDataArb, fc.boolean(), async (generated, gzip) => {
        // Prepare: as DescribeLaunchTemplateVersions returns it, gzip-compressed or not
        const bytes = Buffer.from(generated.text, "utf8");
        const userData = (gzip ? gzipSync(bytes) : bytes).toString("base64");

        // Act
        const reading = await readKubeletConfig({ amiType: generated.amiType, userData });

        // Assess
        runs++;
        if (reading.parseError === undefined && reading.via !== undefined) parsed++;
        expect(JSON.stringify(reading)).not.toContain(generated.secret);
      }),
      RUNS,
    );
    // A property that never reaches the parser proves nothing: every generated case must be read.
    expect(parsed).toBe(runs);
  });

  it("never carries a marker planted anywhere in broken or partial user data, read or not", async () => {
    const MARKER = "PlantedSecret9f2c";
    const line = fc.oneof(
      fc.constantFrom(
        "#!/bin/bash",
        `/etc/eks/bootstrap.sh c --kubelet-extra-args '--node-labels=t=${MARKER} --eviction-hard=memory.available<1Gi'`,
        `export TOKEN=${MARKER}`,
        "apiVersion: node.eks.aws/v1alpha1",
        "kind: NodeConfig",
        "spec:",
        "  kubelet:",
        "    config:",
        `      evictionHard: {memory.available: ${MARKER}}`,
        `    flags: [--node-labels=${MARKER}`,
        "[settings.kubernetes]",
        `bootstrap-token = "${MARKER}"`,
        `${MARKER} = [`,
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="B"',
        "--B",
        "Content-Type: application/node.eks.aws",
      ),
      fc.string({ maxLength: 30 }).map((s) => `${s}${MARKER}`),
    );
    const amiType = fc.constantFrom("AL2_x86_64", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_x86_64", undefined);
    await fc.assert(
      fc.asyncProperty(
        amiType,
        fc.array(line, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        async (ami, lines, encode) => {
          // Prepare
          const text = lines.join("\n");
          const userData = encode ? Buffer.from(text).toString("base64") : text;

          // Act
          const reading = await readKubeletConfig({ ...(ami ? { amiType: ami } : {}), userData });

          // Assess
          expect(JSON.stringify(reading)).not.toContain(MARKER);
        },
      ),
      RUNS,
    );
  });
});
