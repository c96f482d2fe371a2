/**
 * One scanner "container" for the function tests: the simulator serving an estate, dynalite with a fresh
 * findings table, the scanner's environment set, and the handler module imported after it (configuration and
 * clients are read once per container, at import).
 */
import type { Estate } from "#shared/estate/index.ts";
import { FindingsStore } from "#shared/store/index.ts";
import { type Simulator, startSimulator } from "#sim/index.ts";
import { startDynalite } from "#test/support/dynalite.ts";
import { setEnv, simulatorEnv, TOPIC_ARN } from "./support.ts";

export interface ScannerContainer {
  sim: Simulator;
  /** The table as the tests read it (its own store, not the container's). */
  store: FindingsStore;
  scanner: typeof import("#functions/scanner/handler.ts");
  /** Restores the environment and stops the simulator and dynalite. */
  stop(): Promise<void>;
}

export async function startScannerContainer(
  estate: Estate,
  env: { ALERT_MIN_SEVERITY: string } & Record<string, string>,
): Promise<ScannerContainer> {
  const [sim, dynamo] = await Promise.all([startSimulator({ estate }), startDynalite()]);
  const tableName = await dynamo.createTable();
  const restoreEnv = setEnv({
    ...simulatorEnv({ simulator: sim.url, dynamodb: dynamo.endpoint }),
    TABLE_NAME: tableName,
    TOPIC_ARN,
    ...env,
  });
  const scanner = await import("#functions/scanner/handler.ts");
  return {
    sim,
    store: new FindingsStore(dynamo.doc, tableName),
    scanner,
    stop: async () => {
      restoreEnv();
      await Promise.all([sim.close(), dynamo.stop()]);
    },
  };
}
