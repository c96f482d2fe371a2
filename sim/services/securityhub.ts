import {
  type AwsSecurityFinding,
  type AwsSecurityFindingIdentifier,
  BatchImportFindings$,
  type BatchImportFindingsRequest,
  BatchUpdateFindings$,
  type BatchUpdateFindingsRequest,
  type BatchUpdateFindingsUnprocessedFinding,
  type ImportFindingsError,
} from "@aws-sdk/client-securityhub";
import { AwsError } from "#sim/protocol/errors.ts";
import { type CallContext, type OperationHandler, operation, operationTable } from "./context.ts";

/*
 * Security Hub's BatchImportFindings (REST-JSON, POST /findings/import) for a custom integration, as documented:
 *  - the caller imports only its own findings under its own default product ARN
 *    (arn:<partition>:securityhub:<region>:<account>:product/<account>/default); anything else is refused
 *    whole with AccessDeniedException, which is what Security Hub answers (prowler-cloud/prowler#867, AWS
 *    Support's reply quoted there);
 *  - at most 100 findings a call (InvalidInputException otherwise);
 *  - a finding missing a required attribute or over a limit comes back in FailedFindings with InvalidInput
 *    (asff-required-attributes, AwsSecurityFinding in the API reference);
 *  - an update (same ProductArn and Id) whose UpdatedAt is not later than the stored one is ignored; on an
 *    update Workflow is not taken from the request, and a NOTIFIED or RESOLVED workflow goes back to NEW when
 *    RecordState goes ARCHIVED → ACTIVE or Compliance.Status leaves PASSED (finding-update-batchimportfindings,
 *    API reference Workflow).
 * And BatchUpdateFindings (REST-JSON, PATCH /findings/batchupdate), the customer's update of Workflow and Note
 * (API_BatchUpdateFindings, finding-update-batchupdatefindings):
 *  - 1 to 100 FindingIdentifiers a call, Workflow.Status one of NEW | NOTIFIED | RESOLVED | SUPPRESSED, Note.Text
 *    and Note.UpdatedBy 1 to 512 characters with a non-blank character (NoteUpdate, Note): InvalidInputException;
 *  - an identifier that matches no finding of the caller's account is UnprocessedFindings FindingNotFound, one
 *    given twice DuplicatedFindingIdentifier (BatchUpdateFindingsUnprocessedFinding);
 *  - the update sets Workflow and Note and leaves UpdatedAt as it was.
 * Throttling (TooManyRequestsException) and 5xx come from the estate's `faults`, like every other service.
 */

export type ImportOutcome = "created" | "updated" | "ignored" | "failed";

/** One BatchImportFindings call the simulator answered (not refused as a whole). */
export interface SecurityHubImport {
  accountId: string;
  region: string;
  /** The findings as received, in order. */
  findings: AwsSecurityFinding[];
  /** What became of each received finding, by index. */
  outcomes: ImportOutcome[];
  failed: ImportFindingsError[];
}

/** One BatchUpdateFindings call the simulator answered (not refused as a whole). */
export interface SecurityHubUpdate {
  accountId: string;
  region: string;
  identifiers: AwsSecurityFindingIdentifier[];
  workflow?: string;
  note?: { Text: string; UpdatedBy: string };
  unprocessed: BatchUpdateFindingsUnprocessedFinding[];
}

/** What Security Hub received and holds, per simulator. */
export class SecurityHubState {
  /** Every answered call, in order (like `sim.published` for SNS). */
  readonly imports: SecurityHubImport[] = [];
  /** Every answered BatchUpdateFindings call, in order. */
  readonly updates: SecurityHubUpdate[] = [];
  /** The findings as Security Hub holds them, by `ProductArn|Id`. */
  readonly findings = new Map<string, AwsSecurityFinding>();
  private rejections: { count: number; errorCode: string; errorMessage: string } | undefined;
  private updateRejections: { count: number; errorCode: string; errorMessage: string } | undefined;

  /** Findings that changed Security Hub's state (created or updated), in order. */
  accepted(): AwsSecurityFinding[] {
    return this.imports.flatMap((call) =>
      call.findings.filter((_, i) => call.outcomes[i] === "created" || call.outcomes[i] === "updated"),
    );
  }

  /** Findings received, whatever became of them. */
  received(): AwsSecurityFinding[] {
    return this.imports.flatMap((call) => call.findings);
  }

