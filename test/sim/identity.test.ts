import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { ListAccountsCommand, paginateListAccounts } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Estate, parseEstate } from "#shared/estate/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import {
  DENIED,
  ec2Client,
  MANAGEMENT,
  MEMBER,
  orgsClient,
  sampleEstate,
  stsClient,
  wire,
} from "./fixtures.ts";

let sim: Simulator;
let estate: Estate;

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number }; Reason?: string };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  estate = parseEstate(sampleEstate());
  sim = await startSimulator({ estate });
});

afterAll(async () => {
  await sim.close();
});

describe("Class: Simulator (STS and identity)", () => {
  it("reads the account from AKIA<account> keys and maps any other key to the management account", async () => {
    // Prepare
    const member = stsClient(sim.url, { accessKeyId: `AKIA${MEMBER}ABCD` });
    const stranger = stsClient(sim.url, { accessKeyId: "AKIAIOSFODNN7EXAMPLE" });

    // Act
    const memberId = await member.send(new GetCallerIdentityCommand({}));
    const strangerId = await stranger.send(new GetCallerIdentityCommand({}));
    member.destroy();
    stranger.destroy();

    // Assess
    expect(memberId.Account).toBe(MEMBER);
    expect(memberId.Arn).toBe(`arn:aws:iam::${MEMBER}:user/eks-auditor-sim`);
    expect(strangerId.Account).toBe(MANAGEMENT);
  });

  it("issues credentials for the target account that route later calls there", async () => {
    // Prepare
    const sts = stsClient(sim.url);
    const roleArn = `arn:aws:iam::${MEMBER}:role/eks-auditor-read`;

    // Act
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "scan-1" }));
    sts.destroy();
    const creds = assumed.Credentials;
    if (!creds?.AccessKeyId || !creds.SecretAccessKey) throw new Error("no credentials issued");
    const credentials = {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      ...(creds.SessionToken ? { sessionToken: creds.SessionToken } : {}),
    };
    const asMember = stsClient(sim.url, { credentials });
    const memberEc2 = ec2Client(sim.url, { credentials });
    const identity = await asMember.send(new GetCallerIdentityCommand({}));
    const subnets = await memberEc2.send(new DescribeSubnetsCommand({}));
    asMember.destroy();
    memberEc2.destroy();

    // Assess
    expect(creds.AccessKeyId).toMatch(new RegExp(`^ASIA${MEMBER}[A-Z0-9]{4}$`));
    expect(creds.Expiration).toBeInstanceOf(Date);
    const ahead = (creds.Expiration?.getTime() ?? 0) - Date.now();
    expect(ahead).toBeGreaterThan(3500_000);
    expect(ahead).toBeLessThanOrEqual(3600_000);
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/eks-auditor-read/scan-1`);
    expect(identity.Account).toBe(MEMBER);
    expect(identity.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/eks-auditor-read/scan-1`);
    expect(subnets.Subnets?.map((s) => s.SubnetId)).toEqual(["subnet-member1"]);
  });

  it("denies AssumeRole into denied accounts and accounts outside the estate with AccessDenied", async () => {
    // Prepare
    const sts = stsClient(sim.url);
    const deniedArn = `arn:aws:iam::${DENIED}:role/eks-auditor-read`;

    // Act
    const denied = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: deniedArn, RoleSessionName: "scan" })),
    );
    const unknown = await errorOf(
      sts.send(
        new AssumeRoleCommand({ RoleArn: "arn:aws:iam::999999999999:role/x", RoleSessionName: "scan" }),
      ),
    );
    const malformed = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: "nope", RoleSessionName: "scan" })),
    );
    sts.destroy();

    // Assess
    expect(denied.name).toBe("AccessDenied");
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect(denied.message).toBe(
      `User: arn:aws:iam::${MANAGEMENT}:user/eks-auditor-sim is not authorized to perform: sts:AssumeRole on resource: ${deniedArn}`,
    );
    expect(unknown.name).toBe("AccessDenied");
    expect(malformed.name).toBe("ValidationError");
  });
});

describe("Class: Simulator (Organizations JSON 1.1)", () => {
  it("lists every organisation account across pages for the management account", async () => {
    // Prepare
    const orgs = orgsClient(sim.url);

    // Act
    const pages: number[] = [];
    const accounts: unknown[] = [];
    for await (const page of paginateListAccounts({ client: orgs, pageSize: 3 }, {})) {
      pages.push(page.Accounts?.length ?? 0);
      accounts.push(...(page.Accounts ?? []));
    }
    const first = await orgs.send(new ListAccountsCommand({}));
    orgs.destroy();

    // Assess
    expect(pages).toEqual([3, 3, 1]);
    expect(wire(accounts)).toEqual(estate.organization.accounts);
    expect(first.Accounts?.[0]?.JoinedTimestamp).toEqual(new Date("2020-01-01T00:00:00.000Z"));
  });

  it("answers AccessDeniedException to member accounts and InvalidInputException to bad paging", async () => {
    // Prepare
    const member = orgsClient(sim.url, { accessKeyId: `AKIA${MEMBER}TEST` });
    const orgs = orgsClient(sim.url);

    // Act
    const denied = await errorOf(member.send(new ListAccountsCommand({})));
    const tooMany = await errorOf(orgs.send(new ListAccountsCommand({ MaxResults: 21 })));
    const badToken = await errorOf(orgs.send(new ListAccountsCommand({ NextToken: "xyz" })));
    member.destroy();
    orgs.destroy();

    // Assess
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect(tooMany.name).toBe("InvalidInputException");
    expect(tooMany.Reason).toBe("MAX_VALUE_EXCEEDED");
    expect(badToken.name).toBe("InvalidInputException");
    expect(badToken.Reason).toBe("INVALID_PAGINATION_TOKEN");
  });
});
