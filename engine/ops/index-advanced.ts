// NumPy/PyTorch indexing in one call: `x.index(...keys)`, one key per position inside Python's
// brackets. A key is a number (picks and drops the dimension), a slice string (":", "1:3", "::2",
// "-1:"), "..." (every remaining dimension), null (a new dimension of size 1), or an index tensor /
// array (advanced indexing: int32 positions of any shape, or a mask of 0/1 or booleans). A single
// string with commas is the whole bracket: `x.index("1:3, 0")` is `x.index("1:3", 0)`.
// Advanced keys broadcast together; like NumPy, their dimensions replace the indexed ones in
// place when the keys are adjacent, and go first otherwise. Every form is differentiable: the
// backward of a pick adds the gradient back into the positions it came from.
import { apply, type Primitive } from "../autograd.js";
import { kernels } from "../kernels/index.js";
import { broadcastShapes, contiguousStrides, formatShape, shapeSize } from "../shape.js";
import { Tensor } from "../tensor.js";
import { slice } from "./indexing.js";
import { permute, reshape, unsqueeze } from "./layout.js";

/** One position of `x[...]`: see the file comment. */
export type IndexKey = number | string | null | Tensor | readonly number[] | readonly boolean[];

interface Parsed {
  kind: "int" | "slice" | "new" | "ellipsis" | "advanced" | "mask";
  value?: number;
  slice?: [number | undefined, number | undefined, number | undefined];
  tensor?: Tensor;
}

function parseSlice(text: string): Parsed {
  const t = text.trim();
  if (t === "...") return { kind: "ellipsis" };
  if (t === "None" || t === "null") return { kind: "new" };
  const parts = t.split(":");
  if (parts.length === 1) {
    const v = Number(t);
    if (t === "" || !Number.isInteger(v))
      throw new Error(
        `index: cannot read "${text}" as an index; write a number, a slice like "1:3" or "::2", ":" or "..."`,
      );
    return { kind: "int", value: v };
  }
  if (parts.length > 3) throw new Error(`index: "${text}" has too many colons; a slice is start:end:step`);
  const nums = parts.map((p) => {
    if (p.trim() === "") return undefined;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new Error(`index: "${text}" is not a slice of integers (start:end:step)`);
    return v;
  });
  return { kind: "slice", slice: [nums[0], nums[1], nums[2]] };
}

function parseKey(key: IndexKey): Parsed {
  if (typeof key === "number") return { kind: "int", value: key };
  if (typeof key === "string") return parseSlice(key);
  if (key === null) return { kind: "new" };
  if (key instanceof Tensor) {
    if (key.dtype === "int32") return { kind: "advanced", tensor: key };
    return { kind: "mask", tensor: key };
  }
  if (Array.isArray(key)) {
    if (key.length > 0 && typeof key[0] === "boolean")
      return { kind: "mask", tensor: new Tensor(Float32Array.from(key as boolean[], Number), [key.length]) };
    const values = Int32Array.from(key as number[]);
    if (values.some((v, i) => v !== (key as number[])[i])) throw new Error("index: an index array must hold integers");
    return { kind: "advanced", tensor: new Tensor(values, [key.length]) };
  }
  throw new TypeError(
    `index: a key must be a number, a slice string like ":" or "1:3", null, or an index tensor; got ${typeof key}`,
  );
}

/** A 0/1 mask over `dims` dimensions → one int32 index tensor per dimension (its nonzero positions). */
function maskToIndices(mask: Tensor, shape: readonly number[], at: number): Tensor[] {
  const m = mask.raw;
  const hits: number[] = [];
  for (let i = 0; i < m.length; i++) {
    const v = m[i]!;
    if (v !== 0 && v !== 1) {
      throw new Error(
        `index: a ${mask.dtype} tensor is read as a mask, but it holds ${v}; to pick positions pass int32 indices (tensor([...], { dtype: "int32" }) or .int())`,
      );
    }
    if (v === 1) hits.push(i);
  }
  const covered = shape.slice(at, at + mask.ndim);
  if (covered.length !== mask.ndim || covered.some((d, i) => d !== mask.shape[i])) {
    throw new Error(
      `index: the mask of shape ${formatShape(mask.shape)} does not match dimensions ${at}.. of the tensor ${formatShape(shape)}`,
    );
  }
  const strides = contiguousStrides(mask.shape);
  return mask.shape.map((_, d) => {
    const idx = new Int32Array(hits.length);
    hits.forEach((flat, j) => {
      idx[j] = Math.floor(flat / strides[d]!) % mask.shape[d]!;
    });
    return new Tensor(idx, [hits.length]);
  });
}

