import { type CallRecorder, scopeKey } from "#shared/aws/call-recorder.ts";
import type { AwsClientFactory } from "#shared/aws/clients.ts";
import { ALL_RULES, evaluateRules, type RuleDefinition } from "#shared/catalog/index.ts";
import {
  DEFAULT_TEAM_TAG_KEYS,
  type Finding,
  NO_CLUSTER,
  type Severity,
  teamOfTags,
  type UnreadResource,
  withTeams,
} from "#shared/findings/index.ts";
import { collectInventory } from "#shared/inventory/collect.ts";
import type { Inventory, SubnetSample } from "#shared/inventory/types.ts";
import { FORECAST_WINDOW_DAYS } from "#shared/models/forecast/forecast.ts";
import { subnetSamples, withCurrentSamples } from "#shared/models/forecast/samples.ts";
import { classifyScanError, errorMessage, errorName, isCredentialOrTokenError } from "./errors.ts";
import { enabledRegions, type PlanError, type PlannedScope } from "./plan.ts";

export interface Scope {
  accountId: string;
  region: string;
}

export interface ScopeResult extends Scope {
  /** Only a complete scan may resolve findings of its scope. */
  status: "complete" | "failed";
  findings: Finding[];
  error?: { name: string; message: string };
  startedAt: string;
  durationMs: number;
  clusters: number;
  nodegroups: number;
  /** API calls made for this scope, by `Service.Operation`. */
  apiCalls: Record<string, number>;
  /** What a complete scan could not read: findings about it must not be resolved. */
  unread?: UnreadResource[];
  /** Tags of each cluster the complete scan read (DescribeCluster `tags`), by name: suppressions match them. */
  clusterTags?: Record<string, Record<string, string>>;
  /**
   * Subnet samples to record (a complete scan with history, nothing it needs unread): this hour's, for the
   * subnets whose hour is not stored yet.
   */
  samples?: SubnetSample[];
}

/** Reads stored subnet samples taken in [from, to] (the findings store's `samples.ofSubnets`). */
export type SampleHistoryReader = (
  subnetIds: readonly string[],
  from: string,
  to: string,
) => Promise<ReadonlyMap<string, readonly SubnetSample[]>>;

export interface ScanScopeOptions {
  /**
   * Aborts the scan (the scanner's invocation deadline): `scanScope` then rejects with
   * `ScanAbortedError` instead of returning a result, so the caller writes nothing partial.
   */
  signal?: AbortSignal;
  rules?: readonly RuleDefinition[];
  /** Calls in flight at once inside the account-region. */
  concurrency?: number;
  recorder?: CallRecorder;
  /** Cluster tag keys naming the owning team, first match wins (default DEFAULT_TEAM_TAG_KEYS). */
  teamTagKeys?: readonly string[];
  /** When the inventory was observed (an estate's `capturedAt`); default: when the scan started. */
  observedAt?: string;
  /** The findings store's samples: with it the scan samples its subnets and the forecast rule has history. */
  sampleHistory?: SampleHistoryReader;
}

/** The scan was stopped from outside (a deadline): not a result of the scope, so nothing may be recorded. */
export class ScanAbortedError extends Error {
  override readonly name = "ScanAbortedError";
}

/** Rejects with `ScanAbortedError` as soon as `signal` aborts; otherwise settles as `work` does. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, scope: Scope): Promise<T> {
  if (signal === undefined) return work;
  const aborted = () =>
    new ScanAbortedError(
      `${scope.accountId} ${scope.region}: scan aborted (${String(signal.reason ?? "deadline")})`,
    );
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Scans one account-region: collect, evaluate; a failure becomes its scan.* finding, never a throw —
 * except an abort through `options.signal`, which rejects with `ScanAbortedError`. A scope planned with
 * `planError` (its account's regions could not be listed) is recorded as failed with that error,
 * without calling AWS again.
 */
export async function scanScope(
  factory: AwsClientFactory,
  scope: PlannedScope,
  options: ScanScopeOptions = {},
): Promise<ScopeResult> {
  const started = Date.now();
  const { accountId, region } = scope;
  const base = { accountId, region, startedAt: new Date(started).toISOString() };
  const calls = () => options.recorder?.forScope(scopeKey(accountId, region)) ?? {};
  const failed = async (err: unknown): Promise<ScopeResult> => {
    const regionDisabled = await regionKnownDisabled(factory, scope, err);
    return {
      ...base,
      status: "failed",
      findings: [scanFailureFinding(scope, err, factory.roleArn(accountId), regionDisabled)],
      error: { name: errorName(err), message: errorMessage(err) },
      durationMs: Date.now() - started,
      clusters: 0,
      nodegroups: 0,
      apiCalls: calls(),
    };
  };
  if (scope.planError !== undefined) return failed(planErrorAsError(scope.planError));
  try {
    const clients = await factory.scopeClients(accountId, region);
    const inventory = await unlessAborted(
      collectInventory(
        clients,
        options.concurrency === undefined ? {} : { concurrency: options.concurrency },
      ),
      options.signal,
      scope,
    );
    const samples = options.sampleHistory
      ? await unlessAborted(
          withHistory(inventory, options.sampleHistory, options.observedAt ?? base.startedAt),
          options.signal,
          scope,
        )
      : undefined;
    // The team goes on the finding (and so on its stored item): the notifier routes by it, even for
    // transitions it re-reads from the store after a crash.
    const tagKeys = options.teamTagKeys ?? DEFAULT_TEAM_TAG_KEYS;
    const teams = new Map(
      inventory.clusters.map((c) => [c.cluster.name, teamOfTags(c.cluster.tags, tagKeys)]),
    );
    const findings = withTeams(evaluateRules(inventory, options.rules ?? ALL_RULES), (cluster) =>
      teams.get(cluster),
    );
    return {
      ...base,
      status: "complete",
      findings,
      durationMs: Date.now() - started,
      clusters: inventory.clusters.length,
      nodegroups: inventory.clusters.reduce((n, c) => n + c.nodegroups.length, 0),
      apiCalls: calls(),
      unread: inventory.unread,
      ...(samples ? { samples } : {}),
      clusterTags: Object.fromEntries(
        inventory.clusters.flatMap(({ cluster }) =>
          cluster.name === undefined ? [] : [[cluster.name, { ...(cluster.tags ?? {}) }]],
        ),
      ),
    };
  } catch (err) {
    if (err instanceof ScanAbortedError || options.signal?.aborted) {
      throw err instanceof ScanAbortedError
        ? err
        : new ScanAbortedError(`${accountId} ${region}: scan aborted`);
    }
    return failed(err);
  }
}

