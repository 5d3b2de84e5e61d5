// The Tensor: a contiguous row-major typed array, a shape, a dtype and — when it was computed
// from tensors that need gradients — the op and inputs that made it (the autograd graph).
// Every op is also a method here; the ops themselves live in engine/ops/.
import { type BackwardOptions, type GradNode, backward as runBackward } from "./autograd.js";
import { formatTensor } from "./format.js";
import type { DType, TypedArray } from "./kernels/index.js";
import * as ops from "./ops/index.js";
import { tensorList } from "./ops/layout.js";
import { contentHash, engineDepth, versionChecks } from "./saved-values.js";
import { formatShape, shapeSize } from "./shape.js";
import { allocate, allocateUnfilled, isScratch } from "./storage.js";
import { installTensorMethods } from "./tensor-methods.js";

export type { DType, TypedArray } from "./kernels/index.js";

/** A tensor or a plain number (broadcast as a scalar). */
export type TensorLike = Tensor | number;

const NO_INPUTS: readonly Tensor[] = Object.freeze([]);

export { allocate, allocateUnfilled } from "./storage.js";

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  return "int32";
}

export function isFloat(dtype: DType): boolean {
  return dtype !== "int32";
}

/** A multi-dimensional array that can record the ops applied to it and backpropagate through them. */
export class Tensor {
  /** @internal The elements (what `data` returns, without the bookkeeping of a user's access). */
  raw: TypedArray;
  /** The size of each dimension; `[]` for a scalar. Do not mutate. */
  readonly shape: number[];
  readonly dtype: DType;
  /** d(loss)/d(this), filled in by `backward()` on leaves (and on tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** @internal The name of the op that made this tensor (`"matmul"`), or `""` for a leaf. */
  op = "";
  /** @internal The tensors this one was computed from (empty for a leaf). */
  inputs: readonly Tensor[] = NO_INPUTS;
  /** @internal How to backpropagate through the op that made this tensor (null for a leaf). */
  node: GradNode | null = null;
  /** True when `backward()` should keep this non-leaf tensor's gradient in `.grad`. */
  retainsGrad = false;
  /** @internal The gradient being accumulated for this tensor during one backward pass. */
  pendingGrad: Tensor | null = null;
  /** @internal The number of the last backward pass that visited this tensor. */
  visitedPass = 0;
  /** @internal The tensor whose storage this one shares (reshape, view, detach), or null. */
  base: Tensor | null = null;
  /** @internal In-place changes to this storage so far (kept on the storage's owner, see `version`). */
  versionCount = 0;
  /**
   * @internal Recorded ops holding this storage as an input that no backward has freed yet (a graph
   * never run backward keeps its count: safe, since it may still be). Kept on the storage's owner.
   */
  savedBy = 0;
  /** @internal A fingerprint of the storage taken when user code reached it through `data`. */
  seenHash: number | null = null;
  private requires = false;

  constructor(data: TypedArray, shape: readonly number[], dtype: DType = dtypeOf(data)) {
    if (data.length !== shapeSize(shape)) {
      throw new Error(`Tensor: ${data.length} elements do not fill shape ${formatShape(shape)}`);
    }
    this.raw = data;
    this.shape = shape as number[];
    this.dtype = dtype;
  }