interface GatherArgs {
  dims: number[]; // the indexed dimensions of the input, ascending
  indices: Int32Array[]; // one per dim, broadcast to `batch` and made non-negative
  batch: number[];
}

/** Where each pick starts in the input, and the shape/strides of the block it copies. */
function layout(shape: readonly number[], { dims, indices, batch }: GatherArgs) {
  const strides = contiguousStrides(shape);
  const rest = shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const restShape = rest.map((d) => shape[d]!);
  const restStrides = rest.map((d) => strides[d]!);
  const count = shapeSize(batch);
  const starts = new Int32Array(count);
  for (let k = 0; k < dims.length; k++) {
    const s = strides[dims[k]!]!;
    const idx = indices[k]!;
    for (let b = 0; b < count; b++) starts[b]! += idx[b]! * s;
  }
  // The block is contiguous when the indexed dims lead (an embedding lookup: whole rows).
  const contiguous = dims.every((d, i) => d === i);
  return { restShape, restStrides, starts, block: shapeSize(restShape), contiguous };
}

// Output layout: [...batch, ...the other dims in order]; `index` moves batch dims after.
const AdvancedIndex: Primitive<GatherArgs> = {
  name: "index",
  saves: false,
  forward: ([x], args) => {
    const { restShape, restStrides, starts, block, contiguous } = layout(x!.shape, args);
    const out = Tensor.zeros([...args.batch, ...restShape], x!.dtype);
    const src = x!.raw;
    const dst = out.raw;
    for (let b = 0; b < starts.length; b++) {
      if (contiguous) dst.set(src.subarray(starts[b]!, starts[b]! + block), b * block);
      else kernels.copyStrided(src, starts[b]!, restStrides, restShape, dst.subarray(b * block, (b + 1) * block));
    }
    return out;
  },
  backward: (g, [x], _out, args) => {
    const { restShape, restStrides, starts, block, contiguous } = layout(x!.shape, args);
    const dx = Tensor.zeros(x!.shape, g.dtype);
    const gd = g.raw;
    const dd = dx.raw;
    for (let b = 0; b < starts.length; b++) {
      const from = b * block;
      if (contiguous) {
        const to = starts[b]!;
        for (let i = 0; i < block; i++) dd[to + i]! += gd[from + i];
      } else kernels.addStrided(gd.subarray(from, from + block), restShape, dd, starts[b]!, restStrides);
    }
    return [dx];
  },
};

function expandKeys(keys: readonly IndexKey[]): Parsed[] {
  if (keys.length === 1 && typeof keys[0] === "string" && keys[0].includes(","))
    return keys[0].split(",").map(parseSlice);
  return keys.map(parseKey);
}

/**
 * x[...] with Python's keys, one argument per position: numbers, slice strings, "...", null,
 * int32 index tensors or arrays, and 0/1 masks. Differentiable.
 * Example: `x.index(":", 0)` is x[:, 0]; `C.index(X)` is C[X]; `probs.index(arange(n), y)` is probs[range(n), y]
 */
