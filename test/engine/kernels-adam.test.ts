// The Adam kernel: the WebAssembly build (float32 lanes, same operations in the same order) against
// the TypeScript loop, bit for bit over several steps, across chunk edges and a last element past
// the 4-lane loop, with L2 (Adam) and decoupled (AdamW) weight decay.
import { describe, expect, test } from "vitest";
import type { AdamCoefficients } from "../../engine/kernels/index.js";
import { jsKernels } from "../../engine/kernels/index.js";
import { ELEMENTWISE_MIN_SIZE, hasWasmSimd, simdKernels } from "../../engine/kernels/simd.js";
import { RandomGenerator } from "../../engine/random.js";

const gen = new RandomGenerator(3);
const randomF32 = (n: number, scale: number): Float32Array =>
  Float32Array.from({ length: n }, () => gen.normal(0, scale));

function coefficients(t: number, lr: number, wd: number, decoupled: boolean): AdamCoefficients {
  const [beta1, beta2] = [0.9, 0.999];
  return {
    beta1,
    beta2,
    eps: 1e-8,
    stepSize: lr / (1 - beta1 ** t),
    invSqrtBiasCorrection2: 1 / Math.sqrt(1 - beta2 ** t),
    shrink: decoupled ? 1 - lr * wd : 1,
    l2: decoupled ? 0 : wd,
  };
}

describe.runIf(hasWasmSimd())("WebAssembly Adam step", () => {
  test.each([
    [ELEMENTWISE_MIN_SIZE + 1, 0, false],
    [8192, 0.01, false],
    [20_001, 0.05, true],
    [200_704, 0, false],
  ])("%i parameters, weight decay %f (decoupled %s): parameters and moments bit-identical over 5 steps", (n, wd, decoupled) => {
    const fast = { p: randomF32(n, 1), m: new Float32Array(n), v: new Float32Array(n) };
    const plain = { p: Float32Array.from(fast.p), m: new Float32Array(n), v: new Float32Array(n) };
    for (let t = 1; t <= 5; t++) {
      const grad = randomF32(n, t === 3 ? 1e-3 : 1);
      grad[7] = 0; // a zero gradient and a zero v on the first step
      const c = coefficients(t, 1e-3, wd, decoupled);
      simdKernels.adam(fast.p, grad, fast.m, fast.v, c);
      jsKernels.adam(plain.p, grad, plain.m, plain.v, c);
    }
    expect(fast.p).toEqual(plain.p);
    expect(fast.m).toEqual(plain.m);
    expect(fast.v).toEqual(plain.v);
    expect(fast.p.some((x, i) => x !== 0 && x === plain.p[i])).toBe(true);
  });

  test("a step moves each weight against its gradient by about the learning rate", () => {
    const n = ELEMENTWISE_MIN_SIZE * 2;
    const p = new Float32Array(n).fill(1);
    const grad = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 0.5 : -2));
    simdKernels.adam(p, grad, new Float32Array(n), new Float32Array(n), coefficients(1, 0.01, 0, false));
    // First step: m̂ = g, v̂ = g², so θ moves by η·g/|g| = ±η.
    expect(p[0]).toBeCloseTo(1.01, 6);
    expect(p[1]).toBeCloseTo(0.99, 6);
  });
});
