import { describe, expect, it } from "vitest";
import { ruleById } from "#shared/catalog/index.ts";
import type { Finding, RuleId } from "#shared/findings/index.ts";
import {
  ASFF_LIMITS,
  type AsffTarget,
  asffFinding,
  asffIdOf,
  asffOfTransition,
  batchesOf,
  latestPerFinding,
  productArnOf,
  resourcesOf,
  stateOf,
  WORKFLOW_UPDATE_LIMITS,
  type WorkflowChange,
  workflowBatchesOf,
  workflowChangeOf,
  workflowChangesOf,
} from "#shared/notify/securityhub/index.ts";
import type { Transition } from "#shared/store/index.ts";
import { ACCOUNT, at, finding } from "#test/store/fixtures.ts";
import { transition } from "./fixtures.ts";

/** The central account that imports; the findings are about ACCOUNT (another account). */
const CENTRAL = "999988887777";
const TARGET: AsffTarget = {
  accountId: CENTRAL,
  partition: "aws",
  region: "us-east-1",
  ruleLink: (id) => ruleById(id as RuleId)?.link,
};

/** The required top-level attributes (asff-required-attributes in the Security Hub user guide). */
const REQUIRED = [
  "AwsAccountId",
  "CreatedAt",
  "Description",
  "GeneratorId",
  "Id",
  "ProductArn",
  "Resources",
  "SchemaVersion",
  "Severity",
  "Title",
  "Types",
  "UpdatedAt",
] as const;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

