import type { Context } from "aws-lambda";
import { sqsClient } from "#functions/commons/clients.ts";
import { plannerConfigFromEnv } from "#functions/commons/config.ts";
import {
  enqueueScanTasks,
  type PlannerEvent,
  plannerFactories,
  planRun,
  runOfInvocation,
} from "#functions/commons/planner.ts";
import { logger } from "#functions/commons/powertools/logger.ts";

// Once per container: configuration (a bad setting fails the init, naming the variable) and the SQS client.
const config = plannerConfigFromEnv();
const sqs = sqsClient(config);

/** EventBridge Scheduler target: one SQS scan task per account-region of the run. */
export const handler = async (event: PlannerEvent, context: Context) => {
  logger.addContext(context);
  const run = runOfInvocation(event, context.awsRequestId);
  logger.appendKeys({ runId: run.runId });
  const clients = plannerFactories(config, run.runId);
  try {
    const tasks = await planRun(clients.factory, {
      ...run,
      accounts: config.accounts,
      regions: config.regions,
      organizations: clients.organizations,
      onUnreachable: (scope, err) =>
        logger.warn("Account unreachable: one home-region task", { ...scope, error: err as Error }),
    });
    const sent = await enqueueScanTasks(sqs, config.queueUrl, tasks);
    const summary = { ...run, tasks: tasks.length, accounts: new Set(tasks.map((t) => t.accountId)).size };
    logger.info("Run planned", { ...summary, ...sent });
    return summary;
  } finally {
    clients.destroy();
    logger.removeKeys(["runId"]);
  }
};
