import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type BatchImportFindingsCommandOutput,
  type ImportFindingsError,
  type SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { ASFF_LIMITS } from "./asff.ts";

/*
 * BatchImportFindings, as the partner guide asks (https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html):
 * at most 100 findings and 6 MB a call, a rate of 10 calls a second per account and Region (burst 30) shared by
 * every scanner invocation, and findings kept by the caller until they are in. Each call is retried by the SDK's
 * standard strategy (TooManyRequestsException and LimitExceededException are throttling errors there, with
 * exponential backoff); on top of that the importer re-sends, a bounded number of rounds with growing pauses,
 * what Security Hub still refused: a call throttled past the SDK's attempts, and every finding it returned in
 * `FailedFindings`. What is still refused after the last round is thrown, naming each finding and its error code:
 * the outbox keeps the transitions, so nothing is lost silently.
 */

/** Bytes of one request at most (the API's limit, with room for the envelope). */
const MAX_BATCH_BYTES = 6 * 1024 * 1024 - 64 * 1024;
const THROTTLING = new Set(["TooManyRequestsException", "LimitExceededException", "ThrottlingException"]);

export interface ImporterOptions {
  client: SecurityHubClient;
  /** Rounds in all (the first send included). Default 4. */
  rounds?: number;
  /** Pause before the second round; doubles each round. Default 1000 ms. */
  retryDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ImportReport {
  /** Findings Security Hub accepted. */
  imported: number;
  calls: number;
  /** Findings sent again after a refusal. */
  resent: number;
}

/** Findings Security Hub still refused after the last round; each is named with its error code. */
export class SecurityHubImportError extends Error {
  override readonly name = "SecurityHubImportError";

  constructor(
    readonly failed: readonly ImportFindingsError[],
    readonly rounds: number,
  ) {
    const shown = failed
      .slice(0, 5)
      .map((f) => `${f.Id ?? "?"}: ${f.ErrorCode ?? "Error"}${f.ErrorMessage ? ` (${f.ErrorMessage})` : ""}`)
      .join("; ");
    const more = failed.length > 5 ? `; +${failed.length - 5} more` : "";
    super(
      `Security Hub refused ${failed.length} finding(s) after ${rounds} round(s) of BatchImportFindings: ${shown}${more}. They stay pending in the store and are sent again on the next delivery.`,
    );
  }
}

export function isThrottling(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return THROTTLING.has(e?.name ?? "") || e?.$metadata?.httpStatusCode === 429;
}

/** Batches of at most 100 findings and MAX_BATCH_BYTES. */
export function batchesOf(findings: readonly AwsSecurityFinding[]): AwsSecurityFinding[][] {
  const batches: AwsSecurityFinding[][] = [];
  let current: AwsSecurityFinding[] = [];
  let bytes = 0;
  for (const f of findings) {
    const size = Buffer.byteLength(JSON.stringify(f));
    if (
      current.length >= ASFF_LIMITS.batchFindings ||
      (current.length > 0 && bytes + size > MAX_BATCH_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export class SecurityHubImporter {
  private readonly rounds: number;
  private readonly retryDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ImporterOptions) {
    this.rounds = Math.max(1, options.rounds ?? 4);
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Imports every finding or throws SecurityHubImportError; any other error (access denied…) is rethrown as it came. */
  async importFindings(findings: readonly AwsSecurityFinding[]): Promise<ImportReport> {
    const report: ImportReport = { imported: 0, calls: 0, resent: 0 };
    let pending = [...findings];
    let refused: ImportFindingsError[] = [];
    for (let round = 0; round < this.rounds && pending.length > 0; round++) {
      if (round > 0) {
        report.resent += pending.length;
        await this.sleep(this.retryDelayMs * 2 ** (round - 1));
      }
      refused = [];
      for (const batch of batchesOf(pending)) {
        report.calls += 1;
        let out: BatchImportFindingsCommandOutput;
        try {
          out = await this.options.client.send(new BatchImportFindingsCommand({ Findings: batch }));
        } catch (err) {
          if (!isThrottling(err)) throw err;
          const code = (err as Error).name;
          refused.push(
            ...batch.map((f) => ({ Id: f.Id, ErrorCode: code, ErrorMessage: "the call was throttled" })),
          );
          continue;
        }
        report.imported += out.SuccessCount ?? batch.length - (out.FailedFindings?.length ?? 0);
        refused.push(...(out.FailedFindings ?? []));
      }
      const again = new Set(refused.map((f) => f.Id));
      pending = pending.filter((f) => again.has(f.Id));
    }
    if (refused.length > 0) throw new SecurityHubImportError(refused, this.rounds);
    return report;
  }
}
