// eˣ to float32 accuracy, for the float32 loops of GELU and softmax. V8 does not inline
// Math.exp (a call into its C++ fdlibm port, ~10 ns); this one inlines into the caller's loop
// and is ~2× faster there (exp of 131k values: 1.1–1.4 ms → 0.6 ms; GELU's loop 2.9 → 1.7 ms). Relative error below 1e-8,
// under float32's 6e-8 spacing, so stored float32 results match Math.exp's to rounding.
// float64 loops keep Math.exp: their finite-difference gradchecks need full precision.

const ROUND = 6755399441055744; // 1.5·2⁵²: adding and subtracting it rounds to an integer
/** 2ᵏ for k = −1023…1023 at index k + 1023 (exact: powers of two are doubles). */
const POW2 = Float64Array.from({ length: 2047 }, (_, i) => 2 ** (i - 1023));

/**
 * eˣ = 2ᵏ · eʳ with k = round(x / ln 2), |r| ≤ ln2/2, eʳ by its Taylor series to r⁷ (error
 * r⁸/8! < 6e-9), 2ᵏ from a table (writing it into a double's exponent bits through an aliased
 * Int32Array stalls store forwarding: GELU's loop ran ~15% slower). x below −708 returns a value
 * under 1e-307 (0 once stored as float32); above 709, Infinity as float32. NaN gives NaN.
 * Example: `expF32(1) // 2.718281828…`
 */
export function expF32(x: number): number {
  const z = x < -708 ? -708 : x > 709 ? 709 : x;
  const k = z * Math.LOG2E + ROUND - ROUND;
  const r = z - k * Math.LN2;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POW2[(k | 0) + 1023]!;
}
