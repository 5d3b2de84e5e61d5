// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// Exact GELU x·Φ(x) of float32 values, and its derivative Φ(x) + x·φ(x), four lanes at a time in
// float32: the same operations in the same order as the TypeScript loop (engine/kernels/js-gelu.ts:
// erf by Abramowitz & Stegun 7.1.26, eˣ by Cephes' expf), so every result is bit-identical to it.
// Separate multiplies and adds, no fused multiply-add, which would change the roundings.
import { expNonPositive } from "./exp";

const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

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
