import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { RULE_CATALOG } from "#shared/catalog/index.ts";
import type { ReportedFinding } from "#shared/cli/common/render.ts";
import { OCSF_VERSION, ocsfStatus, PRODUCT, renderOcsf, toOcsf } from "#shared/report/index.ts";
import { carriedOver, hostileFinding, storedFindings } from "#test/report/findings.ts";
import { sampleFindings } from "#test/report/support.ts";

/**
 * What OCSF 1.6.0 requires of a Detection Finding, from the schema (github.com/ocsf/ocsf-schema, tag v1.6.0):
 * events/base_event.json (`requirement: required`: activity_id, category_uid, class_uid, metadata,
 * severity_id, time, type_uid), events/findings/finding.json (finding_info), profiles/cloud.json (cloud),
 * objects/metadata.json (product, version), objects/finding_info.json (uid), objects/remediation.json
 * (desc), objects/cloud.json (provider), objects/_entity.json (product, account and resources: at least
 * one of name and uid).
 */
const REQUIRED = {
  event: [
    "activity_id",
    "category_uid",
    "class_uid",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
    "finding_info",
    "cloud",
  ],
  metadata: ["product", "version"],
  finding_info: ["uid"],
  remediation: ["desc"],
  cloud: ["provider"],
} as const;

