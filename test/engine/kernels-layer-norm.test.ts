// The layer-norm kernels: WebAssembly (float64 lanes, row sums two lanes wide) against the
// TypeScript loops, forward and backward, with and without weight and bias, over chunk edges.
// Per-element formulas are the same; only the summation order of the row moments differs, so
// results agree to float32 rounding and the float64 weight and bias gradients to float64 rounding.
import { describe, expect, test } from "vitest";
import { jsKernels } from "../../engine/kernels/index.js";
import { hasWasmSimd, simdKernels } from "../../engine/kernels/simd.js";
import { RandomGenerator } from "../../engine/random.js";

const gen = new RandomGenerator(17);
const randomF32 = (n: number, mean = 0, spread = 1): Float32Array =>
  Float32Array.from({ length: n }, () => gen.normal(mean, spread));

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, relative: number): void {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (Math.abs(b[i]!) + 1e-3));
  expect(worst).toBeLessThan(relative);
}

describe.runIf(hasWasmSimd())("WebAssembly layer norm", () => {
  test.each([
    [300, 64, true, true],
    [41, 768, true, false],
    [1000, 12, false, true],
    [9, 8192, false, false],
  ])("%i rows of %i, weight %s, bias %s: forward and backward match the TypeScript kernels", (rows, width, hasWeight, hasBias) => {
    const x = randomF32(rows * width, 3, 2);
    const g = randomF32(rows * width);
    const weight = hasWeight ? randomF32(width, 1, 0.2) : null;
    const bias = hasBias ? randomF32(width) : null;
    const run = (k: typeof jsKernels) => {
      const out = new Float32Array(rows * width).fill(7);
      const mean = new Float64Array(rows),
        rstd = new Float64Array(rows);
      k.layerNorm(x, weight, bias, out, mean, rstd, rows, width, 1e-5);
      const dx = new Float32Array(rows * width).fill(7);
      const dw = new Float64Array(width).fill(0.5),
        db = new Float64Array(width).fill(0.5); // accumulated into
      k.layerNormBackward(x, g, weight, mean, rstd, dx, dw, db, rows, width);
      return { out, mean, rstd, dx, dw, db };
    };
    const fast = run(simdKernels);
    const plain = run(jsKernels);
    expectClose(fast.out, plain.out, 4e-7);
    expectClose(fast.mean, plain.mean, 1e-13);
    expectClose(fast.rstd, plain.rstd, 1e-12);
    expectClose(fast.dx, plain.dx, 4e-6);
    expectClose(fast.dw, plain.dw, 1e-9); // x̂ inherits the moments' last-bit differences (float64)
    expect(fast.db).toEqual(plain.db); // Σ g: column sums in the same order
    // normalised rows: mean ≈ bias mean, spread set by weight
    expect(Math.abs(fast.mean[0]! - 3)).toBeLessThan(1);
  });
});
