import { Annotations, Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { METRICS_NAMESPACE, SCANNER_METRICS, SCANNER_SERVICE } from "#functions/commons/powertools/names.ts";
import type { HeartbeatWindow } from "#infra/schedule.ts";
import { AlertTopic } from "./alert-topic.ts";

export interface OpsAlarmsProps {
  /** Customer-managed: CloudWatch alarms cannot publish to a topic under the AWS-managed aws/sns key. */
  key: IKey;
  /** Subscribed to the ops topic with no filter policy: every alarm reaches it. */
  email: string | undefined;
  scanDeadLetterQueue: IQueue;
  scheduleDeadLetterQueue: IQueue;
  planner: IFunction;
  heartbeat: HeartbeatWindow;
  /** Human description of the schedule, for the heartbeat alarm's text. */
  schedule: string;
}

/** A metric of the scanner's EMF namespace, dimension `service`. */
function scannerMetric(name: string, period: Duration): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SCANNER_SERVICE },
    statistic: "Sum",
    period,
  });
}

/**
 * The operational alarms and the topic they page: a queue of dead letters (scan tasks or schedule
 * invocations), scopes that could not be scanned, a failing planner, and the heartbeat (no scope completed
 * within two schedule periods: the schedule, the planner or the scanner stopped). Alarm notifications carry
 * no message attributes, so they go to a topic of their own whose subscription has no filter policy.
 */
export class OpsAlarms extends Construct {
  readonly topic: AlertTopic;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    this.topic = new AlertTopic(this, "Topic", {
      displayName: "eks-auditor operations",
      key: props.key,
      cloudWatchAlarms: true,
    });
    if (props.email !== undefined) this.topic.subscribeEmail(props.email);
    else {
      Annotations.of(this).addWarningV2(
        "eks-auditor:no-ops-subscriber",
        'No one is subscribed to the ops topic: set "eksAuditor.opsEmail" or "eksAuditor.alertEmail", or subscribe to the OpsTopicArn output, or the alarms reach no one.',
      );
    }

    const overZero = (alarmId: string, description: string, metric: IMetric): Alarm =>
      new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    const visible = (queue: IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" });

    const { heartbeat } = props;
    const hours = (heartbeat.windowMinutes / 60).toFixed(heartbeat.windowMinutes % 60 === 0 ? 0 : 1);
    this.alarms = [
      overZero(
        "ScanDeadLetters",
        "eks-auditor: scan tasks failed 3 times and sit in the scan DLQ (see the scanner's log group; redrive after fixing).",
        visible(props.scanDeadLetterQueue),
      ),
      overZero(
        "ScheduleDeadLetters",
        "eks-auditor: EventBridge Scheduler could not invoke the planner after its retries; the invocation sits in the schedule DLQ, and that run did not happen.",
        visible(props.scheduleDeadLetterQueue),
      ),
      overZero(
        "ScanErrors",
        "eks-auditor: account-regions could not be scanned (scan.* findings: access denied, region unavailable, errors).",
        scannerMetric(SCANNER_METRICS.scanErrors, Duration.hours(1)),
      ),
      overZero(
        "PlannerErrors",
        "eks-auditor: the planner failed, so this run scanned nothing.",
        props.planner.metricErrors({ period: Duration.minutes(15), statistic: "Sum" }),
      ),
      new Alarm(this, "Heartbeat", {
        alarmDescription: `eks-auditor: no account-region scan completed in the last ${hours} hours (two periods of ${props.schedule}): the schedule, the planner or the scanner stopped, or every scope failed.`,
        metric: scannerMetric(SCANNER_METRICS.scopesCompleted, Duration.minutes(heartbeat.periodMinutes)),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: heartbeat.evaluationPeriods,
        datapointsToAlarm: heartbeat.evaluationPeriods,
        // No data in a period is a period without a completed scan.
        treatMissingData: TreatMissingData.BREACHING,
      }),
    ];
    const page = new SnsAction(this.topic.topic);
    for (const alarm of this.alarms) alarm.addAlarmAction(page);
  }
}
