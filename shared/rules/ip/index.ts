import type { RuleDefinition } from "#shared/rules/rule.ts";
import { clusterSubnetLow } from "./cluster-subnet-low.ts";
import { minimumWithoutWarmTarget } from "./minimum-without-warm-target.ts";
import { prefixFragmentation } from "./prefix-fragmentation.ts";
import { subnetExhausted } from "./subnet-exhausted.ts";
import { subnetExhaustionForecast } from "./subnet-exhaustion-forecast.ts";
import { subnetNearlyFull } from "./subnet-nearly-full.ts";
import { warmPoolOversized } from "./warm-pool-oversized.ts";

export const IP_RULES: RuleDefinition[] = [
  subnetExhausted,
  subnetNearlyFull,
  clusterSubnetLow,
  warmPoolOversized,
  minimumWithoutWarmTarget,
  prefixFragmentation,
  subnetExhaustionForecast,
];

export {
  clusterSubnetLow,
  minimumWithoutWarmTarget,
  prefixFragmentation,
  subnetExhausted,
  subnetExhaustionForecast,
  subnetNearlyFull,
  warmPoolOversized,
};
