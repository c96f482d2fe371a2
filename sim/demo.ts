/**
 * `npm run demo`: three scans of the sample organisation through the same code path as
 * `eks-audit scan --org` (the CLI's `main`), against the loopback simulator, into an embedded DynamoDB
 * (dynalite) in a fresh temporary directory. No AWS account, nothing to install.
 *
 * Run 1 records every finding and prints the alerts; between run 1 and run 2 the estate changes in
 * memory (one subnet fixed, another filled up) and run 2 prints only what changed and the one
 * alert that pages; run 3 changes nothing and says so.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EXIT, type ScanReport } from "#shared/cli/common/command.ts";
import { type CliIo, processIo } from "#shared/cli/common/io.ts";
import { simulatorSession } from "#shared/cli/common/session.ts";
import { main } from "#shared/cli/main.ts";
import { type Estate, loadEstateFile } from "#shared/estate/index.ts";
import { startSimulator } from "./index.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const SAMPLE_ORG = fileURLToPath(new URL("./estates/sample-org.json", import.meta.url));

const SCOPE = ["--org", "--regions", "eu-west-1,us-east-1"];

/** Between run 1 and run 2: payments-euw1's exhausted batch subnet gets room and its node group recovers… */
export const FIXED = {
  accountId: "222233334444",
  region: "eu-west-1",
  subnetId: "subnet-0b77d8ae74febc74e",
  name: "payments-batch-1a",
  freeIps: 240,
  nodegroup: "batch",
} as const;

/**
 * …while the ledger subnet of the same account-region fills up. Both changes land in one account-region
 * so that they page once, together: a resolved CRITICAL finding would page on its own.
 */
export const FILLED = {
  accountId: "222233334444",
  region: "eu-west-1",
  subnetId: "subnet-00496388e86533d40",
  name: "payments-ledger-1a",
  freeIps: 9,
} as const;

/** The sample estate after the scripted change (a copy; the original is left as it is). */
export function scriptedChange(original: Estate): Estate {
  const estate = structuredClone(original);
  const region = estate.accounts[FIXED.accountId]?.regions[FIXED.region];
  const fixed = region?.ec2.Subnets.find((s) => s.SubnetId === FIXED.subnetId);
  const filled = region?.ec2.Subnets.find((s) => s.SubnetId === FILLED.subnetId);
  const nodegroup = region?.eks.clusters
    .flatMap((c) => c.nodegroups)
    .find((n) => n.nodegroupName === FIXED.nodegroup);
  if (!fixed || !filled || !nodegroup) {
    throw new Error(`sample estate: ${FIXED.subnetId}, ${FILLED.subnetId} or node group batch is missing`);
  }
  fixed.AvailableIpAddressCount = FIXED.freeIps;
  filled.AvailableIpAddressCount = FILLED.freeIps;
  // With room in its subnet the node group launches again: no InsufficientFreeAddresses, no launch failures.
  nodegroup.health = { issues: [] };
  nodegroup.status = "ACTIVE";
  return estate;
}

export interface DemoRun {
  title: string;
  /** The CLI's exit code. */
  code: number;
  report?: ScanReport;
}

function heading(io: CliIo, title: string, lines: readonly string[] = []): void {
  io.stdout(`\n${title}\n${"═".repeat(title.length)}\n${lines.map((l) => `${l}\n`).join("")}\n`);
}

/**
 * Runs the three scans, writing what a user sees to `io`, and returns what each scan reported.
 * `extraArgs` go to every scan (e.g. `--min-severity HIGH`).
 */
export async function runDemo(
  io: CliIo = processIo(),
  extraArgs: readonly string[] = [],
): Promise<DemoRun[]> {
  const estate = await loadEstateFile(SAMPLE_ORG);
  const sim = await startSimulator({ estate });
  const dir = await mkdtemp(join(tmpdir(), "eks-audit-demo-"));
  const runs: DemoRun[] = [];
  const scan = async (title: string, args: readonly string[]) => {
    const session = simulatorSession(sim.url, estate, {}, io.env);
    const run: DemoRun = { title, code: 0 };
    try {
      run.code = await main(
        ["scan", ...SCOPE, "--store", `dynalite:${dir}`, "--notify", "stdout", ...args, ...extraArgs],
        io,
        {
          session,
          onReport: (report) => {
            run.report = report;
          },
        },
      );
    } finally {
      await session.close();
    }
    runs.push(run);
  };

  try {
    io.stdout(
      [
        "eks-auditor demo: three scans of the sample organisation (sim/estates/sample-org.json, every ACTIVE",
        "account × eu-west-1, us-east-1) through the loopback AWS simulator — the same code path as",
        "`eks-audit scan --org` against real AWS. Findings and their history go to an embedded DynamoDB",
        `(dynalite) in a fresh directory, ${dir}; alerts print as SNS would get them.`,
        "Four account-regions are planted to fail (a denied role, a region not enabled, a 5xx): each scan names",
        "them, keeps their findings, and exits 4 (incomplete): a scan never looks healthier than what it saw.",
        "",
      ].join("\n"),
    );

    const first = "Run 1 — first scan of the organisation";
    heading(io, first, [
      "Every finding is NEW: the store records it, and each account-region with a HIGH or",
      "CRITICAL finding gets one alert.",
    ]);
    await scan(first, []);

    sim.setEstate(scriptedChange(estate));
    const second = `Run 2 — after: ${FIXED.name} fixed, ${FILLED.name} filled up`;
    heading(io, second, [
      `${FIXED.accountId} ${FIXED.region}: ${FIXED.name} (${FIXED.subnetId}) now has ${FIXED.freeIps} free IPs and node group`,
      `${FIXED.nodegroup} is healthy again; ${FILLED.name} (${FILLED.subnetId}) is down to ${FILLED.freeIps} free IPs.`,
      "Only the changes are printed, and the one message that pages.",
    ]);
    await scan(second, ["--changes-only"]);

    const third = "Run 3 — nothing changed";
    heading(io, third, [
      "The same estate again: no change, no message (and the store writes only its scope items).",
    ]);
    await scan(third, ["--changes-only"]);

    io.stdout(
      "\nAgainst your own accounts: npx eks-audit scan [--org] --regions all   (history in ./.eks-audit)\n",
    );
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
  return runs;
}

const invokedAsScript =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedAsScript) {
  const runs = await runDemo(processIo(), process.argv.slice(2));
  // The sample plants account-regions that cannot be scanned, so each scan exits 4 (incomplete) by design;
  // the demo itself fails only on anything else.
  process.exitCode = runs.find((r) => r.code !== EXIT.ok && r.code !== EXIT.incomplete)?.code ?? 0;
}
