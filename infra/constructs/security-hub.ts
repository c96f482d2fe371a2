import { Aws } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { ENV } from "#functions/commons/config.ts";

/**
 * The central account's own custom-integration product in the stack's region: the only resource a function
 * may import findings into (a custom integration imports only into the caller's account, under its default
 * product: https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-custom-providers.html).
 */
export const SECURITY_HUB_PRODUCT_ARN = `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`;

/**
 * The central account's hub in the stack's region: BatchUpdateFindings authorizes on the hub resource
 * (`hub/default`, Service Authorization Reference for Security Hub), and a member account updates only its own
 * account's findings (finding-update-batchupdatefindings).
 */
export const SECURITY_HUB_HUB_ARN = `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:hub/default`;

/** `securityhub:BatchImportFindings` on the product ARN, nothing else. */
export function securityHubImportStatement(): PolicyStatement {
  return new PolicyStatement({
    sid: "ImportFindingsToSecurityHub",
    actions: ["securityhub:BatchImportFindings"],
    resources: [SECURITY_HUB_PRODUCT_ARN],
  });
}

/**
 * `securityhub:BatchUpdateFindings` on the hub: the workflow of an imported finding when an accepted risk
 * suppresses it (SUPPRESSED), ends (NEW) or the suppressed finding resolves (RESOLVED), which an import cannot set.
 */
export function securityHubWorkflowStatement(): PolicyStatement {
  return new PolicyStatement({
    sid: "UpdateFindingWorkflowInSecurityHub",
    actions: ["securityhub:BatchUpdateFindings"],
    resources: [SECURITY_HUB_HUB_ARN],
  });
}

/** The functions' environment for the setting (nothing when it is off). */
export function securityHubEnvironment(on: boolean): Record<string, string> {
  return on ? { [ENV.securityHub]: "true" } : {};
}
