import { createHash, randomUUID } from "node:crypto";
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { planScopes, type RegionSelection, resolveAccounts } from "#shared/scan/plan.ts";
import type { Scope } from "#shared/scan/scan-scope.ts";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { type AwsAccessConfig, accountSelectionOf, type PlannerConfig } from "./config.ts";

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
  const scheduledAt = at.toISOString();
  const seed = event?.executionId ?? event?.id ?? requestId ?? randomUUID();
  const hex = createHash("sha256").update(seed).digest("hex").slice(0, 8);
  return { runId: `${scheduledAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${hex}`, scheduledAt };
}

export interface PlanRunOptions extends Run {
  /** A static list, or the organisation's ACTIVE accounts; `exclude` applies to both. */
  accounts: PlannerConfig["accounts"];
  regions: RegionSelection;
  /** Lists the organisation's accounts; default `factory` (the caller's own credentials). */
  organizations?: AwsClientFactory | undefined;
  /** An account whose regions could not be listed: it gets a task for the home region regardless. */
  onUnreachable?: (scope: Scope, error: unknown) => void;
}

/**
 * One scan task per account-region: the accounts (Organizations ListAccounts, ACTIVE only, or the static
 * list) minus the exclusions, times the configured regions or each account's enabled regions. An account
 * whose regions cannot be listed (the member role is missing or denies) still gets one task, for the home
 * region, so that the scanner records its `scan.access-denied` finding instead of silently skipping it.
 */
export async function planRun(factory: AwsClientFactory, options: PlanRunOptions): Promise<ScanTask[]> {
  const exclude = new Set(options.accounts.exclude);
  const selection = accountSelectionOf(options.accounts);
  const accountIds = (await resolveAccounts(options.organizations ?? factory, selection)).filter(
    (id) => !exclude.has(id),
  );
  const plan = await planScopes(factory, accountIds, options.regions);
  for (const { scope, error } of plan.unreachable) options.onUnreachable?.(scope, error);
  const scopes = [...plan.scopes, ...plan.unreachable.map((u) => u.scope)];
  const seen = new Set<string>();
  const tasks: ScanTask[] = [];
  for (const { accountId, region } of scopes) {
    const key = `${accountId}/${region}`;
    if (seen.has(key)) continue;
    seen.add(key);
    tasks.push({ runId: options.runId, accountId, region, scheduledAt: options.scheduledAt });
  }
  return tasks.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
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
): { factory: AwsClientFactory; organizations?: AwsClientFactory; destroy(): void } {
  const access = {
    runId,
    roleName: config.memberRoleName,
    homeRegion: config.homeRegion,
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
  };
  const factory = new AwsClientFactory(access);
  if (config.orgRoleArn === undefined) return { factory, destroy: () => factory.destroy() };
  const organizations = new AwsClientFactory({
    ...access,
    credentials: fromTemporaryCredentials({
      params: { RoleArn: config.orgRoleArn, RoleSessionName: `eks-auditor-${runId}`.slice(0, 64) },
      clientConfig: {
        region: config.homeRegion,
        ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
      },
    }),
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
