import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { vi } from "vitest";
import type { ScanTask } from "#shared/scan/scan-task.ts";
import { createTableInput } from "#shared/store/index.ts";
import type { PublishedMessage } from "#sim/index.ts";
import { captureOutput, lambdaContext, setEnv, sqsEvent, sqsRecord } from "#test/functions/support.ts";

export type ScannerModule = typeof import("#functions/scanner/handler.ts");
export type PlannerModule = typeof import("#functions/planner/handler.ts");
export type Item = Record<string, unknown>;

/** Topic ARNs the scanners publish to: one per run or per container set, so the pages of each can be counted apart. */
export function topicArn(name: string): string {
  return `arn:aws:sns:eu-west-1:111122223333:${name}`;
}

let loading = false;

/** Imports a module graph afresh under `env`. One at a time: overlapping loads would share module copies. */
async function freshImport<T>(env: Record<string, string | undefined>, load: () => Promise<T>): Promise<T> {
  if (loading) throw new Error("load containers one after the other, not concurrently");
  loading = true;
  const restore = setEnv(env);
  try {
    vi.resetModules();
    return await load();
  } finally {
    restore();
    loading = false;
  }
}

/**
 * A fresh scanner "container": the handler module imported anew under `env`, so it gets its own
 * configuration, logger, DynamoDB/SNS clients, store, notifier and batch processor (all built at import).
 */
export function loadScanner(env: Record<string, string | undefined>): Promise<ScannerModule> {
  return freshImport(env, () => import("#functions/scanner/handler.ts"));
}

/** A fresh planner; its logs stay out of the test output unless `env` sets POWERTOOLS_LOG_LEVEL. */
export function loadPlanner(env: Record<string, string | undefined>): Promise<PlannerModule> {
  return freshImport(
    { POWERTOOLS_LOG_LEVEL: "SILENT", ...env },
    () => import("#functions/planner/handler.ts"),
  );
}

export function taskRecord(task: ScanTask): SQSRecord {
  return sqsRecord(JSON.stringify(task));
}

/** What became of the messages of one simulated SQS → Lambda delivery. */
export interface Delivery {
  /** Handler invocations, redeliveries included. */
  invocations: number;
  /** Records handed to a handler, redeliveries included. */
  receives: number;
  /** Records handed again after a failure. */
  redeliveries: number;
  /** Records that failed `maxReceives` times (the DLQ after the redrive policy's maxReceiveCount). */
  deadLetters: SQSRecord[];
  /** JSON lines the handlers logged (Powertools logs and EMF metrics). */
  lines: Record<string, unknown>[];
  /** Everything written to stdout and stderr while the handlers ran, JSON or not. */
  output: string;
}

/**
 * SQS and the Lambda event source mapping, simulated: `containers` scanner containers take batches of
 * `batchSize` records from one queue concurrently (one invocation at a time per container, as in
 * Lambda); the records a handler reports in `batchItemFailures` go back to the queue until they were
 * received `maxReceives` times. Bounded: every record is received at most `maxReceives` times.
 * With `everyContainerGetsEachRecord`, each container consumes its own copy of the queue (SQS
 * delivering every message once per container, at the same time).
 */
export async function deliver(
  containers: readonly ScannerModule[],
  records: readonly SQSRecord[],
  options: { batchSize?: number; maxReceives?: number; everyContainerGetsEachRecord?: boolean } = {},
): Promise<Delivery> {
  const batchSize = options.batchSize ?? 5;
  const maxReceives = options.maxReceives ?? 3;
  const queueOf = () => records.map((record) => ({ record, receives: 0 }));
  const shared = queueOf();
  const out: Delivery = {
    invocations: 0,
    receives: 0,
    redeliveries: 0,
    deadLetters: [],
    lines: [],
    output: "",
  };
  const consume = async (container: ScannerModule, index: number) => {
    const queue = options.everyContainerGetsEachRecord === true ? queueOf() : shared;
    for (let batch = queue.splice(0, batchSize); batch.length > 0; batch = queue.splice(0, batchSize)) {
      for (const entry of batch) {
        if (entry.receives > 0) out.redeliveries += 1;
        entry.receives += 1;
      }
      out.invocations += 1;
      out.receives += batch.length;
      const response: SQSBatchResponse = await container.handler(
        sqsEvent(batch.map((e) => e.record)),
        lambdaContext("eks-auditor-scanner", `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`),
      );
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      for (const entry of batch) {
        if (!failed.has(entry.record.messageId)) continue;
        if (entry.receives >= maxReceives) out.deadLetters.push(entry.record);
        else queue.push(entry);
      }
    }
  };
  // One capture around every container: captures must not overlap (each swaps process.stdout.write).
  const { lines, output } = await capture(() => Promise.all(containers.map((c, i) => consume(c, i))));
  out.lines = lines;
  out.output = output;
  return out;
}

