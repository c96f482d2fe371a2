import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_USER_DATA_SECRET } from "#scripts/build-sample-estate.ts";
import { MEMBER_ROLE_ACTIONS, ORGANIZATIONS_ACTIONS } from "#shared/aws/permissions.ts";
import { type Estate, type EstateRegion, loadEstateFile } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE, setEnv, simulatorEnv } from "#test/functions/support.ts";
import {
  actionsOf,
  type Json,
  propsOf,
  resourcesOf,
  type Statement,
  type Synthesized,
  statementsOf,
  synthesize,
} from "#test/infra/support.ts";
import { type LocalDynamo, startDynalite } from "#test/support/dynalite.ts";
import {
  type Delivery,
  deliver,
  isFinding,
  loadScanner,
  reportFigures,
  tableItems,
  taskRecord,
  topicArn,
} from "./support.ts";

/**
 * Guarantee 5 (README "Reliability"): least privilege, encryption and TLS over every synthesized template
 * (the StackSet's template body included), and user data that never leaves the scanner.
 *
 * Already asserted in test/infra and not repeated: the member role's exact action list and trust policy
 * (member-role.test.ts), no Allow with a wildcard action in the three stacks, the table, topic and queue
 * encryption and their TLS denies (central-stack.test.ts), MEMBER_ROLE_ACTIONS derived from the SDK calls
 * (permissions.test.ts). Here: the same properties for every resource of every template, the StackSet
 * body and the optional resources (email subscription, Organizations role) included.
 */

let app: Synthesized;
/** Every template that can be deployed, by name: the three stacks and the StackSet's template body. */
let templates: [string, Template][];

function stackSetBody(s: Synthesized): Template {
  const [[, stackSet] = ["", {}]] = resourcesOf(s.memberRoleStackSet, "AWS::CloudFormation::StackSet");
  return Template.fromJSON(JSON.parse(String(propsOf(stackSet).TemplateBody)) as Json);
}

/** Every statement of every template, with where it is. */
function everyStatement(): { where: string; statement: Statement }[] {
  return templates.flatMap(([name, t]) =>
    statementsOf(t).map(({ where, statement }) => ({ where: `${name}/${where}`, statement })),
  );
}

function isMemberTemplate(name: string): boolean {
  return name === "memberRole" || name === "stackSetBody";
}

