import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

/**
 * Issue 14.8: a dynalite directory that cannot be used — corrupted, locked by another process, not
 * readable, or not a directory — gives one line naming the directory and the cause, exit code 1, and
 * not one byte of the directory changes.
 */

const BIN = new URL("../../dist/eks-audit.js", import.meta.url).pathname;
const PAYMENTS = ["--estate", SAMPLE_ESTATE, "--accounts", "222233334444", "--regions", "eu-west-1"];

let root: string;
/** A findings store with data in a table file (`.ldb`) and in a write-ahead log (`.log`). */
let store: string;

/** Every file under `dir` with the hash of its content (and the names of its directories). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length)] = entry.isFile()
      ? createHash("sha256").update(readFileSync(path)).digest("hex")
      : "directory";
  }
  return out;
}

function copyOfStore(name: string): string {
  const dir = join(root, name);
  cpSync(store, dir, { recursive: true });
  return dir;
}

/** Overwrites `length` bytes of a file at `offset` with garbage. */
function damage(path: string, offset: number, length: number): void {
  const bytes = readFileSync(path);
  bytes.fill(0x41, offset, Math.min(bytes.length, offset + length));
  writeFileSync(path, bytes);
}

function fileOf(dir: string, pattern: RegExp): string {
  const name = readdirSync(dir).find((n) => pattern.test(n));
  if (name === undefined) throw new Error(`fixture: no ${pattern} in ${dir}`);
  return join(dir, name);
}

function expectOneLine(run: { code: number; stdout: string; stderr: string }, dir: string, cause: RegExp) {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe("");
  const lines = run.stderr.trim().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toContain(`--store dynalite:${dir}: `);
  expect(lines[0]).toMatch(cause);
}

