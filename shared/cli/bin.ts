/** The `eks-audit` executable: compiled by scripts/build-cli.ts into dist/eks-audit.js (package.json `bin`). */
import { main } from "#shared/cli/main.ts";

// The SDK warns on every run that Node 20 support ends in 2027; the README says so once instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
process.exitCode = await main(process.argv.slice(2));
