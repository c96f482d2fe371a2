import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DockerImage, type Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

/** The newest Node.js runtime aws-cdk-lib offers (NODEJS_LATEST may lag behind it). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

export { ESM_REQUIRE_BANNER } from "#infra/bundling/options.ts";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL("../bundling/build.ts", import.meta.url));

/**
 * The handler bundle, built locally by infra/bundling/build.ts (esbuild with the plugin that lets the SDK's
 * schemas tree-shake; NodejsFunction cannot take esbuild plugins). Docker is never needed. `files` are
 * written beside `index.mjs` (the scanner's compiled suppressions) and are part of the asset hash, so
 * editing them redeploys the function.
 */
function bundledCode(name: string, files: Record<string, string> = {}): Code {
  const entry = fileURLToPath(new URL(`../../functions/${name}/handler.ts`, import.meta.url));
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  const names = Object.keys(files).sort();
  const extraHash =
    names.length === 0
      ? undefined
      : createHash("sha256")
          .update(JSON.stringify(names.map((n) => [n, files[n]])))
          .digest("hex");
  return Code.fromAsset(fileURLToPath(new URL(`../../functions/${name}`, import.meta.url)), {
    ...(extraHash ? { extraHash } : {}),
    bundling: {
      image: DockerImage.fromRegistry("public.ecr.aws/docker/library/node:24"),
      local: {
        tryBundle(outputDir: string): boolean {
          const run = spawnSync(process.execPath, [tsx, BUILD_SCRIPT, entry, outputDir], {
            cwd: PROJECT_ROOT,
            stdio: "inherit",
          });
          if (run.status !== 0) throw new Error(`bundling functions/${name}/handler.ts failed`);
          for (const file of names) writeFileSync(join(outputDir, file), files[file] ?? "");
          return true;
        },
      },
    },
  });
}

export interface AuditorFunctionProps {
  /** functions/<name>/handler.ts */
  name: "planner" | "scanner";
  roleName: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  /** Test only: an inline stub instead of the esbuild bundle. */
  skipBundling: boolean;
  /** Files written beside the bundle's index.mjs (name → content), read by the handler at init. */
  files?: Record<string, string>;
}

/**
 * One of the auditor's functions: an esbuild ESM bundle with the AWS SDK inside (no dependence on the
 * runtime's SDK version), arm64, the newest Node.js runtime, its own log group with a retention, and a
 * role with no managed policy (logs are granted on its log group only).
 */
export class AuditorFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AuditorFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, "Logs", {
      logGroupName: `/eks-auditor/${props.name}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, "Role", {
      roleName: props.roleName,
      description: `eks-auditor ${props.name} function`,
      assumedBy: new ServicePrincipal("lambda.amazonaws.com").withConditions({
        StringEquals: { "aws:SourceAccount": Stack.of(this).account },
      }),
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: "WriteOwnLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.fn = new LambdaFunction(this, "Function", {
      handler: "index.handler",
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      code: props.skipBundling
        ? Code.fromInline("exports.handler = async () => { throw new Error('bundling was skipped'); };")
        : bundledCode(props.name, props.files),
    });
  }
}
