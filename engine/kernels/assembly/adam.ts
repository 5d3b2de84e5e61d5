// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// One Adam step over float32 parameters, four lanes at a time in float32 arithmetic (as PyTorch
// updates float32 parameters): the same operations in the same order as the TypeScript loop
// (engine/kernels/js-adam.ts), so every stored value is bit-identical to it. Separate multiplies
// and adds, no fused multiply-add, which would change the roundings.

/**
 * For i < n (a multiple of 4; the caller runs the rest in TypeScript): θ ← θ·shrink;
 * g ← grad + l2·θ; m ← β₁m + keep1·g; v ← β₂v + keep2·g·g; θ ← θ − stepSize·m / (√v·invSqrtBiasCorrection2 + ε).
 * Arrays of float32 in this module's memory.
 */
export function adamF32(p: usize, grad: usize, m: usize, v: usize, n: i32, beta1: f32, beta2: f32,
  keep1: f32, keep2: f32, eps: f32, stepSize: f32, invSqrtBiasCorrection2: f32, shrink: f32, l2: f32): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), k1 = f32x4.splat(keep1), k2 = f32x4.splat(keep2);
  const e = f32x4.splat(eps), step = f32x4.splat(stepSize), inv = f32x4.splat(invSqrtBiasCorrection2);
  const s = f32x4.splat(shrink), decay = f32x4.splat(l2);
  const end = <usize>(n & ~3) * 4;
  for (let i: usize = 0; i < end; i += 16) {
    const theta = f32x4.mul(v128.load(p + i), s);
    const g = f32x4.add(v128.load(grad + i), f32x4.mul(decay, theta));
    const mNew = f32x4.add(f32x4.mul(b1, v128.load(m + i)), f32x4.mul(k1, g));
    const vNew = f32x4.add(f32x4.mul(b2, v128.load(v + i)), f32x4.mul(f32x4.mul(k2, g), g));
    v128.store(m + i, mNew);
    v128.store(v + i, vNew);
    const denominator = f32x4.add(f32x4.mul(f32x4.sqrt(vNew), inv), e);
    v128.store(p + i, f32x4.sub(theta, f32x4.div(f32x4.mul(step, mNew), denominator)));
  }
}
