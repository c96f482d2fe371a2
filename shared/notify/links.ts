import { partitionOfRegion } from "#shared/aws/partition.ts";
import { type Finding, NO_CLUSTER } from "#shared/findings/index.ts";
import { CNI_DEFAULTS, settingsAsEnv } from "#shared/models/cni/settings.ts";

/*
 * What an alert links to for each finding: the AWS console pages of its cluster and resource, and the
 * `eks-audit` command that explains it. Console URLs are the console's own deep links, regional host and
 * `region=` query (https://<region>.<console domain>/<service>/home?region=<region>#<page>), in the
 * console domain of the region's partition. Partitions whose console domain is not public (ISO, EUSC)
 * get no link rather than a wrong one.
 */

/** The AWS Management Console's domain per partition. */
const CONSOLE_DOMAINS: Readonly<Record<string, string>> = {
  aws: "console.aws.amazon.com",
  "aws-cn": "console.amazonaws.cn",
  "aws-us-gov": "console.amazonaws-us-gov.com",
};

export type ConsoleResourceKind = "cluster" | "nodegroup" | "subnet" | "security-group" | "vpc";

export interface ConsoleLink {
  kind: ConsoleResourceKind;
  /** The cluster name, node group name, subnet, security group or VPC id. */
  id: string;
  url: string;
}

/** The console host of a region (`https://eu-west-1.console.aws.amazon.com`), or undefined off the public partitions. */
export function consoleBase(region: string): string | undefined {
  const domain = CONSOLE_DOMAINS[partitionOfRegion(region)];
  return domain === undefined ? undefined : `https://${region}.${domain}`;
}

/** The console page of one resource; `cluster` is required for a node group. */
export function consoleUrl(
  region: string,
  resource: { kind: ConsoleResourceKind; id: string; cluster?: string },
): string | undefined {
  const base = consoleBase(region);
  if (base === undefined) return undefined;
  const r = encodeURIComponent(region);
  const id = encodeURIComponent(resource.id);
  switch (resource.kind) {
    case "cluster":
      return `${base}/eks/home?region=${r}#/clusters/${id}`;
    case "nodegroup":
      return resource.cluster === undefined
        ? undefined
        : `${base}/eks/home?region=${r}#/clusters/${encodeURIComponent(resource.cluster)}/nodegroups/${id}`;
    case "subnet":
      return `${base}/vpcconsole/home?region=${r}#SubnetDetails:subnetId=${id}`;
    case "vpc":
      return `${base}/vpcconsole/home?region=${r}#VpcDetails:VpcId=${id}`;
    case "security-group":
      return `${base}/ec2/home?region=${r}#SecurityGroup:groupId=${id}`;
  }
}

const ID_KINDS: readonly [RegExp, ConsoleResourceKind][] = [
  [/^subnet-[0-9a-f]+$/, "subnet"],
  [/^sg-[0-9a-f]+$/, "security-group"],
  [/^vpc-[0-9a-f]+$/, "vpc"],
];

/** Rules whose resourceId is a managed node group name (the rule catalog's `resourceId`). */
const NODEGROUP_RULES: ReadonlySet<string> = new Set([
  "elb.node-az-without-lb-subnet",
  "ip.warm-pool-oversized",
  "sg.ssh-open-to-world",
  "sg.node-world-ingress",
  "sg.pod-eni-unsupported-instance",
  "sg.missing-control-plane-rules",
  "node.health-issues",
  "node.system-reserved-missing",
  "node.partial-eviction-override",
  "node.kube-reserved-disabled",
  "node.kubelet-config-unknown",
]);

/** What the finding's resourceId is, when the console has a page for it. */
export function resourceKindOf(
  f: Pick<Finding, "ruleId" | "cluster" | "resourceId" | "variant">,
): ConsoleResourceKind | undefined {
  const byId = ID_KINDS.find(([pattern]) => pattern.test(f.resourceId))?.[1];
  if (byId !== undefined) return byId;
  if (f.cluster === NO_CLUSTER) return undefined;
  if (f.resourceId === f.cluster) return "cluster";
  // A coverage finding names a node group when DescribeNodegroup is what failed (shared/rules/scan/unread.ts).
  if (NODEGROUP_RULES.has(f.ruleId) || (f.ruleId.startsWith("scan.") && f.variant === "DescribeNodegroup")) {
    return "nodegroup";
  }
  return undefined;
}

/** The console pages of a finding: its cluster (when it has one), then its resource when that differs. */
export function findingLinks(
  f: Pick<Finding, "region" | "ruleId" | "cluster" | "resourceId" | "variant">,
): ConsoleLink[] {
  const links: ConsoleLink[] = [];
  const add = (kind: ConsoleResourceKind, id: string) => {
    const url = consoleUrl(f.region, { kind, id, cluster: f.cluster });
    if (url !== undefined) links.push({ kind, id, url });
  };
  if (f.cluster !== NO_CLUSTER) add("cluster", f.cluster);
  const kind = resourceKindOf(f);
  if (kind !== undefined && kind !== "cluster") add(kind, f.resourceId);
  return links;
}

