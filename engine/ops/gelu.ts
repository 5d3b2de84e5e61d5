// GELU x·Φ(x) (Hendrycks & Gimpel 2016), exact or in GPT-2's tanh form, as one primitive whose
// forward also writes the derivative Φ(x) + x·φ(x) when the result will be differentiated. The
// expensive part of both is one exp (or tanh) per element, and they share it: computing the
// derivative again in backward cost two more exps per element (a Transformer block's MLP runs
// GELU on 131k elements a step). The exact form is a kernel (`kernels.gelu`: WebAssembly SIMD
// for float32); the tanh form stays here.
import { apply, isGradEnabled, type Primitive } from "../autograd.js";
import { kernels } from "../kernels/index.js";
import { Tensor } from "../tensor.js";
import { mul } from "./arithmetic.js";
import { floatOf } from "./operand.js";

const TANH_C = Math.sqrt(2 / Math.PI);
const TANH_K = 0.044715;

function geluTanh(
  x: ArrayLike<number>,
  out: Float32Array | Float64Array,
  derivative: Float32Array | Float64Array | null,
): void {
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
    const out = Tensor.unfilled(x!.shape, dtype); // the kernel writes every element of both
    const derivative = isGradEnabled() && x!.requiresGrad ? Tensor.unfilled(x!.shape, dtype) : null;
    (args.tanh ? geluTanh : kernels.gelu)(
      x!.raw,
      out.raw as Float32Array | Float64Array,
      derivative ? (derivative.raw as Float32Array | Float64Array) : null,
    );
    args.derivative = derivative;
    return out;
  },
  backward: (g, [x], _out, args) => {
    // The stored derivative becomes the gradient, multiplied in place (no third big array); a
    // second backward through this graph finds none and recomputes it.
    let derivative = args.derivative;
    args.derivative = null;
    if (!derivative) {
      derivative = Tensor.unfilled(x!.shape, floatOf(x!.dtype));
      // The values themselves are not needed; an array of the derivative's type keeps the same
      // arithmetic (float32 or float64) as forward used.
      const values =
        derivative.raw instanceof Float32Array ? new Float32Array(x!.numel()) : new Float64Array(x!.numel());
      (args.tanh ? geluTanh : kernels.gelu)(x!.raw, values, derivative.raw as Float32Array | Float64Array);
    }
    if (derivative.dtype !== g.dtype) return [mul(g, derivative)];
    kernels.binary("mul", derivative.raw, [1], g.raw, [1], derivative.raw, [derivative.numel()]);
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
