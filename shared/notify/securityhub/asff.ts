import { createHash } from "node:crypto";
import type {
  AwsSecurityFinding,
  ComplianceStatus,
  RecordState,
  Resource,
  SeverityLabel,
  WorkflowStatus,
} from "@aws-sdk/client-securityhub";
import { type Finding, NO_CLUSTER, type Severity } from "#shared/findings/index.ts";
import type { Suppression, Transition, TransitionType } from "#shared/store/index.ts";

/*
 * The AWS Security Finding Format (ASFF) of one eks-auditor finding: what `BatchImportFindings` sends and
 * what `eks-audit scan --format asff` prints. Every field follows the Security Hub documentation:
 *  - required attributes: https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
 *  - field limits: AwsSecurityFinding in the API reference
 *    (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html; also the
 *    @aws-sdk/client-securityhub AwsSecurityFinding type documentation)
 *  - custom integrations (product ARN `…:product/<account>/default`, our own Id, AwsAccountId, timestamps,
 *    ProductFields ProviderName/ProviderVersion):
 *    https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-custom-providers.html
 *  - updates (same Id, a later UpdatedAt; Workflow is set only when the finding is created):
 *    https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html
 *  - Types taxonomy: https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-type-taxonomy.html
 */

export const ASFF_SCHEMA_VERSION = "2018-10-08";

/** Limits of AwsSecurityFinding fields and of one BatchImportFindings call. */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  recommendationText: 512,
  severityOriginal: 64,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  resources: 32,
  resourceType: 256,
  resourceRegion: 16,
  types: 50,
  productName: 128,
  /** Findings per BatchImportFindings request. */
  batchFindings: 100,
  /** Bytes of one finding. */
  findingBytes: 240 * 1024,
} as const;

/** What is sent for a finding's lifecycle. */
export type AsffState = "open" | "resolved" | "suppressed";

/** The account and region that import the findings: the caller's own (a custom integration imports only there). */
export interface AsffTarget {
  /** The caller's account: `AwsAccountId` and the product ARN's account. */
  accountId: string;
  /** The caller identity's partition (aws, aws-cn, aws-us-gov…). */
  partition: string;
  /** The Security Hub region the findings are imported into. */
  region: string;
  /**
   * A rule's upstream documentation (its catalog `link`), the Url beside the remediation text. Given by the
   * caller so that a function which only closes coverage (the planner) does not bundle every rule.
   */
  ruleLink?: (ruleId: string) => string | undefined;
}

/** One finding in one state, as Security Hub is told about it. */
export interface AsffSubject {
  finding: Finding;
  state: AsffState;
  /** When the auditor first saw it: `CreatedAt`, `FirstObservedAt`. */
  firstSeen: string;
  /** The scan that observed this state: `UpdatedAt`, `LastObservedAt`. Each change must be later than the last. */
  observedAt: string;
  /** The change that led here (ProductFields), when there is one. */
  transition?: TransitionType;
  previousSeverity?: Severity;
  /** Why a finding was resolved without a scan (coverage resolution). */
  reason?: string;
}

export const PRODUCT_NAME = "eks-auditor";
export const PRODUCT_VERSION = "0.1.0";
const KEY = "eksAuditor";

/** `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`: a custom integration's product. */
export function productArnOf(target: AsffTarget): string {
  return `arn:${target.partition}:securityhub:${target.region}:${target.accountId}:product/${target.accountId}/default`;
}

type Identity = Pick<Finding, "accountId" | "region" | "cluster" | "ruleId" | "resourceId" | "variant">;

/**
 * The finding's identity as an ASFF Id: `eks-auditor/<account>/<region>/<cluster>/<rule>/<resource>[/<variant>]`.
 * Stable across runs (an update must carry the same Id). Above 512 characters the tail is replaced by a
 * hash of the whole identity, so two long identities never share an Id.
 */
export function asffIdOf(f: Identity): string {
  const parts = [PRODUCT_NAME, f.accountId, f.region, f.cluster, f.ruleId, f.resourceId];
  if (f.variant) parts.push(f.variant);
  const id = parts.join("/");
  if (id.length <= ASFF_LIMITS.id) return id;
  const hash = createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
  const suffix = `/sha:${hash}`;
  return `${id.slice(0, ASFF_LIMITS.id - suffix.length)}${suffix}`;
}

/** ASFF's INFORMATIONAL is our INFO; the others share their names. */
export function severityLabelOf(severity: Severity): SeverityLabel {
  return severity === "INFO" ? "INFORMATIONAL" : severity;
}

/** `namespace/category/classifier` paths of the taxonomy (partial paths are valid). */
export function typesOf(f: Pick<Finding, "ruleId">): string[] {
  const family = f.ruleId.split(".")[0];
  if (family === "scan") return ["Software and Configuration Checks"];
  if (family === "sg")
    return ["Software and Configuration Checks/AWS Security Best Practices/Network Reachability"];
  return ["Software and Configuration Checks/AWS Security Best Practices"];
}

