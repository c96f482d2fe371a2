import { readFileSync } from "node:fs";
import type { MessageAttributeValue } from "@aws-sdk/client-sns";

/*
 * The simulator's SNS takes Publish only (no Subscribe, no filter policies), so the README's filter
 * policies are checked here against the message attributes the auditor sends. This evaluates the subset
 * of SNS filter-policy syntax the README uses — per attribute, a list of exact strings or `{"prefix": …}`;
 * attributes ANDed, values ORed; a `String.Array` attribute matches when one element does (SNS developer
 * guide, "Amazon SNS subscription filter policies") — and refuses any other operator, so a README policy
 * that needs more fails here instead of being checked wrongly.
 */

export type FilterPolicy = Record<string, (string | { prefix: string })[]>;

const README = new URL("../../README.md", import.meta.url);

/** The README's example policies: each ```json block of the filter-policy section, by the line before it. */
export function readmeFilterPolicies(): Map<string, FilterPolicy> {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf("### Subscribing teams with filter policies");
  const end = text.indexOf("\n### ", start + 1);
  if (start < 0) throw new Error('README: no "Subscribing teams with filter policies" section');
  const section = text.slice(start, end < 0 ? undefined : end);
  const policies = new Map<string, FilterPolicy>();
  for (const match of section.matchAll(/([^\n]+)\n\n```json\n([\s\S]*?)\n```/g)) {
    const label = (match[1] ?? "").replace(/:$/, "").trim();
    policies.set(label, JSON.parse(match[2] ?? "") as FilterPolicy);
  }
  return policies;
}

function values(attribute: MessageAttributeValue): string[] {
  if (attribute.DataType === "String") return [attribute.StringValue ?? ""];
  if (attribute.DataType === "String.Array") return JSON.parse(attribute.StringValue ?? "[]") as string[];
  throw new Error(`filter-policy test: attribute type ${attribute.DataType} is not evaluated here`);
}

/** Whether SNS delivers a message with `attributes` to a subscription with `policy`. */
export function policyMatches(
  policy: FilterPolicy,
  attributes: Record<string, MessageAttributeValue | { DataType: string; StringValue?: string }>,
): boolean {
  return Object.entries(policy).every(([name, conditions]) => {
    const attribute = attributes[name];
    if (attribute === undefined) return false;
    const present = values(attribute as MessageAttributeValue);
    return conditions.some((condition) => {
      if (typeof condition === "string") return present.includes(condition);
      const keys = Object.keys(condition);
      if (keys.length !== 1 || typeof condition.prefix !== "string") {
        throw new Error(`filter-policy test: operator ${JSON.stringify(condition)} is not evaluated here`);
      }
      return present.some((v) => v.startsWith(condition.prefix));
    });
  });
}
