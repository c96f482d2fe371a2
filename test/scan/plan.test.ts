import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import type { AwsClientFactory } from "#shared/aws/clients.ts";
import { PlanningError, planRun, planScopes, unreachableScopes } from "#shared/scan/plan.ts";

/** A factory whose EC2 DescribeRegions answers per account, counting the calls in flight. */
function fakeFactory(answer: (accountId: string) => string[] | Error, delayMs = 5) {
  const seen = { inFlight: 0, maxInFlight: 0, calls: 0 };
  const factory = {
    homeRegion: "us-east-1",
    callerIdentity: async () => ({ accountId: "111122223333", arn: "arn" }),
    ec2: async (accountId: string) => ({
      send: async () => {
        seen.calls++;
        seen.inFlight++;
        seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
        await new Promise((r) => setTimeout(r, delayMs));
        seen.inFlight--;
        const out = answer(accountId);
        if (out instanceof Error) throw out;
        return { Regions: out.map((RegionName) => ({ RegionName })) };
      },
    }),
  } as unknown as AwsClientFactory;
  return { factory, seen };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

const ACCOUNTS = Array.from({ length: 40 }, (_, i) => `1000000000${String(i).padStart(2, "0")}`);

describe("Function: planScopes", () => {
  it("lists each account's enabled regions at a bounded concurrency", async () => {
    const { factory, seen } = fakeFactory(() => ["us-east-1", "eu-west-1"]);
    const plan = await planScopes(factory, ACCOUNTS, { kind: "all" }, { concurrency: 4 });
    expect(seen.calls).toBe(ACCOUNTS.length);
    expect(seen.maxInFlight).toBeLessThanOrEqual(4);
    expect(plan.scopes).toHaveLength(80);
    expect(plan.scopes.slice(0, 2)).toEqual([
      { accountId: ACCOUNTS[0], region: "eu-west-1" },
      { accountId: ACCOUNTS[0], region: "us-east-1" },
    ]);
  });

  it("gives an unreachable account one home-region scope carrying the error, in account order", async () => {
    const { factory } = fakeFactory((id) =>
      id === "222233334444"
        ? awsError("AccessDenied", "not authorized to perform sts:AssumeRole")
        : ["eu-west-1"],
    );
    const plan = await planScopes(factory, ["333344445555", "222233334444"], { kind: "all" });
    expect(plan.scopes.map((s) => `${s.accountId}/${s.region}`)).toEqual([
      "222233334444/us-east-1",
      "333344445555/eu-west-1",
    ]);
    expect(unreachableScopes(plan)).toEqual([
      {
        accountId: "222233334444",
        region: "us-east-1",
        planError: {
          name: "AccessDenied",
          message:
            "EC2 DescribeRegions in account 222233334444 failed: AccessDenied: not authorized to perform sts:AssumeRole",
        },
      },
    ]);
    // Nothing is known of the unreachable account's regions, so no coverage may be closed for it
    expect(plan.regionsOf.has("222233334444")).toBe(false);
    expect(plan.regionsOf.get("333344445555")).toEqual(["eu-west-1"]);
  });

  it("takes a region list as it is, without calling AWS", async () => {
    const { factory, seen } = fakeFactory(() => []);
    const plan = await planScopes(factory, ["222233334444", "111122223333"], {
      kind: "list",
      regions: ["us-east-1", "eu-west-1", "us-east-1"],
    });
    expect(seen.calls).toBe(0);
    expect(plan.scopes.map((s) => `${s.accountId}/${s.region}`)).toEqual([
      "111122223333/eu-west-1",
      "111122223333/us-east-1",
      "222233334444/eu-west-1",
      "222233334444/us-east-1",
    ]);
  });
});

describe("Function: planRun", () => {
  it("applies the exclusions to a static list", async () => {
    const { factory } = fakeFactory(() => []);
    const plan = await planRun(factory, {
      accounts: { kind: "list", accountIds: ["111122223333", "222233334444"], exclude: ["222233334444"] },
      regions: { kind: "list", regions: ["eu-west-1"] },
    });
    expect(plan.accountIds).toEqual(["111122223333"]);
  });

  it("names the service, the operation and the account when Organizations keeps failing", async () => {
    const { factory } = fakeFactory(() => []);
    const failing = {
      ...factory,
      homeRegion: "us-east-1",
      callerIdentity: async () => ({ accountId: "999988887777", arn: "arn" }),
      callerClient: () => new OrganizationsClient({ region: "us-east-1" }),
    } as unknown as AwsClientFactory;
    const organizations = mockClient(OrganizationsClient);
    organizations.on(ListAccountsCommand).rejects(awsError("TooManyRequestsException", "Rate exceeded"));
    const run = planRun(failing, { accounts: { kind: "org" }, regions: { kind: "all" } });
    await expect(run).rejects.toBeInstanceOf(PlanningError);
    await expect(run).rejects.toThrow(
      "Organizations ListAccounts in account 999988887777 failed: TooManyRequestsException: Rate exceeded",
    );
    organizations.restore();
  });
});
