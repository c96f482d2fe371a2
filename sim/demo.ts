/**
 * `npm run demo`: scans the sample organisation end to end through the same code path as
 * `eks-audit scan`, against the loopback simulator. No AWS account, nothing to install.
 */
import { fileURLToPath } from "node:url";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { main } from "../shared/cli/main.ts";

const estate = fileURLToPath(new URL("./estates/sample-org.json", import.meta.url));

process.stdout.write(
  [
    "eks-auditor demo: scanning the sample organisation (sim/estates/sample-org.json) through the loopback",
    "AWS simulator — the same code path as `eks-audit scan --org` against real AWS.",
    "",
    "",
  ].join("\n"),
);
process.exitCode = await main([
  "scan",
  "--estate",
  estate,
  "--org",
  "--regions",
  "eu-west-1,us-east-1",
  ...process.argv.slice(2),
]);
