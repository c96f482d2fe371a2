import { fileURLToPath } from "node:url";
import { type Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

/** The newest Node.js runtime aws-cdk-lib offers (NODEJS_LATEST may lag behind it). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** ESM bundles need `require` for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __eksAuditorCreateRequire } from 'node:module'; const require = __eksAuditorCreateRequire(import.meta.url);";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

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
}

/**
 * One of the auditor's functions: an esbuild ESM bundle with the AWS SDK inside (no dependence on the
 * runtime's SDK version), arm64, the newest Node.js runtime, its own log group with a retention, and a
 * role with no managed policy (logs are granted on its log group only).
 */
export class AuditorFunction extends Construct {
  readonly fn: NodejsFunction;
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
    this.fn = new NodejsFunction(this, "Function", {
      entry: fileURLToPath(new URL(`../../functions/${props.name}/handler.ts`, import.meta.url)),
      handler: "handler",
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fileURLToPath(new URL("../../package-lock.json", import.meta.url)),
      bundling: {
        format: OutputFormat.ESM,
        target: "node24",
        mainFields: ["module", "main"],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: false,
        externalModules: [],
      },
      ...(props.skipBundling
        ? {
            code: Code.fromInline(
              "exports.handler = async () => { throw new Error('bundling was skipped'); };",
            ),
          }
        : {}),
    });
  }
}
