// The compiler's code cache is code the runtime runs: only a private folder, only intact files.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheDirectory, readVerified, writeVerified } from "../../kernel/runtime/child/code-cache.js";

const scratch = () => mkdtempSync(join(tmpdir(), "tsgrad-cache-test-"));
const uid = process.getuid?.() ?? 0;

describe("cacheDirectory", () => {
  it("creates the per-user folder 0700 under XDG_CACHE_HOME", () => {
    const home = scratch();
    const dir = cacheDirectory({ XDG_CACHE_HOME: home });
    expect(dir).toBe(join(home, "tsgrad"));
    expect(statSync(dir!).mode & 0o777).toBe(0o700);
  });

  it("passes over a folder others may write to, or one owned by another user", () => {
    const writable = scratch();
    mkdirSync(join(writable, "tsgrad"), { mode: 0o700 });
    chmodSync(join(writable, "tsgrad"), 0o777);
    expect(cacheDirectory({ XDG_CACHE_HOME: writable })).not.toBe(join(writable, "tsgrad"));
    // Only root can give a folder away; elsewhere the check above stands for both.
    if (uid === 0) {
      const taken = scratch();
      mkdirSync(join(taken, "tsgrad"), { mode: 0o700 });
      chownSync(join(taken, "tsgrad"), 12345, 12345);
      expect(cacheDirectory({ XDG_CACHE_HOME: taken })).not.toBe(join(taken, "tsgrad"));
    }
  });
});

describe("readVerified / writeVerified", () => {
  it("reads back what was written, from a file only its owner can write", () => {
    const path = join(scratch(), "a.v8cache");
    writeVerified(path, Buffer.from("compiled code"));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readVerified(path)?.toString()).toBe("compiled code");
  });

  it("discards a corrupted, truncated or empty file (it is rebuilt), and tells a missing one apart", () => {
    const dir = scratch();
    const path = join(dir, "a.v8cache");
    writeVerified(path, Buffer.from("compiled code"));
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 0xff; // one flipped bit of code
    for (const bad of [bytes, bytes.subarray(0, 40), Buffer.alloc(0)]) {
      writeFileSync(path, bad, { mode: 0o600 });
      expect(readVerified(path)).toBeUndefined();
      expect(existsSync(path)).toBe(false);
    }
    expect(readVerified(join(dir, "missing.v8cache"))).toBeUndefined();
  });

  it("discards a file others may write to, even when intact", () => {
    const path = join(scratch(), "a.v8cache");
    writeVerified(path, Buffer.from("compiled code"));
    chmodSync(path, 0o666);
    expect(readVerified(path)).toBeUndefined();
  });
});
