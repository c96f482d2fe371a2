import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { AccountClientFactory } from "#shared/aws/account-clients.ts";
import { runIdOf } from "#shared/scan/run-id.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import type { AwsAccessConfig } from "./config.ts";

/** SQS SendMessageBatch takes at most 10 entries. */
export const SQS_BATCH_MAX = 10;
const DEFAULT_SEND_ATTEMPTS = 5;

/**
 * What EventBridge Scheduler passes (the stack sets this input with Scheduler's context attributes), an
 * EventBridge scheduled event (`time`, `id`), or nothing for a manual invocation.
 */
export interface PlannerEvent {
  scheduledTime?: string;
  executionId?: string;
  scheduleArn?: string;
  time?: string;
  id?: string;
}

export interface Run {
  /** `20261125T061500Z-1a2b3c4d`: the scheduled time and a hash of the invocation. */
  runId: string;
  scheduledAt: string;
}

/**
 * The run an invocation stands for. Deterministic for one Scheduler invocation (its execution id, or
 * Lambda's request id on an async retry), so a retried planner reuses the runId.
 */
export function runOfInvocation(
  event: PlannerEvent | null | undefined,
  requestId?: string,
  now = new Date(),
): Run {
  const stamp = [event?.scheduledTime, event?.time].find(
    (t) => typeof t === "string" && !Number.isNaN(Date.parse(t)),
  );
  const at = stamp === undefined ? now : new Date(stamp);
  const seed = event?.executionId ?? event?.id ?? requestId;
  return { runId: runIdOf(at, seed), scheduledAt: at.toISOString() };
}

/** Raised when some tasks could not be enqueued; names how many and the last SQS error. */
export class EnqueueError extends Error {
  override readonly name = "EnqueueError";
}

export interface EnqueueOptions {
  /** Attempts per entry when SQS answers it in `Failed` (the SDK retries whole-call errors itself). */
  maxAttempts?: number;
  /** Base delay before re-sending failed entries; doubles each round. */
  retryDelayMs?: number;
}

export interface EnqueueResult {
  sent: number;
  /** SendMessageBatch calls made, retries included. */
  calls: number;
  /** Entries sent again after SQS answered them in `Failed`. */
  retried: number;
}

/**
 * Sends the tasks to the scan queue, 10 per SendMessageBatch, and re-sends the entries SQS reports in
 * `Failed` (a batch call succeeds even when some of its entries did not). Sender faults (a malformed
 * entry) are not retried.
 */
export async function enqueueScanTasks(
  sqs: SQSClient,
  queueUrl: string,
  tasks: readonly ScanTask[],
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_SEND_ATTEMPTS;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const result: EnqueueResult = { sent: 0, calls: 0, retried: 0 };
  for (let start = 0; start < tasks.length; start += SQS_BATCH_MAX) {
    let pending: SendMessageBatchRequestEntry[] = tasks
      .slice(start, start + SQS_BATCH_MAX)
      .map((task, i) => ({
        Id: `t${start + i}`,
        MessageBody: JSON.stringify(task),
      }));
    let lastError = "";
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (attempt - 2)));
        result.retried += pending.length;
      }
      result.calls += 1;
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      result.sent += out.Successful?.length ?? 0;
      const failed = out.Failed ?? [];
      if (failed.length === 0) break;
      const senderFaults = failed.filter((f) => f.SenderFault);
      const last = failed.at(-1);
      lastError = `${last?.Code ?? "Error"}: ${last?.Message ?? "no message"}`;
      if (senderFaults.length > 0 || attempt >= maxAttempts) {
        throw new EnqueueError(
          `${failed.length} of ${tasks.length} scan tasks could not be sent to ${queueUrl} after ${attempt} attempt(s)` +
            `${senderFaults.length > 0 ? " (sender fault, not retried)" : ""}; last error ${lastError}`,
        );
      }
      const failedIds = new Set(failed.map((f) => f.Id));
      pending = pending.filter((e) => failedIds.has(e.Id));
    }
  }
  return result;
}

/**
 * The planner's clients: one factory for the caller's credentials (member roles for DescribeRegions), and
 * with `orgRoleArn` a second one whose own credentials come from assuming that role, for Organizations.
 */
export function plannerFactories(
  config: AwsAccessConfig & { orgRoleArn?: string },
  runId: string,
): { factory: AccountClientFactory; organizations?: AccountClientFactory; destroy(): void } {
  const access = {
    runId,
    roleName: config.memberRoleName,
    homeRegion: config.homeRegion,
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
  };
  const factory = new AccountClientFactory(access);
  if (config.orgRoleArn === undefined) return { factory, destroy: () => factory.destroy() };
  const organizations = new AccountClientFactory({
    ...access,
    callerRoleArn: config.orgRoleArn,
  });
  return {
    factory,
    organizations,
    destroy: () => {
      factory.destroy();
      organizations.destroy();
    },
  };
}
