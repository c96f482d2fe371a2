import { DescribeSubnets$, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { DescribeAddonCommand } from "@aws-sdk/client-eks";
import { Publish$ } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import { CallLog, startSimulator } from "#sim/index.ts";
import { decodeQueryInput, parseFormTree } from "#sim/protocol/query.ts";
import { inputSchema } from "#sim/protocol/schema.ts";
import { wildcardPattern } from "#sim/services/ec2-filters.ts";
import { ec2Client, eksClient, MANAGEMENT, REGION, sampleEstate } from "./fixtures.ts";

describe("Class: CallLog", () => {
  it("counts calls by filter, operation and scope", () => {
    // Prepare
    const log = new CallLog();
    const call = { service: "ec2", accountId: MANAGEMENT, region: REGION };
    log.record({ ...call, operation: "DescribeSubnets", outcome: "ok" });
    log.record({ ...call, operation: "DescribeSubnets", outcome: "throttled" });
    log.record({ ...call, region: "us-east-1", operation: "DescribeVpcs", outcome: "AuthFailure" });

    // Act
    const byOperation = log.byOperation();
    const byScope = log.byScope();

    // Assess
    expect(log.total()).toBe(3);
    expect(log.count({ operation: "DescribeSubnets" })).toBe(2);
    expect(log.count({ region: "us-east-1", outcome: "AuthFailure" })).toBe(1);
    expect(log.throttled()).toBe(1);
    expect(byOperation).toEqual({ DescribeSubnets: 2, DescribeVpcs: 1 });
    expect(log.byOperation({ outcome: "ok" })).toEqual({ DescribeSubnets: 1 });
    expect(byScope).toEqual({
      [`${MANAGEMENT}/${REGION}`]: { DescribeSubnets: 2 },
      [`${MANAGEMENT}/us-east-1`]: { DescribeVpcs: 1 },
    });
  });
});

describe("Function: wildcardPattern", () => {
  it("treats * as any run, ? as one character and backslash as an escape", () => {
    // Act & Assess
    expect(wildcardPattern("kubernetes.io/cluster/*").test("kubernetes.io/cluster/prod")).toBe(true);
    expect(wildcardPattern("kubernetes.io/cluster/*").test("kubernetesXio/cluster/prod")).toBe(false);
    expect(wildcardPattern("m5.?large").test("m5.xlarge")).toBe(true);
    expect(wildcardPattern("m5.?large").test("m5.large")).toBe(false);
    expect(wildcardPattern("a\\*b").test("a*b")).toBe(true);
    expect(wildcardPattern("a\\*b").test("axb")).toBe(false);
  });
});

describe("Function: decodeQueryInput", () => {
  it("reads EC2 flattened lists and awsQuery maps by the input schema", () => {
    // Prepare
    const ec2Body =
      "Action=DescribeSubnets&Filter.1.Name=vpc-id&Filter.1.Value.1=a&Filter.1.Value.2=b&SubnetId.2=s2&SubnetId.1=s1&MaxResults=5";
    const snsBody =
      "Action=Publish&TopicArn=t&Message=m&MessageAttributes.entry.1.Name=severity" +
      "&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=HIGH";

    // Act
    const ec2 = decodeQueryInput(inputSchema(DescribeSubnets$), parseFormTree(ec2Body), "ec2");
    const sns = decodeQueryInput(inputSchema(Publish$), parseFormTree(snsBody), "query");

    // Assess
    expect(ec2).toEqual({
      Filters: [{ Name: "vpc-id", Values: ["a", "b"] }],
      SubnetIds: ["s1", "s2"],
      MaxResults: 5,
    });
    expect(sns).toEqual({
      TopicArn: "t",
      Message: "m",
      MessageAttributes: { severity: { DataType: "String", StringValue: "HIGH" } },
    });
  });
});

describe("Module: schema-driven writers", () => {
  it("carries markup, control characters and non-ASCII text through XML and JSON intact", async () => {
    // Prepare
    const awkward = "a<b>&c\"d'e\r\n\tf \u0001 ünïcødé 🚀 ]]>";
    const estate = parseEstate(sampleEstate());
    const region = estate.accounts[MANAGEMENT]?.regions[REGION];
    const subnet = region?.ec2.Subnets[0];
    const addon = region?.eks.clusters[0]?.addons[0];
    if (!subnet || !addon) throw new Error("fixture changed");
    subnet.Tags = [{ Key: "awkward", Value: awkward }];
    addon.configurationValues = awkward;
    const sim = await startSimulator({ estate });
    const ec2 = ec2Client(sim.url);
    const eks = eksClient(sim.url);

    // Act
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId ?? ""] }));
    const described = await eks.send(new DescribeAddonCommand({ clusterName: "prod", addonName: "vpc-cni" }));
    ec2.destroy();
    eks.destroy();
    await sim.close();

    // Assess
    expect(subnets.Subnets?.[0]?.Tags).toEqual([{ Key: "awkward", Value: awkward }]);
    expect(described.addon?.configurationValues).toBe(awkward);
  });
});
