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