describe("Function: asffFinding", () => {
  it("has every required attribute, within its limits, for the importing account and its product ARN", () => {
    // Act
    const asff = asffFinding(
      { finding: finding(), state: "open", firstSeen: at(0), observedAt: at(5) },
      TARGET,
    );

    // Assess
    for (const key of REQUIRED) expect(asff[key], key).toBeDefined();
    expect(asff.SchemaVersion).toBe("2018-10-08");
    expect(asff.AwsAccountId).toBe(CENTRAL);
    expect(asff.ProductArn).toBe(`arn:aws:securityhub:us-east-1:${CENTRAL}:product/${CENTRAL}/default`);
    expect(asff.GeneratorId).toBe("elb.no-eligible-subnet");
    expect(asff.Id).toBe(`eks-auditor/${ACCOUNT}/eu-west-1/prod/elb.no-eligible-subnet/vpc-0abc`);
    expect(asff.Types).toEqual(["Software and Configuration Checks/AWS Security Best Practices"]);
    expect([asff.CreatedAt, asff.FirstObservedAt, asff.UpdatedAt, asff.LastObservedAt]).toEqual([
      at(0),
      at(0),
      at(5),
      at(5),
    ]);
    for (const t of [asff.CreatedAt, asff.UpdatedAt]) expect(t).toMatch(ISO);
    expect(asff.Severity).toEqual({ Label: "HIGH", Original: "HIGH" });
    expect(asff.FindingProviderFields).toEqual({ Severity: asff.Severity, Types: asff.Types });
    expect(asff.Title).toBe(finding().title);
    expect(asff.Description).toBe(finding().detail);
    expect(asff.Remediation?.Recommendation).toEqual({
      Text: finding().remediation,
      Url: ruleById("elb.no-eligible-subnet")?.link,
    });
    expect(asff.ProductFields).toMatchObject({
      ProviderName: "eks-auditor",
      "eksAuditor/AccountId": ACCOUNT,
      "eksAuditor/Region": "eu-west-1",
      "eksAuditor/RuleId": "elb.no-eligible-subnet",
    });
  });

  it("keeps Title, Description, the remediation text and ProductFields within their limits", () => {
    // Prepare
    const long = finding({
      title: "T".repeat(600),
      detail: "D".repeat(5_000),
      remediation: "R".repeat(9_000),
      resourceId: `ng-${"n".repeat(900)}`,
      variant: "v".repeat(300),
    });

    // Act
    const asff = asffFinding({ finding: long, state: "open", firstSeen: at(0), observedAt: at(0) }, TARGET);

    // Assess
    expect(asff.Title?.length).toBe(ASFF_LIMITS.title);
    expect(asff.Title).toMatch(/… \(truncated\)$/);
    expect(asff.Description?.length).toBe(ASFF_LIMITS.description);
    expect(asff.Remediation?.Recommendation?.Text?.length).toBe(ASFF_LIMITS.recommendationText);
    expect(asff.Id?.length).toBeLessThanOrEqual(ASFF_LIMITS.id);
    expect(Object.keys(asff.ProductFields ?? {}).length).toBeLessThanOrEqual(ASFF_LIMITS.productFields);
    for (const [k, v] of Object.entries(asff.ProductFields ?? {})) {
      expect(k.length).toBeLessThanOrEqual(ASFF_LIMITS.productFieldKey);
      expect(v.length).toBeLessThanOrEqual(ASFF_LIMITS.productFieldValue);
    }
    expect(Buffer.byteLength(JSON.stringify(asff))).toBeLessThan(ASFF_LIMITS.findingBytes);
  });

  it.each<[string, "open" | "resolved" | "suppressed", Partial<Finding>, [string, string, string]]>([
    ["an open finding", "open", {}, ["ACTIVE", "FAILED", "NEW"]],
    ["a resolved finding", "resolved", {}, ["ARCHIVED", "PASSED", "RESOLVED"]],
    ["a suppressed finding", "suppressed", {}, ["ACTIVE", "FAILED", "SUPPRESSED"]],
    [
      "an open coverage finding (the check could not run)",
      "open",
      { ruleId: "scan.error" },
      ["ACTIVE", "NOT_AVAILABLE", "NEW"],
    ],
  ])("maps %s to RecordState, Compliance.Status and Workflow.Status", (_, state, overrides, expected) => {
    // Act
    const asff = asffFinding(
      { finding: finding(overrides), state, firstSeen: at(0), observedAt: at(0) },
      TARGET,
    );

    // Assess
    expect([asff.RecordState, asff.Compliance?.Status, asff.Workflow?.Status]).toEqual(expected);
  });

  it("labels INFO as INFORMATIONAL and keeps the auditor's severity as Original", () => {
    // Act
    const asff = asffFinding(
      { finding: finding({ severity: "INFO" }), state: "open", firstSeen: at(0), observedAt: at(0) },
      TARGET,
    );

    // Assess
    expect(asff.Severity).toEqual({ Label: "INFORMATIONAL", Original: "INFO" });
  });

  it("builds every ARN in the caller's partition", () => {
    // Act
    const asff = asffFinding(
      { finding: finding({ resourceId: "subnet-0a1b" }), state: "open", firstSeen: at(0), observedAt: at(0) },
      { ...TARGET, partition: "aws-cn", region: "cn-north-1" },
    );

    // Assess
    expect(asff.ProductArn).toBe(`arn:aws-cn:securityhub:cn-north-1:${CENTRAL}:product/${CENTRAL}/default`);
    expect(asff.Resources?.map((r) => r.Id)).toEqual([
      `arn:aws-cn:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-0a1b`,
      `arn:aws-cn:eks:eu-west-1:${ACCOUNT}:cluster/prod`,
    ]);
    expect(asff.Resources?.every((r) => r.Partition === "aws-cn")).toBe(true);
  });
});

