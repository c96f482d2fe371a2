import { DecodeError } from "./errors.ts";
import { decodeJsonInput } from "./json.ts";
import { httpBinding, inputSchema, isRecord, type OperationSchema } from "./schema.ts";

export interface RestRoute {
  op: OperationSchema;
  method: string;
  pattern: RegExp;
  labels: string[];
}

/** Compiles the `@http` URI templates of the operations, e.g. `/clusters/{name}/node-groups`. */
export function compileRoutes(ops: OperationSchema[]): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const op of ops) {
    const binding = httpBinding(op);
    if (binding === undefined) continue;
    const labels: string[] = [];
    const source = binding.path
      .split("/")
      .map((segment) => {
        const label = /^\{(\w+)\+?\}$/.exec(segment);
        if (label?.[1]) {
          labels.push(label[1]);
          return "([^/]+)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    routes.push({ op, method: binding.method, pattern: new RegExp(`^${source}/?$`), labels });
  }
  return routes;
}

export interface RestMatch {
  route: RestRoute;
  labels: Map<string, string>;
}

export function matchRoute(routes: RestRoute[], method: string, pathname: string): RestMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(pathname);
    if (m === null) continue;
    const labels = new Map<string, string>();
    let ok = true;
    route.labels.forEach((label, i) => {
      try {
        labels.set(label, decodeURIComponent(m[i + 1] ?? ""));
      } catch {
        ok = false;
      }
    });
    if (ok) return { route, labels };
  }
  return undefined;
}

/** The JSON body of a restJson1 request (members without an HTTP binding), or an empty object. */
function jsonBody(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DecodeError("body", body.slice(0, 64));
  }
  if (!isRecord(json)) throw new DecodeError("body", body.slice(0, 64));
  return json;
}

/** Builds the operation input from its `@httpLabel` and `@httpQuery` members and its JSON body members. */
export function decodeRestInput(
  match: RestMatch,
  query: URLSearchParams,
  body = "",
): Record<string, unknown> {
  const out: [string, unknown][] = [];
  let json: Record<string, unknown> | undefined;
  for (const [name, member] of inputSchema(match.route.op).structIterator()) {
    const traits = member.getMergedTraits();
    const bound =
      traits.httpLabel ||
      traits.httpQuery !== undefined ||
      traits.httpHeader !== undefined ||
      traits.httpPayload;
    if (!bound) {
      json ??= jsonBody(body);
      const value = decodeJsonInput(member, json[traits.jsonName ?? name], name);
      if (value !== undefined) out.push([name, value]);
      continue;
    }
    if (traits.httpLabel) {
      const value = match.labels.get(name);
      if (value !== undefined) out.push([name, value]);
      continue;
    }
    const queryName = traits.httpQuery;
    if (queryName === undefined || !query.has(queryName)) continue;
    if (member.isListSchema()) {
      out.push([name, query.getAll(queryName)]);
      continue;
    }
    const text = query.get(queryName) ?? "";
    if (member.isNumericSchema()) {
      const n = Number(text);
      if (text.trim() === "" || !Number.isInteger(n)) throw new DecodeError(queryName, text);
      out.push([name, n]);
    } else if (member.isBooleanSchema()) {
      if (text !== "true" && text !== "false") throw new DecodeError(queryName, text);
      out.push([name, text === "true"]);
    } else {
      out.push([name, text]);
    }
  }
  return Object.fromEntries(out);
}
