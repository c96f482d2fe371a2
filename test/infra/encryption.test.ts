import { beforeAll, describe, expect, it } from "vitest";
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
let customer: Synthesized;

beforeAll(() => {
  defaults = synthesize();
  customer = synthesize({ "eksAuditor.customerManagedKey": true });
});

function keyOf(s: Synthesized): Json {
  const keys = resourcesOf(s.central, "AWS::KMS::Key");
  expect(keys).toHaveLength(1);
  const [id = ""] = keys[0] ?? [];
  return { "Fn::GetAtt": [id, "Arn"] };
}

function topic(s: Synthesized, displayName: string): Json {
  const [, t] =
    resourcesOf(s.central, "AWS::SNS::Topic").find(([, r]) => propsOf(r).DisplayName === displayName) ?? [];
  return propsOf(t ?? {});
}

function table(s: Synthesized): Json {
  const [, t] = resourcesOf(s.central, "AWS::DynamoDB::GlobalTable")[0] ?? [];
  return propsOf(t ?? {});
}

describe("Encryption", () => {
  it("uses AWS-managed keys by default, and a customer-managed key only where CloudWatch alarms publish", () => {
    // Act
    const key = keyOf(defaults);
    const queues = resourcesOf(defaults.central, "AWS::SQS::Queue").map(([, q]) => propsOf(q));

    // Assess
    expect(table(defaults).SSESpecification).toEqual({ SSEEnabled: true, SSEType: "KMS" });
    expect(JSON.stringify(table(defaults).Replicas)).not.toContain("KMSMasterKeyId");
    expect(queues).toHaveLength(3);
    for (const q of queues) expect(q).toMatchObject({ SqsManagedSseEnabled: true });
    expect(JSON.stringify(topic(defaults, "eks-auditor alerts").KmsMasterKeyId)).toContain(":alias/aws/sns");
    expect(topic(defaults, "eks-auditor operations").KmsMasterKeyId).toEqual(key);
  });

  it("with customerManagedKey, encrypts the table, every queue and both topics with one rotating key", () => {
    // Act
    const key = keyOf(customer);
    const [, keyResource] = resourcesOf(customer.central, "AWS::KMS::Key")[0] ?? [];
    const queues = resourcesOf(customer.central, "AWS::SQS::Queue").map(([, q]) => propsOf(q));

    // Assess
    expect(propsOf(keyResource ?? {}).EnableKeyRotation).toBe(true);
    expect(keyResource?.DeletionPolicy).toBe("Retain");
    expect(table(customer).SSESpecification).toEqual({ SSEEnabled: true, SSEType: "KMS" });
    expect(table(customer).Replicas).toEqual([
      expect.objectContaining({ SSESpecification: { KMSMasterKeyId: key } }),
    ]);
    expect(queues).toHaveLength(3);
    for (const q of queues) expect(q.KmsMasterKeyId).toEqual(key);
    expect(topic(customer, "eks-auditor alerts").KmsMasterKeyId).toEqual(key);
    expect(topic(customer, "eks-auditor operations").KmsMasterKeyId).toEqual(key);
  });

  it("with customerManagedKey, lets exactly the writers and readers use the key, action by action", () => {
    // Act
    const key = JSON.stringify(keyOf(customer));
    const uses = statementsOf(customer.central)
      .filter(
        ({ where, statement }) => !where.includes("KeyPolicy") && JSON.stringify(statement.Resource) === key,
      )
      .map(
        ({ where, statement }) =>
          [where.replace(/DefaultPolicy.*$/, ""), actionsOf(statement).sort()] as const,
      );
    const byRole = new Map<string, Set<string>>();
    for (const [role, actions] of uses) byRole.set(role, new Set([...(byRole.get(role) ?? []), ...actions]));

    // Assess
    expect([...byRole.keys()].map((r) => r.replace(/[0-9A-F]{8}$/, "")).sort()).toEqual([
      "PlannerRole",
      "ScannerRole",
      "SchedulerRole",
    ]);
    for (const actions of byRole.values()) {
      for (const a of actions) expect(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]).toContain(a);
    }
    const scanner = [...byRole.entries()].find(([r]) => r.startsWith("ScannerRole"))?.[1];
    expect([...(scanner ?? [])].sort()).toEqual(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]);
  });
});
