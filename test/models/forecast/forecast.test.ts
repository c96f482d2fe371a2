import { describe, expect, it } from "vitest";
import { forecastExhaustion, type SeriesSample } from "#shared/models/forecast/forecast.ts";
import { robustTrend } from "#shared/models/forecast/trend.ts";
import { Rng } from "#sim/builder/random.ts";

/** Seeded draws in [0, 1): the same noise on every run. */
function prng(seed: number): () => number {
  const rng = new Rng(seed, "forecast-model");
  return () => rng.next();
}

const DAY = 86_400_000;
const START = Date.parse("2026-11-01T06:15:00Z");

/** One sample a day (or every `everyHours`) for `days` days, free IPs from `value(day)` rounded. */
function series(days: number, value: (day: number) => number, everyHours = 24): SeriesSample[] {
  const out: SeriesSample[] = [];
  for (let h = 0; h <= days * 24; h += everyHours) {
    out.push({ at: new Date(START + h * 3_600_000).toISOString(), value: Math.round(value(h / 24)) });
  }
  return out;
}

describe("Model: subnet exhaustion forecast", () => {
  it("projects steady growth to within 20 % of the true date", () => {
    // Prepare: 400 free IPs, 9 a day used, ±3 of noise; one more node needs 20: true day = (400-20)/9 from day 0.
    const noise = prng(7);
    const samples = series(10, (d) => 400 - 9 * d + (noise() - 0.5) * 6);
    const trueDaysLeft = (400 - 20) / 9 - 10;

    // Act
    const forecast = forecastExhaustion(samples, 20);

    // Assess
    expect(forecast.outcome).toBe("projected");
    if (forecast.outcome !== "projected") return;
    expect(Math.abs(forecast.daysLeft - trueDaysLeft)).toBeLessThanOrEqual(0.2 * trueDaysLeft);
    expect(forecast.slopePerDay).toBeCloseTo(-9, 0);
    expect(forecast.samplesUsed).toBe(11);
    expect(forecast.fit.rSquared).toBeGreaterThan(0.9);
    const trueDate = new Date(START + ((400 - 20) / 9) * DAY);
    expect(Math.abs(Date.parse(forecast.date) - trueDate.getTime())).toBeLessThanOrEqual(
      0.2 * trueDaysLeft * DAY + DAY,
    );
  });

  it("reads hourly samples over two weeks the same way (thinned, not truncated)", () => {
    const samples = series(14, (d) => 900 - 30 * d, 1);
    const forecast = forecastExhaustion(samples, 40);
    expect(forecast.outcome).toBe("projected");
    if (forecast.outcome !== "projected") return;
    expect(forecast.samplesUsed).toBe(14 * 24);
    expect(forecast.fit.points).toBeLessThanOrEqual(84);
    expect(forecast.daysLeft).toBeCloseTo((900 - 30 * 14 - 40) / 30, 0);
  });

  it("gives no forecast on a flat series", () => {
    const forecast = forecastExhaustion(
      series(12, () => 120),
      20,
    );
    expect(forecast).toMatchObject({ outcome: "flat" });
  });

  it("gives no false alarm after a one-off jump in use that then stays flat", () => {
    // A deployment takes 80 IPs at once on day 6; nothing grows before or after.
    const noise = prng(11);
    const samples = series(13, (d) => (d < 6 ? 200 : 120) + (noise() - 0.5) * 2);
    const forecast = forecastExhaustion(samples, 20);
    expect(forecast.outcome).not.toBe("projected");
    expect(forecast.step?.size).toBeCloseTo(-80, -1);
    if (forecast.outcome !== "projected") expect(forecast.reason).toMatch(/one-off step of -8\d/);
  });

  it("gives no false alarm on a burst of one sample", () => {
    const samples = series(10, (d) => (Math.round(d) === 5 ? 40 : 150));
    expect(forecastExhaustion(samples, 20).outcome).not.toBe("projected");
  });

  it("gives no forecast on noisy use around a level, for any of 50 noise draws", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const noise = prng(seed);
      const samples = series(14, () => 150 + (noise() - 0.5) * 60);
      const forecast = forecastExhaustion(samples, 20);
      // A projection far out at the slope's slow end is no alarm: the rule pages within 30 days only.
      const alarming = forecast.outcome === "projected" && forecast.daysLeftAtSlowest <= 30;
      expect(alarming, `seed ${seed}: ${JSON.stringify(forecast)}`).toBe(false);
    }
  });

  it("gives no forecast when use is shrinking, and says so", () => {
    const forecast = forecastExhaustion(
      series(10, (d) => 60 + 7 * d),
      20,
    );
    expect(forecast).toMatchObject({ outcome: "falling" });
  });

  it("needs 5 samples spanning 3 days", () => {
    expect(
      forecastExhaustion(
        series(2, (d) => 300 - 40 * d, 6),
        20,
      ),
    ).toMatchObject({
      outcome: "insufficient",
    });
    expect(
      forecastExhaustion(
        series(6, (d) => 300 - 20 * d, 48),
        20,
      ),
    ).toMatchObject({
      outcome: "insufficient",
      samplesUsed: 4,
    });
    expect(
      forecastExhaustion(
        series(8, (d) => 300 - 20 * d, 48),
        20,
      ),
    ).toMatchObject({
      outcome: "projected",
      samplesUsed: 5,
    });
  });

  it("projects growth that continues after a one-off step from the slope alone", () => {
    // 5 a day throughout, plus a 60-IP step on day 7: the step is not growth.
    const samples = series(13, (d) => 500 - 5 * d - (d >= 7 ? 60 : 0));
    const forecast = forecastExhaustion(samples, 20);
    expect(forecast.outcome).toBe("projected");
    if (forecast.outcome !== "projected") return;
    expect(forecast.slopePerDay).toBeCloseTo(-5, 1);
    expect(forecast.daysLeft).toBeCloseTo((500 - 65 - 60 - 20) / 5, 0);
  });

  it("keeps only the last 14 days", () => {
    // Fast growth long ago, flat for the last two weeks.
    const samples = series(30, (d) => (d < 16 ? 600 - 25 * d : 200));
    expect(forecastExhaustion(samples, 20)).toMatchObject({ outcome: "flat", samplesUsed: 14 });
  });
});

describe("Model: robust trend", () => {
  it("is not moved by one outlier", () => {
    const points = [0, 1, 2, 3, 4, 5, 6].map((t) => ({ t, y: t === 3 ? 500 : 100 - 2 * t }));
    expect(robustTrend(points).slope).toBeCloseTo(-2, 5);
  });
});
