import { readFileSync } from "node:fs";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { RegionInfo } from "aws-cdk-lib/region-info";
import { DEFAULT_ROLE_NAME } from "#shared/aws/defaults.ts";
import {
  DEFAULT_TEAM_TAG_KEYS,
  parseTeamTagKeys,
  SEVERITIES,
  type Severity,
} from "#shared/findings/index.ts";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "#shared/scan/patterns.ts";
import { parseSuppressions } from "#shared/suppress/parse.ts";
import { SuppressionFileError, type SuppressionSet } from "#shared/suppress/types.ts";
import { heartbeatWindow, longestGapMinutes, MAX_ALARM_RANGE_MINUTES } from "./schedule.ts";

/**
 * The deployment's settings: `cdk.json` context (or `-c key=value`), every key prefixed `eksAuditor.`,
 * with defaults that synthesize offline on a fresh clone. Checked at synth: a bad value fails `cdk synth`
 * with an error that names the key.
 *
 * Organisation-specific values are optional. Without `organizationId` / `centralAccountId` / StackSet
 * targets, the member-role templates take them as CloudFormation parameters (`OrganizationId`,
 * `CentralAccountId`, `TargetOrganizationalUnitIds`) to pass at deploy time.
 */
export interface Settings {
  /** EventBridge Scheduler expression: `cron(…)` (6 fields) or `rate(…)`. */
  schedule: string;
  /** IANA time zone of the cron expression. */
  scheduleTimeZone: string;
  /** Flexible time window in minutes (0: off). */
  scheduleWindowMinutes: number;
  /** `all` (each account's enabled regions) or a list. */
  regions: "all" | string[];
  /** Static account list; empty: the organisation's ACTIVE accounts. */
  accounts: string[];
  excludedAccounts: string[];
  /** Role in the management account the planner assumes to call Organizations ListAccounts. */
  orgRoleArn?: string;
  memberRoleName: string;
  /** The member role the planner assumes: ec2:DescribeRegions and nothing else. */
  regionsRoleName: string;
  /** `o-…`: the member role trusts only principals of this organisation. */
  organizationId?: string;
  /** The account the central stack runs in: the member role trusts its scanner and planner roles. */
  centralAccountId?: string;
  /** StackSet targets: OU ids, else the organisation root. */
  organizationalUnitIds: string[];
  orgRootId?: string;
  /**
   * The one region of the StackSet's stack instances: the member roles are named IAM roles (global), so a
   * second region's instance would fail on "already exists".
   */
  stackSetRegions: [string];
  /** `SELF` from the management account, `DELEGATED_ADMIN` from a delegated administrator. */
  stackSetCallAs: "SELF" | "DELEGATED_ADMIN";
  /** Transitions at or above it are published to the topic. */
  alertSeverity: Severity;
  /** Optional email subscription to the alert topic (and to the ops topic when `opsEmail` is not set). */
  alertEmail?: string;
  /** The email subscription's filter: messages whose highest severity is at or above it. */
  emailSeverity: Severity;
  /** Optional email subscription to the ops topic (alarms), with no filter. */
  opsEmail?: string;
  /** Cluster tag keys naming the owning team, first match wins: the alerts' `team` attribute. */
  teamTagKeys: string[];
  /** The SQS event source's maximum concurrency (scanner invocations at once). */
  scannerConcurrency: number;
  /** SQS records per scanner invocation. */
  scannerBatchSize: number;
  /**
   * One customer-managed KMS key (rotating, retained) for the table, the queues and both topics. Off: the
   * AWS-managed keys (and SSE-SQS), except the ops topic, which CloudWatch alarms can only publish to under a
   * customer-managed key.
   */
  customerManagedKey: boolean;
  /**
   * Import every transition into the central account's Security Hub (ASFF, BatchImportFindings, the default
   * product of the stack's region) besides paging. Security Hub must be enabled there.
   */
  securityHub: boolean;
  logRetentionDays: RetentionDays;
  /**
   * Accepted risks: a suppressions file (YAML, README "Accepted risks"), relative to the directory `cdk`
   * runs in. Validated at synth; the scanner gets it compiled to JSON beside its handler.
   */
  suppressionsFile?: string;
  /** The validated suppressions of `suppressionsFile`. */
  suppressions?: SuppressionSet;
  /** Test only: skip esbuild bundling (an inline stub replaces the code). */
  skipBundling: boolean;
}

