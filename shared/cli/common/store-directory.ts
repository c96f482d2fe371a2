import { constants } from "node:fs";
import { access, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A dynalite directory that cannot be used: the message is the cause, the caller names the directory. */
export class StoreDirectoryError extends Error {
  override readonly name = "StoreDirectoryError";
}

interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
  keys(): AsyncIterable<string>;
}

// dynalite's own LevelDB binding (`level` → classic-level), resolved from dynalite.
const requireHere = createRequire(import.meta.url);
const loadLevel = () =>
  createRequire(requireHere.resolve("dynalite"))("level") as {
    Level: new (path: string, options?: { createIfMissing?: boolean }) => LevelDatabase;
  };

/** The files of a LevelDB database that the probe links to (never the info logs, never temp files). */
const DATA_FILE = /^(CURRENT|LOCK|MANIFEST-\d+|\d+\.(log|ldb|sst))$/;
/** Files LevelDB writes before CURRENT exists: a directory holding only these is still empty. */
const PRE_DATABASE_FILE = /^(LOCK|LOG|LOG\.old)$/;

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown } } | undefined;
  const message = e?.cause?.message ?? e?.message;
  return (typeof message === "string" ? message : String(err)).replace(/\s+/g, " ").trim();
}

/** A file-system error as the user can act on it; `what` says what we were doing. */
function fileSystemCause(err: unknown, what: string): string {
  switch (codeOf(err)) {
    case "EACCES":
    case "EPERM":
      return `permission denied: cannot ${what}; give this user read and write access to it, or pass another --store`;
    case "ENOTDIR":
      return "not a directory: a file is where the directory (or one of its parents) should be; pass a directory";
    case "EROFS":
      return `read-only file system: cannot ${what}; pass a writable --store`;
    case "ELOOP":
      return "too many levels of symbolic links; pass the directory itself";
    default:
      return `cannot ${what}: ${messageOf(err)}`;
  }
}

const LOCKED =
  "in use by another eks-audit process (its LevelDB lock is held); wait for it to finish or pass another --store";

/**
 * Checks a dynalite directory before dynalite opens it, without changing a byte in it: LevelDB rewrites
 * its info log and may drop what it cannot read when it opens a database, and dynalite turns a read
 * error into an uncaught exception. Returns `"new"` for a directory to create a store in (made when
 * `create`), `"existing"` for a store that opened and read cleanly in the probe; otherwise throws a
 * StoreDirectoryError whose message is the cause on one line.
 *
 * The probe opens the database through a directory of symbolic links to its data files (the lock file
 * included, so a lock held by another process is seen), reads every entry, and looks in the probe's
 * own info log for records LevelDB would have dropped. LevelDB writes only new files (logs, tables,
 * manifests, CURRENT by rename) and removes only names, so everything it writes lands in the probe
 * directory; the originals are only read.
 *
 * Upstream, LevelDB 1.20 as classic-level vendors it (deps/leveldb/leveldb-1.20): `SanitizeOptions`
 * (db/db_impl.cc) renames LOG to LOG.old and creates LOG on every open, failed or not;
 * `DBImpl::Recover` takes `LockFile` (util/env_posix.cc: fcntl F_SETLK on LOCK, per inode) before it
 * reads CURRENT and the manifest; `DBImpl::RecoverLogFile`'s reporter logs "dropping N bytes" and goes
 * on when paranoid_checks is off (classic-level cannot turn it on). classic-level's binding.cc
 * (`HandleErrorCallback`) maps the status to LEVEL_LOCKED / LEVEL_CORRUPTION / LEVEL_IO_ERROR; dynalite's
 * index.js rethrows a LevelDB error from a request callback (`if (err) throw err`): an uncaught exception.
 */
