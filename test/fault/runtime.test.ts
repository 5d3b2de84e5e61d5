// Cells that try to take the machine, against a kernel with a small memory limit: the runtime is
// stopped with a clear message long before the machine runs out, and the kernel serves on.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readVerified } from "../../kernel/runtime/child/code-cache.js";
import { type KernelClient, startKernel } from "../e2e/client.js";

const { version } = createRequire(import.meta.url)("typescript/package.json") as { version: string };
const cacheHome = mkdtempSync(join(tmpdir(), "tsgrad-fault-cache-"));
/** The compiler's code cache as the runtime names it (typescript.ts), in this test's cache home. */
const cacheFile = join(cacheHome, "tsgrad", `typescript-${version}-node-${process.version}-${process.arch}.v8cache`);

describe("a runtime within its memory limit", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    // The whole kernel in 1.5 GiB: the runtime gets 1.5 × 0.9 − 0.3 ≈ 1 GiB (limits.ts).
    // A corrupted code cache (V8 aborted on every start with one) is discarded and rebuilt.
    mkdirSync(join(cacheHome, "tsgrad"), { mode: 0o700 });
    writeFileSync(cacheFile, Buffer.alloc(4096, 0xa5), { mode: 0o600 });
    kernel = await startKernel({ env: { TSGRAD_MEMORY_LIMIT_MB: "1500", XDG_CACHE_HOME: cacheHome } });
    const first = await kernel.execute("0", { timeoutMs: 120_000 });
    expect(first.reply.content.status).toBe("ok");
  }, 150_000);
  afterAll(async () => {
    await kernel.close();
  });

  it(
    "stops a cell hoarding typed arrays (outside V8's heap) with the runtime-restart message",
    { timeout: 90_000 },
    async () => {
      const { reply } = await kernel.execute(
        "const hog: Float32Array[] = []\nwhile (true) hog.push(new Float32Array(64 * 2 ** 20).fill(1))",
        { timeoutMs: 60_000 },
      );
      expect(reply.content).toMatchObject({ status: "error", ename: "RuntimeRestarted" });
      expect(reply.content.evalue).toMatch(/more than its memory limit of \d+ MiB/);
    },
  );

  it("ran its first cell over a corrupted code cache, and rebuilt the cache", async () => {
    await kernel.waitFor(() => readVerified(cacheFile) !== undefined, 30_000, "a rebuilt code cache");
  });

  // Runs on the runtime started after the first test's: a restarted runtime serves on.
  it("stops WebAssembly memory grown past the limit the same way", { timeout: 90_000 }, async () => {
    const { reply } = await kernel.execute(
      "const memory = new (globalThis as any).WebAssembly.Memory({ initial: 1, maximum: 65536 })\n" +
        "for (;;) { memory.grow(1024); new Uint8Array(memory.buffer).fill(1) }",
      { timeoutMs: 60_000 },
    );
    expect(reply.content).toMatchObject({ status: "error", ename: "RuntimeRestarted" });
    expect(reply.content.evalue).toMatch(/memory limit/);
  });
});
