// Ops that move elements without computing new values: reshape and friends, permute/transpose,
// expand, concat/stack/split, dtype conversion and copies.
import { apply, type Primitive } from "../autograd.js";
import { type DType, kernels } from "../kernels/index.js";
import {
  broadcastShapes,
  broadcastStrides,
  contiguousStrides,
  formatShape,
  normalizeAxis,
  shapeSize,
} from "../shape.js";
import { allocateUnfilled, isFloat, Tensor } from "../tensor.js";
import { slice } from "./indexing.js";
import { promote } from "./operand.js";

// Storage is always contiguous, so a reshape shares the data (a view).
const Reshape: Primitive<{ shape: number[] }> = {
  name: "reshape",
  saves: false,
  forward: ([x], { shape }) => x!.viewAs(shape),
  backward: (g, [x]) => [g.reshape(x!.shape)],
};

/** Resolves a requested shape: one -1 is inferred, the element count must match. */
function resolveShape(op: string, from: readonly number[], to: readonly number[]): number[] {
  const size = shapeSize(from);
  const shape = [...to];
  const unknown = shape.indexOf(-1);
  if (unknown !== shape.lastIndexOf(-1)) throw new Error(`${op}: only one size can be -1, got ${formatShape(to)}`);
  const known = shape.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0)
      throw new Error(`${op}: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(to)}`);
    shape[unknown] = size / known;
  }
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || shapeSize(shape) !== size) {
    throw new Error(`${op}: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(to)}`);
  }
  return shape;
}

/** Same elements in a new shape (one size may be -1). Example: `reshape(x, [2, -1])` */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = resolveShape("reshape", x.shape, shape);
  return apply(Reshape, [x], { shape: target });
}

/** Merges dimensions startDim..endDim into one. Example: `flatten(images, 1)` */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis("flatten", startDim, x.ndim);
  const e = normalizeAxis("flatten", endDim, x.ndim);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Drops size-1 dimensions (all, or only `axis`). Example: `squeeze(x, 1)` */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const a = normalizeAxis("squeeze", axis, x.ndim);
  if (x.shape[a] !== 1) return x;
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

/** Inserts a size-1 dimension at `axis` (negative counts from the end). Example: `unsqueeze(x, 0)` */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis("unsqueeze", axis, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

const Permute: Primitive<{ dims: number[] }> = {
  name: "permute",
  saves: false,
  forward: ([x], { dims }) => {
    const strides = contiguousStrides(x!.shape);
    const shape = dims.map((d) => x!.shape[d]!);
    const out = Tensor.unfilled(shape, x!.dtype); // copyStrided writes every element
    kernels.copyStrided(
      x!.raw,
      0,
      dims.map((d) => strides[d]!),
      shape,
      out.raw,
    );
    return out;
  },
  backward: (g, _inputs, _out, { dims }) => {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => {
      inverse[d] = i;
    });
    return [g.permute(inverse)];
  },
};

/** Reorders dimensions: output dim i is input dim dims[i]. Example: `permute(x, [2, 0, 1])` */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const resolved = dims.map((d) => normalizeAxis("permute", d, x.ndim));
  if (resolved.length !== x.ndim || new Set(resolved).size !== x.ndim) {
    throw new Error(
      `permute: ${formatShape(dims)} is not an ordering of the ${x.ndim} dimensions of ${formatShape(x.shape)}`,
    );
  }
  return apply(Permute, [x], { dims: resolved });
}

/** Swaps two dimensions. Example: `transpose(x, 0, 1)` */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const a = normalizeAxis("transpose", dim0, x.ndim);
  const b = normalizeAxis("transpose", dim1, x.ndim);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Transpose of a matrix (a vector is returned as is). Example: `t(w)` */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2)
    throw new Error(`t: expects a tensor with at most 2 dimensions, got ${formatShape(x.shape)} (use transpose)`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

// The gradient comes back in the expanded shape; autograd's reduceBroadcastGrad sums it.
const Expand: Primitive<{ shape: number[] }> = {
  name: "expand",
  saves: false,
  forward: ([x], { shape }) => {
    const out = Tensor.unfilled(shape, x!.dtype); // copyStrided writes every element
    kernels.copyStrided(x!.raw, 0, broadcastStrides(x!.shape, shape), shape, out.raw);
    return out;
  },
  backward: (g) => [g],
};

/** Repeats size-1 dimensions up to `shape` (-1 keeps a size). Example: `expand(b, [32, 10])` */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const offset = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= offset ? x.shape[i - offset]! : d));
  const result = broadcastShapes("expand", x.shape, target);
  if (result.some((d, i) => d !== target[i])) {
    throw new Error(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  return apply(Expand, [x], { shape: target });
}

const Concat: Primitive<{ axis: number }> = {
  name: "concat",
  saves: false,
  forward: (inputs, { axis }) => {
    const first = inputs[0]!;
    const shape = [...first.shape];
    shape[axis] = inputs.reduce((s, x) => s + x.shape[axis]!, 0);
    const out = Tensor.zeros(
      shape,
      inputs.reduce<DType>((d, x) => promote(d, x.dtype), first.dtype),
    );
    const strides = contiguousStrides(shape);
    let at = 0;
    for (const x of inputs) {
      kernels.addStrided(x.raw, x.shape, out.raw, at * strides[axis]!, strides); // out is zero: a copy
      at += x.shape[axis]!;
    }
    return out;
  },
  backward: (g, inputs, _out, { axis }) => {
    let at = 0;
    return inputs.map((x) => {
      const piece = x.requiresGrad ? slice(g, axis, at, at + x.shape[axis]!) : null;
      at += x.shape[axis]!;
      return piece;
    });
  },
};

/** `tensors` itself, after checking it is an array (torch.cat((a, b)) ported with parentheses is not). */
export function tensorList(op: string, tensors: readonly Tensor[]): readonly Tensor[] {
  if (!Array.isArray(tensors as unknown))
    throw new TypeError(`${op}: pass the tensors as an array: ${op}([a, b], dim)`);
  return tensors;
}

/** Joins tensors along an existing axis. Example: `concat([a, b], 0)` */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors as unknown))
    throw new TypeError("concat: pass the tensors as an array: concat([a, b], dim)");
  if (tensors.length === 0) throw new Error("concat: needs at least one tensor");
  const first = tensors[0]!;
  const a = normalizeAxis("concat", axis, first.ndim);
  for (const x of tensors) {
    if (x.ndim !== first.ndim || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(
        `concat: shapes ${formatShape(first.shape)} and ${formatShape(x.shape)} differ outside axis ${a}`,
      );
    }
  }
  return apply(Concat, [...tensors], { axis: a });
}

