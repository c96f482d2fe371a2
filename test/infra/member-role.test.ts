import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { MEMBER_ROLE_ACTIONS, REGION_LISTING_ACTIONS } from "#shared/aws/permissions.ts";
import {
  actionsOf,
  type Json,
  propsOf,
  resourcesOf,
  type Synthesized,
  statementsOf,
  synthesize,
} from "./support.ts";

let defaults: Synthesized;
let configured: Synthesized;

const ORG = "o-a1b2c3d4e5";
const CENTRAL = "999988887777";

beforeAll(() => {
  defaults = synthesize();
  configured = synthesize({
    "eksAuditor.organizationId": ORG,
    "eksAuditor.centralAccountId": CENTRAL,
    "eksAuditor.organizationalUnitIds": "ou-ab12-cdef3456,ou-ab12-0123abcd",
    "eksAuditor.stackSetRegions": ["eu-west-1"],
    "eksAuditor.stackSetCallAs": "DELEGATED_ADMIN",
    "eksAuditor.orgRoleArn": "arn:aws:iam::111122223333:role/EksAuditorOrganizationsRead",
  });
});

/** The member role template the StackSet deploys (its TemplateBody). */
function stackSetTemplate(s: Synthesized): Template {
  const [[, stackSet] = ["", {}]] = resourcesOf(s.memberRoleStackSet, "AWS::CloudFormation::StackSet");
  return Template.fromJSON(JSON.parse(String(propsOf(stackSet).TemplateBody)) as Json);
}

function roleNamed(template: Template, name: string): Json {
  const roles = resourcesOf(template, "AWS::IAM::Role").filter(([, r]) => propsOf(r).RoleName === name);
  expect(roles).toHaveLength(1);
  return propsOf(roles[0]?.[1] ?? {});
}

function readRole(template: Template): Json {
  return roleNamed(template, "EksAuditorReadRole");
}

function policyStatements(role: Json): Json[] {
  const [policy] = role.Policies as Json[];
  const document = (policy?.PolicyDocument ?? {}) as Json;
  return (document.Statement ?? []) as Json[];
}

const partition = { Ref: "AWS::Partition" };
const central = { Ref: "CentralAccountId" };
const memberArn = (path: string) => ({
  "Fn::Join": ["", ["arn:", partition, ":eks:*:", { Ref: "AWS::AccountId" }, `:${path}`]],
});

