// Tensor methods that are one call of an op, beyond the core in tensor.ts: comparisons,
// activations, indexing, requiresGrad_ and the in-place ops, element access, dim(), orderings,
// more elementwise math, mm/bmm. They are declared by merging into the Tensor class (completion shows them with
// their docs) and put on its prototype by tensor.ts once the class exists (this module must not
// touch Tensor while the import cycle loads).

import { bmm, mm } from "./ops/aliases.js";
import * as ops from "./ops/index.js";
import type { IndexKey } from "./ops/index-advanced.js";
import type { MultinomialOptions, SortOptions, SortResult } from "./ops/sort.js";
import type { RandomGenerator } from "./random.js";
import type { Tensor, TensorLike } from "./tensor.js";

declare module "./tensor.js" {
  interface Tensor {
    // Comparisons: 1 where true, 0 where false (float32, or float64 for float64 inputs).
    /** 1 where equal. Example: `pred.eq(labels)` */
    eq(other: TensorLike): Tensor;
    /** 1 where different. Example: `x.ne(0)` */
    ne(other: TensorLike): Tensor;
    /** 1 where less. Example: `x.lt(0)` */
    lt(other: TensorLike): Tensor;
    /** 1 where less or equal. Example: `x.le(0)` */
    le(other: TensorLike): Tensor;
    /** 1 where greater. Example: `x.gt(0)` */
    gt(other: TensorLike): Tensor;
    /** 1 where greater or equal. Example: `x.ge(0)` */
    ge(other: TensorLike): Tensor;
    /** This where `cond` is non-zero, `other` elsewhere (PyTorch's x.where). Example: `x.where(x.gt(0), 0)` */
    where(cond: Tensor, other: TensorLike): Tensor;
    /** Sets `value` where `mask` is non-zero. Example: `scores.maskedFill(mask, -Infinity)` */
    maskedFill(mask: Tensor, value: number): Tensor;

    // Activations.
    /** max(x, 0). Example: `x.relu()` */
    relu(): Tensor;
    /** x for x > 0, slope·x otherwise. Example: `x.leakyRelu(0.01)` */
    leakyRelu(negativeSlope?: number): Tensor;
    /** 1/(1+e⁻ˣ). Example: `x.sigmoid()` */
    sigmoid(): Tensor;
    /** Hyperbolic tangent. Example: `x.tanh()` */
    tanh(): Tensor;
    /** x·Φ(x) (exact, or the tanh approximation). Example: `x.gelu()` */
    gelu(approximate?: "none" | "tanh"): Tensor;
    /** eˣ normalised to sum 1 along `axis`. Example: `logits.softmax(-1)` */
    softmax(axis?: number): Tensor;
    /** log(softmax(x)), computed stably. Example: `logits.logSoftmax(-1)` */
    logSoftmax(axis?: number): Tensor;

    // Indexing.
    /** Elements start..end-1 (step apart) along `axis`; negatives count from the end. Example: `x.slice(1, 0, 2)` */
    slice(axis: number, start: number, end?: number, step?: number): Tensor;
    /**
     * x[...]: one key per position — a number, a slice string (":", "1:3", "::2"), "...", null, an
     * int32 index tensor or array, or a 0/1 mask; or the whole bracket as one string ("1:3, 0").
     * Differentiable. Example: `x.index(":", 0)` is x[:, 0]; `C.index(X)` is C[X]; `p.index(arange(n), y)` is p[range(n), y]
     */
    index(...keys: IndexKey[]): Tensor;
    /** out[i][j] = x[i][index[i][j]] along `axis`. Example: `logProbs.gather(1, labels.unsqueeze(1))` */
    gather(axis: number, index: Tensor): Tensor;
    /** The slices at `indices` along `axis`. Example: `X.indexSelect(0, batchIdx)` */
    indexSelect(axis: number, indices: Tensor | number[]): Tensor;
    /** Int labels → float rows with a 1 at the label. Example: `labels.oneHot(3)` */
    oneHot(numClasses?: number): Tensor;

