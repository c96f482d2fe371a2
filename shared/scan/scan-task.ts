import type { CallRecorder } from "#shared/aws/call-recorder.ts";
import type { AwsClientFactory } from "#shared/aws/clients.ts";
import type { RuleDefinition } from "#shared/catalog/index.ts";
import type { Notifier, NotifyResult } from "#shared/notify/index.ts";
import type { FindingsStore, Transition } from "#shared/store/index.ts";
import {
  type SuppressedFinding,
  type SuppressionMatcher,
  suppressionsByKey,
} from "#shared/suppress/match.ts";
import { ACCOUNT_ID_PATTERN, ACCOUNT_NAME_PATTERN, REGION_PATTERN } from "./patterns.ts";
import type { PlanError } from "./plan.ts";
import { type SampleHistoryReader, ScanAbortedError, type ScopeResult, scanScope } from "./scan-scope.ts";

/** One account-region to scan: the SQS message body the planner sends and the scanner reads. */
export interface ScanTask {
  runId: string;
  accountId: string;
  region: string;
  scheduledAt: string;
  /** The account's name from Organizations ListAccounts; absent with a static account list. Shown in alerts. */
  accountName?: string;
  /** The account's regions could not be listed: the scan records this error without calling AWS. */
  planError?: PlanError;
}

export interface ScanTaskDeps {
  factory: AwsClientFactory;
  /** Without a store the task only scans (`eks-audit scan --store none`): no reconcile, no alert. */
  store?: FindingsStore;
  /** Pages the transitions; only with a store. */
  notifier?: Notifier;
  recorder?: CallRecorder;
  rules?: readonly RuleDefinition[];
  /** Calls in flight at once inside the scope. */
  scopeConcurrency?: number;
  /** Aborts the scan (the invocation's deadline): the task then rejects and nothing is reconciled. */
  signal?: AbortSignal;
  /** Accepted risks (a suppressions file): the findings it covers are stored SUPPRESSED and never page. */
  suppressions?: SuppressionMatcher;
  /** Epoch milliseconds; when suppressions expire is judged by it (default: the wall clock after the scan). */
  clock?: () => number;
  /** Cluster tag keys naming the owning team (default `team`, `owner`): the alerts' `team` attribute. */
  teamTagKeys?: readonly string[];
  /**
   * When the scanned world was observed: an estate's `capturedAt` (a series of snapshots replays a history).
   * Default: when the scan started. Subnet samples are recorded at this time.
   */
  observedAt?: string;
}

export interface ScanTaskOutcome {
  result: ScopeResult;
  /** Undefined without a store. */
  transitions?: Transition[];
  /** Undefined without a store and notifier. */
  notification?: NotifyResult;
  /** Findings of `result` the suppressions cover (stored SUPPRESSED, never paged); empty without suppressions. */
  suppressed: SuppressedFinding[];
}

/** Raised for a message that is not a scan task; the error names the field. */
export class InvalidScanTaskError extends Error {
  override readonly name = "InvalidScanTaskError";
}

/** Parses and checks an SQS message body. */
export function parseScanTask(body: string): ScanTask {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new InvalidScanTaskError("scan task: body is not JSON");
  }
  if (typeof raw !== "object" || raw === null)
    throw new InvalidScanTaskError("scan task: body is not a JSON object");
  const r = raw as Record<string, unknown>;
  const field = (name: string, ok: (v: string) => boolean, expected: string): string => {
    const v = r[name];
    if (typeof v !== "string" || !ok(v))
      throw new InvalidScanTaskError(`scan task: ${name} must be ${expected}`);
    return v;
  };
  return {
    runId: field(
      "runId",
      (v) => v.length > 0 && v.length <= 64,
      "a non-empty string of at most 64 characters",
    ),
    accountId: field("accountId", (v) => ACCOUNT_ID_PATTERN.test(v), "a 12-digit account id"),
    region: field("region", (v) => REGION_PATTERN.test(v), "a region name such as eu-west-1"),
    scheduledAt: field("scheduledAt", (v) => !Number.isNaN(Date.parse(v)), "an ISO-8601 timestamp"),
    ...(r.accountName === undefined
      ? {}
      : {
          accountName: field(
            "accountName",
            (v) => ACCOUNT_NAME_PATTERN.test(v) && v.trim() === v,
            "1 to 128 printable ASCII characters without leading or trailing blanks",
          ),
        }),
    ...planErrorOf(r.planError),
  };
}

