import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { ruleById } from "#shared/catalog/index.ts";
import type { RuleId, Severity } from "#shared/findings/index.ts";
import {
  DEFAULT_MIN_SEVERITY,
  type NotificationLedger,
  type Notifier,
  type NotifyResult,
  SnsNotifier,
  StdoutNotifier,
} from "#shared/notify/index.ts";
import { OutboxNotifier, productArnOf, SecurityHubChannel } from "#shared/notify/securityhub/index.ts";
import {
  type AccountRegion,
  type FindingsStore,
  isQuietTransition,
  type Transition,
} from "#shared/store/index.ts";
import type { NotifySpec } from "./options.ts";
import { scopeLabel } from "./render.ts";
import type { Session } from "./session.ts";

/** One account-region's notification of a run, as the CLI reports it. */
export interface ScopeNotification {
  scope: AccountRegion;
  result: NotifyResult;
  /** `--notify stdout`: the subject and email text the SNS message would carry. */
  text?: string;
}

/** What `scan` pages through, and what it tells the user about it afterwards. */
export interface CliNotifier extends Notifier {
  readonly target: NotifySpec;
  readonly minSeverity: Severity;
  notifications(): ScopeNotification[];
}

/**
 * `--notify stdout`: the StdoutNotifier's text, held per account-region so that it prints after the
 * findings instead of in the middle of a concurrent scan. Printed transitions count as notified
 * (their outbox markers are removed), so a later `--notify sns:…` run does not page them again.
 */
class PrintingNotifier implements CliNotifier {
  readonly target: NotifySpec = { kind: "stdout" };
  private readonly sent: ScopeNotification[] = [];

  constructor(
    readonly minSeverity: Severity,
    private readonly ledger: NotificationLedger,
  ) {}

  async notify(
    scope: AccountRegion,
    runId: string,
    transitions: readonly Transition[],
  ): Promise<NotifyResult> {
    let text = "";
    const printer = new StdoutNotifier({
      minSeverity: this.minSeverity,
      write: (chunk) => {
        text += chunk;
      },
    });
    const result = await printer.notify(scope, runId, transitions);
    // Suppressed transitions have no outbox marker to remove.
    const marked = transitions.filter((t) => !isQuietTransition(t));
    if (marked.length > 0) await this.ledger.markNotified(marked);
    this.sent.push({ scope, result, ...(text ? { text: text.trimEnd() } : {}) });
    return result;
  }

  notifications(): ScopeNotification[] {
    return this.sent;
  }
}

/** `--notify sns:ARN`: the scanner's own notifier, with the store as its ledger (pages once per transition). */
class PublishingNotifier implements CliNotifier {
  private readonly sent: ScopeNotification[] = [];

  constructor(
    readonly target: Extract<NotifySpec, { kind: "sns" }>,
    readonly minSeverity: Severity,
    private readonly sns: SnsNotifier,
  ) {}

  async notify(
    scope: AccountRegion,
    runId: string,
    transitions: readonly Transition[],
  ): Promise<NotifyResult> {
    const result = await this.sns.notify(scope, runId, transitions);
    this.sent.push({ scope, result });
    return result;
  }

  notifications(): ScopeNotification[] {
    return this.sent;
  }
}

/**
 * `--notify securityhub[:REGION]`: each changed finding imported into the caller's own Security Hub (its
 * default product) through the store's outbox, like the scanner: change-only, once per transition. Imported
 * transitions count as notified, as printed ones do.
 */
class ImportingNotifier implements CliNotifier {
  private readonly sent: ScopeNotification[] = [];

  constructor(
    readonly target: Extract<NotifySpec, { kind: "securityhub" }>,
    readonly minSeverity: Severity,
    readonly productArn: string,
    private readonly outbox: OutboxNotifier,
  ) {}

  async notify(
    scope: AccountRegion,
    runId: string,
    transitions: readonly Transition[],
  ): Promise<NotifyResult> {
    const result = await this.outbox.notify(scope, runId, transitions);
    this.sent.push({ scope, result });
    return result;
  }

  notifications(): ScopeNotification[] {
    return this.sent;
  }
}

/** `--notify none`: transitions stay in the store's outbox, unpaged. */
class SilentNotifier implements CliNotifier {
  readonly target: NotifySpec = { kind: "none" };

  constructor(readonly minSeverity: Severity) {}

  async notify(): Promise<NotifyResult> {
    return { status: "nothing-pending", transitions: 0 };
  }

  notifications(): ScopeNotification[] {
    return [];
  }
}