/** A history read that failed: the forecast is not evaluated, and its open findings stay as they are. */
const HISTORY_RULES = ["ip.subnet-exhaustion-forecast"];

/**
 * Samples the inventory's capacity subnets, reads their stored history and attaches both to the inventory for
 * the forecast rule. Returns the samples to record: none when something the ip rules read is missing (a
 * sample must be as complete as the scan), or when the history could not be read (named as unread).
 */
async function withHistory(
  inventory: Inventory,
  read: SampleHistoryReader,
  observedAt: string,
): Promise<SubnetSample[]> {
  const at = new Date(observedAt).toISOString();
  const current = subnetSamples(inventory, at);
  if (current.length === 0) return [];
  const from = new Date(Date.parse(at) - FORECAST_WINDOW_DAYS * 86_400_000).toISOString();
  let stored: ReadonlyMap<string, readonly SubnetSample[]>;
  try {
    stored = await read(
      current.map((s) => s.subnetId),
      from,
      at,
    );
  } catch (err) {
    const clusters = new Set(current.flatMap((s) => s.groups.map((g) => g.cluster)));
    for (const cluster of [...clusters].sort()) {
      inventory.unread.push({
        cluster,
        rulePrefixes: HISTORY_RULES,
        what: "Query subnet samples",
        errorName: errorName(err),
      });
    }
    return [];
  }
  const { bySubnet, toRecord } = withCurrentSamples(stored, current);
  inventory.history = { asOf: at, bySubnet };
  const ipGap = inventory.unread.some(
    (u) => u.rulePrefixes === undefined || u.rulePrefixes.some((p) => p.startsWith("ip")),
  );
  return ipGap ? [] : toRecord;
}

/** The planning error as the Error it was (its AWS name), for the classification and the finding. */
function planErrorAsError(planError: PlanError): Error {
  const err = new Error(planError.message);
  err.name = planError.name;
  return err;
}

/**
 * A credential or token error in a region is "region not enabled" only when the account's own enabled
 * regions (DescribeRegions from the home region) leave it out; when that cannot be read, it stays denied.
 * One extra call, on this error path only.
 */
export async function regionKnownDisabled(
  factory: AwsClientFactory,
  scope: Scope,
  err: unknown,
): Promise<boolean> {
  if (!isCredentialOrTokenError(err) || scope.region === factory.homeRegion) return false;
  try {
    return !(await enabledRegions(factory, scope.accountId)).includes(scope.region);
  } catch {
    return false;
  }
}

/** The coverage finding for a scope that could not be scanned. */
export function scanFailureFinding(
  scope: Scope,
  err: unknown,
  roleArn: string,
  regionDisabled = false,
): Finding {
  const ruleId = classifyScanError(err, regionDisabled);
  const name = errorName(err);
  const message = errorMessage(err).replace(/\.+$/, "");
  const common = { accountId: scope.accountId, region: scope.region, cluster: NO_CLUSTER, ruleId };
  const evidence = { errorName: name, errorMessage: message, roleArn };
  if (ruleId === "scan.access-denied") {
    return {
      ...common,
      resourceId: roleArn,
      severity: "HIGH" satisfies Severity,
      title: `Access denied: ${scope.accountId} ${scope.region} was not scanned`,
      detail: `${name}: ${message}. Findings of this account-region are kept as they were; none is resolved until a scan completes.`,
      remediation:
        `Deploy the member role to ${scope.accountId} (the EksAuditorMemberRole StackSet, see README "Deploy"), ` +
        `or check its trust policy and permissions: aws iam get-role --role-name ${roleArn.split("/").pop()} ` +
        "--query Role.AssumeRolePolicyDocument (run in that account).",
      evidence,
    };
  }
  if (ruleId === "scan.region-unavailable") {
    return {
      ...common,
      resourceId: scope.region,
      severity: "INFO",
      title: `Region ${scope.region} is not enabled for ${scope.accountId}`,
      detail: `${name}: ${message}. The region was skipped.`,
      remediation: `Remove ${scope.region} from the scanned regions, or enable it: aws account enable-region --account-id ${scope.accountId} --region-name ${scope.region}`,
      evidence,
    };
  }
  return {
    ...common,
    resourceId: `${scope.accountId}/${scope.region}`,
    // A whole account-region unscanned is a silent gap until someone looks: HIGH pages by default
    // (the catalog's MEDIUM stays for a single resource a complete scan could not read).
    severity: "HIGH",
    title: `Scan failed: ${scope.accountId} ${scope.region} was not scanned`,
    detail: `${name}: ${message}. Findings of this account-region are kept as they were; none is resolved until a scan completes.`,
    remediation:
      `Re-run the scan; if it persists, run eks-audit scan --accounts ${scope.accountId} --regions ${scope.region} --store none ` +
      "locally and open an issue with the error.",
    evidence,
  };
}
