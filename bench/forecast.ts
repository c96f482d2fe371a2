/**
 * `npm run bench:forecast`: how often the exhaustion forecast pages on seeded synthetic series of daily
 * samples — never wanted on noise around a level or a one-off jump, wanted on steady growth within 30 days —
 * and how close its date is then. Reports counts; asserts nothing (the tests assert the checked cases).
 */

import { forecastExhaustion } from "#shared/models/forecast/forecast.ts";
import { pages } from "#shared/rules/ip/subnet-exhaustion-forecast.ts";
import { Rng } from "#sim/builder/random.ts";

/** Seeded draws in [0, 1): the same noise on every run. */
function prng(seed: number): () => number {
  const rng = new Rng(seed, "forecast-bench");
  return () => rng.next();
}

const START = Date.parse("2026-11-01T06:15:00Z");
const DAY = 86_400_000;
/** Free IPs one more node needs in every series. */
const NEED = 20;

interface Case {
  name: string;
  /** Daily samples: day 0 … days. */
  days: number;
  freeIps: (day: number, random: () => number) => number;
  draws: number;
  /** Days left after the last sample, for the growth cases. */
  trueDaysLeft?: number;
}

const CASES: Case[] = [
  {
    name: "noise ±30 around 150, 15 samples",
    days: 14,
    freeIps: (_, r) => 150 + (r() - 0.5) * 60,
    draws: 2000,
  },
  {
    name: "noise ±30 around 60, 15 samples",
    days: 14,
    freeIps: (_, r) => 60 + (r() - 0.5) * 60,
    draws: 1000,
  },
  { name: "noise ±10 around 40, 8 samples", days: 7, freeIps: (_, r) => 40 + (r() - 0.5) * 20, draws: 1000 },
  { name: "noise ±30 around 80, 6 samples", days: 5, freeIps: (_, r) => 80 + (r() - 0.5) * 60, draws: 1000 },
  {
    name: "one-off jump of 80 on day 6, ±1, 14 samples",
    days: 13,
    freeIps: (d, r) => (d < 6 ? 200 : 120) + (r() - 0.5) * 2,
    draws: 1000,
  },
  {
    name: "steady 5 a day from 150, ±10, 10 samples",
    days: 9,
    freeIps: (d, r) => 150 - 5 * d + (r() - 0.5) * 20,
    draws: 1000,
    trueDaysLeft: (150 - NEED) / 5 - 9,
  },
  {
    name: "steady 5 a day from 150, ±3, 6 samples",
    days: 5,
    freeIps: (d, r) => 150 - 5 * d + (r() - 0.5) * 6,
    draws: 1000,
    trueDaysLeft: (150 - NEED) / 5 - 5,
  },
];

for (const c of CASES) {
  let paged = 0;
  let close = 0;
  for (let seed = 1; seed <= c.draws; seed++) {
    const random = prng(seed);
    const samples = Array.from({ length: c.days + 1 }, (_, d) => ({
      at: new Date(START + d * DAY).toISOString(),
      value: Math.round(c.freeIps(d, random)),
    }));
    const forecast = forecastExhaustion(samples, NEED);
    if (!pages(forecast)) continue;
    paged++;
    if (c.trueDaysLeft !== undefined && Math.abs(forecast.daysLeft - c.trueDaysLeft) <= 0.2 * c.trueDaysLeft)
      close++;
  }
  const tail =
    c.trueDaysLeft === undefined
      ? ""
      : `; ${close} within ±20 % of the true ${c.trueDaysLeft.toFixed(1)} days left`;
  console.log(`${c.name}: pages in ${paged} of ${c.draws} draws${tail}`);
}
