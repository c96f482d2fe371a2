import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSRecord } from "aws-lambda";
import type { ScannerConfig } from "#functions/commons/config.ts";
import { SCANNER_METRICS as M } from "#functions/commons/powertools/names.ts";
import { CallRecorder, scopeKey } from "#shared/aws/call-recorder.ts";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { SEVERITIES } from "#shared/findings/index.ts";
import type { Notifier } from "#shared/notify/index.ts";
import { ScanAbortedError } from "#shared/scan/scan-scope.ts";
import {
  parseScanTask,
  processScanTask,
  type ScanTask,
  type ScanTaskOutcome,
} from "#shared/scan/scan-task.ts";
import type { FindingsStore } from "#shared/store/index.ts";
import { TRANSITION_TYPES } from "#shared/store/index.ts";
import type { SuppressionMatcher } from "#shared/suppress/match.ts";
import { DEFAULT_WRITE_RESERVE_MS, DeadlineError, scanBudgetMs } from "./deadline.ts";

export interface ScanRecordDeps {
  config: ScannerConfig;
  store: FindingsStore;
  notifier: Notifier;
  logger: Logger;
  metrics: Metrics;
  /** The deployment's accepted risks: matching findings are stored SUPPRESSED and never page. */
  suppressions?: SuppressionMatcher;
}

const SCOPE_KEYS = ["runId", "accountId", "region"];

/**
 * The scanner's unit of work for one SQS record: parse the task, scan, reconcile, notify, and count.
 * Throws (so the record lands in `batchItemFailures`) when the body is not a task or reconcile/notify
 * failed; a scope whose scan failed is a result, not an error: its `scan.*` finding is stored.
 *
 * The AWS client factory lives for one run (runId): records of the run share the caller identity and
 * the assumed member-role credentials, and a new run gets fresh sessions named after it.
 */
export class ScanRecordHandler {
  private run: { runId: string; factory: AwsClientFactory; recorder: CallRecorder } | undefined;

  constructor(private readonly deps: ScanRecordDeps) {}

  readonly handle = async (
    record: SQSRecord,
    context?: Context,
  ): Promise<ScanTaskOutcome["notification"]> => {
    const { config, logger, metrics } = this.deps;
    let task: ScanTask;
    try {
      task = parseScanTask(record.body);
    } catch (err) {
      metrics.addMetric(M.failedRecords, MetricUnit.Count, 1);
      logger.error("Malformed scan task: record left for redelivery and the DLQ", {
        messageId: record.messageId,
        body: record.body.slice(0, 500),
        error: err as Error,
      });
      throw err;
    }
    logger.appendKeys({ runId: task.runId, accountId: task.accountId, region: task.region });
    const reserveMs = config.writeReserveMs ?? DEFAULT_WRITE_RESERVE_MS;
    const remainingMs = context?.getRemainingTimeInMillis();
    const budget = scanBudgetMs(remainingMs, reserveMs);
    const deadline = new AbortController();
    const timer =
      typeof budget === "number"
        ? setTimeout(
            () =>
              deadline.abort(
                new DeadlineError(`invocation deadline: ${reserveMs} ms left for writing, the scan stopped`),
              ),
            budget,
          )
        : undefined;
    try {
      if (budget === "defer") {
        throw new DeadlineError(
          `${remainingMs} ms left in the invocation: too little to scan and store ${task.accountId} ${task.region} (needs ${2 * reserveMs} ms)`,
        );
      }
      const outcome = await this.scan(task, deadline.signal);
      return outcome.notification;
    } catch (err) {
      if (err instanceof DeadlineError || err instanceof ScanAbortedError) {
        // Not a failure of the scope: nothing of it was written, SQS hands the record out again.
        metrics.addMetric(M.recordsDeferred, MetricUnit.Count, 1);
        logger.warn("Record deferred to a later invocation: nothing written", {
          messageId: record.messageId,
          remainingMs,
          reason: (err as Error).message,
        });
      } else {
        metrics.addMetric(M.failedRecords, MetricUnit.Count, 1);
        logger.error("Scan task failed: reconcile or notify threw", {
          messageId: record.messageId,
          error: err as Error,
        });
      }
      throw err;
    } finally {
      clearTimeout(timer);
      logger.removeKeys(SCOPE_KEYS);
    }
  };

