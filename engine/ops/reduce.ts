// Reductions over all elements or chosen axes: sum, mean, max, min, argmax, argmin, var, std.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { kernels, type TypedArray } from "../kernels/index.js";
import { contiguousStrides, normalizeAxis } from "../shape.js";
import { Tensor } from "../tensor.js";
import { broadcastRaw } from "./operand.js";

/** PyTorch's keyword form of a reduction's dimension: `x.sum({ dim: 1, keepdim: true })`, `x.max(1, { keepdim: true })`. */
export interface ReduceOptions {
  /** The dimension(s) to reduce (all when left out). */
  dim?: number | number[];
  /** Keep each reduced dimension as size 1 (default false). */
  keepdim?: boolean;
  /** var/std only: divide by n−1 (default true) or n. */
  unbiased?: boolean;
}

/** The dim and keepdim of a call in either form: positional (`sum(x, 1, true)`) or options. */
function readDims<A>(
  axis: A | ReduceOptions | undefined,
  keep: boolean | ReduceOptions | undefined,
): { axis: A | undefined; keepDim: boolean; options: ReduceOptions } {
  const fromAxis = typeof axis === "object" && axis !== null && !Array.isArray(axis) ? (axis as ReduceOptions) : null;
  const fromKeep = typeof keep === "object" && keep !== null ? keep : null;
  const options = { ...fromAxis, ...fromKeep };
  const dims = (fromAxis ? fromAxis.dim : axis) as A | undefined;
  return {
    axis: dims ?? (options.dim as A | undefined),
    keepDim: typeof keep === "boolean" ? keep : (options.keepdim ?? false),
    options,
  };
}

interface ReduceArgs {
  axes: number[]; // sorted, distinct, non-negative
  keepDim: boolean;
}

function resolveAxes(op: string, axis: number | number[] | undefined, ndim: number): number[] {
  // The two common forms skip the set and the sort (a per-op cost on the classroom's tiny tensors).
  if (axis === undefined) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  if (typeof axis === "number") return [normalizeAxis(op, axis, ndim)];
  const list = Array.isArray(axis) ? axis : [axis];
  const axes = [...new Set(list.map((a) => normalizeAxis(op, a, ndim)))];
  return axes.sort((a, b) => a - b);
}

/** The output shape with reduced axes dropped (or kept as 1). */
function reducedShape(shape: readonly number[], axes: number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}

/** x viewed as [outer, len, inner] around one axis (or the whole tensor as one row). */
function around(shape: readonly number[], axes: number[]): { outer: number; len: number; inner: number } {
  if (axes.length === shape.length) {
    let total = 1;
    for (const d of shape) total *= d;
    return { outer: 1, len: total, inner: 1 };
  }
  const axis = axes[0]!;
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, len: shape[axis]!, inner };
}

const Sum: Primitive<ReduceArgs> = {
  name: "sum",
  saves: false,
  forward: ([x], { axes, keepDim }) => {
    const out = Tensor.zeros(reducedShape(x!.shape, axes, keepDim), x!.dtype);
    if (axes.length <= 1 || axes.length === x!.ndim) {
      const { outer, len, inner } = around(x!.shape, axes);
      if (axes.length === 0) out.raw.set(x!.raw);
      else kernels.reduce("sum", x!.raw, outer, len, inner, out.raw);
    } else {
      // Several axes at once: add every element into its output slot (stride 0 on reduced axes),
      // through a float64 accumulator for float32 data.
      const strides = contiguousStrides(reducedShape(x!.shape, axes, true));
      axes.forEach((a) => {
        strides[a] = 0;
      });
      const acc = x!.dtype === "float32" ? Tensor.zeros(out.shape, "float64") : out;
      kernels.addStrided(x!.raw, x!.shape, acc.raw, 0, strides);
      if (acc !== out) out.raw.set(acc.raw);
    }
    return out;
  },
  // Every input element contributed once: the gradient is copied back over the reduced axes.
  backward: (g, [x], _out, { axes }) => [
    broadcastRaw(new Tensor(g.raw, reducedShape(x!.shape, axes, true), g.dtype), x!.shape),
  ],
};

interface ExtremeArgs extends ReduceArgs {
  which: "max" | "min";
  indices?: Int32Array; // where each output came from, for backward
}

function extremeForward(x: Tensor, args: ExtremeArgs): Tensor {
  const { outer, len, inner } = around(x.shape, args.axes);
  if (len === 0) throw new Error(`${args.which}: cannot reduce an empty dimension`);
  const indices = new Int32Array(outer * inner);
  kernels.argReduce(args.which, x.raw, outer, len, inner, indices);
  const out = Tensor.zeros(reducedShape(x.shape, args.axes, args.keepDim), x.dtype);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) out.raw[o * inner + i] = x.raw[(o * len + indices[o * inner + i]!) * inner + i]!;
  }
  args.indices = indices;
  return out;
}

// The gradient goes to the element that was picked (the first one on ties).
const Extreme: Primitive<ExtremeArgs> = {
  name: "max",
  saves: false,
  forward: ([x], args) => extremeForward(x!, args),
  backward: (g, [x], _out, args) => {
    const { outer, len, inner } = around(x!.shape, args.axes);
    const dx = Tensor.zeros(x!.shape, g.dtype);
    const idx = args.indices!;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) dx.raw[(o * len + idx[o * inner + i]!) * inner + i]! += g.raw[o * inner + i];
    }
    return [dx];
  },
};
const Min: Primitive<ExtremeArgs> = { ...Extreme, name: "min" };

