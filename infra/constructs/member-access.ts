import { Aws } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { readPermissionGroups } from "#shared/aws/permissions.ts";

/** `arn:<partition>:iam::<account>:role/<name>`, the account a wildcard when it is `*`. */
export function roleArnIn(accountId: string, roleName: string): string {
  return `arn:${Aws.PARTITION}:iam::${accountId}:role/${roleName}`;
}

/**
 * `sts:AssumeRole` on a member role. With a static account list, on exactly those accounts' roles. Across the
 * organisation (the accounts are not known at synth), on the role name in any account, and only where the
 * role's account belongs to the caller's own organisation (`aws:ResourceOrgID` = `${aws:PrincipalOrgID}`):
 * a role of that name in an account outside the organisation cannot be assumed even if it trusts the caller.
 */
export function assumeMemberRoleStatement(
  sid: string,
  roleName: string,
  accounts: readonly string[],
): PolicyStatement {
  if (accounts.length > 0) {
    return new PolicyStatement({
      sid,
      actions: ["sts:AssumeRole"],
      resources: accounts.map((account) => roleArnIn(account, roleName)),
    });
  }
  return new PolicyStatement({
    sid,
    actions: ["sts:AssumeRole"],
    resources: [roleArnIn("*", roleName)],
    // An IAM policy variable, not a JavaScript placeholder.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM resolves ${aws:PrincipalOrgID} at request time
    conditions: { StringEquals: { "aws:ResourceOrgID": "${aws:PrincipalOrgID}" } },
  });
}

/**
 * Read statements for `actions` in one account: the EKS actions that take resource ARNs on the account's
 * clusters, node groups and add-ons, the rest (EC2 Describe*, eks:ListClusters) on `*`.
 */
export function readStatements(
  sidPrefix: string,
  actions: readonly string[],
  accountId: string,
): PolicyStatement[] {
  return readPermissionGroups(actions, Aws.PARTITION, accountId).map(
    (group, i) =>
      new PolicyStatement({
        sid: `${sidPrefix}${i + 1}`,
        actions: group.actions,
        resources: group.resources,
      }),
  );
}

/** cdk-nag's IAM5 finding id for a wildcard resource, with CloudFormation pseudo parameters as nag prints them. */
export function nagResourceId(resource: string): string {
  return `AwsSolutions-IAM5[Resource::${resource
    .replace(Aws.PARTITION, "<AWS::Partition>")
    .replace(Aws.ACCOUNT_ID, "<AWS::AccountId>")}]`;
}
