// Multi-head scaled dot-product attention as one primitive, on the projections' own layout:
//   out[b, t, h·d : (h+1)·d] = softmax(Q_h K_hᵀ / √d + mask) V_h,  Q_h = q[b, :, h·d : (h+1)·d] …
// Written with primitives it was a reshape and a permute copy per head split and merge, a batched
// product, a division, a select for the mask, softmax and a second batched product, with about as
// many ops again backward. Here the products of every (batch, head) run as one batched kernel
// call that reads each head's slice through strides (`kernels.matmulBatch`: no gathering copies,
// and on WebAssembly one call instead of a few hundred small ones), with the softmax, its scale
// and the causal mask in between; forward keeps the attention weights P for backward:
//   dP = dO V_hᵀ,  dS = P · (dP − Σ_j P·dP) / √d,  dQ_h = dS K_h,  dK_h = dSᵀ Q_h,  dV_h = Pᵀ dO.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { kernels, type BatchMatrix, type TypedArray } from "../kernels/index.js";
import { formatShape } from "../shape.js";
import { allocateUnfilled } from "../storage.js";
import { Tensor } from "../tensor.js";
import { expF32 } from "../kernels/fast-exp.js";
import { floatOf, promote } from "./operand.js";

type FloatArray = Float32Array | Float64Array;

interface AttentionArgs {
  heads: number;
  causal: boolean;
  /** The attention weights, [batch, heads, tq, tk], written by forward. */
  weights: FloatArray | null;
}

interface Dims { batch: number; tq: number; tk: number; width: number; headDim: number }

function dimsOf(q: Tensor, k: Tensor, heads: number): Dims {
  const [batch, tq, width] = q.shape as [number, number, number];
  return { batch, tq, tk: k.shape[1]!, width, headDim: width / heads };
}

/** A float array typed like `like`, unfilled: the products write all of it before it is read. */
function buffer(like: TypedArray, size: number): FloatArray {
  return allocateUnfilled(like instanceof Float64Array ? "float64" : "float32", size) as FloatArray;
}

/** Head h of batch item b of a [batch, t, width] array as a t×d block (its transpose: d×t). */
function headBlocks(data: TypedArray, t: number, width: number, d: number, transposed = false): BatchMatrix {
  return { data, offset: 0, outer: t * width, inner: d, row: transposed ? 1 : width, col: transposed ? width : 1 };
}

/** The [batch, heads, tq, tk] attention weights (or their gradients) as tq×tk blocks. */
function perHead(data: TypedArray, heads: number, tq: number, tk: number, transposed = false): BatchMatrix {
  return { data, offset: 0, outer: heads * tq * tk, inner: tq * tk, row: transposed ? 1 : tk, col: transposed ? tk : 1 };
}

/**
 * Every (batch, head) product C = A·B, m×k by k×n, in as few kernel calls as keep each under the
 * kernels' interrupt-check budget (a product over all of a large batch can take seconds).
 */
function productPerHead(a: BatchMatrix, b: BatchMatrix, c: BatchMatrix, batch: number, heads: number,
  m: number, k: number, n: number): void {
  const chunk = Math.max(1, Math.floor(kernels.matmulBlockWork / Math.max(1, heads * m * k * n)));
  for (let first = 0; first < batch; first += chunk) {
    throwIfInterrupted();
    const from = (x: BatchMatrix): BatchMatrix => ({ ...x, offset: x.offset + first * x.outer });
    kernels.matmulBatch(from(a), from(b), from(c), Math.min(chunk, batch - first), heads, m, k, n);
  }
}

/**
 * Row-wise softmax(scores · scale) in place at `at` (tq rows of tk). Causal: query i sees keys
 * j ≤ i + tk − tq; the rest get weight 0 (a row that sees no key is NaN, as softmax of all −∞).
 */