    // In place (PyTorch's trailing underscore).
    /**
     * Sets `requiresGrad` in place and returns this tensor (PyTorch's `requires_grad_()`). Turning
     * it off works on leaves only: a computed tensor is cut from its graph with `detach()`.
     * Example: `const w = randn(3, 1).mul(0.1).requiresGrad_()`
     */
    requiresGrad_(flag?: boolean): this;
    /** this += other, in place (inside noGrad for a parameter). Example: `noGrad(() => w.add_(1))` */
    add_(other: TensorLike): this;
    /** this −= other, in place. Example: `noGrad(() => w.sub_(w.grad!.mul(lr)))` */
    sub_(other: TensorLike): this;
    /** this *= other, in place. Example: `noGrad(() => w.mul_(0.5))` */
    mul_(other: TensorLike): this;
    /** this /= other, in place. Example: `noGrad(() => w.div_(2))` */
    div_(other: TensorLike): this;
    /** Limits values to [min, max] in place. Example: `noGrad(() => w.clamp_(-1, 1))` */
    clamp_(min?: number | null, max?: number | null): this;
    /** Sets every element to 0. Example: `w.grad!.zero_()` */
    zero_(): this;
    /** Sets every element to `value`. Example: `noGrad(() => b.fill_(0.1))` */
    fill_(value: number): this;
    /** Copies `src` (broadcast, converted) into this tensor. Example: `noGrad(() => w.copy_(saved))` */
    copy_(src: TensorLike): this;
    /** Fills with uniform draws from [low, high). Example: `noGrad(() => w.uniform_(-0.1, 0.1))` */
    uniform_(low?: number, high?: number, options?: { generator?: RandomGenerator }): this;
    /** Fills with normal draws. Example: `noGrad(() => w.normal_(0, 0.02))` */
    normal_(mean?: number, std?: number, options?: { generator?: RandomGenerator }): this;
    /** The element (or sub-tensor) at these positions, as a tensor (x[i, j]; differentiable). Example: `x.at(0, 1)` */
    at(...indices: number[]): Tensor;
    /** Number of dimensions (same as `.ndim`). Example: `zeros(2, 3).dim() // 2` */
    dim(): number;
    /** Itself: the CPU is the one device (PyTorch's `.cpu()`, as in `x.detach().cpu()`). Example: `x.cpu()` */
    cpu(): Tensor;
    /** Converts to int32, the index dtype (PyTorch's int64 "long"). Example: `labels.long()` */
    long(): Tensor;
    /** The values as nested arrays (same as toArray). Example: `x.tolist()` */
    tolist(): NestedArray;
    /** sin x. Example: `x.sin()` */
    sin(): Tensor;
    /** cos x. Example: `x.cos()` */
    cos(): Tensor;
    /** Base-10 logarithm. Example: `x.log10()` */
    log10(): Tensor;
    /** Base-2 logarithm. Example: `x.log2()` */
    log2(): Tensor;
    /** 2ˣ. Example: `x.exp2()` */
    exp2(): Tensor;
    /** base ** this (Python's `10 ** x`). Example: `x.rpow(10)` */
    rpow(base: TensorLike): Tensor;
    /** Sorted values and their positions along a dimension. Example: `const { values, indices } = x.sort({ descending: true })` */
    sort(options?: SortOptions): SortResult;
    /** The k largest values (and positions) along a dimension. Example: `logits.topk(5).indices` */
    topk(k: number, options?: SortOptions): SortResult;
    /** Running sum along `dim`. Example: `x.cumsum(0)` */
    cumsum(dim: number): Tensor;
    /** Samples category indices from rows of weights (int32). Example: `probs.multinomial(1, { generator: g })` */
    multinomial(numSamples: number, options?: MultinomialOptions): Tensor;
    /** 2-D matrix product. Example: `x.mm(w)` */
    mm(other: Tensor): Tensor;
    /** Batched 3-D matrix product. Example: `q.bmm(k.transpose(1, 2))` */
    bmm(other: Tensor): Tensor;
  }
}

