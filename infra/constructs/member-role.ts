import { Aws } from "aws-cdk-lib";
import { AccountPrincipal, PolicyDocument, PolicyStatement, Role } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { PLANNER_ROLE_NAME, SCANNER_ROLE_NAME } from "#infra/config.ts";
import { MEMBER_ROLE_ACTIONS } from "#shared/aws/permissions.ts";

export interface MemberReadRoleProps {
  roleName: string;
  /** `o-…`, or a CloudFormation parameter's value. */
  organizationId: string;
  /** The central account (literal or parameter): its scanner and planner roles may assume this role. */
  centralAccountId: string;
}

/** `arn:<partition>:iam::<central>:role/<name>` of the central functions' roles. */
export function centralRoleArns(centralAccountId: string): string[] {
  return [SCANNER_ROLE_NAME, PLANNER_ROLE_NAME].map(
    (name) => `arn:${Aws.PARTITION}:iam::${centralAccountId}:role/${name}`,
  );
}

/**
 * The read-only role the scanner assumes in every member account: exactly the List/Describe calls of the
 * collector and the planner, trusted only by the central account's scanner and planner roles, and only
 * while those belong to the organisation.
 */
export class MemberReadRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MemberReadRoleProps) {
    super(scope, id);
    this.role = new Role(this, "Role", {
      roleName: props.roleName,
      description: "eks-auditor: read-only EKS/EC2 describe calls for the central scanner",
      assumedBy: new AccountPrincipal(props.centralAccountId).withConditions({
        StringEquals: { "aws:PrincipalOrgID": props.organizationId },
        ArnEquals: { "aws:PrincipalArn": centralRoleArns(props.centralAccountId) },
      }),
      inlinePolicies: {
        EksAuditorRead: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: "DescribeEksAndNetwork",
              actions: [...MEMBER_ROLE_ACTIONS],
              // None of these List/Describe actions supports resource-level permissions.
              resources: ["*"],
            }),
          ],
        }),
      },
    });
  }
}