/** Joins same-shaped tensors along a new axis. Example: `stack([a, b], 0)` */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors as unknown))
    throw new TypeError("stack: pass the tensors as an array: stack([a, b], dim)");
  if (tensors.length === 0) throw new Error("stack: needs at least one tensor");
  const first = tensors[0]!;
  for (const x of tensors) {
    if (x.ndim !== first.ndim || x.shape.some((d, i) => d !== first.shape[i])) {
      throw new Error(`stack: shapes ${formatShape(first.shape)} and ${formatShape(x.shape)} differ`);
    }
  }
  const a = normalizeAxis("stack", axis, first.ndim + 1);
  return concat(
    tensors.map((x) => unsqueeze(x, a)),
    a,
  );
}

/** Cuts into pieces of `size` (the last may be smaller) or of the given sizes. Example: `split(x, 2, 0)` */
export function split(x: Tensor, sizeOrSections: number | readonly number[], axis = 0): Tensor[] {
  const a = normalizeAxis("split", axis, x.ndim);
  const total = x.shape[a]!;
  let sizes: number[];
  if (typeof sizeOrSections === "number") {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0)
      throw new Error(`split: size must be a positive integer, got ${sizeOrSections}`);
    sizes = [];
    for (let at = 0; at < total; at += sizeOrSections) sizes.push(Math.min(sizeOrSections, total - at));
  } else {
    sizes = [...sizeOrSections];
    const sum = sizes.reduce((p, s) => p + s, 0);
    if (sum !== total)
      throw new Error(
        `split: sizes ${formatShape(sizes)} add up to ${sum}, but axis ${a} of ${formatShape(x.shape)} has ${total}`,
      );
  }
  let at = 0;
  return sizes.map((s) => {
    const piece = slice(x, a, at, at + s);
    at += s;
    return piece;
  });
}

const Cast: Primitive<{ dtype: DType }> = {
  name: "to",
  saves: false,
  forward: ([x], { dtype }) => {
    const data = allocateUnfilled(dtype, x!.numel()); // both branches write every element
    if (dtype === "int32" && isFloat(x!.dtype)) for (let i = 0; i < data.length; i++) data[i] = Math.trunc(x!.raw[i]!);
    else data.set(x!.raw);
    return new Tensor(data, [...x!.shape], dtype);
  },
  backward: (g, [x]) => [isFloat(x!.dtype) ? g.to(x!.dtype) : null],
};

const Clone: Primitive<{ dtype: DType }> = { ...Cast, name: "clone" };

/** The tensor in another dtype, copied (differentiable between float types). Example: `to(labels, "float32")` */
export function to(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x; // like PyTorch's .to(): no copy when nothing changes
  if (dtype !== "float32" && dtype !== "float64" && dtype !== "int32") return toDevice(x, dtype);
  if (dtype === "int32" && x.requiresGrad) {
    return new Tensor(Cast.forward([x], { dtype }).raw, [...x.shape], dtype); // ints carry no gradient
  }
  return apply(Cast, [x], { dtype });
}

/** PyTorch's `.to(device)`: the CPU is the one device here, so "cpu" is a no-op and the rest say so. */
function toDevice(x: Tensor, target: unknown): Tensor {
  if (target === "cpu") return x;
  if (typeof target === "string" && /^(cuda|mps|xla|gpu)/.test(target)) {
    throw new Error(`to: tsgrad computes on the CPU only (no "${target}"); leave out .to(device), or use "cpu"`);
  }
  throw new TypeError(`to: expected a dtype ("float32", "float64" or "int32"), got ${JSON.stringify(target)}`);
}

/** A copy with its own storage, still in the graph. Example: `clone(x)` */
export function clone(x: Tensor): Tensor {
  return apply(Clone, [x], { dtype: x.dtype });
}
