// Where the compiler's V8 code cache lives, and how it is trusted. V8 does not verify a code cache
// in release builds (a corrupted file made it abort on every start), and the cache is code the
// runtime runs: it lives in a folder only its user can write (the per-user cache directory,
// created 0700, owner and mode checked), each file carries a SHA-256 of its bytes, and a file that
// fails any check is discarded and rebuilt. Never fatal: a cache that cannot be used or written
// only costs start-up time.
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

const DIGEST_BYTES = 32;

/**
 * The per-user cache folder: $XDG_CACHE_HOME/tsgrad, else ~/.cache/tsgrad, else (no home)
 * $TMPDIR/tsgrad-<uid>. Undefined when it cannot be made safe (another user owns it, or others
 * may write to it).
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const uid = process.getuid?.();
  const candidates: string[] = [];
  if (env.XDG_CACHE_HOME) candidates.push(join(env.XDG_CACHE_HOME, "tsgrad"));
  try {
    candidates.push(join(homedir(), ".cache", "tsgrad"));
  } catch {
    // no home directory (a uid without a passwd entry)
  }
  candidates.push(join(tmpdir(), `tsgrad-${uid ?? "user"}`));
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (isPrivate(dir, uid)) return dir;
    } catch {
      // read-only or missing parent: try the next
    }
  }
  return undefined;
}

/** Ours, a real folder (not a link), and nobody else may write to it. */
function isPrivate(dir: string, uid: number | undefined): boolean {
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) return false;
  if (uid === undefined) return true; // no owners to check (Windows)
  return stat.uid === uid && (stat.mode & 0o022) === 0;
}

/** The cached bytes at `path` if they are ours and intact; a bad file is deleted. */
export function readVerified(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined; // no cache yet
  }
  try {
    const stat = fstatSync(fd);
    const uid = process.getuid?.();
    if (!stat.isFile() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) {
      discard(path);
      return undefined;
    }
    const bytes = readFileSync(fd);
    const data = bytes.subarray(DIGEST_BYTES);
    if (bytes.length <= DIGEST_BYTES || !digest(data).equals(bytes.subarray(0, DIGEST_BYTES))) {
      discard(path);
      return undefined;
    }
    return data;
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` with its digest, atomically (a reader sees the old file or the new, whole). */
export function writeVerified(path: string, data: Buffer): void {
  const temporary = `${path}.${randomBytes(6).toString("hex")}`;
  writeFileSync(temporary, Buffer.concat([digest(data), data]), { mode: 0o600, flag: "wx" });
  try {
    renameSync(temporary, path);
  } catch (error) {
    discard(temporary);
    throw error;
  }
}

/** Deletes a cache file that failed its checks; it is rebuilt on the next start. */
export function discard(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or not ours to delete: it is not used either way
  }
}

function digest(data: Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}
