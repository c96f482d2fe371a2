import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import { paginateListAccounts } from "@aws-sdk/client-organizations";
import type { AwsClientFactory } from "#shared/aws/clients.ts";
import type { Scope } from "./scan-scope.ts";

export type AccountSelection =
  | { kind: "caller" }
  | { kind: "list"; accountIds: string[] }
  | { kind: "org"; exclude?: string[] };
export type RegionSelection = { kind: "list"; regions: string[] } | { kind: "all" };

export { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "./patterns.ts";

/** ACTIVE accounts of the organisation (Organizations ListAccounts, all pages). */
export async function listActiveAccounts(factory: AwsClientFactory): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client: factory.organizations() }, {})) {
    for (const account of page.Accounts ?? []) {
      // `State` replaces the deprecated `Status`; either says whether the account is usable.
      const state = (account as { State?: string }).State ?? account.Status;
      if (account.Id && state === "ACTIVE") ids.push(account.Id);
    }
  }
  return ids.sort();
}

export async function resolveAccounts(
  factory: AwsClientFactory,
  selection: AccountSelection,
): Promise<string[]> {
  if (selection.kind === "list") return [...new Set(selection.accountIds)];
  if (selection.kind === "caller") return [(await factory.callerIdentity()).accountId];
  const exclude = new Set(selection.exclude ?? []);
  return (await listActiveAccounts(factory)).filter((id) => !exclude.has(id));
}

/** The regions enabled for an account (EC2 DescribeRegions without AllRegions lists only those). */
export async function enabledRegions(factory: AwsClientFactory, accountId: string): Promise<string[]> {
  const ec2 = await factory.ec2(accountId, factory.homeRegion);
  const out = await ec2.send(new DescribeRegionsCommand({}));
  return (out.Regions ?? [])
    .map((r) => r.RegionName)
    .filter((r): r is string => typeof r === "string")
    .sort();
}

export interface ScopePlan {
  scopes: Scope[];
  /** Accounts whose regions could not be listed (e.g. the role cannot be assumed), with the error. */
  unreachable: { scope: Scope; error: unknown }[];
}

/** Account × region scopes. With `all`, each account's own enabled regions. */
export async function planScopes(
  factory: AwsClientFactory,
  accountIds: readonly string[],
  regions: RegionSelection,
): Promise<ScopePlan> {
  const plan: ScopePlan = { scopes: [], unreachable: [] };
  if (regions.kind === "list") {
    for (const accountId of accountIds)
      for (const region of regions.regions) plan.scopes.push({ accountId, region });
    return plan;
  }
  const listed = await Promise.all(
    accountIds.map((accountId) =>
      enabledRegions(factory, accountId).then(
        (r) => ({ accountId, regions: r }),
        (error: unknown) => ({ accountId, error }),
      ),
    ),
  );
  for (const entry of listed) {
    if ("error" in entry)
      plan.unreachable.push({
        scope: { accountId: entry.accountId, region: factory.homeRegion },
        error: entry.error,
      });
    else for (const region of entry.regions) plan.scopes.push({ accountId: entry.accountId, region });
  }
  return plan;
}
