import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Estate } from "#shared/estate/index.ts";
import { AwsError, DecodeError } from "#sim/protocol/errors.ts";
import { decodeJsonInput, toJsonValue } from "#sim/protocol/json.ts";
import { decodeQueryInput, formValue, parseFormTree } from "#sim/protocol/query.ts";
import { decodeRestInput, matchRoute } from "#sim/protocol/rest.ts";
import { inputSchema, isRecord, outputSchema } from "#sim/protocol/schema.ts";
import {
  type Protocol,
  SERVICES,
  type ServiceDefinition,
  statusOfErrorCode,
} from "#sim/protocol/services.ts";
import { ec2ErrorXml, ec2ResponseXml, queryErrorXml, queryResponseXml } from "#sim/protocol/xml.ts";
import type { CallContext, OperationHandler, PublishedMessage } from "#sim/services/context.ts";
import { SecurityHubState } from "#sim/services/securityhub.ts";
import { CallLog, type CallOutcome } from "./calls.ts";
import { FaultState } from "./faults.ts";
import { parseAuthorization, Sessions } from "./identity.ts";

export type { PublishedMessage } from "#sim/services/context.ts";

export interface SimulatorOptions {
  estate: Estate;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43567 — pass as `endpoint` to every SDK client. */
  url: string;
  calls: CallLog;
  /** SNS Publish calls, in order. */
  published: PublishedMessage[];
  /** Security Hub BatchImportFindings calls received, and the findings Security Hub holds. */
  securityHub: SecurityHubState;
  /** Serves another estate from now on; fault state (buckets, call counters) starts afresh. */
  setEstate(estate: Estate): void;
  /** Clears the call log and the fault counters; keeps published messages. */
  resetCounters(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One parsed AWS call: which operation, and how to read its input once faults have had their say. */
interface RoutedCall {
  operation: string;
  handler?: OperationHandler;
  decode(): Record<string, unknown>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function routeCall(service: ServiceDefinition, req: IncomingMessage, url: URL, body: string): RoutedCall {
  switch (service.protocol) {
    case "ec2":
    case "query": {
      const tree = parseFormTree(body !== "" ? body : url.search.slice(1));
      const operation = formValue(tree, "Action") ?? "";
      const handler = service.operations.get(operation);
      const flavour = service.protocol === "ec2" ? "ec2" : "query";
      return {
        operation,
        ...(handler ? { handler } : {}),
        decode: () => (handler ? decodeQueryInput(inputSchema(handler.schema), tree, flavour) : {}),
      };
    }
    case "json": {
      const target = header(req, "x-amz-target") ?? "";
      const dot = target.lastIndexOf(".");
      const operation = dot >= 0 ? target.slice(dot + 1) : target;
      const handler =
        target.slice(0, dot) === service.targetPrefix ? service.operations.get(operation) : undefined;
      return {
        operation,
        ...(handler ? { handler } : {}),
        decode: () => {
          if (handler === undefined) return {};
          let json: unknown;
          try {
            json = body.trim() === "" ? {} : JSON.parse(body);
          } catch {
            throw new AwsError(
              "SerializationException",
              "Start of structure or map found where not expected.",
            );
          }
          const decoded = decodeJsonInput(inputSchema(handler.schema), json);
          return isRecord(decoded) ? decoded : {};
        },
      };
    }
    case "rest-json": {
      const match = matchRoute(service.routes, req.method ?? "GET", url.pathname);
      const handler = match ? service.operations.get(match.route.op[2]) : undefined;
      return {
        operation: handler ? handler.schema[2] : "UnknownOperation",
        ...(handler ? { handler } : {}),
        decode: () => (match ? decodeRestInput(match, url.searchParams, body) : {}),
      };
    }
  }
}

function renderOk(
  service: ServiceDefinition,
  handler: OperationHandler,
  output: unknown,
  requestId: string,
): Reply {
  const headers = { "x-amzn-requestid": requestId };
  switch (service.protocol) {
    case "ec2":
      return {
        status: 200,
        headers: { ...headers, "content-type": "text/xml;charset=UTF-8" },
        body: ec2ResponseXml(handler.schema, output, requestId, service.xmlns),
      };
    case "query":
      return {
        status: 200,
        headers: { ...headers, "content-type": "text/xml" },
        body: queryResponseXml(handler.schema, output, requestId, service.xmlns),
      };
    case "json":
    case "rest-json": {
      const json = toJsonValue(outputSchema(handler.schema), output, {
        useJsonName: service.protocol === "rest-json",
      });
      return {
        status: 200,
        headers: {
          ...headers,
          "content-type": service.protocol === "json" ? "application/x-amz-json-1.1" : "application/json",
        },
        body: JSON.stringify(json ?? {}),
      };
    }
  }
}

function renderError(protocol: Protocol, xmlns: string, err: AwsError, requestId: string): Reply {
  const headers = { "x-amzn-requestid": requestId };
  switch (protocol) {
    case "ec2":
      return {
        status: err.status,
        headers: { ...headers, "content-type": "text/xml;charset=UTF-8" },
        body: ec2ErrorXml(err.code, err.message, requestId),
      };
    case "query":
      return {
        status: err.status,
        headers: { ...headers, "content-type": "text/xml" },
        body: queryErrorXml(err.code, err.message, requestId, xmlns, err.sender),
      };
    case "json":
      return {
        status: err.status,
        headers: { ...headers, "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": err.code },
        body: JSON.stringify({ __type: err.code, Message: err.message, ...err.fields }),
      };
    case "rest-json":
      return {
        status: err.status,
        headers: { ...headers, "content-type": "application/json", "x-amzn-errortype": err.code },
        body: JSON.stringify({ message: err.message, ...err.fields }),
      };
  }
}

function failingCallError(service: ServiceDefinition, code: string | undefined, ctx: CallContext): AwsError {
  const errorCode = code ?? service.defaultFailureCode;
  const message =
    errorCode === "UnauthorizedOperation"
      ? "You are not authorized to perform this operation."
      : /^(AccessDenied|AuthorizationError)/.test(errorCode)
        ? `User: ${ctx.caller.arn} is not authorized to perform: ${service.name}:${ctx.operation}`
        : `The simulated call ${ctx.operation} failed with ${errorCode}.`;
  return new AwsError(errorCode, message, statusOfErrorCode(errorCode));
}

function asAwsError(service: ServiceDefinition, err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  if (err instanceof DecodeError) return new AwsError(service.invalidParameterCode, err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new AwsError("InternalFailure", `The simulator failed to answer: ${message}`, 500);
}

class SimulatorState {
  readonly calls = new CallLog();
  readonly published: PublishedMessage[] = [];
  readonly securityHub = new SecurityHubState();
  readonly sessions = new Sessions();
  faults: FaultState;

  constructor(public estate: Estate) {
    this.faults = new FaultState(estate.faults);
  }

  setEstate(estate: Estate): void {
    this.estate = estate;
    this.faults = new FaultState(estate.faults);
  }

  async answer(req: IncomingMessage, url: URL, body: string, requestId: string): Promise<Reply> {
    const scope = parseAuthorization(header(req, "authorization"));
    if (scope === undefined) {
      const err = new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
      return renderError("query", "", err, requestId);
    }
    const caller = this.sessions.resolve(scope.accessKeyId, this.estate);
    const base = { service: scope.service, accountId: caller.accountId, region: scope.region };
    const service = SERVICES.get(scope.service);
    if (service === undefined) {
      // Unknown service: answer in the style the request used, JSON when it names an X-Amz-Target.
      const target = header(req, "x-amz-target");
      const err = target
        ? new AwsError("UnknownOperationException", `The simulator does not serve ${scope.service}.`)
        : new AwsError("InvalidAction", `The simulator does not serve ${scope.service}.`);
      const operation = target?.split(".").pop() ?? formValue(parseFormTree(body), "Action");
      this.calls.record({ ...base, operation: operation || "UnknownOperation", outcome: err.code });
      return renderError(target ? "json" : "query", "", err, requestId);
    }

    const call = routeCall(service, req, url, body);
    if (call.handler === undefined) {
      const err = service.unknownOperation(call.operation);
      this.calls.record({ ...base, operation: call.operation || "UnknownOperation", outcome: err.code });
      return renderError(service.protocol, service.xmlns, err, requestId);
    }

    const faults = this.faults;
    const ctx: CallContext = {
      ...base,
      operation: call.operation,
      caller,
      estate: this.estate,
      faults,
      sessions: this.sessions,
      published: this.published,
      securityHub: this.securityHub,
    };
    const decision = faults.decide(ctx);
    let outcome: CallOutcome = "ok";
    let reply: Reply;
    try {
      if (decision.regionNotEnabled) throw service.regionNotEnabled(ctx.accountId);
      if (decision.failing) throw failingCallError(service, decision.failing.errorCode, ctx);
      if (decision.throttled) {
        outcome = "throttled";
        throw service.throttled();
      }
      if (decision.serverError) {
        outcome = "serverError";
        throw service.serverError(decision.serverError.unavailable);
      }
      const input = call.decode();
      const targeted = faults.failingFor(ctx, input);
      if (targeted) throw failingCallError(service, targeted.errorCode, ctx);
      const output = await call.handler.handle(ctx, input);
      reply = renderOk(service, call.handler, output, requestId);
    } catch (err) {
      const awsError = asAwsError(service, err);
      if (outcome === "ok") outcome = awsError.code;
      reply = renderError(service.protocol, service.xmlns, awsError, requestId);
    }
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    this.calls.record({ ...base, operation: call.operation, outcome });
    return reply;
  }

  inspect(url: URL): Reply | undefined {
    const json = (value: unknown): Reply => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(value, null, 2),
    });
    switch (url.pathname) {
      case "/_sim/calls":
        return json({
          total: this.calls.total(),
          throttled: this.calls.throttled(),
          byOperation: this.calls.byOperation(),
          byScope: this.calls.byScope(),
          calls: this.calls.all(),
        });
      case "/_sim/published":
        return json(
          this.published.map((m) => ({
            ...m,
            messageAttributes: Object.fromEntries(
              Object.entries(m.messageAttributes).map(([name, v]) => [
                name,
                v.BinaryValue ? { ...v, BinaryValue: Buffer.from(v.BinaryValue).toString("base64") } : v,
              ]),
            ),
          })),
        );
      default:
        return undefined;
    }
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

async function handle(state: SimulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  try {
    const body = await readBody(req);
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://simulator.invalid");
    } catch {
      url = new URL("http://simulator.invalid/");
    }
    if (req.headers.authorization === undefined && url.pathname.startsWith("/_sim/")) {
      const reply = state.inspect(url);
      if (reply) return send(res, reply);
    }
    send(res, await state.answer(req, url, body, requestId));
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      send(
        res,
        renderError(
          "query",
          "",
          new AwsError("RequestEntityTooLarge", "Request body too large", 413),
          requestId,
        ),
      );
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    send(res, renderError("query", "", new AwsError("InternalFailure", message, 500), requestId));
  }
}

/** Serves `estate` over the AWS wire protocols on a loopback port until `close()`. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const state = new SimulatorState(opts.estate);
  const server = createServer((req, res) => {
    handle(state, req, res).catch(() => {
      res.destroy();
    });
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    calls: state.calls,
    published: state.published,
    securityHub: state.securityHub,
    setEstate: (estate) => state.setEstate(estate),
    resetCounters: () => {
      state.calls.clear();
      state.faults.reset();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
