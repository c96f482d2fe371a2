import { Aws, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { CfnKey, IKey } from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import { heartbeatOf, type Settings } from "#infra/config.ts";
import { AlertTopic } from "#infra/constructs/alert-topic.ts";
import { AuditorKey } from "#infra/constructs/encryption-key.ts";
import { FindingsTable } from "#infra/constructs/findings-table.ts";
import { OpsAlarms } from "#infra/constructs/ops-alarms.ts";
import { Planner } from "#infra/constructs/planner.ts";
import { ScanQueue } from "#infra/constructs/scan-queue.ts";
import { SCANNER_TIMEOUT, Scanner } from "#infra/constructs/scanner.ts";

export { SCANNER_TIMEOUT } from "#infra/constructs/scanner.ts";

/** Receives of a task before it moves to the DLQ. */
export const MAX_RECEIVE_COUNT = 3;

export interface CentralStackProps extends StackProps {
  settings: Settings;
}

/**
 * The central account's resources: findings table, alert topic, scan queue + DLQ, the scanner (SQS
 * consumer), the planner and its schedule, and the operational alarms with their own topic.
 *
 * Logical ids of what holds data or a fixed name (the table, the topic, the queues, the key, the named
 * roles and log groups) are those of the first release, so `cdk deploy` updates them in place.
 */
export class CentralStack extends Stack {
  readonly findings: FindingsTable;
  readonly alerts: AlertTopic;
  readonly scanQueue: ScanQueue;
  readonly planner: Planner;
  readonly scanner: Scanner;
  readonly ops: OpsAlarms;
  /** The customer-managed key: of everything with `customerManagedKey`, of the ops topic only without. */
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: CentralStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const auditorKey = new AuditorKey(this, "Key", {
      description: settings.customerManagedKey
        ? "eks-auditor: encrypts the findings table, the scan queues and the topics"
        : "eks-auditor: encrypts the ops topic (CloudWatch alarms cannot use the AWS-managed aws/sns key)",
    });
    // The key the first release created for the alert topic (retained): updates keep using it.
    (auditorKey.key.node.defaultChild as CfnKey).overrideLogicalId("AlertsKey9E1197AF");
    this.key = auditorKey.key;
    const dataKey = settings.customerManagedKey ? this.key : undefined;

    this.findings = new FindingsTable(this, "Findings", { ...(dataKey ? { key: dataKey } : {}) });
    this.alerts = new AlertTopic(this, "Alerts", {
      displayName: "eks-auditor alerts",
      ...(dataKey ? { key: dataKey } : {}),
    });
    if (settings.alertEmail) this.alerts.subscribeEmail(settings.alertEmail, settings.emailSeverity);
    this.scanQueue = new ScanQueue(this, "ScanQueue", {
      consumerTimeout: SCANNER_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      ...(dataKey ? { key: dataKey } : {}),
    });
    this.scanner = new Scanner(this, "Scanner", {
      settings,
      findings: this.findings,
      topicArn: this.alerts.topic.topicArn,
      scanQueue: this.scanQueue,
      key: dataKey,
    });
    this.planner = new Planner(this, "Planner", {
      settings,
      scanQueue: this.scanQueue,
      findings: this.findings,
      topicArn: this.alerts.topic.topicArn,
      key: dataKey,
    });
    this.ops = new OpsAlarms(this, "Ops", {
      key: this.key,
      // Without an ops address, the alert address gets the alarms too: someone must.
      email: settings.opsEmail ?? settings.alertEmail,
      scanDeadLetterQueue: this.scanQueue.deadLetterQueue,
      scheduleDeadLetterQueue: this.planner.scheduleDeadLetterQueue,
      planner: this.planner.fn,
      heartbeat: heartbeatOf(settings),
      schedule: settings.schedule,
    });

    // ---- outputs ----------------------------------------------------------------------------------
    const table = this.findings.table;
    const consoleBase = `https://${Aws.REGION}.console.aws.amazon.com`;
    const logsUrl = (name: string) =>
      `${consoleBase}/cloudwatch/home?region=${Aws.REGION}#logsV2:log-groups/log-group/${name.replaceAll("/", "$252F")}`;
    new CfnOutput(this, "FindingsTableName", { value: table.tableName });
    new CfnOutput(this, "AlertTopicArn", { value: this.alerts.topic.topicArn });
    new CfnOutput(this, "OpsTopicArn", {
      description:
        "Alarm notifications (DLQs, scan errors, planner errors, heartbeat): subscribe without a filter",
      value: this.ops.topic.topic.topicArn,
    });
    new CfnOutput(this, "ScanQueueUrl", { value: this.scanQueue.queue.queueUrl });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: this.scanQueue.deadLetterQueue.queueUrl });
    new CfnOutput(this, "ScheduleDeadLetterQueueUrl", {
      value: this.planner.scheduleDeadLetterQueue.queueUrl,
    });
    new CfnOutput(this, "ScheduleName", { value: this.planner.schedule.scheduleName });
    new CfnOutput(this, "PlannerFunctionName", { value: this.planner.fn.functionName });
    new CfnOutput(this, "FindingsConsoleUrl", {
      description: "DynamoDB Explore items: query gsi1-open-by-severity with gsi1pk = OPEN#HIGH",
      value: `${consoleBase}/dynamodbv2/home?region=${Aws.REGION}#item-explorer?table=${table.tableName}`,
    });
    new CfnOutput(this, "ScannerLogsUrl", { value: logsUrl("/eks-auditor/scanner") });
    new CfnOutput(this, "PlannerLogsUrl", { value: logsUrl("/eks-auditor/planner") });
  }
}
