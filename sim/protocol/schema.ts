import type { DescribeSubnets$ } from "@aws-sdk/client-ec2";
import { NormalizedSchema } from "@smithy/core/schema";

/** A static Smithy operation schema as every client exports it, e.g. `DescribeSubnets$`. */
export type OperationSchema = typeof DescribeSubnets$;

export function operationName(op: OperationSchema): string {
  return op[2];
}

export function inputSchema(op: OperationSchema): NormalizedSchema {
  return NormalizedSchema.of(op[4]);
}

export function outputSchema(op: OperationSchema): NormalizedSchema {
  return NormalizedSchema.of(op[5]);
}

/** The `@http` trait of a REST operation: method and URI template. */
export function httpBinding(op: OperationSchema): { method: string; path: string } | undefined {
  const traits = op[3];
  if (typeof traits !== "object" || traits === null) return undefined;
  const http = traits.http;
  if (!Array.isArray(http)) return undefined;
  return { method: http[0], path: http[1] };
}

export type TimestampFormat = "date-time" | "http-date" | "epoch-seconds";

/** Timestamp format of a member: its own trait (schema ids 5..7) or the protocol default. */
export function timestampFormat(ns: NormalizedSchema, protocolDefault: TimestampFormat): TimestampFormat {
  switch (ns.getSchema()) {
    case 5:
      return "date-time";
    case 6:
      return "http-date";
    case 7:
      return "epoch-seconds";
    default:
      return protocolDefault;
  }
}

/** Estate timestamps are ISO-8601 strings; handlers may also produce Dates. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === "string") {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (typeof value === "number") return new Date(value * 1000);
  return undefined;
}

export function formatTimestamp(date: Date, format: TimestampFormat): string | number {
  switch (format) {
    case "date-time":
      return date.toISOString();
    case "http-date":
      return date.toUTCString();
    case "epoch-seconds":
      return date.getTime() / 1000;
  }
}

/** Blobs travel as base64; estates hold them as base64 strings already. */
export function toBase64(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