describe("Security: the synthesized templates", () => {
  beforeAll(() => {
    // Prepare: every optional resource switched on
    app = synthesize({
      "eksAuditor.alertEmail": "platform-oncall@example.com",
      "eksAuditor.orgRoleArn": "arn:aws:iam::111122223333:role/EksAuditorOrganizationsRead",
      "eksAuditor.organizationId": "o-a1b2c3d4e5",
      "eksAuditor.centralAccountId": "999988887777",
    });
    templates = [
      ["central", app.central],
      ["memberRole", app.memberRole],
      ["memberRoleStackSet", app.memberRoleStackSet],
      ["stackSetBody", stackSetBody(app)],
    ];
  }, 60_000);

  it("gives the member roles only read actions, each from the allow-list in shared/aws/permissions.ts", () => {
    // Act
    const memberAllows = everyStatement().filter(
      ({ where, statement }) =>
        isMemberTemplate(where.split("/")[0] ?? "") &&
        !where.endsWith("AssumeRolePolicyDocument") &&
        statement.Effect === "Allow",
    );
    const actions = memberAllows.flatMap(({ statement }) => actionsOf(statement));

    // Assess
    expect(memberAllows.length).toBeGreaterThanOrEqual(3);
    const allowList: readonly string[] = [...MEMBER_ROLE_ACTIONS, ...ORGANIZATIONS_ACTIONS];
    for (const action of actions) {
      expect(allowList, action).toContain(action);
      expect(action, "a read action").toMatch(
        /^(autoscaling|ec2|eks|organizations):(Describe|List|Get)[A-Z]\w+$/,
      );
    }
    expect(new Set(actions)).toEqual(new Set(allowList));
  });

  it("lets another account assume a role only with aws:PrincipalOrgID, in every template", () => {
    // Act
    const crossAccount = everyStatement().filter(({ where, statement }) => {
      const principal = statement.Principal as Json | string | undefined;
      return (
        where.endsWith("AssumeRolePolicyDocument") && typeof principal === "object" && "AWS" in principal
      );
    });

    // Assess
    // Logical ids without CDK's hash suffix: the read and regions roles in both member templates, the
    // Organizations role.
    expect(crossAccount.map(({ where }) => where.replace(/[0-9A-F]{8}\./, ".")).sort()).toEqual([
      "memberRole/OrganizationsReadRole.AssumeRolePolicyDocument",
      "memberRole/ReadRole.AssumeRolePolicyDocument",
      "memberRole/RegionsRole.AssumeRolePolicyDocument",
      "stackSetBody/ReadRole.AssumeRolePolicyDocument",
      "stackSetBody/RegionsRole.AssumeRolePolicyDocument",
    ]);
    for (const { where, statement } of crossAccount) {
      expect(statement.Condition?.StringEquals?.["aws:PrincipalOrgID"], where).toBeDefined();
      expect(statement.Condition?.ArnEquals?.["aws:PrincipalArn"], where).toBeDefined();
      expect(actionsOf(statement), where).toEqual(["sts:AssumeRole"]);
    }
  });

  it("grants no wildcard action anywhere: no *, no service:*, no NotAction, no managed policy", () => {
    // Act
    const allows = everyStatement().filter(({ statement }) => statement.Effect === "Allow");
    const wildcards = allows.filter(({ statement }) => actionsOf(statement).some((a) => a.includes("*")));
    const notActions = everyStatement().filter(
      ({ statement }) => "NotAction" in statement || "NotPrincipal" in statement,
    );
    const managed = templates.flatMap(([name, t]) =>
      [
        ...resourcesOf(t, "AWS::IAM::Role"),
        ...resourcesOf(t, "AWS::IAM::User"),
        ...resourcesOf(t, "AWS::IAM::Group"),
      ]
        .filter(([, r]) => propsOf(r).ManagedPolicyArns !== undefined)
        .map(([id]) => `${name}/${id}`),
    );
    const managedPolicies = templates.flatMap(([, t]) => resourcesOf(t, "AWS::IAM::ManagedPolicy"));

    // Assess
    expect(allows.length).toBeGreaterThan(10);
    expect(wildcards.map(({ where }) => where)).toEqual([]);
    expect(notActions.map(({ where }) => where)).toEqual([]);
    expect(managed).toEqual([]);
    expect(managedPolicies).toEqual([]);
  });

  it("encrypts every table, topic and queue of every template", () => {
    // Act
    const tables = templates.flatMap(([, t]) => [
      ...resourcesOf(t, "AWS::DynamoDB::Table"),
      ...resourcesOf(t, "AWS::DynamoDB::GlobalTable"),
    ]);
    const topics = templates.flatMap(([, t]) => resourcesOf(t, "AWS::SNS::Topic"));
    const queues = templates.flatMap(([, t]) => resourcesOf(t, "AWS::SQS::Queue"));

    // Assess: the alert and ops topics; the scan queue, its DLQ and the schedule's DLQ
    expect([tables.length, topics.length, queues.length]).toEqual([1, 2, 3]);
    for (const [id, r] of tables) expect(propsOf(r).SSESpecification, id).toMatchObject({ SSEEnabled: true });
    for (const [id, r] of topics) expect(propsOf(r).KmsMasterKeyId, id).toBeDefined();
    for (const [id, r] of queues) {
      const p = propsOf(r);
      expect(p.KmsMasterKeyId !== undefined || p.SqsManagedSseEnabled === true, id).toBe(true);
    }
  });

  it("denies non-TLS access to every topic and queue in its resource policy", () => {
    // Act
    const central = app.central;
    const topics = resourcesOf(central, "AWS::SNS::Topic").map(([id]) => id);
    const queues = resourcesOf(central, "AWS::SQS::Queue").map(([id]) => id);
    const tlsDenied = (policyType: string, targetsKey: string, action: string) =>
      resourcesOf(central, policyType).flatMap(([, r]) => {
        const p = propsOf(r);
        const statements = ((p.PolicyDocument as Json).Statement ?? []) as Statement[];
        const denies = statements.some(
          (s) =>
            s.Effect === "Deny" &&
            JSON.stringify(s.Principal).includes("*") &&
            actionsOf(s).includes(action) &&
            (s.Condition?.Bool as Json | undefined)?.["aws:SecureTransport"] === "false",
        );
        return denies ? ((p[targetsKey] ?? []) as Json[]).map((ref) => String(ref.Ref)) : [];
      });

    // Assess: SNS's own form of the rule denies Publish (what CDK's enforceSSL writes), SQS denies sqs:*
    expect(topics.length).toBeGreaterThan(0);
    expect(tlsDenied("AWS::SNS::TopicPolicy", "Topics", "sns:Publish").sort()).toEqual(topics.sort());
    expect(tlsDenied("AWS::SQS::QueuePolicy", "Queues", "sqs:*").sort()).toEqual(queues.sort());
  });
});

