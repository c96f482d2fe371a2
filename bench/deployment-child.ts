/**
 * One deployment-shaped run in a fresh process (the planner and the queue; the workers are its children):
 * `node --import tsx bench/deployment-child.ts CONFIG.json RESULT.json`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { DeploymentOptions } from "./deployment.ts";

const [configFile, resultFile] = process.argv.slice(2);
if (configFile === undefined || resultFile === undefined) {
  process.stderr.write("usage: deployment-child.ts CONFIG.json RESULT.json\n");
  process.exit(2);
}
const options = JSON.parse(readFileSync(configFile, "utf8")) as DeploymentOptions;
// The planner's default credential chain and the functions' settings are read from the environment.
for (const [key, value] of Object.entries(options.env)) process.env[key] = value;
const { runDeployment } = await import("./deployment.ts");
const result = await runDeployment(options);
writeFileSync(resultFile, `${JSON.stringify(result)}\n`);
process.exit(0);
