import type { Context } from "aws-lambda";
import { dynamoClient, sqsClient } from "#functions/commons/clients.ts";
import { accountSelectionOf, plannerConfigFromEnv } from "#functions/commons/config.ts";
import { functionNotifier } from "#functions/commons/notifier.ts";
import {
  enqueueScanTasks,
  type PlannerEvent,
  plannerFactories,
  runOfInvocation,
} from "#functions/commons/planner.ts";
import { logger } from "#functions/commons/powertools/logger.ts";
import { SCAN_RULES } from "#shared/rules/scan/index.ts";
import { closeStaleCoverage } from "#shared/scan/coverage.ts";
import { planRun, tasksOfPlan, unreachableScopes } from "#shared/scan/plan.ts";
import { FindingsStore } from "#shared/store/index.ts";

// Once per container: configuration (a bad setting fails the init, naming the variable) and clients.
const config = plannerConfigFromEnv();
const sqs = sqsClient(config);
/** The findings table and alert topic, when configured: coverage findings of scopes no longer planned close. */
const coverage = config.coverage && (await coverageCloser(config.coverage));

async function coverageCloser(settings: NonNullable<typeof config.coverage>) {
  const store = new FindingsStore(dynamoClient({ ...config, ...settings }), settings.tableName);
  // The coverage resolutions reach Security Hub too when the scanner imports there (or its findings stay active).
  // Only coverage (scan.*) findings close here: their links, not the whole catalog (a smaller bundle).
  const notifier = await functionNotifier({ ...config, ...settings, ruleLink: scanRuleLink }, store.ledger);
  return { store, notifier };
}

/**
 * EventBridge Scheduler target: one SQS scan task per account-region of the run; then, with the findings
 * table, the coverage findings of account-regions the plan no longer includes are resolved with their reason.
 */
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
        ...(config.planConcurrency ? { concurrency: config.planConcurrency } : {}),
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
    const closed = coverage
      ? await closeStaleCoverage(
          plan,
          coverage.store,
          { runId: run.runId, at: new Date().toISOString() },
          coverage.notifier,
        )
      : [];
    const summary = {
      ...run,
      tasks: tasks.length,
      accounts: new Set(tasks.map((t) => t.accountId)).size,
      coverageResolved: closed.length,
    };
    logger.info("Run planned", { ...summary, ...sent });
    return summary;
  } finally {
    clients.destroy();
    logger.removeKeys(["runId"]);
  }
};

function scanRuleLink(ruleId: string): string | undefined {
  return SCAN_RULES.find((r) => r.id === ruleId)?.link;
}
