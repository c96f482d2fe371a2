import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, ENV } from "#functions/commons/config.ts";
import { readCompiledSuppressions } from "#shared/suppress/compiled.ts";
import { SuppressionMatcher } from "#shared/suppress/match.ts";

/**
 * The accepted risks the deployment shipped with the handler (`eksAuditor.suppressionsFile`, compiled to
 * JSON at synth), read once per container: a file read and a JSON.parse.
 * A file that cannot be read or checked fails the init, naming the variable: scanning without the
 * team's accepted risks would page every one of them.
 */
export function deployedSuppressions(
  file: string | undefined,
  root = process.env.LAMBDA_TASK_ROOT ?? process.cwd(),
): SuppressionMatcher | undefined {
  if (file === undefined) return undefined;
  const path = resolve(root, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`${ENV.suppressionsFile}=${file}: cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return new SuppressionMatcher(readCompiledSuppressions(text, path));
  } catch (err) {
    throw new ConfigError(`${ENV.suppressionsFile}=${file}: ${(err as Error).message}`);
  }
}
