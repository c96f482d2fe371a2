import type { Estate, EstateRegion } from "#shared/estate/index.ts";
import type { FaultState } from "#sim/faults.ts";
import type { Caller, Sessions } from "#sim/identity.ts";
import type { OperationSchema } from "#sim/protocol/schema.ts";
import type { SecurityHubState } from "./securityhub.ts";

export interface PublishedMessage {
  messageId: string;
  accountId: string;
  region: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>;
}

/** Everything an operation handler may read or change while answering one call. */
export interface CallContext {
  service: string;
  operation: string;
  accountId: string;
  region: string;
  caller: Caller;
  estate: Estate;
  faults: FaultState;
  sessions: Sessions;
  published: PublishedMessage[];
  securityHub: SecurityHubState;
}

export interface OperationHandler {
  schema: OperationSchema;
  handle(ctx: CallContext, input: Record<string, unknown>): unknown;
}

/** Binds a handler typed with the SDK input shape; the schema-driven decoder produced that shape. */
export function operation<I>(
  schema: OperationSchema,
  handle: (ctx: CallContext, input: I) => unknown,
): OperationHandler {
  return { schema, handle: (ctx, input) => handle(ctx, input as I) };
}

export function operationTable(handlers: OperationHandler[]): Map<string, OperationHandler> {
  return new Map(handlers.map((h) => [h.schema[2], h]));
}

export function regionOf(ctx: CallContext): EstateRegion | undefined {
  return ctx.estate.accounts[ctx.accountId]?.regions[ctx.region];
}

/** Identifies a listing request (minus its paging parameters) for pagination tokens. */
export function listingFingerprint(ctx: CallContext, input: object, ...pagingKeys: string[]): string {
  const rest = Object.fromEntries(Object.entries(input).filter(([k]) => !pagingKeys.includes(k)));
  return `${ctx.operation}|${ctx.accountId}|${ctx.region}|${JSON.stringify(rest)}`;
}
