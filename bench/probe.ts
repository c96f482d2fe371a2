/**
 * The collector's critical-path depth, measured rather than assumed: a sample of scopes is collected
 * again with a scope concurrency high enough that no call ever waits for a slot, the account's
 * credentials fetched beforehand, and the per-scope timeline counts the sequential call rounds left —
 * the dependency chain of `collectInventory` itself (ListClusters → DescribeCluster/ListNodegroups/
 * DescribeAddon → DescribeNodegroup → VPC-wide listings and launch templates → instance types,
 * referencing SGs, ENIs; extra pages would add rounds).
 */
import { AwsClientFactory } from "#shared/aws/clients.ts";
import { scanScope } from "#shared/scan/scan-scope.ts";
import { Timeline } from "./timeline.ts";

export interface DepthProbe {
  sampledScopes: number;
  /** Mean rounds of the collector alone, by whether the scope has clusters. */
  collectorDepth: { empty: number | null; withClusters: number | null };
  maxDepth: number;
  histogram: Record<string, number>;
}

export interface ProbeOptions {
  simUrl: string;
  callerAccount: string;
  homeRegion: string;
  accounts: readonly string[];
  regions: readonly string[];
}

const UNBOUNDED = 1_000;

export async function probeCollectorDepth(options: ProbeOptions): Promise<DepthProbe> {
  const timeline = new Timeline(new URL(options.simUrl).host);
  const sums = { empty: { n: 0, sum: 0 }, withClusters: { n: 0, sum: 0 } };
  const histogram: Record<string, number> = {};
  let maxDepth = 0;
  try {
    for (const accountId of options.accounts) {
      const factory = new AwsClientFactory({
        runId: "bench-probe",
        endpoint: options.simUrl,
        homeRegion: options.homeRegion,
        credentials: async () => ({
          accessKeyId: `AKIA${options.callerAccount}PROB`,
          secretAccessKey: "sim",
        }),
      });
      try {
        // AssumeRole outside the timed scopes: the pipeline's own AssumeRole rounds are counted from its run.
        await (await factory.credentialsFor(accountId))?.();
        await Promise.all(
          options.regions.map(async (region) => {
            const key = `${accountId}/${region}`;
            const result = await timeline.run(key, () =>
              scanScope(factory, { accountId, region }, { concurrency: UNBOUNDED }),
            );
            const { rounds } = timeline.take(key);
            const bucket = result.clusters > 0 ? sums.withClusters : sums.empty;
            bucket.n++;
            bucket.sum += rounds;
            maxDepth = Math.max(maxDepth, rounds);
            histogram[String(rounds)] = (histogram[String(rounds)] ?? 0) + 1;
          }),
        );
      } finally {
        factory.destroy();
      }
    }
  } finally {
    timeline.stop();
  }
  const mean = (b: { n: number; sum: number }) => (b.n === 0 ? null : Math.round((b.sum / b.n) * 100) / 100);
  return {
    sampledScopes: sums.empty.n + sums.withClusters.n,
    collectorDepth: { empty: mean(sums.empty), withClusters: mean(sums.withClusters) },
    maxDepth,
    histogram,
  };
}
