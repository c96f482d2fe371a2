import { Match } from "aws-cdk-lib/assertions";
import { Runtime } from "aws-cdk-lib/aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { SCANNER_SERVICE } from "#functions/commons/powertools/names.ts";
import { MEMBER_ROLE_ACTIONS } from "#shared/aws/permissions.ts";
import { FINDINGS_TABLE } from "#shared/store/index.ts";
import {
  actionsOf,
  type Json,
  propsOf,
  resourcesOf,
  type Synthesized,
  statementsOf,
  synthesize,
} from "./support.ts";

let app: Synthesized;

beforeAll(() => {
  app = synthesize();
});

function single(type: string, filter?: (props: Json) => boolean): [string, Json] {
  const found = resourcesOf(app.central, type).filter(([, r]) => filter?.(propsOf(r)) ?? true);
  expect(found, type).toHaveLength(1);
  const first = found[0];
  if (first === undefined) throw new Error(`no ${type}`);
  return first;
}

function opsTopicId(): string {
  return single("AWS::SNS::Topic", (p) => p.DisplayName === "eks-auditor operations")[0];
}

function scanQueues(): { main: [string, Json]; dlq: [string, Json] } {
  const queues = resourcesOf(app.central, "AWS::SQS::Queue");
  const main = queues.find(([, q]) => propsOf(q).RedrivePolicy !== undefined);
  const dlqArn = (propsOf(main?.[1] ?? {}).RedrivePolicy as Json | undefined)?.deadLetterTargetArn as Json;
  const dlq = queues.find(([id]) => JSON.stringify(dlqArn) === JSON.stringify({ "Fn::GetAtt": [id, "Arn"] }));
  if (!main || !dlq) throw new Error("no scan queue and DLQ");
  return { main, dlq };
}

function functionNamed(name: "planner" | "scanner"): [string, Json] {
  return single("AWS::Lambda::Function", (p) =>
    String(p.Description).startsWith(`eks-auditor: ${name === "planner" ? "lists" : "scans"}`),
  );
}