describe("Function: resourcesOf", () => {
  it.each<[string, Partial<Finding>, [string, string][]]>([
    [
      "a subnet, then its cluster",
      { resourceId: "subnet-1" },
      [
        ["AwsEc2Subnet", `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-1`],
        ["AwsEksCluster", `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`],
      ],
    ],
    [
      "a security group",
      { resourceId: "sg-0123abcd", cluster: "-" },
      [["AwsEc2SecurityGroup", `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-0123abcd`]],
    ],
    [
      "a VPC",
      { resourceId: "vpc-0abc" },
      [
        ["AwsEc2Vpc", `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/vpc-0abc`],
        ["AwsEksCluster", `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`],
      ],
    ],
    [
      "the cluster itself",
      { resourceId: "prod" },
      [["AwsEksCluster", `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`]],
    ],
    [
      "the member role (access denied)",
      {
        ruleId: "scan.access-denied",
        cluster: "-",
        resourceId: `arn:aws:iam::${ACCOUNT}:role/EksAuditorReadRole`,
      },
      [["AwsIamRole", `arn:aws:iam::${ACCOUNT}:role/EksAuditorReadRole`]],
    ],
    [
      "a whole account-region",
      { ruleId: "scan.error", cluster: "-", resourceId: `${ACCOUNT}/eu-west-1` },
      [["AwsAccount", `AWS::::Account:${ACCOUNT}`]],
    ],
    [
      "a node group: Other (its ARN's id is unknown), then its cluster",
      { resourceId: "ng-web" },
      [
        ["Other", `eks-auditor/${ACCOUNT}/eu-west-1/prod/ng-web`],
        ["AwsEksCluster", `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`],
      ],
    ],
  ])("types %s", (_, overrides, expected) => {
    // Act
    const resources = resourcesOf(finding(overrides), "aws");

    // Assess
    expect(resources.map((r) => [r.Type, r.Id])).toEqual(expected);
    expect(resources.every((r) => r.Region === "eu-west-1" && r.Partition === "aws")).toBe(true);
  });
});

describe("Function: asffIdOf", () => {
  it("is stable, includes the variant, and tells apart identities that differ only past 512 characters", () => {
    // Prepare
    const long = "x".repeat(600);
    const a = finding({ resourceId: `${long}a` });
    const b = finding({ resourceId: `${long}b` });

    // Act
    const ids = [asffIdOf(a), asffIdOf(b), asffIdOf(finding({ variant: "internal" }))];

    // Assess
    expect(asffIdOf(a)).toBe(ids[0]);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[0]?.length).toBe(ASFF_LIMITS.id);
    expect(ids[2]).toBe(`eks-auditor/${ACCOUNT}/eu-west-1/prod/elb.no-eligible-subnet/vpc-0abc/internal`);
  });
});

describe("Function: asffOfTransition", () => {
  it("archives a RESOLVED transition, keeps firstSeen as CreatedAt and the transition's time as UpdatedAt", () => {
    // Prepare
    const resolved = { ...transition("RESOLVED", "HIGH"), at: at(60), firstSeen: at(0) };

    // Act
    const asff = asffOfTransition(resolved, TARGET);

    // Assess
    expect(asff).toMatchObject({
      RecordState: "ARCHIVED",
      Compliance: { Status: "PASSED" },
      CreatedAt: at(0),
      UpdatedAt: at(60),
      ProductFields: expect.objectContaining({ "eksAuditor/Transition": "RESOLVED" }),
    });
  });

  it("records an escalation's previous severity", () => {
    // Act
    const asff = asffOfTransition(transition("ESCALATED", "CRITICAL", {}, "MEDIUM"), TARGET);

    // Assess
    expect(asff.Severity?.Label).toBe("CRITICAL");
    expect(asff.ProductFields?.["eksAuditor/PreviousSeverity"]).toBe("MEDIUM");
    expect(asff.RecordState).toBe("ACTIVE");
  });
});

describe("Function: latestPerFinding", () => {
  it("keeps one transition per finding: the latest", () => {
    // Prepare
    const opened = { ...transition("NEW", "HIGH"), at: at(0) };
    const closed = { ...transition("RESOLVED", "HIGH"), at: at(60) };
    const other = { ...transition("NEW", "LOW", { resourceId: "vpc-other" }), at: at(0) };

    // Act
    const latest = latestPerFinding([closed, opened, other]);

    // Assess
    expect(latest.map((t) => `${t.type} ${t.finding.resourceId}`).sort()).toEqual([
      "NEW vpc-other",
      "RESOLVED vpc-0abc",
    ]);
  });
});

