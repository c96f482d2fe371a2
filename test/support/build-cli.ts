/**
 * Global setup of the integration tests: the compiled CLI (dist/eks-audit.js, package.json's `bin`) is
 * built once from the sources under test, so the tests that run the executable never run a stale one.
 */
import { buildCli } from "#scripts/build-cli.ts";

export default async function setup(): Promise<void> {
  await buildCli();
}
