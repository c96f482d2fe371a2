import type { NormalizedSchema } from "@smithy/core/schema";
import { DecodeError } from "./errors.ts";

/** Form parameters (`Filter.1.Value.2=x`) arranged as a tree of their dotted key segments. */
export interface FormNode {
  value?: string;
  children: Map<string, FormNode>;
}

export function parseFormTree(body: string): FormNode {
  const root: FormNode = { children: new Map() };
  for (const [key, value] of new URLSearchParams(body)) {
    let node = root;
    for (const segment of key.split(".")) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  return root;
}

export function formValue(root: FormNode, key: string): string | undefined {
  return root.children.get(key)?.value;
}

export type QueryFlavour = "ec2" | "query";

/** Mirrors QueryShapeSerializer.getKey: EC2 prefers `ec2QueryName`, else capitalised xmlName/member name. */
function queryKey(
  memberName: string,
  ns: NormalizedSchema,
  flavour: QueryFlavour,
  isStructMember: boolean,
): string {
  const traits = ns.getMergedTraits();
  const ec2QueryName = typeof traits.ec2QueryName === "string" ? traits.ec2QueryName : undefined;
  if (flavour === "ec2" && ec2QueryName) return ec2QueryName;
  const key = traits.xmlName ?? memberName;
  if (flavour === "ec2" && isStructMember) return key.charAt(0).toUpperCase() + key.slice(1);
  return key;
}

function numberedChildren(node: FormNode): FormNode[] {
  return [...node.children.entries()]
    .filter(([key]) => /^\d+$/.test(key))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, child]) => child);
}

/** Decodes an EC2-query or awsQuery request into the SDK input shape, driven by the input schema. */
export function decodeQueryInput(
  ns: NormalizedSchema,
  root: FormNode,
  flavour: QueryFlavour,
): Record<string, unknown> {
  const decoded = decodeNode(ns, root, flavour, "");
  return typeof decoded === "object" && decoded !== null && !Array.isArray(decoded)
    ? (decoded as Record<string, unknown>)
    : {};
}

function decodeNode(ns: NormalizedSchema, node: FormNode, flavour: QueryFlavour, path: string): unknown {
  if (ns.isStructSchema()) {
    const out: [string, unknown][] = [];
    for (const [name, member] of ns.structIterator()) {
      const key = queryKey(name, member, flavour, true);
      const child = node.children.get(key);
      if (child === undefined) continue;
      const value = decodeNode(member, child, flavour, path ? `${path}.${key}` : key);
      if (value !== undefined) out.push([name, value]);
    }
    return Object.fromEntries(out);
  }
  if (ns.isListSchema()) {
    const itemNs = ns.getValueSchema();
    const flat = flavour === "ec2" || Boolean(ns.getMergedTraits().xmlFlattened);
    const holder = flat ? node : node.children.get(queryKey("member", itemNs, flavour, false));
    if (holder === undefined) return [];
    return numberedChildren(holder).map((child, i) => decodeNode(itemNs, child, flavour, `${path}.${i + 1}`));
  }
  if (ns.isMapSchema()) {
    const keyNs = ns.getKeySchema();
    const valueNs = ns.getValueSchema();
    const keyName = queryKey("key", keyNs, flavour, false);
    const valueName = queryKey("value", valueNs, flavour, false);
    const holder = ns.getMergedTraits().xmlFlattened ? node : node.children.get("entry");
    if (holder === undefined) return {};
    const entries: [string, unknown][] = [];
    for (const entry of numberedChildren(holder)) {
      const key = entry.children.get(keyName)?.value;
      const valueNode = entry.children.get(valueName);
      if (key === undefined || valueNode === undefined) continue;
      entries.push([key, decodeNode(valueNs, valueNode, flavour, `${path}.${key}`)]);
    }
    return Object.fromEntries(entries);
  }
  const text = node.value;
  if (text === undefined) return undefined;
  return decodeScalar(ns, text, path);
}

function decodeScalar(ns: NormalizedSchema, text: string, path: string): unknown {
  if (ns.isNumericSchema()) {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n)) throw new DecodeError(path, text);
    return n;
  }
  if (ns.isBooleanSchema()) {
    if (text !== "true" && text !== "false") throw new DecodeError(path, text);
    return text === "true";
  }
  if (ns.isTimestampSchema()) {
    const date = new Date(/^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : text);
    if (Number.isNaN(date.getTime())) throw new DecodeError(path, text);
    return date;
  }
  if (ns.isBlobSchema()) return new Uint8Array(Buffer.from(text, "base64"));
  return text;
}
