import type { Severity } from "#shared/findings/index.ts";
import type { AccountRegion } from "#shared/store/keys.ts";
import type { Transition } from "#shared/store/types.ts";
import { buildAlert, DEFAULT_MIN_SEVERITY } from "./message.ts";
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

  async notify(
    scope: AccountRegion,
    runId: string,
    transitions: readonly Transition[],
  ): Promise<NotifyResult> {
    const alert = buildAlert(scope, runId, transitions, { minSeverity: this.minSeverity });
    if (alert === undefined) {
      return { status: transitions.length > 0 ? "below-threshold" : "nothing-pending", transitions: 0 };
    }
    this.write(`Subject: ${alert.subject}\n\n${alert.text}\n\n`);
    return {
      status: "printed",
      transitions: alert.transitions.length,
      subject: alert.subject,
      summarised: alert.summarised,
    };
  }
}
