import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import { paginateListAccounts } from "@aws-sdk/client-organizations";
import pLimit from "p-limit";
import type { AccountClientFactory as AwsClientFactory } from "#shared/aws/account-clients.ts";
import { organizationsClient } from "#shared/aws/organizations.ts";
import { errorMessage, errorName } from "./errors.ts";
import { accountNameOf } from "./patterns.ts";
import type { Scope } from "./scan-scope.ts";
import type { ScanTask } from "./scan-task.ts";

export type AccountSelection =
  | { kind: "caller" }
  | { kind: "list"; accountIds: string[]; exclude?: string[] }
  | { kind: "org"; exclude?: string[] };
export type RegionSelection = { kind: "list"; regions: string[] } | { kind: "all" };

export { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "./patterns.ts";

/** Accounts whose enabled regions are listed at once while planning (EC2 DescribeRegions, one per account). */
export const DEFAULT_PLAN_CONCURRENCY = 16;

/** A planning call failed after the SDK's retries: names the service, the operation and the account. */
export class PlanningError extends Error {
  override readonly name = "PlanningError";
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly accountId: string,
    override readonly cause: unknown,
  ) {
    super(
      `${service} ${operation} in account ${accountId} failed: ${errorName(cause)}: ${errorMessage(cause)}`,
    );
  }
}

/** What a failed planning call leaves on a scope: the scan records it without calling AWS again. */
export interface PlanError {
  name: string;
  message: string;
}

/** One account-region to scan. `planError`: the account's regions could not be listed. */
export interface PlannedScope extends Scope {
  planError?: PlanError;
}

export interface ScopePlan {
  /** Sorted by account, then region. */
  scopes: PlannedScope[];
  /** The accounts planned (after exclusions), sorted. */
  accountIds: string[];
  /**
   * Per account, the regions the plan covers for it — absent for an account whose regions could not
   * be listed (`regions: all` and DescribeRegions failed): nothing is known about its other regions.
   */
  regionsOf: Map<string, readonly string[]>;
  /** Names of the planned accounts, from Organizations ListAccounts (none with a static list): shown in alerts. */
  accountNames?: ReadonlyMap<string, string>;
}

/** An ACTIVE account of the organisation, with its name when ListAccounts gave a usable one. */
export interface OrganizationAccount {
  id: string;
  name?: string;
}

/**
 * ACTIVE accounts of the organisation (Organizations ListAccounts, all pages). `account` names where the
 * call goes in an error (default: the caller's account, when it can be read).
 */
export async function listActiveAccounts(factory: AwsClientFactory, account?: string): Promise<string[]> {
  return (await listOrganizationAccounts(factory, account)).map((a) => a.id);
}

