import { PublishCommand, type PublishCommandInput } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { MANAGEMENT, REGION, sampleEstate, snsClient } from "./fixtures.ts";

const TOPIC = `arn:aws:sns:${REGION}:${MANAGEMENT}:eks-auditor-alerts`;

let sim: Simulator;

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  sim = await startSimulator({ estate: parseEstate(sampleEstate()) });
});

afterAll(async () => {
  await sim.close();
});

describe("Class: Simulator (SNS Publish)", () => {
  it("records published messages with subject, structure and attributes, in order", async () => {
    // Prepare
    const sns = snsClient(sim.url);
    const body = JSON.stringify({ default: "2 new findings", email: "Two new findings\n  - one\n  - two" });

    // Act
    const first = await sns.send(
      new PublishCommand({
        TopicArn: TOPIC,
        Subject: "[HIGH] eks-auditor: 2 new findings in 111122223333/eu-west-1",
        Message: body,
        MessageStructure: "json",
        MessageAttributes: {
          severity: { DataType: "String", StringValue: "HIGH" },
          ruleIds: { DataType: "String.Array", StringValue: '["elb.subnet-tags","ip.exhaustion"]' },
          count: { DataType: "Number", StringValue: "2" },
          digest: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 254, 255]) },
        },
      }),
    );
    const second = await sns.send(new PublishCommand({ TopicArn: TOPIC, Message: "resolved <&> \r\n done" }));
    sns.destroy();

    // Assess
    expect(first.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.published.map((m) => m.messageId)).toEqual([first.MessageId, second.MessageId]);
    const [recorded, plain] = sim.published;
    expect(recorded).toMatchObject({
      accountId: MANAGEMENT,
      region: REGION,
      topicArn: TOPIC,
      subject: "[HIGH] eks-auditor: 2 new findings in 111122223333/eu-west-1",
      message: body,
      messageStructure: "json",
    });
    expect(recorded?.messageAttributes.severity).toEqual({ DataType: "String", StringValue: "HIGH" });
    expect(recorded?.messageAttributes.count).toEqual({ DataType: "Number", StringValue: "2" });
    expect(recorded?.messageAttributes.ruleIds?.StringValue).toBe('["elb.subnet-tags","ip.exhaustion"]');
    expect([...(recorded?.messageAttributes.digest?.BinaryValue ?? [])]).toEqual([0, 1, 254, 255]);
    expect(plain?.message).toBe("resolved <&> \r\n done");
    expect(plain?.subject).toBeUndefined();
  });

  it.each<[string, Partial<PublishCommandInput>, string, string]>([
    ["a subject over 100 characters", { Subject: "x".repeat(101) }, "InvalidParameterException", "Subject"],
    ["a subject with a line break", { Subject: "two\nlines" }, "InvalidParameterException", "Subject"],
    ["a message over 256 KiB", { Message: "x".repeat(262_145) }, "InvalidParameterException", "too long"],
    [
      "MessageStructure json without a default key",
      { MessageStructure: "json", Message: '{"email":"x"}' },
      "InvalidParameterException",
      "No default entry",
    ],
    [
      "MessageStructure json that is not JSON",
      { MessageStructure: "json", Message: "not json" },
      "InvalidParameterException",
      "failed to parse",
    ],
    [
      "a String attribute without a value",
      { MessageAttributes: { severity: { DataType: "String" } } },
      "InvalidParameterValueException",
      "severity",
    ],
    ["a malformed topic ARN", { TopicArn: "alerts" }, "InvalidParameterException", "TopicArn"],
  ])("rejects %s", async (_label, override, name, fragment) => {
    // Prepare
    const sns = snsClient(sim.url);
    const before = sim.published.length;

    // Act
    const err = await errorOf(
      sns.send(new PublishCommand({ TopicArn: TOPIC, Message: "hello", ...override })),
    );
    sns.destroy();

    // Assess
    expect(err.name).toBe(name);
    expect(err.message).toContain(fragment);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(sim.published).toHaveLength(before);
  });
});
