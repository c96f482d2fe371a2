import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  EKS_ACTION_RESOURCE_TYPES,
  MEMBER_ROLE_ACTIONS,
  REGION_LISTING_ACTIONS,
} from "#shared/aws/permissions.ts";
import {
  actionsOf,
  type Json,
  propsOf,
  resourcesOf,
  type Statement,
  type Synthesized,
  statementsOf,
  synthesize,
} from "./support.ts";

let org: Synthesized;
let listed: Synthesized;
const ACCOUNTS = ["222233334444", "333344445555"];

beforeAll(() => {
  org = synthesize();
  listed = synthesize({ "eksAuditor.accounts": ACCOUNTS, "eksAuditor.regions": "all" });
});

/** Allow statements of identity policies (not trust policies) that let a central role assume a role. */
function assumeStatements(s: Synthesized): { where: string; statement: Statement }[] {
  return statementsOf(s.central).filter(
    ({ where, statement }) =>
      statement.Effect === "Allow" &&
      actionsOf(statement).includes("sts:AssumeRole") &&
      !where.endsWith("AssumeRolePolicyDocument"),
  );
}

function stackSetBody(s: Synthesized): Template {
  const [[, stackSet] = ["", {}]] = resourcesOf(s.memberRoleStackSet, "AWS::CloudFormation::StackSet");
  return Template.fromJSON(JSON.parse(String(propsOf(stackSet).TemplateBody)) as Json);
}

/** What a central role can do in a member account: the allowed actions of every member role that trusts it. */
function effectiveActionsInMember(member: Template, centralRoleName: string): string[] {
  return resourcesOf(member, "AWS::IAM::Role")
    .map(([, r]) => propsOf(r))
    .filter((role) => JSON.stringify(role.AssumeRolePolicyDocument).includes(`:role/${centralRoleName}"`))
    .flatMap((role) =>
      (role.Policies as Json[]).flatMap((p) => (p.PolicyDocument as Json).Statement as Statement[]),
    )
    .filter((s) => s.Effect === "Allow")
    .flatMap(actionsOf)
    .sort();
}

describe("Least privilege", () => {
  describe("cross-account AssumeRole of the central roles", () => {
    it("across the organisation, requires the role's account to be in the caller's organisation", () => {
      // Act
      const statements = assumeStatements(org);

      // Assess: the scanner's (read role) and the planner's (regions role)
      expect(statements.map(({ statement }) => statement.Sid).sort()).toEqual([
        "AssumeMemberRole",
        "AssumeRegionsRole",
      ]);
      for (const { where, statement } of statements) {
        expect(statement.Condition, where).toEqual({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
          StringEquals: { "aws:ResourceOrgID": "${aws:PrincipalOrgID}" },
        });
        expect(JSON.stringify(statement.Resource), where).toMatch(
          /:iam::\*:role\/EksAuditor(Read|Regions)Role"/,
        );
      }
    });

    it("with a static account list, names exactly those accounts' roles", () => {
      // Act
      const statements = assumeStatements(listed);

      // Assess
      expect(statements).toHaveLength(2);
      for (const { where, statement } of statements) {
        const resources = statement.Resource as Json[];
        expect(resources, where).toHaveLength(ACCOUNTS.length);
        for (const [i, account] of ACCOUNTS.entries()) {
          expect(JSON.stringify(resources[i]), where).toContain(`:iam::${account}:role/`);
        }
        expect(JSON.stringify(resources), where).not.toContain("*");
      }
    });

    it("gives the planner the regions role only, never the read role", () => {
      // Act
      const planner = assumeStatements(org).filter(({ where }) => where.startsWith("PlannerRole"));

      // Assess
      expect(planner).toHaveLength(1);
      expect(JSON.stringify(planner[0]?.statement.Resource)).toContain("role/EksAuditorRegionsRole");
    });
  });

  describe("in a member account", () => {
    it.each([
      ["the StackSet's template body", () => stackSetBody(org)],
      ["the management account's stack", () => org.memberRole],
    ])("%s lets the planner do nothing but list regions", (_name, member) => {
      expect(effectiveActionsInMember(member(), "EksAuditorPlannerRole")).toEqual([
        ...REGION_LISTING_ACTIONS,
      ]);
    });

    it("lets the scanner do exactly the collector's read actions", () => {
      expect(effectiveActionsInMember(stackSetBody(org), "EksAuditorScannerRole")).toEqual(
        [...MEMBER_ROLE_ACTIONS].sort(),
      );
    });

    it("grants no EKS action that takes a resource ARN on every resource, in any template", () => {
      // Act
      const scopedActions = Object.keys(EKS_ACTION_RESOURCE_TYPES);
      const onStar = [org.central, org.memberRole, stackSetBody(org)].flatMap((t) =>
        statementsOf(t)
          .filter(
            ({ statement }) => statement.Effect === "Allow" && JSON.stringify(statement.Resource) === '"*"',
          )
          .flatMap(({ where, statement }) =>
            actionsOf(statement)
              .filter((a) => scopedActions.includes(a))
              .map((a) => `${where}: ${a}`),
          ),
      );

      // Assess
      expect(onStar).toEqual([]);
    });
  });
});
