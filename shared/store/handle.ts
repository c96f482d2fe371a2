import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import type { StoreStats } from "./types.ts";

export type Raw = Record<string, unknown>;
type WriteOperation = keyof StoreStats["writesByOperation"];
export type ItemKind = keyof StoreStats["itemsWritten"];

/** Re-read-and-re-decide rounds before giving up on an item another writer keeps changing. */
export const MAX_WRITE_ATTEMPTS = 8;
const BATCH_WRITE_MAX_ITEMS = 25;

/** One request of a BatchWriteItem: an item to put or a key to delete. */
type BatchRequest = { PutRequest: { Item: Raw } } | { DeleteRequest: { Key: Raw } };

export interface TableHandleOptions {
  /** Epoch milliseconds; leases (reconcile and notification) are measured with it. */
  clock?: () => number;
  /** Waits between lease polls (tests observe a reconcile waiting for another's lease through it). */
  sleep?: (ms: number) => Promise<void>;
}

export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === "ConditionalCheckFailedException";
}

function emptyStats(): StoreStats {
  return {
    writeCalls: 0,
    writesByOperation: { PutItem: 0, UpdateItem: 0, DeleteItem: 0, BatchWriteItem: 0 },
    itemsWritten: { finding: 0, scope: 0, history: 0, sample: 0 },
    readCalls: 0,
  };
}

/**
 * The findings table as the writer, the reader and the notification ledger share it: one document
 * client, the table name, the clock, and the DynamoDB calls they make — counted, so tests and the
 * benchmark can prove that an unchanged re-run writes no finding item.
 */
export class TableHandle {
  readonly tableName: string;
  readonly doc: DynamoDBDocumentClient;
  readonly clock: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  private counters: StoreStats = emptyStats();

  constructor(
    client: DynamoDBDocumentClient | DynamoDBClient,
    tableName: string,
    options: TableHandleOptions = {},
  ) {
    this.doc =
      client instanceof DynamoDBClient
        ? DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } })
        : client;
    this.tableName = tableName;
    this.clock = options.clock ?? (() => Date.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  stats(): StoreStats {
    return structuredClone(this.counters);
  }

  resetStats(): void {
    this.counters = emptyStats();
  }

  /** One item by key, strongly consistent. */
  async get(pk: string, sk: string): Promise<Raw | undefined> {
    this.counters.readCalls++;
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** Every page of a Query (until `limit` items when given). */
  async queryAll(input: QueryCommandInput, limit?: number): Promise<Raw[]> {
    const items: Raw[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      this.counters.readCalls++;
      const page = await this.doc.send(
        new QueryCommand(startKey === undefined ? input : { ...input, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && (limit === undefined || items.length < limit));
    return limit === undefined ? items : items.slice(0, limit);
  }

  put(kind: ItemKind, input: Omit<PutCommandInput, "TableName">): Promise<unknown> {
    return this.write("PutItem", kind, 1, () =>
      this.doc.send(new PutCommand({ ...input, TableName: this.tableName })),
    );
  }

  update(kind: ItemKind, input: Omit<UpdateCommandInput, "TableName">): Promise<UpdateCommandOutput> {
    return this.write("UpdateItem", kind, 1, () =>
      this.doc.send(new UpdateCommand({ ...input, TableName: this.tableName })),
    );
  }

  /** BatchWriteItem in chunks of 25, retrying unprocessed items with backoff. */
  async batchPut(items: readonly Raw[], kind: ItemKind): Promise<void> {
    await this.batchWrite(
      items.map((Item) => ({ PutRequest: { Item } })),
      kind,
    );
  }

  /** Deletes by key, as `batchPut` writes: 25 to a BatchWriteItem, unprocessed keys retried with backoff. */
  async batchDelete(keys: readonly Raw[], kind: ItemKind): Promise<void> {
    await this.batchWrite(
      keys.map((Key) => ({ DeleteRequest: { Key } })),
      kind,
    );
  }

  private async batchWrite(all: readonly BatchRequest[], kind: ItemKind): Promise<void> {
    for (let start = 0; start < all.length; start += BATCH_WRITE_MAX_ITEMS) {
      let requests = all.slice(start, start + BATCH_WRITE_MAX_ITEMS);
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
        if (attempt >= MAX_WRITE_ATTEMPTS) {
          throw new Error(
            `BatchWriteItem: ${requests.length} ${kind} items still unprocessed after retries.`,
          );
        }
        const batch = requests;
        const out = await this.write("BatchWriteItem", kind, batch.length, () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: [...batch] } })),
        );
        const unprocessed = out.UnprocessedItems?.[this.tableName] ?? [];
        requests = unprocessed.flatMap((r): BatchRequest[] => {
          if (r.PutRequest?.Item) return [{ PutRequest: { Item: r.PutRequest.Item } }];
          if (r.DeleteRequest?.Key) return [{ DeleteRequest: { Key: r.DeleteRequest.Key } }];
          return [];
        });
        this.counters.itemsWritten[kind] -= requests.length;
      }
    }
  }

  private async write<T>(
    operation: WriteOperation,
    kind: ItemKind,
    items: number,
    call: () => Promise<T>,
  ): Promise<T> {
    this.counters.writeCalls++;
    this.counters.writesByOperation[operation]++;
    const out = await call();
    this.counters.itemsWritten[kind] += items;
    return out;
  }
}