export async function checkStoreDirectory(
  path: string,
  options: { create: boolean },
): Promise<"new" | "existing"> {
  const found = await stat(path).catch((err: unknown) => {
    if (codeOf(err) === "ENOENT") return undefined;
    throw new StoreDirectoryError(fileSystemCause(err, "look at it"));
  });
  if (found === undefined) {
    if (!options.create)
      throw new StoreDirectoryError("no findings store there yet; `eks-audit scan` creates it");
    await mkdir(path, { recursive: true }).catch((err: unknown) => {
      throw new StoreDirectoryError(fileSystemCause(err, "create the directory"));
    });
    return "new";
  }
  if (!found.isDirectory()) {
    throw new StoreDirectoryError(
      "not a directory: it is a file; pass the directory of a findings store (or a new one)",
    );
  }
  const names = await readdir(path).catch((err: unknown) => {
    throw new StoreDirectoryError(fileSystemCause(err, "list the directory"));
  });
  await access(path, constants.R_OK | constants.W_OK | constants.X_OK).catch((err: unknown) => {
    throw new StoreDirectoryError(fileSystemCause(err, "write in the directory"));
  });
  const visible = names.filter((n) => !n.startsWith("."));
  if (!visible.includes("CURRENT")) {
    if (visible.some((n) => DATA_FILE.test(n) && n !== "LOCK")) {
      throw new StoreDirectoryError(
        "corrupted: it holds LevelDB data files but no CURRENT file; restore the directory from a backup, or move it away to start a new store",
      );
    }
    const other = visible.filter((n) => !PRE_DATABASE_FILE.test(n));
    if (other.length > 0) {
      throw new StoreDirectoryError(
        `not a findings store: it holds other files (${other.slice(0, 3).join(", ")}${other.length > 3 ? ", …" : ""}) and no LevelDB CURRENT file; pass an empty or new directory`,
      );
    }
    if (!options.create)
      throw new StoreDirectoryError("no findings store there yet; `eks-audit scan` creates it");
    return "new";
  }
  await probe(
    path,
    visible.filter((n) => DATA_FILE.test(n)),
  );
  return "existing";
}

async function probe(path: string, dataFiles: readonly string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "eks-audit-store-probe-"));
  const local = (text: string) => text.split(dir).join(path);
  try {
    try {
      for (const name of dataFiles) await symlink(join(path, name), join(dir, name));
    } catch (err) {
      // No symbolic links here (e.g. Windows without the privilege): skip the probe, dynalite will tell.
      if (codeOf(err) === "EPERM" || codeOf(err) === "ENOSYS") return;
      throw err;
    }
    const db = new (loadLevel().Level)(dir, { createIfMissing: false });
    try {
      await db.open();
    } catch (err) {
      throw new StoreDirectoryError(openCause(err, local));
    }
    try {
      // Every entry once: a damaged table shows here, not as an uncaught exception in dynalite later.
      for await (const _ of db.keys()) {
        // reading is the check
      }
    } catch (err) {
      throw new StoreDirectoryError(openCause(err, local));
    } finally {
      await db.close().catch(() => undefined);
    }
    const dropped = (await readFile(join(dir, "LOG"), "utf8").catch(() => ""))
      .split("\n")
      .find((line) => line.includes("dropping"));
    if (dropped !== undefined) {
      // e.g. "… (ignoring error) /probe/000005.log: dropping 29093 bytes; Corruption: checksum mismatch"
      const what = local(dropped.replace(/^.*?\(ignoring error\)\s*/, "").trim());
      throw new StoreDirectoryError(
        `corrupted: LevelDB would drop records it cannot read (${what}); restore the directory from a backup, or move it away to start a new store`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function openCause(err: unknown, local: (text: string) => string): string {
  const message = local(messageOf(err));
  switch (codeOf(err)) {
    case "LEVEL_LOCKED":
      return LOCKED;
    case "LEVEL_CORRUPTION":
      return `corrupted: ${message.replace(/^Corruption:\s*/, "")}; restore the directory from a backup, or move it away to start a new store`;
    case "LEVEL_IO_ERROR":
      if (/no such file/i.test(message)) {
        return `corrupted: a file the database lists is missing (${message}); restore the directory from a backup, or move it away to start a new store`;
      }
      return /permission denied/i.test(message)
        ? `permission denied: ${message}; give this user read and write access to it, or pass another --store`
        : `cannot read it: ${message}`;
    default:
      return `cannot open it: ${message}`;
  }
}

export { LOCKED as STORE_LOCKED_CAUSE };