describe("Function: productArnOf", () => {
  it("is the custom integration's default product of the account and region", () => {
    expect(productArnOf({ accountId: CENTRAL, partition: "aws-us-gov", region: "us-gov-west-1" })).toBe(
      `arn:aws-us-gov:securityhub:us-gov-west-1:${CENTRAL}:product/${CENTRAL}/default`,
    );
  });
});

describe("Function: batchesOf", () => {
  it("cuts at 100 findings a call, and earlier when a call would pass 6 MB, keeping every finding once and in order", () => {
    // Prepare: 150 small findings, then 60 of about 200 KB each (under the 240 KB of one finding)
    const base = asffFinding(
      { finding: finding(), state: "open", firstSeen: at(0), observedAt: at(0) },
      TARGET,
    );
    const small = Array.from({ length: 150 }, (_, i) => ({ ...base, Id: `small-${i}` }));
    const large = Array.from({ length: 60 }, (_, i) => ({
      ...base,
      Id: `large-${i}`,
      ProductFields: { big: "x".repeat(200 * 1024) },
    }));

    // Act
    const batches = batchesOf([...small, ...large]);

    // Assess
    expect(batches.flat().map((f) => f.Id)).toEqual([...small, ...large].map((f) => f.Id));
    expect(batches.every((b) => b.length <= ASFF_LIMITS.batchFindings)).toBe(true);
    expect(batches.every((b) => Buffer.byteLength(JSON.stringify({ Findings: b })) < 6 * 1024 * 1024)).toBe(
      true,
    );
    expect(batches.length).toBeGreaterThanOrEqual(4); // 210 findings, ~12 MB: at least 3 by count, 2 by size
  });
});

describe("Function: stateOf", () => {
  it("is suppressed for SUPPRESSED, resolved for any RESOLVED (a quiet one too), open otherwise", () => {
    // Prepare
    const accepted = { reason: "kept on purpose" };
    const quietResolved = { ...transition("RESOLVED", "HIGH"), suppression: accepted };

    // Act
    const suppressed: Transition = { ...transition("SUPPRESSED", "HIGH"), suppression: accepted };
    const reopened: Transition = {
      ...transition("REOPENED", "HIGH", {}, "HIGH"),
      suppressionEnded: accepted,
    };
    const states = [
      suppressed,
      quietResolved,
      transition("RESOLVED", "HIGH"),
      transition("NEW", "HIGH"),
      reopened,
      transition("ESCALATED", "CRITICAL", {}, "HIGH"),
    ].map(stateOf);

    // Assess
    expect(states).toEqual(["suppressed", "resolved", "resolved", "open", "open", "open"]);
    expect(
      asffOfTransition({ ...transition("SUPPRESSED", "HIGH"), suppression: accepted }, TARGET),
    ).toMatchObject({
      RecordState: "ACTIVE",
      Compliance: { Status: "FAILED" },
      Workflow: { Status: "SUPPRESSED" },
    });
    expect(asffOfTransition(quietResolved, TARGET)).toMatchObject({
      RecordState: "ARCHIVED",
      Compliance: { Status: "PASSED" },
    });
  });
});

