import type { Finding, Severity, UnreadResource } from "#shared/findings/index.ts";
import { SUBNET_HEADROOM_RULES } from "#shared/inventory/assemble.ts";
import type { Inventory } from "#shared/inventory/types.ts";
import { newFinding } from "#shared/rules/rule.ts";

/**
 * AWS error names of a refused call (the same names `shared/scan/errors.ts` classifies; importing it from
 * here would close a folder loop scan → catalog → rules).
 */
const DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
]);

interface CallText {
  service: "eks" | "ec2" | "autoscaling" | "dynamodb";
  /** What the resource is, from the words after the operation in `what`. */
  noun: (args: string[]) => string;
  /** What the scan did without it. */
  consequence: string;
  /** The read-only command that repeats the call. */
  check: (args: string[], cluster: string, region: string) => string;
  /** What to do when the resource is really gone or unknown (not a denial). */
  fix?: (args: string[], cluster: string, region: string) => string;
}

/** The scan's own read of the findings store (the forecast's samples), not an AWS call into the member account. */
const STORE_QUERY = "Query";

const CALLS: Record<string, CallText> = {
  [STORE_QUERY]: {
    service: "dynamodb",
    noun: () => "the subnet samples in the findings table",
    consequence:
      "the exhaustion forecast (ip.subnet-exhaustion-forecast) was not evaluated and no sample was recorded",
    check: () =>
      "the scanner's log and the findings table's throttling metrics; the next scan reads them again",
  },
  DescribeAddon: {
    service: "eks",
    noun: ([addon]) => `add-on ${addon ?? "vpc-cni"}`,
    consequence:
      "its CNI settings are unknown, so the CNI defaults were assumed for the ip.* and security-groups-for-pods findings",
    check: ([addon], cluster, region) =>
      `aws eks describe-addon --region ${region} --cluster-name ${cluster} --addon-name ${addon ?? "vpc-cni"}`,
  },
  DescribeNodegroup: {
    service: "eks",
    noun: ([ng]) => `node group ${ng ?? "-"}`,
    consequence:
      "the node group was listed but could not be described (deleted meanwhile?), so it is left out of this scan",
    check: ([ng], cluster, region) =>
      `aws eks describe-nodegroup --region ${region} --cluster-name ${cluster} --nodegroup-name ${ng ?? "-"}`,
  },
  DescribeLaunchTemplateVersions: {
    service: "ec2",
    noun: ([id, , version]) => `launch template ${id ?? "-"} version ${version ?? "$Default"}`,
    consequence:
      "the node groups using it have unknown security groups, kubelet settings and (unless they name their own) instance types",
    check: ([id, , version], _cluster, region) =>
      `aws ec2 describe-launch-template-versions --region ${region} --launch-template-id ${id ?? "-"} --versions '${version ?? "$Default"}'`,
    fix: ([id], cluster, region) =>
      `point the node group at a version that exists: aws eks update-nodegroup-version --region ${region} --cluster-name ${cluster} --nodegroup-name NODEGROUP --launch-template id=${id ?? "-"},version=VERSION`,
  },
  DescribeInstanceTypes: {
    service: "ec2",
    noun: ([type]) => `instance type ${type ?? "-"}`,
    consequence:
      "the region does not know it and the shipped instance data lacks it, so the node groups using it are not costed",
    check: ([type], _cluster, region) =>
      `aws ec2 describe-instance-types --region ${region} --instance-types ${type ?? "-"}`,
    fix: () => "give the node groups instance types the region offers",
  },
  DescribeInstances: {
    service: "ec2",
    noun: () => "the nodes of the cluster VPCs",
    consequence:
      "Karpenter and Auto Mode capacity, and the nodes of every kind, are unknown; subnet-headroom, data-store and node findings are kept",
    check: (_args, _cluster, region) =>
      `aws ec2 describe-instances --region ${region} --include-managed-resources --max-items 5`,
  },
  DescribeAutoScalingGroups: {
    service: "autoscaling",
    noun: () => "the Auto Scaling groups tagged for the cluster",
    consequence:
      "self-managed node groups are unknown; subnet-headroom, data-store and node findings are kept",
    check: (_args, cluster, region) =>
      `aws autoscaling describe-auto-scaling-groups --region ${region} --filters Name=tag-key,Values=kubernetes.io/cluster/${cluster}`,
  },
  DescribeLaunchTemplates: {
    service: "ec2",
    noun: () => "Karpenter's launch templates",
    consequence:
      "Karpenter's kubelet settings are unknown; subnet-headroom, data-store and node findings are kept",
    check: (_args, _cluster, region) =>
      `aws ec2 describe-launch-templates --region ${region} --filters Name=tag-key,Values=karpenter.k8s.aws/ec2nodeclass`,
  },
  ListFargateProfiles: {
    service: "eks",
    noun: () => "the Fargate profiles",
    consequence: "Fargate capacity is unknown; subnet-headroom and data-store findings are kept",
    check: (_args, cluster, region) =>
      `aws eks list-fargate-profiles --region ${region} --cluster-name ${cluster}`,
  },
  DescribeFargateProfile: {
    service: "eks",
    noun: ([profile]) => `Fargate profile ${profile ?? "-"}`,
    consequence: "its subnets and pods are unknown; subnet-headroom and data-store findings are kept",
    check: ([profile], cluster, region) =>
      `aws eks describe-fargate-profile --region ${region} --cluster-name ${cluster} --fargate-profile-name ${profile ?? "-"}`,
  },
  GetSubnetCidrReservations: {
    service: "ec2",
    noun: ([subnet]) => `the CIDR reservations of subnet ${subnet ?? "-"}`,
    consequence: "the /28 prefixes reserved in the subnet are unknown; its headroom findings are kept",
    check: ([subnet], _cluster, region) =>
      `aws ec2 get-subnet-cidr-reservations --region ${region} --subnet-id ${subnet ?? "-"}`,
  },
};

