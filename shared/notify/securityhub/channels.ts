import type { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { partitionOfArn, partitionOfRegion } from "#shared/aws/partition.ts";
import type { NotifyResult, SnsNotifier } from "#shared/notify/index.ts";
import { type AccountRegion, isQuietTransition, type Transition } from "#shared/store/index.ts";
import {
  type AsffTarget,
  asffIdOf,
  asffOfTransition,
  latestPerFinding,
  productArnOf,
  workflowChangesOf,
} from "./asff.ts";
import {
  type ImporterOptions,
  type ImportReport,
  SecurityHubImportError,
  SecurityHubImporter,
} from "./importer.ts";
import { SecurityHubWorkflowError, SecurityHubWorkflowUpdater } from "./workflow-updater.ts";

/**
 * One destination of a scope's transitions. The OutboxNotifier hands each channel the transitions it has not
 * delivered yet and records, per channel, what was delivered.
 */
export interface DeliveryChannel {
  /** Recorded on the outbox marker (`deliveredTo`) once the channel delivered a transition. */
  readonly name: string;
  /**
   * Also handed the run's quiet transitions (suppressions: no outbox marker, never paged), after the outbox's.
   * Nothing re-sends them when the delivery fails: the channel's error must say so.
   */
  readonly exportsQuiet?: boolean;
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
 * changed finding: the latest transition of each), then, for the findings whose workflow must change where an
 * import cannot change it (a suppression, its end, a suppressed finding resolved: `workflowChangeOf`),
 * BatchUpdateFindings. Every severity is imported; the SNS threshold does not apply. Quiet transitions
 * (suppressions) are exported too: they come from the run, not the outbox.
 */
export class SecurityHubChannel implements DeliveryChannel {
  readonly name = "securityhub";
  readonly exportsQuiet = true;
  private readonly importer: SecurityHubImporter;
  private readonly updater: SecurityHubWorkflowUpdater;
  private resolved: AsffTarget | undefined;

  constructor(private readonly options: SecurityHubChannelOptions) {
    this.importer = new SecurityHubImporter({ ...options, client: options.client });
    this.updater = new SecurityHubWorkflowUpdater({ ...options, client: options.client });
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
    const productArn = productArnOf(target);
    const latest = latestPerFinding(transitions);
    const findings = latest.map((t) => asffOfTransition(t, target));
    let report: ImportReport;
    try {
      report = await this.importer.importFindings(findings);
    } catch (err) {
      throw withQuietLoss(err, latest);
    }
    // After the import: a finding it created must exist before its workflow can be set.
    const changes = workflowChangesOf(transitions);
    try {
      if (changes.length > 0) await this.updater.update(productArn, changes);
    } catch (err) {
      // SecurityHubWorkflowError names its quiet changes itself; any other error stopped them all.
      throw err instanceof SecurityHubWorkflowError
        ? err
        : withLoss(err, changes.filter((c) => c.quiet).length);
    }
    return {
      status: "imported",
      transitions: transitions.length,
      securityHub: {
        productArn,
        imported: report.imported,
        archived: latest.filter((t) => t.type === "RESOLVED").length,
        calls: report.calls,
        resent: report.resent,
      },
    };
  }
}

/**
 * A failed import of quiet transitions (suppressions) loses them: they have no outbox marker, and a redelivered
 * scan finds the finding already SUPPRESSED and makes no transition. The error says so, naming how many.
 */
function withQuietLoss(err: unknown, sent: readonly Transition[]): unknown {
  const quiet = new Set(sent.filter(isQuietTransition).map((t) => asffIdOf(t.finding)));
  if (quiet.size === 0) return err;
  return withLoss(
    err,
    err instanceof SecurityHubImportError
      ? err.failed.filter((f) => f.Id !== undefined && quiet.has(f.Id)).length
      : quiet.size,
  );
}

function withLoss(err: unknown, lost: number): unknown {
  if (lost === 0 || !(err instanceof Error)) return err;
  err.message += ` ${lost} of the findings are accepted risks (suppressed, or resolved while suppressed) with no outbox marker: no later scan exports them again, so set them in Security Hub by hand.`;
  return err;
}
