/**
 * One pipeline run in a fresh process, so its peak RSS is the pipeline's own:
 * `node --import tsx bench/pipeline-child.ts CONFIG.json RESULT.json`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { PipelineOptions } from "./pipeline.ts";

const [configFile, resultFile] = process.argv.slice(2);
if (configFile === undefined || resultFile === undefined) {
  process.stderr.write("usage: pipeline-child.ts CONFIG.json RESULT.json\n");
  process.exit(2);
}
const options = JSON.parse(readFileSync(configFile, "utf8")) as PipelineOptions;
// The SDK's default credential chain and the functions' settings are read from the environment.
for (const [key, value] of Object.entries(options.env)) if (value !== undefined) process.env[key] = value;
const { runPipeline } = await import("./pipeline.ts");
const summary = await runPipeline(options);
writeFileSync(resultFile, `${JSON.stringify(summary)}\n`);
process.exit(0);
