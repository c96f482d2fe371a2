import { Aws } from "aws-cdk-lib";
import { AccountPrincipal, PolicyDocument, Role } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { readStatements } from "./member-access.ts";

export interface MemberRoleProps {
  roleName: string;
  /** `o-…`, or a CloudFormation parameter's value. */
  organizationId: string;
  /** The central account (literal or parameter). */
  centralAccountId: string;
  /** The central role (by name) that may assume this one. */
  trustedRoleName: string;
  description: string;
  /** Read actions, granted on this account's resources (shared/aws/permissions.ts). */
  actions: readonly string[];
}

/** `arn:<partition>:iam::<central>:role/<name>` of a central function's role. */
export function centralRoleArn(centralAccountId: string, roleName: string): string {
  return `arn:${Aws.PARTITION}:iam::${centralAccountId}:role/${roleName}`;
}

/**
 * A role deployed in every member account: `actions` only, on this account's resources (the EKS actions on
 * cluster, node group and add-on ARNs), trusted by exactly one role of the central account and only while
 * that role belongs to the organisation.
 */
export class MemberRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MemberRoleProps) {
    super(scope, id);
    this.role = new Role(this, "Role", {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new AccountPrincipal(props.centralAccountId).withConditions({
        StringEquals: { "aws:PrincipalOrgID": props.organizationId },
        ArnEquals: { "aws:PrincipalArn": centralRoleArn(props.centralAccountId, props.trustedRoleName) },
      }),
      inlinePolicies: {
        EksAuditorRead: new PolicyDocument({
          statements: readStatements("Read", props.actions, Aws.ACCOUNT_ID),
        }),
      },
    });
  }
}