// ---- user data stays in the scanner ------------------------------------------------------------------

const MARKER = "UserDataMarker-5e1f0c";

/** Plants MARKER in launch templates of four AMI families, readable and not. */
function withPlantedMarkers(sample: Estate): Estate {
  const estate = structuredClone(sample);
  const plant = (accountId: string, region: string, templateId: string, version: number, text: string) => {
    const r: EstateRegion | undefined = estate.accounts[accountId]?.regions[region];
    const v = r?.ec2.LaunchTemplateVersions.find(
      (x) => x.LaunchTemplateId === templateId && x.VersionNumber === version,
    );
    if (v?.LaunchTemplateData === undefined)
      throw new Error(`sample estate changed: no ${templateId} v${version}`);
    v.LaunchTemplateData.UserData = text;
  };
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  // payments web (AL2): a password, a labelled token, and the marker as a threshold and a key of the flags read
  plant(
    "222233334444",
    "eu-west-1",
    "lt-05e4cd7b7d05f2b5d",
    1,
    b64(
      `#!/bin/bash\nexport DB_PASSWORD=${MARKER}\n/etc/eks/bootstrap.sh payments-euw1 --kubelet-extra-args '--node-labels=token=${MARKER} --eviction-hard=memory.available<200Mi,nodefs.available<${MARKER} --kube-reserved=${MARKER}=1Gi'\n`,
    ),
  );
  // payments ledger (AL2023): the marker as CA data, in a config map and in kubelet flags; a flag replaces evictionHard
  plant(
    "222233334444",
    "eu-west-1",
    "lt-063f582aadc7a680d",
    3,
    b64(
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: application/node.eks.aws\n\n---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    certificateAuthority: ${MARKER}\n  kubelet:\n    config:\n      kubeReserved:\n        memory: ${MARKER}\n        ${MARKER}: 1Gi\n    flags:\n      - --node-labels=secret=${MARKER}\n      - --eviction-hard=memory.available<300Mi\n      - --system-reserved=cpu=${MARKER}\n\n--B--\n`,
    ),
  );
  // ETL spark (AL2023): a YAML error on the marker's line
  plant(
    "333344445555",
    "eu-west-1",
    "lt-02fbfdf24ea642f6c",
    1,
    b64(
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: application/node.eks.aws\n\n---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config: {evictionHard: ${MARKER}: [\n--B--\n`,
    ),
  );
  // analytics query (Bottlerocket): a bootstrap token, and the marker as a threshold and a table key
  plant(
    "333344445555",
    "eu-west-1",
    "lt-0747c8d67dc5a558d",
    1,
    b64(
      `[settings.kubernetes]\nbootstrap-token = "${MARKER}"\n\n[settings.kubernetes.eviction-hard]\n"memory.available" = "10%"\n"nodefs.available" = "${MARKER}"\n\n[settings.kubernetes.system-reserved]\n"${MARKER}" = "1Gi"\n`,
    ),
  );
  // analytics ingest (AL2): not base64 at all
  plant("333344445555", "eu-west-1", "lt-0d578f3af34bcae34", 1, `${MARKER}!! not user data`);
  return estate;
}

