import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import { ec2Client, MANAGEMENT, REGION, sampleEstate } from "./fixtures.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SUBNET_PATH = `accounts.${MANAGEMENT}.regions.${REGION}.ec2.Subnets[0]`;

let dir: string;
let goodFile: string;
let missingSubnetIdFile: string;
let notJsonFile: string;

function runCli(file: string): ChildProcess {
  // Own process group, so the test can stop npx, tsx and node together.
  return spawn("npx", ["tsx", "sim/cli.ts", "--estate", file, "--port", "0"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = "";
  stream?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "eks-auditor-sim-"));
  goodFile = join(dir, "good.json");
  await writeFile(goodFile, JSON.stringify(sampleEstate()));
  const broken = JSON.parse(JSON.stringify(sampleEstate()));
  delete broken.accounts[MANAGEMENT].regions[REGION].ec2.Subnets[0].SubnetId;
  missingSubnetIdFile = join(dir, "missing-subnet-id.json");
  await writeFile(missingSubnetIdFile, JSON.stringify(broken));
  notJsonFile = join(dir, "not-json.json");
  await writeFile(notJsonFile, "{ version: 1, ");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Function: loadEstateFile", () => {
  it("names the file and the JSON path of a missing required field", async () => {
    // Act
    const err = await rejectionOf(loadEstateFile(missingSubnetIdFile));

    // Assess
    expect(err.message).toContain(missingSubnetIdFile);
    expect(err.message).toContain(`${SUBNET_PATH}.SubnetId: required`);
  });

  it("rejects a file that is not JSON", async () => {
    // Act
    const err = await rejectionOf(loadEstateFile(notJsonFile));

    // Assess
    expect(err.message).toContain(notJsonFile);
    expect(err.message).toContain("not valid JSON");
  });
});

describe("Module: sim/cli.ts", () => {
  it("exits 1 naming the file and the JSON path when the estate is invalid", async () => {
    // Act
    const child = runCli(missingSubnetIdFile);
    const stderr = collect(child.stderr);
    const stdout = collect(child.stdout);
    const code = await exitOf(child);

    // Assess
    expect(code).toBe(1);
    expect(stderr()).toContain(missingSubnetIdFile);
    expect(stderr()).toContain(`${SUBNET_PATH}.SubnetId: required`);
    expect(stdout()).toBe("");
  });

  it("prints a URL the SDK can talk to, then stops on SIGTERM", async () => {
    // Prepare
    const child = runCli(goodFile);
    const stderr = collect(child.stderr);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const iterator = lines[Symbol.asyncIterator]();

    try {
      // Act
      const first = (await iterator.next()).value as string | undefined;
      const second = (await iterator.next()).value as string | undefined;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first ?? "")?.[1];
      if (url === undefined) throw new Error(`unexpected first line: ${first}; stderr: ${stderr()}`);
      const ec2 = ec2Client(url);
      const vpcs = await ec2.send(new DescribeVpcsCommand({}));
      ec2.destroy();

      // Assess
      expect(first).toBe(`eks-auditor simulator listening on ${url}`);
      expect(second).toContain(`AWS_ENDPOINT_URL=${url}`);
      expect(second).toContain(`AWS_ACCESS_KEY_ID=AKIA${MANAGEMENT}`);
      expect(vpcs.Vpcs?.map((v) => v.VpcId)).toEqual(["vpc-0a1", "vpc-0b2"]);
    } finally {
      lines.close();
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
      await exitOf(child);
    }
  });
});