export const CONTEXT_PREFIX = "eksAuditor.";

export const DEFAULT_SETTINGS: Settings = {
  schedule: "cron(15 6 * * ? *)",
  scheduleTimeZone: "UTC",
  scheduleWindowMinutes: 15,
  regions: "all",
  accounts: [],
  excludedAccounts: [],
  memberRoleName: DEFAULT_ROLE_NAME,
  regionsRoleName: "EksAuditorRegionsRole",
  organizationalUnitIds: [],
  stackSetRegions: ["us-east-1"],
  stackSetCallAs: "SELF",
  alertSeverity: "HIGH",
  emailSeverity: "HIGH",
  teamTagKeys: [...DEFAULT_TEAM_TAG_KEYS],
  scannerConcurrency: 25,
  scannerBatchSize: 5,
  customerManagedKey: false,
  securityHub: false,
  logRetentionDays: RetentionDays.ONE_MONTH,
  skipBundling: false,
};

/** Settings without a default. */
const OPTIONAL_KEYS = [
  "orgRoleArn",
  "organizationId",
  "centralAccountId",
  "orgRootId",
  "alertEmail",
  "opsEmail",
  "suppressionsFile",
];

/** Fixed names: the member role's trust policy names these roles before they exist. */
export const SCANNER_ROLE_NAME = "EksAuditorScannerRole";
export const PLANNER_ROLE_NAME = "EksAuditorPlannerRole";
export const STACK_SET_NAME = "EksAuditorMemberRole";

/** Raised for an invalid context value; the message names the key. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const KNOWN_REGIONS = new Set(RegionInfo.regions.map((r) => r.name));
const RETENTION_DAYS = new Set(
  Object.values(RetentionDays).filter((v): v is number => typeof v === "number"),
);

function fail(key: string, value: unknown, why: string): never {
  throw new SettingsError(`cdk.json context "${CONTEXT_PREFIX}${key}": ${JSON.stringify(value)} ${why}`);
}

/** A list from cdk.json (JSON array) or from `-c key=a,b` (string). */
function list(key: string, value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map((v) =>
      typeof v === "string" ? v.trim() : fail(key, value, "must be a list of strings"),
    );
  }
  if (typeof value === "string") {
    return value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  return fail(key, value, "must be a list (a JSON array or a comma-separated string)");
}

function text(key: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") return fail(key, value, "must be a non-empty string");
  return value.trim();
}

function integer(key: string, value: unknown, min: number, max: number): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    return fail(key, value, `must be an integer from ${min} to ${max}`);
  }
  return n;
}

function matching(key: string, values: string[], pattern: RegExp, what: string): string[] {
  const bad = values.find((v) => !pattern.test(v));
  if (bad !== undefined) fail(key, values.length === 1 ? bad : values, `is not ${what} (bad value "${bad}")`);
  return values;
}

function region(key: string, values: string[]): string[] {
  const bad = values.find((r) => !KNOWN_REGIONS.has(r) || !REGION_PATTERN.test(r));
  if (bad !== undefined)
    fail(key, values.length === 1 ? bad : values, `names an unknown AWS region "${bad}"`);
  return values;
}

function severity(key: string, value: unknown): Severity {
  const upper = typeof value === "string" ? value.trim().toUpperCase() : "";
  const found = SEVERITIES.find((s) => s === upper);
  return found ?? fail(key, value, `is not a severity (expected one of ${SEVERITIES.join(", ")})`);
}

function bool(key: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  return fail(key, value, "must be true or false");
}

// ---- EventBridge Scheduler expressions ---------------------------------------------------------------

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Extra single tokens the field accepts (`?`, `L`, `15W`, `6#3`, `5L`). */
  special?: RegExp;
}

