import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { STSClient } from "@aws-sdk/client-sts";
import type { Severity } from "#shared/findings/index.ts";
import { type Notifier, SnsNotifier } from "#shared/notify/index.ts";
import {
  callerTarget,
  type DeliveryLedger,
  OutboxNotifier,
  SecurityHubChannel,
  SnsChannel,
} from "#shared/notify/securityhub/index.ts";
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
 * `securityHub`, the outbox notifier that imports each transition into the central account's Security Hub
 * (its default product in the home region, the account and partition from the function's own identity)
 * and then pages through SNS, each channel once per transition (shared/notify/securityhub/outbox-notifier.ts).
 */
export function functionNotifier(settings: NotifierSettings, ledger: DeliveryLedger): Notifier {
  const sns = snsClient(settings);
  if (!settings.securityHub) {
    return new SnsNotifier({
      sns,
      topicArn: settings.topicArn,
      minSeverity: settings.alertMinSeverity,
      ledger,
    });
  }
  const endpoint = settings.endpointUrl ? { endpoint: settings.endpointUrl } : {};
  const region = settings.homeRegion;
  const securityHub = new SecurityHubChannel({
    client: new SecurityHubClient({ region, ...endpoint }),
    target: async () => ({
      ...(await callerTarget(new STSClient({ region, ...endpoint }), region)),
      ...(settings.ruleLink ? { ruleLink: settings.ruleLink } : {}),
    }),
  });
  const page = new SnsChannel(
    new SnsNotifier({ sns, topicArn: settings.topicArn, minSeverity: settings.alertMinSeverity }),
  );
  return new OutboxNotifier({ channels: [securityHub, page], ledger });
}
