import { Duration } from "aws-cdk-lib";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Queue, QueueEncryption, type QueueProps } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** SSE with SQS-owned keys, or KMS with `key`; TLS only. */
export function encryptedQueueProps(
  key: IKey | undefined,
): Pick<QueueProps, "encryption" | "encryptionMasterKey" | "enforceSSL"> {
  return key
    ? { encryptionMasterKey: key, enforceSSL: true }
    : { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
}

export interface ScanQueueProps {
  /** The consumer's timeout: the visibility timeout is six times it (AWS's guidance for Lambda consumers). */
  consumerTimeout: Duration;
  /** Receives before a task goes to the DLQ. */
  maxReceiveCount: number;
  key?: IKey;
}

/** The scan-task queue and its dead-letter queue: encrypted, TLS only. */
export class ScanQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ScanQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, "DeadLetters", {
      ...encryptedQueueProps(props.key),
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, "Tasks", {
      ...encryptedQueueProps(props.key),
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
