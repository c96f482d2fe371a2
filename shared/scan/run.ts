import pLimit from "p-limit";
import type { CallRecorder } from "#shared/aws/call-recorder.ts";
import type { AwsClientFactory } from "#shared/aws/clients.ts";
import type { RuleDefinition } from "#shared/catalog/index.ts";
import { errorMessage, errorName } from "./errors.ts";
import { planScopes, type RegionSelection, type ScopePlan } from "./plan.ts";
import { type Scope, type ScopeResult, scanFailureFinding, scanScope } from "./scan-scope.ts";

export interface RunOptions {
  accountIds: readonly string[];
  regions: RegionSelection;
  /** Scopes scanned at once. */
  concurrency?: number;
  /** Calls in flight at once inside one scope. */
  scopeConcurrency?: number;
  rules?: readonly RuleDefinition[];
  recorder?: CallRecorder;
  /** Called once the scopes are known. */
  onPlan?: (plan: ScopePlan) => void;
  /** Called as each scope finishes, so callers can stream results instead of holding them. */
  onScope?: (result: ScopeResult) => void | Promise<void>;
}

export const DEFAULT_CONCURRENCY = 8;

/** Plans and scans every scope; returns one result per scope (failed scopes carry their scan.* finding). */
export async function runScan(factory: AwsClientFactory, options: RunOptions): Promise<ScopeResult[]> {
  const plan = await planScopes(factory, options.accountIds, options.regions);
  options.onPlan?.(plan);
  const results: ScopeResult[] = [];
  const emit = async (result: ScopeResult) => {
    results.push(result);
    await options.onScope?.(result);
  };
  for (const { scope, error } of plan.unreachable) await emit(unreachableResult(factory, scope, error));
  const limit = pLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
  await Promise.all(
    plan.scopes.map((scope) =>
      limit(async () => {
        const result = await scanScope(factory, scope, {
          ...(options.rules ? { rules: options.rules } : {}),
          ...(options.scopeConcurrency ? { concurrency: options.scopeConcurrency } : {}),
          ...(options.recorder ? { recorder: options.recorder } : {}),
        });
        await emit(result);
      }),
    ),
  );
  return results;
}

function unreachableResult(factory: AwsClientFactory, scope: Scope, error: unknown): ScopeResult {
  return {
    ...scope,
    status: "failed",
    findings: [scanFailureFinding(scope, error, factory.roleArn(scope.accountId))],
    error: { name: errorName(error), message: errorMessage(error) },
    startedAt: new Date().toISOString(),
    durationMs: 0,
    clusters: 0,
    nodegroups: 0,
    apiCalls: {},
  };
}
