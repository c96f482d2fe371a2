import { Readable } from "node:stream";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpRequest } from "@smithy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AccountClientFactory, CREDENTIALS_KEPT } from "#shared/aws/account-clients.ts";

const CENTRAL = "111122223333";

/** Answers STS: the caller's identity, and member credentials for any role; counts AssumeRole per account. */
function sts(): Map<string, number> {
  const assumed = new Map<string, number>();
  const xml = (text: string) => ({
    response: {
      statusCode: 200,
      headers: { "content-type": "text/xml" },
      body: Readable.from([Buffer.from(text)]),
    },
  });
  vi.spyOn(NodeHttpHandler.prototype, "handle").mockImplementation(async (request: HttpRequest) => {
    const body = decodeURIComponent(String(request.body ?? ""));
    if (body.includes("Action=GetCallerIdentity")) {
      return xml(
        `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::${CENTRAL}:assumed-role/Scanner/s</Arn><UserId>AROA:s</UserId><Account>${CENTRAL}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
      );
    }
    const account = /iam::(\d{12}):role/.exec(body)?.[1] ?? "?";
    assumed.set(account, (assumed.get(account) ?? 0) + 1);
    return xml(
      `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA${account}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/EksAuditorReadRole/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
    );
  });
  return assumed;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Class: AccountClientFactory", () => {
  describe("Method: credentialsFor", () => {
    it("keeps the member credentials of the most recently used accounts only, and assumes a dropped one again", async () => {
      // Prepare: one more account than the factory keeps.
      const assumed = sts();
      const factory = new AccountClientFactory({
        runId: "run",
        credentials: async () => ({ accessKeyId: "AKIACENTRAL", secretAccessKey: "secret" }),
        maxAttempts: 1,
      });
      const accounts = Array.from({ length: CREDENTIALS_KEPT + 1 }, (_, i) => String(300000000000 + i));
      const keyOf = async (account: string) => {
        const provider = await factory.credentialsFor(account);
        return (await provider?.())?.accessKeyId;
      };

      try {
        // Act
        for (const account of accounts) await keyOf(account);
        const newest = accounts.at(-1) ?? "";
        const oldest = accounts[0] ?? "";
        const again = { newest: await keyOf(newest), oldest: await keyOf(oldest) };

        // Assess: the newest is still cached (one AssumeRole), the oldest fell out and was assumed again.
        expect(again).toEqual({ newest: `ASIA${newest}`, oldest: `ASIA${oldest}` });
        expect(assumed.get(newest)).toBe(1);
        expect(assumed.get(oldest)).toBe(2);
        expect([...assumed.values()].reduce((a, b) => a + b, 0)).toBe(CREDENTIALS_KEPT + 2);
      } finally {
        factory.destroy();
      }
    });
  });
});
