import { ruleById } from "#shared/catalog/index.ts";
import type { Severity } from "#shared/findings/index.ts";
import { sortFindings } from "./order.ts";
import { PRODUCT } from "./product.ts";
import { findingUid, resourceOf } from "./resource.ts";
import type { FindingsFormat, ReportContext, ReportFinding } from "./types.ts";

/**
 * OCSF Detection Finding (class 2004, category 2 Findings), schema 1.6.0 — the version Security Hub reads.
 * Field choices follow Prowler's OCSF output (prowler/lib/outputs/ocsf/ocsf.py, `OCSF.transform`):
 * metadata.event_code = the check id, finding_info.uid/title/desc/types, an analytic of type Rule,
 * remediation.desc/references, risk_details, cloud.account/region, resources with labels, and what has no
 * OCSF field in `unmapped`. Where Prowler and the schema differ, the schema wins: `time` and the
 * finding_info times are epoch **milliseconds** (ocsf-schema dictionary.json `timestamp_t`), Prowler
 * writes seconds.
 */
export const OCSF_VERSION = "1.6.0";

const DETECTION_FINDING = { class_uid: 2004, class_name: "Detection Finding" } as const;
const FINDINGS_CATEGORY = { category_uid: 2, category_name: "Findings" } as const;

/** ocsf-schema dictionary.json `severity_id`. */
const SEVERITY_IDS: Record<Severity, { id: number; name: string }> = {
  CRITICAL: { id: 5, name: "Critical" },
  HIGH: { id: 4, name: "High" },
  MEDIUM: { id: 3, name: "Medium" },
  LOW: { id: 2, name: "Low" },
  INFO: { id: 1, name: "Informational" },
};

/** events/findings/finding.json `activity_id`: a finding is created, updated or closed. */
const ACTIVITIES = { create: { id: 1, name: "Create" }, close: { id: 3, name: "Close" } } as const;

/**
 * events/findings/finding.json `status_id`. A scan's finding is New (as Prowler's unmuted findings are);
 * the store's OPEN is New, RESOLVED is Resolved, SUPPRESSED is Suppressed; anything else is Other with
 * its own label, as the schema asks.
 */
export function ocsfStatus(status: string | undefined): { id: number; name: string } {
  switch (status) {
    case undefined:
    case "OPEN":
      return { id: 1, name: "New" };
    case "SUPPRESSED":
      return { id: 3, name: "Suppressed" };
    case "RESOLVED":
      return { id: 4, name: "Resolved" };
    default:
      return { id: 99, name: status };
  }
}

const FAMILY_TYPES: Record<string, string> = {
  elb: "EKS/Load-balancer subnet discovery",
  ip: "EKS/Subnet IP headroom",
  sg: "EKS/Node security groups",
  node: "EKS/Node readiness",
  scan: "EKS/Scan coverage",
};

/** A timestamp as OCSF carries it with the datetime profile: epoch milliseconds and its RFC 3339 twin. */
function stamp(key: string, iso: string | undefined): Record<string, number | string> {
  if (iso === undefined) return {};
  const ms = Date.parse(iso);
  return { [key]: ms, [`${key}_dt`]: new Date(ms).toISOString() };
}

/** A timestamp (epoch ms) with its `_dt` twin (datetime profile). */
type Stamped<K extends string> = { [P in K | `${K}_dt`]?: P extends K ? number : string };

/** The Detection Finding this format writes (OCSF 1.6.0 attribute names). */
export interface OcsfDetectionFinding extends Stamped<"time"> {
  class_uid: 2004;
  class_name: "Detection Finding";
  category_uid: 2;
  category_name: "Findings";
  activity_id: number;
  activity_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_code: string;
  status_detail: string;
  message: string;
  metadata: {
    version: string;
    product: { name: string; uid: string; vendor_name: string; version: string };
    event_code: string;
    uid?: string;
    profiles: string[];
  };
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    types: string[];
    analytic: { uid: string; name: string; type_id: number; type: string; category?: string };
    product_uid: string;
  } & Stamped<"created_time" | "first_seen_time" | "last_seen_time" | "modified_time">;
  cloud: {
    provider: string;
    account: { uid: string; type: string; type_id: number };
    region: string;
    cloud_partition: string;
  };
  resources: ReturnType<typeof resourceOf>[];
  remediation: { desc: string; references: string[] };
  risk_details?: string;
  unmapped: Record<string, unknown> & { cluster: string; evidence: Record<string, unknown> };
}

