import type { NormalizedSchema } from "@smithy/core/schema";
import { DecodeError } from "./errors.ts";
import { formatTimestamp, isRecord, timestampFormat, toBase64, toDate } from "./schema.ts";

export interface JsonWriteOptions {
  /** restJson1 honours `@jsonName`; awsJson1_1 uses member names as they are. */
  useJsonName: boolean;
}

/** Converts `value` to the JSON the SDK's JsonShapeDeserializer reads for `ns` (timestamps as epoch seconds). */
export function toJsonValue(ns: NormalizedSchema, value: unknown, options: JsonWriteOptions): unknown {
  if (value === null || value === undefined) return undefined;
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) return undefined;
    const itemNs = ns.getValueSchema();
    return value
      .filter((item) => item !== null && item !== undefined)
      .map((item) => toJsonValue(itemNs, item, options));
  }
  if (ns.isMapSchema()) {
    if (!isRecord(value)) return undefined;
    const valueNs = ns.getValueSchema();
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, toJsonValue(valueNs, v, options)]),
    );
  }
  if (ns.isStructSchema()) {
    if (!isRecord(value)) return undefined;
    return writeJsonMembers(ns, value, options);
  }
  if (ns.isTimestampSchema()) {
    const date = toDate(value);
    return date === undefined ? undefined : formatTimestamp(date, timestampFormat(ns, "epoch-seconds"));
  }
  if (ns.isBlobSchema()) return toBase64(value);
  return value;
}

export function writeJsonMembers(
  ns: NormalizedSchema,
  value: Record<string, unknown>,
  options: JsonWriteOptions,
): Record<string, unknown> {
  const out: [string, unknown][] = [];
  for (const [name, member] of ns.structIterator()) {
    const converted = toJsonValue(member, value[name], options);
    if (converted === undefined) continue;
    const key = options.useJsonName ? (member.getMergedTraits().jsonName ?? name) : name;
    out.push([key, converted]);
  }
  return Object.fromEntries(out);
}

/** Decodes an awsJson request body into the SDK input shape; wrong types raise DecodeError. */
export function decodeJsonInput(ns: NormalizedSchema, value: unknown, path = ""): unknown {
  if (value === null || value === undefined) return undefined;
  const fail = (): never => {
    throw new DecodeError(path || "body", typeof value === "string" ? value : JSON.stringify(value));
  };
  if (ns.isStructSchema()) {
    if (!isRecord(value)) return fail();
    const out: [string, unknown][] = [];
    for (const [name, member] of ns.structIterator()) {
      const decoded = decodeJsonInput(member, value[name], path ? `${path}.${name}` : name);
      if (decoded !== undefined) out.push([name, decoded]);
    }
    return Object.fromEntries(out);
  }
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) return fail();
    const itemNs = ns.getValueSchema();
    return value.map((item, i) => decodeJsonInput(itemNs, item, `${path}[${i}]`));
  }
  if (ns.isMapSchema()) {
    if (!isRecord(value)) return fail();
    const valueNs = ns.getValueSchema();
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, decodeJsonInput(valueNs, v, `${path}.${k}`)]),
    );
  }
  if (ns.isTimestampSchema()) return typeof value === "number" ? new Date(value * 1000) : fail();
  if (ns.isBlobSchema())
    return typeof value === "string" ? new Uint8Array(Buffer.from(value, "base64")) : fail();
  if (ns.isNumericSchema()) return typeof value === "number" ? value : fail();
  if (ns.isBooleanSchema()) return typeof value === "boolean" ? value : fail();
  if (ns.isStringSchema()) return typeof value === "string" ? value : fail();
  return value;
}