/** Coverage (`scan.*`): the check could not run, which ASFF says with NOT_AVAILABLE rather than FAILED. */
function isCoverage(f: Pick<Finding, "ruleId">): boolean {
  return f.ruleId.startsWith("scan.");
}

/**
 * RecordState, Compliance.Status and Workflow.Status of a state. A resolved finding is archived and PASSED. An open
 * one is ACTIVE and FAILED with workflow NEW; when it comes back (REOPENED), Security Hub itself resets a
 * NOTIFIED or RESOLVED workflow to NEW because RecordState goes from ARCHIVED to ACTIVE and Compliance from
 * PASSED to FAILED (API reference, Workflow). A suppressed one stays ACTIVE and FAILED with workflow SUPPRESSED.
 * Workflow only takes effect when the import creates the finding: on an update Security Hub ignores it
 * (finding-update-batchimportfindings), and a suppression of an already imported finding needs BatchUpdateFindings.
 */
export function asffLifecycleOf(
  state: AsffState,
  f: Pick<Finding, "ruleId">,
): { record: RecordState; compliance: ComplianceStatus; workflow: WorkflowStatus } {
  switch (state) {
    case "resolved":
      return { record: "ARCHIVED", compliance: "PASSED", workflow: "RESOLVED" };
    case "suppressed":
      return {
        record: "ACTIVE",
        compliance: isCoverage(f) ? "NOT_AVAILABLE" : "FAILED",
        workflow: "SUPPRESSED",
      };
    case "open":
      return { record: "ACTIVE", compliance: isCoverage(f) ? "NOT_AVAILABLE" : "FAILED", workflow: "NEW" };
  }
}

function cut(text: string, max: number): string {
  const clean = text.trim();
  if (clean.length <= max) return clean;
  const marker = "… (truncated)";
  return `${clean.slice(0, max - marker.length)}${marker}`;
}

/** Partition values the ASFF `Resource.Partition` enum accepts; others leave the field out. */
const RESOURCE_PARTITIONS = new Set(["aws", "aws-cn", "aws-us-gov"]);

function resource(
  type: string,
  id: string,
  f: Pick<Finding, "region">,
  partition: string,
  details?: Record<string, string>,
): Resource {
  const r: Resource = { Type: type, Id: id };
  if (RESOURCE_PARTITIONS.has(partition)) r.Partition = partition as Resource["Partition"];
  if (f.region.length <= ASFF_LIMITS.resourceRegion) r.Region = f.region;
  if (details) r.Details = { Other: details };
  return r;
}

/**
 * The resources a finding is about, typed where ASFF has a type: the subnet, security group or VPC it names,
 * the cluster, the member role (scan.access-denied), the account (a whole account-region could not be
 * scanned). A node group, Auto Scaling group or other capacity is `Other`: its ARN carries an id the finding
 * does not hold, so no ARN is made up for it; the cluster follows it as a second, typed resource.
 * The resources belong to the audited account, which `AwsAccountId` (the importing account) is not.
 */
export function resourcesOf(f: Finding, partition: string): Resource[] {
  const arn = (service: string, path: string) =>
    `arn:${partition}:${service}:${f.region}:${f.accountId}:${path}`;
  const cluster =
    f.cluster === NO_CLUSTER
      ? undefined
      : resource("AwsEksCluster", arn("eks", `cluster/${f.cluster}`), f, partition);
  const id = f.resourceId;
  let primary: Resource;
  if (/^subnet-[0-9a-f]+$/.test(id))
    primary = resource("AwsEc2Subnet", arn("ec2", `subnet/${id}`), f, partition);
  else if (/^sg-[0-9a-f]+$/.test(id))
    primary = resource("AwsEc2SecurityGroup", arn("ec2", `security-group/${id}`), f, partition);
  else if (/^vpc-[0-9a-f]+$/.test(id)) primary = resource("AwsEc2Vpc", arn("ec2", `vpc/${id}`), f, partition);
  else if (/^arn:[\w-]+:iam::\d{12}:role\//.test(id)) primary = resource("AwsIamRole", id, f, partition);
  else if (cluster !== undefined && id === f.cluster) return [cluster];
  // AwsAccount and `AWS::::Account:<id>` are how Security Hub's own account-level control findings name an account.
  else if (f.cluster === NO_CLUSTER)
    primary = resource("AwsAccount", `AWS::::Account:${f.accountId}`, f, partition);
  else
    primary = resource(
      "Other",
      [PRODUCT_NAME, f.accountId, f.region, f.cluster, id].join("/"),
      f,
      partition,
      {
        accountId: f.accountId,
        cluster: cut(f.cluster, 1000),
        name: cut(id, 1000),
      },
    );
  return cluster === undefined ? [primary] : [primary, cluster];
}

function productFields(s: AsffSubject): Record<string, string> {
  const f = s.finding;
  const fields: Record<string, string> = {
    ProviderName: PRODUCT_NAME,
    ProviderVersion: PRODUCT_VERSION,
    [`${KEY}/AccountId`]: f.accountId,
    [`${KEY}/Region`]: f.region,
    [`${KEY}/Cluster`]: f.cluster,
    [`${KEY}/RuleId`]: f.ruleId,
    [`${KEY}/ResourceId`]: f.resourceId,
    [`${KEY}/Severity`]: f.severity,
    [`${KEY}/State`]: s.state,
    [`${KEY}/Remediation`]: f.remediation,
  };
  if (f.variant) fields[`${KEY}/Variant`] = f.variant;
  if (s.transition) fields[`${KEY}/Transition`] = s.transition;
  if (s.previousSeverity) fields[`${KEY}/PreviousSeverity`] = s.previousSeverity;
  if (s.reason) fields[`${KEY}/ResolvedReason`] = s.reason;
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, v]) => v.trim() !== "")
      .slice(0, ASFF_LIMITS.productFields)
      .map(([k, v]) => [k.slice(0, ASFF_LIMITS.productFieldKey), cut(v, ASFF_LIMITS.productFieldValue)]),
  );
}

