import { Readable } from "node:stream";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpRequest } from "@smithy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { partitionOfArn, partitionOfRegion } from "#shared/aws/partition.ts";

const CENTRAL = "111122223333";
const MEMBER = "222233334444";

/** Answers the STS and EC2 calls of a factory in the aws-cn partition, and keeps what was sent. */
function chinaPartition() {
  const sent: { host: string; body: string; abortSignal: AbortSignal | undefined }[] = [];
  const xml = (text: string) => ({
    response: {
      statusCode: 200,
      headers: { "content-type": "text/xml" },
      body: Readable.from([Buffer.from(text)]),
    },
  });
  vi.spyOn(NodeHttpHandler.prototype, "handle").mockImplementation(async (request: HttpRequest, options) => {
    const body = String(request.body ?? "");
    sent.push({ host: request.hostname, body, abortSignal: options?.abortSignal as AbortSignal | undefined });
    if (body.includes("Action=GetCallerIdentity")) {
      return xml(
        `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws-cn:sts::${CENTRAL}:assumed-role/EksAuditorScannerRole/scanner</Arn><UserId>AROA:scanner</UserId><Account>${CENTRAL}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
      );
    }
    if (body.includes("Action=AssumeRole")) {
      return xml(
        `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAMEMBER</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws-cn:sts::${MEMBER}:assumed-role/EksAuditorReadRole/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
      );
    }
    return xml(
      '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><vpcSet/></DescribeVpcsResponse>',
    );
  });
  return sent;
}

function factory(): AwsClientFactory {
  return new AwsClientFactory({
    runId: "cn-run",
    homeRegion: "cn-north-1",
    credentials: async () => ({ accessKeyId: "AKIACENTRAL", secretAccessKey: "secret" }),
    maxAttempts: 1,
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Class: AwsClientFactory", () => {
  describe("Method: roleArn", () => {
    it("builds the member role ARN in the partition of the caller's identity", async () => {
      // Prepare
      chinaPartition();
      const f = factory();

      // Act
      await f.callerIdentity();

      // Assess
      expect(f.partition).toBe("aws-cn");
      expect(f.roleArn(MEMBER)).toBe(`arn:aws-cn:iam::${MEMBER}:role/EksAuditorReadRole`);
      f.destroy();
    });

    it("assumes the member role by its ARN in the caller's partition", async () => {
      // Prepare
      const sent = chinaPartition();
      const f = factory();

      // Act
      const ec2 = await f.ec2(MEMBER, "cn-northwest-1");
      await ec2.send(new DescribeVpcsCommand({}));

      // Assess
      const assume = sent.find((s) => s.body.includes("Action=AssumeRole"));
      expect(decodeURIComponent(assume?.body ?? "")).toContain(
        `RoleArn=arn:aws-cn:iam::${MEMBER}:role/EksAuditorReadRole`,
      );
      f.destroy();
    });
  });

  describe("Method: abortScopeOn", () => {
    it("gives the bound signal to the scope's calls, its account's AssumeRole and the GetCallerIdentity it waits for, not to another scope", async () => {
      // Prepare
      const sent = chinaPartition();
      const f = factory();
      const deadline = new AbortController();

      // Act
      f.abortScopeOn(MEMBER, "cn-northwest-1", deadline.signal);
      await (await f.ec2(MEMBER, "cn-northwest-1")).send(new DescribeVpcsCommand({}));
      await (await f.ec2(MEMBER, "cn-north-1")).send(new DescribeVpcsCommand({}));

      // Assess
      const [identity, assume, scoped, other] = sent;
      expect(identity?.body).toContain("Action=GetCallerIdentity");
      expect(identity?.abortSignal).toBe(deadline.signal);
      expect(assume?.body).toContain("Action=AssumeRole");
      expect(assume?.abortSignal).toBe(deadline.signal);
      expect(scoped?.host).toContain("cn-northwest-1");
      expect(scoped?.abortSignal).toBe(deadline.signal);
      expect(other?.host).toContain("cn-north-1");
      expect(other?.abortSignal).toBeUndefined();
      f.destroy();
    });
  });
});

describe("Function: partitionOfArn", () => {
  it.each([
    ["arn:aws:sts::111122223333:assumed-role/r/s", "aws"],
    ["arn:aws-cn:iam::111122223333:user/u", "aws-cn"],
    ["arn:aws-us-gov:sts::111122223333:assumed-role/r/s", "aws-us-gov"],
    ["not an arn", undefined],
  ])("%s → %s", (arn, partition) => {
    expect(partitionOfArn(arn)).toBe(partition);
  });
});

describe("Function: partitionOfRegion", () => {
  it.each([
    ["eu-west-1", "aws"],
    ["cn-northwest-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
  ])("%s → %s", (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });
});
