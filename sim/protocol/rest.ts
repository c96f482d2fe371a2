import { DecodeError } from "./errors.ts";
import { httpBinding, inputSchema, type OperationSchema } from "./schema.ts";

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

/** Builds the operation input from its `@httpLabel` and `@httpQuery` members. */
export function decodeRestInput(match: RestMatch, query: URLSearchParams): Record<string, unknown> {
  const out: [string, unknown][] = [];
  for (const [name, member] of inputSchema(match.route.op).structIterator()) {
    const traits = member.getMergedTraits();
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
