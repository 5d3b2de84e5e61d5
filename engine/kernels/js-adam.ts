// One fused Adam pass over a parameter's raw arrays (the update rule and its derivation are in
// engine/optim/adam.ts). m and v are read back as stored (float32 for float32 parameters), like
// PyTorch's state tensors; the WebAssembly build (assembly/adam.ts) repeats these operations in
// the same order, so its float32 results are bit-identical.
import type { AdamCoefficients, TypedArray } from "./types.js";

/** The `Kernels.adam` contract, from element `from` on. */
export function adamJs(p: Float32Array | Float64Array, grad: TypedArray, m: Float32Array | Float64Array,
  v: Float32Array | Float64Array, c: AdamCoefficients, from = 0): void {
  const { beta1, beta2, eps, stepSize, invSqrtBiasCorrection2, shrink, l2 } = c;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  const n = p.length;
  for (let i = from; i < n; i++) {
    const theta = p[i]! * shrink;
    const g = grad[i]! + l2 * theta;
    m[i] = beta1 * m[i]! + keep1 * g;
    v[i] = beta2 * v[i]! + keep2 * g * g;
    p[i] = theta - (stepSize * m[i]!) / (Math.sqrt(v[i]!) * invSqrtBiasCorrection2 + eps);
  }
}
