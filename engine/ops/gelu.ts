// GELU x·Φ(x) (Hendrycks & Gimpel 2016), exact or in GPT-2's tanh form, as one primitive whose
// forward also writes the derivative Φ(x) + x·φ(x) when the result will be differentiated. The
// expensive part of both is one exp (or tanh) per element, and they share it: computing the
// derivative again in backward cost two more exps per element (a Transformer block's MLP runs
// GELU on 131k elements a step, ~12 ns per Math.exp; float32 uses the inlined expF32). Same
// formulas as the plain kernels (engine/kernels/js.ts: erf by Abramowitz & Stegun 7.1.26), so
// the values agree to float32 rounding.
import { apply, isGradEnabled, type Primitive } from "../autograd.js";
import { Tensor } from "../tensor.js";
import { floatOf } from "./operand.js";
import { mul } from "./arithmetic.js";
import { expF32 } from "./fast-exp.js";

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TANH_C = Math.sqrt(2 / Math.PI);
const TANH_K = 0.044715;

/** out = gelu(x), and derivative = gelu′(x) when given. */
function geluExact(x: ArrayLike<number>, out: Float32Array | Float64Array, derivative: Float32Array | Float64Array | null): void {
  const n = out.length;
  const precise = out instanceof Float64Array;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    // exp(−(v/√2)²): erf's exp and, over √(2π), the density φ(v)
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

function geluTanh(x: ArrayLike<number>, out: Float32Array | Float64Array, derivative: Float32Array | Float64Array | null): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const th = Math.tanh(TANH_C * (v + TANH_K * v * v * v));
    out[i] = 0.5 * v * (1 + th);
    if (derivative) derivative[i] = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * TANH_C * (1 + 3 * TANH_K * v * v);
  }
}

interface GeluArgs {
  tanh: boolean;
  /** gelu′(x), written by forward when the output is recorded for backward. */
  derivative: Tensor | null;
}

const Gelu: Primitive<GeluArgs> = {
  name: "gelu",
  forward: ([x], args) => {
    const dtype = floatOf(x!.dtype);
    const out = Tensor.zeros(x!.shape, dtype);
    const derivative = isGradEnabled() && x!.requiresGrad ? Tensor.zeros(x!.shape, dtype) : null;
    (args.tanh ? geluTanh : geluExact)(x!.data, out.data as Float32Array | Float64Array,
      derivative ? derivative.data as Float32Array | Float64Array : null);
    args.derivative = derivative;
    return out;
  },
  backward: (g, [x], _out, args) => {
    // The stored derivative becomes the gradient, multiplied in place (no third big array); a
    // second backward through this graph finds none and recomputes it.
    let derivative = args.derivative;
    args.derivative = null;
    if (!derivative) {
      derivative = Tensor.zeros(x!.shape, floatOf(x!.dtype));
      (args.tanh ? geluTanh : geluExact)(x!.data, new Float64Array(x!.size), derivative.data as Float32Array | Float64Array);
    }
    if (derivative.dtype !== g.dtype) return [mul(g, derivative)];
    const d = derivative.data;
    const gs = g.data;
    for (let i = 0; i < d.length; i++) d[i] = d[i]! * gs[i]!;
    return [derivative];
  },
};

/** Gaussian error linear unit x·Φ(x); `"tanh"` uses the tanh approximation. Example: `gelu(x)` */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate !== "none" && approximate !== "tanh") {
    throw new Error(`gelu: approximate must be "none" or "tanh", got ${String(approximate)}`);
  }
  return apply(Gelu, [x], { tanh: approximate === "tanh", derivative: null });
}