function planErrorOf(value: unknown): { planError?: PlanError } {
  if (value === undefined) return {};
  const e = value as Record<string, unknown> | null;
  if (
    typeof e !== "object" ||
    e === null ||
    typeof e.name !== "string" ||
    typeof e.message !== "string" ||
    e.name.length > 256 ||
    e.message.length > 2048
  ) {
    throw new InvalidScanTaskError(
      "scan task: planError must be {name, message} strings (at most 256/2048 characters)",
    );
  }
  return { planError: { name: e.name, message: e.message } };
}

/**
 * Scans one account-region, reconciles the result with the store and pages on transitions: the one unit
 * of work of the scanner Lambda, `eks-audit scan` (with or without a store) and the benchmark. Reconcile
 * before notify, so a crash in between pages on redelivery (the store keeps un-notified transitions).
 */
export function processScanTask(
  task: ScanTask,
  deps: ScanTaskDeps & { store: FindingsStore; notifier: Notifier },
): Promise<Required<ScanTaskOutcome>>;
export function processScanTask(task: ScanTask, deps: ScanTaskDeps): Promise<ScanTaskOutcome>;
export async function processScanTask(task: ScanTask, deps: ScanTaskDeps): Promise<ScanTaskOutcome> {
  const scope = { accountId: task.accountId, region: task.region };
  const planned = task.planError ? { ...scope, planError: task.planError } : scope;
  const result = await scanScope(deps.factory, planned, {
    ...(deps.rules ? { rules: deps.rules } : {}),
    ...(deps.recorder ? { recorder: deps.recorder } : {}),
    ...(deps.scopeConcurrency ? { concurrency: deps.scopeConcurrency } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.teamTagKeys ? { teamTagKeys: deps.teamTagKeys } : {}),
    ...(deps.observedAt ? { observedAt: deps.observedAt } : {}),
    ...(deps.store ? { sampleHistory: sampleReader(deps.store) } : {}),
  });
  // A deadline that fell after the scan: still nothing is written, the task is retried whole.
  if (deps.signal?.aborted)
    throw new ScanAbortedError(`${task.accountId} ${task.region}: aborted before reconcile`);
  // Expiry is judged by the clock when the findings are matched, not by an estate's capture time.
  const now = deps.clock?.() ?? Date.now();
  const suppressed = deps.suppressions?.suppressed(result.findings, result.clusterTags ?? {}, now) ?? [];
  if (deps.store === undefined) return { result, suppressed };
  const transitions = await deps.store.writer.reconcileScope(scope, result.findings, {
    status: result.status,
    runId: task.runId,
    scannedAt: result.startedAt,
    ...(result.error ? { error: result.error } : {}),
    ...(result.unread ? { unread: result.unread } : {}),
    ...(suppressed.length > 0 ? { suppressed: suppressionsByKey(suppressed) } : {}),
  });
  let notification: NotifyResult | undefined;
  if (deps.notifier !== undefined) {
    const alertScope = task.accountName ? { ...scope, accountName: task.accountName } : scope;
    notification = await deps.notifier.notify(alertScope, task.runId, transitions);
  }
  // Last: alerts do not wait for the history. A failure throws, and a redelivered task samples again.
  if (result.status === "complete" && result.samples && result.samples.length > 0) {
    await deps.store.samples.record(result.samples);
  }
  return notification === undefined
    ? { result, transitions, suppressed }
    : { result, transitions, notification, suppressed };
}

function sampleReader(store: FindingsStore): SampleHistoryReader {
  return (subnetIds, from, to) => store.samples.ofSubnets(subnetIds, from, to);
}