/** Enumerations of the same files: dictionary.json severity_id, finding.json activity_id and status_id, account.json type_id. */
const ENUMS = {
  severity_id: {
    0: "Unknown",
    1: "Informational",
    2: "Low",
    3: "Medium",
    4: "High",
    5: "Critical",
    6: "Fatal",
    99: "Other",
  },
  activity_id: { 1: "Create", 2: "Update", 3: "Close" },
  status_id: { 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived", 6: "Deleted" },
  account_type_id: { 10: "AWS Account" },
} as const;

type Event = Record<string, unknown> & {
  metadata: Record<string, unknown> & { product: Record<string, unknown> };
  finding_info: Record<string, unknown> & { analytic?: Record<string, unknown> };
  cloud: Record<string, unknown> & { account: Record<string, unknown> };
  resources: Record<string, unknown>[];
  remediation: Record<string, unknown>;
};

function expectValidDetectionFinding(e: Event): void {
  for (const key of REQUIRED.event) expect(e, key).toHaveProperty(key);
  for (const key of REQUIRED.metadata) expect(e.metadata, `metadata.${key}`).toHaveProperty(key);
  for (const key of REQUIRED.finding_info) expect(e.finding_info[key], `finding_info.${key}`).toBeTruthy();
  for (const key of REQUIRED.remediation) expect(e.remediation[key], `remediation.${key}`).toBeTruthy();
  for (const key of REQUIRED.cloud) expect(e.cloud[key], `cloud.${key}`).toBeTruthy();
  expect(e.class_uid).toBe(2004);
  expect(e.category_uid).toBe(2);
  expect(e.type_uid).toBe(2004 * 100 + (e.activity_id as number));
  const severity = ENUMS.severity_id[e.severity_id as keyof typeof ENUMS.severity_id];
  expect(severity, "severity_id").toBeDefined();
  expect(e.severity).toBe(severity);
  expect(e.activity_name).toBe(ENUMS.activity_id[e.activity_id as keyof typeof ENUMS.activity_id]);
  expect(e.status).toBe(ENUMS.status_id[e.status_id as keyof typeof ENUMS.status_id]);
  expect(e.cloud.account.type).toBe(ENUMS.account_type_id[e.cloud.account.type_id as 10]);
  // timestamp_t: epoch milliseconds.
  expect(e.time as number).toBeGreaterThan(1e12);
  expect(e.metadata.product.name ?? e.metadata.product.uid).toBeTruthy();
  // Prowler's validator (scripts/validate_ocsf_output.py): every resource has a uid.
  expect(e.resources.length).toBeGreaterThan(0);
  for (const r of e.resources) expect(r.uid, "resources[].uid").toBeTruthy();
}

const CONTEXT = {
  source: "scan",
  generatedAt: "2026-11-25T08:00:00.000Z",
  runId: "run-1",
  width: 160,
  color: false,
} as const;

let sample: ReportedFinding[];

beforeAll(async () => {
  sample = await sampleFindings();
});

describe("Format: ocsf", () => {
  it("makes every finding of the sample organisation a valid Detection Finding with a unique uid", () => {
    // Act
    const events = JSON.parse(renderOcsf(sample, CONTEXT)) as Event[];

    // Assess
    expect(events).toHaveLength(sample.length);
    for (const e of events) expectValidDetectionFinding(e);
    expect(new Set(events.map((e) => e.finding_info.uid)).size).toBe(events.length);
    expect(new Set(events.map((e) => e.metadata.event_code))).toEqual(new Set(sample.map((f) => f.ruleId)));
  });

  it("carries the finding's account, region, resource, severity, fix and evidence where OCSF and Prowler put them", () => {
    // Prepare
    const f = sample.find((x) => x.ruleId === "ip.subnet-exhausted");
    if (!f) throw new Error("the sample has an exhausted subnet");
    const rule = RULE_CATALOG.find((r) => r.id === f.ruleId);

    // Act
    const e = toOcsf(f, CONTEXT);

    // Assess
    expect(e.severity).toBe("Critical");
    expect(e.metadata).toMatchObject({
      version: OCSF_VERSION,
      event_code: "ip.subnet-exhausted",
      product: { name: PRODUCT.name, version: PRODUCT.version },
      uid: `run-1/${e.finding_info.uid}`,
    });
    expect(e.finding_info).toMatchObject({
      title: f.title,
      desc: f.detail,
      analytic: { uid: f.ruleId, type: "Rule" },
    });
    expect(e.cloud).toMatchObject({
      provider: "AWS",
      region: f.region,
      account: { uid: f.accountId, type_id: 10 },
    });
    expect(e.resources[0]).toMatchObject({
      uid: `arn:aws:ec2:${f.region}:${f.accountId}:subnet/${f.resourceId}`,
      name: f.resourceId,
      type: "AwsEc2Subnet",
      region: f.region,
      labels: [`cluster:${f.cluster}`],
      group: { name: "ec2" },
    });
    expect(e.unmapped).toMatchObject({ scan_id: "run-1", provider: "aws", provider_uid: f.accountId });
    expect(e.remediation).toEqual({ desc: f.remediation, references: [rule?.link] });
    expect(e.unmapped.evidence).toEqual(f.evidence);
    expect(e.time).toBe(Date.parse(CONTEXT.generatedAt));
  });

  it("maps the store's lifecycle: RESOLVED closes the finding, first seen is its creation time", () => {
    // Prepare
    const [open, resolved] = storedFindings();
    if (!open || !resolved) throw new Error("two stored findings");

    // Act
    const [o, r] = [open, resolved].map((f) => toOcsf(f, { ...CONTEXT, runId: undefined }));

    // Assess
    for (const e of [o, r]) if (e) expectValidDetectionFinding(e as unknown as Event);
    expect(o).toMatchObject({ status_id: 1, status: "New", activity_id: 1, status_code: "OPEN" });
    expect(r).toMatchObject({
      status_id: 4,
      status: "Resolved",
      activity_id: 3,
      type_uid: 200403,
      status_code: "RESOLVED",
    });
    expect(r?.time).toBe(Date.parse(resolved.firstSeen));
    expect(r?.finding_info.modified_time).toBe(Date.parse(resolved.lastChangedAt));
    expect(r?.unmapped.resolved_reason).toBe(resolved.resolvedReason);
    expect(r?.metadata).not.toHaveProperty("uid");
  });

  it("names the product with package.json's version", () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      name: string;
      version: string;
    };

    // Assess
    expect(PRODUCT).toEqual({ name: pkg.name, version: pkg.version });
  });

  it("maps a suppressed finding to Suppressed and an unknown status to Other with its own label", () => {
    expect(ocsfStatus("SUPPRESSED")).toEqual({ id: 3, name: "Suppressed" });
    expect(ocsfStatus("SNOOZED")).toEqual({ id: 99, name: "SNOOZED" });
  });

  it("marks a carried-over finding and when it was last confirmed", () => {
    // Act
    const e = toOcsf(carriedOver(), CONTEXT);

    // Assess
    expect(e.unmapped).toMatchObject({
      carried_over: true,
      last_confirmed_at: carriedOver().lastConfirmedAt,
    });
    expect(e.finding_info.last_seen_time).toBe(Date.parse(carriedOver().lastConfirmedAt ?? ""));
  });

  it("builds ARNs in the region's partition and keeps hostile text as data", () => {
    // Prepare
    const f = { ...hostileFinding(), region: "cn-north-1", resourceId: "sg-0abc" };

    // Act
    const text = renderOcsf([f], CONTEXT);

    // Assess
    const [e] = JSON.parse(text) as Event[];
    expect(e?.resources[0]?.uid).toBe(`arn:aws-cn:ec2:cn-north-1:${f.accountId}:security-group/sg-0abc`);
    expect(e?.finding_info.title).toBe(f.title);
  });
});
