// The Tensor: a contiguous row-major typed array, a shape, a dtype and — when it was computed
// from tensors that need gradients — the op and inputs that made it (the autograd graph).
// Every op is also a method here; the ops themselves live in engine/ops/.
import { type BackwardOptions, type GradNode, backward as runBackward } from "./autograd.js";
import { formatTensor } from "./format.js";
import type { DType, TypedArray } from "./kernels/index.js";
import * as ops from "./ops/index.js";
import { formatShape, shapeSize } from "./shape.js";
import { allocate, allocateUnfilled, isScratch } from "./storage.js";

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
  /** The elements, row-major; length equals `size`. May be shared with views (`reshape`, `view`). */
  data: TypedArray;
  /** The size of each dimension; `[]` for a scalar. Do not mutate. */
  readonly shape: number[];
  readonly dtype: DType;
  /** d(loss)/d(this), filled in by `backward()` on leaves (and on tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** The name of the op that made this tensor (`"matmul"`), or `""` for a leaf. */
  op = "";
  /** The tensors this one was computed from (empty for a leaf). */
  inputs: readonly Tensor[] = NO_INPUTS;
  /** How to backpropagate through the op that made this tensor (null for a leaf). */
  node: GradNode | null = null;
  /** True when `backward()` should keep this non-leaf tensor's gradient in `.grad`. */
  retainsGrad = false;
  /** @internal The gradient being accumulated for this tensor during one backward pass. */
  pendingGrad: Tensor | null = null;
  /** @internal The number of the last backward pass that visited this tensor. */
  visitedPass = 0;
  private requires = false;

  constructor(data: TypedArray, shape: readonly number[], dtype: DType = dtypeOf(data)) {
    if (data.length !== shapeSize(shape)) {
      throw new Error(`Tensor: ${data.length} elements do not fill shape ${formatShape(shape)}`);
    }
    this.data = data;
    this.shape = shape as number[];
    this.dtype = dtype;
  }

  /** A tensor of zeros (internal helper; `zeros()` is the public one). */
  static zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return new Tensor(allocate(dtype, shapeSize(shape)), [...shape], dtype);
  }

  /** A tensor whose every element the caller writes before reading (internal helper, no zero fill). */
  static unfilled(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return new Tensor(allocateUnfilled(dtype, shapeSize(shape)), [...shape], dtype);
  }

  /** A tensor filled with `value` (internal helper; `full()` is the public one). */
  static full(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
    const t = Tensor.zeros(shape, dtype);
    if (value !== 0) t.data.fill(value);
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

  /** @internal Marks this fresh tensor as the output of a recorded op. */
  attachNode(op: string, inputs: readonly Tensor[], node: GradNode): void {
    this.op = op;
    this.inputs = inputs;
    this.node = node;
    this.requires = true;
  }

  /** Number of elements. Example: `zeros([2, 3]).size // 6` */
  get size(): number {
    return this.data.length;
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
    if (this.size !== 1) {
      throw new Error(
        `item(): a tensor of shape ${formatShape(this.shape)} has ${this.size} elements; item() needs exactly 1`,
      );
    }
    return this.data[0]!;
  }

  /** The values as nested arrays (a number for a scalar). Example: `eye(2).toArray() // [[1,0],[0,1]]` */
  toArray(): NestedArray {
    return toNested(this.data, this.shape, 0, 0) as NestedArray;
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
    if (!isScratch(this.data)) return new Tensor(this.data, this.shape, this.dtype);
    const copy = allocate(this.dtype, this.size);
    copy.set(this.data);
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
  /** Converted to `dtype` (itself if already so; differentiable between floats). Example: `labels.to("float32")` */
  to(dtype: DType): Tensor {
    return ops.to(this, dtype);
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

  // Comparisons: 1 where true, 0 where false (float32, or float64 for float64 inputs).
  /** Example: `pred.eq(labels)` */
  eq(other: TensorLike): Tensor {
    return ops.eq(this, other);
  }
  /** Example: `x.ne(0)` */
  ne(other: TensorLike): Tensor {
    return ops.ne(this, other);
  }
  /** Example: `x.lt(0)` */
  lt(other: TensorLike): Tensor {
    return ops.lt(this, other);
  }
  /** Example: `x.le(0)` */
  le(other: TensorLike): Tensor {
    return ops.le(this, other);
  }
  /** Example: `x.gt(0)` */
  gt(other: TensorLike): Tensor {
    return ops.gt(this, other);
  }
  /** Example: `x.ge(0)` */
  ge(other: TensorLike): Tensor {
    return ops.ge(this, other);
  }
  /** This where `cond` is non-zero, `other` elsewhere (PyTorch's x.where). Example: `x.where(x.gt(0), 0)` */
  where(cond: Tensor, other: TensorLike): Tensor {
    return ops.where(cond, this, other);
  }
  /** Sets `value` where `mask` is non-zero. Example: `scores.maskedFill(mask, -Infinity)` */
  maskedFill(mask: Tensor, value: number): Tensor {
    return ops.maskedFill(this, mask, value);
  }

  // Activations.
  /** max(x, 0). Example: `x.relu()` */
  relu(): Tensor {
    return ops.relu(this);
  }
  /** x for x > 0, slope·x otherwise. Example: `x.leakyRelu(0.01)` */
  leakyRelu(negativeSlope = 0.01): Tensor {
    return ops.leakyRelu(this, negativeSlope);
  }
  /** 1/(1+e⁻ˣ). Example: `x.sigmoid()` */
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  /** Hyperbolic tangent. Example: `x.tanh()` */
  tanh(): Tensor {
    return ops.tanh(this);
  }
  /** x·Φ(x) (exact, or the tanh approximation). Example: `x.gelu()` */
  gelu(approximate: "none" | "tanh" = "none"): Tensor {
    return ops.gelu(this, approximate);
  }
  /** eˣ normalised to sum 1 along `axis`. Example: `logits.softmax(-1)` */
  softmax(axis = -1): Tensor {
    return ops.softmax(this, axis);
  }
  /** log(softmax(x)), computed stably. Example: `logits.logSoftmax(-1)` */
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, axis);
  }

  // Reductions: over all elements, or an axis (negative counts from the end).
  /** Example: `x.sum()`, `x.sum(0)`, `x.sum(-1, true)` */
  sum(axis?: number | number[], keepDim = false): Tensor {
    return ops.sum(this, axis, keepDim);
  }
  /** Example: `x.mean()`, `x.mean(0)` */
  mean(axis?: number | number[], keepDim = false): Tensor {
    return ops.mean(this, axis, keepDim);
  }
  /** Largest value. Example: `x.max()`, `x.max(1)` */
  max(axis?: number, keepDim = false): Tensor {
    return ops.max(this, axis, keepDim);
  }
  /** Smallest value. Example: `x.min(0)` */
  min(axis?: number, keepDim = false): Tensor {
    return ops.min(this, axis, keepDim);
  }
  /** Index of the largest value (int32). Example: `logits.argmax(1)` */
  argmax(axis?: number, keepDim = false): Tensor {
    return ops.argmax(this, axis, keepDim);
  }
  /** Index of the smallest value (int32). Example: `x.argmin(1)` */
  argmin(axis?: number, keepDim = false): Tensor {
    return ops.argmin(this, axis, keepDim);
  }
  /** Variance (unbiased by default, like PyTorch). Example: `x.var(0)`, `x.var(-1, true, false)` */
  var(axis?: number | number[], keepDim = false, unbiased = true): Tensor {
    return ops.variance(this, axis, keepDim, unbiased);
  }
  /** Standard deviation. Example: `x.std(0)` */
  std(axis?: number | number[], keepDim = false, unbiased = true): Tensor {
    return ops.std(this, axis, keepDim, unbiased);
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
    return ops.concat([this, ...others], axis);
  }
  /** Stacks this and `others` along a new axis. Example: `a.stack([b], 0)` */
  stack(others: readonly Tensor[], axis = 0): Tensor {
    return ops.stack([this, ...others], axis);
  }
  /** Splits into pieces of `size` (or the given sizes) along `axis`. Example: `x.split(2, 0)` */
  split(sizeOrSections: number | number[], axis = 0): Tensor[] {
    return ops.split(this, sizeOrSections, axis);
  }

  // Indexing.
  /** Elements start..end-1 (step apart) along `axis`; negatives count from the end. Example: `x.slice(1, 0, 2)` */
  slice(axis: number, start: number, end?: number, step = 1): Tensor {
    return ops.slice(this, axis, start, end, step);
  }
  /** Picks along the leading axes, like `x[i][j]`. Example: `x.index(0)` */
  index(...indices: number[]): Tensor {
    return ops.index(this, ...indices);
  }
  /** out[i][j] = x[i][index[i][j]] along `axis`. Example: `logProbs.gather(1, labels.unsqueeze(1))` */
  gather(axis: number, index: Tensor): Tensor {
    return ops.gather(this, axis, index);
  }
  /** The slices at `indices` along `axis`. Example: `X.indexSelect(0, batchIdx)` */
  indexSelect(axis: number, indices: Tensor | number[]): Tensor {
    return ops.indexSelect(this, axis, indices);
  }
  /** Int labels → float rows with a 1 at the label. Example: `labels.oneHot(3)` */
  oneHot(numClasses?: number): Tensor {
    return ops.oneHot(this, numClasses);
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
    if (this.size === 1) return this.data[0]!;
    throw new TypeError(
      `a tensor of shape ${formatShape(this.shape)} cannot be used as a number; use ops (.add, .mul, .lt …) or .item() on a one-element tensor`,
    );
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

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
