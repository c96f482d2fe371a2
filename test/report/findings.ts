import type { Finding } from "#shared/findings/index.ts";
import type { ReportFinding } from "#shared/report/index.ts";
import type { StoredFinding } from "#shared/store/index.ts";

/** Findings for the format tests: shaped as the rules and the store make them, with text that must be escaped. */

const AT = "2026-11-25T07:42:13.000Z";

export function subnetFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    accountId: "222233334444",
    region: "eu-west-1",
    cluster: "payments-euw1",
    ruleId: "ip.subnet-exhausted",
    resourceId: "subnet-0b77d8ae74febc74e",
    severity: "CRITICAL",
    title: "Subnet subnet-0b77d8ae74febc74e cannot take one more node of cluster payments-euw1",
    detail: "subnet-0b77d8ae74febc74e (eu-west-1a) has 4 free IPs (1.6% of 251).",
    remediation:
      'Shrink the per-node warm pool: aws eks update-addon --cluster-name payments-euw1 --addon-name vpc-cni --configuration-values \'{"env":{"WARM_IP_TARGET":"2"}}\' --region eu-west-1',
    evidence: { freeIps: 4, subnetId: "subnet-0b77d8ae74febc74e" },
    ...overrides,
  };
}

/** A finding whose every text field holds markup, quotes, commas and newlines (as a hostile tag value might). */
export function hostileFinding(): ReportFinding {
  return subnetFinding({
    ruleId: "elb.foreign-cluster-tag",
    severity: "HIGH",
    cluster: 'web"><script>alert(1)</script>',
    resourceId: "subnet-0aa<img src=x onerror=alert(2)>",
    variant: "internal",
    title: 'Tag "kubernetes.io/cluster/<b>evil</b>", on subnet & more',
    detail: "Line one, with a comma.\nLine two with 'quotes' and \"double quotes\" and </script>.",
    remediation:
      'Remove it, then: aws ec2 delete-tags --resources subnet-0aa --tags "Key=kubernetes.io/cluster/<b>x</b>" --region eu-west-1\nThen check: <a href="https://evil.example/">here</a>',
    evidence: { tag: "</script><script>alert(3)</script>", url: "https://evil.example/x.png" },
  });
}

export function carriedOver(): ReportFinding {
  return {
    ...subnetFinding({
      region: "us-east-1",
      resourceId: "subnet-0c",
      severity: "MEDIUM",
      ruleId: "ip.subnet-nearly-full",
    }),
    carriedOver: true,
    lastConfirmedAt: AT,
  };
}

/** What `findings --status all` hands a format: open and resolved findings with their lifecycle. */
export function storedFindings(): StoredFinding[] {
  const base = { firstSeen: AT, lastChangedAt: AT, evidenceTruncated: false, version: 1 };
  return [
    { ...subnetFinding(), ...base, status: "OPEN" },
    {
      ...subnetFinding({ resourceId: "subnet-0dd", severity: "HIGH", ruleId: "ip.subnet-nearly-full" }),
      ...base,
      status: "RESOLVED",
      lastChangedAt: "2026-11-26T07:42:13.000Z",
      resolvedAt: "2026-11-26T07:42:13.000Z",
      resolvedReason: "the account left the organisation",
    },
  ];
}

/**
 * An `ip.subnet-exhaustion-forecast` finding with the evidence the rule writes (`forecast{…}`, `series`), as
 * a steady replay of ten daily captures makes it (test/commands/trend.test.ts checks the shape end to end).
 */
export function forecastFinding(): Finding {
  const series: [string, number][] = Array.from({ length: 10 }, (_, d) => [
    new Date(Date.parse("2026-11-01T06:15:00.000Z") + d * 86_400_000).toISOString(),
    699 - 30 * d + (d % 3),
  ]);
  return subnetFinding({
    ruleId: "ip.subnet-exhaustion-forecast",
    resourceId: "subnet-0tight",
    cluster: "prod",
    severity: "MEDIUM",
    title: "Subnet subnet-0tight stops fitting m5.large nodes of cluster prod around 2026-11-23 (21 left)",
    detail:
      "subnet-0tight (eu-west-1a) has 429 free IPs (42.1% of 1019) and loses about 30 a day. At this rate not one more m5.large node fits (20 free IPs needed) from about 2026-11-23, in 13.7 days; 21 more fit now at launch cost.",
    evidence: {
      subnetId: "subnet-0tight",
      availableIps: 429,
      forecast: {
        slopeIpsPerDay: -30,
        slopeInterval95: [-30.286, -29.6],
        daysLeftAtSlowest: 13.9,
        daysLeft: 13.7,
        date: "2026-11-23",
        asOf: "2026-11-10T06:15:00.000Z",
        samplesUsed: 10,
        spanDays: 9,
        fit: { rSquared: 1, mannKendallZ: -3.94, residualSpread: 1.5, points: 10 },
        freeIpsNeeded: 20,
        trendLevelNow: 430,
        nodesLeftAtLaunch: 21,
        unit: "node",
      },
      series,
    },
  });
}
