// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// Multi-head attention on float32 [batch, time, heads·d] arrays in this module's memory, forward
// and backward in one call each: the per-(batch, head) products run through `matmulBatch`
// (heads read through strides), the softmax and its backward row by row four lanes at a time in
// between, so the attention weights never leave module memory. The formulas are those of
// engine/kernels/js-attention.ts; the sums run four lanes wide in float32, so results agree with
// it to float32 rounding, not bit for bit.
import { expNonPositive } from "./exp";
import { matmulBatch } from "./matmul";

/** Keys query i sees: all, or (causal) those up to i + tk − tq. */
// @ts-ignore: decorator
@inline
function seenKeys(i: i32, tq: i32, tk: i32, causal: bool): i32 {
  return causal ? min(tk, max(0, i + tk - tq + 1)) : tk;
}

/** Sum of four lanes. */
// @ts-ignore: decorator
@inline
function total(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** softmax(row · scale) over its first `seen` entries, 0 after them; NaN throughout when seen = 0. */
function softmaxRow(row: usize, seen: i32, tk: i32, scale: f32): void {
  if (seen == 0) {
    for (let j = 0; j < tk; j++) store<f32>(row + <usize>j * 4, NaN);
    return;
  }
  const vectorEnd = seen & ~3;
  let maxLanes = f32x4.splat(-Infinity);
  for (let j = 0; j < vectorEnd; j += 4) maxLanes = f32x4.max(maxLanes, v128.load(row + <usize>j * 4)); // NaN wins
  let top = max(max(f32x4.extract_lane(maxLanes, 0), f32x4.extract_lane(maxLanes, 1)),
    max(f32x4.extract_lane(maxLanes, 2), f32x4.extract_lane(maxLanes, 3)));
  for (let j = vectorEnd; j < seen; j++) top = max(top, load<f32>(row + <usize>j * 4));
  const topLanes = f32x4.splat(top), scaleLanes = f32x4.splat(scale);
  let sumLanes = f32x4.splat(0);
  for (let j = 0; j < vectorEnd; j += 4) {
    const at = row + <usize>j * 4;
    const e = expNonPositive(f32x4.mul(f32x4.sub(v128.load(at), topLanes), scaleLanes));
    v128.store(at, e);
    sumLanes = f32x4.add(sumLanes, e);
  }
  let sum = total(sumLanes);
  for (let j = vectorEnd; j < seen; j++) {
    const at = row + <usize>j * 4;
    const e = f32x4.extract_lane(expNonPositive(f32x4.splat((load<f32>(at) - top) * scale)), 0);
    store<f32>(at, e);
    sum += e;
  }
  const inv = f32x4.splat(<f32>1 / sum);
  for (let j = 0; j < vectorEnd; j += 4) v128.store(row + <usize>j * 4, f32x4.mul(v128.load(row + <usize>j * 4), inv));
  for (let j = vectorEnd; j < seen; j++) store<f32>(row + <usize>j * 4, load<f32>(row + <usize>j * 4) * f32x4.extract_lane(inv, 0));
  for (let j = seen; j < tk; j++) store<f32>(row + <usize>j * 4, 0);
}

/** dS = P·(dP − Σ P·dP)·scale in place of dP over the first `end` entries, 0 after them. */
function softmaxBackwardRow(p: usize, dp: usize, end: i32, tk: i32, scale: f32): void {
  const vectorEnd = end & ~3;
  let dotLanes = f32x4.splat(0);
  for (let j = 0; j < vectorEnd; j += 4) {
    dotLanes = f32x4.add(dotLanes, f32x4.mul(v128.load(p + <usize>j * 4), v128.load(dp + <usize>j * 4)));
  }
  let dot = total(dotLanes);
  for (let j = vectorEnd; j < end; j++) dot += load<f32>(p + <usize>j * 4) * load<f32>(dp + <usize>j * 4);
  const dotL = f32x4.splat(dot), scaleL = f32x4.splat(scale);
  for (let j = 0; j < vectorEnd; j += 4) {
    const at = <usize>j * 4;
    v128.store(dp + at, f32x4.mul(f32x4.mul(v128.load(p + at), f32x4.sub(v128.load(dp + at), dotL)), scaleL));
  }
  for (let j = vectorEnd; j < end; j++) {
    const at = <usize>j * 4;
    store<f32>(dp + at, load<f32>(p + at) * (load<f32>(dp + at) - dot) * scale);
  }
  for (let j = end; j < tk; j++) store<f32>(dp + <usize>j * 4, 0);
}

/**
 * out = softmax(Q_h K_hᵀ·scale + mask) V_h for every (batch, head), with the weights P written at
 * `weights` ([batch, heads, tq, tk]); q and out are [batch, tq, width], k and v [batch, tk, width].
 */
export function attentionForwardF32(q: usize, k: usize, v: usize, out: usize, weights: usize, batch: i32, heads: i32,
  tq: i32, tk: i32, width: i32, scale: f32, causal: bool, packA: usize, packB: usize, tile: usize): void {
  const d = width / heads;
  matmulBatch(batch, heads, q, tq * width, d, width, 1, k, tk * width, d, 1, width,
    weights, heads * tq * tk, tq * tk, tk, tq, d, tk, packA, packB, tile); // Q Kᵀ
  for (let r = 0; r < batch * heads; r++) {
    for (let i = 0; i < tq; i++) softmaxRow(weights + (<usize>(r * tq + i) * tk) * 4, seenKeys(i, tq, tk, causal), tk, scale);
  }
  matmulBatch(batch, heads, weights, heads * tq * tk, tq * tk, tk, 1, v, tk * width, d, width, 1,
    out, tq * width, d, width, tq, tk, d, packA, packB, tile); // P V
}

/**
 * The gradients of `attentionForwardF32` given dO = g: dV = Pᵀ dO, dP = dO Vᵀ,
 * dS = P·(dP − Σ P·dP)·scale (into `dp`, [batch, heads, tq, tk] scratch), dQ = dS K, dK = dSᵀ Q.
 * A zero dq, dk or dv pointer skips that gradient.
 */
export function attentionBackwardF32(q: usize, k: usize, v: usize, g: usize, weights: usize, dq: usize, dk: usize,
  dv: usize, dp: usize, batch: i32, heads: i32, tq: i32, tk: i32, width: i32, scale: f32, causal: bool,
  packA: usize, packB: usize, tile: usize): void {
  const d = width / heads;
  const perHead = tq * tk;
  if (dv != 0) {
    matmulBatch(batch, heads, weights, heads * perHead, perHead, 1, tk, g, tq * width, d, width, 1,
      dv, tk * width, d, width, tk, tq, d, packA, packB, tile); // Pᵀ dO
  }
  if (dq == 0 && dk == 0) return;
  matmulBatch(batch, heads, g, tq * width, d, width, 1, v, tk * width, d, 1, width,
    dp, heads * perHead, perHead, tk, tq, d, tk, packA, packB, tile); // dP = dO Vᵀ
  for (let r = 0; r < batch * heads; r++) {
    for (let i = 0; i < tq; i++) {
      const seen = seenKeys(i, tq, tk, causal);
      const at = (<usize>(r * tq + i) * tk) * 4;
      // Masked keys have weight 0, so dS is 0 there (a row that saw no key stays NaN throughout).
      softmaxBackwardRow(weights + at, dp + at, seen > 0 ? seen : tk, tk, scale);
    }
  }
  if (dq != 0) {
    matmulBatch(batch, heads, dp, heads * perHead, perHead, tk, 1, k, tk * width, d, width, 1,
      dq, tq * width, d, width, tq, tk, d, packA, packB, tile); // dS K
  }
  if (dk != 0) {
    matmulBatch(batch, heads, dp, heads * perHead, perHead, 1, tk, q, tq * width, d, width, 1,
      dk, tk * width, d, width, tk, tq, d, packA, packB, tile); // dSᵀ Q
  }
}
