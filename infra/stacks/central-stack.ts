import { Aws, CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import type { Construct } from "constructs";
import { ENV } from "#functions/commons/config.ts";
import {
  METRICS_NAMESPACE,
  PLANNER_SERVICE,
  SCANNER_METRICS,
  SCANNER_SERVICE,
} from "#functions/commons/powertools/names.ts";
import { PLANNER_ROLE_NAME, SCANNER_ROLE_NAME, type Settings } from "#infra/config.ts";
import { AlertTopic } from "#infra/constructs/alert-topic.ts";
import { AuditorFunction } from "#infra/constructs/auditor-function.ts";
import { FindingsTable } from "#infra/constructs/findings-table.ts";
import { ScanQueue } from "#infra/constructs/scan-queue.ts";
import {
  MEMBER_ROLE_ACTIONS,
  ORGANIZATIONS_ACTIONS,
  PLANNER_OWN_ACCOUNT_ACTIONS,
} from "#shared/aws/permissions.ts";

export interface CentralStackProps extends StackProps {
  settings: Settings;
}

/** The scanner's timeout; the queue's visibility timeout is six times it. */
export const SCANNER_TIMEOUT = Duration.minutes(5);
/** Records per scanner invocation: small, so one slow account-region delays few others. */
export const SCANNER_BATCH_SIZE = 5;
/** Receives of a task before it moves to the DLQ. */
export const MAX_RECEIVE_COUNT = 3;

const DYNAMODB_STORE_ACTIONS = [
  "dynamodb:BatchWriteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
];

/**
 * The central account's resources: findings table, alert topic, scan queue + DLQ, the planner (run by
 * EventBridge Scheduler) and the scanner (SQS consumer), alarms on the DLQ, scan errors and the planner.
 */
export class CentralStack extends Stack {
  readonly findings: FindingsTable;
  readonly alerts: AlertTopic;
  readonly scanQueue: ScanQueue;
  readonly planner: AuditorFunction;
  readonly scanner: AuditorFunction;

  constructor(scope: Construct, id: string, props: CentralStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const memberRoleArns = `arn:${Aws.PARTITION}:iam::*:role/${settings.memberRoleName}`;

    this.findings = new FindingsTable(this, "Findings");
    this.alerts = new AlertTopic(this, "Alerts", {
      ...(settings.alertEmail ? { email: settings.alertEmail } : {}),
      emailSeverity: settings.emailSeverity,
    });
    this.scanQueue = new ScanQueue(this, "ScanQueue", {
      consumerTimeout: SCANNER_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const table = this.findings.table;
    const topic = this.alerts.topic;

    // ---- scanner ----------------------------------------------------------------------------------
    this.scanner = new AuditorFunction(this, "Scanner", {
      name: "scanner",
      roleName: SCANNER_ROLE_NAME,
      description:
        "eks-auditor: scans one account-region per SQS record, reconciles findings, pages on change",
      timeout: SCANNER_TIMEOUT,
      memorySize: 512,
      logRetention: settings.logRetentionDays,
      skipBundling: settings.skipBundling,
      environment: {
        [ENV.tableName]: table.tableName,
        [ENV.topicArn]: topic.topicArn,
        [ENV.alertMinSeverity]: settings.alertSeverity,
        [ENV.memberRoleName]: settings.memberRoleName,
        POWERTOOLS_SERVICE_NAME: SCANNER_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: "INFO",
      },
    });
    const scannerRole = this.scanner.role;
    scannerRole.addToPolicy(
      new PolicyStatement({
        sid: "AssumeMemberRole",
        actions: ["sts:AssumeRole"],
        resources: [memberRoleArns],
      }),
    );
    // The central account's own scopes are scanned with the function's credentials, not a member role.
    scannerRole.addToPolicy(
      new PolicyStatement({ sid: "DescribeOwnAccount", actions: [...MEMBER_ROLE_ACTIONS], resources: ["*"] }),
    );
    scannerRole.addToPolicy(
      new PolicyStatement({
        sid: "FindingsStore",
        actions: DYNAMODB_STORE_ACTIONS,
        resources: this.findings.arns(),
      }),
    );
    // Not topic.grantPublish: that grants kms:GenerateDataKey*, and no policy here has a wildcard action.
    scannerRole.addToPolicy(
      new PolicyStatement({ sid: "PublishAlerts", actions: ["sns:Publish"], resources: [topic.topicArn] }),
    );
    scannerRole.addToPolicy(
      new PolicyStatement({
        sid: "EncryptAlerts",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [this.alerts.key.keyArn],
      }),
    );
    this.scanner.fn.addEventSource(
      new SqsEventSource(this.scanQueue.queue, {
        batchSize: SCANNER_BATCH_SIZE,
        maxConcurrency: settings.scannerConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    // ---- planner ----------------------------------------------------------------------------------
    this.planner = new AuditorFunction(this, "Planner", {
      name: "planner",
      roleName: PLANNER_ROLE_NAME,
      description: "eks-auditor: lists accounts × regions and enqueues one scan task per account-region",
      timeout: Duration.minutes(5),
      memorySize: 512,
      logRetention: settings.logRetentionDays,
      skipBundling: settings.skipBundling,
      environment: {
        [ENV.queueUrl]: this.scanQueue.queue.queueUrl,
        [ENV.regions]: settings.regions === "all" ? "all" : settings.regions.join(","),
        [ENV.memberRoleName]: settings.memberRoleName,
        ...(settings.accounts.length > 0 ? { [ENV.accountIds]: settings.accounts.join(",") } : {}),
        ...(settings.excludedAccounts.length > 0
          ? { [ENV.excludedAccountIds]: settings.excludedAccounts.join(",") }
          : {}),
        ...(settings.orgRoleArn ? { [ENV.orgRoleArn]: settings.orgRoleArn } : {}),
        POWERTOOLS_SERVICE_NAME: PLANNER_SERVICE,
        POWERTOOLS_LOG_LEVEL: "INFO",
      },
    });
    const plannerRole = this.planner.role;
    this.scanQueue.queue.grantSendMessages(plannerRole);
    if (settings.accounts.length === 0) {
      if (settings.orgRoleArn) {
        plannerRole.addToPolicy(
          new PolicyStatement({
            sid: "AssumeOrganizationsRole",
            actions: ["sts:AssumeRole"],
            resources: [settings.orgRoleArn],
          }),
        );
      } else {
        plannerRole.addToPolicy(
          new PolicyStatement({ sid: "ListAccounts", actions: [...ORGANIZATIONS_ACTIONS], resources: ["*"] }),
        );
      }
    }
    if (settings.regions === "all") {
      plannerRole.addToPolicy(
        new PolicyStatement({
          sid: "AssumeMemberRole",
          actions: ["sts:AssumeRole"],
          resources: [memberRoleArns],
        }),
      );
      plannerRole.addToPolicy(
        new PolicyStatement({
          sid: "DescribeOwnRegions",
          actions: [...PLANNER_OWN_ACCOUNT_ACTIONS],
          resources: ["*"],
        }),
      );
    }

    const schedulerRole = new Role(this, "SchedulerRole", {
      description: "eks-auditor: lets EventBridge Scheduler invoke the planner",
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com").withConditions({
        StringEquals: { "aws:SourceAccount": this.account },
      }),
    });
    const schedule = new Schedule(this, "Schedule", {
      description: "eks-auditor: starts a scan of every account-region",
      schedule: ScheduleExpression.expression(settings.schedule, TimeZone.of(settings.scheduleTimeZone)),
      timeWindow:
        settings.scheduleWindowMinutes > 0
          ? TimeWindow.flexible(Duration.minutes(settings.scheduleWindowMinutes))
          : TimeWindow.off(),
      target: new LambdaInvoke(this.planner.fn, {
        input: ScheduleTargetInput.fromObject({
          scheduledTime: ContextAttribute.scheduledTime,
          executionId: ContextAttribute.executionId,
          scheduleArn: ContextAttribute.scheduleArn,
        }),
        role: schedulerRole,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });

    // ---- alarms -----------------------------------------------------------------------------------
    const page = new SnsAction(topic);
    const dlqAlarm = new Alarm(this, "DeadLetterQueueAlarm", {
      alarmDescription:
        "eks-auditor: scan tasks failed 3 times and sit in the DLQ (see the scanner's log group; redrive after fixing).",
      metric: this.scanQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: "Maximum",
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const scanErrorsAlarm = new Alarm(this, "ScanErrorsAlarm", {
      alarmDescription:
        "eks-auditor: account-regions could not be scanned (scan.* findings: access denied, region unavailable, errors).",
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: SCANNER_METRICS.scanErrors,
        dimensionsMap: { service: SCANNER_SERVICE },
        statistic: "Sum",
        period: Duration.hours(1),
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const plannerAlarm = new Alarm(this, "PlannerErrorsAlarm", {
      alarmDescription: "eks-auditor: the planner failed, so this run scanned nothing.",
      metric: this.planner.fn.metricErrors({ period: Duration.minutes(15), statistic: "Sum" }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [dlqAlarm, scanErrorsAlarm, plannerAlarm]) alarm.addAlarmAction(page);

    // ---- outputs ----------------------------------------------------------------------------------
    const consoleBase = `https://${Aws.REGION}.console.aws.amazon.com`;
    const logsUrl = (name: string) =>
      `${consoleBase}/cloudwatch/home?region=${Aws.REGION}#logsV2:log-groups/log-group/${name.replaceAll("/", "$252F")}`;
    new CfnOutput(this, "FindingsTableName", { value: table.tableName });
    new CfnOutput(this, "AlertTopicArn", { value: topic.topicArn });
    new CfnOutput(this, "ScanQueueUrl", { value: this.scanQueue.queue.queueUrl });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: this.scanQueue.deadLetterQueue.queueUrl });
    new CfnOutput(this, "ScheduleName", { value: schedule.scheduleName });
    new CfnOutput(this, "PlannerFunctionName", { value: this.planner.fn.functionName });
    new CfnOutput(this, "FindingsConsoleUrl", {
      description: "DynamoDB Explore items: query gsi1-open-by-severity with gsi1pk = OPEN#HIGH",
      value: `${consoleBase}/dynamodbv2/home?region=${Aws.REGION}#item-explorer?table=${table.tableName}`,
    });
    new CfnOutput(this, "ScannerLogsUrl", { value: logsUrl("/eks-auditor/scanner") });
    new CfnOutput(this, "PlannerLogsUrl", { value: logsUrl("/eks-auditor/planner") });

    // ---- cdk-nag acknowledgements (AwsSolutions), each with its reason -----------------------------
    Validations.of(scannerRole).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "The scanner describes its own account with its own credentials; EC2 Describe* and EKS List*/Describe* do not support resource-level permissions. Actions are listed one by one.",
    });
    Validations.of(scannerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${settings.memberRoleName}]`,
      reason:
        "The member role exists in every account of the organisation; the account is the only wildcard, the role name is fixed, and each member role trusts only this role within the organisation.",
    });
    Validations.of(plannerRole).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "organizations:ListAccounts and ec2:DescribeRegions do not support resource-level permissions.",
    });
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.planner.fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        "LambdaInvoke grants lambda:InvokeFunction on the planner and its versions (<arn>:*); the action is exact and only the version qualifier is a wildcard.",
    });
    Validations.of(plannerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${settings.memberRoleName}]`,
      reason:
        "The planner lists each member account's enabled regions through the member role, which exists in every account; only the account is a wildcard.",
    });
  }
}
