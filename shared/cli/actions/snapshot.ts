import { access, writeFile } from "node:fs/promises";
import type { LaunchTemplateVersion } from "@aws-sdk/client-ec2";
import { EXIT } from "#shared/cli/common/command.ts";
import type { CliIo } from "#shared/cli/common/io.ts";
import { FlagError } from "#shared/cli/common/options.ts";
import { openSession, resolveCliScope, type SessionFlags } from "#shared/cli/common/session.ts";
import { type Estate, type EstateRegion, type FailingCall, parseEstate } from "#shared/estate/index.ts";
import { assembleInventory, unreadWhat } from "#shared/inventory/assemble.ts";
import { templateVersionOf } from "#shared/inventory/capacity.ts";
import { collectRegion } from "#shared/inventory/collect.ts";
import { kubeletReadingKey } from "#shared/inventory/kubelet-readings.ts";
import type { Inventory, RawRegion, ReadFailure } from "#shared/inventory/types.ts";
import { synthesizeUserData } from "#shared/models/kubelet/index.ts";
import { launchTemplateVersionOf } from "#shared/models/security-groups/node-security-groups.ts";
import { classifyScanError, errorMessage, errorName } from "#shared/scan/errors.ts";
import { planScopes, type RegionSelection } from "#shared/scan/plan.ts";
import { regionKnownDisabled, type Scope } from "#shared/scan/scan-scope.ts";

export interface SnapshotFlags extends SessionFlags {
  out: string;
  /** Overwrite `--out` when it exists. */
  force?: boolean;
  regions?: RegionSelection;
  accounts?: string[];
  org?: boolean;
}

/**
 * Launch-template user data can hold secrets, and an estate never holds it: each version a capacity group
 * launches (managed node groups, self-managed groups, Karpenter's templates) gets user data synthesised from
 * its parsed kubelet settings only, so a replay gives the same findings.
 */
export function redactedLaunchTemplateVersions(
  raw: RawRegion,
  inventory: Inventory,
): LaunchTemplateVersion[] {
  const synthesized = new Map<LaunchTemplateVersion, string>();
  for (const c of raw.eks.clusters) {
    for (const ng of c.nodegroups) {
      const version = launchTemplateVersionOf(ng, raw.ec2.LaunchTemplateVersions);
      const reading = inventory.kubelet[kubeletReadingKey(c.cluster.name ?? "", ng.nodegroupName ?? "")];
      const userData = version && reading ? synthesizeUserData(reading, c.cluster.name) : undefined;
      if (version && userData) synthesized.set(version, userData);
    }
  }
  for (const c of inventory.clusters) {
    for (const group of c.capacity) {
      if (group.kind !== "self-managed" && group.kind !== "karpenter") continue;
      group.kubeletKeys.forEach((key, i) => {
        const template = group.launchTemplates[i];
        const version = template && templateVersionOf(template, raw.ec2.LaunchTemplateVersions);
        const reading = inventory.kubelet[key];
        const userData = version && reading ? synthesizeUserData(reading, c.cluster.name) : undefined;
        if (version && userData && !synthesized.has(version)) synthesized.set(version, userData);
      });
    }
  }
  return raw.ec2.LaunchTemplateVersions.map((v) => {
    const userData = synthesized.get(v);
    const { UserData: _never, ...data } = v.LaunchTemplateData ?? {};
    return { ...v, LaunchTemplateData: userData ? { ...data, UserData: userData } : data };
  });
}

/** The raw API results as an estate region: exactly what was read, user data reduced to kubelet settings. */
export function estateRegionOf(raw: RawRegion, inventory: Inventory): EstateRegion {
  const region: RawRegion = {
    ec2: { ...raw.ec2, LaunchTemplateVersions: redactedLaunchTemplateVersions(raw, inventory) },
    eks: raw.eks,
    ...(raw.autoscaling !== undefined ? { autoscaling: raw.autoscaling } : {}),
  };
  // Dates become ISO strings, exactly as an estate file holds them.
  return JSON.parse(JSON.stringify(region)) as EstateRegion;
}

/** True when the estate holds a v2 key (instances, templates, reservations, groups, profiles). */
function usesV2Keys(estate: Estate): boolean {
  return Object.values(estate.accounts).some((a) =>
    Object.values(a.regions).some(
      (r) =>
        r.ec2.Reservations !== undefined ||
        r.ec2.LaunchTemplates !== undefined ||
        r.ec2.SubnetCidrReservations !== undefined ||
        r.autoscaling !== undefined ||
        r.eks.clusters.some((c) => c.fargateProfiles !== undefined),
    ),
  );
}

/**
 * The calls that failed for one resource, as faults that make a replay fail the same way. A deleted launch
 * template version fails by itself (the estate lacks it); a node group deleted while it was listed is not
 * in the estate at all, so its replay lists nothing to fail.
 */
