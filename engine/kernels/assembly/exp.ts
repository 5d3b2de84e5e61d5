// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// eˣ for x ≤ 0, four float32 lanes at a time (Cephes' expf: ~1 ulp), for GELU's exp(−x²/2) and
// softmax's exp(x − max). engine/kernels/js-gelu.ts repeats it operation by operation.

const LOG2E: f32 = 1.4426950408889634;
const ROUND: f32 = 12582912; // 1.5·2²³: adding and subtracting it rounds to an integer
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const LOWEST: f32 = -87.33654; // below it 2ᵏ would leave float32's normal range

/** eˣ of four lanes with x ≤ 0 (Cephes expf); the exponent 2ᵏ is built in the float's bits. */
// @ts-ignore: decorator
@inline
export function expNonPositive(x: v128): v128 {
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