describe("Stack: EksAuditorCentral", () => {
  describe("findings table", () => {
    it("has the keys, GSIs and TTL of FINDINGS_TABLE", () => {
      // Act
      const [, table] = single("AWS::DynamoDB::GlobalTable");
      const p = propsOf(table);

      // Assess
      expect(p.KeySchema).toEqual([
        { AttributeName: FINDINGS_TABLE.partitionKey.name, KeyType: "HASH" },
        { AttributeName: FINDINGS_TABLE.sortKey.name, KeyType: "RANGE" },
      ]);
      expect(p.GlobalSecondaryIndexes).toEqual(
        FINDINGS_TABLE.globalSecondaryIndexes.map((g) => ({
          IndexName: g.indexName,
          KeySchema: [
            { AttributeName: g.partitionKey.name, KeyType: "HASH" },
            { AttributeName: g.sortKey.name, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: g.projectionType },
        })),
      );
      const keyNames = [
        FINDINGS_TABLE.partitionKey.name,
        FINDINGS_TABLE.sortKey.name,
        ...FINDINGS_TABLE.globalSecondaryIndexes.flatMap((g) => [g.partitionKey.name, g.sortKey.name]),
      ];
      expect(p.AttributeDefinitions).toEqual(
        expect.arrayContaining(keyNames.map((name) => ({ AttributeName: name, AttributeType: "S" }))),
      );
      expect((p.AttributeDefinitions as unknown[]).length).toBe(keyNames.length);
      expect(p.TimeToLiveSpecification).toEqual({
        AttributeName: FINDINGS_TABLE.timeToLiveAttribute,
        Enabled: true,
      });
      expect(p.BillingMode).toBe(FINDINGS_TABLE.billingMode);
    });

    it("is encrypted, point-in-time recoverable, deletion-protected and retained", () => {
      // Act
      const [, table] = single("AWS::DynamoDB::GlobalTable");
      const p = propsOf(table);

      // Assess
      expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: "KMS" });
      expect(p.Replicas).toEqual([
        expect.objectContaining({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ]);
      expect(table.DeletionPolicy).toBe("Retain");
      expect(table.UpdateReplacePolicy).toBe("Retain");
    });
  });

  describe("topics", () => {
    it("encrypt the alert topic with SNS's AWS-managed key and the ops topic with a rotating customer-managed key", () => {
      // Act
      const topics = resourcesOf(app.central, "AWS::SNS::Topic");
      const alerts = topics.find(([, t]) => propsOf(t).DisplayName === "eks-auditor alerts");
      const ops = topics.find(([, t]) => propsOf(t).DisplayName === "eks-auditor operations");
      const [keyId, key] = single("AWS::KMS::Key");

      // Assess
      expect(topics).toHaveLength(2);
      expect(JSON.stringify(propsOf(alerts?.[1] ?? {}).KmsMasterKeyId)).toContain(":alias/aws/sns");
      expect(propsOf(ops?.[1] ?? {}).KmsMasterKeyId).toEqual({ "Fn::GetAtt": [keyId, "Arn"] });
      expect(propsOf(key).EnableKeyRotation).toBe(true);
    });

    it("deny publishing without TLS, and only the ops topic lets CloudWatch alarms publish", () => {
      // Act
      const policies = resourcesOf(app.central, "AWS::SNS::TopicPolicy");
      const cloudWatchMayPublish = policies
        .filter(([, p]) =>
          ((propsOf(p).PolicyDocument as Json).Statement as Json[]).some(
            (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: "cloudwatch.amazonaws.com" }),
          ),
        )
        .flatMap(([, p]) => propsOf(p).Topics as Json[]);

      // Assess
      expect(policies).toHaveLength(2);
      for (const [, policy] of policies) {
        expect((propsOf(policy).PolicyDocument as Json).Statement).toContainEqual(
          expect.objectContaining({
            Effect: "Deny",
            Action: "sns:Publish",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        );
      }
      expect(cloudWatchMayPublish).toEqual([{ Ref: opsTopicId() }]);
    });

    it("have no subscription unless an email is configured", () => {
      app.central.resourceCountIs("AWS::SNS::Subscription", 0);
    });
  });

  describe("scan queue", () => {
    it("encrypts the queues, sends the scanner's failures to the DLQ after 3 receives, and waits 6× the scanner timeout", () => {
      // Act
      const queues = resourcesOf(app.central, "AWS::SQS::Queue");
      const { main, dlq } = scanQueues();
      const [, scanner] = functionNamed("scanner");

      // Assess: the scan queue, its DLQ and the schedule's DLQ
      expect(queues).toHaveLength(3);
      for (const [, q] of queues) expect(propsOf(q).SqsManagedSseEnabled).toBe(true);
      const redrive = propsOf(main[1]).RedrivePolicy as Json;
      expect(redrive.deadLetterTargetArn).toEqual({ "Fn::GetAtt": [dlq[0], "Arn"] });
      expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(3);
      expect(redrive.maxReceiveCount).toBeLessThanOrEqual(5);
      expect(propsOf(main[1]).VisibilityTimeout).toBeGreaterThanOrEqual(6 * Number(propsOf(scanner).Timeout));
    });

    it("denies every non-TLS request on every queue", () => {
      // Act
      const policies = resourcesOf(app.central, "AWS::SQS::QueuePolicy");
      const queues = resourcesOf(app.central, "AWS::SQS::Queue").map(([id]) => id);

      // Assess
      const covered = new Set<string>();
      for (const [, policy] of policies) {
        const statements = (propsOf(policy).PolicyDocument as Json).Statement as Json[];
        const tlsDeny = statements.find(
          (s) =>
            s.Effect === "Deny" &&
            JSON.stringify(s.Condition) === JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }),
        );
        expect(tlsDeny).toBeDefined();
        for (const q of propsOf(policy).Queues as Json[]) covered.add(String(q.Ref));
      }
      expect([...covered].sort()).toEqual(queues.sort());
    });
  });

  describe("functions", () => {
    it("run on the newest Node.js runtime aws-cdk-lib offers, on arm64, with their own log groups", () => {
      // Prepare
      const newest = Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name))
        .map((r) => r.name)
        .sort((a, b) => Number.parseInt(b.slice(6), 10) - Number.parseInt(a.slice(6), 10))[0];

      // Act
      const functions = resourcesOf(app.central, "AWS::Lambda::Function");
      const logGroups = resourcesOf(app.central, "AWS::Logs::LogGroup");

      // Assess
      expect(functions).toHaveLength(2);
      for (const [, fn] of functions) {
        const p = propsOf(fn);
        expect(p.Runtime).toBe(newest);
        expect(p.Architectures).toEqual(["arm64"]);
        expect(p.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) } });
      }
      expect(logGroups.map(([, g]) => propsOf(g).LogGroupName).sort()).toEqual([
        "/eks-auditor/planner",
        "/eks-auditor/scanner",
      ]);
      for (const [, g] of logGroups) expect(propsOf(g).RetentionInDays).toBe(30);
    });

    it("feeds the scanner small SQS batches with partial failures and bounded concurrency", () => {
      // Act
      const [scannerId] = functionNamed("scanner");

      // Assess
      app.central.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        FunctionName: { Ref: scannerId },
        BatchSize: 5,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 25 },
      });
    });

    it("configure the scanner and planner through the environment variables functions/commons/config.ts reads", () => {
      // Act
      const scanner = propsOf(functionNamed("scanner")[1]).Environment as Json;
      const planner = propsOf(functionNamed("planner")[1]).Environment as Json;

      // Assess
      expect(Object.keys(scanner.Variables as Json)).toEqual(
        expect.arrayContaining(["TABLE_NAME", "TOPIC_ARN", "ALERT_MIN_SEVERITY", "MEMBER_ROLE_NAME"]),
      );
      expect(scanner.Variables).toMatchObject({
        MEMBER_ROLE_NAME: "EksAuditorReadRole",
        TEAM_TAG_KEYS: "team,owner",
      });
      // The planner reaches member accounts through the regions role only.
      expect(planner.Variables).toMatchObject({ REGIONS: "all", MEMBER_ROLE_NAME: "EksAuditorRegionsRole" });
      expect(Object.keys(planner.Variables as Json)).toContain("QUEUE_URL");
    });
  });

  describe("schedule", () => {
    it("invokes the planner with Scheduler's context attributes in a flexible window", () => {
      // Act
      const [plannerId] = functionNamed("planner");
      const [, schedule] = single("AWS::Scheduler::Schedule");
      const p = propsOf(schedule);
      const target = p.Target as Json;

      // Assess
      expect(p.ScheduleExpression).toBe("cron(15 6 * * ? *)");
      expect(p.FlexibleTimeWindow).toEqual({ Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 });
      expect(target.Arn).toEqual({ "Fn::GetAtt": [plannerId, "Arn"] });
      expect(JSON.parse(String(target.Input))).toEqual({
        scheduledTime: "<aws.scheduler.scheduled-time>",
        executionId: "<aws.scheduler.execution-id>",
        scheduleArn: "<aws.scheduler.schedule-arn>",
      });
    });

    it("sends an invocation it could not deliver to a DLQ of its own, which its role may write to", () => {
      // Act
      const [, schedule] = single("AWS::Scheduler::Schedule");
      const target = propsOf(schedule).Target as Json;
      const dlqArn = (target.DeadLetterConfig as Json | undefined)?.Arn as Json | undefined;
      const dlq = resourcesOf(app.central, "AWS::SQS::Queue").find(
        ([id]) => JSON.stringify(dlqArn) === JSON.stringify({ "Fn::GetAtt": [id, "Arn"] }),
      );
      const roleId = ((target.RoleArn as Json)["Fn::GetAtt"] as string[])[0] ?? "";
      const roleActions = statementsOf(app.central).filter(
        ({ where, statement }) =>
          where.startsWith(roleId.replace(/[0-9A-F]{8}$/, "")) &&
          JSON.stringify(statement.Resource) === JSON.stringify(dlqArn),
      );

      // Assess
      expect(dlq).toBeDefined();
      expect(dlq?.[0]).not.toBe(scanQueues().dlq[0]);
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
      expect(roleActions.flatMap(({ statement }) => actionsOf(statement))).toEqual(["sqs:SendMessage"]);
    });
  });

  describe("alarms", () => {
    it("page the ops topic when the scan DLQ holds a message", () => {
      // Act
      const { dlq } = scanQueues();

      // Assess
      app.central.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Namespace: "AWS/SQS",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [dlq[0], "QueueName"] } }],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [{ Ref: opsTopicId() }],
      });
    });

    it("page the ops topic on scan errors from the scanner's EMF metric", () => {
      app.central.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "EksAuditor",
        MetricName: "ScanErrors",
        Dimensions: [{ Name: "service", Value: SCANNER_SERVICE }],
        Statistic: "Sum",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [{ Ref: opsTopicId() }],
      });
    });
  });

  describe("IAM", () => {
    it("gives the scanner the collector's describe actions for its own account, and the store's item actions without index wildcards", () => {
      // Act
      const scanner = statementsOf(app.central).filter(({ where }) => where.startsWith("ScannerRole"));
      const describe = scanner.filter(({ statement }) => statement.Sid?.startsWith("DescribeOwnAccount"));
      const store = scanner.find(({ statement }) => statement.Sid === "FindingsStore");

      // Assess
      expect(describe.flatMap(({ statement }) => actionsOf(statement)).sort()).toEqual(
        [...MEMBER_ROLE_ACTIONS].sort(),
      );
      expect(JSON.stringify(store?.statement.Resource)).not.toContain("/index/*");
      expect(JSON.stringify(store?.statement.Resource)).toContain("/index/gsi1-open-by-severity");
    });

    it("lets the planner list accounts and member regions, send to the queue, and close coverage in the table", () => {
      // Act
      const planner = statementsOf(app.central)
        .filter(({ where }) => where.startsWith("PlannerRole") && !where.includes("AssumeRolePolicyDocument"))
        .flatMap(({ statement }) => actionsOf(statement));

      // Assess
      expect(planner).toEqual(
        expect.arrayContaining([
          "organizations:ListAccounts",
          "ec2:DescribeRegions",
          "sts:AssumeRole",
          "sqs:SendMessage",
        ]),
      );
      // Coverage closing: the store's calls and the alert topic, nothing that reads a cluster
      expect(planner.filter((a) => a.startsWith("dynamodb:")).sort()).toEqual([
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ]);
      expect(planner.filter((a) => a.startsWith("sns:"))).toEqual(["sns:Publish"]);
      expect(planner.filter((a) => a.startsWith("eks:"))).toEqual([]);
    });

    it("has no Allow statement with a wildcard action in any policy of any stack", () => {
      // Act
      const wildcards = app.all.flatMap((t) =>
        statementsOf(t)
          .filter(
            ({ statement }) =>
              statement.Effect === "Allow" && actionsOf(statement).some((a) => a.includes("*")),
          )
          .map(({ where, statement }) => `${where}: ${actionsOf(statement).join(",")}`),
      );

      // Assess
      expect(wildcards).toEqual([]);
    });

    it("uses a service-wide action only in the TLS-deny statements, which must cover every action", () => {
      // Act
      const denies = statementsOf(app.central).filter(
        ({ statement }) => statement.Effect === "Deny" && actionsOf(statement).some((a) => a.includes("*")),
      );

      // Assess
      for (const { statement } of denies) {
        expect(statement.Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
      }
    });
  });

  describe("outputs", () => {
    it("names the table and topic and links to the console", () => {
      // Act
      const outputs = app.central.findOutputs("*");

      // Assess
      expect(Object.keys(outputs)).toEqual(
        expect.arrayContaining([
          "FindingsTableName",
          "AlertTopicArn",
          "OpsTopicArn",
          "ScheduleDeadLetterQueueUrl",
          "FindingsConsoleUrl",
          "ScannerLogsUrl",
          "PlannerLogsUrl",
        ]),
      );
      expect(JSON.stringify(outputs.FindingsConsoleUrl)).toContain("item-explorer?table=");
      expect(JSON.stringify(outputs.ScannerLogsUrl)).toContain("log-group/$252Feks-auditor$252Fscanner");
    });
  });
});

