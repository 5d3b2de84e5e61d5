// Layer normalisation's loops over rows of `width` (the derivation is in engine/ops/layer-norm.ts):
// forward two passes per row (both moments in one, in float64, then the output), backward the
// closed form with the weight and bias gradients accumulated in float64. The WebAssembly build
// (assembly/layer-norm.ts) computes each element with the same formulas.
import type { TypedArray } from "./types.js";

/** The `Kernels.layerNorm` contract. */
export function layerNormJs(
  x: TypedArray,
  weight: TypedArray | null,
  bias: TypedArray | null,
  out: TypedArray,
  mean: Float64Array,
  rstd: Float64Array,
  rows: number,
  w: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * w;
    // One pass for both moments, in float64: E[x²] − E[x]² cancels only when |mean| is ~10⁴×
    // the spread, far beyond what float32 inputs resolve anyway.
    let sum = 0;
    let sumSquares = 0;
    for (let j = 0; j < w; j++) {
      const v = x[base + j]!;
      sum += v;
      sumSquares += v * v;
    }
    const mu = sum / w;
    const s = 1 / Math.sqrt(Math.max(0, sumSquares / w - mu * mu) + eps);
    mean[r] = mu;
    rstd[r] = s;
    if (weight && bias) for (let j = 0; j < w; j++) out[base + j] = (x[base + j]! - mu) * s * weight[j]! + bias[j]!;
    else if (weight) for (let j = 0; j < w; j++) out[base + j] = (x[base + j]! - mu) * s * weight[j]!;
    else if (bias) for (let j = 0; j < w; j++) out[base + j] = (x[base + j]! - mu) * s + bias[j]!;
    else for (let j = 0; j < w; j++) out[base + j] = (x[base + j]! - mu) * s;
  }
}

/** The `Kernels.layerNormBackward` contract. */
export function layerNormBackwardJs(
  x: TypedArray,
  g: TypedArray,
  weight: TypedArray | null,
  mean: Float64Array,
  rstd: Float64Array,
  dx: TypedArray,
  dw: Float64Array,
  db: Float64Array,
  rows: number,
  w: number,
): void {
  // Branch-free inner loops: a missing weight acts as ones.
  const scale = weight ?? new Float64Array(w).fill(1);
  for (let r = 0; r < rows; r++) {
    const base = r * w;
    const mu = mean[r]!;
    const s = rstd[r]!;
    let sumG = 0;
    let sumGx = 0;
    for (let j = 0; j < w; j++) {
      const gj = g[base + j]!;
      const xhat = (x[base + j]! - mu) * s;
      const gh = gj * scale[j]!;
      sumG += gh;
      sumGx += gh * xhat;
      dw[j]! += gj * xhat;
      db[j]! += gj;
    }
    const a = sumG / w;
    const b = sumGx / w;
    for (let j = 0; j < w; j++) dx[base + j] = s * (g[base + j]! * scale[j]! - a - (x[base + j]! - mu) * s * b);
  }
}