export async function cliNotifier(
  target: NotifySpec,
  options: { store: FindingsStore; session: Session; minSeverity?: Severity },
): Promise<CliNotifier> {
  const minSeverity = options.minSeverity ?? DEFAULT_MIN_SEVERITY;
  if (target.kind === "none") return new SilentNotifier(minSeverity);
  if (target.kind === "stdout") return new PrintingNotifier(minSeverity, options.store.ledger);
  if (target.kind === "securityhub") {
    // A custom integration imports only into the caller's own account, under its default product.
    const { factory } = options.session;
    const caller = await factory.callerIdentity();
    const importer = {
      accountId: caller.accountId,
      partition: factory.partition,
      region: target.region ?? factory.homeRegion,
      ruleLink: (id: string) => ruleById(id as RuleId)?.link,
    };
    const channel = new SecurityHubChannel({
      client: factory.callerClient("securityhub", (config) => new SecurityHubClient(config), importer.region),
      target: importer,
    });
    return new ImportingNotifier(
      target,
      minSeverity,
      productArnOf(importer),
      new OutboxNotifier({ channels: [channel], ledger: options.store.ledger }),
    );
  }
  // The caller publishes with its own credentials (not a member role), in the topic's region; with
  // --estate or --endpoint-url the client goes to the simulator or endpoint like every other call.
  const { factory } = options.session;
  const caller = await factory.callerIdentity();
  const sns = await factory.sns(caller.accountId, target.region);
  return new PublishingNotifier(
    target,
    minSeverity,
    new SnsNotifier({ sns, topicArn: target.topicArn, minSeverity, ledger: options.store.ledger }),
  );
}

/** What the notifications of a run amount to, after the transitions. */
export function renderNotifications(notifier: CliNotifier, transitionCount: number): string {
  const threshold = `paging at ${notifier.minSeverity} and above`;
  const sorted = [...notifier.notifications()].sort(
    (a, b) =>
      a.scope.accountId.localeCompare(b.scope.accountId) || a.scope.region.localeCompare(b.scope.region),
  );
  const target = notifier.target;
  if (target.kind === "none") {
    return transitionCount > 0 ? "Paging is off (--notify none): the changes stay in the store, unsent." : "";
  }
  if (target.kind === "stdout") {
    const printed = sorted.filter((n) => n.text !== undefined);
    if (printed.length === 0) return transitionCount > 0 ? `Nothing to page (${threshold}).` : "";
    const head = `${printed.length === 1 ? "The alert" : `The ${printed.length} alerts`} SNS would send (--notify stdout, ${threshold}; one per account-region):`;
    return [head, "", ...printed.flatMap((n) => [n.text ?? "", ""])].join("\n").trimEnd();
  }
  if (target.kind === "securityhub") return renderImports(notifier, sorted, transitionCount);
  const published = sorted.filter((n) => n.result.status === "published");
  const busy = sorted.filter((n) => n.result.status === "busy");
  const lines: string[] = [];
  if (published.length > 0) {
    lines.push(
      `Published ${published.length} alert${published.length === 1 ? "" : "s"} to ${target.topicArn} (${threshold}):`,
    );
    for (const n of published) {
      lines.push(
        `  ${scopeLabel(n.scope)}: ${n.result.subject ?? ""}${n.result.messageId ? ` (message ${n.result.messageId})` : ""}`,
      );
    }
  } else if (transitionCount > 0) {
    lines.push(`Nothing to page to ${target.topicArn} (${threshold}).`);
  }
  for (const n of busy) {
    lines.push(
      `  ${scopeLabel(n.scope)}: another notifier holds the lease; its changes stay pending for the next run.`,
    );
  }
  return lines.join("\n");
}

/** `--notify securityhub`: what was imported, per account-region, into which product. */
function renderImports(
  notifier: CliNotifier,
  sorted: readonly ScopeNotification[],
  transitionCount: number,
): string {
  const productArn = notifier instanceof ImportingNotifier ? notifier.productArn : "Security Hub";
  const imported = sorted.filter((n) => n.result.securityHub !== undefined);
  const lines: string[] = [];
  if (imported.length > 0) {
    const total = imported.reduce((sum, n) => sum + (n.result.securityHub?.imported ?? 0), 0);
    const archived = imported.reduce((sum, n) => sum + (n.result.securityHub?.archived ?? 0), 0);
    lines.push(
      `Imported ${total} finding${total === 1 ? "" : "s"} into Security Hub (${productArn}; ${archived} archived as resolved):`,
    );
    for (const n of imported) {
      const sh = n.result.securityHub;
      lines.push(`  ${scopeLabel(n.scope)}: ${sh?.imported ?? 0} imported, ${sh?.archived ?? 0} archived`);
    }
  } else if (transitionCount > 0) {
    lines.push(`Nothing new to import into Security Hub (${productArn}).`);
  }
  for (const n of sorted.filter((x) => x.result.status === "busy")) {
    lines.push(
      `  ${scopeLabel(n.scope)}: another notifier holds the lease; its changes stay pending for the next run.`,
    );
  }
  return lines.join("\n");
}