/** ACTIVE accounts of the organisation with their names, sorted by id (one ListAccounts walk). */
export async function listOrganizationAccounts(
  factory: AwsClientFactory,
  account?: string,
): Promise<OrganizationAccount[]> {
  const accounts: OrganizationAccount[] = [];
  const caller =
    account ??
    (await factory.callerIdentity().then(
      (c) => c.accountId,
      () => "unknown (the caller's credentials were refused)",
    ));
  try {
    for await (const page of paginateListAccounts({ client: organizationsClient(factory) }, {})) {
      for (const account of page.Accounts ?? []) {
        // `State` replaces the deprecated `Status`; either says whether the account is usable.
        const state = (account as { State?: string }).State ?? account.Status;
        if (!account.Id || state !== "ACTIVE") continue;
        const name = accountNameOf(account.Name);
        accounts.push(name === undefined ? { id: account.Id } : { id: account.Id, name });
      }
    }
  } catch (err) {
    throw new PlanningError("Organizations", "ListAccounts", caller, err);
  }
  return accounts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The accounts a selection names, minus its exclusions, sorted. */
export async function resolveAccounts(
  factory: AwsClientFactory,
  selection: AccountSelection,
  organizationsAccount?: string,
): Promise<string[]> {
  return (await resolveNamedAccounts(factory, selection, organizationsAccount)).accountIds;
}

/**
 * `resolveAccounts` with the names Organizations gave (`org` only: a static list and the caller's own
 * account have none, and no name is made up for them).
 */
export async function resolveNamedAccounts(
  factory: AwsClientFactory,
  selection: AccountSelection,
  organizationsAccount?: string,
): Promise<{ accountIds: string[]; accountNames: Map<string, string> }> {
  const accountNames = new Map<string, string>();
  if (selection.kind === "caller") {
    return { accountIds: [(await factory.callerIdentity()).accountId], accountNames };
  }
  const exclude = new Set(selection.exclude ?? []);
  let ids: string[];
  if (selection.kind === "list") {
    ids = [...new Set(selection.accountIds)].sort();
  } else {
    const accounts = await listOrganizationAccounts(factory, organizationsAccount);
    ids = accounts.map((a) => a.id);
    for (const a of accounts) if (a.name !== undefined && !exclude.has(a.id)) accountNames.set(a.id, a.name);
  }
  return { accountIds: ids.filter((id) => !exclude.has(id)), accountNames };
}

/** The regions enabled for an account (EC2 DescribeRegions without AllRegions lists only those). */
export async function enabledRegions(factory: AwsClientFactory, accountId: string): Promise<string[]> {
  try {
    const ec2 = await factory.ec2(accountId, factory.homeRegion);
    const out = await ec2.send(new DescribeRegionsCommand({}));
    return (out.Regions ?? [])
      .map((r) => r.RegionName)
      .filter((r): r is string => typeof r === "string")
      .sort();
  } catch (err) {
    throw new PlanningError("EC2", "DescribeRegions", accountId, err);
  }
}

export interface PlanOptions {
  /** Accounts whose regions are listed at once (default DEFAULT_PLAN_CONCURRENCY). */
  concurrency?: number;
  /** Account names (from `resolveNamedAccounts`): the plan keeps those of its accounts. */
  accountNames?: ReadonlyMap<string, string>;
}

/**
 * Account × region scopes, the one plan of every run (CLI, planner Lambda, benchmark). With `all`, each
 * account's own enabled regions. The one rule for an unreachable account: when its regions cannot be
 * listed (the member role is missing or denies, or EC2 keeps failing after the SDK's retries), it gets
 * one scope in the home region carrying the error, so that the scan records its `scan.*` finding
 * instead of silently skipping the account.
 */
export async function planScopes(
  factory: AwsClientFactory,
  accountIds: readonly string[],
  regions: RegionSelection,
  options: PlanOptions = {},
): Promise<ScopePlan> {
  const sortedAccounts = [...new Set(accountIds)].sort();
  const regionsOf = new Map<string, readonly string[]>();
  const scopes: PlannedScope[] = [];
  const names = new Map<string, string>();
  for (const id of sortedAccounts) {
    const name = options.accountNames?.get(id);
    if (name !== undefined) names.set(id, name);
  }
  const named = names.size > 0 ? { accountNames: names } : {};
  if (regions.kind === "list") {
    const list = [...new Set(regions.regions)].sort();
    for (const accountId of sortedAccounts) {
      regionsOf.set(accountId, list);
      for (const region of list) scopes.push({ accountId, region });
    }
    return { scopes, accountIds: sortedAccounts, regionsOf, ...named };
  }
  const limit = pLimit(options.concurrency ?? DEFAULT_PLAN_CONCURRENCY);
  const listed = await Promise.all(
    sortedAccounts.map((accountId) =>
      limit(() =>
        enabledRegions(factory, accountId).then(
          (r) => ({ accountId, regions: r }),
          (error: unknown) => ({ accountId, error }),
        ),
      ),
    ),
  );
  for (const entry of listed) {
    if ("error" in entry) {
      const cause = entry.error instanceof PlanningError ? entry.error.cause : entry.error;
      scopes.push({
        accountId: entry.accountId,
        region: factory.homeRegion,
        planError: { name: errorName(cause), message: errorMessage(entry.error) },
      });
    } else {
      regionsOf.set(entry.accountId, entry.regions);
      for (const region of entry.regions) scopes.push({ accountId: entry.accountId, region });
    }
  }
  return { scopes, accountIds: sortedAccounts, regionsOf, ...named };
}

export interface RunSelection {
  accounts: AccountSelection;
  regions: RegionSelection;
}

export interface PlanRunOptions extends PlanOptions {
  /** Lists the organisation's accounts; default `factory` (the caller's own credentials). */
  organizations?: AwsClientFactory | undefined;
  /** The account `organizations` reaches (e.g. of an Organizations read role), for errors. */
  organizationsAccount?: string | undefined;
}

/**
 * The plan of a run: the selected accounts (Organizations ListAccounts, ACTIVE only, with their names; a
 * static list, or the caller's own account) minus the exclusions, times the regions. A failed ListAccounts rejects with a
 * `PlanningError` naming the service, the operation and the account.
 */
export async function planRun(
  factory: AwsClientFactory,
  selection: RunSelection,
  options: PlanRunOptions = {},
): Promise<ScopePlan> {
  const { accountIds, accountNames } = await resolveNamedAccounts(
    options.organizations ?? factory,
    selection.accounts,
    options.organizationsAccount,
  );
  return planScopes(factory, accountIds, selection.regions, { ...options, accountNames });
}

/** Scopes whose regions could not be listed. */
export function unreachableScopes(plan: ScopePlan): PlannedScope[] {
  return plan.scopes.filter((s) => s.planError !== undefined);
}

/** One scan task per planned scope of a run, in the plan's order (account, then region). */
export function tasksOfPlan(plan: ScopePlan, run: { runId: string; scheduledAt: string }): ScanTask[] {
  return plan.scopes.map(({ accountId, region, planError }) => {
    const accountName = plan.accountNames?.get(accountId);
    return {
      runId: run.runId,
      accountId,
      region,
      scheduledAt: run.scheduledAt,
      ...(accountName ? { accountName } : {}),
      ...(planError ? { planError } : {}),
    };
  });
}
