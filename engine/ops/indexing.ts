// Picking elements: slice, index, gather, indexSelect, and oneHot. The backward of a pick is
// a scatter-add into zeros of the input's shape.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { kernels } from "../kernels/index.js";
import { contiguousStrides, formatShape, normalizeAxis } from "../shape.js";
import { Tensor } from "../tensor.js";

interface SliceArgs {
  axis: number;
  start: number;
  count: number;
  step: number;
}

/** Where a slice starts in the input and how it walks it. */
function sliceView(shape: readonly number[], { axis, start, count, step }: SliceArgs) {
  const strides = contiguousStrides(shape);
  const offset = start * strides[axis]!;
  strides[axis] = strides[axis]! * step;
  const outShape = [...shape];
  outShape[axis] = count;
  return { offset, strides, outShape };
}

const Slice: Primitive<SliceArgs> = {
  name: "slice",
  saves: false,
  forward: ([x], args) => {
    const { offset, strides, outShape } = sliceView(x!.shape, args);
    const out = Tensor.zeros(outShape, x!.dtype);
    kernels.copyStrided(x!.raw, offset, strides, outShape, out.raw);
    return out;
  },
  backward: (g, [x], _out, args) => {
    const { offset, strides } = sliceView(x!.shape, args);
    const dx = Tensor.zeros(x!.shape, g.dtype);
    kernels.addStrided(g.raw, g.shape, dx.raw, offset, strides);
    return [dx];
  },
};

/**
 * Elements start, start+step, … before end along `axis` (like Python's x[start:end:step]);
 * negative start/end count from the end. Example: `slice(x, 1, 0, 2)` is x[:, 0:2]
 */
export function slice(x: Tensor, axis: number, start: number, end?: number, step = 1): Tensor {
  const a = normalizeAxis("slice", axis, x.ndim);
  const n = x.shape[a]!;
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const clampIndex = (i: number): number => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIndex(start);
  const e = clampIndex(end ?? n);
  const count = e > s ? Math.ceil((e - s) / step) : 0;
  return apply(Slice, [x], { axis: a, start: s, count, step });
}

function checkIndex(op: string, value: number, size: number, axis: number): number {
  if (!Number.isInteger(value) || value < -size || value >= size) {
    throw new Error(`${op}: index ${value} is out of range for axis ${axis} of size ${size}`);
  }
  return value < 0 ? value + size : value;
}

/** Sizes of x viewed as [outer, len, inner] around `axis`. */
function around(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, len: shape[axis]!, inner };
}

interface GatherArgs {
  axis: number;
  index: Int32Array; // validated, non-negative
  indexShape: number[];
}

const Gather: Primitive<GatherArgs> = {
  name: "gather",
  saves: false,
  forward: ([x], { axis, index, indexShape }) => {
    const { outer, len, inner } = around(x!.shape, axis);
    const picks = indexShape[axis]!;
    const out = Tensor.zeros(indexShape, x!.dtype);
    for (let o = 0; o < outer; o++) {
      for (let p = 0; p < picks; p++) {
        const row = (o * picks + p) * inner;
        for (let i = 0; i < inner; i++) out.raw[row + i] = x!.raw[(o * len + index[row + i]!) * inner + i]!;
      }
    }
    return out;
  },
  backward: (g, [x], _out, { axis, index, indexShape }) => {
    const { outer, len, inner } = around(x!.shape, axis);
    const picks = indexShape[axis]!;
    const dx = Tensor.zeros(x!.shape, g.dtype);
    for (let o = 0; o < outer; o++) {
      for (let p = 0; p < picks; p++) {
        const row = (o * picks + p) * inner;
        for (let i = 0; i < inner; i++) dx.raw[(o * len + index[row + i]!) * inner + i]! += g.raw[row + i];
      }
    }
    return [dx];
  },
};

/**
 * out[i][j] = x[i][index[i][j]] for axis 1 (any axis works the same way); `index` has x's shape
 * except along `axis`. Example: `gather(logProbs, 1, labels.unsqueeze(1))` picks each row's label
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normalizeAxis("gather", axis, x.ndim);
  if (index.ndim !== x.ndim || index.shape.some((d, i) => i !== a && d !== x.shape[i])) {
    throw new Error(
      `gather: index of shape ${formatShape(index.shape)} must match input ${formatShape(x.shape)} except along axis ${a}`,
    );
  }
  const size = x.shape[a]!;
  const checked = new Int32Array(index.numel());
  for (let i = 0; i < checked.length; i++) checked[i] = checkIndex("gather", index.raw[i]!, size, a);
  return apply(Gather, [x], { axis: a, index: checked, indexShape: [...index.shape] });
}

interface SelectArgs {
  axis: number;
  indices: Int32Array;
}

const IndexSelect: Primitive<SelectArgs> = {
  name: "indexSelect",
  saves: false,
  forward: ([x], { axis, indices }) => {
    const { outer, len, inner } = around(x!.shape, axis);
    const shape = [...x!.shape];
    shape[axis] = indices.length;
    const out = Tensor.zeros(shape, x!.dtype);
    const picks = indices.length;
    for (let o = 0; o < outer; o++) {
      for (let p = 0; p < picks; p++) {
        const from = (o * len + indices[p]!) * inner;
        out.raw.set(x!.raw.subarray(from, from + inner), (o * picks + p) * inner);
      }
    }
    return out;
  },
  backward: (g, [x], _out, { axis, indices }) => {
    const { outer, len, inner } = around(x!.shape, axis);
    const dx = Tensor.zeros(x!.shape, g.dtype);
    const picks = indices.length;
    for (let o = 0; o < outer; o++) {
      for (let p = 0; p < picks; p++) {
        const to = (o * len + indices[p]!) * inner;
        const from = (o * picks + p) * inner;
        for (let i = 0; i < inner; i++) dx.raw[to + i]! += g.raw[from + i];
      }
    }
    return [dx];
  },
};

/** The slices at `indices` along `axis` (repeats allowed). Example: `indexSelect(X, 0, [3, 1, 4])` */
export function indexSelect(x: Tensor, axis: number, indices: Tensor | readonly number[]): Tensor {
  const a = normalizeAxis("indexSelect", axis, x.ndim);
  const values = indices instanceof Tensor ? indices.raw : indices;
  if (indices instanceof Tensor && indices.ndim > 1) {
    throw new Error(`indexSelect: indices must be 1-D, got shape ${formatShape(indices.shape)}`);
  }
  const size = x.shape[a]!;
  const checked = new Int32Array(values.length);
  for (let i = 0; i < checked.length; i++) checked[i] = checkIndex("indexSelect", values[i]!, size, a);
  return apply(IndexSelect, [x], { axis: a, indices: checked });
}

/**
 * Integer labels → float32 rows with a 1 at each label (numClasses defaults to max label + 1).
 * Example: `oneHot(tensor([0, 2], { dtype: "int32" }), 3)` → [[1,0,0],[0,0,1]]
 */
export function oneHot(labels: Tensor, numClasses?: number): Tensor {
  throwIfInterrupted();
  let classes = numClasses;
  if (classes === undefined) {
    classes = 0;
    for (let i = 0; i < labels.numel(); i++) classes = Math.max(classes, labels.raw[i]! + 1);
  }
  const out = Tensor.zeros([...labels.shape, classes], "float32");
  for (let i = 0; i < labels.numel(); i++) {
    const label = labels.raw[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new Error(`oneHot: label ${label} is not an integer in [0, ${classes})`);
    }
    out.raw[i * classes + label] = 1;
  }
  return out;
}
