import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { vi } from "vitest";

/**
 * A DynamoDB write of the findings store, named for crash points: `finding` (PutItem of a finding item),
 * `history` (BatchWriteItem), `scope` (UpdateItem of the scope item: the reconcile lease when findings
 * change, the reconcile's record, then the notifier's lease claim and release), `marker` (UpdateItem of a finding: an outbox marker removed after
 * Publish). `query` counts Query calls, not writes: the reconcile's read of the scope's findings, then the
 * notifier's read of the pending transitions (while it holds the lease, before Publish).
 */
export type WriteKind = "finding" | "history" | "scope" | "marker" | "query";

export interface CrashPoint {
  kind: WriteKind;
  /** 1-based: the n-th write of that kind. */
  nth: number;
}

/** Thrown at the crash point and by every later call of the crashed container. */
export class SimulatedCrash extends Error {
  override readonly name = "SimulatedCrash";
}

function writeOf(command: unknown): { table: string; kind: WriteKind } | undefined {
  if (command instanceof PutCommand) return { table: command.input.TableName ?? "", kind: "finding" };
  if (command instanceof BatchWriteCommand) {
    return { table: Object.keys(command.input.RequestItems ?? {})[0] ?? "", kind: "history" };
  }
  if (command instanceof QueryCommand) return { table: command.input.TableName ?? "", kind: "query" };
  if (command instanceof UpdateCommand || command instanceof DeleteCommand) {
    const sk = String(command.input.Key?.sk ?? "");
    return { table: command.input.TableName ?? "", kind: sk.startsWith("SCOPE#") ? "scope" : "marker" };
  }
  return undefined;
}

/**
 * Watches every DynamoDB document-client call (all store instances, whichever module copy built them)
 * and kills one client at a crash point: from then on every call it makes throws, as if its Lambda
 * container had died after the writes that already landed.
 */
export class CrashMonitor {
  private readonly dead = new WeakSet<object>();
  private armed: { table: string; at: CrashPoint; victim?: object; seen: number } | undefined;

  install(): void {
    const original = DynamoDBDocumentClient.prototype.send;
    const monitor = this;
    vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(function (
      this: DynamoDBDocumentClient,
      ...args: unknown[]
    ) {
      monitor.before(this, args[0]);
      return Reflect.apply(original, this, args);
    } as typeof original);
  }

  /** The next client that writes to `table` dies at `at`. */
  arm(table: string, at: CrashPoint): void {
    this.armed = { table, at, seen: 0 };
  }

  /** Whether the armed crash happened. */
  crashed(): boolean {
    return this.armed?.victim !== undefined && this.dead.has(this.armed.victim);
  }

  disarm(): void {
    this.armed = undefined;
  }

  private before(client: object, command: unknown): void {
    if (this.dead.has(client)) throw new SimulatedCrash("the container died earlier");
    const write = writeOf(command);
    if (write === undefined) return;
    const armed = this.armed;
    if (armed === undefined || armed.table !== write.table || write.kind !== armed.at.kind) return;
    if (armed.victim !== undefined && armed.victim !== client) return;
    armed.victim = client;
    armed.seen += 1;
    if (armed.seen === armed.at.nth) {
      this.dead.add(client);
      throw new SimulatedCrash(`crash at ${write.kind} write #${armed.at.nth}`);
    }
  }
}