  /** The next `count` findings received (valid ones too) come back in FailedFindings with `errorCode`. */
  rejectNext(
    count: number,
    errorCode = "InternalException",
    errorMessage = "Internal service failure",
  ): void {
    this.rejections = { count, errorCode, errorMessage };
  }

  /** The next `count` finding identifiers of BatchUpdateFindings come back in UnprocessedFindings with `errorCode`. */
  rejectNextUpdates(
    count: number,
    errorCode = "InternalFailure",
    errorMessage = "Internal service failure",
  ): void {
    this.updateRejections = { count, errorCode, errorMessage };
  }

  /** The workflow status Security Hub holds for a finding, by product ARN and Id. */
  workflowOf(productArn: string, id: string): string | undefined {
    return this.findings.get(`${productArn}|${id}`)?.Workflow?.Status;
  }

  clear(): void {
    this.imports.length = 0;
    this.updates.length = 0;
    this.findings.clear();
    this.rejections = undefined;
    this.updateRejections = undefined;
  }

  takeUpdateRejection(): { errorCode: string; errorMessage: string } | undefined {
    const r = this.updateRejections;
    if (r === undefined || r.count <= 0) return undefined;
    r.count -= 1;
    return { errorCode: r.errorCode, errorMessage: r.errorMessage };
  }

  takeRejection(): { errorCode: string; errorMessage: string } | undefined {
    const r = this.rejections;
    if (r === undefined || r.count <= 0) return undefined;
    r.count -= 1;
    return { errorCode: r.errorCode, errorMessage: r.errorMessage };
  }
}

const MAX_FINDINGS = 100;
const MAX_FINDING_BYTES = 240 * 1024;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$/;
const NAMESPACES = [
  "Software and Configuration Checks",
  "TTPs",
  "Effects",
  "Unusual Behaviors",
  "Sensitive Data Identifications",
];
const SEVERITY_LABELS = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
const RECORD_STATES = ["ACTIVE", "ARCHIVED"];
const WORKFLOW_STATUSES = ["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"];
const COMPLIANCE_STATUSES = ["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"];
const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"];

function text(value: unknown): value is string {
  return typeof value === "string" && /\S/.test(value);
}

/** Why a finding does not adhere to the format, or undefined. */
export function asffProblem(f: AwsSecurityFinding): string | undefined {
  const length = (field: string, value: unknown, min: number, max: number): string | undefined => {
    if (!text(value)) return `data.${field} is required`;
    if (value.length < min || value.length > max)
      return `data.${field} must be ${min} to ${max} characters, got ${value.length}`;
    return undefined;
  };
  const checks: (string | undefined)[] = [
    f.SchemaVersion === "2018-10-08" ? undefined : "data.SchemaVersion must be 2018-10-08",
    length("Id", f.Id, 1, 512),
    length("ProductArn", f.ProductArn, 12, 2048),
    length("GeneratorId", f.GeneratorId, 1, 512),
    f.AwsAccountId !== undefined && /^\d{12}$/.test(f.AwsAccountId)
      ? undefined
      : "data.AwsAccountId must be 12 digits",
    length("Title", f.Title, 1, 256),
    length("Description", f.Description, 1, 1024),
    ...(["CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"] as const).map((field) => {
      const v = f[field];
      if (v === undefined && (field === "FirstObservedAt" || field === "LastObservedAt")) return undefined;
      return typeof v === "string" && TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v))
        ? undefined
        : `data.${field} must be an ISO 8601 timestamp`;
    }),
    Array.isArray(f.Types) && f.Types.length >= 1 && f.Types.length <= 50
      ? f.Types.every((t) => NAMESPACES.some((n) => t === n || t.startsWith(`${n}/`)))
        ? undefined
        : `data.Types must start with a namespace (${NAMESPACES.join(" | ")})`
      : "data.Types must hold 1 to 50 types",
    f.Severity === undefined
      ? "data.Severity is required"
      : f.Severity.Label === undefined && f.Severity.Normalized === undefined
        ? "data.Severity must have Label or Normalized"
        : f.Severity.Label !== undefined && !SEVERITY_LABELS.includes(f.Severity.Label)
          ? `data.Severity.Label must be one of ${SEVERITY_LABELS.join(", ")}`
          : f.Severity.Original !== undefined &&
              (f.Severity.Original.length < 1 || f.Severity.Original.length > 64)
            ? "data.Severity.Original must be 1 to 64 characters"
            : undefined,
    Array.isArray(f.Resources) && f.Resources.length >= 1 && f.Resources.length <= 32
      ? f.Resources.map((r, i) =>
          !text(r.Type) || r.Type.length > 256
            ? `data.Resources[${i}].Type must be 1 to 256 characters`
            : !text(r.Id)
              ? `data.Resources[${i}].Id is required`
              : r.Region !== undefined && r.Region.length > 16
                ? `data.Resources[${i}].Region must be at most 16 characters`
                : r.Partition !== undefined && !PARTITIONS.includes(r.Partition)
                  ? `data.Resources[${i}].Partition must be one of ${PARTITIONS.join(", ")}`
                  : undefined,
        ).find((p) => p !== undefined)
      : "data.Resources must hold 1 to 32 resources",
    f.Remediation?.Recommendation?.Text !== undefined && f.Remediation.Recommendation.Text.length > 512
      ? "data.Remediation.Recommendation.Text must be at most 512 characters"
      : undefined,
    f.ProductFields !== undefined &&
    (Object.keys(f.ProductFields).length > 50 ||
      Object.entries(f.ProductFields).some(([k, v]) => k.length > 128 || v.length > 2048))
      ? "data.ProductFields must hold at most 50 pairs, keys up to 128 and values up to 2048 characters"
      : undefined,
    f.RecordState !== undefined && !RECORD_STATES.includes(f.RecordState)
      ? `data.RecordState must be one of ${RECORD_STATES.join(", ")}`
      : undefined,
    f.Workflow?.Status !== undefined && !WORKFLOW_STATUSES.includes(f.Workflow.Status)
      ? `data.Workflow.Status must be one of ${WORKFLOW_STATUSES.join(", ")}`
      : undefined,
    f.Compliance?.Status !== undefined && !COMPLIANCE_STATUSES.includes(f.Compliance.Status)
      ? `data.Compliance.Status must be one of ${COMPLIANCE_STATUSES.join(", ")}`
      : undefined,
    Buffer.byteLength(JSON.stringify(f)) > MAX_FINDING_BYTES
      ? "the finding is larger than 240 KB"
      : undefined,
  ];
  return checks.find((c) => c !== undefined);
}

