import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import type { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { type Notifier, SnsNotifier } from "#shared/notify/index.ts";
import {
  callerTarget,
  type DeliveryLedger,
  OutboxNotifier,
  SecurityHubChannel,
  SnsChannel,
} from "#shared/notify/securityhub/index.ts";
import type { NotifierSettings } from "./notifier.ts";

/**
 * The outbox notifier that imports each transition into the central account's Security Hub (its default
 * product in the home region, the account and partition from the function's own identity) and then pages
 * through SNS, each channel once per transition (shared/notify/securityhub/outbox-notifier.ts). Loaded by
 * `functionNotifier` only when SECURITY_HUB_IMPORT is on: the Security Hub client is a fifth of a bundle.
 */
export function securityHubNotifier(
  settings: NotifierSettings,
  ledger: DeliveryLedger,
  sns: SNSClient,
): Notifier {
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
