import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { buildApp, STACK_IDS } from "#infra/app.ts";
import type { Settings } from "#infra/config.ts";

export interface Synthesized {
  settings: Settings;
  central: Template;
  memberRole: Template;
  memberRoleStackSet: Template;
  /** Every template, for checks that span all stacks. */
  all: Template[];
}

/**
 * Synthesizes the whole app once (cdk-nag included: a violation throws here too). Bundling is skipped
 * unless the context says otherwise: the functions get an inline stub.
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "eks-auditor-cdk-"));
  try {
    const app = new App({ outdir, context: { "eksAuditor.skipBundling": true, ...context } });
    const { settings } = buildApp(app);
    const assembly = app.synth();
    const template = (id: string) =>
      Template.fromJSON(assembly.getStackByName(id).template as Record<string, unknown>);
    const central = template(STACK_IDS.central);
    const memberRole = template(STACK_IDS.memberRole);
    const memberRoleStackSet = template(STACK_IDS.memberRoleStackSet);
    return {
      settings,
      central,
      memberRole,
      memberRoleStackSet,
      all: [central, memberRole, memberRoleStackSet],
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export type Json = Record<string, unknown>;

/** The resources of a type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)) as [string, Json][];
}

export function propsOf(resource: Json): Json {
  return (resource.Properties ?? {}) as Json;
}

export interface Statement {
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

/** Every policy statement of a template: IAM policies, inline role policies, trust policies, resource and key policies. */
export function statementsOf(template: Template): { where: string; statement: Statement }[] {
  const out: { where: string; statement: Statement }[] = [];
  const documents: [string, unknown][] = [];
  for (const [id, r] of Object.entries(template.toJSON().Resources ?? {}) as [string, Json][]) {
    const p = propsOf(r);
    if (p.PolicyDocument) documents.push([id, p.PolicyDocument]);
    if (p.KeyPolicy) documents.push([`${id}.KeyPolicy`, p.KeyPolicy]);
    if (p.AssumeRolePolicyDocument)
      documents.push([`${id}.AssumeRolePolicyDocument`, p.AssumeRolePolicyDocument]);
    for (const inline of (p.Policies ?? []) as Json[])
      documents.push([`${id}.${String(inline.PolicyName)}`, inline.PolicyDocument]);
  }
  for (const [where, doc] of documents) {
    for (const statement of ((doc as Json).Statement ?? []) as Statement[]) out.push({ where, statement });
  }
  return out;
}

export function actionsOf(statement: Statement): string[] {
  const a = statement.Action;
  return a === undefined ? [] : Array.isArray(a) ? a : [a];
}
