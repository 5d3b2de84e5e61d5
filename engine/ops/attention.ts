// Multi-head scaled dot-product attention as one primitive, on the projections' own layout:
//   out[b, t, h·d : (h+1)·d] = softmax(Q_h K_hᵀ / √d + mask) V_h,  Q_h = q[b, :, h·d : (h+1)·d] …
// Written with primitives it was a reshape and a permute copy per head split and merge, a batched
// product, a division, a select for the mask, softmax and a second batched product, with about as
// many ops again backward. Here each (batch, head) gathers its slices into small contiguous
// buffers, runs the two products on the active kernels, and the softmax with its scale and causal
// mask in between; forward keeps the attention weights P for backward:
//   dP = dO V_hᵀ,  dS = P · (dP − Σ_j P·dP) / √d,  dQ_h = dS K_h,  dK_h = dSᵀ Q_h,  dV_h = Pᵀ dO.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { kernels, type TypedArray } from "../kernels/index.js";
import { formatShape } from "../shape.js";
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

function buffer(like: TypedArray, size: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
}

/** dst (rows×cols, contiguous) = src rows of stride `rowStride` from `start`. */
function gather(src: TypedArray, start: number, rowStride: number, rows: number, cols: number, dst: FloatArray): void {
  for (let r = 0, s = start, o = 0; r < rows; r++, s += rowStride, o += cols) {
    for (let c = 0; c < cols; c++) dst[o + c] = src[s + c]!;
  }
}

/** The inverse of `gather`: dst rows of stride `rowStride` from `start` = src (rows×cols). */
function scatter(src: FloatArray, dst: TypedArray, start: number, rowStride: number, rows: number, cols: number): void {
  for (let r = 0, s = 0, o = start; r < rows; r++, s += cols, o += rowStride) {
    for (let c = 0; c < cols; c++) dst[o + c] = src[s + c]!;
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
    const out = Tensor.zeros(q!.shape, q!.dtype);
    const scale = 1 / Math.sqrt(d);
    const qh = buffer(out.data, tq * d);
    const kh = buffer(out.data, tk * d);
    const vh = buffer(out.data, tk * d);
    const oh = buffer(out.data, tq * d);
    const weights = buffer(out.data, batch * heads * tq * tk);
    for (let b = 0; b < batch; b++) {
      throwIfInterrupted();
      for (let h = 0; h < heads; h++) {
        const at = (b * heads + h) * tq * tk;
        gather(q!.data, b * tq * width + h * d, width, tq, d, qh);
        gather(k!.data, b * tk * width + h * d, width, tk, d, kh);
        gather(v!.data, b * tk * width + h * d, width, tk, d, vh);
        kernels.matmul(qh, 0, kh, 0, weights, at, tq, d, tk, false, true); // scores Q Kᵀ
        maskedSoftmax(weights, at, tq, tk, scale, args.causal);
        kernels.matmul(weights, at, vh, 0, oh, 0, tq, tk, d, false, false);
        scatter(oh, out.data, b * tq * width + h * d, width, tq, d);
      }
    }
    args.weights = weights;
    return out;
  },
  backward: (g, [q, k, v], _out, args) => {
    const { batch, tq, tk, width, headDim: d } = dimsOf(q!, k!, args.heads);
    const heads = args.heads;
    const causal = args.causal;
    const weights = args.weights!;
    const scale = 1 / Math.sqrt(d);
    const dq = q!.requiresGrad ? Tensor.zeros(q!.shape, g.dtype) : null;
    const dk = k!.requiresGrad ? Tensor.zeros(k!.shape, g.dtype) : null;
    const dv = v!.requiresGrad ? Tensor.zeros(v!.shape, g.dtype) : null;
    const like = g.data;
    const go = buffer(like, tq * d);
    const qh = buffer(like, tq * d);
    const kh = buffer(like, tk * d);
    const vh = buffer(like, tk * d);
    const dp = buffer(like, tq * tk);
    const dqh = buffer(like, tq * d);
    const dkvh = buffer(like, tk * d);
    for (let b = 0; b < batch; b++) {
      throwIfInterrupted();
      for (let h = 0; h < heads; h++) {
        const at = (b * heads + h) * tq * tk;
        const qAt = b * tq * width + h * d;
        const kAt = b * tk * width + h * d;
        gather(g.data, qAt, width, tq, d, go);
        if (dv) {
          kernels.matmul(weights, at, go, 0, dkvh, 0, tk, tq, d, true, false); // Pᵀ dO
          scatter(dkvh, dv.data, kAt, width, tk, d);
        }
        if (!dq && !dk) continue;
        gather(v!.data, kAt, width, tk, d, vh);
        kernels.matmul(go, 0, vh, 0, dp, 0, tq, d, tk, false, true); // dP = dO Vᵀ
        for (let i = 0; i < tq; i++) {
          const row = i * tk;
          // Masked keys have weight 0, so dS is 0 there (a row that saw no key stays NaN throughout).
          const seen = causal ? Math.min(tk, i + tk - tq + 1) : tk;
          const end = seen > 0 ? seen : tk;
          let dot = 0;
          for (let j = 0; j < end; j++) dot += weights[at + row + j]! * dp[row + j]!;
          for (let j = 0; j < end; j++) dp[row + j] = weights[at + row + j]! * (dp[row + j]! - dot) * scale;
          dp.fill(0, row + end, row + tk);
        }
        if (dq) {
          gather(k!.data, kAt, width, tk, d, kh);
          kernels.matmul(dp, 0, kh, 0, dqh, 0, tq, tk, d, false, false); // dS K
          scatter(dqh, dq.data, qAt, width, tq, d);
        }
        if (dk) {
          gather(q!.data, qAt, width, tq, d, qh);
          kernels.matmul(dp, 0, qh, 0, dkvh, 0, tk, tq, d, true, false); // dSᵀ Q
          scatter(dkvh, dk.data, kAt, width, tk, d);
        }
      }
    }
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