/** The default product ARN of the calling account in the called region. */
function ownProductArn(ctx: CallContext): string {
  const partition = ctx.caller.arn.split(":")[1] ?? "aws";
  return `arn:${partition}:securityhub:${ctx.region}:${ctx.accountId}:product/${ctx.accountId}/default`;
}

/** The stored finding after an accepted update: Workflow stays Security Hub's, reset to NEW on a reopening. */
function updated(previous: AwsSecurityFinding, next: AwsSecurityFinding): AwsSecurityFinding {
  const workflow = previous.Workflow?.Status ?? "NEW";
  const reopened =
    (previous.RecordState === "ARCHIVED" && next.RecordState === "ACTIVE") ||
    (previous.Compliance?.Status === "PASSED" &&
      next.Compliance?.Status !== undefined &&
      next.Compliance.Status !== "PASSED");
  const status = reopened && (workflow === "NOTIFIED" || workflow === "RESOLVED") ? "NEW" : workflow;
  return { ...next, Workflow: { Status: status } };
}

const batchImportFindings = operation<BatchImportFindingsRequest>(BatchImportFindings$, (ctx, input) => {
  const findings = input.Findings ?? [];
  if (findings.length < 1 || findings.length > MAX_FINDINGS) {
    throw new AwsError(
      "InvalidInputException",
      `Findings must contain between 1 and ${MAX_FINDINGS} findings, got ${findings.length}.`,
    );
  }
  const productArn = ownProductArn(ctx);
  for (const f of findings) {
    if (f.AwsAccountId !== ctx.accountId || f.ProductArn !== productArn) {
      throw new AwsError(
        "AccessDeniedException",
        `User: ${ctx.caller.arn} is not authorized to perform: securityhub:BatchImportFindings on resource: ${f.ProductArn ?? "(none)"}`,
        403,
      );
    }
  }
  const state = ctx.securityHub;
  const call: SecurityHubImport = {
    accountId: ctx.accountId,
    region: ctx.region,
    findings,
    outcomes: [],
    failed: [],
  };
  for (const f of findings) {
    const problem = asffProblem(f);
    const rejection = problem === undefined ? state.takeRejection() : undefined;
    if (problem !== undefined || rejection !== undefined) {
      call.failed.push({
        Id: f.Id ?? "",
        ErrorCode: rejection?.errorCode ?? "InvalidInput",
        ErrorMessage:
          rejection?.errorMessage ?? `Finding does not adhere to Amazon Finding Format. ${problem}`,
      });
      call.outcomes.push("failed");
      continue;
    }
    const key = `${f.ProductArn}|${f.Id}`;
    const previous = state.findings.get(key);
    if (previous === undefined) {
      state.findings.set(key, { ...f, Workflow: { Status: f.Workflow?.Status ?? "NEW" } });
      call.outcomes.push("created");
    } else if (Date.parse(f.UpdatedAt ?? "") <= Date.parse(previous.UpdatedAt ?? "")) {
      call.outcomes.push("ignored");
    } else {
      state.findings.set(key, updated(previous, f));
      call.outcomes.push("updated");
    }
  }
  state.imports.push(call);
  return {
    FailedCount: call.failed.length,
    SuccessCount: findings.length - call.failed.length,
    FailedFindings: call.failed,
  };
});

