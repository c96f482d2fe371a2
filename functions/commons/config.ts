import { DEFAULT_ROLE_NAME } from "#shared/aws/defaults.ts";
import { parseSeverity, parseTeamTagKeys, type Severity } from "#shared/findings/index.ts";
import {
  ACCOUNT_ID_PATTERN,
  type AccountSelection,
  REGION_PATTERN,
  type RegionSelection,
} from "#shared/scan/plan.ts";

/**
 * The Lambda functions' settings, read from environment variables in one place. The CDK stack sets them
 * (infra/stacks/central-stack.ts uses the same `ENV` names); tests set them to point at the simulator.
 */
export const ENV = {
  queueUrl: "QUEUE_URL",
  accountIds: "ACCOUNT_IDS",
  excludedAccountIds: "EXCLUDED_ACCOUNT_IDS",
  orgRoleArn: "ORG_ROLE_ARN",
  regions: "REGIONS",
  memberRoleName: "MEMBER_ROLE_NAME",
  homeRegion: "HOME_REGION",
  tableName: "TABLE_NAME",
  topicArn: "TOPIC_ARN",
  alertMinSeverity: "ALERT_MIN_SEVERITY",
  scopeConcurrency: "SCOPE_CONCURRENCY",
  historyRetentionDays: "HISTORY_RETENTION_DAYS",
  /** Per-request timeout of the scanner's AWS clients, in milliseconds (default: the client factory's). */
  requestTimeoutMs: "REQUEST_TIMEOUT_MS",
  /**
   * Milliseconds of an invocation the scanner keeps for a scope's reconcile and notification (default
   * 30000): a scan still running then is aborted, and a record starts only with twice this left.
   */
  writeReserveMs: "SCAN_WRITE_RESERVE_MS",
  /** Every AWS API call except DynamoDB goes here (the loopback simulator in tests and the demo). */
  endpointUrl: "EKS_AUDITOR_ENDPOINT_URL",
  /** DynamoDB calls go here (dynalite in tests). */
  dynamodbEndpointUrl: "EKS_AUDITOR_DYNAMODB_ENDPOINT_URL",
  /** Accounts whose regions the planner lists at once (default 16). */
  planConcurrency: "PLAN_CONCURRENCY",
  /**
   * `true`: every transition is also imported into the central account's Security Hub (its default product,
   * in the home region) with BatchImportFindings. Default false.
   */
  securityHub: "SECURITY_HUB_IMPORT",
  /**
   * The scanner's accepted risks: a compiled suppressions file (JSON, written by `cdk synth` next to the
   * handler from `eksAuditor.suppressionsFile`), relative to the function's directory or absolute.
   */
  suppressionsFile: "SUPPRESSIONS_FILE",
  /** Cluster tag keys naming the owning team, comma-separated, first match wins (default `team,owner`). */
  teamTagKeys: "TEAM_TAG_KEYS",
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Raised for a missing or malformed setting; the message names every offending variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** What both functions need to reach AWS. */
export interface AwsAccessConfig {
  /** Region of the central account's own STS, Organizations and DescribeRegions calls. */
  homeRegion: string;
  /** Role assumed in every account other than the caller's. */
  memberRoleName: string;
  endpointUrl?: string;
}

export interface PlannerConfig extends AwsAccessConfig {
  queueUrl: string;
  /** A static list, or the organisation's ACTIVE accounts minus the exclusions. */
  accounts: { kind: "list"; accountIds: string[]; exclude: string[] } | { kind: "org"; exclude: string[] };
  regions: RegionSelection;
  /** Role in the management account to call Organizations through (the planner's own role otherwise). */
  orgRoleArn?: string;
  /** Accounts whose regions are listed at once. */
  planConcurrency?: number;
  /**
   * The findings table and alert topic: with them the planner resolves the coverage findings of
   * account-regions its complete plan no longer includes, and pages those resolutions.
   */
  coverage?: {
    tableName: string;
    topicArn: string;
    alertMinSeverity: Severity;
    dynamodbEndpointUrl?: string;
    /** The coverage resolutions are imported into Security Hub too (as the scanner's transitions are). */
    securityHub?: boolean;
  };
}

export interface ScannerConfig extends AwsAccessConfig {
  tableName: string;
  topicArn: string;
  /** Transitions at or above it page. */
  alertMinSeverity: Severity;
  scopeConcurrency?: number;
  historyRetentionDays?: number;
  /** Per-request timeout of the member-account clients (EC2, EKS, STS). */
  requestTimeoutMs?: number;
  /** Time kept for reconcile and notify before the invocation's deadline. */
  writeReserveMs?: number;
  dynamodbEndpointUrl?: string;
  /** Import transitions into the central account's Security Hub (home region) besides paging. */
  securityHub?: boolean;
  /** The compiled suppressions file to read at init (see ENV.suppressionsFile). */
  suppressionsFile?: string;
  /** Cluster tag keys naming the owning team (the alerts' `team` attribute); default `team`, `owner`. */
  teamTagKeys?: string[];
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const TABLE_NAME = /^[\w.-]{3,255}$/;

/** Collects every problem before throwing, so one deploy fixes them all. */
class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  required(name: string, expected: string): string {
    const value = this.optional(name);
    if (value === undefined) this.problems.push(`${name} is not set (expected ${expected})`);
    return value ?? "";
  }

  check(name: string, value: string | undefined, ok: (v: string) => boolean, expected: string): void {
    if (value !== undefined && value !== "" && !ok(value)) {
      this.problems.push(`${name}="${value}" is not ${expected}`);
    }
  }

  list(name: string, pattern: RegExp, expected: string): string[] | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    const items = raw
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const bad = items.filter((s) => !pattern.test(s));
    if (bad.length > 0)
      this.problems.push(`${name}: ${bad.map((b) => `"${b}"`).join(", ")} is not ${expected}`);
    if (items.length === 0) this.problems.push(`${name} is empty (expected ${expected})`);
    return [...new Set(items)];
  }

  positiveInteger(name: string): number | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) {
      this.problems.push(`${name}="${raw}" is not a positive integer`);
      return undefined;
    }
    return n;
  }

  severity(name: string, fallback: Severity): Severity {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    try {
      return parseSeverity(raw, name);
    } catch (err) {
      this.problems.push(err instanceof Error ? err.message : String(err));
      return fallback;
    }
  }

  flag(name: string): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return false;
    if (raw === "true" || raw === "false") return raw === "true";
    this.problems.push(`${name}="${raw}" is not true or false`);
    return false;
  }

  teamTagKeys(name: string): string[] | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    try {
      return parseTeamTagKeys(raw, name);
    } catch (err) {
      this.problems.push(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  url(name: string): string | undefined {
    const raw = this.optional(name);
    this.check(name, raw, (v) => URL.canParse(v) && /^https?:/.test(v), "an http(s) URL");
    return raw;
  }

  done<T>(what: string, value: T): T {
    if (this.problems.length > 0) {
      throw new ConfigError(`${what} configuration is invalid: ${this.problems.join("; ")}`);
    }
    return value;
  }
}

function awsAccess(r: EnvReader): AwsAccessConfig {
  const homeRegion =
    r.optional(ENV.homeRegion) ?? r.optional("AWS_REGION") ?? r.optional("AWS_DEFAULT_REGION");
  if (homeRegion === undefined) r.problems.push(`${ENV.homeRegion} (or AWS_REGION) is not set`);
  else r.check(ENV.homeRegion, homeRegion, (v) => REGION_PATTERN.test(v), "a region name such as eu-west-1");
  const memberRoleName = r.optional(ENV.memberRoleName) ?? DEFAULT_ROLE_NAME;
  r.check(ENV.memberRoleName, memberRoleName, (v) => ROLE_NAME.test(v), "an IAM role name");
  const endpointUrl = r.url(ENV.endpointUrl);
  return { homeRegion: homeRegion ?? "", memberRoleName, ...(endpointUrl ? { endpointUrl } : {}) };
}

/** `REGIONS`: `all` (each account's enabled regions) or a comma-separated list. */
function regionSelection(r: EnvReader): RegionSelection {
  const raw = r.required(ENV.regions, "a comma-separated list such as eu-west-1,us-east-1, or all");
  if (raw.toLowerCase() === "all") return { kind: "all" };
  const regions = r.list(ENV.regions, REGION_PATTERN, "a region name such as eu-west-1 (or all)") ?? [];
  return { kind: "list", regions };
}

export function plannerConfigFromEnv(env: Env = process.env): PlannerConfig {
  const r = new EnvReader(env);
  const access = awsAccess(r);
  const queueUrl = r.required(ENV.queueUrl, "the scan queue's URL");
  r.check(ENV.queueUrl, queueUrl, (v) => URL.canParse(v) && /^https?:/.test(v), "an http(s) URL");
  const accountIds = r.list(ENV.accountIds, ACCOUNT_ID_PATTERN, "a 12-digit account id");
  const exclude = r.list(ENV.excludedAccountIds, ACCOUNT_ID_PATTERN, "a 12-digit account id") ?? [];
  const orgRoleArn = r.optional(ENV.orgRoleArn);
  r.check(ENV.orgRoleArn, orgRoleArn, (v) => ROLE_ARN.test(v), "an IAM role ARN");
  if (orgRoleArn !== undefined && accountIds !== undefined) {
    r.problems.push(
      `${ENV.orgRoleArn} and ${ENV.accountIds} are both set: a static account list needs no Organizations`,
    );
  }
  const regions = regionSelection(r);
  const planConcurrency = r.positiveInteger(ENV.planConcurrency);
  const tableName = r.optional(ENV.tableName);
  r.check(ENV.tableName, tableName, (v) => TABLE_NAME.test(v), "a DynamoDB table name");
  const topicArn = r.optional(ENV.topicArn);
  r.check(ENV.topicArn, topicArn, (v) => TOPIC_ARN.test(v), "an SNS topic ARN");
  if ((tableName === undefined) !== (topicArn === undefined)) {
    r.problems.push(
      `${ENV.tableName} and ${ENV.topicArn} go together: set both (to close coverage) or neither`,
    );
  }
  const alertMinSeverity = r.severity(ENV.alertMinSeverity, "HIGH");
  const dynamodbEndpointUrl = r.url(ENV.dynamodbEndpointUrl);
  const securityHub = r.flag(ENV.securityHub);
  return r.done("planner", {
    ...access,
    queueUrl,
    accounts: accountIds === undefined ? { kind: "org", exclude } : { kind: "list", accountIds, exclude },
    regions,
    ...(orgRoleArn ? { orgRoleArn } : {}),
    ...(planConcurrency ? { planConcurrency } : {}),
    ...(tableName && topicArn
      ? {
          coverage: {
            tableName,
            topicArn,
            alertMinSeverity,
            ...(dynamodbEndpointUrl ? { dynamodbEndpointUrl } : {}),
            ...(securityHub ? { securityHub } : {}),
          },
        }
      : {}),
  });
}

export function scannerConfigFromEnv(env: Env = process.env): ScannerConfig {
  const r = new EnvReader(env);
  const access = awsAccess(r);
  const tableName = r.required(ENV.tableName, "the findings table's name");
  r.check(ENV.tableName, tableName, (v) => TABLE_NAME.test(v), "a DynamoDB table name");
  const topicArn = r.required(ENV.topicArn, "the alert topic's ARN");
  r.check(ENV.topicArn, topicArn, (v) => TOPIC_ARN.test(v), "an SNS topic ARN");
  const alertMinSeverity = r.severity(ENV.alertMinSeverity, "HIGH");
  const scopeConcurrency = r.positiveInteger(ENV.scopeConcurrency);
  const historyRetentionDays = r.positiveInteger(ENV.historyRetentionDays);
  const requestTimeoutMs = r.positiveInteger(ENV.requestTimeoutMs);
  const writeReserveMs = r.positiveInteger(ENV.writeReserveMs);
  const dynamodbEndpointUrl = r.url(ENV.dynamodbEndpointUrl);
  const securityHub = r.flag(ENV.securityHub);
  const suppressionsFile = r.optional(ENV.suppressionsFile);
  const teamTagKeys = r.teamTagKeys(ENV.teamTagKeys);
  return r.done("scanner", {
    ...access,
    tableName,
    topicArn,
    alertMinSeverity,
    ...(scopeConcurrency ? { scopeConcurrency } : {}),
    ...(historyRetentionDays ? { historyRetentionDays } : {}),
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    ...(writeReserveMs ? { writeReserveMs } : {}),
    ...(dynamodbEndpointUrl ? { dynamodbEndpointUrl } : {}),
    ...(securityHub ? { securityHub } : {}),
    ...(suppressionsFile ? { suppressionsFile } : {}),
    ...(teamTagKeys ? { teamTagKeys } : {}),
  });
}

/** The account selection `resolveAccounts` takes (exclusions of a static list are applied by the planner). */
export function accountSelectionOf(accounts: PlannerConfig["accounts"]): AccountSelection {
  return accounts.kind === "org"
    ? { kind: "org", exclude: accounts.exclude }
    : { kind: "list", accountIds: accounts.accountIds, exclude: accounts.exclude };
}
