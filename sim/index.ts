export { type CallFilter, CallLog, type CallOutcome, type CallRecord } from "./calls.ts";
export { defaultAccountId, simAccessKeyId } from "./identity.ts";
export { type PublishedMessage, type Simulator, type SimulatorOptions, startSimulator } from "./server.ts";
export {
  asffProblem,
  type ImportOutcome,
  type SecurityHubImport,
  SecurityHubState,
  type SecurityHubUpdate,
} from "./services/securityhub.ts";
