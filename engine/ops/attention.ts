// Multi-head scaled dot-product attention as one primitive, on the projections' own layout:
//   out[b, t, h·d : (h+1)·d] = softmax(Q_h K_hᵀ / √d + mask) V_h,  Q_h = q[b, :, h·d : (h+1)·d] …
// Written with primitives it was a reshape and a permute copy per head split and merge, a batched
// product, a division, a select for the mask, softmax and a second batched product, with about as
// many ops again backward. Here forward and backward are one kernel call each (`kernels.attention`,
// engine/kernels/js-attention.ts and, for float32, assembly/attention.ts: the products of every
// (batch, head) read each head's slice through strides, the softmax with its scale and causal mask
// runs in between, and on WebAssembly nothing leaves module memory until the end); forward keeps
// the attention weights P for backward:
//   dP = dO V_hᵀ,  dS = P · (dP − Σ_j P·dP) / √d,  dQ_h = dS K_h,  dK_h = dSᵀ Q_h,  dV_h = Pᵀ dO.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { type AttentionShape, kernels, type TypedArray } from "../kernels/index.js";
import { formatShape } from "../shape.js";
import { allocateUnfilled } from "../storage.js";
import { Tensor } from "../tensor.js";
import { floatOf, promote } from "./operand.js";

type FloatArray = Float32Array | Float64Array;

interface AttentionArgs {
  heads: number;
  causal: boolean;
  /** The attention weights, [batch, heads, tq, tk], written by forward. */
  weights: FloatArray | null;
}

function shapeOf(q: Tensor, k: Tensor, args: AttentionArgs): AttentionShape {
  const [batch, tq, width] = q.shape as [number, number, number];
  const heads = args.heads;
  return { batch, heads, tq, tk: k.shape[1]!, width, scale: 1 / Math.sqrt(width / heads), causal: args.causal };
}

/** A float array typed like `like`, unfilled: the kernels write all of it before it is read. */
function buffer(like: TypedArray, size: number): FloatArray {
  return allocateUnfilled(like instanceof Float64Array ? "float64" : "float32", size) as FloatArray;
}

/**
 * Runs `step` on runs of whole batch items (views of each array, which holds `perItem` elements
 * per item), as many at a time as keep each call within the kernels' interrupt-check budget (an
 * attention over all of a large batch can take seconds), checking for an interrupt before each.
 */
function perBatchRun(
  shape: AttentionShape,
  step: (run: AttentionShape, view: (x: TypedArray, perItem: number) => TypedArray) => void,
): void {
  const { batch, heads, tq, tk, width } = shape;
  const work = Math.max(1, 2 * heads * tq * tk * (width / heads));
  const chunk = Math.max(1, Math.floor(kernels.matmulBlockWork / work));
  for (let first = 0; first < batch; first += chunk) {
    throwIfInterrupted();
    const count = Math.min(chunk, batch - first);
    step({ ...shape, batch: count }, (x, perItem) => x.subarray(first * perItem, (first + count) * perItem));
  }
}

const Attention: Primitive<AttentionArgs> = {
  name: "attention",
  forward: ([q, k, v], args) => {
    const shape = shapeOf(q!, k!, args);
    const { batch, heads, tq, tk, width } = shape;
    const out = Tensor.unfilled(q!.shape, q!.dtype); // every head of every item is written
    const weights = buffer(out.raw, batch * heads * tq * tk);
    perBatchRun(shape, (run, view) =>
      kernels.attention(
        view(q!.raw, tq * width),
        view(k!.raw, tk * width),
        view(v!.raw, tk * width),
        view(out.raw, tq * width),
        view(weights, heads * tq * tk),
        run,
      ),
    );
    args.weights = weights;
    return out;
  },
  backward: (g, [q, k, v], _out, args) => {
    const shape = shapeOf(q!, k!, args);
    const { heads, tq, tk, width } = shape;
    const weights = args.weights!;
    const dq = q!.requiresGrad ? Tensor.unfilled(q!.shape, g.dtype) : null; // each covered by its product
    const dk = k!.requiresGrad ? Tensor.unfilled(k!.shape, g.dtype) : null;
    const dv = v!.requiresGrad ? Tensor.unfilled(v!.shape, g.dtype) : null;
    perBatchRun(shape, (run, view) =>
      kernels.attentionBackward(
        view(q!.raw, tq * width),
        view(k!.raw, tk * width),
        view(v!.raw, tk * width),
        view(g.raw, tq * width),
        view(weights, heads * tq * tk),
        dq && view(dq.raw, tq * width),
        dk && view(dk.raw, tk * width),
        dv && view(dv.raw, tk * width),
        run,
      ),
    );
    return [dq, dk, dv];
  },
};

