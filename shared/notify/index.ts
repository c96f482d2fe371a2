export {
  type ConsoleLink,
  type ConsoleResourceKind,
  consoleBase,
  consoleUrl,
  explainCommands,
  findingLinks,
  resourceKindOf,
} from "./links.ts";
export {
  type Alert,
  type AlertJson,
  type AlertJsonTransition,
  type AlertKind,
  type AlertOptions,
  type AlertScope,
  alertKindOf,
  alertSubject,
  attributesBytes,
  buildAlert,
  buildAlerts,
  buildUnreachedRunAlert,
  DEFAULT_MIN_SEVERITY,
  MESSAGE_VERSION,
  NO_TEAM,
  SNS_MAX_MESSAGE_BYTES,
  SUBJECT_MAX_CHARS,
  selectTransitions,
  type UnreachedRun,
} from "./message.ts";
export type {
  NotificationLedger,
  Notifier,
  NotifyResult,
  NotifyStatus,
  SecurityHubImportSummary,
} from "./notifier.ts";
export { SnsNotifier, type SnsNotifierOptions } from "./sns-notifier.ts";
export { StdoutNotifier, type StdoutNotifierOptions } from "./stdout-notifier.ts";
