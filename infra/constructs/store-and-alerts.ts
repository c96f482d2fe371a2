import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { KEY_USE_ACTIONS } from "./encryption-key.ts";
import { DYNAMODB_STORE_ACTIONS, type FindingsTable } from "./findings-table.ts";
import { securityHubImportStatement, securityHubWorkflowStatement } from "./security-hub.ts";

/**
 * What a function that reconciles findings and notifies may do (the scanner, and the planner closing coverage
 * findings): the findings table, publishing the alerts, Security Hub when the deployment imports there, and
 * the auditor's key when there is one. Not topic.grantPublish: that grants kms:GenerateDataKey*, and no policy
 * here has a wildcard action.
 */
export function storeAndAlertsStatements(props: {
  findings: FindingsTable;
  topicArn: string;
  securityHub: boolean;
  key?: IKey;
}): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: "FindingsStore",
      actions: DYNAMODB_STORE_ACTIONS,
      resources: props.findings.arns(),
    }),
    new PolicyStatement({ sid: "PublishAlerts", actions: ["sns:Publish"], resources: [props.topicArn] }),
    ...(props.securityHub ? [securityHubImportStatement(), securityHubWorkflowStatement()] : []),
    ...(props.key
      ? [
          new PolicyStatement({
            sid: "UseAuditorKey",
            actions: KEY_USE_ACTIONS,
            resources: [props.key.keyArn],
          }),
        ]
      : []),
  ];
}
