import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { Construct } from "constructs";
import { CentralStack } from "#infra/stacks/central-stack.ts";
import { MemberRoleStack } from "#infra/stacks/member-role-stack.ts";
import { MemberRoleStackSetStack } from "#infra/stacks/member-role-stack-set-stack.ts";
import { readSettings, type Settings, SettingsError } from "./config.ts";

export const STACK_IDS = {
  central: "EksAuditorCentral",
  memberRoleStackSet: "EksAuditorMemberRoleStackSet",
  memberRole: "EksAuditorMemberRole",
} as const;

/** Reads the settings from the app's context (failing the synth with the key named) and adds the stacks. */
export function buildApp(app: App): {
  settings: Settings;
  stacks: Record<keyof typeof STACK_IDS, Construct>;
} {
  const settings = readSettings((key) => app.node.tryGetContext(key), Object.keys(app.node.getAllContext()));
  const stacks = {
    central: new CentralStack(app, STACK_IDS.central, {
      settings,
      description: "eks-auditor: findings store and scheduled org-wide scan (central account)",
    }),
    memberRoleStackSet: new MemberRoleStackSetStack(app, STACK_IDS.memberRoleStackSet, {
      settings,
      description: "eks-auditor: member read role StackSet (management or delegated-admin account)",
    }),
    memberRole: new MemberRoleStack(app, STACK_IDS.memberRole, {
      settings,
      withOrganizationsRole: true,
      description:
        "eks-auditor: member read role for one account (the management account, which StackSets skip)",
    }),
  };
  // cdk-nag v3 plugs into CDK's policy validation: any unacknowledged violation fails `cdk synth`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { settings, stacks };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const app = new App();
  try {
    buildApp(app);
  } catch (err) {
    // A bad setting: one line naming the key, no stack trace.
    if (!(err instanceof SettingsError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
  app.synth();
}