function maskedSoftmax(p: FloatArray, at: number, tq: number, tk: number, scale: number, causal: boolean): void {
  const precise = p instanceof Float64Array; // float32 weights use the inlined expF32
  for (let i = 0; i < tq; i++) {
    const row = at + i * tk;
    const seen = causal ? Math.min(tk, Math.max(0, i + tk - tq + 1)) : tk;
    if (seen === 0) { p.fill(NaN, row, row + tk); continue; }
    let max = -Infinity;
    for (let j = 0; j < seen; j++) { const v = p[row + j]!; if (v > max || v !== v) max = v; }
    let sum = 0;
    for (let j = 0; j < seen; j++) {
      const z = (p[row + j]! - max) * scale;
      const e = precise ? Math.exp(z) : expF32(z);
      p[row + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < seen; j++) p[row + j] = p[row + j]! * inv;
    p.fill(0, row + seen, row + tk);
  }
}

const Attention: Primitive<AttentionArgs> = {
  name: "attention",
  forward: ([q, k, v], args) => {
    const { batch, tq, tk, width, headDim: d } = dimsOf(q!, k!, args.heads);
    const heads = args.heads;
    const out = Tensor.unfilled(q!.shape, q!.dtype); // the heads' products cover it
    const scale = 1 / Math.sqrt(d);
    const weights = buffer(out.data, batch * heads * tq * tk);
    const scores = perHead(weights, heads, tq, tk);
    productPerHead(headBlocks(q!.data, tq, width, d), headBlocks(k!.data, tk, width, d, true), scores, batch, heads, tq, d, tk); // Q Kᵀ
    for (let b = 0; b < batch; b++) {
      throwIfInterrupted();
      for (let h = 0; h < heads; h++) maskedSoftmax(weights, (b * heads + h) * tq * tk, tq, tk, scale, args.causal);
    }
    productPerHead(scores, headBlocks(v!.data, tk, width, d), headBlocks(out.data, tq, width, d), batch, heads, tq, tk, d); // P V
    args.weights = weights;
    return out;
  },
  backward: (g, [q, k, v], _out, args) => {
    const { batch, tq, tk, width, headDim: d } = dimsOf(q!, k!, args.heads);
    const heads = args.heads;
    const causal = args.causal;
    const weights = args.weights!;
    const scale = 1 / Math.sqrt(d);
    const dq = q!.requiresGrad ? Tensor.unfilled(q!.shape, g.dtype) : null; // each covered by its product
    const dk = k!.requiresGrad ? Tensor.unfilled(k!.shape, g.dtype) : null;
    const dv = v!.requiresGrad ? Tensor.unfilled(v!.shape, g.dtype) : null;
    const dOut = headBlocks(g.data, tq, width, d);
    if (dv) productPerHead(perHead(weights, heads, tq, tk, true), dOut, headBlocks(dv.data, tk, width, d), batch, heads, tk, tq, d); // Pᵀ dO
    if (!dq && !dk) return [dq, dk, dv];
    const dp = buffer(g.data, batch * heads * tq * tk);
    productPerHead(dOut, headBlocks(v!.data, tk, width, d, true), perHead(dp, heads, tq, tk), batch, heads, tq, d, tk); // dP = dO Vᵀ
    for (let b = 0; b < batch; b++) {
      throwIfInterrupted();
      for (let h = 0; h < heads; h++) {
        const at = (b * heads + h) * tq * tk;
        for (let i = 0; i < tq; i++) {
          const row = at + i * tk;
          // Masked keys have weight 0, so dS is 0 there (a row that saw no key stays NaN throughout).
          const seen = causal ? Math.min(tk, i + tk - tq + 1) : tk;
          const end = seen > 0 ? seen : tk;
          let dot = 0;
          for (let j = 0; j < end; j++) dot += weights[row + j]! * dp[row + j]!;
          for (let j = 0; j < end; j++) dp[row + j] = weights[row + j]! * (dp[row + j]! - dot) * scale;
          dp.fill(0, row + end, row + tk);
        }
      }
    }
    if (dq) productPerHead(perHead(dp, heads, tq, tk), headBlocks(k!.data, tk, width, d), headBlocks(dq.data, tq, width, d), batch, heads, tq, tk, d); // dS K
    if (dk) productPerHead(perHead(dp, heads, tq, tk, true), headBlocks(q!.data, tq, width, d), headBlocks(dk.data, tk, width, d), batch, heads, tk, tq, d); // dSᵀ Q
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
export function multiHeadAttention(q: Tensor, k: Tensor, v: Tensor, numHeads: number,
  { causal = false }: MultiHeadAttentionOptions = {}): Tensor {
  if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3) {
    throw new Error(`multiHeadAttention: q, k and v must be [batch, time, features], got ${formatShape(q.shape)}, ${formatShape(k.shape)}, ${formatShape(v.shape)}`);
  }
  const [batch, , width] = q.shape as [number, number, number];
  if (k.shape[0] !== batch || v.shape[0] !== batch || k.shape[2] !== width || v.shape[2] !== width || k.shape[1] !== v.shape[1]) {
    throw new Error(`multiHeadAttention: k and v must be [${batch}, tk, ${width}] with the same tk, got ${formatShape(k.shape)} and ${formatShape(v.shape)}`);
  }
  if (!Number.isInteger(numHeads) || numHeads < 1 || width % numHeads !== 0) {
    throw new Error(`multiHeadAttention: numHeads must be a positive integer dividing the ${width} features, got ${numHeads}`);
  }
  const dtype = floatOf(promote(promote(q.dtype, k.dtype), v.dtype));
  return apply(Attention, [q.to(dtype), k.to(dtype), v.to(dtype)], { heads: numHeads, causal, weights: null });
}