// ---- the eks-audit command that explains a finding ---------------------------------------------------

/**
 * Values pasted into a command unquoted: EKS cluster names, account ids, regions, instance types and CNI
 * settings all fit it. A value that does not (evidence read back from the store is not trusted) drops the
 * command rather than quoting it.
 */
const SAFE_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SCHEMES = ["internal", "internet-facing"] as const;
/** At most this many `ip-cost` commands per finding (one per instance type, tightest first). */
const MAX_IP_COST_COMMANDS = 3;

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function safe(...values: string[]): boolean {
  return values.every((v) => SAFE_TOKEN.test(v));
}

/** `eks-audit lb-subnets` for an elb.* finding of a cluster: the controller's subnet discovery, step by step. */
function lbSubnetsCommand(f: Finding): string | undefined {
  if (f.cluster === NO_CLUSTER || !safe(f.cluster, f.accountId, f.region)) return undefined;
  // The variant is the scheme of the finding's identity; evidence.scheme backs it up for the other rules.
  const scheme = SCHEMES.find((s) => s === f.variant) ?? SCHEMES.find((s) => s === f.evidence.scheme);
  return (
    `eks-audit lb-subnets --cluster ${f.cluster} --account ${f.accountId} --region ${f.region}` +
    (scheme ? ` --scheme ${scheme}` : "")
  );
}

const DEFAULT_CNI_ENV = settingsAsEnv({ ...CNI_DEFAULTS });

/** The vpc-cni settings the finding was computed with (evidence `cni.env`), minus the defaults, as `--cni` flags. */
function cniFlags(evidence: Record<string, unknown>): string[] | undefined {
  const env = record(record(evidence.cni)?.env);
  if (env === undefined) return [];
  const flags: string[] = [];
  for (const [key, value] of Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (typeof value !== "string" || !safe(key, value)) return undefined;
    if (DEFAULT_CNI_ENV[key] !== value) flags.push(`--cni ${key}=${value}`);
  }
  return flags;
}

/** Instance types of the finding, tightest node group first (fewest nodes that fit at launch). */
function instanceTypesOf(evidence: Record<string, unknown>): string[] {
  const own = typeof evidence.instanceType === "string" ? [evidence.instanceType] : [];
  const listed: unknown[] = Array.isArray(evidence.nodegroups) ? evidence.nodegroups : [];
  const groups = listed.flatMap((g) => {
    const r = record(g);
    return r === undefined ? [] : [r];
  });
  const fitting = (g: Record<string, unknown>) =>
    typeof g.nodesThatFitAtLaunch === "number" ? g.nodesThatFitAtLaunch : Number.POSITIVE_INFINITY;
  const ordered = [...groups].sort((a, b) => fitting(a) - fitting(b));
  const types = [
    ...own,
    ...ordered.flatMap((g) => (typeof g.instanceType === "string" ? [g.instanceType] : [])),
  ];
  return [...new Set(types)].filter((t) => safe(t));
}

/** `eks-audit ip-cost` per instance type of an ip.* finding, with the vpc-cni settings it was computed with. */
function ipCostCommands(f: Finding): string[] {
  // Fargate and Auto Mode take their own models: one address per pod; Auto Mode's prefixes, no vpc-cni setting.
  const kinds = capacityKindsOf(f.evidence);
  if (kinds.has("fargate") && kinds.size === 1) return ["eks-audit ip-cost --fargate"];
  if (kinds.has("auto-mode") && kinds.size === 1)
    return instanceTypesOf(f.evidence)
      .filter((type) => type !== "fargate")
      .slice(0, MAX_IP_COST_COMMANDS)
      .map((type) => `eks-audit ip-cost --instance-type ${type} --auto-mode`);
  const flags = cniFlags(f.evidence);
  if (flags === undefined) return [];
  return instanceTypesOf(f.evidence)
    .filter((type) => type !== "fargate")
    .slice(0, MAX_IP_COST_COMMANDS)
    .map((type) => [`eks-audit ip-cost --instance-type ${type}`, ...flags].join(" "));
}

/** The `eks-audit` commands that explain a finding (elb.*: `lb-subnets`; ip.*: `ip-cost`), possibly none. */
export function explainCommands(f: Finding): string[] {
  if (f.ruleId.startsWith("elb.")) {
    const command = lbSubnetsCommand(f);
    return command === undefined ? [] : [command];
  }
  if (f.ruleId.startsWith("ip.")) return ipCostCommands(f);
  return [];
}

/** The capacity kinds an ip.* finding's evidence names (`capacityKind`, at any depth). */
function capacityKindsOf(evidence: unknown, kinds = new Set<string>()): Set<string> {
  if (Array.isArray(evidence)) for (const item of evidence) capacityKindsOf(item, kinds);
  else if (evidence !== null && typeof evidence === "object") {
    for (const [key, value] of Object.entries(evidence)) {
      if (key === "capacityKind" && typeof value === "string") kinds.add(value);
      else capacityKindsOf(value, kinds);
    }
  }
  return kinds;
}