const methods: { [name: string]: (this: Tensor, ...args: never[]) => unknown } = {
  eq(other: TensorLike) {
    return ops.eq(this, other);
  },
  ne(other: TensorLike) {
    return ops.ne(this, other);
  },
  lt(other: TensorLike) {
    return ops.lt(this, other);
  },
  le(other: TensorLike) {
    return ops.le(this, other);
  },
  gt(other: TensorLike) {
    return ops.gt(this, other);
  },
  ge(other: TensorLike) {
    return ops.ge(this, other);
  },
  where(cond: Tensor, other: TensorLike) {
    return ops.where(cond, this, other);
  },
  maskedFill(mask: Tensor, value: number) {
    return ops.maskedFill(this, mask, value);
  },
  relu() {
    return ops.relu(this);
  },
  leakyRelu(negativeSlope = 0.01) {
    return ops.leakyRelu(this, negativeSlope);
  },
  sigmoid() {
    return ops.sigmoid(this);
  },
  tanh() {
    return ops.tanh(this);
  },
  gelu(approximate: "none" | "tanh" = "none") {
    return ops.gelu(this, approximate);
  },
  softmax(axis = -1) {
    return ops.softmax(this, axis);
  },
  logSoftmax(axis = -1) {
    return ops.logSoftmax(this, axis);
  },
  slice(axis: number, start: number, end?: number, step = 1) {
    return ops.slice(this, axis, start, end, step);
  },
  index(...keys: IndexKey[]) {
    return ops.index(this, ...keys);
  },
  gather(axis: number, index: Tensor) {
    return ops.gather(this, axis, index);
  },
  indexSelect(axis: number, indices: Tensor | number[]) {
    return ops.indexSelect(this, axis, indices);
  },
  oneHot(numClasses?: number) {
    return ops.oneHot(this, numClasses);
  },
  requiresGrad_(flag = true) {
    if (typeof flag !== "boolean") throw new TypeError(`requiresGrad_: flag must be true or false, got ${typeof flag}`);
    if (this.node) {
      if (flag) return this; // already recorded; PyTorch allows this and changes nothing
      throw new Error(
        "requiresGrad_: you can only change requires_grad flags of leaf variables. To use a computed tensor without its graph, write y.detach()",
      );
    }
    this.requiresGrad = flag;
    return this;
  },
  add_(other: TensorLike) {
    return ops.add_(this, other);
  },
  sub_(other: TensorLike) {
    return ops.sub_(this, other);
  },
  mul_(other: TensorLike) {
    return ops.mul_(this, other);
  },
  div_(other: TensorLike) {
    return ops.div_(this, other);
  },
  clamp_(min?: number | null, max?: number | null) {
    return ops.clamp_(this, min, max);
  },
  zero_() {
    return ops.zero_(this);
  },
  fill_(value: number) {
    return ops.fill_(this, value);
  },
  copy_(src: TensorLike) {
    return ops.copy_(this, src);
  },
  uniform_(low?: number, high?: number, options?: { generator?: RandomGenerator }) {
    return ops.uniform_(this, low, high, options);
  },
  normal_(mean?: number, std?: number, options?: { generator?: RandomGenerator }) {
    return ops.normal_(this, mean, std, options);
  },
  at(...indices: number[]) {
    for (const i of indices)
      if (typeof i !== "number")
        throw new TypeError(`at: positions must be numbers, got ${typeof i}; for slices and index tensors use index()`);
    return ops.index(this, ...indices);
  },
  dim() {
    return this.ndim;
  },
  cpu() {
    return this;
  },
  long() {
    return ops.to(this, "int32");
  },
  tolist() {
    return this.toArray();
  },
  sin() {
    return ops.sin(this);
  },
  cos() {
    return ops.cos(this);
  },
  log10() {
    return ops.log10(this);
  },
  log2() {
    return ops.log2(this);
  },
  exp2() {
    return ops.exp2(this);
  },
  rpow(base: TensorLike) {
    return ops.rpow(this, base);
  },
  sort(options?: SortOptions) {
    return ops.sort(this, options);
  },
  topk(k: number, options?: SortOptions) {
    return ops.topk(this, k, options);
  },
  cumsum(dim: number) {
    return ops.cumsum(this, dim);
  },
  multinomial(numSamples: number, options?: MultinomialOptions) {
    return ops.multinomial(this, numSamples, options);
  },
  mm(other: Tensor) {
    return mm(this, other);
  },
  bmm(other: Tensor) {
    return bmm(this, other);
  },
};

/** Puts the methods above on Tensor's prototype (non-enumerable, like class methods). */
export function installTensorMethods(prototype: object): void {
  for (const [name, value] of Object.entries(methods)) {
    Object.defineProperty(prototype, name, { value, writable: true, configurable: true, enumerable: false });
  }
}