describe("Stack: EksAuditorMemberRole", () => {
  it.each([
    ["the plain stack", () => defaults.memberRole],
    ["the StackSet's template body", () => stackSetTemplate(defaults)],
  ])(
    "%s allows exactly the collector's List/Describe actions, the EKS ones on this account's ARNs only",
    (_name, template) => {
      // Act
      const statements = policyStatements(readRole(template()));
      const resourceOf = (action: string) =>
        statements.find((s) => ([] as unknown[]).concat(s.Action).includes(action))?.Resource;

      // Assess
      expect(statements.flatMap((s) => ([] as string[]).concat(s.Action as string)).sort()).toEqual(
        [...MEMBER_ROLE_ACTIONS].sort(),
      );
      for (const s of statements) expect(s.Effect).toBe("Allow");
      expect(resourceOf("eks:DescribeCluster")).toEqual(memberArn("cluster/*"));
      expect(resourceOf("eks:ListNodegroups")).toEqual(memberArn("cluster/*"));
      expect(resourceOf("eks:DescribeNodegroup")).toEqual(memberArn("nodegroup/*/*/*"));
      expect(resourceOf("eks:DescribeAddon")).toEqual(memberArn("addon/*/*/*"));
      expect(resourceOf("eks:ListFargateProfiles")).toEqual(memberArn("cluster/*"));
      expect(resourceOf("eks:DescribeFargateProfile")).toEqual(memberArn("fargateprofile/*/*/*"));
      expect(resourceOf("autoscaling:DescribeAutoScalingGroups")).toBe("*");
      expect(resourceOf("ec2:GetSubnetCidrReservations")).toBe("*");
      expect(resourceOf("eks:ListClusters")).toBe("*");
      expect(resourceOf("ec2:DescribeSubnets")).toBe("*");
    },
  );

  it("trusts only the central scanner role of the organisation", () => {
    // Act
    const trust = (readRole(defaults.memberRole).AssumeRolePolicyDocument as Json).Statement as Json[];

    // Assess
    expect(trust).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { AWS: { "Fn::Join": ["", ["arn:", partition, ":iam::", central, ":root"]] } },
        Condition: {
          StringEquals: { "aws:PrincipalOrgID": { Ref: "OrganizationId" } },
          ArnEquals: {
            "aws:PrincipalArn": {
              "Fn::Join": ["", ["arn:", partition, ":iam::", central, ":role/EksAuditorScannerRole"]],
            },
          },
        },
      },
    ]);
  });

  it.each([
    ["the plain stack", () => defaults.memberRole],
    ["the StackSet's template body", () => stackSetTemplate(defaults)],
  ])(
    "%s has a regions role: ec2:DescribeRegions only, trusted only by the central planner role",
    (_name, template) => {
      // Act
      const role = roleNamed(template(), "EksAuditorRegionsRole");
      const trust = (role.AssumeRolePolicyDocument as Json).Statement as Json[];

      // Assess
      expect(policyStatements(role)).toEqual([
        { Sid: "Read1", Effect: "Allow", Action: [...REGION_LISTING_ACTIONS][0], Resource: "*" },
      ]);
      expect(trust).toHaveLength(1);
      expect(trust[0]?.Condition).toEqual({
        StringEquals: { "aws:PrincipalOrgID": { Ref: "OrganizationId" } },
        ArnEquals: {
          "aws:PrincipalArn": {
            "Fn::Join": ["", ["arn:", partition, ":iam::", central, ":role/EksAuditorPlannerRole"]],
          },
        },
      });
    },
  );

  it("takes the organisation and central account as parameters, defaulted from the context when set", () => {
    // Act
    const plain = defaults.memberRole.toJSON().Parameters as Record<string, Json>;
    const withContext = configured.memberRole.toJSON().Parameters as Record<string, Json>;

    // Assess
    expect(plain.OrganizationId).toMatchObject({ Type: "String", AllowedPattern: "^o-[a-z0-9]{10,32}$" });
    expect(plain.OrganizationId?.Default).toBeUndefined();
    expect(withContext.OrganizationId?.Default).toBe(ORG);
    expect(withContext.CentralAccountId?.Default).toBe(CENTRAL);
  });

  it("adds the Organizations read role to the management account's copy when orgRoleArn is set", () => {
    // Act
    const orgRole = resourcesOf(configured.memberRole, "AWS::IAM::Role").find(
      ([, r]) => propsOf(r).RoleName === "EksAuditorOrganizationsRead",
    );
    const actions = statementsOf(configured.memberRole)
      .filter(
        ({ where }) => where.startsWith(orgRole?.[0] ?? "?") && !where.endsWith("AssumeRolePolicyDocument"),
      )
      .flatMap(({ statement }) => actionsOf(statement));

    // Assess
    expect(orgRole).toBeDefined();
    expect(actions).toEqual(["organizations:ListAccounts"]);
    expect(resourcesOf(stackSetTemplate(configured), "AWS::IAM::Role")).toHaveLength(2);
  });
});

describe("Stack: EksAuditorMemberRoleStackSet", () => {
  it("deploys the member role template org-wide with a service-managed StackSet that follows new accounts", () => {
    // Act
    const [[, stackSet] = ["", {}]] = resourcesOf(
      defaults.memberRoleStackSet,
      "AWS::CloudFormation::StackSet",
    );
    const p = propsOf(stackSet);

    // Assess
    expect(p).toMatchObject({
      StackSetName: "EksAuditorMemberRole",
      PermissionModel: "SERVICE_MANAGED",
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ["CAPABILITY_NAMED_IAM"],
      CallAs: "SELF",
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: { Ref: "TargetOrganizationalUnitIds" } },
          Regions: ["us-east-1"],
        },
      ],
      Parameters: [
        { ParameterKey: "OrganizationId", ParameterValue: { Ref: "OrganizationId" } },
        { ParameterKey: "CentralAccountId", ParameterValue: { Ref: "CentralAccountId" } },
      ],
    });
  });

  it("uses the configured OUs, regions and caller", () => {
    // Act
    const [[, stackSet] = ["", {}]] = resourcesOf(
      configured.memberRoleStackSet,
      "AWS::CloudFormation::StackSet",
    );
    const parameters = configured.memberRoleStackSet.toJSON().Parameters as Record<string, Json>;

    // Assess
    expect(propsOf(stackSet)).toMatchObject({
      CallAs: "DELEGATED_ADMIN",
      StackInstancesGroup: [{ Regions: ["eu-west-1"] }],
    });
    expect(parameters.TargetOrganizationalUnitIds?.Default).toBe("ou-ab12-cdef3456,ou-ab12-0123abcd");
    expect(parameters.OrganizationId?.Default).toBe(ORG);
  });

  it("ships a template body that needs no bootstrap and no assets", () => {
    // Act
    const body = stackSetTemplate(defaults).toJSON();

    // Assess
    expect(body.Rules).toBeUndefined();
    expect(Object.keys(body.Parameters as Json).sort()).toEqual(["CentralAccountId", "OrganizationId"]);
    expect(Object.values(body.Resources as Record<string, Json>).map((r) => r.Type)).toEqual([
      "AWS::IAM::Role",
      "AWS::IAM::Role",
    ]);
  });
});
