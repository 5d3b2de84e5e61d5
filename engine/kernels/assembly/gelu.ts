// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// Exact GELU x·Φ(x) of float32 values, and its derivative Φ(x) + x·φ(x), two lanes at a time in
// float64: the same operations in the same order as the TypeScript loop (engine/kernels/js-gelu.ts:
// erf by Abramowitz & Stegun 7.1.26, eˣ as in engine/ops/fast-exp.ts), so every stored float32 is
// bit-identical to it. Plain float64 SIMD, no fused multiply-add, which would change the roundings.

const ROUND: f64 = 6755399441055744; // 1.5·2⁵²: adding and subtracting it rounds to an integer
const LOG2E: f64 = 1.4426950408889634;
const LN2: f64 = 0.6931471805599453;
const SQRT1_2: f64 = 0.7071067811865476;
const INV_SQRT_2PI: f64 = 0.3989422804014327;

/** eˣ for two lanes: 2ᵏ·eʳ, k = round(x/ln 2), Taylor to r⁷; 2ᵏ built in the exponent bits. */
// @ts-ignore: decorator
@inline
function expLanes(x: v128): v128 {
  const z = f64x2.max(f64x2.splat(-708), f64x2.min(f64x2.splat(709), x));
  const shifted = f64x2.add(f64x2.mul(z, f64x2.splat(LOG2E)), f64x2.splat(ROUND));
  const k = f64x2.sub(shifted, f64x2.splat(ROUND));
  const r = f64x2.sub(z, f64x2.mul(k, f64x2.splat(LN2)));
  let p = f64x2.add(f64x2.splat(1.0 / 720), f64x2.mul(r, f64x2.splat(1.0 / 5040)));
  p = f64x2.add(f64x2.splat(1.0 / 120), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 24), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 6), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1), f64x2.mul(r, p));
  // The low bits of `shifted` hold k (two's complement): (k + 1023) << 52 is the double 2ᵏ.
  const kBits = i64x2.sub(shifted, f64x2.splat(ROUND));
  const pow2 = i64x2.shl(i64x2.add(kBits, i64x2.splat(1023)), 52);
  return f64x2.mul(p, pow2);
}

/** Φ(v) = (1 + erf(v/√2))/2 of two lanes, given e = exp(−v²/2). */
// @ts-ignore: decorator
@inline
function cdfLanes(v: v128, e: v128): v128 {
  const a = f64x2.abs(v);
  const t = f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), f64x2.mul(f64x2.mul(f64x2.splat(0.3275911), a), f64x2.splat(SQRT1_2))));
  let poly = f64x2.sub(f64x2.mul(f64x2.splat(1.061405429), t), f64x2.splat(1.453152027));
  poly = f64x2.add(f64x2.mul(poly, t), f64x2.splat(1.421413741));
  poly = f64x2.sub(f64x2.mul(poly, t), f64x2.splat(0.284496736));
  poly = f64x2.add(f64x2.mul(poly, t), f64x2.splat(0.254829592));
  const y = f64x2.sub(f64x2.splat(1), f64x2.mul(f64x2.mul(poly, t), e));
  // erf(v/√2) = sign(v)·y. The TypeScript loop takes the sign as v/(|v| + 1e-300), which is
  // exactly ±1 for every float32 v but ±0 (giving ±0) and NaN (NaN either way), and replaces the
  // ∞/∞ of v = ±∞ by ±1: the same factor as this copysign, without a division.
  const signBit = v128.and(v, i64x2.splat(0x8000000000000000));
  const sign = v128.bitselect(v, v128.or(f64x2.splat(1), signBit), f64x2.eq(v, f64x2.splat(0)));
  const erf = f64x2.mul(sign, y);
  return f64x2.mul(f64x2.splat(0.5), f64x2.add(f64x2.splat(1), erf));
}

/** Two float64 pairs rounded to one float32x4: lo's lanes first. */
// @ts-ignore: decorator
@inline
function demoteFour(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * out[i] = gelu(x[i]) and, when `derivative` ≠ 0, derivative[i] = gelu′(x[i]), for i < n with n
 * a multiple of 4 (the caller runs the last few in TypeScript): float32 arrays in this module's
 * memory; `out` may be `x`.
 */
export function geluF32(x: usize, out: usize, derivative: usize, n: i32): void {
  const end = <usize>(n & ~3) * 4;
  const invSqrt2Pi = f64x2.splat(INV_SQRT_2PI);
  for (let i: usize = 0; i < end; i += 16) {
    const four = v128.load(x + i);
    const lo = f64x2.promote_low_f32x4(four);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(four, four, 2, 3, 0, 1));
    const eLo = expLanes(f64x2.mul(f64x2.mul(f64x2.splat(-0.5), lo), lo));
    const eHi = expLanes(f64x2.mul(f64x2.mul(f64x2.splat(-0.5), hi), hi));
    const cdfLo = cdfLanes(lo, eLo);
    const cdfHi = cdfLanes(hi, eHi);
    if (derivative != 0) {
      v128.store(derivative + i, demoteFour(f64x2.add(cdfLo, f64x2.mul(f64x2.mul(lo, invSqrt2Pi), eLo)),
        f64x2.add(cdfHi, f64x2.mul(f64x2.mul(hi, invSqrt2Pi), eHi))));
    }
    v128.store(out + i, demoteFour(f64x2.mul(lo, cdfLo), f64x2.mul(hi, cdfHi)));
  }
}