export function toOcsf(
  f: ReportFinding,
  context: Pick<ReportContext, "generatedAt" | "runId">,
): OcsfDetectionFinding {
  const rule = ruleById(f.ruleId);
  const severity = SEVERITY_IDS[f.severity];
  const status = ocsfStatus(f.status);
  const activity = f.status === "RESOLVED" ? ACTIVITIES.close : ACTIVITIES.create;
  const uid = findingUid(f);
  // A finding is created when first seen; a scan without a store first sees it now.
  const created = f.firstSeen ?? context.generatedAt;
  const lastSeen = f.carriedOver
    ? f.lastConfirmedAt
    : f.status === undefined
      ? context.generatedAt
      : undefined;
  const resource = resourceOf(f);
  return {
    ...DETECTION_FINDING,
    ...FINDINGS_CATEGORY,
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: DETECTION_FINDING.class_uid * 100 + activity.id,
    type_name: `${DETECTION_FINDING.class_name}: ${activity.name}`,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    status_code: f.status ?? "OPEN",
    status_detail: f.detail,
    message: f.title,
    ...stamp("time", created),
    metadata: {
      version: OCSF_VERSION,
      product: { name: PRODUCT.name, uid: PRODUCT.name, vendor_name: PRODUCT.name, version: PRODUCT.version },
      event_code: f.ruleId,
      ...(context.runId ? { uid: `${context.runId}/${uid}` } : {}),
      profiles: ["cloud", "datetime"],
    },
    finding_info: {
      uid,
      title: f.title,
      desc: f.detail,
      types: [FAMILY_TYPES[f.ruleId.split(".")[0] ?? ""] ?? "EKS"],
      analytic: {
        uid: f.ruleId,
        name: rule?.title ?? f.ruleId,
        type_id: 1,
        type: "Rule",
        category: rule?.family ?? f.ruleId.split(".")[0] ?? "",
      },
      product_uid: PRODUCT.name,
      ...stamp("created_time", created),
      ...stamp("first_seen_time", f.firstSeen),
      ...stamp("last_seen_time", lastSeen),
      ...stamp("modified_time", f.lastChangedAt),
    },
    cloud: {
      provider: "AWS",
      account: { uid: f.accountId, type: "AWS Account", type_id: 10 },
      region: f.region,
      cloud_partition: resource.cloud_partition,
    },
    resources: [resource],
    remediation: { desc: f.remediation, references: rule ? [rule.link] : [] },
    ...(rule ? { risk_details: rule.why } : {}),
    unmapped: {
      cluster: f.cluster,
      ...(f.variant ? { variant: f.variant } : {}),
      evidence: f.evidence,
      ...(f.evidenceTruncated ? { evidence_truncated: true } : {}),
      ...(f.carriedOver ? { carried_over: true, last_confirmed_at: f.lastConfirmedAt } : {}),
      ...(f.resolvedAt ? { resolved_at: f.resolvedAt } : {}),
      ...(f.resolvedReason ? { resolved_reason: f.resolvedReason } : {}),
      // Prowler's own unmapped keys, for tools that read its output: the scan, the provider and its account.
      ...(context.runId ? { scan_id: context.runId } : {}),
      provider: "aws",
      provider_uid: f.accountId,
      ...(rule ? { related_url: rule.link } : {}),
    },
  };
}

/** One JSON array of Detection Findings, as Prowler writes its `.ocsf.json`. */
export function renderOcsf(findings: readonly ReportFinding[], context: ReportContext): string {
  return `${JSON.stringify(
    sortFindings(findings).map((f) => toOcsf(f, context)),
    null,
    2,
  )}`;
}

export const ocsfFormat: FindingsFormat = {
  name: "ocsf",
  description: `one JSON array of OCSF ${OCSF_VERSION} Detection Findings (class 2004), as Prowler writes`,
  document: true,
  render: renderOcsf,
};
