import { afterEach, describe, expect, it } from "vitest";
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { type EstateFaults, loadEstateFile } from "#shared/estate/index.ts";
import { planRun, type ScopePlan, unreachableScopes } from "#shared/scan/plan.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { SAMPLE_ESTATE } from "#test/support/cli.ts";

const MANAGEMENT = "111122223333";
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** `runs` plans at once: their DescribeRegions calls for one account arrive together. */
async function planWith(faults: EstateFaults, runs = 1) {
  const estate = await loadEstateFile(SAMPLE_ESTATE);
  sim = await startSimulator({ estate: { ...estate, faults: { ...estate.faults, ...faults } } });
  const factory = new AwsClientFactory({
    runId: "plan-test",
    endpoint: sim.url,
    homeRegion: "eu-west-1",
    credentials: async () => ({ accessKeyId: `AKIA${MANAGEMENT}TEST`, secretAccessKey: "x" }),
  });
  try {
    const selection = { accounts: { kind: "org" as const }, regions: { kind: "all" as const } };
    return await Promise.all(Array.from({ length: runs }, () => planRun(factory, selection)));
  } finally {
    factory.destroy();
  }
}

// Only the account whose role is denied by design stays unreachable.
const DENIED_ONLY = ["444455556666 AccessDenied"];
const unreachable = (plan: ScopePlan) =>
  unreachableScopes(plan).map((s) => `${s.accountId} ${s.planError?.name}`);

describe("Function: planRun against the simulator", () => {
  // Throttling takes the same retry path (the SDK's standard strategy classes both as retryable); the
  // simulator's throttle buckets run on wall-clock time, so only the seeded 5xx case is deterministic.
  it("retries planning calls answered with a 5xx (seeded: the same calls fail on every run)", async () => {
    const [plan] = await planWith({ seed: 11, serverErrorRate: 0.3 });
    expect(plan && unreachable(plan)).toEqual(DENIED_ONLY);
    expect(sim?.calls.count({ outcome: "serverError" })).toBeGreaterThan(0);
  });
});
