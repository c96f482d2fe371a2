import { describe, expect, it } from "vitest";
import { CallRecorder } from "#shared/aws/call-recorder.ts";
import { sharedCredentials } from "#shared/aws/clients.ts";

describe("Function: sharedCredentials", () => {
  it("fetches once for concurrent callers and reuses fresh credentials", async () => {
    // Prepare
    let fetches = 0;
    const provider = sharedCredentials(async () => {
      fetches += 1;
      return {
        accessKeyId: `AK${fetches}`,
        secretAccessKey: "s",
        expiration: new Date(Date.now() + 3_600_000),
      };
    });
    // Act
    const got = await Promise.all([provider(), provider(), provider()]);
    const later = await provider();
    // Assess
    expect(fetches).toBe(1);
    expect(new Set([...got, later].map((c) => c.accessKeyId))).toEqual(new Set(["AK1"]));
  });

  it("refreshes credentials that are about to expire", async () => {
    let fetches = 0;
    const provider = sharedCredentials(async () => {
      fetches += 1;
      return { accessKeyId: `AK${fetches}`, secretAccessKey: "s", expiration: new Date(Date.now() + 60_000) };
    });
    await provider();
    const second = await provider();
    expect(fetches).toBe(2);
    expect(second.accessKeyId).toBe("AK2");
  });

  it("tries again after a failed fetch instead of caching the failure", async () => {
    let fetches = 0;
    const provider = sharedCredentials(async () => {
      fetches += 1;
      if (fetches === 1) throw new Error("AccessDenied");
      return { accessKeyId: "AK", secretAccessKey: "s" };
    });
    await expect(provider()).rejects.toThrow("AccessDenied");
    await expect(provider()).resolves.toMatchObject({ accessKeyId: "AK" });
  });
});

describe("Class: CallRecorder", () => {
  it("counts calls per scope and operation, and retries beyond the first attempt", () => {
    const recorder = new CallRecorder();
    recorder.record("111122223333/eu-west-1", "EC2.DescribeSubnets");
    recorder.recordRetry("111122223333/eu-west-1", "EC2.DescribeSubnets");
    recorder.recordRetry("111122223333/eu-west-1", "EC2.DescribeSubnets");
    recorder.record("111122223333/eu-west-1", "EC2.DescribeSubnets");
    recorder.record("111122223333/us-east-1", "EKS.ListClusters");
    expect(recorder.forScope("111122223333/eu-west-1")).toEqual({ "EC2.DescribeSubnets": 2 });
    expect(recorder.total()).toBe(3);
    expect(recorder.total("111122223333/us-east-1")).toBe(1);
    expect(recorder.retries()).toBe(2);
    expect(recorder.scopes()).toEqual(["111122223333/eu-west-1", "111122223333/us-east-1"]);
  });
});