  /** Closes the sockets of the current run's clients. */
  destroy(): void {
    this.run?.factory.destroy();
    this.run = undefined;
  }

  private async scan(task: ScanTask, signal: AbortSignal): Promise<ScanTaskOutcome> {
    const { config, store, notifier, logger, metrics, suppressions } = this.deps;
    const { factory, recorder } = this.clientsFor(task.runId);
    const key = scopeKey(task.accountId, task.region);
    let apiCalls = 0;
    // The deadline cancels the scope's in-flight AWS calls too, so no socket keeps the invocation busy.
    factory.abortScopeOn(task.accountId, task.region, signal);
    const outcome = await processScanTask(task, {
      factory,
      store,
      notifier,
      recorder,
      signal,
      ...(config.scopeConcurrency ? { scopeConcurrency: config.scopeConcurrency } : {}),
      ...(suppressions ? { suppressions } : {}),
      ...(config.teamTagKeys ? { teamTagKeys: config.teamTagKeys } : {}),
    }).finally(() => {
      factory.releaseScope(task.accountId, task.region);
      // The scope's calls, then forgotten (a failed scan's too): the run's recorder keeps nothing per scope.
      apiCalls = recorder.total(key);
      recorder.forget(key);
    });
    const { result, transitions, notification, suppressed } = outcome;

    metrics.addMetric(M.scopesScanned, MetricUnit.Count, 1);
    metrics.addMetric(M.scanErrors, MetricUnit.Count, result.status === "failed" ? 1 : 0);
    metrics.addMetric(M.scopesCompleted, MetricUnit.Count, result.status === "complete" ? 1 : 0);
    metrics.addMetric(M.apiCalls, MetricUnit.Count, apiCalls);
    metrics.addMetric(M.scanDuration, MetricUnit.Milliseconds, result.durationMs);
    if (notification.status === "published") metrics.addMetric(M.alertsPublished, MetricUnit.Count, 1);
    for (const severity of SEVERITIES) {
      const n = result.findings.filter((f) => f.severity === severity).length;
      if (n > 0)
        metrics.singleMetric().addDimension("severity", severity).addMetric(M.findings, MetricUnit.Count, n);
    }
    for (const type of TRANSITION_TYPES) {
      const n = transitions.filter((t) => t.type === type).length;
      if (n > 0)
        metrics.singleMetric().addDimension("transition", type).addMetric(M.transitions, MetricUnit.Count, n);
    }

    const summary = {
      status: result.status,
      findings: result.findings.length,
      suppressed: suppressed.length,
      transitions: transitions.length,
      clusters: result.clusters,
      nodegroups: result.nodegroups,
      apiCalls,
      durationMs: result.durationMs,
      notification: notification.status,
      ...(notification.securityHub
        ? {
            securityHubImported: notification.securityHub.imported,
            securityHubArchived: notification.securityHub.archived,
          }
        : {}),
    };
    if (result.status === "failed") {
      logger.warn("Scope not scanned: its scan.* finding is stored", { ...summary, error: result.error });
    } else {
      logger.info("Scope scanned", summary);
    }
    return outcome;
  }

  private clientsFor(runId: string): { factory: AwsClientFactory; recorder: CallRecorder } {
    if (this.run?.runId !== runId) {
      this.destroy();
      const { config } = this.deps;
      const recorder = new CallRecorder();
      const factory = new AwsClientFactory({
        runId,
        recorder,
        roleName: config.memberRoleName,
        homeRegion: config.homeRegion,
        ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
        ...(config.requestTimeoutMs ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
      });
      this.run = { runId, factory, recorder };
    }
    return this.run;
  }
}