export function failuresAsFaults(scope: Scope, failures: readonly ReadFailure[]): FailingCall[] {
  return failures.flatMap((f): FailingCall[] => {
    const call = { accountId: scope.accountId, region: scope.region, errorCode: f.errorName };
    if (f.operation === "DescribeAddon")
      return [{ ...call, operation: f.operation, resources: [f.cluster, f.addonName] }];
    if (f.operation === "DescribeInstanceTypes")
      return [{ ...call, operation: f.operation, resources: [f.instanceType] }];
    // A region-wide listing fails whole; the replay asks it the same way.
    if (
      f.operation === "DescribeInstances" ||
      f.operation === "DescribeAutoScalingGroups" ||
      f.operation === "DescribeLaunchTemplates"
    )
      return [{ ...call, operation: f.operation }];
    if (f.operation === "ListFargateProfiles")
      return [{ ...call, operation: f.operation, resources: [f.cluster] }];
    if (f.operation === "DescribeFargateProfile")
      return [{ ...call, operation: f.operation, resources: [f.cluster, f.fargateProfile] }];
    if (f.operation === "GetSubnetCidrReservations")
      return [{ ...call, operation: f.operation, resources: [f.subnetId] }];
    return [];
  });
}

/** Records the caller's scopes into an estate file through the same collector the scan uses. */
export async function snapshotCommand(flags: SnapshotFlags, io: CliIo): Promise<number> {
  // Checked before anything is read, so a refused overwrite costs no API call.
  if (!flags.force && (await exists(flags.out))) throw overwriteRefused(flags.out);
  const session = await openSession(flags, io.env);
  try {
    const { accountIds, regions } = await resolveCliScope(session, flags);
    const plan = await planScopes(session.factory, accountIds, regions);
    const caller = (await session.factory.callerIdentity()).accountId;
    const estate: Estate = {
      version: 1,
      capturedAt: new Date().toISOString(),
      organization: {
        managementAccountId: caller,
        accounts: accountIds.map((Id) => ({ Id, Status: "ACTIVE" })),
      },
      accounts: {},
      faults: {},
    };
    const denied = new Set<string>();
    const failingCalls: FailingCall[] = [];
    const notEnabled: Record<string, string[]> = {};
    let skipped = 0;
    const failed = async (accountId: string, region: string, err: unknown) => {
      skipped += 1;
      const rule = classifyScanError(
        err,
        await regionKnownDisabled(session.factory, { accountId, region }, err),
      );
      if (rule === "scan.access-denied") denied.add(accountId);
      else if (rule === "scan.region-unavailable")
        notEnabled[accountId] = [...(notEnabled[accountId] ?? []), region];
      io.stderr(
        `eks-audit snapshot: ${accountId}/${region} skipped: ${errorName(err)}: ${errorMessage(err)}\n`,
      );
    };
    for (const scope of plan.scopes) {
      if (scope.planError !== undefined) {
        await failed(
          scope.accountId,
          scope.region,
          Object.assign(new Error(scope.planError.message), { name: scope.planError.name }),
        );
        continue;
      }
      try {
        const clients = await session.factory.scopeClients(scope.accountId, scope.region);
        const { raw, failures } = await collectRegion(clients);
        const inventory = await assembleInventory(scope, raw, failures);
        const account = estate.accounts[scope.accountId] ?? { regions: {} };
        account.regions[scope.region] = estateRegionOf(raw, inventory);
        estate.accounts[scope.accountId] = account;
        failingCalls.push(...failuresAsFaults(scope, failures));
        for (const f of failures) {
          io.stderr(
            `eks-audit snapshot: ${scope.accountId}/${scope.region}: ${unreadWhat(f)} not read: ${f.errorName}\n`,
          );
        }
      } catch (err) {
        await failed(scope.accountId, scope.region, err);
      }
    }
    // An estate holding v2 keys says so: a reader of version 1 rejects it rather than ignore them.
    estate.version = usesV2Keys(estate) ? 2 : 1;
    if (estate.version === 1) delete estate.capturedAt;
    if (failingCalls.length > 0) estate.faults = { ...estate.faults, failingCalls };
    if (denied.size > 0) estate.faults = { ...estate.faults, assumeRoleDenied: [...denied].sort() };
    if (Object.keys(notEnabled).length > 0)
      estate.faults = { ...estate.faults, regionsNotEnabled: notEnabled };
    parseEstate(JSON.parse(JSON.stringify(estate)), flags.out);
    // `wx` fails if the file appeared while the accounts were read: still no overwrite without --force.
    await writeFile(flags.out, `${JSON.stringify(estate, null, 2)}\n`, {
      flag: flags.force ? "w" : "wx",
    }).catch((err: unknown) => {
      throw (err as { code?: string }).code === "EEXIST" ? overwriteRefused(flags.out) : err;
    });
    const scopes = Object.values(estate.accounts).reduce((n, a) => n + Object.keys(a.regions).length, 0);
    io.stderr(
      `eks-audit snapshot: wrote ${scopes} account-region(s) to ${flags.out} (launch-template user data reduced to the parsed kubelet settings)\n`,
    );
    // The file records the skipped account-regions as faults (a replay fails them the same way), but the
    // snapshot is not the whole estate: it never exits 0 then.
    if (skipped > 0) {
      io.stderr(`eks-audit snapshot: incomplete: ${skipped} account-region(s) skipped (exit 4)\n`);
      return EXIT.incomplete;
    }
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function overwriteRefused(out: string): FlagError {
  return new FlagError(`--out ${out}: the file exists; pass --force to overwrite it (nothing was written).`);
}
