#!/usr/bin/env node
// Launcher: registers tsx so the TypeScript sources run as they are, then hands over to the CLI.
import { register } from "tsx/esm/api";

// The SDK warns on every run that Node 20 support ends in 2027; the README says so once instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("#shared/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
