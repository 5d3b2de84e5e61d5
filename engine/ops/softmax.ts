// softmax and logSoftmax along one axis, each one primitive with its closed-form backward:
//   softmax y:     dx = y · (g − Σ g·y)
//   logSoftmax y:  dx = g − eʸ · Σ g
// Composed of primitives (max, sub, exp, sum, div and their backwards) they took about a dozen
// full passes and fresh tensors; attention runs softmax over every score. The row maximum is
// subtracted first so exp never overflows: softmax(x) = softmax(x − c). float32 uses expF32.
import { apply, type Primitive } from "../autograd.js";
import { expF32 } from "../kernels/fast-exp.js";
import { normalizeAxis } from "../shape.js";
import { Tensor } from "../tensor.js";
import { floatOf } from "./operand.js";

type Data = ArrayLike<number> & { [i: number]: number };

interface SoftmaxArgs {
  log: boolean;
  outer: number;
  len: number;
  inner: number;
}

/** x viewed as [outer, len, inner], normalised along len: one line at a time (start, step). */
function forwardLine(x: ArrayLike<number>, out: Data, start: number, step: number, len: number, log: boolean): void {
  let max = -Infinity;
  for (let i = 0, at = start; i < len; i++, at += step) {
    const v = x[at]!;
    if (v > max || v !== v) max = v;
  }
  let sum = 0;
  const precise = out instanceof Float64Array;
  if (log) {
    for (let i = 0, at = start; i < len; i++, at += step)
      sum += precise ? Math.exp(x[at]! - max) : expF32(x[at]! - max);
    const shift = max + Math.log(sum);
    for (let i = 0, at = start; i < len; i++, at += step) out[at] = x[at]! - shift;
  } else {
    for (let i = 0, at = start; i < len; i++, at += step) {
      const e = precise ? Math.exp(x[at]! - max) : expF32(x[at]! - max);
      out[at] = e;
      sum += e;
    }
    const scale = 1 / sum;
    for (let i = 0, at = start; i < len; i++, at += step) out[at] = out[at]! * scale;
  }
}

function backwardLine(
  g: ArrayLike<number>,
  y: ArrayLike<number>,
  dx: Data,
  start: number,
  step: number,
  len: number,
  log: boolean,
): void {
  let dot = 0;
  if (log) {
    for (let i = 0, at = start; i < len; i++, at += step) dot += g[at]!;
    for (let i = 0, at = start; i < len; i++, at += step) dx[at] = g[at]! - Math.exp(y[at]!) * dot;
  } else {
    for (let i = 0, at = start; i < len; i++, at += step) dot += g[at]! * y[at]!;
    for (let i = 0, at = start; i < len; i++, at += step) dx[at] = y[at]! * (g[at]! - dot);
  }
}

const Softmax: Primitive<SoftmaxArgs> = {
  name: "softmax",
  forward: ([x], { log, outer, len, inner }) => {
    const out = Tensor.zeros(x!.shape, floatOf(x!.dtype));
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) forwardLine(x!.raw, out.raw, o * len * inner + i, inner, len, log);
    }
    return out;
  },
  backward: (g, _inputs, out, { log, outer, len, inner }) => {
    const dx = Tensor.zeros(out.shape, g.dtype);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) backwardLine(g.raw, out.raw, dx.raw, o * len * inner + i, inner, len, log);
    }
    return [dx];
  },
};

const LogSoftmax: Primitive<SoftmaxArgs> = { ...Softmax, name: "logSoftmax" };

function run(x: Tensor, axis: number, log: boolean, name: string): Tensor {
  if (x.ndim === 0) return run(x.reshape([1]), 0, log, name).reshape([]);
  const a = normalizeAxis(name, axis, x.ndim);
  const len = x.shape[a]!;
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  return apply(log ? LogSoftmax : Softmax, [x], { log, outer, len, inner });
}

/** eˣ normalised to sum to 1 along `axis`. Example: `softmax(logits, -1)` */
export function softmax(x: Tensor, axis = -1): Tensor {
  return run(x, axis, false, "softmax");
}

/** log(softmax(x)) by log-sum-exp: x − m − log Σ e^(x−m). Example: `logSoftmax(logits, 1)` */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return run(x, axis, true, "logSoftmax");
}
