import { Duration, Stack, TimeZone, Validations } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Queue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { ENV } from "#functions/commons/config.ts";
import { PLANNER_SERVICE } from "#functions/commons/powertools/names.ts";
import { PLANNER_ROLE_NAME, type Settings } from "#infra/config.ts";
import { ORGANIZATIONS_ACTIONS, REGION_LISTING_ACTIONS } from "#shared/aws/permissions.ts";
import { AuditorFunction } from "./auditor-function.ts";
import type { FindingsTable } from "./findings-table.ts";
import { assumeMemberRoleStatement, nagResourceId, roleArnIn } from "./member-access.ts";
import { encryptedQueueProps, type ScanQueue } from "./scan-queue.ts";
import { securityHubEnvironment } from "./security-hub.ts";
import { storeAndAlertsStatements } from "./store-and-alerts.ts";

export interface PlannerProps {
  settings: Settings;
  scanQueue: ScanQueue;
  /** The findings table and alert topic: the planner resolves (and pages) coverage its plan no longer has. */
  findings: FindingsTable;
  topicArn: string;
  key: IKey | undefined;
}

/**
 * The planner and what starts it: lists the accounts (Organizations or the static list) and each account's
 * enabled regions, and sends one scan task per account-region. In a member account it can only list
 * regions: it assumes the member regions role (ec2:DescribeRegions), never the read role. EventBridge
 * Scheduler invokes it on `schedule`; an invocation Scheduler could not deliver goes to the schedule's DLQ.
 */
export class Planner extends AuditorFunction {
  readonly schedule: Schedule;
  /** Scheduler's dead letters: invocations of the planner it could not deliver after its retries. */
  readonly scheduleDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: PlannerProps) {
    const { settings } = props;
    super(scope, id, {
      name: "planner",
      roleName: PLANNER_ROLE_NAME,
      description: "eks-auditor: lists accounts × regions and enqueues one scan task per account-region",
      timeout: Duration.minutes(5),
      memorySize: 512,
      logRetention: settings.logRetentionDays,
      skipBundling: settings.skipBundling,
      environment: {
        [ENV.queueUrl]: props.scanQueue.queue.queueUrl,
        [ENV.regions]: settings.regions === "all" ? "all" : settings.regions.join(","),
        // The planner reaches member accounts only through the regions role.
        [ENV.memberRoleName]: settings.regionsRoleName,
        ...(settings.accounts.length > 0 ? { [ENV.accountIds]: settings.accounts.join(",") } : {}),
        ...(settings.excludedAccounts.length > 0
          ? { [ENV.excludedAccountIds]: settings.excludedAccounts.join(",") }
          : {}),
        ...(settings.orgRoleArn ? { [ENV.orgRoleArn]: settings.orgRoleArn } : {}),
        [ENV.tableName]: props.findings.table.tableName,
        [ENV.topicArn]: props.topicArn,
        [ENV.alertMinSeverity]: settings.alertSeverity,
        ...securityHubEnvironment(settings.securityHub),
        POWERTOOLS_SERVICE_NAME: PLANNER_SERVICE,
        POWERTOOLS_LOG_LEVEL: "INFO",
      },
    });
    // Not queue.grantSendMessages: with a customer-managed key that grants kms:GenerateDataKey*.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: "SendScanTasks",
        actions: ["sqs:SendMessage"],
        resources: [props.scanQueue.queue.queueArn],
      }),
    );
    // Coverage findings of account-regions the plan no longer includes are resolved and paged.
    for (const statement of storeAndAlertsStatements({
      findings: props.findings,
      topicArn: props.topicArn,
      securityHub: settings.securityHub,
      ...(props.key ? { key: props.key } : {}),
    }))
      this.role.addToPolicy(statement);
    if (settings.accounts.length === 0) {
      if (settings.orgRoleArn) {
        this.role.addToPolicy(
          new PolicyStatement({
            sid: "AssumeOrganizationsRole",
            actions: ["sts:AssumeRole"],
            resources: [settings.orgRoleArn],
          }),
        );
      } else {
        this.role.addToPolicy(
          new PolicyStatement({ sid: "ListAccounts", actions: [...ORGANIZATIONS_ACTIONS], resources: ["*"] }),
        );
      }
    }
    if (settings.regions === "all") {
      this.role.addToPolicy(
        assumeMemberRoleStatement("AssumeRegionsRole", settings.regionsRoleName, settings.accounts),
      );
      this.role.addToPolicy(
        new PolicyStatement({
          sid: "DescribeOwnRegions",
          actions: [...REGION_LISTING_ACTIONS],
          resources: ["*"],
        }),
      );
    }

    const schedulerRole = new Role(scope, "SchedulerRole", {
      description: "eks-auditor: lets EventBridge Scheduler invoke the planner",
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com").withConditions({
        StringEquals: { "aws:SourceAccount": Stack.of(this).account },
      }),
    });
    this.scheduleDeadLetterQueue = new Queue(this, "ScheduleDeadLetters", {
      ...encryptedQueueProps(props.key),
      retentionPeriod: Duration.days(14),
    });
    if (props.key) {
      schedulerRole.addToPolicy(
        new PolicyStatement({
          sid: "EncryptDeadLetters",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: [props.key.keyArn],
        }),
      );
    }
    this.schedule = new Schedule(scope, "Schedule", {
      description: "eks-auditor: starts a scan of every account-region",
      schedule: ScheduleExpression.expression(settings.schedule, TimeZone.of(settings.scheduleTimeZone)),
      timeWindow:
        settings.scheduleWindowMinutes > 0
          ? TimeWindow.flexible(Duration.minutes(settings.scheduleWindowMinutes))
          : TimeWindow.off(),
      target: new LambdaInvoke(this.fn, {
        input: ScheduleTargetInput.fromObject({
          scheduledTime: ContextAttribute.scheduledTime,
          executionId: ContextAttribute.executionId,
          scheduleArn: ContextAttribute.scheduleArn,
        }),
        role: schedulerRole,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.scheduleDeadLetterQueue,
      }),
    });

    // ---- cdk-nag acknowledgements (AwsSolutions), each with its reason ---------------------------------
    if (settings.accounts.length === 0 || settings.regions === "all") {
      Validations.of(this.role).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "organizations:ListAccounts and ec2:DescribeRegions support no resource-level permissions (Service Authorization Reference).",
      });
    }
    if (settings.accounts.length === 0 && settings.regions === "all") {
      Validations.of(this.role).acknowledge({
        id: nagResourceId(roleArnIn("*", settings.regionsRoleName)),
        reason:
          "The regions role exists in every account of the organisation, which the stack cannot list: the account is the only wildcard, the role name is fixed, and aws:ResourceOrgID limits it to accounts of the planner's own organisation.",
      });
    }
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        "LambdaInvoke grants lambda:InvokeFunction on the planner and its versions (<arn>:*); the action is exact and only the version qualifier is a wildcard.",
    });
    // The queue a dead-letter queue would need has none of its own: it is the end of the line, watched by an alarm.
    Validations.of(this.scheduleDeadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is itself the dead-letter queue of the schedule's target; the ScheduleDeadLetters alarm watches it.",
    });
  }
}
