/**
 * The test layers (README "Layout"): `npm run test:unit` runs UNIT_TESTS, `npm run test:integration` runs
 * everything else under test/. A unit test calls pure code only: no simulator, no dynalite, no child
 * process, no CDK synth, no CLI run. test/architecture/test-layers.test.ts holds every unit file to that.
 */

/** Directories whose tests are all unit tests. */
export const UNIT_DIRECTORIES = [
  "architecture",
  "models",
  "rules/elb",
  "rules/ip",
  "rules/node",
  "rules/sg",
  "estate",
] as const;

/** Unit tests that live beside integration tests of their area. */
export const UNIT_FILES = [
  "test/aws/account-credentials.test.ts",
  "test/aws/partition.test.ts",
  "test/aws/shared-credentials.test.ts",
  "test/cli/options.test.ts",
  "test/findings/team.test.ts",
  "test/functions/config.test.ts",
  "test/functions/deadline.test.ts",
  "test/infra/permissions.test.ts",
  "test/infra/runtime-arns.test.ts",
  "test/infra/schedule.test.ts",
  "test/inventory/capacity.test.ts",
  "test/inventory/kubelet-readings.test.ts",
  "test/notify/filter-policies.test.ts",
  "test/notify/links.test.ts",
  "test/notify/message.test.ts",
  "test/notify/securityhub-asff.test.ts",
  // test/rules/scan/access-denied and region-unavailable scan an estate through the simulator (the scanner
  // produces those rules): integration tests.
  "test/rules/scan/error.test.ts",
  "test/rules/scan/unread.test.ts",
  "test/suppress/parse.test.ts",
  "test/suppress/match.test.ts",
  "test/suppress/alerts.test.ts",
] as const;

export const UNIT_TESTS = [...UNIT_DIRECTORIES.map((d) => `test/${d}/**/*.test.ts`), ...UNIT_FILES];
export const ALL_TESTS = ["test/**/*.test.ts"];

/** Imports that make a test an integration test: servers, processes, synth, the CLI. */
export const INTEGRATION_IMPORTS = [
  "#sim/index.ts",
  "#test/support/dynalite.ts",
  "#test/support/cli.ts",
  "#test/infra/support.ts",
  "#infra/app.ts",
  "#bench/",
  "node:child_process",
  "dynalite",
];