/** The ASFF finding of `subject`, imported by `target`'s account into `target`'s region. */
export function asffFinding(subject: AsffSubject, target: AsffTarget): AwsSecurityFinding {
  const f = subject.finding;
  const life = asffLifecycleOf(subject.state, f);
  const severity = { Label: severityLabelOf(f.severity), Original: f.severity };
  const types = typesOf(f);
  const title = cut(f.title, ASFF_LIMITS.title) || f.ruleId;
  const description = cut(f.detail, ASFF_LIMITS.description) || title;
  const url = target.ruleLink?.(f.ruleId);
  const recommendation = cut(f.remediation, ASFF_LIMITS.recommendationText);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffIdOf(f),
    ProductArn: productArnOf(target),
    ProductName: PRODUCT_NAME,
    CompanyName: PRODUCT_NAME,
    GeneratorId: f.ruleId,
    AwsAccountId: target.accountId,
    Types: types,
    FirstObservedAt: subject.firstSeen,
    LastObservedAt: subject.observedAt,
    CreatedAt: subject.firstSeen,
    UpdatedAt: subject.observedAt,
    Severity: severity,
    // The provider's own values: on an update Security Hub takes Severity and Types from here
    // (FindingProviderFields in the API reference), so a customer's BatchUpdateFindings is not overwritten.
    FindingProviderFields: { Severity: severity, Types: types },
    Title: title,
    Description: description,
    ...(recommendation || url
      ? {
          Remediation: {
            Recommendation: {
              ...(recommendation ? { Text: recommendation } : {}),
              ...(url ? { Url: url } : {}),
            },
          },
        }
      : {}),
    ProductFields: productFields(subject),
    Resources: resourcesOf(f, target.partition),
    Compliance: { Status: life.compliance },
    RecordState: life.record,
    Workflow: { Status: life.workflow },
  };
}

/**
 * The state a transition leaves its finding in: SUPPRESSED is `suppressed`; RESOLVED is `resolved`, a quiet one
 * (resolved while suppressed) too, since the finding is gone either way; NEW, REOPENED and ESCALATED are `open`.
 */
export function stateOf(t: Pick<Transition, "type">): AsffState {
  if (t.type === "SUPPRESSED") return "suppressed";
  return t.type === "RESOLVED" ? "resolved" : "open";
}

/** The limits of BatchUpdateFindings: identifiers a call (API_BatchUpdateFindings) and Note fields (API_Note). */
export const WORKFLOW_UPDATE_LIMITS = { batchFindings: 100, noteText: 512, noteUpdatedBy: 512 } as const;

/** A workflow change of one finding Security Hub already holds, and the Note that says why. */
export interface WorkflowChange {
  /** The ASFF Id (the product ARN is the channel's). */
  id: string;
  status: WorkflowStatus;
  /** Names the accepted risk's reason (user text): sent to Security Hub, never logged nor put in an error. */
  note: string;
  /** SUPPRESSED or RESOLVED of a suppressed finding: no outbox marker, so nothing re-sends it on a failure. */
  quiet: boolean;
}

/** One line, trimmed, within `max` characters (Security Hub's `.*\S.*` is a single-line pattern). */
function oneLine(text: string, max: number): string {
  return cut(text.replace(/\s+/g, " "), max);
}

