import { describe, expect, it } from "vitest";
import type { Inventory, SubnetSample } from "#shared/inventory/types.ts";
import { subnetSamples } from "#shared/models/forecast/samples.ts";
import { subnetExhaustionForecast } from "#shared/rules/ip/subnet-exhaustion-forecast.ts";
import { expectFires, expectQuiet } from "#test/support/rules.ts";
import { inventoryOf, subnet, tightSpec } from "./fixtures.ts";

const NOW = "2026-12-05T06:15:00.000Z";
const DAY = 86_400_000;

/**
 * The inventory with a history of daily samples of its subnets: `freeIps(daysAgo)` free IPs that many days
 * before NOW (day 0 is the inventory itself, as a scan attaches it).
 */
function withHistory(inventory: Inventory, days: number, freeIps: (daysAgo: number) => number): Inventory {
  const current = subnetSamples(inventory, NOW);
  const bySubnet = new Map<string, SubnetSample[]>();
  for (const sample of current) {
    const series: SubnetSample[] = [];
    for (let d = days; d >= 1; d--) {
      series.push({
        ...sample,
        at: new Date(Date.parse(NOW) - d * DAY).toISOString(),
        availableIps: freeIps(d),
      });
    }
    series.push(sample);
    bySubnet.set(sample.subnetId, series);
  }
  inventory.history = { asOf: NOW, bySubnet };
  return inventory;
}

describe("Rule: ip.subnet-exhaustion-forecast", () => {
  it("fires MEDIUM when steady use runs the subnet out of room for one more node within 30 days", () => {
    // Prepare: 151 free now, 12 a day used over 8 days; an m5.large takes 20 IPs at launch.
    const inventory = withHistory(inventoryOf(tightSpec()), 8, (d) => 151 + 12 * d);

    // Act
    const findings = expectFires(subnetExhaustionForecast, inventory);

    // Assess: (151 − 20) / 12 ≈ 10.9 days.
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f).toMatchObject({
      cluster: "prod",
      resourceId: "subnet-0tight",
      severity: "MEDIUM",
    });
    const forecast = (f?.evidence as { forecast?: Record<string, unknown> } | undefined)?.forecast ?? {};
    expect(forecast.daysLeft).toBeCloseTo(131 / 12, 0);
    expect(forecast.slopeIpsPerDay).toBeCloseTo(-12, 5);
    expect(forecast).toMatchObject({ samplesUsed: 9, freeIpsNeeded: 20, nodesLeftAtLaunch: 7, unit: "node" });
    expect(forecast.date).toBe(new Date(Date.parse(NOW) + (131 / 12) * DAY).toISOString().slice(0, 10));
    expect(f?.title).toContain(`around ${String(forecast.date)} (7 left)`);
    expect(f?.detail).toContain("loses about 12 free IPs a day");
    expect(f?.detail).toContain("7 more fit now at launch cost");
    expect(f?.remediation).toContain("WARM_IP_TARGET");
  });

  it("fires HIGH within 7 days", () => {
    const inventory = withHistory(inventoryOf(tightSpec()), 5, (d) => 151 + 20 * d);
    const findings = expectFires(subnetExhaustionForecast, inventory);
    expect(findings.map((f) => f.severity)).toEqual(["HIGH"]);
  });

  it("stays quiet on a flat series, a shrinking one, and without history", () => {
    expectQuiet(
      subnetExhaustionForecast,
      withHistory(inventoryOf(tightSpec()), 10, () => 151),
    );
    expectQuiet(
      subnetExhaustionForecast,
      withHistory(inventoryOf(tightSpec()), 10, (d) => Math.max(30, 151 - 10 * d)),
    );
    expectQuiet(subnetExhaustionForecast, inventoryOf(tightSpec()));
  });

  it("leaves a subnet that is already exhausted to ip.subnet-exhausted", () => {
    const spec = tightSpec();
    spec.subnets[0] = subnet("subnet-0tight", "10.0.1.0/24", "eu-west-1a", 15);
    expectQuiet(
      subnetExhaustionForecast,
      withHistory(inventoryOf(spec), 8, (d) => 15 + 12 * d),
    );
  });

  it("stays quiet when the projection is beyond 30 days", () => {
    // 2 a day: (151 − 20) / 2 ≈ 65 days.
    expectQuiet(
      subnetExhaustionForecast,
      withHistory(inventoryOf(tightSpec()), 10, (d) => 151 + 2 * d),
    );
  });
});
