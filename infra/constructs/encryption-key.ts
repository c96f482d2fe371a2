import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";

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

/** What a principal needs to write to and read from a resource under the key (SQS, SNS, DynamoDB). */
export const KEY_USE_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"];

/**
 * A customer-managed key of the auditor: rotating, retained, administered by the account's IAM policies,
 * and usable by CloudWatch alarms of this account, which publish to the encrypted ops topic (the AWS-managed
 * key aws/sns cannot grant them that: its key policy is AWS's).
 */
export class AuditorKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: { description: string }) {
    super(scope, id);
    this.key = new Key(this, "Key", {
      description: props.description,
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
  }
}
