// The WebAssembly kernels are committed once, as base64 in engine/kernels/generated/; this checks
// that they are what the AssemblyScript sources build to, so an edit to a kernel that was not
// rebuilt (or a hand edit of the generated file) fails here rather than silently running old code.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

describe("generated WebAssembly kernels", () => {
  it("equal a fresh build of engine/kernels/assembly/ (npm run build:wasm)", { timeout: 300_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), "tsgrad-wasm-check-"));
    try {
      execFileSync(process.execPath, [join(root, "engine/kernels/assembly/build.mjs"), "--out", out], {
        stdio: "pipe",
      });
      const rebuilt = readFileSync(join(out, "simd-binary.ts"), "utf8");
      const committed = readFileSync(join(root, "engine/kernels/generated/simd-binary.ts"), "utf8");
      // Compare sizes first: a mismatch then says which way, without printing 50 KB of base64.
      expect(rebuilt.length).toBe(committed.length);
      expect(rebuilt === committed).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
