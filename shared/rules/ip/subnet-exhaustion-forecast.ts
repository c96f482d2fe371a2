import type { Finding } from "#shared/findings/index.ts";
import type { Inventory, SubnetSample } from "#shared/inventory/types.ts";
import {
  type ExhaustionForecast,
  FORECAST_WINDOW_DAYS,
  forecastExhaustion,
  HIGH_WITHIN_DAYS,
  MEDIUM_WITHIN_DAYS,
  type Projection,
} from "#shared/models/forecast/forecast.ts";
import { oneMoreNeeds } from "#shared/models/forecast/samples.ts";
import {
  clusterHeadroom,
  contextEvidence,
  freeText,
  pairEvidence,
  pairsBySubnet,
  type SubnetPair,
  subnetEvidence,
  subnetLabel,
} from "#shared/models/ip-headroom/headroom.ts";
import { newFinding, type RuleDefinition } from "#shared/rules/rule.ts";
import { remediationForSubnet } from "./context.ts";

/** Points of the series kept in the evidence for the HTML report's chart. */
const CHART_POINTS = 60;

/**
 * What one more node of the subnet's groups needs: the most expensive group's (it stops fitting first, and
 * `ip.subnet-exhausted` fires on it).
 */
export function addressesForOneMore(
  pairs: readonly SubnetPair[],
): { need: number; pair: SubnetPair } | undefined {
  let best: { need: number; pair: SubnetPair } | undefined;
  for (const pair of pairs) {
    const { subnet, ng } = pair;
    const need = oneMoreNeeds(subnet, (subnet.podSubnetCost?.launch ?? ng.launch).ips.nodeSubnet);
    if (!best || need > best.need) best = { need, pair };
  }
  return best;
}

/** The forecast of one subnet from its samples, for the group that stops fitting first. */
export function subnetForecast(
  samples: readonly SubnetSample[],
  pairs: readonly SubnetPair[],
): (ExhaustionForecast & { pair: SubnetPair }) | undefined {
  const one = addressesForOneMore(pairs);
  if (!one) return undefined;
  const series = samples.map((s) => ({ at: s.at, value: s.availableIps }));
  return { ...forecastExhaustion(series, one.need), pair: one.pair };
}

/**
 * Within 30 days at the trend's slope, and within 60 even at the slow end of its 95 % interval: a short,
 * noisy series whose slope could as well be half as steep does not page.
 */
export function pages(forecast: ExhaustionForecast | undefined): forecast is Projection {
  return (
    forecast?.outcome === "projected" &&
    forecast.daysLeft <= MEDIUM_WITHIN_DAYS &&
    forecast.daysLeftAtSlowest <= 2 * MEDIUM_WITHIN_DAYS
  );
}

/** ip.subnet-exhaustion-forecast: the trend of the stored samples runs the subnet out within 30 days. */
function evaluate(inventory: Inventory): Finding[] {
  const history = inventory.history;
  if (!history) return [];
  const findings: Finding[] = [];
  for (const c of clusterHeadroom(inventory)) {
    for (const [subnetId, pairs] of pairsBySubnet(c)) {
      // Already exhausted (or out of /28 blocks): ip.subnet-exhausted and ip.prefix-fragmentation say so.
      if (pairs.some((p) => p.assessment.exhausted || p.assessment.fragmented)) continue;
      const samples = history.bySubnet.get(subnetId) ?? [];
      const forecast = subnetForecast(samples, pairs);
      if (!pages(forecast)) continue;
      findings.push(forecastFinding(inventory, c.cluster, forecast, forecast.pair, pairs, samples, c));
    }
  }
  return findings;
}

