import { Aws, Duration, Validations } from "aws-cdk-lib";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { Construct } from "constructs";
import { ENV } from "#functions/commons/config.ts";
import { METRICS_NAMESPACE, SCANNER_SERVICE } from "#functions/commons/powertools/names.ts";
import { SCANNER_ROLE_NAME, type Settings } from "#infra/config.ts";
import { MEMBER_ROLE_ACTIONS, readPermissionGroups } from "#shared/aws/permissions.ts";
import { compileSuppressions } from "#shared/suppress/compiled.ts";
import { AuditorFunction } from "./auditor-function.ts";
import type { FindingsTable } from "./findings-table.ts";
import { assumeMemberRoleStatement, nagResourceId, readStatements, roleArnIn } from "./member-access.ts";
import type { ScanQueue } from "./scan-queue.ts";
import { securityHubEnvironment } from "./security-hub.ts";
import { storeAndAlertsStatements } from "./store-and-alerts.ts";

/** The compiled suppressions file beside the scanner's handler (`eksAuditor.suppressionsFile`). */
export const SUPPRESSIONS_BUNDLE_FILE = "suppressions.json";

/** The scanner's timeout; the queue's visibility timeout is six times it. */
export const SCANNER_TIMEOUT = Duration.minutes(5);

export interface ScannerProps {
  settings: Settings;
  findings: FindingsTable;
  topicArn: string;
  scanQueue: ScanQueue;
  /** The customer-managed key of the table, queue and topic, when there is one. */
  key: IKey | undefined;
}

/**
 * The scanner: one account-region per SQS record (batches of `scannerBatchSize`, at most
 * `scannerConcurrency` invocations at once, partial batch failures), reading member accounts through the
 * member read role and its own account with its own role, writing the findings table and publishing alerts.
 */
export class Scanner extends AuditorFunction {
  constructor(scope: Construct, id: string, props: ScannerProps) {
    const { settings } = props;
    super(scope, id, {
      name: "scanner",
      roleName: SCANNER_ROLE_NAME,
      description:
        "eks-auditor: scans one account-region per SQS record, reconciles findings, pages on change",
      timeout: SCANNER_TIMEOUT,
      memorySize: 512,
      logRetention: settings.logRetentionDays,
      skipBundling: settings.skipBundling,
      environment: {
        [ENV.tableName]: props.findings.table.tableName,
        [ENV.topicArn]: props.topicArn,
        [ENV.alertMinSeverity]: settings.alertSeverity,
        [ENV.memberRoleName]: settings.memberRoleName,
        ...securityHubEnvironment(settings.securityHub),
        [ENV.teamTagKeys]: settings.teamTagKeys.join(","),
        POWERTOOLS_SERVICE_NAME: SCANNER_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: "INFO",
        // Accepted risks travel as a file in the bundle, not in the environment (4 KB for all variables).
        ...(settings.suppressions ? { [ENV.suppressionsFile]: SUPPRESSIONS_BUNDLE_FILE } : {}),
      },
      ...(settings.suppressions
        ? { files: { [SUPPRESSIONS_BUNDLE_FILE]: compileSuppressions(settings.suppressions) } }
        : {}),
    });
    this.role.addToPolicy(
      assumeMemberRoleStatement("AssumeMemberRole", settings.memberRoleName, settings.accounts),
    );
    // The central account's own scopes are scanned with the function's credentials, not a member role.
    for (const statement of readStatements("DescribeOwnAccount", MEMBER_ROLE_ACTIONS, Aws.ACCOUNT_ID))
      this.role.addToPolicy(statement);
    for (const statement of storeAndAlertsStatements({
      findings: props.findings,
      topicArn: props.topicArn,
      securityHub: settings.securityHub,
      ...(props.key ? { key: props.key } : {}),
    }))
      this.role.addToPolicy(statement);
    this.fn.addEventSource(
      new SqsEventSource(props.scanQueue.queue, {
        batchSize: settings.scannerBatchSize,
        maxConcurrency: settings.scannerConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    // ---- cdk-nag acknowledgements (AwsSolutions), each with its reason ---------------------------------
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "The scanner describes its own account with its own credentials: EC2 Describe* actions support no resource-level permissions, and neither does eks:ListClusters (Service Authorization Reference); the actions are listed one by one.",
    });
    for (const group of readPermissionGroups(MEMBER_ROLE_ACTIONS, Aws.PARTITION, Aws.ACCOUNT_ID)) {
      const [resource] = group.resources;
      if (resource === undefined || resource === "*") continue;
      Validations.of(this.role).acknowledge({
        id: nagResourceId(resource),
        reason: `${group.actions.join(", ")} require a resource of this type (Service Authorization Reference for Amazon EKS): granted on every such resource of the scanner's own account, in any region, because the clusters are discovered at run time.`,
      });
    }
    if (settings.accounts.length === 0) {
      Validations.of(this.role).acknowledge({
        id: nagResourceId(roleArnIn("*", settings.memberRoleName)),
        reason:
          "The member role exists in every account of the organisation, which the stack cannot list: the account is the only wildcard, the role name is fixed, and aws:ResourceOrgID limits it to accounts of the scanner's own organisation.",
      });
    }
  }
}