const GENERIC: CallText = {
  service: "ec2",
  noun: (args) => args.join(" "),
  consequence: "findings that rest on it are kept as they were",
  check: () => "re-run the scan",
};

interface Failure {
  cluster: string;
  operation: string;
  denied: boolean;
  /** A resource the failure is about (`subjectsOf`). */
  resourceId: string;
  /** `what` of each failure merged here (one finding per cluster, resource, call and outcome). */
  whats: string[];
  errorNames: string[];
  /** Every resource whose findings are kept. */
  kept: string[];
}

/**
 * The resources a failure is about: its entries that name a resource, except the subnets whose headroom
 * merely rested on it (`SUBNET_HEADROOM_RULES`); the cluster when none does (an add-on).
 */
function subjectsOf(entries: readonly UnreadResource[], cluster: string): string[] {
  const subjects = entries.flatMap((u) =>
    u.resourceId !== undefined && !sameList(u.rulePrefixes, SUBNET_HEADROOM_RULES) ? [u.resourceId] : [],
  );
  return subjects.length > 0 ? [...new Set(subjects)] : [cluster];
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One failure per cluster, `what` and error name; one finding per resource it is about and call. */
function failuresOf(unread: readonly UnreadResource[]): Failure[] {
  const byWhat = new Map<string, UnreadResource[]>();
  for (const u of unread) {
    const key = JSON.stringify([u.cluster, u.what, u.errorName]);
    byWhat.set(key, [...(byWhat.get(key) ?? []), u]);
  }
  const byFinding = new Map<string, Failure>();
  for (const entries of byWhat.values()) {
    const [first] = entries;
    if (first === undefined) continue;
    const operation = first.what.split(" ")[0] ?? "";
    const denied = DENIED.has(first.errorName);
    const kept = [
      ...new Set(entries.map((u) => u.resourceId ?? `${u.rulePrefixes?.join(", ") ?? "all"} findings`)),
    ];
    for (const resourceId of subjectsOf(entries, first.cluster)) {
      const key = JSON.stringify([first.cluster, resourceId, operation, denied]);
      const found = byFinding.get(key);
      if (found === undefined) {
        byFinding.set(key, {
          cluster: first.cluster,
          operation,
          denied,
          resourceId,
          whats: [first.what],
          errorNames: [first.errorName],
          kept,
        });
        continue;
      }
      found.whats.push(first.what);
      if (!found.errorNames.includes(first.errorName)) found.errorNames.push(first.errorName);
      for (const k of kept) if (!found.kept.includes(k)) found.kept.push(k);
    }
  }
  return [...byFinding.values()];
}

/**
 * The coverage findings of a scan that completed without reading everything: one per unread resource and
 * call in a cluster, `scan.access-denied` (HIGH) when the call was refused, else `scan.error` (MEDIUM).
 * Reconciliation keeps the findings that rested on it as they were (`Inventory.unread`).
 */
export function coverageFindings(inventory: Inventory): Finding[] {
  return failuresOf(inventory.unread.filter((u) => u.reported !== true)).map((f) => {
    const call = CALLS[f.operation] ?? GENERIC;
    const argsOf = (what: string) => what.split(" ").slice(1);
    const nouns = f.whats.map((w) => call.noun(argsOf(w))).join(", ");
    const errorName = f.errorNames.join(", ");
    const checks = f.whats.map((w) => call.check(argsOf(w), f.cluster, inventory.region)).join(" ; ");
    const fix = call.fix?.(argsOf(f.whats[0] ?? ""), f.cluster, inventory.region);
    const kept = `Findings about ${f.kept.join("; ")} of cluster ${f.cluster} are kept as they were; none is resolved until it is read.`;
    const remediation = f.denied
      ? f.operation === STORE_QUERY
        ? "Allow dynamodb:Query on the findings table to the scanner's role (redeploy the central stack: it grants it)."
        : `Allow ${call.service}:${f.operation} to the member role (redeploy the EksAuditorMemberRole StackSet; an SCP or permissions boundary may deny it), then check: ${checks}`
      : `Check: ${checks}${fix ? `; if it is gone or unknown, ${fix}` : ""}. The next scan reads it again.`;
    return newFinding(inventory, {
      cluster: f.cluster,
      ruleId: f.denied ? "scan.access-denied" : "scan.error",
      resourceId: f.resourceId,
      variant: f.operation,
      severity: (f.denied ? "HIGH" : "MEDIUM") satisfies Severity,
      title: `${nouns} of cluster ${f.cluster} could not be read: ${f.operation} answered ${errorName}`,
      detail: `${f.operation} for ${nouns} failed with ${errorName}; the scan completed without it: ${call.consequence}. ${kept}`,
      remediation,
      evidence: { what: f.whats.join("; "), errorName },
    });
  });
}
