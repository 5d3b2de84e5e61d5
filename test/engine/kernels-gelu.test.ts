// The exact-GELU kernel: the WebAssembly build (float64 lanes, same operations in the same order)
// against the TypeScript loop, bit for bit, across chunk edges and the scalar tail, with the
// awkward values (NaN, ±0, ±∞, subnormals, |x| large enough for exp to underflow).
import { describe, expect, test } from "vitest";
import { jsKernels } from "../../engine/kernels/index.js";
import { ELEMENTWISE_MIN_SIZE, hasWasmSimd, simdKernels } from "../../engine/kernels/simd.js";
import { RandomGenerator } from "../../engine/random.js";

const gen = new RandomGenerator(11);

function inputs(n: number): Float32Array {
  const x = Float32Array.from({ length: n }, (_, i) => gen.normal(0, i % 3 === 0 ? 12 : 1.5));
  const specials = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, -40, 40, 5.5, -5.5];
  for (let i = 0; i < specials.length; i++) x[(i * 611) % n] = specials[i]!;
  return x;
}

describe.runIf(hasWasmSimd())("WebAssembly exact GELU", () => {
  // Below, at and past the 8192-element chunk, with 1–3 elements left for the scalar tail.
  test.each([
    ELEMENTWISE_MIN_SIZE,
    ELEMENTWISE_MIN_SIZE + 3,
    8192,
    8193,
    20_002,
  ])("%i elements: values and derivatives bit-identical to the TypeScript kernel", (n) => {
    const x = inputs(n);
    const out = new Float32Array(n).fill(7);
    const derivative = new Float32Array(n).fill(7);
    simdKernels.gelu(x, out, derivative);
    const plainOut = new Float32Array(n);
    const plainDerivative = new Float32Array(n);
    jsKernels.gelu(x, plainOut, plainDerivative);
    expect(out).toEqual(plainOut);
    expect(derivative).toEqual(plainDerivative);

    const alone = new Float32Array(n);
    simdKernels.gelu(x, alone, null);
    expect(alone).toEqual(plainOut);
    simdKernels.gelu(x, x, null); // in place
    expect(x).toEqual(plainOut);
  });

  test("values match x·Φ(x) to float32 precision", () => {
    const x = Float32Array.from({ length: 5000 }, (_, i) => -6 + (12 * i) / 4999);
    const out = new Float32Array(x.length);
    simdKernels.gelu(x, out, null);
    // Φ by a float64 series of erf, independent of the kernels' approximation.
    const erf = (z: number): number => {
      let sum = 0,
        term = z;
      for (let k = 0; k < 200; k++) {
        sum += term / (2 * k + 1);
        term *= (-z * z) / (k + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    for (let i = 0; i < x.length; i += 37) {
      const v = x[i]!;
      expect(Math.abs(out[i]! - 0.5 * v * (1 + erf(v / Math.SQRT2)))).toBeLessThan(1e-6 * Math.max(1, Math.abs(v)));
    }
  });
});
