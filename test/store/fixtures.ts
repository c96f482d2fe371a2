import type { Finding } from "#shared/findings/index.ts";
import type { AccountRegion, ReconcileOutcome } from "#shared/store/index.ts";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";
export const SCOPE: AccountRegion = { accountId: ACCOUNT, region: REGION };

/** A finding of SCOPE; override anything. */
export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    accountId: ACCOUNT,
    region: REGION,
    cluster: "prod",
    ruleId: "elb.no-eligible-subnet",
    resourceId: "vpc-0abc",
    severity: "HIGH",
    title: "No subnet for internal load balancers in vpc-0abc",
    detail: "0 of 6 subnets in vpc-0abc carry kubernetes.io/role/internal-elb.",
    remediation:
      "aws ec2 create-tags --resources subnet-1 --tags Key=kubernetes.io/role/internal-elb,Value=1",
    evidence: { scheme: "internal", subnets: 6 },
    ...overrides,
  };
}

/** Four findings of different rules and severities. */
export function baseline(): Finding[] {
  return [
    finding(),
    finding({
      ruleId: "ip.subnet-nearly-full",
      resourceId: "subnet-1",
      severity: "MEDIUM",
      title: "subnet-1 nearly full",
    }),
    finding({
      ruleId: "sg.ssh-open-to-world",
      resourceId: "ng-web",
      severity: "CRITICAL",
      title: "SSH open",
    }),
    finding({
      ruleId: "elb.stale-cluster-tag",
      cluster: "-",
      resourceId: "subnet-9",
      severity: "LOW",
      title: "Stale tag",
    }),
  ];
}

export function complete(runId: string, scannedAt: string): ReconcileOutcome {
  return { status: "complete", runId, scannedAt };
}

export function failed(runId: string, scannedAt: string): ReconcileOutcome {
  return {
    status: "failed",
    runId,
    scannedAt,
    error: { name: "ThrottlingException", message: "Rate exceeded" },
  };
}

/** ISO timestamp `minutes` after a fixed start. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2025, 5, 1, 10, 0, 0) + minutes * 60_000).toISOString();
}

export function scanErrorFinding(): Finding {
  return finding({
    cluster: "-",
    ruleId: "scan.error",
    resourceId: `${ACCOUNT}/${REGION}`,
    severity: "MEDIUM",
    title: `Scan failed: ${ACCOUNT} ${REGION} was not scanned`,
    detail: "ThrottlingException: Rate exceeded.",
    remediation: "Re-run the scan.",
    evidence: { errorName: "ThrottlingException" },
  });
}