  /** @internal A tensor of zeros (`zeros()` is the public one). */
  static zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return new Tensor(allocate(dtype, shapeSize(shape)), [...shape], dtype);
  }

  /** @internal A tensor whose every element the caller writes before reading (no zero fill). */
  static unfilled(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return new Tensor(allocateUnfilled(dtype, shapeSize(shape)), [...shape], dtype);
  }

  /** @internal A tensor filled with `value` (`full()` is the public one). */
  static full(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
    const t = Tensor.zeros(shape, dtype);
    if (value !== 0) t.raw.fill(value);
    return t;
  }

  /** Whether ops on this tensor are recorded for `backward()`. Settable on leaves (float only). */
  get requiresGrad(): boolean {
    return this.requires;
  }

  set requiresGrad(value: boolean) {
    if (value && !isFloat(this.dtype)) {
      throw new Error(`requiresGrad: only float tensors can require gradients (this one is ${this.dtype})`);
    }
    if (!value && this.node) {
      throw new Error("requiresGrad can only be turned off on leaf tensors; use .detach() to cut the graph");
    }
    this.requires = value;
  }

  /**
   * The elements, row-major; length equals `numel()`. Shared with views (`reshape`, `view`). Writing
   * through it while a graph still needs the old values makes that graph's `backward()` fail
   * rather than compute a wrong gradient; prefer the in-place ops (`sub_`, `copy_` …).
   * Example: `x.data[0]`
   */
  get data(): TypedArray {
    if (engineDepth === 0 && versionChecks) {
      const owner = this.base ?? this;
      if (owner.savedBy > 0 && owner.seenHash === null) owner.seenHash = contentHash(this.raw);
    }
    return this.raw;
  }

  set data(values: TypedArray) {
    if (!ArrayBuffer.isView(values) || values.length !== this.raw.length || dtypeOf(values) !== this.dtype) {
      throw new TypeError(
        `data: the new values must be a ${this.dtype} typed array of ${this.raw.length} elements (this tensor's shape is ${formatShape(this.shape)}); use copy_() to write other values`,
      );
    }
    this.settleVersion();
    this.raw = values;
    this.markModified();
  }

  /** How many times this storage was changed in place (PyTorch's `_version`). Example: `w.version // 0` */
  get version(): number {
    return (this.base ?? this).versionCount;
  }

  /** @internal Records an in-place change: graphs that saved the old values will refuse to backpropagate. */
  markModified(): void {
    if (!versionChecks) return;
    const owner = this.base ?? this;
    owner.versionCount++;
    owner.seenHash = null;
  }

  /** @internal Counts a change made through `data` since user code took it, if there was one. */
  settleVersion(): void {
    if (!versionChecks) return;
    const owner = this.base ?? this;
    if (owner.seenHash === null) return;
    if (contentHash(owner.raw) !== owner.seenHash) owner.versionCount++;
    owner.seenHash = null;
  }

  /** @internal A tensor of another shape over the same storage (same version counter). */
  viewAs(shape: readonly number[]): Tensor {
    const view = new Tensor(this.raw, shape, this.dtype);
    view.base = this.base ?? this;
    return view;
  }

  /** @internal Marks this fresh tensor as the output of a recorded op. */
  attachNode(op: string, inputs: readonly Tensor[], node: GradNode): void {
    this.op = op;
    this.inputs = inputs;
    this.node = node;
    this.requires = true;
  }

  /** Number of elements (PyTorch's `numel()`). Example: `zeros(2, 3).numel() // 6` */
  numel(): number {
    return this.raw.length;
  }

  /**
   * The shape, as PyTorch's `size()`; `size(dim)` is one dimension's size (negative counts from
   * the end). A method, as in PyTorch: the element count is `numel()`.
   * Example: `zeros(2, 3).size() // [2, 3]`, `zeros(2, 3).size(-1) // 3`
   */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    const n = this.shape.length;
    if (typeof dim !== "number" || !Number.isInteger(dim) || dim < -n || dim >= n) {
      const range = n === 0 ? "a scalar has no dimensions" : `expected ${-n} to ${n - 1}`;
      throw new RangeError(
        `size: dim ${String(dim)} is out of range for a tensor of shape ${formatShape(this.shape)} (${range})`,
      );
    }
    return this.shape[dim < 0 ? dim + n : dim]!;
  }

  /** Number of dimensions. Example: `zeros([2, 3]).ndim // 2` */
  get ndim(): number {
    return this.shape.length;
  }

  /** True when this tensor was not computed by a recorded op. */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The single value of a one-element tensor. Example: `tensor([[3]]).item() // 3` */
  item(): number {
    if (this.numel() !== 1) {
      throw new Error(
        `item(): a tensor of shape ${formatShape(this.shape)} has ${this.numel()} elements; item() needs exactly 1`,
      );
    }
    return this.raw[0]!;
  }

  /** The values as nested arrays (a number for a scalar). Example: `eye(2).toArray() // [[1,0],[0,1]]` */
  toArray(): NestedArray {
    return toNested(this.raw, this.shape, 0, 0) as NestedArray;
  }

  /**
   * Backpropagates from this tensor into the `.grad` of every leaf it depends on;
   * `{ retainGrads: true }` also keeps every intermediate tensor's gradient (for drawing the graph).
   * Example: `loss.backward()`
   */
  backward(gradient?: TensorLike, options?: BackwardOptions): void {
    runBackward(this, gradient, options);
  }

  /** Keeps this non-leaf tensor's gradient in `.grad` after `backward()`. Example: `h.retainGrad()` */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /**
   * The same values, cut from the graph. Shares storage, except that a small result of a
   * recorded op is copied out of autograd's scratch slab (so keeping it keeps only itself).
   * Example: `history.push(pred.detach())`
   */
  detach(): Tensor {
    if (!isScratch(this.raw)) return this.viewAs(this.shape);
    const copy = allocate(this.dtype, this.numel());
    copy.set(this.raw);
    return new Tensor(copy, this.shape, this.dtype);
  }

  /** Forgets the accumulated gradient. Example: `w.zeroGrad()` */
  zeroGrad(): void {
    this.grad = null;
  }

  /** A copy with its own storage (differentiable). Example: `x.clone()` */
  clone(): Tensor {
    return ops.clone(this);
  }
  /**
   * Converted to `dtype` (itself if already so; differentiable between floats); `"cpu"`, PyTorch's
   * `.to(device)`, is itself (the CPU is the one device). Example: `labels.to("float32")`
   */
  to(dtype: DType | "cpu" | "cuda" | "mps"): Tensor {
    return ops.to(this, dtype as DType);
  }
  /** Converts to float32. Example: `mask.float()` */
  float(): Tensor {
    return ops.to(this, "float32");
  }
  /** Converts to float64. Example: `x.double()` */
  double(): Tensor {
    return ops.to(this, "float64");
  }
  /** Converts to int32 (truncating). Example: `x.int()` */
  int(): Tensor {
    return ops.to(this, "int32");
  }

  // Arithmetic (NumPy broadcasting, scalars accepted).
  /** Elementwise sum. Example: `x.add(1)` */
  add(other: TensorLike): Tensor {
    return ops.add(this, other);
  }
  /** Elementwise difference. Example: `x.sub(y)` */
  sub(other: TensorLike): Tensor {
    return ops.sub(this, other);
  }
  /** Elementwise product. Example: `x.mul(2)` */
  mul(other: TensorLike): Tensor {
    return ops.mul(this, other);
  }
  /** Elementwise quotient. Example: `x.div(y)` */
  div(other: TensorLike): Tensor {
    return ops.div(this, other);
  }
  /** Elementwise power. Example: `x.pow(2)` */
  pow(exponent: TensorLike): Tensor {
    return ops.pow(this, exponent);
  }
  /** Elementwise larger of two. Example: `x.maximum(0)` */
  maximum(other: TensorLike): Tensor {
    return ops.maximum(this, other);
  }
  /** Elementwise smaller of two. Example: `x.minimum(1)` */
  minimum(other: TensorLike): Tensor {
    return ops.minimum(this, other);
  }
  /** −x. Example: `x.neg()` */
  neg(): Tensor {
    return ops.neg(this);
  }
  /** √x. Example: `x.sqrt()` */
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  /** x². Example: `x.square()` */
  square(): Tensor {
    return ops.square(this);
  }
  /** eˣ. Example: `x.exp()` */
  exp(): Tensor {
    return ops.exp(this);
  }
  /** Natural logarithm. Example: `x.log()` */
  log(): Tensor {
    return ops.log(this);
  }
  /** |x|. Example: `x.abs()` */
  abs(): Tensor {
    return ops.abs(this);
  }
  /** Limits values to [min, max] (either may be omitted). Example: `x.clamp(0, 1)` */
  clamp(min?: number | null, max?: number | null): Tensor {
    return ops.clamp(this, min, max);
  }

  // Reductions: over all elements, or an axis (negative counts from the end).
  /** Example: `x.sum()`, `x.sum(0)`, `x.sum(-1, true)`, `x.sum({ dim: -1, keepdim: true })` */
  sum(dim?: number | number[] | ops.ReduceOptions, keepdim?: boolean | ops.ReduceOptions): Tensor {
    return ops.sum(this, dim, keepdim);
  }
  /** Example: `x.mean()`, `x.mean(0)` */
  mean(dim?: number | number[] | ops.ReduceOptions, keepdim?: boolean | ops.ReduceOptions): Tensor {
    return ops.mean(this, dim, keepdim);
  }
  /** Largest value. Example: `x.max()`, `x.max(1)` */
  max(dim?: number | ops.ReduceOptions, keepdim?: boolean | ops.ReduceOptions): Tensor {
    return ops.max(this, dim, keepdim);
  }
  /** Smallest value. Example: `x.min(0)` */
  min(dim?: number | ops.ReduceOptions, keepdim?: boolean | ops.ReduceOptions): Tensor {
    return ops.min(this, dim, keepdim);
  }
  /** Index of the largest value (int32). Example: `logits.argmax(1)` */
  argmax(dim?: number | ops.ReduceOptions, keepdim?: boolean | ops.ReduceOptions): Tensor {
    return ops.argmax(this, dim, keepdim);
  }
  /** Index of the smallest value (int32). Example: `x.argmin(1)` */
  argmin(dim?: number | ops.ReduceOptions, keepdim?: boolean | ops.ReduceOptions): Tensor {
    return ops.argmin(this, dim, keepdim);
  }
  /** Variance (unbiased by default, like PyTorch). Example: `x.var(0)`, `x.var(-1, true, false)` */
  var(dim?: number | number[] | ops.ReduceOptions, keepdim?: boolean | ops.ReduceOptions, unbiased?: boolean): Tensor {
    return ops.variance(this, dim, keepdim, unbiased);
  }
  /** Standard deviation. Example: `x.std(0)` */
  std(dim?: number | number[] | ops.ReduceOptions, keepdim?: boolean | ops.ReduceOptions, unbiased?: boolean): Tensor {
    return ops.std(this, dim, keepdim, unbiased);
  }

  /** Matrix product (1-D, 2-D, batched with broadcast batch dims). Example: `x.matmul(w)` */
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }
  /** this @ weightᵀ + bias with weight [out, in] (a fully connected layer). Example: `x.linear(w, b)` */
  linear(weight: Tensor, bias?: Tensor | null): Tensor {
    return ops.linear(this, weight, bias);
  }

  // Shapes.
  /** Same data, new shape (one size may be -1). Example: `x.reshape([2, -1])` */
  reshape(...shape: ShapeArgs): Tensor {
    return ops.reshape(this, flattenShapeArgs(shape));
  }
  /** Alias of reshape (storage is always contiguous). Example: `x.view(-1)` */
  view(...shape: ShapeArgs): Tensor {
    return ops.reshape(this, flattenShapeArgs(shape));
  }
  /** Merges dimensions startDim..endDim. Example: `images.flatten(1)` */
  flatten(startDim = 0, endDim = -1): Tensor {
    return ops.flatten(this, startDim, endDim);
  }
  /** Removes size-1 dimensions (or just `axis`). Example: `x.squeeze(1)` */
  squeeze(axis?: number): Tensor {
    return ops.squeeze(this, axis);
  }
  /** Inserts a size-1 dimension at `axis`. Example: `x.unsqueeze(0)` */
  unsqueeze(axis: number): Tensor {
    return ops.unsqueeze(this, axis);
  }
  /** Swaps two dimensions. Example: `x.transpose(0, 1)` */
  transpose(dim0 = -2, dim1 = -1): Tensor {
    return ops.transpose(this, dim0, dim1);
  }
  /** 2-D transpose. Example: `w.t()` */
  t(): Tensor {
    return ops.t(this);
  }
  /** 2-D transpose. Example: `w.T` */
  get T(): Tensor {
    return ops.t(this);
  }
  /** Reorders dimensions. Example: `x.permute(2, 0, 1)` */
  permute(...dims: ShapeArgs): Tensor {
    return ops.permute(this, flattenShapeArgs(dims));
  }
  /** Repeats size-1 dimensions to a bigger shape (-1 keeps a size). Example: `b.expand([32, 10])` */
  expand(...shape: ShapeArgs): Tensor {
    return ops.expand(this, flattenShapeArgs(shape));
  }
  /** Joins this and `others` along an existing axis. Example: `a.concat([b], 0)` */
  concat(others: readonly Tensor[], axis = 0): Tensor {
    return ops.concat([this, ...tensorList("concat", others)], axis);
  }
  /** Stacks this and `others` along a new axis. Example: `a.stack([b], 0)` */
  stack(others: readonly Tensor[], axis = 0): Tensor {
    return ops.stack([this, ...tensorList("stack", others)], axis);
  }
  /** Splits into pieces of `size` (or the given sizes) along `axis`. Example: `x.split(2, 0)` */
  split(sizeOrSections: number | number[], axis = 0): Tensor[] {
    return ops.split(this, sizeOrSections, axis);
  }

  /** Plain data for JSON: dtype, shape and nested values (never the graph). */
  toJSON(): { dtype: DType; shape: number[]; data: NestedArray } {
    return { dtype: this.dtype, shape: [...this.shape], data: this.toArray() };
  }

  /** PyTorch-style repr: `tensor([[1.0000, 2.0000]], requiresGrad=true)`. */
  toString(): string {
    return formatTensor(this);
  }

  /**
   * In string contexts the repr; in number contexts (`loss < 0.01`) the value of a one-element
   * tensor. Arithmetic on bigger tensors must use ops, so say so instead of producing NaN.
   */
  [Symbol.toPrimitive](hint: "number" | "string" | "default"): number | string {
    if (hint === "string") return this.toString();
    if (this.numel() === 1) return this.raw[0]!;
    throw new TypeError(
      `a tensor of shape ${formatShape(this.shape)} cannot be used as a number: JavaScript has no operators on tensors, so write a.mul(2) for a * 2, a.add(b) for a + b, a.matmul(b) for a @ b, a.lt(0) for a < 0; or .item() on a one-element tensor`,
    );
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

installTensorMethods(Tensor.prototype);

// `t.size` without the call (the habit of numpy's `.size`, or this library before size() was
// PyTorch's): in arithmetic or `==` the method would turn into NaN or false without a word.
Object.defineProperty(Tensor.prototype.size, Symbol.toPrimitive, {
  value(this: () => unknown, hint: string): string {
    if (hint === "string") return Function.prototype.toString.call(this);
    throw new TypeError(
      "size is a method, as in PyTorch: t.numel() is the number of elements, t.size() the shape, t.size(0) the first dimension",
    );
  },
});

export type NestedArray = number | NestedArray[];
type ShapeArgs = (number | readonly number[])[];

function flattenShapeArgs(args: ShapeArgs): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as number[])];
  return args as number[];
}

function toNested(data: TypedArray, shape: readonly number[], dim: number, offset: number): NestedArray {
  if (dim === shape.length) return data[offset]!;
  const n = shape[dim]!;
  let stride = 1;
  for (let d = dim + 1; d < shape.length; d++) stride *= shape[d]!;
  const out: NestedArray[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = toNested(data, shape, dim + 1, offset + i * stride);
  return out;
}
