import { Stack } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Alias, type IKey } from "aws-cdk-lib/aws-kms";
import { SubscriptionFilter, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { SEVERITIES, type Severity, severityRank } from "#shared/findings/index.ts";

/** Severities at or above `minimum`, worst first: the filter policy's `severity` list. */
export function severitiesAtLeast(minimum: Severity): Severity[] {
  return SEVERITIES.filter((s) => severityRank(s) >= severityRank(minimum));
}

export interface AlertTopicProps {
  displayName: string;
  /** The customer-managed key; without one, SNS's AWS-managed key (alias/aws/sns). */
  key?: IKey;
  /** CloudWatch alarms of this account may publish (then `key` is required: aws/sns cannot allow them). */
  cloudWatchAlarms?: boolean;
}

/** A standard topic (email and chat need it), encrypted, TLS only. */
export class AlertTopic extends Construct {
  readonly topic: Topic;
  /** The key the topic is encrypted with, when it is a customer-managed one. */
  readonly key: IKey | undefined;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    if (props.cloudWatchAlarms && props.key === undefined) {
      throw new Error(`${this.node.path}: CloudWatch alarms need a customer-managed key on the topic`);
    }
    this.key = props.key;
    this.topic = new Topic(this, "Topic", {
      displayName: props.displayName,
      masterKey: props.key ?? Alias.fromAliasName(this, "AwsManagedKey", "alias/aws/sns"),
      enforceSSL: true,
    });
    if (props.cloudWatchAlarms) {
      this.topic.addToResourcePolicy(
        new PolicyStatement({
          sid: "CloudWatchAlarmsPublish",
          principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
          actions: ["sns:Publish"],
          resources: [this.topic.topicArn],
          conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
        }),
      );
    }
  }

  /** An email subscription: every message with no `severity`, or only those at or above it. */
  subscribeEmail(email: string, minimum?: Severity): void {
    this.topic.addSubscription(
      new EmailSubscription(email, {
        ...(minimum
          ? {
              filterPolicy: {
                severity: SubscriptionFilter.stringFilter({ allowlist: severitiesAtLeast(minimum) }),
              },
            }
          : {}),
      }),
    );
  }
}
