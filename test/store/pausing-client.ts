import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * A DynamoDB document client of its own (over a shared low-level client) that stops before its n-th
 * call — read or write — until released, or dies there: the interleaving points of two reconciles,
 * forced deterministically.
 */
export interface PausingClient {
  doc: DynamoDBDocumentClient;
  /** Names of the commands sent so far, in order (`GetCommand`, `UpdateCommand`, …). */
  calls: string[];
  /** Resolves when the client stopped before the chosen call. */
  reached: Promise<void>;
  /** Lets the stopped call (and every later one) through. */
  release(): void;
}

export function pausingClient(
  client: DynamoDBClient,
  options: {
    /** 1-based: stop before this call. */
    pauseBefore?: number;
    /** 1-based: this call and every later one throw, as if the container died there. */
    dieAt?: number;
    /** 1-based: only this call throws (a DynamoDB error that is not a failed condition). */
    failAt?: number;
  } = {},
): PausingClient {
  const doc = DynamoDBDocumentClient.from(client);
  const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
  const calls: string[] = [];
  let reach: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const paused = async (command: unknown): Promise<unknown> => {
    calls.push((command as object).constructor.name);
    const n = calls.length;
    if (options.dieAt !== undefined && n >= options.dieAt) {
      throw new Error(`simulated crash at DynamoDB call #${n} (${calls[n - 1]})`);
    }
    if (n === options.failAt) {
      throw Object.assign(new Error(`simulated InternalServerError at DynamoDB call #${n}`), {
        name: "InternalServerError",
      });
    }
    if (n === options.pauseBefore) {
      reach();
      await released;
    }
    return send(command);
  };
  (doc as unknown as { send: typeof paused }).send = paused;
  return { doc, calls, reached, release };
}
