import type { Estate, EstateAccount, EstateFaults, EstateRegion, FailingCall } from "#shared/estate/types.ts";
import { digest } from "./ids.ts";
import { RegionBuilder } from "./region.ts";
import { type OrganizationAccountShape, organizationAccountShape } from "./shapes.ts";

export type AccountSpec = Omit<OrganizationAccountShape, "id" | "organizationId" | "managementAccountId">;

/**
 * An AWS Organization as an estate: its accounts in ListAccounts order, the account-regions the simulator
 * answers for, and the faults it injects. ACTIVE accounts and accounts with regions get an `accounts`
 * entry; a SUSPENDED account without data appears in the organization only.
 */
export class EstateBuilder {
  private readonly accounts: AccountBuilder[] = [];
  private readonly faultSettings: EstateFaults = {};
  private faultsGiven = false;
  private captured: string | undefined;

  constructor(
    private readonly options: {
      /** `o-…`; derived from the management account when not given. */
      organizationId?: string;
      /** The account whose credentials the caller holds; recorded in the estate when given. */
      managementAccountId?: string;
    } = {},
  ) {}

  account(id: string, spec: AccountSpec): AccountBuilder {
    if (this.accounts.some((a) => a.id === id))
      throw new Error(`account ${id} is already in the organization`);
    const account = new AccountBuilder(this, id, spec);
    this.accounts.push(account);
    return account;
  }

  /** When the estate was recorded (`capturedAt`, ISO-8601 with a zone): scans of it record history at that time. */
  capturedAt(iso: string): this {
    if (Number.isNaN(Date.parse(iso)) || !/(Z|[+-]\d{2}:\d{2})$/.test(iso))
      throw new Error(`capturedAt ${iso} is not an ISO-8601 date-time with a zone`);
    this.captured = iso;
    return this;
  }

  /** Merges fault settings (`seed`, `latencyMs`, `throttle`, …) into the estate's `faults`. */
  faults(faults: EstateFaults): this {
    this.faultsGiven = true;
    const f = this.faultSettings;
    for (const [key, value] of Object.entries(faults) as [keyof EstateFaults, unknown][]) {
      if (key === "assumeRoleDenied")
        f.assumeRoleDenied = [...(f.assumeRoleDenied ?? []), ...(value as string[])];
      else if (key === "failingCalls")
        f.failingCalls = [...(f.failingCalls ?? []), ...(value as FailingCall[])];
      else if (key === "regionsNotEnabled") {
        const merged = { ...f.regionsNotEnabled };
        for (const [account, regions] of Object.entries(value as Record<string, string[]>)) {
          merged[account] = [...(merged[account] ?? []), ...regions];
        }
        f.regionsNotEnabled = merged;
      } else (f as Record<string, unknown>)[key] = value;
    }
    return this;
  }

  /** The organization section alone (a streaming writer emits the accounts one by one). */
  organization(): Estate["organization"] {
    const management = this.options.managementAccountId ?? this.accounts[0]?.id ?? "000000000000";
    const organizationId =
      this.options.organizationId ?? `o-${digest("organization", management).slice(0, 10)}`;
    return {
      ...(this.options.managementAccountId === undefined
        ? {}
        : { managementAccountId: this.options.managementAccountId }),
      accounts: this.accounts.map((a) =>
        organizationAccountShape({ ...a.spec, id: a.id, organizationId, managementAccountId: management }),
      ),
    };
  }

  /** Format 2 as soon as the estate holds anything only v2 knows (older readers reject it rather than skip it). */
  build(): Estate {
    const accounts: Record<string, EstateAccount> = {};
    let v2 = this.captured !== undefined;
    for (const a of this.accounts) {
      const account = a.build();
      if (account === undefined) continue;
      accounts[a.id] = account;
      v2 ||= Object.values(account.regions).some(usesFormatV2);
    }
    return {
      version: v2 ? 2 : 1,
      ...(this.captured === undefined ? {} : { capturedAt: this.captured }),
      organization: this.organization(),
      accounts,
      ...(this.faultsGiven ? { faults: orderedFaults(this.faultSettings) } : {}),
    };
  }
}

/** Fault keys in the order the estate format lists them, so files read the same whatever the call order. */
function orderedFaults(f: EstateFaults): EstateFaults {
  const order: (keyof EstateFaults)[] = [
    "seed",
    "latencyMs",
    "throttle",
    "serverErrorRate",
    "slowCalls",
    "assumeRoleDenied",
    "regionsNotEnabled",
    "maxPageSize",
    "failingCalls",
  ];
  const out: Record<string, unknown> = {};
  for (const key of order) if (f[key] !== undefined) out[key] = f[key];
  for (const [key, value] of Object.entries(f)) if (!(key in out)) out[key] = value;
  return out as EstateFaults;
}

export class AccountBuilder {
  private readonly regions = new Map<string, RegionBuilder>();

  constructor(
    private readonly estate: EstateBuilder,
    readonly id: string,
    readonly spec: AccountSpec,
  ) {}

  /** The account-region `name`, created on first use. */
  region(name: string): RegionBuilder {
    let region = this.regions.get(name);
    if (region === undefined) {
      region = new RegionBuilder(this.id, name);
      this.regions.set(name, region);
    }
    return region;
  }

  /** STS refuses the member role here (`faults.assumeRoleDenied`). */
  denyAssumeRole(): this {
    this.estate.faults({ assumeRoleDenied: [this.id] });
    return this;
  }

  /** Every call in these regions answers like an opt-in region left off (`faults.regionsNotEnabled`). */
  regionsNotEnabled(...regions: string[]): this {
    this.estate.faults({ regionsNotEnabled: { [this.id]: regions } });
    return this;
  }

  /** One API operation in `region` always fails (`faults.failingCalls`), e.g. a describe an SCP denies. */
  failCall(region: string, operation: string, errorCode?: string): this {
    this.estate.faults({
      failingCalls: [
        { accountId: this.id, region, operation, ...(errorCode === undefined ? {} : { errorCode }) },
      ],
    });
    return this;
  }

  /** @internal */
  build(): EstateAccount | undefined {
    if (this.regions.size === 0 && (this.spec.status ?? "ACTIVE") !== "ACTIVE") return undefined;
    return { regions: Object.fromEntries([...this.regions].map(([name, r]) => [name, r.build()])) };
  }
}

/** True when an account-region holds a record only estate format v2 knows. */
export function usesFormatV2(region: EstateRegion): boolean {
  const { ec2 } = region;
  return (
    ec2.Reservations !== undefined ||
    ec2.LaunchTemplates !== undefined ||
    ec2.SubnetCidrReservations !== undefined ||
    region.autoscaling !== undefined ||
    region.eks.clusters.some((c) => c.fargateProfiles !== undefined)
  );
}
