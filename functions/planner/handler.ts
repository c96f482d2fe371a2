import type { Context } from "aws-lambda";
import { sqsClient } from "#functions/commons/clients.ts";
import { accountSelectionOf, plannerConfigFromEnv } from "#functions/commons/config.ts";
import {
  enqueueScanTasks,
  type PlannerEvent,
  plannerFactories,
  runOfInvocation,
} from "#functions/commons/planner.ts";
import { logger } from "#functions/commons/powertools/logger.ts";
import { planRun, unreachableScopes } from "#shared/scan/plan.ts";
import { tasksOfPlan } from "#shared/scan/run.ts";

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
    const plan = await planRun(
      clients.factory,
      { accounts: accountSelectionOf(config.accounts), regions: config.regions },
      {
        organizations: clients.organizations,
        organizationsAccount: config.orgRoleArn?.split(":")[4],
      },
    );
    for (const { accountId, region, planError } of unreachableScopes(plan)) {
      logger.warn("Account unreachable: one home-region task carries the error", {
        accountId,
        region,
        planError,
      });
    }
    const tasks = tasksOfPlan(plan, run);
    const sent = await enqueueScanTasks(sqs, config.queueUrl, tasks);
    const summary = { ...run, tasks: tasks.length, accounts: new Set(tasks.map((t) => t.accountId)).size };
    logger.info("Run planned", { ...summary, ...sent });
    return summary;
  } finally {
    clients.destroy();
    logger.removeKeys(["runId"]);
  }
};