/** Runs the CLI in a process of its own, optionally as another user. */
function spawnCli(
  args: string[],
  options: { uid?: number; gid?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "eks-audit-dir-"));
  chmodSync(root, 0o755); // another user must be able to reach the directories inside
  store = join(root, "store");
  const scanned = await runCli(["scan", ...PAYMENTS, "--store", `dynalite:${store}`, "--notify", "none"]);
  expect(scanned.code, scanned.stderr).toBe(0);
  // Reopening recovers the log into a table file; the next scan writes a new log.
  const again = await runCli(["scan", ...PAYMENTS, "--store", `dynalite:${store}`, "--notify", "none"]);
  expect(again.code, again.stderr).toBe(0);
  expect(readdirSync(store).some((n) => n.endsWith(".ldb"))).toBe(true);
}, 120_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("Function: openFindingsStore (dynalite:DIR)", () => {
  it.each<[string, (dir: string) => void, RegExp]>([
    [
      "CURRENT is garbage",
      (dir) => writeFileSync(join(dir, "CURRENT"), "garbage"),
      /corrupted: CURRENT file does not end with newline; restore the directory from a backup/,
    ],
    [
      "the manifest is garbage",
      (dir) => damage(fileOf(dir, /^MANIFEST-/), 0, 64),
      /corrupted: .*(descriptor|manifest|checksum|record)/i,
    ],
    [
      "a table file is damaged",
      (dir) => damage(fileOf(dir, /\.ldb$/), 2_000, 400),
      /corrupted: .*(block|checksum|corrupt)/i,
    ],
    [
      "the CURRENT file is missing",
      (dir) => rmSync(join(dir, "CURRENT")),
      /corrupted: it holds LevelDB data files but no CURRENT file/,
    ],
  ])("%s: one line naming the directory, exit 1, nothing in it changed", async (_name, corrupt, cause) => {
    // Prepare
    const dir = copyOfStore(`corrupt-${_name.replace(/\W+/g, "-")}`);
    corrupt(dir);
    const before = snapshot(dir);

    // Act
    const findings = await runCli(["findings", "--store", `dynalite:${dir}`]);
    const scan = await runCli(["scan", ...PAYMENTS, "--store", `dynalite:${dir}`]);

    // Assess
    expectOneLine(findings, dir, cause);
    expectOneLine(scan, dir, cause);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a damaged write-ahead log: refuses instead of letting LevelDB drop the records, nothing changed", async () => {
    // Prepare: a store whose newest data is still in its log (a fresh scan, never reopened)
    const dir = join(root, "damaged-log");
    const scanned = await runCli(["scan", ...PAYMENTS, "--store", `dynalite:${dir}`, "--notify", "none"]);
    expect(scanned.code, scanned.stderr).toBe(0);
    const log = fileOf(dir, /\.log$/);
    damage(log, 5_000, 400);
    const before = snapshot(dir);

    // Act
    const run = await runCli(["findings", "--store", `dynalite:${dir}`]);

    // Assess
    expectOneLine(
      run,
      dir,
      /corrupted: LevelDB would drop records it cannot read \(.*\.log: dropping \d+ bytes; Corruption: checksum mismatch\)/,
    );
    expect(run.stderr).toContain(log);
    expect(snapshot(dir)).toEqual(before);
  });

  describe("locked by another process", () => {
    let holder: ChildProcess | undefined;

    afterAll(() => {
      holder?.kill();
    });

    it("says the store is in use, exit 1, nothing in it changed", async () => {
      // Prepare: another process opens the LevelDB database (as dynalite does) and keeps it open
      const dir = copyOfStore("locked");
      const level = createRequire(createRequire(import.meta.url).resolve("dynalite")).resolve("level");
      holder = spawn(
        process.execPath,
        [
          "-e",
          `const { Level } = require(${JSON.stringify(level)}); const db = new Level(${JSON.stringify(dir)});
           db.open().then(() => console.log("ready")); setInterval(() => {}, 1000);`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      const out = holder.stdout;
      if (out === null) throw new Error("no stdout");
      await new Promise<void>((resolve) => out.once("data", () => resolve()));
      const before = snapshot(dir);

      // Act
      const findings = await runCli(["findings", "--store", `dynalite:${dir}`]);
      const scan = await runCli(["scan", ...PAYMENTS, "--store", `dynalite:${dir}`]);

      // Assess
      const cause = /in use by another eks-audit process \(its LevelDB lock is held\); wait for it to finish/;
      expectOneLine(findings, dir, cause);
      expectOneLine(scan, dir, cause);
      expect(snapshot(dir)).toEqual(before);
    });
  });

  it("not readable by this user: permission denied, exit 1, nothing in it changed", async () => {
    // Prepare: a store only its owner may enter. Root reads everything, so as root the CLI runs as
    // `nobody` (uid 65534), for whom the permissions are real.
    const dir = copyOfStore("private");
    chmodSync(dir, 0o700);
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) chmodSync(dir, 0o000);
    const before = asRoot ? snapshot(dir) : undefined;

    // Act
    const run = await spawnCli(
      ["findings", "--store", `dynalite:${dir}`],
      asRoot ? { uid: 65534, gid: 65534 } : {},
    );

    // Assess
    if (!asRoot) chmodSync(dir, 0o700);
    expectOneLine(
      run,
      dir,
      /permission denied: cannot list the directory; give this user read and write access to it/,
    );
    expect(snapshot(dir)).toEqual(before ?? snapshot(dir));
  }, 60_000);

  it.each<[string, (file: string) => string, RegExp]>([
    ["a file where the directory should be", (file) => file, /not a directory: it is a file/],
    [
      "a file where a parent directory should be",
      (file) => join(file, "store"),
      /not a directory: a file is where the directory \(or one of its parents\) should be/,
    ],
  ])("%s: one line, exit 1, the file unchanged", async (_name, storeOf, cause) => {
    // Prepare
    const file = join(root, `file-${_name.replace(/\W+/g, "-")}`);
    writeFileSync(file, "not a store\n");
    const dir = storeOf(file);

    // Act
    const scan = await runCli(["scan", ...PAYMENTS, "--store", `dynalite:${dir}`]);
    const findings = await runCli(["findings", "--store", `dynalite:${dir}`]);

    // Assess
    expectOneLine(scan, dir, cause);
    expectOneLine(findings, dir, cause);
    expect(readFileSync(file, "utf8")).toBe("not a store\n");
  });

  it("a directory of other files: refuses to create a store in it, nothing in it changed", async () => {
    // Prepare
    const dir = join(root, "project");
    mkdirSync(dir);
    writeFileSync(join(dir, "README.md"), "# my project\n");
    const before = snapshot(dir);

    // Act
    const run = await runCli(["scan", ...PAYMENTS, "--store", `dynalite:${dir}`]);

    // Assess
    expectOneLine(
      run,
      dir,
      /not a findings store: it holds other files \(README\.md\) and no LevelDB CURRENT file/,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it("opens a sound store again and again (the probe leaves it usable)", async () => {
    // Act
    const run = await runCli(["findings", "--store", `dynalite:${copyOfStore("sound")}`]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Summary: \d+ findings/m);
  });
});