export function index(x: Tensor, ...keys: IndexKey[]): Tensor {
  const parsed = expandKeys(keys);
  const used = parsed.reduce(
    (n, p) => n + (p.kind === "new" || p.kind === "ellipsis" ? 0 : p.kind === "mask" ? p.tensor!.ndim : 1),
    0,
  );
  const ellipses = parsed.filter((p) => p.kind === "ellipsis").length;
  if (ellipses > 1) throw new Error("index: an index can only have a single ellipsis ('...')");
  if (used > x.ndim)
    throw new Error(`index: too many indices for a tensor of shape ${formatShape(x.shape)}: ${used} given`);
  const full: Parsed[] = [];
  for (const p of parsed) {
    if (p.kind === "ellipsis")
      for (let i = 0; i < x.ndim - used; i++) full.push({ kind: "slice", slice: [undefined, undefined, undefined] });
    else full.push(p);
  }
  const advanced = full.some((p) => p.kind === "advanced" || p.kind === "mask");
  // Pass 1: slices and new axes (basic indexing keeps the dimension); note where the rest go.
  let y = x;
  let dim = 0;
  const picks: { dim: number; tensor: Tensor }[] = [];
  const drops: number[] = [];
  for (const p of full) {
    if (p.kind === "new") {
      y = unsqueeze(y, dim);
      dim++;
    } else if (p.kind === "slice") {
      const [start, end, step] = p.slice!;
      if (step !== undefined && step <= 0) throw new Error(`index: slice step must be positive, got ${step}`);
      if (start !== undefined || end !== undefined || (step ?? 1) !== 1) y = slice(y, dim, start ?? 0, end, step ?? 1);
      dim++;
    } else if (p.kind === "int") {
      const n = y.shape[dim]!;
      const i = p.value!;
      if (!Number.isInteger(i) || i < -n || i >= n) {
        throw new Error(
          `index: index ${i} is out of range for dimension ${dim} of size ${n} (shape ${formatShape(x.shape)})`,
        );
      }
      const at = i < 0 ? i + n : i;
      if (advanced) picks.push({ dim, tensor: new Tensor(Int32Array.of(at), []) });
      else {
        y = slice(y, dim, at, at + 1);
        drops.push(dim);
      }
      dim++;
    } else if (p.kind === "mask") {
      for (const t of maskToIndices(p.tensor!, y.shape, dim)) picks.push({ dim: dim++, tensor: t });
    } else {
      picks.push({ dim, tensor: p.tensor! });
      dim++;
    }
  }
  if (!advanced)
    return drops.length === 0
      ? y
      : reshape(
          y,
          y.shape.filter((_, d) => !drops.includes(d)),
        );
  return gatherAdvanced(y, picks);
}

function gatherAdvanced(y: Tensor, picks: { dim: number; tensor: Tensor }[]): Tensor {
  let batch: number[] = [];
  for (const p of picks) batch = broadcastShapes("index", batch, p.tensor.shape);
  const count = shapeSize(batch);
  const indices = picks.map(({ dim, tensor }) => {
    const n = y.shape[dim]!;
    const out = new Int32Array(count);
    const strides = batchStrides(tensor.shape, batch);
    const src = tensor.raw;
    for (let b = 0; b < count; b++) {
      const v = src[offsetOf(b, batch, strides)]!;
      if (!Number.isInteger(v) || v < -n || v >= n)
        throw new Error(`index: index ${v} is out of range for dimension ${dim} of size ${n}`);
      out[b] = v < 0 ? v + n : v;
    }
    return out;
  });
  const dims = picks.map((p) => p.dim);
  const out = apply(AdvancedIndex, [y], { dims, indices, batch });
  // NumPy: adjacent advanced keys put their dimensions where the first one was.
  const first = dims[0]!;
  const adjacent = dims.every((d, i) => d === first + i);
  if (!adjacent || first === 0 || batch.length === 0) return out;
  const order = out.shape.map((_, d) => d);
  const batchDims = order.slice(0, batch.length);
  const restDims = order.slice(batch.length);
  return permute(out, [...restDims.slice(0, first), ...batchDims, ...restDims.slice(first)]);
}

function batchStrides(shape: readonly number[], batch: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const offset = batch.length - shape.length;
  return batch.map((_, d) => (d < offset || shape[d - offset] === 1 ? 0 : own[d - offset]!));
}

function offsetOf(flat: number, shape: readonly number[], strides: readonly number[]): number {
  let offset = 0;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    offset += (flat % n) * strides[d]!;
    flat = Math.floor(flat / n);
  }
  return offset;
}
