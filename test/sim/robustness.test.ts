import { connect } from "node:net";
import { DescribeImagesCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { ListAccessEntriesCommand, ListClustersCommand } from "@aws-sdk/client-eks";
import { DescribeOrganizationCommand } from "@aws-sdk/client-organizations";
import { GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEstate } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import {
  ec2Client,
  eksClient,
  MANAGEMENT,
  MANAGEMENT_KEY,
  orgsClient,
  REGION,
  sampleEstate,
  stsClient,
} from "./fixtures.ts";

let sim: Simulator;

function authorization(service: string, region = REGION, key = MANAGEMENT_KEY): string {
  return `AWS4-HMAC-SHA256 Credential=${key}/20261125/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;
}

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}

/** A tiny seeded PRNG so the fuzz inputs are reproducible. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function rawExchange(url: string, bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.setTimeout(2000, () => socket.destroy());
    socket.end(bytes);
  });
}

beforeAll(async () => {
  sim = await startSimulator({ estate: parseEstate(sampleEstate()) });
});

afterAll(async () => {
  await sim.close();
});

describe("Class: Simulator (unknown operations and hostile input)", () => {
  it("answers an unknown EC2 action with the AWS XML InvalidAction error", async () => {
    // Act
    const response = await fetch(sim.url, {
      method: "POST",
      headers: { authorization: authorization("ec2"), "content-type": "application/x-www-form-urlencoded" },
      body: "Action=LaunchRockets&Version=2016-11-15",
    });
    const body = await response.text();

    // Assess
    expect(response.status).toBe(400);
    expect(body).toContain("<Response><Errors><Error><Code>InvalidAction</Code>");
    expect(body).toContain("LaunchRockets");
    expect(sim.calls.count({ operation: "LaunchRockets", outcome: "InvalidAction" })).toBe(1);
  });

  it("answers real SDK commands it does not implement with each protocol's unknown-operation error", async () => {
    // Prepare
    const ec2 = ec2Client(sim.url);
    const eks = eksClient(sim.url);
    const orgs = orgsClient(sim.url);
    const sts = stsClient(sim.url);

    // Act
    const ec2Error = await errorOf(ec2.send(new DescribeImagesCommand({})));
    const eksError = await errorOf(eks.send(new ListAccessEntriesCommand({ clusterName: "prod" })));
    const orgsError = await errorOf(orgs.send(new DescribeOrganizationCommand({})));
    const stsError = await errorOf(sts.send(new GetSessionTokenCommand({})));
    for (const client of [ec2, eks, orgs, sts]) client.destroy();

    // Assess
    expect(ec2Error.name).toBe("InvalidAction");
    expect(ec2Error.$metadata?.httpStatusCode).toBe(400);
    expect(eksError.name).toBe("UnknownOperationException");
    expect(eksError.$metadata?.httpStatusCode).toBe(404);
    expect(orgsError.name).toBe("UnknownOperationException");
    expect(stsError.name).toBe("InvalidAction");
  });

  it("survives random paths, methods, headers and bodies, answering each with an AWS-shaped error", async () => {
    // Prepare
    const random = prng(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const services = ["ec2", "eks", "sts", "sns", "organizations", "dynamodb", "s3"];
    const paths = [
      "/",
      "/clusters",
      "/clusters/%zz",
      "/clusters/prod/node-groups/..%2f",
      "/_sim/x",
      "/?Action=",
      "//",
    ];

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const service = pick(services);
      const body =
        random() < 0.5
          ? bytes(Math.floor(random() * 300))
          : Buffer.from(
              pick([
                "Action=DescribeSubnets&SubnetId.1=&MaxResults=abc",
                "Action=DescribeSubnets&Filter.1.Name=vpc-id&Filter.x.Value.1=%ff",
                "Action=Publish&MessageAttributes.entry.1.Name=__proto__&MessageAttributes.entry.1.Value.DataType=String",
                "Action=AssumeRole&RoleArn=arn:aws:iam::1:role/x&DurationSeconds=NaN",
                '{"MaxResults":"twenty"}',
                "{not json",
                "Action=DescribeLaunchTemplateVersions&LaunchTemplateVersion.1=$Latest&MinVersion=zz",
              ]),
            );
      const method = pick(["GET", "POST", "PUT", "DELETE"]);
      const response = await fetch(
        `${sim.url}${pick(paths)}${random() < 0.3 ? "?maxResults=-1&nextToken=%%" : ""}`,
        {
          method,
          headers: {
            authorization:
              random() < 0.9
                ? authorization(service, pick([REGION, "xx"]), pick([MANAGEMENT_KEY, "ASIA"]))
                : "junk",
            "x-amz-target": pick([
              "",
              "AWSOrganizationsV20161128.ListAccounts",
              "AWSOrganizationsV20161128.Nope",
              "x.y.z",
            ]),
          },
          ...(method !== "GET" && random() < 0.8 ? { body } : {}),
        },
      ).catch(() => undefined);
      if (response) {
        statuses.push(response.status);
        await response.text();
      }
    }
    const raw = await rawExchange(sim.url, bytes(500));
    const ec2 = ec2Client(sim.url);
    const healthy = await ec2.send(new DescribeVpcsCommand({}));
    ec2.destroy();

    // Assess
    expect(statuses).toHaveLength(150);
    expect(statuses.every((s) => s >= 200 && s < 500)).toBe(true);
    expect(sim.calls.count({ outcome: "InternalFailure" })).toBe(0);
    expect(raw === "" || raw.startsWith("HTTP/1.1 400")).toBe(true);
    expect(healthy.Vpcs).toHaveLength(2);
  });

  it("turns a handler crash into an AWS-shaped 500 InternalFailure and keeps serving", async () => {
    // Prepare
    const broken = parseEstate(sampleEstate());
    const region = broken.accounts[MANAGEMENT]?.regions[REGION];
    if (region) region.eks.clusters = [null as unknown as (typeof region.eks.clusters)[number]];
    const brokenSim = await startSimulator({ estate: broken });
    const eks = eksClient(brokenSim.url);
    const ec2 = ec2Client(brokenSim.url);

    // Act
    const err = await errorOf(eks.send(new ListClustersCommand({})));
    const vpcs = await ec2.send(new DescribeVpcsCommand({}));
    eks.destroy();
    ec2.destroy();
    await brokenSim.close();

    // Assess
    expect(err.name).toBe("InternalFailure");
    expect(err.$metadata?.httpStatusCode).toBe(500);
    expect(vpcs.Vpcs).toHaveLength(2);
  });

  it("serves the call log and published messages as JSON for inspection", async () => {
    // Act
    const calls = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { total: number; byScope: object };
    const published = await (await fetch(`${sim.url}/_sim/published`)).json();

    // Assess
    expect(calls.total).toBe(sim.calls.total());
    expect(calls.byScope).toHaveProperty(`${MANAGEMENT}/${REGION}`);
    expect(published).toEqual([]);
  });
});
