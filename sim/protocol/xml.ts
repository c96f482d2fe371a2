import type { NormalizedSchema } from "@smithy/core/schema";
import {
  formatTimestamp,
  isRecord,
  type OperationSchema,
  operationName,
  outputSchema,
  timestampFormat,
  toBase64,
  toDate,
} from "./schema.ts";

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escapes text for element content; \r and control characters become character references the SDK decodes. */
export function escapeXml(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    const entity = ENTITIES[c];
    if (entity !== undefined) out += entity;
    else if (code < 0x20 && c !== "\n" && c !== "\t") out += `&#x${code.toString(16).toUpperCase()};`;
    else out += c;
  }
  return out;
}

function element(tag: string, inner: string): string {
  return inner === "" ? `<${tag}/>` : `<${tag}>${inner}</${tag}>`;
}

/** Writes `value` as element `tag` exactly as the SDK's XmlShapeDeserializer reads `ns` back. */
export function writeXmlValue(ns: NormalizedSchema, value: unknown, tag: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const traits = ns.getMergedTraits();
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) return;
    const itemNs = ns.getValueSchema();
    if (traits.xmlFlattened) {
      for (const item of value) writeXmlValue(itemNs, item, tag, out);
      return;
    }
    const itemTag = itemNs.getMergedTraits().xmlName ?? "member";
    const inner: string[] = [];
    for (const item of value) writeXmlValue(itemNs, item, itemTag, inner);
    out.push(element(tag, inner.join("")));
    return;
  }
  if (ns.isMapSchema()) {
    if (!isRecord(value)) return;
    const keyTag = ns.getKeySchema().getMergedTraits().xmlName ?? "key";
    const valueNs = ns.getValueSchema();
    const valueTag = valueNs.getMergedTraits().xmlName ?? "value";
    const entries: string[] = [];
    for (const [key, entryValue] of Object.entries(value)) {
      const inner: string[] = [element(keyTag, escapeXml(key))];
      writeXmlValue(valueNs, entryValue, valueTag, inner);
      entries.push(traits.xmlFlattened ? element(tag, inner.join("")) : element("entry", inner.join("")));
    }
    out.push(traits.xmlFlattened ? entries.join("") : element(tag, entries.join("")));
    return;
  }
  if (ns.isStructSchema()) {
    if (!isRecord(value)) return;
    out.push(element(tag, writeXmlMembers(ns, value)));
    return;
  }
  const text = scalarText(ns, value);
  if (text !== undefined) out.push(element(tag, escapeXml(text)));
}

/** The members of a structure, without an enclosing element. */
export function writeXmlMembers(ns: NormalizedSchema, value: Record<string, unknown>): string {
  const out: string[] = [];
  for (const [name, member] of ns.structIterator()) {
    writeXmlValue(member, value[name], member.getMemberTraits().xmlName ?? name, out);
  }
  return out.join("");
}

function scalarText(ns: NormalizedSchema, value: unknown): string | undefined {
  if (ns.isTimestampSchema()) {
    const date = toDate(value);
    return date === undefined ? undefined : String(formatTimestamp(date, timestampFormat(ns, "date-time")));
  }
  if (ns.isBlobSchema()) return toBase64(value);
  if (
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean" ||
    typeof value === "bigint"
  ) {
    return String(value);
  }
  return JSON.stringify(value);
}

/** EC2 query response: `<XResponse xmlns><requestId/>members</XResponse>`. */
export function ec2ResponseXml(
  op: OperationSchema,
  output: unknown,
  requestId: string,
  xmlns: string,
): string {
  const name = operationName(op);
  const members = isRecord(output) ? writeXmlMembers(outputSchema(op), output) : "";
  return `${XML_DECLARATION}<${name}Response xmlns="${xmlns}"><requestId>${requestId}</requestId>${members}</${name}Response>`;
}

/** awsQuery response (STS, SNS): `<XResponse><XResult>members</XResult><ResponseMetadata/></XResponse>`. */
export function queryResponseXml(
  op: OperationSchema,
  output: unknown,
  requestId: string,
  xmlns: string,
): string {
  const name = operationName(op);
  const members = isRecord(output) ? writeXmlMembers(outputSchema(op), output) : "";
  return (
    `${XML_DECLARATION}<${name}Response xmlns="${xmlns}">${element(`${name}Result`, members)}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${name}Response>`
  );
}

export function ec2ErrorXml(code: string, message: string, requestId: string): string {
  return (
    `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}

export function queryErrorXml(
  code: string,
  message: string,
  requestId: string,
  xmlns: string,
  sender: boolean,
): string {
  return (
    `${XML_DECLARATION}<ErrorResponse xmlns="${xmlns}"><Error><Type>${sender ? "Sender" : "Receiver"}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
