// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// One Adam step over float32 parameters, two lanes at a time in float64: the same operations in
// the same order as the TypeScript loop (engine/kernels/js-adam.ts), the moments rounded to
// float32 when stored and read back rounded, so every stored value is bit-identical to it.

/** Two float32 values at `at`, widened to float64 lanes. */
// @ts-ignore: decorator
@inline
function loadPair(at: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(at));
}

/** Two float64 lanes rounded to float32 and stored at `at`; returns the rounded values, widened. */
// @ts-ignore: decorator
@inline
function storePair(at: usize, x: v128): v128 {
  const rounded = f32x4.demote_f64x2_zero(x);
  v128.store64_lane(at, rounded, 0);
  return f64x2.promote_low_f32x4(rounded);
}

/**
 * For i < n (even): θ ← θ·shrink; g ← grad + l2·θ; m ← β₁m + keep1·g; v ← β₂v + keep2·g·g;
 * θ ← θ − stepSize·m / (√v·invSqrtBiasCorrection2 + ε). Arrays of float32 in this module's memory.
 */
export function adamF32(p: usize, grad: usize, m: usize, v: usize, n: i32, beta1: f64, beta2: f64,
  keep1: f64, keep2: f64, eps: f64, stepSize: f64, invSqrtBiasCorrection2: f64, shrink: f64, l2: f64): void {
  const b1 = f64x2.splat(beta1), b2 = f64x2.splat(beta2), k1 = f64x2.splat(keep1), k2 = f64x2.splat(keep2);
  const e = f64x2.splat(eps), step = f64x2.splat(stepSize), inv = f64x2.splat(invSqrtBiasCorrection2);
  const s = f64x2.splat(shrink), decay = f64x2.splat(l2);
  const end = <usize>(n & ~1) * 4;
  for (let i: usize = 0; i < end; i += 8) {
    const theta = f64x2.mul(loadPair(p + i), s);
    const g = f64x2.add(loadPair(grad + i), f64x2.mul(decay, theta));
    const mNew = storePair(m + i, f64x2.add(f64x2.mul(b1, loadPair(m + i)), f64x2.mul(k1, g)));
    const vNew = storePair(v + i, f64x2.add(f64x2.mul(b2, loadPair(v + i)), f64x2.mul(f64x2.mul(k2, g), g)));
    const update = f64x2.div(f64x2.mul(step, mNew), f64x2.add(f64x2.mul(f64x2.sqrt(vNew), inv), e));
    storePair(p + i, f64x2.sub(theta, update));
  }
}