function singleAxis(op: string, x: Tensor, axis: number | undefined): number[] {
  return axis === undefined ? resolveAxes(op, undefined, x.ndim) : [normalizeAxis(op, axis, x.ndim)];
}

/** Sum over all elements or the given axes. Example: `sum(x)`, `sum(x, 1, true)` */
export function sum(x: Tensor, dim?: number | number[] | ReduceOptions, keep?: boolean | ReduceOptions): Tensor {
  const { axis, keepDim } = readDims<number | number[]>(dim, keep);
  return apply(Sum, [x], { axes: resolveAxes("sum", axis, x.ndim), keepDim });
}

interface MeanArgs extends ReduceArgs {
  /** 1/n as the input's dtype holds it (float32-rounded for float32). */
  scale: number;
}

// The mean is the sum times 1/n in one op (a loss's last op: one graph node and one backward
// step fewer than sum then mul). The scale is rounded to the dtype as a scalar tensor would be,
// so values and gradients equal sum(x).mul(1 / n)'s exactly.
const Mean: Primitive<MeanArgs> = {
  name: "mean",
  saves: false,
  forward: (inputs, args) => {
    const out = Sum.forward(inputs, args);
    scaleInPlace(out.raw, args.scale);
    return out;
  },
  backward: (g, inputs, out, args, ownsGrad) => {
    const scaled = Tensor.zeros(g.shape, g.dtype);
    scaled.raw.set(g.raw);
    scaleInPlace(scaled.raw, args.scale);
    return Sum.backward(scaled, inputs, out, args, ownsGrad);
  },
};

function scaleInPlace(data: TypedArray, scale: number): void {
  for (let i = 0; i < data.length; i++) data[i] = data[i]! * scale;
}

/** Average over all elements or the given axes. Example: `mean(x, 0)` */
export function mean(x: Tensor, dim?: number | number[] | ReduceOptions, keep?: boolean | ReduceOptions): Tensor {
  const { axis, keepDim } = readDims<number | number[]>(dim, keep);
  const axes = resolveAxes("mean", axis, x.ndim);
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  const input = x.dtype === "int32" ? x.to("float32") : x;
  const scale = input.dtype === "float32" ? Math.fround(1 / count) : 1 / count;
  return apply(Mean, [input], { axes, keepDim, scale });
}

/** Largest value over all elements or one axis. Example: `max(x, 1)` */
export function max(x: Tensor, dim?: number | ReduceOptions, keep?: boolean | ReduceOptions): Tensor {
  const { axis, keepDim } = readDims<number>(dim, keep);
  return apply(Extreme, [x], { axes: singleAxis("max", x, axis), keepDim, which: "max" });
}

/** Smallest value over all elements or one axis. Example: `min(x, 1)` */
export function min(x: Tensor, dim?: number | ReduceOptions, keep?: boolean | ReduceOptions): Tensor {
  const { axis, keepDim } = readDims<number>(dim, keep);
  return apply(Min, [x], { axes: singleAxis("min", x, axis), keepDim, which: "min" });
}

function argExtreme(which: "max" | "min", x: Tensor, axis: number | undefined, keepDim: boolean): Tensor {
  throwIfInterrupted();
  const op = which === "max" ? "argmax" : "argmin";
  const axes = singleAxis(op, x, axis);
  const { outer, len, inner } = around(x.shape, axes);
  if (len === 0) throw new Error(`${op}: cannot reduce an empty dimension`);
  const out = Tensor.zeros(reducedShape(x.shape, axes, keepDim), "int32");
  kernels.argReduce(which, x.raw, outer, len, inner, out.raw as Int32Array);
  return out;
}

/** Index of the largest value (flat index when no axis), int32. Example: `argmax(logits, 1)` */
export function argmax(x: Tensor, dim?: number | ReduceOptions, keep?: boolean | ReduceOptions): Tensor {
  const { axis, keepDim } = readDims<number>(dim, keep);
  return argExtreme("max", x, axis, keepDim);
}

/** Index of the smallest value, int32. Example: `argmin(x, 0)` */
export function argmin(x: Tensor, dim?: number | ReduceOptions, keep?: boolean | ReduceOptions): Tensor {
  const { axis, keepDim } = readDims<number>(dim, keep);
  return argExtreme("min", x, axis, keepDim);
}

/**
 * Variance: mean squared deviation, divided by n−1 when `unbiased` (PyTorch's default) or n.
 * Example: `variance(x, 0)`, `x.var(-1, true, false)` (LayerNorm's biased form)
 */
export function variance(
  x: Tensor,
  dim?: number | number[] | ReduceOptions,
  keep?: boolean | ReduceOptions,
  unbiasedArg?: boolean,
): Tensor {
  const { axis, keepDim, options } = readDims<number | number[]>(dim, keep);
  const unbiased = unbiasedArg ?? options.unbiased ?? true;
  const axes = resolveAxes("var", axis, x.ndim);
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  const deviation = x.sub(mean(x, axes, true));
  return sum(deviation.mul(deviation), axes, keepDim).div(unbiased ? count - 1 : count);
}

/** Standard deviation √var. Example: `std(x, 0)` */
export function std(
  x: Tensor,
  dim?: number | number[] | ReduceOptions,
  keep?: boolean | ReduceOptions,
  unbiased?: boolean,
): Tensor {
  return variance(x, dim, keep, unbiased).sqrt();
}
