import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RULE_IDS, SEVERITIES } from "#shared/findings/index.ts";
import {
  type AlertJson,
  alertSubject,
  attributesBytes,
  buildAlert,
  buildAlerts,
  buildUnreachedRunAlert,
  SNS_MAX_MESSAGE_BYTES,
  SUBJECT_MAX_CHARS,
} from "#shared/notify/index.ts";
import { TRANSITION_TYPES } from "#shared/store/index.ts";
import { ACCOUNT, REGION, SCOPE } from "#test/store/fixtures.ts";
import { transition } from "./fixtures.ts";

const SNS_SUBJECT = /^[!-~][ -~]*$/;

describe("Function: buildAlert", () => {
  it("names the account, the region and the worst change in the subject", () => {
    // Prepare
    const transitions = [
      transition("NEW", "MEDIUM", { ruleId: "ip.subnet-nearly-full", resourceId: "subnet-1" }, undefined),
      transition("NEW", "HIGH"),
      transition("ESCALATED", "HIGH", { ruleId: "sg.node-world-ingress", resourceId: "sg-1" }, "MEDIUM"),
      transition("RESOLVED", "CRITICAL", { ruleId: "sg.ssh-open-to-world", resourceId: "ng-1" }),
    ];

    // Act
    const alert = buildAlert(SCOPE, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(alert?.subject).toBe(
      `[eks-auditor] HIGH NEW elb.no-eligible-subnet in ${ACCOUNT} ${REGION} (+2 more)`,
    );
    expect(alert?.transitions.map((t) => t.type)).toEqual(["NEW", "ESCALATED", "RESOLVED"]);
  });

  it("sets the filter-policy attributes: highest severity, account, region, rule ids, transition types", () => {
    // Prepare
    const transitions = [
      transition("NEW", "HIGH"),
      transition("RESOLVED", "CRITICAL", { ruleId: "sg.ssh-open-to-world", resourceId: "ng-1" }),
      transition("REOPENED", "HIGH", { ruleId: "ip.subnet-exhausted", resourceId: "subnet-2" }, "CRITICAL"),
    ];

    // Act
    const alert = buildAlert(SCOPE, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(alert?.attributes).toEqual({
      severity: { DataType: "String", StringValue: "CRITICAL" },
      kind: { DataType: "String", StringValue: "findings" },
      accountId: { DataType: "String", StringValue: ACCOUNT },
      region: { DataType: "String", StringValue: REGION },
      ruleIds: {
        DataType: "String.Array",
        StringValue: JSON.stringify([
          "elb.no-eligible-subnet",
          "ip.subnet-exhausted",
          "sg.ssh-open-to-world",
        ]),
      },
      transitions: { DataType: "String.Array", StringValue: JSON.stringify(["NEW", "REOPENED", "RESOLVED"]) },
    });
  });

  it("carries email text and a JSON variant for sqs, lambda and https", () => {
    // Prepare
    const transitions = [
      transition("ESCALATED", "CRITICAL", { detail: "1 of 250 addresses left in subnet-1." }, "HIGH"),
      transition("NEW", "HIGH", { ruleId: "node.health-issues", resourceId: "ng-a" }),
    ];

    // Act
    const alert = buildAlert(SCOPE, "run-7", transitions, { minSeverity: "HIGH" });

    // Assess
    const body = JSON.parse(alert?.message ?? "{}") as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(["default", "email", "https", "lambda", "sqs"]);
    expect(body.email).toBe(body.default);
    expect(body.default).toContain("1 of 250 addresses left in subnet-1.");
    expect(body.default).toContain("Fix: aws ec2 create-tags");
    expect(body.default).toContain("Resource: vpc-0abc");
    const json = JSON.parse(body.sqs ?? "{}") as AlertJson;
    expect(body.lambda).toBe(body.sqs);
    expect(body.https).toBe(body.sqs);
    expect(json).toMatchObject({
      version: 1,
      accountId: ACCOUNT,
      region: REGION,
      runId: "run-7",
      severity: "CRITICAL",
    });
    expect(json.transitions[0]).toEqual({
      type: "ESCALATED",
      ruleId: "elb.no-eligible-subnet",
      severity: "CRITICAL",
      previousSeverity: "HIGH",
      cluster: "prod",
      resourceId: "vpc-0abc",
      title: transitions[0]?.finding.title,
      detail: "1 of 250 addresses left in subnet-1.",
      remediation: transitions[0]?.finding.remediation,
      at: transitions[0]?.at,
    });
    expect(json.transitions[1]).not.toHaveProperty("previousSeverity");
  });

  it("pages a resolution alone only at or above the threshold, labelled info", () => {
    // Prepare
    const low = [transition("RESOLVED", "LOW")];
    const high = [transition("RESOLVED", "HIGH")];

    // Act
    const quiet = buildAlert(SCOPE, "run-1", low, { minSeverity: "HIGH" });
    const paged = buildAlert(SCOPE, "run-1", high, { minSeverity: "HIGH" });

    // Assess
    expect(quiet).toBeUndefined();
    expect(paged?.subject).toBe(`[eks-auditor] INFO RESOLVED elb.no-eligible-subnet in ${ACCOUNT} ${REGION}`);
    expect(paged?.text).toContain("INFO RESOLVED (was HIGH)");
    expect(paged?.severity).toBe("HIGH");
  });

  it("lists lower resolutions when a message goes out anyway, but not lower changes", () => {
    // Prepare
    const transitions = [
      transition("NEW", "HIGH"),
      transition("NEW", "LOW", { ruleId: "elb.stale-cluster-tag", resourceId: "subnet-9" }),
      transition("RESOLVED", "LOW", { ruleId: "ip.warm-pool-oversized", resourceId: "ng-2" }),
    ];

    // Act
    const alert = buildAlert(SCOPE, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(alert?.transitions.map((t) => `${t.type} ${t.finding.ruleId}`)).toEqual([
      "NEW elb.no-eligible-subnet",
      "RESOLVED ip.warm-pool-oversized",
    ]);
  });

  it("keeps the subject within 100 printable ASCII characters whatever the names", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RULE_IDS),
        fc.constantFrom(...SEVERITIES),
        fc.constantFrom(...TRANSITION_TYPES),
        fc.string({ maxLength: 300, unit: "binary" }),
        fc.constantFrom("eu-west-1", "ap-southeast-4", "us-gov-west-1", "il-central-1"),
        fc.nat({ max: 1_000_000 }),
        (ruleId, severity, type, cluster, region, more) => {
          // Prepare
          const worst = transition(type, severity, { ruleId, cluster, region });

          // Act
          const subject = alertSubject({ accountId: ACCOUNT, region }, worst, more);

          // Assess
          expect(subject.length).toBeLessThanOrEqual(100);
          expect(subject).toMatch(SNS_SUBJECT);
          expect(subject).toContain(ACCOUNT);
          expect(subject).toContain(region);
        },
      ),
    );
  });

  it("keeps the subject short with the longest rule id, a long region and a long cluster name", () => {
    // Prepare
    const worst = transition("ESCALATED", "CRITICAL", {
      ruleId: "sg.datastore-reachable-by-all-pods",
      cluster: "c".repeat(100),
    });

    // Act
    const subject = alertSubject({ accountId: ACCOUNT, region: "ap-southeast-4" }, worst, 12_345);

    // Assess
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toContain("CRITICAL ESCALATED sg.datastore-reachable-by-all-pods");
    expect(subject).toContain("(+12345 more)");
  });

  it("summarises when the message would pass the SNS limit", () => {
    // Prepare
    const transitions = Array.from({ length: 2_000 }, (_, i) =>
      transition("NEW", i % 3 === 0 ? "CRITICAL" : "HIGH", {
        ruleId: i % 2 === 0 ? "ip.subnet-nearly-full" : "sg.node-world-ingress",
        resourceId: `subnet-${String(i).padStart(5, "0")}`,
        detail: `Only ${i} addresses left. `.repeat(60),
      }),
    );

    // Act
    const alert = buildAlert(SCOPE, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(alert?.summarised).toBe(true);
    expect(alert?.bytes).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(Buffer.byteLength(alert?.message ?? "") + attributesBytes(alert?.attributes ?? {})).toBe(
      alert?.bytes,
    );
    const omitted = 2_000 - (alert?.detailed ?? 0);
    expect(alert?.detailed).toBeGreaterThan(0);
    expect(alert?.text).toContain(`…and ${omitted} more.`);
    expect(alert?.text).toContain("Summary: NEW 2000.");
    const json = JSON.parse((JSON.parse(alert?.message ?? "{}") as { sqs: string }).sqs) as AlertJson;
    expect(json).toMatchObject({ summarised: true, total: 2_000, omitted });
    expect(json.counts.byRule).toEqual({
      "ip.subnet-nearly-full": { NEW: 1_000 },
      "sg.node-world-ingress": { NEW: 1_000 },
    });
    expect(json.transitions.every((t) => t.severity === "CRITICAL")).toBe(true);
    expect(alert?.subject).toContain("(+1999 more)");
  });
});

