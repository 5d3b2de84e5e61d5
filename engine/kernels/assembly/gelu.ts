// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// Exact GELU x·Φ(x) of float32 values, and its derivative Φ(x) + x·φ(x), four lanes at a time in
// float32: the same operations in the same order as the TypeScript loop (engine/kernels/js-gelu.ts:
// erf by Abramowitz & Stegun 7.1.26, eˣ by Cephes' expf), so every result is bit-identical to it.
// Separate multiplies and adds, no fused multiply-add, which would change the roundings.

const LOG2E: f32 = 1.4426950408889634;
const ROUND: f32 = 12582912; // 1.5·2²³: adding and subtracting it rounds to an integer
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const LOWEST: f32 = -87.33654; // below it 2ᵏ would leave float32's normal range
const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** eˣ of four lanes with x ≤ 0 (Cephes expf); the exponent 2ᵏ is built in the float's bits. */
// @ts-ignore: decorator
@inline
function expNonPositive(x: v128): v128 {
  const z = f32x4.pmax(x, f32x4.splat(LOWEST)); // x < LOWEST ? LOWEST : x (NaN stays NaN)
  const shifted = f32x4.add(f32x4.mul(z, f32x4.splat(LOG2E)), f32x4.splat(ROUND));
  const k = f32x4.sub(shifted, f32x4.splat(ROUND));
  const r = f32x4.sub(f32x4.sub(z, f32x4.mul(k, f32x4.splat(LN2_HI))), f32x4.mul(k, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(<f32>1.9875691500e-4), r), f32x4.splat(<f32>1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // The low bits of `shifted` hold k (two's complement): (k + 127) << 23 is the float 2ᵏ.
  const pow2 = i32x4.shl(i32x4.add(i32x4.sub(shifted, f32x4.splat(ROUND)), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2);
}

/**
 * out[i] = gelu(x[i]) and, when `derivative` ≠ 0, derivative[i] = gelu′(x[i]), for i < n with n
 * a multiple of 4 (the caller runs the last few in TypeScript): float32 arrays in this module's
 * memory; `out` may be `x`.
 */
export function geluF32(x: usize, out: usize, derivative: usize, n: i32): void {
  const end = <usize>(n & ~3) * 4;
  for (let i: usize = 0; i < end; i += 16) {
    const v = v128.load(x + i);
    const e = expNonPositive(f32x4.mul(f32x4.mul(f32x4.splat(-0.5), v), v));
    const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1),
      f32x4.mul(f32x4.mul(f32x4.splat(<f32>0.3275911), f32x4.abs(v)), f32x4.splat(SQRT1_2))));
    let poly = f32x4.add(f32x4.mul(f32x4.splat(<f32>1.061405429), t), f32x4.splat(<f32>-1.453152027));
    poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(<f32>1.421413741));
    poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(<f32>-0.284496736));
    poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(<f32>0.254829592));
    const y = f32x4.sub(f32x4.splat(1), f32x4.mul(f32x4.mul(poly, t), e));
    // sign(v): ±1, but ±0 for ±0 (NaN: y is NaN already)
    const sign = v128.bitselect(v, v128.or(f32x4.splat(1), v128.and(v, i32x4.splat(0x80000000))), f32x4.eq(v, f32x4.splat(0)));
    const cdf = f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.splat(1), f32x4.mul(sign, y)));
    if (derivative != 0) {
      v128.store(derivative + i, f32x4.add(cdf, f32x4.mul(f32x4.mul(v, f32x4.splat(INV_SQRT_2PI)), e)));
    }
    v128.store(out + i, f32x4.mul(v, cdf));
  }
}
