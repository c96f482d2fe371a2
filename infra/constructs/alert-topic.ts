import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { SubscriptionFilter, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { SEVERITIES, type Severity, severityRank } from "#shared/findings/index.ts";

export interface AlertTopicProps {
  /** Optional email subscription. */
  email?: string;
  /** The email subscription receives messages whose `severity` attribute is at or above it. */
  emailSeverity: Severity;
}

/** Severities at or above `minimum`, worst first: the filter policy's `severity` list. */
export function severitiesAtLeast(minimum: Severity): Severity[] {
  return SEVERITIES.filter((s) => severityRank(s) >= severityRank(minimum));
}

/**
 * What the account (its IAM policies) may do with the key: administration spelled out action by action
 * instead of `kms:*`, so that no policy of the app has a wildcard action. PutKeyPolicy keeps the key
 * manageable (CloudFormation's lockout check requires it).
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:CreateGrant",
  "kms:Decrypt",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];

/** The alert topic: standard (email and chat need it), encrypted with a rotating customer-managed key, TLS only. */
export class AlertTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.key = new Key(this, "Key", {
      description: "eks-auditor: encrypts the alert topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: "AccountAdministersKey",
            principals: [new AccountRootPrincipal()],
            actions: KEY_ADMIN_ACTIONS,
            resources: ["*"],
          }),
          // CloudWatch alarms publish to the encrypted topic: the service needs the key.
          new PolicyStatement({
            sid: "CloudWatchAlarmsPublishToEncryptedTopic",
            principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
            actions: ["kms:Decrypt", "kms:GenerateDataKey"],
            resources: ["*"],
            conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
          }),
        ],
      }),
    });
    this.topic = new Topic(this, "Topic", {
      displayName: "eks-auditor alerts",
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
    );
    if (props.email !== undefined) {
      this.topic.addSubscription(
        new EmailSubscription(props.email, {
          filterPolicy: {
            severity: SubscriptionFilter.stringFilter({ allowlist: severitiesAtLeast(props.emailSeverity) }),
          },
        }),
      );
    }
  }
}
