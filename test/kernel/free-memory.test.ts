// The runtime gives the C heap's free memory back once idle (free-memory.ts). A child process with
// the runtime's glibc tuning (a 64 MiB trim threshold, as supervisor.ts sets) allocates 96 MiB of
// buffers below the mmap threshold, frees them, and stays resident until releaseFreeMemory().
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const module = fileURLToPath(new URL("../../dist/kernel/runtime/child/free-memory.js", import.meta.url));

const program = `
import { releaseFreeMemory } from ${JSON.stringify(module)};
const rss = () => process.memoryUsage().rss / 2 ** 20;
let kept = [];
// Interleaved with small ones that stay, so the freed blocks are holes, not the heap's top.
const small = [];
for (let i = 0; i < 1536; i++) { kept.push(Buffer.alloc(64 * 1024, 1)); small.push(Buffer.alloc(200, 1)); }
kept = [];
globalThis.gc(); globalThis.gc();
await new Promise((resolve) => setTimeout(resolve, 100));
const freed = rss();
releaseFreeMemory();
console.log(JSON.stringify({ freed, released: rss(), small: small.length }));
`;

describe.runIf(process.platform === "linux")("releaseFreeMemory", () => {
  it("gives freed C-heap memory back to the system (glibc, the runtime's tuning)", () => {
    const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", program], {
      env: {
        ...process.env,
        MALLOC_MMAP_THRESHOLD_: String(32 << 20),
        MALLOC_TRIM_THRESHOLD_: String(64 << 20),
        MALLOC_ARENA_MAX: "2",
      },
      encoding: "utf8",
    });
    const { freed, released } = JSON.parse(out) as { freed: number; released: number };
    // 96 MiB were freed into the heap; most of it goes back.
    expect(freed - released).toBeGreaterThan(48);
  });
});
