import pLimit from "p-limit";
import type { CallRecorder } from "#shared/aws/call-recorder.ts";
import type { AwsClientFactory } from "#shared/aws/clients.ts";
import { DEFAULT_CONCURRENCY } from "./defaults.ts";
import { planScopes, type RegionSelection, tasksOfPlan } from "./plan.ts";
import { runIdOf } from "./run-id.ts";
import type { ScopeResult } from "./scan-scope.ts";
import { processScanTask, type ScanTask, type ScanTaskDeps, type ScanTaskOutcome } from "./scan-task.ts";

/** What one task ended with: its outcome, or the error that stopped it (the store or the notifier threw). */
export type TaskSettlement =
  | { task: ScanTask; outcome: ScanTaskOutcome; error?: undefined }
  | { task: ScanTask; outcome?: undefined; error: unknown };

export interface RunTasksOptions {
  /** Tasks in flight at once. */
  concurrency?: number;
  /** Called as each task settles, so callers stream results instead of holding them. */
  onSettled?: (settled: TaskSettlement) => void | Promise<void>;
}

/**
 * The one fan-out: every task through `processScanTask` (scan, and with a store reconcile and notify),
 * at a bounded concurrency. A task that throws does not stop the others; its error is reported through
 * `onSettled`. Nothing is kept per task here.
 */
export async function runScanTasks(
  tasks: readonly ScanTask[],
  deps: ScanTaskDeps,
  options: RunTasksOptions = {},
): Promise<void> {
  const limit = pLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
  await Promise.all(
    tasks.map((task) =>
      limit(async () => {
        let settled: TaskSettlement;
        try {
          settled = { task, outcome: await processScanTask(task, deps) };
        } catch (error) {
          settled = { task, error };
        }
        await options.onSettled?.(settled);
      }),
    ),
  );
}

/**
 * Plans the account-regions and scans them without a store, holding every result: for tests and small
 * one-off runs (the CLI streams through `runScanTasks` instead).
 */
export async function scanAccounts(
  factory: AwsClientFactory,
  accountIds: readonly string[],
  regions: RegionSelection,
  options: { concurrency?: number; recorder?: CallRecorder; runId?: string } = {},
): Promise<ScopeResult[]> {
  const plan = await planScopes(factory, accountIds, regions);
  const at = new Date();
  const tasks = tasksOfPlan(plan, { runId: options.runId ?? runIdOf(at), scheduledAt: at.toISOString() });
  const results: ScopeResult[] = [];
  await runScanTasks(
    tasks,
    { factory, ...(options.recorder ? { recorder: options.recorder } : {}) },
    {
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onSettled: (s) => {
        // Without a store nothing but the scan runs, and scanScope never throws but for an abort.
        if (s.outcome === undefined) throw s.error;
        results.push(s.outcome.result);
      },
    },
  );
  return results;
}
