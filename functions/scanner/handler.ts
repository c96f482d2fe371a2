import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { dynamoClient } from "#functions/commons/clients.ts";
import { scannerConfigFromEnv } from "#functions/commons/config.ts";
import { functionNotifier } from "#functions/commons/notifier.ts";
import { logger } from "#functions/commons/powertools/logger.ts";
import { metrics } from "#functions/commons/powertools/metrics.ts";
import { ruleById } from "#shared/catalog/index.ts";
import type { RuleId } from "#shared/findings/index.ts";
import { FindingsStore } from "#shared/store/index.ts";
import { DEFAULT_WRITE_RESERVE_MS, reconcileWaitWithin } from "./deadline.ts";
import { ScanRecordHandler } from "./scan-record.ts";
import { deployedSuppressions } from "./suppressions.ts";

// Once per container: configuration (a bad setting fails the init, naming the variable) and clients.
const config = scannerConfigFromEnv();
/** Exported for the benchmark, which reads the container's write counters (`store.stats()`). */
export const store = new FindingsStore(dynamoClient(config), config.tableName, {
  ...(config.historyRetentionDays ? { historyRetentionDays: config.historyRetentionDays } : {}),
  // Waiting for another run's lease must fit the time kept for writing (SCAN_WRITE_RESERVE_MS): a reconcile
  // that gives up fails the record, which SQS redelivers, instead of the function timing out mid-write.
  reconcileWaitMs: reconcileWaitWithin(config.writeReserveMs ?? DEFAULT_WRITE_RESERVE_MS),
});
// SNS, or Security Hub then SNS (SECURITY_HUB_IMPORT), each once per transition through the store's outbox.
const notifier = await functionNotifier(
  { ...config, ruleLink: (id) => ruleById(id as RuleId)?.link },
  store.ledger,
);
const suppressions = deployedSuppressions(config.suppressionsFile);
const scanRecord = new ScanRecordHandler({
  config,
  store,
  notifier,
  logger,
  metrics,
  ...(suppressions ? { suppressions } : {}),
});
const processor = new BatchProcessor(EventType.SQS);

/** SQS consumer: one scan task per record; failed records are reported, the others are not re-run. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    // Sequential: the log keys are per record, and EC2 throttles per account-region anyway.
    return await processPartialResponse(event, scanRecord.handle, processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  } finally {
    metrics.publishStoredMetrics();
  }
};