describe("Stack: EksAuditorCentral with settings", () => {
  it("subscribes the email with a filter on the severity attribute at or above the threshold", () => {
    // Act
    const configured = synthesize({
      "eksAuditor.alertEmail": "platform-oncall@example.com",
      "eksAuditor.emailSeverity": "high",
      "eksAuditor.regions": "eu-west-1,us-east-1",
      "eksAuditor.accounts": ["222233334444", "333344445555"],
      "eksAuditor.scannerConcurrency": 20,
      "eksAuditor.scannerBatchSize": 2,
      "eksAuditor.schedule": "rate(12 hours)",
      "eksAuditor.scheduleWindowMinutes": 0,
    });

    // Assess
    configured.central.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "platform-oncall@example.com",
      FilterPolicy: { severity: ["CRITICAL", "HIGH"] },
    });
    configured.central.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ScalingConfig: { MaximumConcurrency: 20 },
      BatchSize: 2,
    });
    configured.central.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(12 hours)",
      FlexibleTimeWindow: { Mode: "OFF" },
    });
    configured.central.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          REGIONS: "eu-west-1,us-east-1",
          ACCOUNT_IDS: "222233334444,333344445555",
        }),
      },
    });
    // A static list and fixed regions need neither Organizations nor DescribeRegions.
    const planner = statementsOf(configured.central)
      .filter(({ where }) => where.startsWith("PlannerRole"))
      .flatMap(({ statement }) => actionsOf(statement));
    expect(planner).not.toContain("organizations:ListAccounts");
    expect(planner).not.toContain("ec2:DescribeRegions");
  });

  it("with an organisation role, the planner may assume exactly that role instead of listing accounts itself", () => {
    // Act
    const configured = synthesize({
      "eksAuditor.orgRoleArn": "arn:aws:iam::111122223333:role/EksAuditorOrganizationsRead",
    });

    // Assess
    const planner = statementsOf(configured.central).filter(({ where }) => where.startsWith("PlannerRole"));
    expect(planner.flatMap(({ statement }) => actionsOf(statement))).not.toContain(
      "organizations:ListAccounts",
    );
    expect(planner.map(({ statement }) => statement.Resource)).toContainEqual(
      "arn:aws:iam::111122223333:role/EksAuditorOrganizationsRead",
    );
  });
});
