import {
  type AwsSecurityFindingIdentifier,
  BatchUpdateFindingsCommand,
  type BatchUpdateFindingsCommandOutput,
  type SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { PRODUCT_NAME, WORKFLOW_UPDATE_LIMITS, type WorkflowChange } from "./asff.ts";
import { isThrottling } from "./importer.ts";

/*
 * BatchUpdateFindings (API_BatchUpdateFindings): the workflow of findings Security Hub already holds, which
 * BatchImportFindings does not change on an update. One call sets one Workflow.Status and one Note for up to 100
 * FindingIdentifiers, so the changes are grouped by status and note. As the importer does, each call is retried
 * by the SDK's standard strategy, and what is still refused (a call throttled past the SDK's attempts, each
 * identifier in UnprocessedFindings) is sent again for a bounded number of rounds with growing pauses, then
 * thrown naming each finding and its error code — never the note, which holds the user's reason.
 */

export interface WorkflowUpdaterOptions {
  client: SecurityHubClient;
  /** Rounds in all (the first send included). Default 4. */
  rounds?: number;
  /** Pause before the second round; doubles each round. Default 1000 ms. */
  retryDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WorkflowReport {
  /** Findings whose workflow Security Hub updated. */
  updated: number;
  calls: number;
  /** Findings sent again after a refusal. */
  resent: number;
}

export interface RefusedWorkflowChange {
  id: string;
  status: string;
  errorCode: string;
  /** No outbox marker: nothing sends it again on a later delivery. */
  quiet: boolean;
}

/** Workflow changes Security Hub still refused after the last round; each is named with its error code. */
export class SecurityHubWorkflowError extends Error {
  override readonly name = "SecurityHubWorkflowError";

  constructor(
    readonly refused: readonly RefusedWorkflowChange[],
    readonly rounds: number,
  ) {
    const shown = refused
      .slice(0, 5)
      .map((r) => `${r.id} → ${r.status}: ${r.errorCode}`)
      .join("; ");
    const more = refused.length > 5 ? `; +${refused.length - 5} more` : "";
    const quiet = refused.filter((r) => r.quiet).length;
    const lost =
      quiet > 0
        ? ` ${quiet} of them (accepted risks: suppressed, or resolved while suppressed) have no outbox marker, so no later scan sends them again: set their workflow in Security Hub by hand (BatchUpdateFindings or the console).`
        : "";
    const kept =
      quiet < refused.length
        ? ` ${refused.length - quiet} (reopened after their accepted risk ended) stay pending in the store and are sent again on the next delivery.`
        : "";
    super(
      `Security Hub did not update the workflow of ${refused.length} finding(s) after ${rounds} round(s) of BatchUpdateFindings: ${shown}${more}.${lost}${kept}`,
    );
  }
}

/** Calls of at most 100 identifiers, each with one status and one note. */
export function workflowBatchesOf(changes: readonly WorkflowChange[]): WorkflowChange[][] {
  const groups = new Map<string, WorkflowChange[]>();
  for (const c of changes) {
    const key = JSON.stringify([c.status, c.note]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const batches: WorkflowChange[][] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += WORKFLOW_UPDATE_LIMITS.batchFindings) {
      batches.push(group.slice(i, i + WORKFLOW_UPDATE_LIMITS.batchFindings));
    }
  }
  return batches;
}

export class SecurityHubWorkflowUpdater {
  private readonly rounds: number;
  private readonly retryDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: WorkflowUpdaterOptions) {
    this.rounds = Math.max(1, options.rounds ?? 4);
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Sets each change on the finding `productArn`/`id`, or throws SecurityHubWorkflowError; other errors are rethrown. */
  async update(productArn: string, changes: readonly WorkflowChange[]): Promise<WorkflowReport> {
    const report: WorkflowReport = { updated: 0, calls: 0, resent: 0 };
    let pending = [...changes];
    let refused: RefusedWorkflowChange[] = [];
    for (let round = 0; round < this.rounds && pending.length > 0; round++) {
      if (round > 0) {
        report.resent += pending.length;
        await this.sleep(this.retryDelayMs * 2 ** (round - 1));
      }
      refused = [];
      for (const batch of workflowBatchesOf(pending)) {
        const first = batch[0];
        if (first === undefined) continue;
        const identifiers: AwsSecurityFindingIdentifier[] = batch.map((c) => ({
          Id: c.id,
          ProductArn: productArn,
        }));
        report.calls += 1;
        let out: BatchUpdateFindingsCommandOutput;
        try {
          out = await this.options.client.send(
            new BatchUpdateFindingsCommand({
              FindingIdentifiers: identifiers,
              Workflow: { Status: first.status },
              Note: { Text: first.note, UpdatedBy: PRODUCT_NAME },
            }),
          );
        } catch (err) {
          if (!isThrottling(err)) throw err;
          const code = (err as Error).name;
          refused.push(
            ...batch.map((c) => ({ id: c.id, status: c.status, errorCode: code, quiet: c.quiet })),
          );
          continue;
        }
        const unprocessed = new Map(
          (out.UnprocessedFindings ?? []).map((u) => [u.FindingIdentifier?.Id ?? "", u.ErrorCode ?? "Error"]),
        );
        for (const c of batch) {
          const code = unprocessed.get(c.id);
          if (code === undefined) report.updated += 1;
          else refused.push({ id: c.id, status: c.status, errorCode: code, quiet: c.quiet });
        }
      }
      const again = new Set(refused.map((r) => r.id));
      pending = pending.filter((c) => again.has(c.id));
    }
    if (refused.length > 0) throw new SecurityHubWorkflowError(refused, this.rounds);
    return report;
  }
}