const CRON_FIELDS: CronField[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, special: /^(\?|L|LW|([1-9]|[12]\d|3[01])W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, special: /^(\?|L|[1-7]L|[1-7]#[1-5])$/ },
  { name: "year", min: 1970, max: 2199 },
];

/** Why a cron field is invalid, or undefined when it is valid. */
function cronFieldProblem(field: CronField, value: string): string | undefined {
  if (field.special?.test(value)) return undefined;
  const number = (token: string): number | undefined => {
    const named = field.names?.indexOf(token.toUpperCase()) ?? -1;
    if (named >= 0) return named + 1;
    return /^\d+$/.test(token) ? Number(token) : undefined;
  };
  const inRange = (n: number | undefined) => n !== undefined && n >= field.min && n <= field.max;
  for (const item of value.split(",")) {
    const [base = "", step, extra] = item.split("/");
    if (extra !== undefined) return `${field.name} "${item}" has two steps`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) {
      return `${field.name} step "${step}" must be a positive integer`;
    }
    if (base === "*") continue;
    const [from = "", to, more] = base.split("-");
    if (more !== undefined || !inRange(number(from)) || (to !== undefined && !inRange(number(to)))) {
      return `${field.name} must be ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ""}, got "${item}"`;
    }
  }
  return undefined;
}

/** Why an EventBridge Scheduler recurring expression is invalid, or undefined when it is valid. */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? "";
    const singular = unit.replace(/s$/, "");
    if (value < 1) return "the rate must be at least 1";
    if (value === 1 && unit !== singular) return `write "rate(1 ${singular})"`;
    if (value > 1 && unit === singular) return `write "rate(${value} ${singular}s)"`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return 'must be "cron(minutes hours day-of-month month day-of-week year)" or "rate(value unit)"';
  const fields = (cron[1] ?? "").trim().split(/\s+/);
  if (fields.length !== 6) return `has ${fields.length} fields, EventBridge Scheduler cron takes 6`;
  for (const [i, field] of CRON_FIELDS.entries()) {
    const problem = cronFieldProblem(field, fields[i] ?? "");
    if (problem) return problem;
  }
  if ((fields[2] === "?") === (fields[4] === "?")) {
    return "exactly one of day-of-month and day-of-week must be ?";
  }
  return undefined;
}

function schedule(key: string, value: unknown): string {
  const expression = text(key, value);
  const problem = scheduleProblem(expression);
  if (problem) {
    const kind = expression.startsWith("rate(") ? "rate" : "cron";
    fail(key, expression, `is not a valid EventBridge Scheduler ${kind} expression (${problem})`);
  }
  return expression;
}

function timeZone(key: string, value: unknown): string {
  const zone = text(key, value);
  if (zone !== "UTC" && !Intl.supportedValuesOf("timeZone").includes(zone)) {
    fail(key, zone, "is not an IANA time zone such as Europe/Paris");
  }
  return zone;
}

// ---- reading ------------------------------------------------------------------------------------------

/**
 * Reads and checks the settings. `get` returns the raw context value of a full key
 * (`eksAuditor.schedule`); `keys`, when given, are all context keys, so that a misspelt one fails too.
 */
