import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createFindingsTable } from "#shared/store/create-table.ts";
import { FindingsStore } from "#shared/store/index.ts";
import type { StoreSpec } from "./options.ts";
import { NoCredentialsError } from "./session.ts";
import { checkStoreDirectory, STORE_LOCKED_CAUSE, StoreDirectoryError } from "./store-directory.ts";

/** The table inside an embedded dynalite store. */
export const LOCAL_TABLE_NAME = "eks-auditor-findings";

/** A store that cannot be opened: the CLI prints the message as its one line. */
export class StoreError extends Error {
  override readonly name = "StoreError";
}

export interface OpenedStore {
  store: FindingsStore;
  /** How the store is shown to the user, e.g. `dynalite:.eks-audit` or `dynamodb:findings (eu-west-1)`. */
  label: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Shared-config profile for `dynamodb:TABLE`. */
  profile?: string;
  /** `scan` creates the dynalite store and its table; `findings` only reads an existing one. */
  create: boolean;
}

type DynaliteFactory = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

// dynalite ships CommonJS without types.
const requireHere = createRequire(import.meta.url);
const loadDynalite = () => requireHere("dynalite") as DynaliteFactory;

/** Directories this process has open: a second open here would share (and then drop) LevelDB's lock. */
const openHere = new Set<string>();

export async function openFindingsStore(
  spec: Exclude<StoreSpec, { kind: "none" }>,
  options: OpenStoreOptions,
): Promise<OpenedStore> {
  return spec.kind === "dynalite" ? openDynalite(spec.dir, options) : openDynamoDb(spec, options);
}

async function openDynalite(dir: string, options: OpenStoreOptions): Promise<OpenedStore> {
  const label = `dynalite:${dir}`;
  const path = resolve(dir);
  // POSIX locks are per process: a probe here would not see (and, closing, would drop) our own lock.
  if (openHere.has(path)) throw new StoreError(`--store ${label}: ${STORE_LOCKED_CAUSE}.`);
  openHere.add(path);
  try {
    return await startDynalite(path, label, options);
  } catch (err) {
    openHere.delete(path);
    if (err instanceof StoreDirectoryError) throw new StoreError(`--store ${label}: ${err.message}.`);
    if (err instanceof StoreError) throw err;
    throw new StoreError(`--store ${label}: cannot open the database: ${(err as Error).message}.`);
  }
}

async function startDynalite(path: string, label: string, options: OpenStoreOptions): Promise<OpenedStore> {
  await checkStoreDirectory(path, { create: options.create });
  const server = loadDynalite()({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const stop = async () => {
    client.destroy();
    await new Promise<void>((done, fail) => server.close((err) => (err ? fail(err) : done())));
  };
  try {
    const exists = await tableExists(client, LOCAL_TABLE_NAME);
    if (!exists && !options.create) {
      throw new StoreError(
        `--store ${label}: no findings recorded there yet; \`eks-audit scan\` records them.`,
      );
    }
    if (!exists) await createFindingsTable(client, LOCAL_TABLE_NAME);
  } catch (err) {
    await stop();
    throw err;
  }
  const close = () => stop().finally(() => openHere.delete(path));
  return { store: new FindingsStore(client, LOCAL_TABLE_NAME), label, close };
}

async function openDynamoDb(
  spec: Extract<StoreSpec, { kind: "dynamodb" }>,
  options: OpenStoreOptions,
): Promise<OpenedStore> {
  const client = new DynamoDBClient({
    ...(options.profile ? { profile: options.profile } : {}),
    ...(spec.region ? { region: spec.region } : {}),
  });
  let region: string;
  try {
    region = await client.config.region();
  } catch {
    client.destroy();
    throw new StoreError(
      `--store dynamodb:${spec.table}: no AWS region configured: set AWS_REGION, set one in your profile, or pass the table ARN.`,
    );
  }
  const label = `dynamodb:${spec.table} (${region})`;
  try {
    if (!(await tableExists(client, spec.table))) {
      throw new StoreError(
        `--store dynamodb:${spec.table}: no table "${spec.table}" in ${region} for these credentials; pass the findings table of the central stack.`,
      );
    }
  } catch (err) {
    const name = (err as { name?: string }).name;
    // Without dynamodb:DescribeTable the table may still be readable and writable: let the scan tell.
    if (name !== "AccessDeniedException") {
      client.destroy();
      if (name === "CredentialsProviderError") throw new NoCredentialsError();
      throw err;
    }
  }
  return { store: new FindingsStore(client, spec.table), label, close: async () => client.destroy() };
}

async function tableExists(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === "ResourceNotFoundException") return false;
    throw err;
  }
}
