import type { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { partitionOfArn, partitionOfRegion } from "#shared/aws/partition.ts";
import type { NotifyResult, SnsNotifier } from "#shared/notify/index.ts";
import type { AccountRegion, Transition } from "#shared/store/index.ts";
import { type AsffTarget, asffOfTransition, latestPerFinding, productArnOf } from "./asff.ts";
import { type ImporterOptions, SecurityHubImporter } from "./importer.ts";

/**
 * One destination of a scope's transitions. The OutboxNotifier hands each channel the transitions it has not
 * delivered yet and records, per channel, what was delivered.
 */
export interface DeliveryChannel {
  /** Recorded on the outbox marker (`deliveredTo`) once the channel delivered a transition. */
  readonly name: string;
  deliver(scope: AccountRegion, runId: string, transitions: readonly Transition[]): Promise<NotifyResult>;
}

/** SNS: the SnsNotifier's message building and Publish, without its own ledger (the OutboxNotifier holds it). */
export class SnsChannel implements DeliveryChannel {
  readonly name = "sns";

  constructor(readonly notifier: SnsNotifier) {}

  deliver(scope: AccountRegion, runId: string, transitions: readonly Transition[]): Promise<NotifyResult> {
    return this.notifier.notify(scope, runId, transitions);
  }
}

/** The caller's account and partition (GetCallerIdentity), importing into `region`. */
export async function callerTarget(sts: STSClient, region: string): Promise<AsffTarget> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  if (!out.Account)
    throw new Error("GetCallerIdentity returned no account: cannot build the Security Hub product ARN");
  return {
    accountId: out.Account,
    partition: partitionOfArn(out.Arn ?? "") ?? partitionOfRegion(region),
    region,
  };
}

export interface SecurityHubChannelOptions extends Omit<ImporterOptions, "client"> {
  client: SecurityHubClient;
  /** Who imports where; a function is called once, on the first import (a failure is asked again next time). */
  target: AsffTarget | (() => Promise<AsffTarget>);
}

/**
 * Security Hub: each transition's finding in its new state, imported with BatchImportFindings (one finding per
 * changed finding: the latest transition of each). Every severity is imported; the SNS threshold does not apply.
 */
export class SecurityHubChannel implements DeliveryChannel {
  readonly name = "securityhub";
  private readonly importer: SecurityHubImporter;
  private resolved: AsffTarget | undefined;

  constructor(private readonly options: SecurityHubChannelOptions) {
    this.importer = new SecurityHubImporter({ ...options, client: options.client });
  }

  async target(): Promise<AsffTarget> {
    const t = this.options.target;
    this.resolved ??= typeof t === "function" ? await t() : t;
    return this.resolved;
  }

  async deliver(
    _scope: AccountRegion,
    _runId: string,
    transitions: readonly Transition[],
  ): Promise<NotifyResult> {
    if (transitions.length === 0) return { status: "nothing-pending", transitions: 0 };
    const target = await this.target();
    const latest = latestPerFinding(transitions);
    const findings = latest.map((t) => asffOfTransition(t, target));
    const report = await this.importer.importFindings(findings);
    return {
      status: "imported",
      transitions: transitions.length,
      securityHub: {
        productArn: productArnOf(target),
        imported: report.imported,
        archived: latest.filter((t) => t.type === "RESOLVED").length,
        calls: report.calls,
        resent: report.resent,
      },
    };
  }
}