function riskOf(s: Suppression): string {
  const owner = s.owner ? `; owner ${s.owner}` : "";
  const expires = s.expires ? `; expires ${s.expires}` : "";
  return `${s.reason}${owner}${expires}`;
}

/**
 * The workflow a transition sets on a finding that Security Hub may already hold, where BatchImportFindings
 * cannot (Workflow only counts when the import creates the finding: finding-update-batchimportfindings), and
 * Security Hub itself does not (it resets only NOTIFIED or RESOLVED to NEW when RecordState goes ARCHIVED →
 * ACTIVE or Compliance leaves PASSED: WorkflowUpdate in the API reference; a SUPPRESSED workflow stays):
 *  - SUPPRESSED: SUPPRESSED, with a Note naming the accepted risk;
 *  - REOPENED of a suppressed finding (`suppressionEnded`): back to NEW;
 *  - RESOLVED of a suppressed finding: RESOLVED, so that a later reopening (ARCHIVED → ACTIVE) resets it to NEW
 *    instead of leaving an active finding SUPPRESSED after its acceptance ended.
 * Other transitions leave the workflow to Security Hub (and to the people who triage there).
 */
export function workflowChangeOf(
  t: Pick<Transition, "type" | "finding" | "at" | "suppression" | "suppressionEnded">,
): WorkflowChange | undefined {
  const id = asffIdOf(t.finding);
  const note = (text: string) => oneLine(`${PRODUCT_NAME}: ${text}`, WORKFLOW_UPDATE_LIMITS.noteText);
  if (t.type === "SUPPRESSED" && t.suppression !== undefined) {
    return { id, status: "SUPPRESSED", note: note(`accepted risk: ${riskOf(t.suppression)}`), quiet: true };
  }
  if (t.type === "REOPENED" && t.suppressionEnded !== undefined) {
    const ended = t.suppressionEnded;
    const why =
      // An entry matches through the end of its `expires` day (UTC): expired once the scan's day is later.
      ended.expires !== undefined && ended.expires < t.at.slice(0, 10)
        ? `expired on ${ended.expires}`
        : "no longer covers it";
    return {
      id,
      status: "NEW",
      note: note(`the accepted risk ${why}, reopened: ${riskOf(ended)}`),
      quiet: false,
    };
  }
  if (t.type === "RESOLVED" && t.suppression !== undefined) {
    return {
      id,
      status: "RESOLVED",
      note: note(`resolved while accepted as a risk: ${riskOf(t.suppression)}`),
      quiet: true,
    };
  }
  return undefined;
}

/**
 * The workflow change each finding needs after its transitions are imported: that of its latest transition that
 * changes the workflow (a later ESCALATED does not undo a REOPENED's NEW).
 */
export function workflowChangesOf(
  transitions: readonly Pick<Transition, "type" | "finding" | "at" | "suppression" | "suppressionEnded">[],
): WorkflowChange[] {
  const latest = new Map<string, { at: string; change: WorkflowChange }>();
  for (const t of transitions) {
    const change = workflowChangeOf(t);
    if (change === undefined) continue;
    const seen = latest.get(change.id);
    if (seen === undefined || t.at > seen.at) latest.set(change.id, { at: t.at, change });
  }
  return [...latest.values()].map(({ change }) => change);
}

/** The ASFF finding a transition leads to: its `at` is the update's time. */
export function asffOfTransition(t: Transition, target: AsffTarget): AwsSecurityFinding {
  return asffFinding(
    {
      finding: t.finding,
      state: stateOf(t),
      // A NEW transition is the first sighting; later ones carry the store's firstSeen (the outbox reads it).
      firstSeen: t.firstSeen ?? t.at,
      observedAt: t.at,
      transition: t.type,
      ...(t.from !== undefined && t.from !== t.to ? { previousSeverity: t.from } : {}),
      ...(t.reason !== undefined ? { reason: t.reason } : {}),
    },
    target,
  );
}

/**
 * The one import a finding needs: of several pending transitions of one finding (an earlier notification
 * failed), only the latest state counts — Security Hub ignores an update whose UpdatedAt is not later.
 */
export function latestPerFinding(transitions: readonly Transition[]): Transition[] {
  const latest = new Map<string, Transition>();
  for (const t of transitions) {
    const id = asffIdOf(t.finding);
    const seen = latest.get(id);
    if (seen === undefined || t.at > seen.at) latest.set(id, t);
  }
  return [...latest.values()];
}

/** The ASFF findings of one scan (`eks-audit scan --format asff`): each finding open, observed at `at`. */
export function asffOfScan(
  findings: readonly Finding[],
  target: AsffTarget,
  at: string,
): AwsSecurityFinding[] {
  return findings.map((finding) =>
    asffFinding({ finding, state: "open", firstSeen: at, observedAt: at }, target),
  );
}
