import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { createFindingsTable } from "#shared/store/create-table.ts";
import { FindingsStore } from "#shared/store/index.ts";

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

// dynalite ships CommonJS without types.
const dynalite = createRequire(import.meta.url)("dynalite") as DynaliteFactory;

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Creates a fresh findings table (from `createTableInput`), waits until it is ACTIVE and returns its name. */
  createTable(): Promise<string>;
  stop(): Promise<void>;
}

/** An in-process dynalite (in-memory) with SDK clients pointed at it; `createTableMs`: how long a new table stays CREATING. */
export async function startDynalite(options: { createTableMs?: number } = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: options.createTableMs ?? 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const doc = DynamoDBDocumentClient.from(client);
  return {
    endpoint,
    client,
    doc,
    async createTable() {
      const name = `findings-${randomUUID()}`;
      await createFindingsTable(client, name);
      return name;
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** What `freshStorePerTest` hands each test: the file's dynalite, a new table and a store on it. */
export interface FreshStore {
  dynamo: LocalDynamo;
  table: string;
  store: FindingsStore;
}

/**
 * The store tests' set-up: one dynalite for the test file, a fresh findings table and a `FindingsStore` on it
 * before each test, handed to `use` (which keeps them in the file's variables).
 */
export function freshStorePerTest(use: (fresh: FreshStore) => void): void {
  let dynamo: LocalDynamo | undefined;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });
  beforeEach(async () => {
    if (!dynamo) throw new Error("dynalite did not start");
    const table = await dynamo.createTable();
    use({ dynamo, table, store: new FindingsStore(dynamo.doc, table) });
  });
}
