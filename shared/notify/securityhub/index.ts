export {
  ASFF_LIMITS,
  ASFF_SCHEMA_VERSION,
  type AsffState,
  type AsffSubject,
  type AsffTarget,
  asffFinding,
  asffIdOf,
  asffLifecycleOf,
  asffOfScan,
  asffOfTransition,
  latestPerFinding,
  PRODUCT_NAME,
  productArnOf,
  resourcesOf,
  severityLabelOf,
  stateOf,
  typesOf,
  WORKFLOW_UPDATE_LIMITS,
  type WorkflowChange,
  workflowChangeOf,
  workflowChangesOf,
} from "./asff.ts";
export {
  callerTarget,
  type DeliveryChannel,
  SecurityHubChannel,
  type SecurityHubChannelOptions,
  SnsChannel,
} from "./channels.ts";
export {
  batchesOf,
  type ImporterOptions,
  type ImportReport,
  SecurityHubImportError,
  SecurityHubImporter,
} from "./importer.ts";
export {
  ChannelDeliveryError,
  type DeliveryLedger,
  OutboxNotifier,
  type OutboxNotifierOptions,
} from "./outbox-notifier.ts";
export {
  type RefusedWorkflowChange,
  SecurityHubWorkflowError,
  SecurityHubWorkflowUpdater,
  type WorkflowReport,
  type WorkflowUpdaterOptions,
  workflowBatchesOf,
} from "./workflow-updater.ts";
