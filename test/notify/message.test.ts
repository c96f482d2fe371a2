import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findingId, RULE_IDS, SEVERITIES } from "#shared/findings/index.ts";
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
import { ACCOUNT, finding, REGION, SCOPE } from "#test/store/fixtures.ts";
import { transition } from "./fixtures.ts";

const NAMED = { ...SCOPE, accountName: "payments" };

function jsonOf(message: string | undefined): AlertJson {
  return JSON.parse((JSON.parse(message ?? "{}") as { sqs: string }).sqs) as AlertJson;
}

const SNS_SUBJECT = /^[!-~][ -~]*$/;

describe("Function: buildAlert", () => {
  it("names the worst change, its cluster, the account's name and id and the region in the subject", () => {
    // Prepare
    const transitions = [
      transition("NEW", "MEDIUM", { ruleId: "ip.subnet-nearly-full", resourceId: "subnet-1" }, undefined),
      transition("NEW", "HIGH"),
      transition("ESCALATED", "HIGH", { ruleId: "sg.node-world-ingress", resourceId: "sg-1" }, "MEDIUM"),
      transition("RESOLVED", "CRITICAL", { ruleId: "sg.ssh-open-to-world", resourceId: "ng-1" }),
    ];

    // Act
    const named = buildAlert(NAMED, "run-1", transitions, { minSeverity: "HIGH" });
    const unnamed = buildAlert(SCOPE, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(named?.subject).toBe(
      `[eks-auditor] HIGH NEW elb.no-eligible-subnet on prod in payments (${ACCOUNT}) ${REGION} (+2 more)`,
    );
    expect(unnamed?.subject).toBe(
      `[eks-auditor] HIGH NEW elb.no-eligible-subnet on prod in ${ACCOUNT} ${REGION} (+2 more)`,
    );
    expect(named?.transitions.map((t) => t.type)).toEqual(["NEW", "ESCALATED", "RESOLVED"]);
  });

  it("leaves the cluster out of the subject of an account-level change", () => {
    const worst = transition("NEW", "HIGH", { ruleId: "scan.access-denied", cluster: "-", resourceId: "r" });
    expect(alertSubject(NAMED, worst, 0)).toBe(
      `[eks-auditor] HIGH NEW scan.access-denied in payments (${ACCOUNT}) ${REGION}`,
    );
  });

  it("sets the filter-policy attributes: highest severity, account, region, rule ids, transition types, teams", () => {
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
      team: { DataType: "String.Array", StringValue: '["-"]' },
      teamSeverity: { DataType: "String.Array", StringValue: '["-:CRITICAL"]' },
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
      schemaVersion: 2,
      accountId: ACCOUNT,
      region: REGION,
      runId: "run-7",
      severity: "CRITICAL",
    });
    expect(json).not.toHaveProperty("accountName");
    expect(json.teams).toEqual(["-"]);
    expect(json.transitions[0]).toEqual({
      findingId: findingId(finding()),
      type: "ESCALATED",
      ruleId: "elb.no-eligible-subnet",
      severity: "CRITICAL",
      previousSeverity: "HIGH",
      cluster: "prod",
      resourceId: "vpc-0abc",
      title: transitions[0]?.finding.title,
      detail: "1 of 250 addresses left in subnet-1.",
      remediation: transitions[0]?.finding.remediation,
      links: [
        {
          kind: "cluster",
          id: "prod",
          url: "https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters/prod",
        },
        {
          kind: "vpc",
          id: "vpc-0abc",
          url: "https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#VpcDetails:VpcId=vpc-0abc",
        },
      ],
      explain: [
        `eks-audit lb-subnets --cluster prod --account ${ACCOUNT} --region ${REGION} --scheme internal`,
      ],
      at: transitions[0]?.at,
    });
    expect(json.transitions[1]).not.toHaveProperty("previousSeverity");
    expect(json.transitions[1]?.findingId).toBe(
      findingId(finding({ ruleId: "node.health-issues", resourceId: "ng-a" })),
    );
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
    expect(paged?.subject).toBe(
      `[eks-auditor] INFO RESOLVED elb.no-eligible-subnet on prod in ${ACCOUNT} ${REGION}`,
    );
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
        fc.option(fc.string({ maxLength: 300, unit: "binary" }), { nil: undefined }),
        fc.constantFrom("eu-west-1", "ap-southeast-4", "us-gov-west-1", "il-central-1"),
        fc.nat({ max: 1_000_000 }),
        (ruleId, severity, type, cluster, accountName, region, more) => {
          // Prepare
          const worst = transition(type, severity, { ruleId, cluster, region });
          const scope = { accountId: ACCOUNT, region, ...(accountName === undefined ? {} : { accountName }) };

          // Act
          const subject = alertSubject(scope, worst, more);

          // Assess
          expect(subject.length).toBeLessThanOrEqual(100);
          expect(subject).toMatch(SNS_SUBJECT);
          expect(subject).toContain(ACCOUNT);
          expect(subject).toContain(region);
        },
      ),
    );
  });

  it("keeps the rule and the names (at least their first 5 characters) for real names, up to 99 more changes", () => {
    // EKS cluster names: a letter or digit, then letters, digits, - and _ (at most 100);
    // Organizations account names: printable ASCII.
    const clusterName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/);
    const accountName = fc.stringMatching(/^[!-~][ -~]{0,48}[!-~]$/);
    fc.assert(
      fc.property(
        fc.constantFrom(...RULE_IDS.filter((id) => !id.startsWith("scan."))),
        fc.constantFrom(...SEVERITIES),
        fc.constantFrom(...TRANSITION_TYPES),
        clusterName,
        accountName,
        fc.constantFrom("eu-west-1", "ap-southeast-4", "us-gov-west-1", "il-central-1"),
        fc.nat({ max: 99 }),
        (ruleId, severity, type, cluster, name, region, more) => {
          // Prepare
          const worst = transition(type, severity, { ruleId, cluster, region });
          const scope = { accountId: ACCOUNT, region, accountName: name };

          // Act
          const subject = alertSubject(scope, worst, more);

          // Assess
          expect(subject.length).toBeLessThanOrEqual(100);
          expect(subject).toMatch(SNS_SUBJECT);
          expect(subject.replace(/^\[eks-auditor\] /, "")).toMatch(
            new RegExp(`^${type === "RESOLVED" ? "INFO" : severity} `),
          );
          expect(subject).toContain(ruleId);
          expect(subject).toContain(cluster.replace(/\s+/g, " ").slice(0, 5));
          expect(subject).toContain(name.replace(/\s+/g, " ").trim().slice(0, 5));
          expect(subject).toContain(ACCOUNT);
          expect(subject).toContain(region);
        },
      ),
    );
  });

  it("keeps the subject short with the longest rule id, a long region and long names: names cut first", () => {
    // Prepare
    const worst = transition("ESCALATED", "CRITICAL", {
      ruleId: "sg.datastore-reachable-by-all-pods",
      cluster: "c".repeat(100),
    });
    const scope = { accountId: ACCOUNT, region: "ap-southeast-4", accountName: "a".repeat(50) };

    // Act
    const some = alertSubject(scope, worst, 12);
    const many = alertSubject(scope, worst, 12_345);

    // Assess: the names are cut to fit; with a long suffix the change type goes before the cluster
    expect(some).toBe(
      `CRITICAL sg.datastore-reachable-by-all-pods ccccc... aaaaa... ${ACCOUNT} ap-southeast-4 (+12 more)`,
    );
    expect(many.length).toBeLessThanOrEqual(100);
    expect(many).toBe(
      `CRITICAL sg.datastore-reachable-by-all-pods ${"c".repeat(11)}... ${ACCOUNT} ap-southeast-4 (+12345 more)`,
    );
    expect(many).toHaveLength(100);
  });

  it("cuts only the longer name when that is enough", () => {
    // Prepare
    const worst = transition("NEW", "HIGH", { ruleId: "ip.subnet-exhausted", cluster: "k".repeat(60) });

    // Act
    const subject = alertSubject(NAMED, worst, 3);

    // Assess
    expect(subject.length).toBe(100);
    expect(subject).toMatch(
      new RegExp(
        `^HIGH NEW ip\\.subnet-exhausted k+\\.\\.\\. payments ${ACCOUNT} ${REGION} \\(\\+3 more\\)$`,
      ),
    );
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

describe("Function: buildAlert, what on-call acts on", () => {
  it("lists, per finding, its console links, the fix, the command that explains it and its finding id", () => {
    // Prepare
    const subnet = transition("NEW", "CRITICAL", {
      ruleId: "ip.subnet-exhausted",
      resourceId: "subnet-0a1b",
      remediation: "Add a secondary CIDR.",
      evidence: { nodegroups: [{ instanceType: "m5.large", nodesThatFitAtLaunch: 0 }], cni: { env: {} } },
    });
    const nodegroup = transition("NEW", "HIGH", { ruleId: "sg.ssh-open-to-world", resourceId: "ng-web" });

    // Act
    const alert = buildAlert(NAMED, "run-1", [subnet, nodegroup], { minSeverity: "HIGH" });

    // Assess
    const text = alert?.text ?? "";
    expect(text).toContain(`in account payments (${ACCOUNT}), region ${REGION}`);
    const [first = "", second = ""] = text.split(/\n(?=\d+\. )/).slice(1);
    expect(first.split("\n")).toEqual([
      `1. CRITICAL NEW ip.subnet-exhausted: ${subnet.finding.title}`,
      "   Cluster: prod   Resource: subnet-0a1b",
      `   ${subnet.finding.detail}`,
      "   Fix: Add a secondary CIDR.",
      "   Explain: eks-audit ip-cost --instance-type m5.large",
      "   Cluster in the console: https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters/prod",
      "   Subnet in the console: https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#SubnetDetails:subnetId=subnet-0a1b",
      `   Finding id: ${findingId(subnet.finding)}`,
      "",
    ]);
    expect(second).toContain(
      "   Node group in the console: https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters/prod/nodegroups/ng-web",
    );
    expect(second).not.toContain("Explain:");
  });

  it("tells apart two findings on one node group by their variant, in the text and the JSON", () => {
    // Prepare: one health issue code per finding (node.health-issues)
    const a = transition("NEW", "HIGH", {
      ruleId: "node.health-issues",
      resourceId: "ng-a",
      variant: "Ec2SubnetInvalidConfiguration",
    });
    const b = transition("NEW", "HIGH", {
      ruleId: "node.health-issues",
      resourceId: "ng-a",
      variant: "AccessDenied",
    });

    // Act
    const alert = buildAlert(SCOPE, "run-1", [a, b], { minSeverity: "HIGH" });

    // Assess
    const json = jsonOf(alert?.message);
    expect(json.transitions.map((t) => t.variant).sort()).toEqual([
      "AccessDenied",
      "Ec2SubnetInvalidConfiguration",
    ]);
    expect(new Set(json.transitions.map((t) => t.findingId)).size).toBe(2);
    expect(alert?.text).toContain("Resource: ng-a (AccessDenied)");
  });

  it("carries the account name and the teams in the JSON, and each finding's team", () => {
    // Prepare
    const transitions = [
      transition("NEW", "HIGH", { team: "payments" }),
      transition("NEW", "HIGH", {
        ruleId: "sg.ssh-open-to-world",
        resourceId: "ng-a",
        cluster: "etl",
        team: "data",
      }),
    ];

    // Act
    const alert = buildAlert(NAMED, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    const json = jsonOf(alert?.message);
    expect(json).toMatchObject({ schemaVersion: 2, accountName: "payments", teams: ["data", "payments"] });
    expect(json.transitions.map((t) => t.team).sort()).toEqual(["data", "payments"]);
    expect(alert?.text).toContain("Teams (cluster tags): data, payments.");
    expect(alert?.text).toContain("Team: payments");
  });

  it("routes by team: every team with a paging change, with its own worst severity", () => {
    // Prepare: payments pages at HIGH; data at CRITICAL; platform's change is below the threshold and its
    // resolution is listed as info only; a cluster with no team tag pages the catch-all "-"
    const transitions = [
      transition("NEW", "HIGH", { team: "payments", resourceId: "vpc-1" }),
      transition("NEW", "CRITICAL", {
        team: "data",
        cluster: "etl",
        ruleId: "ip.subnet-exhausted",
        resourceId: "subnet-1",
      }),
      transition("NEW", "MEDIUM", {
        team: "platform",
        cluster: "tools",
        ruleId: "ip.subnet-nearly-full",
        resourceId: "subnet-2",
      }),
      transition("RESOLVED", "LOW", {
        team: "platform",
        cluster: "tools",
        ruleId: "elb.single-az",
        resourceId: "vpc-2",
      }),
      transition("NEW", "HIGH", { cluster: "untagged", ruleId: "sg.node-world-ingress", resourceId: "ng-x" }),
    ];

    // Act
    const alert = buildAlert(SCOPE, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(alert?.attributes.team).toEqual({
      DataType: "String.Array",
      StringValue: '["-","data","payments"]',
    });
    expect(alert?.attributes.teamSeverity).toEqual({
      DataType: "String.Array",
      StringValue: '["-:HIGH","data:CRITICAL","payments:HIGH"]',
    });
    expect(alert?.text).toContain("Teams (cluster tags): - (no team tag), data, payments.");
    expect(Object.keys(alert?.attributes ?? {}).length).toBeLessThanOrEqual(10); // SQS raw delivery's limit
  });

  it("says in a coverage message what could not be read and who acts", () => {
    // Prepare: a whole account-region refused, and one node group that could not be described
    const transitions = [
      transition("NEW", "HIGH", {
        ruleId: "scan.access-denied",
        cluster: "-",
        resourceId: `arn:aws:iam::${ACCOUNT}:role/EksAuditorReadRole`,
        evidence: { errorName: "AccessDenied" },
      }),
      transition("NEW", "HIGH", {
        ruleId: "scan.access-denied",
        resourceId: "ng-a",
        variant: "DescribeNodegroup",
        evidence: { what: "DescribeNodegroup ng-a", errorName: "AccessDeniedException" },
      }),
    ];

    // Act
    const [coverage] = buildAlerts(NAMED, "run-1", transitions, { minSeverity: "HIGH" });

    // Assess
    expect(coverage?.kind).toBe("coverage");
    expect(coverage?.text).toContain("Who acts: the platform owners who run eks-auditor");
    expect(coverage?.text).toContain(
      "deploy the member role to the account (the EksAuditorMemberRole StackSet)",
    );
    expect(coverage?.text).toContain(
      `Not read: the whole account-region ${ACCOUNT} ${REGION}: nothing in it was audited (AccessDenied)`,
    );
    expect(coverage?.text).toContain(
      "Not read: DescribeNodegroup ng-a of cluster prod (AccessDeniedException)",
    );
  });

  it("gives the reason of a coverage resolution made without a scan", () => {
    const t = {
      ...transition("RESOLVED", "HIGH", { ruleId: "scan.access-denied", cluster: "-" }),
      reason: "account 111122223333 is no longer planned",
    };
    const alert = buildAlert(SCOPE, "run-1", [t], { minSeverity: "HIGH" });
    expect(alert?.text).toContain("Resolved without a scan: account 111122223333 is no longer planned.");
    expect(jsonOf(alert?.message).transitions[0]?.reason).toBe("account 111122223333 is no longer planned");
  });
});

describe("Function: findingId", () => {
  it("is one id per finding identity: stable across content, severity and team, different per variant and account", () => {
    const base = finding();
    expect(findingId(base)).toMatch(/^[0-9a-f]{64}$/);
    const changed = finding({ severity: "CRITICAL", detail: "other", team: "x" });
    expect(findingId(changed)).toBe(findingId(base));
    expect(findingId({ ...base, variant: "internal" })).not.toBe(findingId(base));
    expect(findingId({ ...base, accountId: "222233334444" })).not.toBe(findingId(base));
    expect(findingId({ ...base, resourceId: "vpc-0abd" })).not.toBe(findingId(base));
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
