import { defineConfig } from "vitest/config";
import { ALL_TESTS, UNIT_TESTS } from "./test/layers.ts";

const env = {
  // The SDK warns on every process that Node 20 support ends in 2027; the README says so once.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  // Powertools logs of the handlers stay out of the test output; tests that read them set their level.
  POWERTOOLS_LOG_LEVEL: "SILENT",
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: UNIT_TESTS,
          // Pure code: one worker thread, modules shared between files (runs in a few seconds).
          pool: "threads",
          isolate: false,
          testTimeout: 30_000,
          env,
        },
      },
      {
        test: {
          name: "integration",
          include: ALL_TESTS,
          exclude: UNIT_TESTS,
          pool: "forks",
          globalSetup: ["./test/support/build-cli.ts"],
          // Simulator, dynalite, synth and child processes on a loaded 2-core CI machine.
          testTimeout: 120_000,
          hookTimeout: 180_000,
          env,
        },
      },
    ],
  },
});
