import type { Severity } from "#shared/findings/index.ts";
import { type Notifier, SnsNotifier } from "#shared/notify/index.ts";
import type { DeliveryLedger } from "#shared/notify/securityhub/outbox-notifier.ts";
import { snsClient } from "./clients.ts";
import type { AwsAccessConfig } from "./config.ts";

export interface NotifierSettings extends AwsAccessConfig {
  topicArn: string;
  alertMinSeverity: Severity;
  securityHub?: boolean;
  /** A rule's documentation link for Security Hub's remediation Url (the function's own rules). */
  ruleLink?: (ruleId: string) => string | undefined;
}

/**
 * The functions' notifier, built once per container: the SNS notifier with the store's outbox; with
 * `securityHub`, the outbox notifier that imports each transition into Security Hub and then pages through
 * SNS (./securityhub-notifier.ts). That module, and the Security Hub client with it, is imported only then:
 * esbuild splits it into its own chunk, which a function without SECURITY_HUB_IMPORT never loads.
 */
export async function functionNotifier(
  settings: NotifierSettings,
  ledger: DeliveryLedger,
): Promise<Notifier> {
  const sns = snsClient(settings);
  if (!settings.securityHub) {
    return new SnsNotifier({
      sns,
      topicArn: settings.topicArn,
      minSeverity: settings.alertMinSeverity,
      ledger,
    });
  }
  const { securityHubNotifier } = await import("./securityhub-notifier.ts");
  return securityHubNotifier(settings, ledger, sns);
}
