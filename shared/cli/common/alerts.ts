import type { Severity } from "#shared/findings/index.ts";
import {
  DEFAULT_MIN_SEVERITY,
  type NotificationLedger,
  type Notifier,
  type NotifyResult,
  SnsNotifier,
  StdoutNotifier,
} from "#shared/notify/index.ts";
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
