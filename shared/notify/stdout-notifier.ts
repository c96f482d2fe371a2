import type { Severity } from "#shared/findings/index.ts";
import type { Transition } from "#shared/store/types.ts";
import {
  type Alert,
  type AlertScope,
  buildAlerts,
  buildUnreachedRunAlert,
  DEFAULT_MIN_SEVERITY,
  type UnreachedRun,
} from "./message.ts";
import type { Notifier, NotifyResult } from "./notifier.ts";

export interface StdoutNotifierOptions {
  /** Default HIGH, as for SNS. */
  minSeverity?: Severity;
  /** Where the text goes; default process.stdout. */
  write?: (text: string) => void;
}

/** For the CLI and the demo: prints the subject and the email text of the message SNS would get. */
export class StdoutNotifier implements Notifier {
  private readonly minSeverity: Severity;
  private readonly write: (text: string) => void;

  constructor(options: StdoutNotifierOptions = {}) {
    this.minSeverity = options.minSeverity ?? DEFAULT_MIN_SEVERITY;
    this.write = options.write ?? ((text) => process.stdout.write(text));
  }

  async notify(scope: AlertScope, runId: string, transitions: readonly Transition[]): Promise<NotifyResult> {
    const alerts = buildAlerts(scope, runId, transitions, { minSeverity: this.minSeverity });
    if (alerts.length === 0) {
      return { status: transitions.length > 0 ? "below-threshold" : "nothing-pending", transitions: 0 };
    }
    for (const alert of alerts) this.print(alert);
    return {
      status: "printed",
      messages: alerts.length,
      transitions: alerts.reduce((n, a) => n + a.transitions.length, 0),
      subject: alerts.map((a) => a.subject).join(" | "),
      summarised: alerts.some((a) => a.summarised),
    };
  }

  async notifyUnreachedRun(run: UnreachedRun): Promise<NotifyResult> {
    const alert = buildUnreachedRunAlert(run);
    this.print(alert);
    return { status: "printed", messages: 1, transitions: 0, subject: alert.subject };
  }

  private print(alert: Alert): void {
    this.write(`Subject: ${alert.subject}\n\n${alert.text}\n\n`);
  }
}