/** Options of `multiHeadAttention`. */
export interface MultiHeadAttentionOptions {
  /** Query t attends to keys up to t (+ tk − tq, when earlier keys are cached). Default false. */
  causal?: boolean;
}

/**
 * softmax(Q_h K_hᵀ / √d + mask) V_h for each of `numHeads` heads, heads concatenated: q is
 * [batch, tq, numHeads·d] and k, v are [batch, tk, numHeads·d], as the query, key and value
 * projections make them (head h is the h-th slice of d features). Returns [batch, tq, numHeads·d].
 * Example: `multiHeadAttention(q, k, v, 4, { causal: true })` with q, k, v [16, 32, 64]
 */
export function multiHeadAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  numHeads: number,
  { causal = false }: MultiHeadAttentionOptions = {},
): Tensor {
  return attend(q, k, v, numHeads, causal).out;
}

/**
 * `multiHeadAttention` that also returns its attention weights softmax(Q_h K_hᵀ / √d + mask),
 * [batch, numHeads, tq, tk], detached: a copy of the ones the fused op keeps for its backward.
 * Example: `const [out, weights] = multiHeadAttentionWithWeights(q, k, v, 4, { causal: true })`
 */
export function multiHeadAttentionWithWeights(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  numHeads: number,
  { causal = false }: MultiHeadAttentionOptions = {},
): [Tensor, Tensor] {
  const { out, args } = attend(q, k, v, numHeads, causal);
  const [batch, tq] = q.shape as [number, number, number];
  // A copy: the op's own array may live in scratch storage and is read again by backward.
  const weights = new Tensor(args.weights!.slice(), [batch, numHeads, tq, k.shape[1]!]);
  return [out, weights];
}

function attend(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  numHeads: number,
  causal: boolean,
): { out: Tensor; args: AttentionArgs } {
  if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3) {
    throw new Error(
      `multiHeadAttention: q, k and v must be [batch, time, features], got ${formatShape(q.shape)}, ${formatShape(k.shape)}, ${formatShape(v.shape)}`,
    );
  }
  const [batch, , width] = q.shape as [number, number, number];
  if (
    k.shape[0] !== batch ||
    v.shape[0] !== batch ||
    k.shape[2] !== width ||
    v.shape[2] !== width ||
    k.shape[1] !== v.shape[1]
  ) {
    throw new Error(
      `multiHeadAttention: k and v must be [${batch}, tk, ${width}] with the same tk, got ${formatShape(k.shape)} and ${formatShape(v.shape)}`,
    );
  }
  if (!Number.isInteger(numHeads) || numHeads < 1 || width % numHeads !== 0) {
    throw new Error(
      `multiHeadAttention: numHeads must be a positive integer dividing the ${width} features, got ${numHeads}`,
    );
  }
  const dtype = floatOf(promote(promote(q.dtype, k.dtype), v.dtype));
  const args: AttentionArgs = { heads: numHeads, causal, weights: null };
  return { out: apply(Attention, [q.to(dtype), k.to(dtype), v.to(dtype)], args), args };
}
