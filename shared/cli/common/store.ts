import { mkdir, stat } from "node:fs/promises";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createTableInput, FindingsStore } from "#shared/store/index.ts";
import type { StoreSpec } from "./options.ts";
import { NoCredentialsError } from "./session.ts";

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

interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
}

// dynalite ships CommonJS without types; `level` is its own LevelDB binding, resolved from dynalite.
const requireHere = createRequire(import.meta.url);
const loadDynalite = () => requireHere("dynalite") as DynaliteFactory;
const loadLevel = () =>
  createRequire(requireHere.resolve("dynalite"))("level") as { Level: new (path: string) => LevelDatabase };

export async function openFindingsStore(
  spec: Exclude<StoreSpec, { kind: "none" }>,
  options: OpenStoreOptions,
): Promise<OpenedStore> {
  return spec.kind === "dynalite" ? openDynalite(spec.dir, options) : openDynamoDb(spec, options);
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
}

async function openDynalite(dir: string, options: OpenStoreOptions): Promise<OpenedStore> {
  const label = `dynalite:${dir}`;
  const path = resolve(dir);
  if (options.create) {
    await mkdir(path, { recursive: true }).catch((err: unknown) => {
      throw new StoreError(`--store ${label}: cannot create the directory: ${(err as Error).message}`);
    });
  } else if (!(await stat(path).catch(() => undefined))?.isDirectory()) {
    throw new StoreError(`--store ${label}: no findings store there yet; \`eks-audit scan\` creates it.`);
  }
  // LevelDB allows one process per directory; dynalite would crash on the lock, so try it first.
  const probe = new (loadLevel().Level)(path);
  try {
    await probe.open();
    await probe.close();
  } catch (err) {
    const why =
      errorCode(err) === "LEVEL_LOCKED"
        ? "in use by another eks-audit process; wait for it to finish or pass another --store"
        : `cannot open the database: ${(err as Error).message}`;
    throw new StoreError(`--store ${label}: ${why}.`);
  }

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
  const close = async () => {
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
    if (!exists) await client.send(new CreateTableCommand(createTableInput(LOCAL_TABLE_NAME)));
  } catch (err) {
    await close();
    throw err;
  }
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
