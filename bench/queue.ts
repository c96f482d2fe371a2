/**
 * The scan queue, in memory: the planner's real `enqueueScanTasks` sends SendMessageBatch commands to
 * `InMemorySqs`, which puts the message bodies on a bounded queue (a full queue makes the send wait),
 * and the scanner workers receive batches from it as the SQS event source would.
 */
import { randomUUID } from "node:crypto";
import type { SendMessageBatchCommand, SendMessageBatchCommandOutput, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";

interface Waiter {
  resolve(): void;
}

/** A FIFO of strings with a capacity: `push` waits while full, `take` waits while empty and open. */
export class BoundedQueue {
  private readonly items: string[] = [];
  private readonly spaceWaiters: Waiter[] = [];
  private readonly itemWaiters: Waiter[] = [];
  private closed = false;
  /** Most items ever held at once. */
  highWater = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
  }

  async push(item: string): Promise<void> {
    if (this.closed) throw new Error("queue closed");
    while (this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => this.spaceWaiters.push({ resolve }));
    }
    this.items.push(item);
    this.highWater = Math.max(this.highWater, this.items.length);
    this.itemWaiters.shift()?.resolve();
  }

  /** Up to `max` items; an empty array once the queue is closed and drained. */
  async take(max: number): Promise<string[]> {
    while (this.items.length === 0) {
      if (this.closed) return [];
      await new Promise<void>((resolve) => this.itemWaiters.push({ resolve }));
    }
    const out = this.items.splice(0, max);
    for (let i = 0; i < out.length; i++) this.spaceWaiters.shift()?.resolve();
    return out;
  }

  /** No more pushes: waiting takers get what is left, then empty batches. */
  close(): void {
    this.closed = true;
    for (const w of this.itemWaiters.splice(0)) w.resolve();
  }
}

/** Answers SendMessageBatch by pushing each entry's body on the queue. */
export class InMemorySqs {
  sendCalls = 0;

  constructor(private readonly queue: BoundedQueue) {}

  async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
    this.sendCalls++;
    const entries = command.input.Entries ?? [];
    for (const entry of entries) await this.queue.push(entry.MessageBody ?? "");
    return {
      $metadata: {},
      Successful: entries.map((e) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: "" })),
      Failed: [],
    };
  }

  /** The planner's code takes an SQSClient; it only ever calls `send(SendMessageBatchCommand)`. */
  asClient(): SQSClient {
    return this as unknown as SQSClient;
  }
}

/** An SQS record as the Lambda event source hands it to the scanner. */
export function sqsRecord(body: string, queueArn: string, region: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: now,
      SenderId: "AROAPLANNER:planner",
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