export function readSettings(
  get: (key: string) => unknown,
  keys: readonly string[] = [],
  readText: (path: string) => string = (path) => readFileSync(path, "utf8"),
): Settings {
  const s: Settings = { ...DEFAULT_SETTINGS };
  for (const key of keys) {
    const name = key.slice(CONTEXT_PREFIX.length);
    if (key.startsWith(CONTEXT_PREFIX) && !(name in DEFAULT_SETTINGS) && !OPTIONAL_KEYS.includes(name)) {
      throw new SettingsError(
        `cdk.json context "${key}" is not a setting of eks-auditor (known: ${[...Object.keys(DEFAULT_SETTINGS), ...OPTIONAL_KEYS].sort().join(", ")})`,
      );
    }
  }
  const has = (key: keyof Settings) => {
    const v = get(`${CONTEXT_PREFIX}${key}`);
    return v !== undefined && v !== null && v !== "";
  };
  const raw = (key: keyof Settings) => get(`${CONTEXT_PREFIX}${key}`);

  if (has("schedule")) s.schedule = schedule("schedule", raw("schedule"));
  if (has("scheduleTimeZone")) s.scheduleTimeZone = timeZone("scheduleTimeZone", raw("scheduleTimeZone"));
  if (has("scheduleWindowMinutes")) {
    s.scheduleWindowMinutes = integer("scheduleWindowMinutes", raw("scheduleWindowMinutes"), 0, 1440);
  }
  if (has("regions")) {
    const value = raw("regions");
    const regions = list("regions", value);
    if (regions.length === 1 && regions[0]?.toLowerCase() === "all") s.regions = "all";
    else if (regions.length === 0) fail("regions", value, 'must name at least one region, or "all"');
    else s.regions = region("regions", regions);
  }
  if (has("accounts")) {
    s.accounts = matching(
      "accounts",
      list("accounts", raw("accounts")),
      ACCOUNT_ID_PATTERN,
      "a 12-digit account id",
    );
  }
  if (has("excludedAccounts")) {
    s.excludedAccounts = matching(
      "excludedAccounts",
      list("excludedAccounts", raw("excludedAccounts")),
      ACCOUNT_ID_PATTERN,
      "a 12-digit account id",
    );
  }
  if (has("orgRoleArn")) {
    s.orgRoleArn = matching(
      "orgRoleArn",
      [text("orgRoleArn", raw("orgRoleArn"))],
      ROLE_ARN,
      "an IAM role ARN",
    )[0];
    if (s.accounts.length > 0)
      fail("orgRoleArn", s.orgRoleArn, 'is set together with "eksAuditor.accounts": pick one');
  }
  if (has("memberRoleName")) {
    s.memberRoleName =
      matching(
        "memberRoleName",
        [text("memberRoleName", raw("memberRoleName"))],
        ROLE_NAME,
        "an IAM role name",
      )[0] ?? s.memberRoleName;
  }
  if (has("regionsRoleName")) {
    s.regionsRoleName =
      matching(
        "regionsRoleName",
        [text("regionsRoleName", raw("regionsRoleName"))],
        ROLE_NAME,
        "an IAM role name",
      )[0] ?? s.regionsRoleName;
  }
  if (s.regionsRoleName === s.memberRoleName) {
    fail("regionsRoleName", s.regionsRoleName, `must differ from "${CONTEXT_PREFIX}memberRoleName"`);
  }
  if (has("organizationId")) {
    s.organizationId = matching(
      "organizationId",
      [text("organizationId", raw("organizationId"))],
      ORGANIZATION_ID,
      "an organisation id (o-xxxxxxxxxx)",
    )[0];
  }
  if (has("centralAccountId")) {
    s.centralAccountId = matching(
      "centralAccountId",
      [text("centralAccountId", raw("centralAccountId"))],
      ACCOUNT_ID_PATTERN,
      "a 12-digit account id",
    )[0];
  }
  if (has("organizationalUnitIds")) {
    s.organizationalUnitIds = matching(
      "organizationalUnitIds",
      list("organizationalUnitIds", raw("organizationalUnitIds")),
      OU_ID,
      "an OU id (ou-xxxx-xxxxxxxx)",
    );
  }
  if (has("orgRootId")) {
    s.orgRootId = matching(
      "orgRootId",
      [text("orgRootId", raw("orgRootId"))],
      ROOT_ID,
      "a root id (r-xxxx)",
    )[0];
  }
  if (has("stackSetRegions")) {
    const regions = region("stackSetRegions", list("stackSetRegions", raw("stackSetRegions")));
    const [only, ...more] = regions;
    if (only === undefined || more.length > 0) {
      fail(
        "stackSetRegions",
        raw("stackSetRegions"),
        'must name exactly one region: the StackSet creates named IAM roles, which are global, so a stack instance in a second region fails with "already exists"',
      );
    }
    s.stackSetRegions = [only];
  }
  if (has("stackSetCallAs")) {
    const v = text("stackSetCallAs", raw("stackSetCallAs"));
    if (v !== "SELF" && v !== "DELEGATED_ADMIN") fail("stackSetCallAs", v, "must be SELF or DELEGATED_ADMIN");
    s.stackSetCallAs = v;
  }
  if (has("alertSeverity")) s.alertSeverity = severity("alertSeverity", raw("alertSeverity"));
  if (has("alertEmail")) {
    s.alertEmail = matching(
      "alertEmail",
      [text("alertEmail", raw("alertEmail"))],
      EMAIL,
      "an email address",
    )[0];
  }
  if (has("emailSeverity")) s.emailSeverity = severity("emailSeverity", raw("emailSeverity"));
  if (has("opsEmail")) {
    s.opsEmail = matching("opsEmail", [text("opsEmail", raw("opsEmail"))], EMAIL, "an email address")[0];
  }
  if (has("teamTagKeys")) {
    const value = raw("teamTagKeys");
    try {
      s.teamTagKeys = parseTeamTagKeys(list("teamTagKeys", value), "teamTagKeys");
    } catch (err) {
      fail("teamTagKeys", value, (err as Error).message.replace(/^teamTagKeys: /, ""));
    }
  }
  if (has("scannerConcurrency")) {
    // The SQS event source's maximum concurrency accepts 2-1000.
    s.scannerConcurrency = integer("scannerConcurrency", raw("scannerConcurrency"), 2, 1000);
  }
  if (has("scannerBatchSize")) {
    // A standard queue's event source takes up to 10 records without a batching window.
    s.scannerBatchSize = integer("scannerBatchSize", raw("scannerBatchSize"), 1, 10);
  }
  if (has("customerManagedKey")) s.customerManagedKey = bool("customerManagedKey", raw("customerManagedKey"));
  if (has("securityHub")) s.securityHub = bool("securityHub", raw("securityHub"));
  if (has("logRetentionDays")) {
    const days = integer("logRetentionDays", raw("logRetentionDays"), 1, 9999);
    if (!RETENTION_DAYS.has(days)) {
      fail(
        "logRetentionDays",
        days,
        `is not a CloudWatch Logs retention (one of ${[...RETENTION_DAYS].join(", ")})`,
      );
    }
    s.logRetentionDays = days as RetentionDays;
  }
  if (has("skipBundling")) s.skipBundling = bool("skipBundling", raw("skipBundling"));
  if (has("suppressionsFile")) {
    s.suppressionsFile = text("suppressionsFile", raw("suppressionsFile"));
    s.suppressions = suppressionsOf(s.suppressionsFile, readText);
  }
  heartbeatOf(s);
  return s;
}

