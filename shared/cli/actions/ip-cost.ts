import type { CliIo } from "#shared/cli/common/io.ts";
import { FlagError } from "#shared/cli/common/options.ts";
import { type OutputFlags, outputChoice } from "#shared/cli/common/output.ts";
import { fitLines } from "#shared/cli/common/render.ts";
import { parseCniConfigurationValues } from "#shared/models/cni/config.ts";
import { fullCost, launchCost, type NodeIpCost, nodeIpCost } from "#shared/models/cni/ip-math.ts";
import { bundledInstanceTypeNames, bundledLimits } from "#shared/models/instance-types/limits.ts";
import { AUTO_MODE_SETTINGS } from "#shared/models/ip-headroom/headroom.ts";

/** The vpc-cni env keys `--cni` accepts. */
export const CNI_KEYS = [
  "WARM_ENI_TARGET",
  "WARM_IP_TARGET",
  "MINIMUM_IP_TARGET",
  "ENABLE_PREFIX_DELEGATION",
  "WARM_PREFIX_TARGET",
  "ENABLE_POD_ENI",
  "POD_SECURITY_GROUP_ENFORCING_MODE",
  "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
  "MAX_ENI",
] as const;

export interface IpCostFlags extends OutputFlags {
  /** Required unless `--fargate`. */
  instanceType?: string;
  /** EKS Auto Mode's own model: prefix delegation, one warm prefix; no vpc-cni setting applies. */
  autoMode?: boolean;
  /** A Fargate pod: one ENI and one address each, whatever the size. */
  fargate?: boolean;
  pods?: number;
  maxPods?: number;
  cni: string[];
}

/** `--cni KEY=VALUE` pairs → the env map, naming the bad pair. */
export function parseCniPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = eq > 0 ? pair.slice(0, eq).trim() : "";
    if (!(CNI_KEYS as readonly string[]).includes(key)) {
      throw new FlagError(`--cni "${pair}": expected KEY=VALUE with KEY one of ${CNI_KEYS.join(", ")}`);
    }
    env[key] = pair.slice(eq + 1).trim();
  }
  return env;
}

function unknownType(name: string): FlagError {
  const family = name.split(".")[0] ?? "";
  const near = bundledInstanceTypeNames()
    .filter((t) => t.startsWith(`${family}.`))
    .slice(0, 8);
  return new FlagError(
    `--instance-type: unknown instance type "${name}"${near.length > 0 ? ` (${family} types: ${near.join(", ")}…)` : ""}`,
  );
}

/** `pods` Fargate pods: each its own micro-VM with one ENI and one subnet address. */
function fargateCost(pods: number): NodeIpCost {
  return {
    instanceType: "fargate",
    pods,
    maxPods: 1,
    enis: pods,
    prefixes: 0,
    ips: { nodeSubnet: pods, eniConfigSubnet: 0, total: pods },
    formula: `Fargate: ${pods} pod${pods === 1 ? "" : "s"} × 1 ENI × 1 address = ${pods}`,
  };
}

export function computeIpCost(flags: IpCostFlags): {
  cost: NodeIpCost;
  launch: NodeIpCost;
  full: NodeIpCost;
} {
  if (flags.fargate && flags.autoMode)
    throw new FlagError("--fargate and --auto-mode: choose one kind of capacity");
  if (flags.fargate) {
    if (flags.instanceType !== undefined || flags.cni.length > 0 || flags.maxPods !== undefined)
      throw new FlagError(
        "--fargate: a Fargate pod has no instance type, maxPods or vpc-cni setting (drop --instance-type, --max-pods and --cni)",
      );
    return { cost: fargateCost(flags.pods ?? 1), launch: fargateCost(1), full: fargateCost(1) };
  }
  if (flags.instanceType === undefined)
    throw new FlagError("--instance-type: required (or --fargate for pods)");
  const limits = bundledLimits(flags.instanceType);
  if (!limits) throw unknownType(flags.instanceType);
  if (flags.autoMode && flags.cni.length > 0)
    throw new FlagError(
      "--auto-mode: EKS Auto Mode manages its own networking, no vpc-cni setting applies (drop --cni)",
    );
  const env = parseCniPairs(flags.cni);
  const config = parseCniConfigurationValues(
    Object.keys(env).length > 0 ? JSON.stringify({ env }) : undefined,
  );
  if (config.error) throw new FlagError(`--cni: ${config.error}`);
  if (flags.autoMode) config.settings = { ...AUTO_MODE_SETTINGS };
  const maxPods = flags.maxPods === undefined ? {} : { maxPods: flags.maxPods };
  // With no --pods, the launch cost: nearly every node runs one IP-consuming pod (a DaemonSet or CoreDNS).
  const cost = nodeIpCost(limits, config.settings, { pods: flags.pods ?? 1, ...maxPods });
  return {
    cost,
    launch: launchCost(limits, config.settings, maxPods),
    full: fullCost(limits, config.settings, maxPods),
  };
}

/** What one node of a type takes from its subnet, with the formula. Works offline from the bundled limits. */
export function ipCostCommand(flags: IpCostFlags, io: CliIo): number {
  const { cost, launch, full } = computeIpCost(flags);
  if (outputChoice(flags, io).format === "json") {
    io.stdout(`${JSON.stringify(cost, null, 2)}\n`);
    return 0;
  }
  if (flags.fargate) {
    io.stdout(
      `${fitLines(
        `${cost.pods} Fargate pod${cost.pods === 1 ? "" : "s"}: ${cost.ips.total} IPs from the profile's subnets\n  formula: ${cost.formula}`,
        io.columns,
      )}\n`,
    );
    return 0;
  }
  io.stdout(
    `${fitLines(
      [
        `${cost.instanceType} with ${cost.pods} IP-consuming pod${cost.pods === 1 ? "" : "s"} (maxPods ${cost.maxPods}):`,
        `  ${cost.ips.total} IPs: ${cost.ips.nodeSubnet} from the node subnet, ${cost.ips.eniConfigSubnet} from the ENIConfig subnet`,
        `  ${cost.enis} ENIs, ${cost.prefixes} /28 prefixes`,
        `  formula: ${cost.formula}`,
        `  launch cost (1 pod): ${launch.ips.total} IPs; full node (${full.pods} pods): ${full.ips.total} IPs`,
      ].join("\n"),
      io.columns,
    )}\n`,
  );
  return 0;
}
