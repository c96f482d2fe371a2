import { CfnParameter, Stack, type StackProps } from "aws-cdk-lib";
import { CfnStackSet } from "aws-cdk-lib/aws-cloudformation";
import type { Construct } from "constructs";
import { type Settings, STACK_SET_NAME } from "#infra/config.ts";
import { memberRoleTemplateBody } from "./member-role-stack.ts";

export interface MemberRoleStackSetStackProps extends StackProps {
  settings: Settings;
}

/**
 * Deploys the member read role to every account of the organisation (or of the given OUs) with a
 * service-managed StackSet: new accounts get it automatically, removed accounts lose it. Deploy from the
 * management account (`callAs: SELF`) or a delegated administrator (`DELEGATED_ADMIN`). StackSets never
 * deploy to the management account itself: deploy the EksAuditorMemberRole stack there.
 */
export class MemberRoleStackSetStack extends Stack {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberRoleStackSetStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const organizationId = new CfnParameter(this, "OrganizationId", {
      type: "String",
      allowedPattern: "^o-[a-z0-9]{10,32}$",
      description: "The organisation (o-…) whose principals may assume the member role.",
      ...(settings.organizationId ? { default: settings.organizationId } : {}),
    });
    const centralAccountId = new CfnParameter(this, "CentralAccountId", {
      type: "String",
      allowedPattern: "^\\d{12}$",
      description: "The account of the EksAuditorCentral stack.",
      ...(settings.centralAccountId ? { default: settings.centralAccountId } : {}),
    });
    const targets =
      settings.organizationalUnitIds.length > 0
        ? settings.organizationalUnitIds
        : settings.orgRootId
          ? [settings.orgRootId]
          : [];
    const targetIds = new CfnParameter(this, "TargetOrganizationalUnitIds", {
      type: "CommaDelimitedList",
      description: "OU ids (ou-…) or the organisation root id (r-…) whose accounts get the member role.",
      ...(targets.length > 0 ? { default: targets.join(",") } : {}),
    });
    this.stackSet = new CfnStackSet(this, "StackSet", {
      stackSetName: STACK_SET_NAME,
      description: "eks-auditor: read-only member role in every account of the organisation",
      permissionModel: "SERVICE_MANAGED",
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: settings.stackSetCallAs,
      capabilities: ["CAPABILITY_NAMED_IAM"],
      managedExecution: { Active: true },
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: "PARALLEL",
      },
      parameters: [
        { parameterKey: "OrganizationId", parameterValue: organizationId.valueAsString },
        { parameterKey: "CentralAccountId", parameterValue: centralAccountId.valueAsString },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: targetIds.valueAsList },
          regions: settings.stackSetRegions,
        },
      ],
      templateBody: memberRoleTemplateBody(settings),
    });
  }
}