const MAX_NOTE = 512;

function noteProblem(field: string, value: unknown): string | undefined {
  if (!text(value)) return `${field} must contain a non-blank character`;
  if (value.length > MAX_NOTE) return `${field} must be at most ${MAX_NOTE} characters, got ${value.length}`;
  return undefined;
}

const batchUpdateFindings = operation<BatchUpdateFindingsRequest>(BatchUpdateFindings$, (ctx, input) => {
  const identifiers = input.FindingIdentifiers ?? [];
  if (identifiers.length < 1 || identifiers.length > MAX_FINDINGS) {
    throw new AwsError(
      "InvalidInputException",
      `FindingIdentifiers must contain between 1 and ${MAX_FINDINGS} identifiers, got ${identifiers.length}.`,
    );
  }
  const status = input.Workflow?.Status;
  if (status !== undefined && !WORKFLOW_STATUSES.includes(status)) {
    throw new AwsError(
      "InvalidInputException",
      `Workflow.Status must be one of ${WORKFLOW_STATUSES.join(", ")}, got ${JSON.stringify(status)}.`,
    );
  }
  const note = input.Note;
  if (note !== undefined) {
    const problem = noteProblem("Note.Text", note.Text) ?? noteProblem("Note.UpdatedBy", note.UpdatedBy);
    if (problem !== undefined) throw new AwsError("InvalidInputException", problem);
  }
  const state = ctx.securityHub;
  const call: SecurityHubUpdate = {
    accountId: ctx.accountId,
    region: ctx.region,
    identifiers,
    ...(status !== undefined ? { workflow: status } : {}),
    ...(note?.Text !== undefined && note.UpdatedBy !== undefined
      ? { note: { Text: note.Text, UpdatedBy: note.UpdatedBy } }
      : {}),
    unprocessed: [],
  };
  const processed: AwsSecurityFindingIdentifier[] = [];
  const seen = new Set<string>();
  const refuse = (FindingIdentifier: AwsSecurityFindingIdentifier, ErrorCode: string, ErrorMessage: string) =>
    call.unprocessed.push({ FindingIdentifier, ErrorCode, ErrorMessage });
  for (const identifier of identifiers) {
    const key = `${identifier.ProductArn}|${identifier.Id}`;
    const stored = state.findings.get(key);
    if (seen.has(key)) {
      refuse(identifier, "DuplicatedFindingIdentifier", "Finding Identifier is duplicated");
      continue;
    }
    seen.add(key);
    // A member account updates only its own findings (finding-update-batchupdatefindings).
    if (stored === undefined || stored.AwsAccountId !== ctx.accountId) {
      refuse(identifier, "FindingNotFound", "Finding Not Found");
      continue;
    }
    const rejection = state.takeUpdateRejection();
    if (rejection !== undefined) {
      refuse(identifier, rejection.errorCode, rejection.errorMessage);
      continue;
    }
    state.findings.set(key, {
      ...stored,
      ...(status !== undefined ? { Workflow: { Status: status } } : {}),
      ...(call.note !== undefined ? { Note: { ...call.note, UpdatedAt: new Date().toISOString() } } : {}),
    });
    processed.push(identifier);
  }
  state.updates.push(call);
  return { ProcessedFindings: processed, UnprocessedFindings: call.unprocessed };
});

export const securityHubOperations: Map<string, OperationHandler> = operationTable([
  batchImportFindings,
  batchUpdateFindings,
]);
export const securityHubOperationSchemas = [BatchImportFindings$, BatchUpdateFindings$];
