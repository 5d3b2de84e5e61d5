// One fused Adam pass over a parameter's raw arrays (the update rule and its derivation are in
// engine/optim/adam.ts). Float32 parameters are updated in float32 arithmetic, as PyTorch updates
// them: each operation rounded with Math.fround (for + − × ÷ √ of float32 values, rounding the
// float64 result gives the float32 operation's result exactly), so the WebAssembly build
// (assembly/adam.ts), which runs the same float32 operations in the same order four lanes at a
// time, is bit-identical. Other parameters use float64, m and v read back as stored.
import type { AdamCoefficients, TypedArray } from "./types.js";

const f = Math.fround;

/** The `Kernels.adam` contract, from element `from` on. */
export function adamJs(
  p: Float32Array | Float64Array,
  grad: TypedArray,
  m: Float32Array | Float64Array,
  v: Float32Array | Float64Array,
  c: AdamCoefficients,
  from = 0,
): void {
  if (
    p instanceof Float32Array &&
    grad instanceof Float32Array &&
    m instanceof Float32Array &&
    v instanceof Float32Array
  ) {
    adamFloat32(p, grad, m, v, c, from);
    return;
  }
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

function adamFloat32(
  p: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  c: AdamCoefficients,
  from: number,
): void {
  const beta1 = f(c.beta1),
    beta2 = f(c.beta2),
    keep1 = f(1 - c.beta1),
    keep2 = f(1 - c.beta2);
  const eps = f(c.eps),
    stepSize = f(c.stepSize),
    inv = f(c.invSqrtBiasCorrection2),
    shrink = f(c.shrink),
    l2 = f(c.l2);
  const n = p.length;
  for (let i = from; i < n; i++) {
    const theta = f(p[i]! * shrink);
    const g = f(grad[i]! + f(l2 * theta));
    const mNew = f(f(beta1 * m[i]!) + f(keep1 * g));
    const vNew = f(f(beta2 * v[i]!) + f(f(keep2 * g) * g));
    m[i] = mNew;
    v[i] = vNew;
    p[i] = theta - f(f(stepSize * mNew) / f(f(f(Math.sqrt(vNew)) * inv) + eps));
  }
}
