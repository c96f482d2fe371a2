import { setTimeout as sleep } from "node:timers/promises";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import { type Simulator, simAccessKeyId, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE } from "#test/functions/support.ts";

const MEMBER = "222233334444";
const REGION = "eu-west-1";

/** Sockets open in this process, both ends of the simulator's connections included. */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
}

let estate: Estate;
let sim: Simulator;

beforeAll(async () => {
  estate = await loadEstateFile(SAMPLE_ESTATE);
  sim = await startSimulator({ estate });
});

afterAll(async () => {
  await sim.close();
});

describe("Class: AwsClientFactory", () => {
  describe("Method: abortScopeOn", () => {
    it("cancels an in-flight call of the scope and closes its socket when the signal aborts", async () => {
      // Prepare: the caller known, then every call answered after a minute
      const factory = new AwsClientFactory({
        runId: "abort",
        endpoint: sim.url,
        homeRegion: REGION,
        credentials: async () => ({ accessKeyId: simAccessKeyId(MEMBER), secretAccessKey: "simulator" }),
        maxAttempts: 1,
        requestTimeoutMs: 120_000,
      });
      await factory.callerIdentity();
      sim.setEstate({ ...estate, faults: { slowCalls: { rate: 1, delayMs: 60_000 } } });
      const deadline = new AbortController();
      factory.abortScopeOn(MEMBER, REGION, deadline.signal);
      const ec2 = await factory.ec2(MEMBER, REGION);

      try {
        // Act
        const call = ec2.send(new DescribeVpcsCommand({})).then(
          () => "answered",
          (err: unknown) => (err instanceof Error ? err.name : "error"),
        );
        await sleep(300);
        const socketsDuringCall = openSockets();
        const abortedAt = Date.now();
        deadline.abort(new Error("deadline"));
        const outcome = await call;
        const settledMs = Date.now() - abortedAt;
        await sleep(200);
        const socketsAfterAbort = openSockets();

        // Assess
        expect(outcome).toBe("AbortError");
        expect(settledMs).toBeLessThan(2_000);
        expect(socketsAfterAbort).toBeLessThan(socketsDuringCall);
      } finally {
        factory.destroy();
        sim.setEstate(estate);
      }
    });
  });
});
