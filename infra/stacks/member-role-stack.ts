import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  App,
  Aws,
  CfnOutput,
  CfnParameter,
  DefaultStackSynthesizer,
  Stack,
  type StackProps,
  Validations,
} from "aws-cdk-lib";
import { AccountPrincipal, PolicyDocument, PolicyStatement, Role } from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { PLANNER_ROLE_NAME, SCANNER_ROLE_NAME, type Settings } from "#infra/config.ts";
import { nagResourceId } from "#infra/constructs/member-access.ts";
import { MemberRole } from "#infra/constructs/member-role.ts";
import {
  MEMBER_ROLE_ACTIONS,
  ORGANIZATIONS_ACTIONS,
  REGION_LISTING_ACTIONS,
  readPermissionGroups,
} from "#shared/aws/permissions.ts";

export interface MemberRoleStackProps extends StackProps {
  settings: Settings;
  /**
   * Also create the role named by `eksAuditor.orgRoleArn` (Organizations ListAccounts for the planner):
   * for the copy deployed in the management account.
   */
  withOrganizationsRole?: boolean;
}

/**
 * The member read role as a stack of its own. Its template is what the StackSet deploys to every account
 * of the targeted OUs; the same stack deploys directly to the accounts a service-managed StackSet skips
 * (the management account). The organisation and the central account are parameters, defaulted from
 * `eksAuditor.organizationId` / `eksAuditor.centralAccountId` when those are set.
 */
export class MemberRoleStack extends Stack {
  /** What the scanner assumes: the collector's read actions. */
  readonly readRole: MemberRole;
  /** What the planner assumes: ec2:DescribeRegions and nothing else. */
  readonly regionsRole: MemberRole;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const organizationId = new CfnParameter(this, "OrganizationId", {
      type: "String",
      allowedPattern: "^o-[a-z0-9]{10,32}$",
      description: "The organisation (o-…) whose principals may assume the role (aws:PrincipalOrgID).",
      ...(settings.organizationId ? { default: settings.organizationId } : {}),
    });
    const centralAccountId = new CfnParameter(this, "CentralAccountId", {
      type: "String",
      allowedPattern: "^\\d{12}$",
      description:
        "The account of the EksAuditorCentral stack: its scanner and planner roles may assume the role.",
      ...(settings.centralAccountId ? { default: settings.centralAccountId } : {}),
    });
    this.readRole = new MemberRole(this, "ReadRole", {
      roleName: settings.memberRoleName,
      description: "eks-auditor: read-only EKS/EC2 describe calls for the central scanner",
      organizationId: organizationId.valueAsString,
      centralAccountId: centralAccountId.valueAsString,
      trustedRoleName: SCANNER_ROLE_NAME,
      actions: MEMBER_ROLE_ACTIONS,
    });
    this.regionsRole = new MemberRole(this, "RegionsRole", {
      roleName: settings.regionsRoleName,
      description: "eks-auditor: lets the central planner list this account's enabled regions",
      organizationId: organizationId.valueAsString,
      centralAccountId: centralAccountId.valueAsString,
      trustedRoleName: PLANNER_ROLE_NAME,
      actions: REGION_LISTING_ACTIONS,
    });
    Validations.of(this.readRole.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "EC2 Describe* actions and eks:ListClusters support no resource-level permissions (Service Authorization Reference); the actions are listed one by one (shared/aws/permissions.ts).",
    });
    for (const group of readPermissionGroups(MEMBER_ROLE_ACTIONS, Aws.PARTITION, Aws.ACCOUNT_ID)) {
      const [resource] = group.resources;
      if (resource === undefined || resource === "*") continue;
      Validations.of(this.readRole.role).acknowledge({
        id: nagResourceId(resource),
        reason: `${group.actions.join(", ")} require a resource of this type (Service Authorization Reference for Amazon EKS): granted on every such resource of this account, in any region, because the clusters are discovered at run time.`,
      });
    }
    Validations.of(this.regionsRole.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "ec2:DescribeRegions supports no resource-level permissions (Service Authorization Reference).",
    });
    new CfnOutput(this, "ReadRoleArn", { value: this.readRole.role.roleArn });
    new CfnOutput(this, "RegionsRoleArn", { value: this.regionsRole.role.roleArn });

    if (props.withOrganizationsRole && settings.orgRoleArn) {
      const roleName = settings.orgRoleArn.split("/").pop() ?? "EksAuditorOrganizationsRead";
      const plannerArn = `arn:${Aws.PARTITION}:iam::${centralAccountId.valueAsString}:role/${PLANNER_ROLE_NAME}`;
      const orgRole = new Role(this, "OrganizationsReadRole", {
        roleName,
        description: "eks-auditor: lets the central planner list the organisation's accounts",
        assumedBy: new AccountPrincipal(centralAccountId.valueAsString).withConditions({
          StringEquals: { "aws:PrincipalOrgID": organizationId.valueAsString },
          ArnEquals: { "aws:PrincipalArn": plannerArn },
        }),
        inlinePolicies: {
          ListAccounts: new PolicyDocument({
            statements: [new PolicyStatement({ actions: [...ORGANIZATIONS_ACTIONS], resources: ["*"] })],
          }),
        },
      });
      Validations.of(orgRole).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "organizations:ListAccounts does not support resource-level permissions.",
      });
    }
  }
}

/**
 * The member role stack synthesized on its own, as the StackSet's template body: no bootstrap rule, no
 * CDK metadata, no assets, so it deploys into accounts that were never bootstrapped.
 */
export function memberRoleTemplateBody(settings: Settings): string {
  const outdir = mkdtempSync(join(tmpdir(), "eks-auditor-member-role-"));
  try {
    const app = new App({ outdir, analyticsReporting: false });
    const stack = new MemberRoleStack(app, "EksAuditorMemberRoleTemplate", {
      settings,
      description: "eks-auditor: read-only member role (deployed by the EksAuditorMemberRole StackSet)",
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
    });
    return JSON.stringify(app.synth().getStackArtifact(stack.artifactId).template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
