export { type CallFilter, CallLog, type CallOutcome, type CallRecord } from "./calls.ts";
export { defaultAccountId, simAccessKeyId } from "./identity.ts";
export { type PublishedMessage, type Simulator, type SimulatorOptions, startSimulator } from "./server.ts";
