// Exact GELU x·Φ(x) and its derivative Φ(x) + x·φ(x) in one pass: both need exp(−x²/2) (erf's
// exp and, over √(2π), the density φ), so a Transformer's MLP pays one exp per element forward
// and none backward. erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, under float32's
// spacing near 1), as the `gelu` unary kernel. The WebAssembly build (assembly/gelu.ts) runs the
// same operations in the same order, so float32 results are bit-identical.
import { expF32 } from "./fast-exp.js";

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * out[i] = gelu(x[i]), and derivative[i] = gelu′(x[i]) when given, for i in [from, out.length).
 * Float32 outputs use the inlined expF32 (float64 ones keep Math.exp: their finite-difference
 * gradchecks need full precision).
 */
export function geluExact(x: ArrayLike<number>, out: Float32Array | Float64Array,
  derivative: Float32Array | Float64Array | null, from = 0): void {
  const n = out.length;
  const precise = out instanceof Float64Array;
  for (let i = from; i < n; i++) {
    const v = x[i]!;
    const e = precise ? Math.exp(-0.5 * v * v) : expF32(-0.5 * v * v);
    const a = Math.abs(v);
    const t = 1 / (1 + 0.3275911 * a * SQRT1_2);
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * e;
    // erf(v/√2) = sign(v)·y, the sign by a division: a branch on it mispredicts on half of
    // real pre-activations (~25% of this loop). Only v = ±∞ (∞/∞) needs the exact sign.
    let erf = (v / (a + 1e-300)) * y;
    if (erf !== erf && v === v) erf = v > 0 ? 1 : -1;
    const cdf = 0.5 * (1 + erf);
    out[i] = v * cdf;
    if (derivative) derivative[i] = cdf + v * INV_SQRT_2PI * e;
  }
}