/** Captures stdout and stderr while `fn` runs: the raw text and its JSON lines. */
export const capture = captureOutput;

// ---- the table --------------------------------------------------------------------------------------

export async function createTable(doc: DynamoDBDocumentClient, name: string): Promise<string> {
  await doc.send(new CreateTableCommand(createTableInput(name)));
  return name;
}

/** Every item of the table (Scan, all pages; bounded by the table's size). */
export async function tableItems(doc: DynamoDBDocumentClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 10_000; page++) {
    const out = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
    if (startKey === undefined) break;
  }
  return items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** Copies every item of `from` into `to` (seeds a table with another run's findings and scopes). */
export async function copyTable(doc: DynamoDBDocumentClient, from: string, to: string): Promise<number> {
  const items = await tableItems(doc, from);
  for (let start = 0; start < items.length; start += 25) {
    let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0 && attempt < 10; attempt++) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [to]: requests } }));
      requests = (out.UnprocessedItems?.[to] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
    if (requests.length > 0) throw new Error(`copyTable: ${requests.length} items left unprocessed`);
  }
  return items.length;
}

export function keyOf(item: Item): string {
  return `${String(item.pk)}|${String(item.sk)}`;
}

export const isFinding = (item: Item): boolean => item.itemType === "FINDING";
export const isHistory = (item: Item): boolean => String(item.sk).startsWith("HISTORY#");
export const isScope = (item: Item): boolean => String(item.sk).startsWith("SCOPE#");

export function scopeOf(item: Item): string {
  return `${String(item.accountId)}/${String(item.region)}`;
}

/**
 * What two runs must agree on for a finding: its identity (the keys), state and severity, and what it
 * says. Times, run ids, versions and the outbox are per run ("firstSeen semantics aside").
 */
export function findingState(item: Item): string {
  const pending = item.notifyPending as Record<string, unknown> | undefined;
  return [
    keyOf(item),
    item.status,
    item.severity,
    item.contentHash,
    `gsi1=${String(item.gsi1pk ?? "-")}`,
    `gsi2=${String(item.gsi2sk)}`,
    `pending=${Object.keys(pending ?? {}).length}`,
  ].join(" ");
}

/** The finding states of a table, optionally only those of some account-regions. */
export function findingStates(items: readonly Item[], scopes?: ReadonlySet<string>): string[] {
  return items
    .filter((i) => isFinding(i) && (scopes === undefined || scopes.has(scopeOf(i))))
    .map(findingState)
    .sort();
}

/** SNS messages published for one account-region to one topic. */
export function pagesOf(
  published: readonly PublishedMessage[],
  topic: string,
  scope?: { accountId: string; region: string },
): PublishedMessage[] {
  return published.filter(
    (m) =>
      m.topicArn === topic &&
      (scope === undefined ||
        (m.messageAttributes.accountId?.StringValue === scope.accountId &&
          m.messageAttributes.region?.StringValue === scope.region)),
  );
}

/** The figures a test measured, printed once at the end of its file (README "Reliability" quotes them). */
export function reportFigures(title: string, figures: Record<string, unknown>): void {
  process.stdout.write(`\n[reliability] ${title}: ${JSON.stringify(figures)}\n`);
}