function forecastFinding(
  inventory: Inventory,
  cluster: string,
  forecast: Projection,
  worst: SubnetPair,
  pairs: readonly SubnetPair[],
  samples: readonly SubnetSample[],
  c: ReturnType<typeof clusterHeadroom>[number],
): Finding {
  const { ng, subnet } = worst;
  const fargate = ng.kind === "fargate";
  const unit = fargate ? "Fargate pod" : `${ng.instanceType} node`;
  const left = subnet.fitsAtLaunch;
  const days = forecast.daysLeft;
  const when = days < 1 ? "within a day" : `in ${days} days`;
  const rate = -forecast.slopePerDay;
  const perUnit = Math.max(1, (subnet.podSubnetCost?.launch ?? ng.launch).ips.nodeSubnet);
  return newFinding(inventory, {
    cluster,
    ruleId: "ip.subnet-exhaustion-forecast",
    resourceId: subnet.subnetId,
    severity: days <= HIGH_WITHIN_DAYS ? "HIGH" : "MEDIUM",
    title: `Subnet ${subnet.subnetId} stops fitting ${unit}s of cluster ${cluster} around ${forecast.date} (${left} left)`,
    detail:
      `${subnetLabel(subnet)} ${freeText(subnet)} and loses about ${round1(rate)} free IPs a day ` +
      `(${round1(rate / perUnit)} ${fargate ? "pods" : "nodes"} of ${ng.label} a day; robust trend of ` +
      `${forecast.samplesUsed} samples over ${forecast.spanDays} days, R² ${forecast.fit.rSquared}). ` +
      `At this rate not one more ${unit} fits (${forecast.need} free IPs needed) from about ${forecast.date}, ${when}; ` +
      `${left} more fit${left === 1 ? "s" : ""} now at launch cost.`,
    remediation: remediationForSubnet(inventory, c, ng, [...new Set(pairs.map((p) => p.ng.label))]),
    evidence: {
      ...subnetEvidence(subnet),
      forecast: {
        slopeIpsPerDay: forecast.slopePerDay,
        slopeInterval95: forecast.slopeInterval,
        daysLeftAtSlowest: forecast.daysLeftAtSlowest,
        daysLeft: days,
        date: forecast.date,
        asOf: forecast.asOf,
        samplesUsed: forecast.samplesUsed,
        spanDays: forecast.spanDays,
        fit: forecast.fit,
        freeIpsNeeded: forecast.need,
        trendLevelNow: forecast.levelNow,
        ...(forecast.step ? { stepLeftOut: forecast.step } : {}),
        nodesLeftAtLaunch: left,
        unit: fargate ? "pod" : "node",
      },
      series: chartSeries(samples, forecast.asOf),
      nodegroups: pairs.map((p) => pairEvidence(p.ng, p.subnet)),
      ...contextEvidence(c),
    },
  });
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The samples of the forecast window, thinned evenly to at most CHART_POINTS: `[at, free IPs]`. */
function chartSeries(samples: readonly SubnetSample[], asOf: string): [string, number][] {
  const to = Date.parse(asOf);
  const from = to - FORECAST_WINDOW_DAYS * 86_400_000;
  const used = samples.filter((s) => {
    const t = Date.parse(s.at);
    return t > from && t <= to;
  });
  const step = Math.max(1, Math.ceil(used.length / CHART_POINTS));
  return used
    .filter((_, i) => i % step === 0 || i === used.length - 1)
    .map((s): [string, number] => [s.at, s.availableIps]);
}

export const subnetExhaustionForecast: RuleDefinition = {
  id: "ip.subnet-exhaustion-forecast",
  family: "ip",
  severity: "MEDIUM",
  title: "Subnet projected to run out of room for nodes",
  why: "Every other signal (IPAM's usage alarm, free-IP counts, Karpenter's InsufficientFreeAddressesInSubnet) speaks once the subnet is already full; the trend of stored scans says weeks ahead.",
  firesWhen:
    "from the stored history of complete scans, a robust trend (Theil–Sen over the last 14 days, ≥ 5 samples over ≥ 3 days, one-off steps left out, Mann–Kendall significant, R² ≥ 0.5) projects that the subnet stops fitting one more node (Fargate: pod) of its capacity within 30 days (and within 60 at the slow end of the slope's 95 % interval); HIGH within 7. Not for subnets already exhausted; never on flat, shrinking or noisy series.",
  link: "https://github.com/aws/amazon-vpc-cni-k8s/blob/v1.23.0/docs/eni-and-ip-target.md",
  evaluate,
};