/** Reads and validates the suppressions file at synth: a bad file fails `cdk synth`, naming each line. */
function suppressionsOf(path: string, readText: (path: string) => string): SuppressionSet {
  let content: string;
  try {
    content = readText(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === "ENOENT"
        ? "no such file (the path is relative to the directory cdk runs in)"
        : (err as Error).message;
    return fail("suppressionsFile", path, `cannot be read: ${why}`);
  }
  try {
    return parseSuppressions(content, path);
  } catch (err) {
    if (err instanceof SuppressionFileError) {
      throw new SettingsError(`cdk.json context "${CONTEXT_PREFIX}suppressionsFile": ${err.message}`);
    }
    throw err;
  }
}

/**
 * The heartbeat alarm's window for the settings' schedule; fails, naming the schedule, when CloudWatch
 * cannot watch two of its periods (it evaluates at most 7 days).
 */
export function heartbeatOf(s: Pick<Settings, "schedule" | "scheduleTimeZone" | "scheduleWindowMinutes">) {
  const gap = longestGapMinutes(s.schedule);
  if (gap === undefined) fail("schedule", s.schedule, "fires fewer than twice in three years");
  const window = heartbeatWindow(gap, s.scheduleWindowMinutes, s.scheduleTimeZone);
  if (window.windowMinutes > MAX_ALARM_RANGE_MINUTES) {
    fail(
      "schedule",
      s.schedule,
      `runs up to ${(gap / 60).toFixed(1)} hours apart: the heartbeat alarm watches two periods plus the ${s.scheduleWindowMinutes}-minute window (${(window.windowMinutes / 60).toFixed(1)} hours), and CloudWatch evaluates at most 7 days; schedule a run at least every 3 days`,
    );
  }
  return window;
}