describe("Function: workflowChangeOf", () => {
  const risk = { reason: "shared on purpose (CHG-42)", owner: "team-edge", expires: "2026-11-30" };

  it("suppresses with a Note naming the accepted risk, reopens to NEW, resolves a suppressed finding to RESOLVED", () => {
    // Prepare
    const suppressed = { ...transition("SUPPRESSED", "HIGH"), suppression: risk };
    const expired = {
      ...transition("REOPENED", "HIGH", {}, "HIGH"),
      at: "2026-12-01T06:00:00.000Z",
      suppressionEnded: risk,
    };
    const stillValid = { ...expired, at: "2026-11-30T23:00:00.000Z" };
    const resolved = { ...transition("RESOLVED", "HIGH"), suppression: { reason: "kept" } };

    // Act
    const changes = [suppressed, expired, stillValid, resolved].map(workflowChangeOf);

    // Assess
    const id = asffIdOf(suppressed.finding);
    expect(changes).toEqual([
      {
        id,
        status: "SUPPRESSED",
        note: "eks-auditor: accepted risk: shared on purpose (CHG-42); owner team-edge; expires 2026-11-30",
        quiet: true,
      },
      {
        id,
        status: "NEW",
        note: "eks-auditor: the accepted risk expired on 2026-11-30, reopened: shared on purpose (CHG-42); owner team-edge; expires 2026-11-30",
        quiet: false,
      },
      // The entry matches through the end of its expiry day: on that day it stopped covering the finding otherwise.
      {
        id,
        status: "NEW",
        note: "eks-auditor: the accepted risk no longer covers it, reopened: shared on purpose (CHG-42); owner team-edge; expires 2026-11-30",
        quiet: false,
      },
      { id, status: "RESOLVED", note: "eks-auditor: resolved while accepted as a risk: kept", quiet: true },
    ]);
  });

  it("leaves the workflow of other transitions to Security Hub", () => {
    // Act
    const changes = [
      transition("NEW", "HIGH"),
      transition("RESOLVED", "HIGH"),
      transition("REOPENED", "HIGH", {}, "HIGH"),
      transition("ESCALATED", "CRITICAL", {}, "HIGH"),
    ].map(workflowChangeOf);

    // Assess
    expect(changes).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("keeps the Note on one line and within 512 characters, whatever the reason holds", () => {
    // Prepare
    const long = { reason: `line one\n\tline two ${"x".repeat(2000)}` };

    // Act
    const change = workflowChangeOf({ ...transition("SUPPRESSED", "HIGH"), suppression: long });

    // Assess
    expect(change?.note.length).toBe(WORKFLOW_UPDATE_LIMITS.noteText);
    expect(change?.note).toMatch(/^eks-auditor: accepted risk: line one line two x+… \(truncated\)$/);
  });
});

describe("Function: workflowChangesOf", () => {
  it("keeps, per finding, its latest transition that changes the workflow", () => {
    // Prepare: suppressed, then reopened, then escalated (no workflow of its own); another finding suppressed
    const risk = { reason: "kept" };
    const a = { ...transition("SUPPRESSED", "HIGH"), at: at(0), suppression: risk };
    const reopened = { ...transition("REOPENED", "HIGH", {}, "HIGH"), at: at(60), suppressionEnded: risk };
    const escalated = { ...transition("ESCALATED", "CRITICAL", {}, "HIGH"), at: at(120) };
    const b = { ...transition("SUPPRESSED", "LOW", { resourceId: "other" }), at: at(0), suppression: risk };

    // Act
    const changes = workflowChangesOf([reopened, escalated, a, b]);

    // Assess
    expect(changes.map((c) => [c.id, c.status])).toEqual([
      [asffIdOf(a.finding), "NEW"],
      [asffIdOf(b.finding), "SUPPRESSED"],
    ]);
  });
});

describe("Function: workflowBatchesOf", () => {
  it("groups by status and note, at most 100 identifiers a call, each change once", () => {
    // Prepare
    const change = (i: number, status: WorkflowChange["status"], note: string): WorkflowChange => ({
      id: `f-${status}-${note}-${i}`,
      status,
      note,
      quiet: status !== "NEW",
    });
    const changes = [
      ...Array.from({ length: 150 }, (_, i) => change(i, "SUPPRESSED", "a")),
      ...Array.from({ length: 3 }, (_, i) => change(i, "SUPPRESSED", "b")),
      ...Array.from({ length: 2 }, (_, i) => change(i, "NEW", "a")),
    ];

    // Act
    const batches = workflowBatchesOf(changes);

    // Assess
    expect(batches.map((b) => b.length)).toEqual([100, 50, 3, 2]);
    for (const batch of batches) expect(new Set(batch.map((c) => `${c.status}|${c.note}`)).size).toBe(1);
    expect(
      batches
        .flat()
        .map((c) => c.id)
        .sort(),
    ).toEqual(changes.map((c) => c.id).sort());
  });
});