describe("Security: user data never reaches logs, findings or alerts", () => {
  let sim: Simulator;
  let dynamo: LocalDynamo;
  let restoreEnv: () => void;
  let delivery: Delivery;
  let items: Json[];
  const topic = topicArn("marker");
  const SCOPES = [
    ["111122223333", "eu-west-1"],
    ["111122223333", "us-east-1"],
    ["222233334444", "eu-west-1"],
    ["222233334444", "us-east-1"],
    ["333344445555", "eu-west-1"],
    ["444455556666", "eu-west-1"],
  ] as const;

  beforeAll(async () => {
    // Prepare: the sample organisation (coverage faults kept: failed scopes log too) with planted markers
    const estate = withPlantedMarkers(await loadEstateFile(SAMPLE_ESTATE));
    [sim, dynamo] = await Promise.all([startSimulator({ estate }), startDynalite()]);
    restoreEnv = setEnv({
      ...simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }, { logLevel: "DEBUG" }),
    });
    const table = await dynamo.createTable();
    const scanner = await loadScanner({ TABLE_NAME: table, TOPIC_ARN: topic, ALERT_MIN_SEVERITY: "INFO" });
    const run = { runId: "20261125T061500Z-5ec5ec00", scheduledAt: "2026-11-25T06:15:00.000Z" };

    // Act: every scope of the organisation, logging at DEBUG, paging at INFO
    delivery = await deliver(
      [scanner],
      SCOPES.map(([accountId, region]) => taskRecord({ ...run, accountId, region })),
      { batchSize: SCOPES.length },
    );
    items = await tableItems(dynamo.doc, table);
  }, 60_000);

  afterAll(async () => {
    restoreEnv();
    await Promise.all([sim.close(), dynamo.stop()]);
  });

  it("read the marked user data: the scanner fetched it and judged those node groups", () => {
    // Assess
    expect(sim.calls.count({ operation: "DescribeLaunchTemplateVersions", outcome: "ok" })).toBeGreaterThan(
      0,
    );
    const judged = items
      .filter((i) => isFinding(i) && String(i.ruleId).startsWith("node."))
      .map((i) => `${String(i.resourceId)} ${String(i.ruleId)}`);
    expect(judged).toEqual(
      expect.arrayContaining([
        "web node.partial-eviction-override",
        "ledger node.partial-eviction-override",
        "query node.partial-eviction-override",
        "spark node.kubelet-config-unknown",
        "ingest node.kubelet-config-unknown",
      ]),
    );
    // The markers planted in kubelet maps were parsed, and stored only as "unreadable value".
    const evidenceOf = (nodegroup: string) =>
      items
        .filter(
          (i) => isFinding(i) && i.resourceId === nodegroup && i.ruleId === "node.partial-eviction-override",
        )
        .map((i) => JSON.stringify(i.evidence));
    for (const nodegroup of ["web", "ledger", "query"]) {
      expect(evidenceOf(nodegroup).join(""), nodegroup).toContain("unreadable");
    }
    expect(delivery.deadLetters).toEqual([]);
    expect(delivery.lines.some((l) => l.level === "DEBUG" || l.level === "INFO")).toBe(true);
  });

  it("keeps the markers out of every log line, stored item and SNS message", () => {
    // Assess
    const alerts = JSON.stringify(sim.published);
    const stored = JSON.stringify(items);
    for (const secret of [MARKER, FAKE_USER_DATA_SECRET]) {
      expect(delivery.output.includes(secret), `logs hold ${secret}`).toBe(false);
      expect(stored.includes(secret), `the table holds ${secret}`).toBe(false);
      expect(alerts.includes(secret), `an alert holds ${secret}`).toBe(false);
    }
    expect(sim.published.length).toBeGreaterThan(0);
    expect(delivery.output.length).toBeGreaterThan(1000);
    reportFigures("user data", {
      scopes: SCOPES.length,
      logBytes: delivery.output.length,
      logLines: delivery.lines.length,
      storedItems: items.length,
      alerts: sim.published.length,
      markerHits: 0,
    });
  });
});
