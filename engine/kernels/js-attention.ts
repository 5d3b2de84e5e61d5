// Multi-head attention's loops (the derivation is in engine/ops/attention.ts) on contiguous
// [batch, time, heads·d] arrays: the per-(batch, head) products through the batched strided
// product, which reads each head's slice in place, and the masked softmax and its backward row by
// row between them. The WebAssembly build (assembly/attention.ts) computes the same in float32
// four lanes at a time.
import { expF32 } from "./fast-exp.js";
import { matmulBatchJs } from "./js-matmul.js";
import type { AttentionShape, BatchMatrix, TypedArray } from "./types.js";

/** Head h of batch item b of a [batch, t, width] array as a t×d block (its transpose: d×t). */
function headBlocks(data: TypedArray, t: number, width: number, d: number, transposed = false): BatchMatrix {
  return { data, offset: 0, outer: t * width, inner: d, row: transposed ? 1 : width, col: transposed ? width : 1 };
}

/** The [batch, heads, tq, tk] attention weights (or their gradients) as tq×tk blocks. */
function perHead(data: TypedArray, heads: number, tq: number, tk: number, transposed = false): BatchMatrix {
  return {
    data,
    offset: 0,
    outer: heads * tq * tk,
    inner: tq * tk,
    row: transposed ? 1 : tk,
    col: transposed ? tk : 1,
  };
}

/** Keys query i sees: all, or (causal) those up to i + tk − tq. */
const seenKeys = (i: number, { tq, tk, causal }: AttentionShape): number =>
  causal ? Math.min(tk, Math.max(0, i + tk - tq + 1)) : tk;

/**
 * Row-wise softmax(scores · scale) in place at `at` (tq rows of tk); keys a query does not see get
 * weight 0 (a row that sees no key is NaN, as softmax of all −∞).
 */
function maskedSoftmax(p: TypedArray, at: number, shape: AttentionShape): void {
  const { tq, tk, scale } = shape;
  const precise = p instanceof Float64Array; // float32 weights use the inlined expF32
  for (let i = 0; i < tq; i++) {
    const row = at + i * tk;
    const seen = seenKeys(i, shape);
    if (seen === 0) {
      p.fill(NaN, row, row + tk);
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < seen; j++) {
      const v = p[row + j]!;
      if (v > max || v !== v) max = v;
    }
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

/** The `Kernels.attention` contract. */
export function attentionJs(
  q: TypedArray,
  k: TypedArray,
  v: TypedArray,
  out: TypedArray,
  weights: TypedArray,
  shape: AttentionShape,
): void {
  const { batch, heads, tq, tk, width } = shape;
  const d = width / heads;
  const scores = perHead(weights, heads, tq, tk);
  matmulBatchJs(headBlocks(q, tq, width, d), headBlocks(k, tk, width, d, true), scores, batch, heads, tq, d, tk); // Q Kᵀ
  for (let r = 0; r < batch * heads; r++) maskedSoftmax(weights, r * tq * tk, shape);
  matmulBatchJs(scores, headBlocks(v, tk, width, d), headBlocks(out, tq, width, d), batch, heads, tq, tk, d); // P V
}

/** The `Kernels.attentionBackward` contract. */
export function attentionBackwardJs(
  q: TypedArray,
  k: TypedArray,
  v: TypedArray,
  g: TypedArray,
  weights: TypedArray,
  dq: TypedArray | null,
  dk: TypedArray | null,
  dv: TypedArray | null,
  shape: AttentionShape,
): void {
  const { batch, heads, tq, tk, width, scale } = shape;
  const d = width / heads;
  const dOut = headBlocks(g, tq, width, d);
  if (dv)
    matmulBatchJs(perHead(weights, heads, tq, tk, true), dOut, headBlocks(dv, tk, width, d), batch, heads, tk, tq, d); // Pᵀ dO
  if (!dq && !dk) return;
  const dp =
    g instanceof Float64Array ? new Float64Array(batch * heads * tq * tk) : new Float32Array(batch * heads * tq * tk);
  matmulBatchJs(dOut, headBlocks(v, tk, width, d, true), perHead(dp, heads, tq, tk), batch, heads, tq, d, tk); // dP = dO Vᵀ
  for (let r = 0; r < batch * heads; r++) {
    for (let i = 0; i < tq; i++) {
      const row = (r * tq + i) * tk;
      // Masked keys have weight 0, so dS is 0 there (a row that saw no key stays NaN throughout).
      const seen = seenKeys(i, shape);
      const end = seen > 0 ? seen : tk;
      let dot = 0;
      for (let j = 0; j < end; j++) dot += weights[row + j]! * dp[row + j]!;
      for (let j = 0; j < end; j++) dp[row + j] = weights[row + j]! * (dp[row + j]! - dot) * scale;
      dp.fill(0, row + end, row + tk);
    }
  }
  if (dq)
    matmulBatchJs(
      perHead(dp, heads, tq, tk),
      headBlocks(k, tk, width, d),
      headBlocks(dq, tq, width, d),
      batch,
      heads,
      tq,
      tk,
      d,
    ); // dS K
  if (dk)
    matmulBatchJs(
      perHead(dp, heads, tq, tk, true),
      headBlocks(q, tq, width, d),
      headBlocks(dk, tk, width, d),
      batch,
      heads,
      tk,
      tq,
      d,
    ); // dSᵀ Q
}