describe("Function: buildAlerts", () => {
  it("sends coverage and findings as separate messages, each with its kind attribute, coverage first", () => {
    // Prepare: one scope's run with a finding and a node group the scan could not read
    const transitions = [
      transition("NEW", "HIGH"),
      transition("NEW", "HIGH", { ruleId: "scan.error", cluster: "prod", resourceId: "ng-gone" }),
    ];

    // Act
    const alerts = buildAlerts(SCOPE, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(alerts.map((a) => a.kind)).toEqual(["coverage", "findings"]);
    expect(alerts.map((a) => a.attributes.kind?.StringValue)).toEqual(["coverage", "findings"]);
    expect(alerts.map((a) => a.transitions.map((t) => t.finding.ruleId))).toEqual([
      ["scan.error"],
      ["elb.no-eligible-subnet"],
    ]);
    const json = JSON.parse(JSON.parse(alerts[0]?.message ?? "{}").sqs) as AlertJson;
    expect(json.kind).toBe("coverage");
    expect(alerts[0]?.text).toMatch(/coverage/);
  });

  it("sends only the kind that reaches the threshold", () => {
    const transitions = [
      transition("NEW", "MEDIUM", { ruleId: "scan.error", cluster: "prod", resourceId: "ng-gone" }),
      transition("NEW", "HIGH"),
    ];
    expect(buildAlerts(SCOPE, "run-1", transitions, { minSeverity: "HIGH" }).map((a) => a.kind)).toEqual([
      "findings",
    ]);
  });

  it("refuses to mix kinds in one message", () => {
    const mixed = [transition("NEW", "HIGH"), transition("NEW", "HIGH", { ruleId: "scan.access-denied" })];
    expect(() => buildAlert(SCOPE, "run-1", mixed, { minSeverity: "HIGH" })).toThrow(/one kind per message/);
  });
});

describe("Function: buildUnreachedRunAlert", () => {
  it("pages HIGH as coverage, naming the run, the count and the causes", () => {
    const alert = buildUnreachedRunAlert({
      runId: "20261205T061500Z-1a2b3c4d",
      scopes: 3,
      byRule: { "scan.access-denied": 2, "scan.error": 1 },
      examples: ["444455556666/eu-west-1: AccessDenied"],
    });
    expect(alert.subject).toBe("[eks-auditor] HIGH run reached nothing: 0 of 3 account-regions scanned");
    expect(alert.subject.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
    expect(alert.attributes.severity?.StringValue).toBe("HIGH");
    expect(alert.attributes.kind?.StringValue).toBe("coverage");
    expect(alert.text).toMatch(/scan\.access-denied: 2/);
    expect(alert.bytes).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });
});
