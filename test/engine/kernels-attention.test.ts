// The attention kernels: WebAssembly (float32 lanes, weights kept in module memory) against the
// TypeScript kernels, forward and backward, causal or not, with more keys than queries (a cache),
// fewer (early queries that see no key: NaN rows), key counts that are not a multiple of 4, and
// gradients asked for one at a time.
import { describe, expect, test } from "vitest";
import type { AttentionShape } from "../../engine/kernels/index.js";
import { jsKernels } from "../../engine/kernels/index.js";
import { hasWasmSimd, simdKernels } from "../../engine/kernels/simd.js";
import { RandomGenerator } from "../../engine/random.js";

const gen = new RandomGenerator(23);
const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => gen.normal(0, 1));

/** |a − b| ≤ tolerance·(|b| + 1) everywhere, NaN where the other is NaN. */
function expectClose(a: Float32Array, b: Float32Array, tolerance: number): void {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    expect(Number.isNaN(a[i]!)).toBe(Number.isNaN(b[i]!));
    if (!Number.isNaN(b[i]!)) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (Math.abs(b[i]!) + 1));
  }
  expect(worst).toBeLessThan(tolerance);
}

describe.runIf(hasWasmSimd())("WebAssembly attention", () => {
  test.each([
    [3, 4, 32, 32, 64, true],
    [2, 2, 7, 13, 24, true],
    [2, 3, 9, 5, 12, true],
    [4, 1, 16, 16, 8, false],
    [1, 2, 5, 11, 40, false],
  ])("batch %i, %i heads, %i queries, %i keys, width %i, causal %s: forward and backward match the TypeScript kernels", (batch, heads, tq, tk, width, causal) => {
    const shape: AttentionShape = { batch, heads, tq, tk, width, scale: 1 / Math.sqrt(width / heads), causal };
    const q = randomF32(batch * tq * width),
      k = randomF32(batch * tk * width),
      v = randomF32(batch * tk * width);
    const g = randomF32(batch * tq * width);
    const run = (K: typeof jsKernels, want: [boolean, boolean, boolean]) => {
      const out = new Float32Array(q.length).fill(7);
      const weights = new Float32Array(batch * heads * tq * tk).fill(7);
      K.attention(q, k, v, out, weights, shape);
      const [dq, dk, dv] = [q, k, v].map((x, i) => (want[i] ? new Float32Array(x.length).fill(7) : null));
      K.attentionBackward(q, k, v, g, weights, dq!, dk!, dv!, shape);
      return { out, weights, dq, dk, dv };
    };
    for (const want of [
      [true, true, true],
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ] as [boolean, boolean, boolean][]) {
      const fast = run(simdKernels, want);
      const plain = run(jsKernels, want);
      expectClose(fast.out, plain.out, 2e-5);
      expectClose(fast.weights, plain.weights, 2e-6);
      for (const key of ["dq", "dk", "dv"] as const) {
        expect(fast[key] === null).toBe(plain[key] === null);
        if (fast[key]) expectClose(fast[key]!, plain[key]!, 5e-5);
      }
    }
    // Rows are distributions over the keys a query sees (or NaN when it sees none).
    const weights = run(simdKernels, [false, false, false]).weights;
    for (let row = 0; row < batch * heads * tq; row++) {
      const i = row % tq;
      const seen = causal ? Math.min(tk, Math.max(0, i + tk - tq + 1)) : tk;
      const values = weights.subarray(row * tk, row * tk + tk);
      if (seen === 0) expect(values.every(Number.isNaN)).toBe(true);
      else {
        expect(values.slice(seen).every((w) => w === 0)).toBe(true);
        expect(Math.abs(values.reduce((s, w) => s + w, 0) - 1)).toBeLessThan(1e-5);
      }
    }
  });
});
