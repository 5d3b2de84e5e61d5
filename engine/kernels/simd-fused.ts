// The training ops' WebAssembly kernels (GELU, layer norm, Adam, attention): GELU, layer norm and
// Adam stream their float32 arrays through module memory a chunk at a time, attention copies its
// operands in whole; each returns false, with nothing written, when the memory cannot grow (the
// caller then runs the TypeScript kernel).
import { adamJs } from "./js-adam.js";
import { geluExact } from "./js-gelu.js";
import { align16, CHUNK, heapOf, instance, releaseIfLarge, type SimdExports } from "./simd-module.js";
import type { AdamCoefficients, AttentionShape, TypedArray } from "./types.js";

/**
 * An Adam step on float32 arrays through module memory, a chunk at a time (θ, grad, m and v:
 * 128 KB, in L2); the last n mod 4 elements in TypeScript (same float32 operations).
 */
export function adamInModule(
  p: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  c: AdamCoefficients,
): boolean {
  const wasm = instance();
  const pPtr = wasm.heapBase();
  const gPtr = pPtr + CHUNK * 4,
    mPtr = gPtr + CHUNK * 4,
    vPtr = mPtr + CHUNK * 4;
  const f32 = heapOf(wasm, vPtr + CHUNK * 4);
  if (!f32) return false;
  const vectorEnd = p.length & ~3;
  for (let start = 0; start < vectorEnd; start += CHUNK) {
    const size = Math.min(CHUNK, vectorEnd - start);
    const end = start + size;
    f32.set(p.subarray(start, end), pPtr >> 2);
    f32.set(grad.subarray(start, end), gPtr >> 2);
    f32.set(m.subarray(start, end), mPtr >> 2);
    f32.set(v.subarray(start, end), vPtr >> 2);
    // The coefficients become float32 on the way in (wasm f32 parameters round like Math.fround).
    wasm.adamF32(
      pPtr,
      gPtr,
      mPtr,
      vPtr,
      size,
      c.beta1,
      c.beta2,
      1 - c.beta1,
      1 - c.beta2,
      c.eps,
      c.stepSize,
      c.invSqrtBiasCorrection2,
      c.shrink,
      c.l2,
    );
    p.set(f32.subarray(pPtr >> 2, (pPtr >> 2) + size), start);
    m.set(f32.subarray(mPtr >> 2, (mPtr >> 2) + size), start);
    v.set(f32.subarray(vPtr >> 2, (vPtr >> 2) + size), start);
  }
  if (vectorEnd < p.length) adamJs(p, grad, m, v, c, vectorEnd);
  return true;
}

/**
 * Where a layer norm's operands go in module memory: weight and bias (float32, `width` each, ones
 * and zeros when absent), dw and db (float64), then a chunk of `rows` rows of x, g and out or dx
 * (float32) and their means and rstds (float64). Null when the memory cannot grow.
 */
function layerNormLayout(wasm: SimdExports, width: number, weight: TypedArray | null, bias: TypedArray | null) {
  const rows = Math.max(1, Math.floor(CHUNK / width));
  const weightPtr = wasm.heapBase();
  const biasPtr = weightPtr + width * 4;
  const dwPtr = align16(biasPtr + width * 4);
  const dbPtr = dwPtr + width * 8;
  const xPtr = dbPtr + width * 8;
  const gPtr = xPtr + rows * width * 4;
  const outPtr = gPtr + rows * width * 4;
  const meanPtr = outPtr + rows * width * 4;
  const rstdPtr = meanPtr + rows * 8;
  const f32 = heapOf(wasm, rstdPtr + rows * 8);
  if (!f32) return null;
  if (weight) f32.set(weight, weightPtr >> 2);
  else f32.fill(1, weightPtr >> 2, (weightPtr >> 2) + width);
  if (bias) f32.set(bias, biasPtr >> 2);
  else f32.fill(0, biasPtr >> 2, (biasPtr >> 2) + width);
  const f64 = new Float64Array(wasm.memory.buffer);
  return { rows, weightPtr, biasPtr, dwPtr, dbPtr, xPtr, gPtr, outPtr, meanPtr, rstdPtr, f32, f64 };
}

export function layerNormInModule(
  x: Float32Array,
  weight: Float32Array | null,
  bias: Float32Array | null,
  out: Float32Array,
  mean: Float64Array,
  rstd: Float64Array,
  rows: number,
  width: number,
  eps: number,
): boolean {
  const wasm = instance();
  const at = layerNormLayout(wasm, width, weight, bias);
  if (!at) return false;
  for (let first = 0; first < rows; first += at.rows) {
    const count = Math.min(at.rows, rows - first);
    const from = first * width,
      to = from + count * width;
    at.f32.set(x.subarray(from, to), at.xPtr >> 2);
    wasm.layerNormForwardF32(at.xPtr, at.weightPtr, at.biasPtr, at.outPtr, at.meanPtr, at.rstdPtr, count, width, eps);
    out.set(at.f32.subarray(at.outPtr >> 2, (at.outPtr >> 2) + count * width), from);
    mean.set(at.f64.subarray(at.meanPtr >> 3, (at.meanPtr >> 3) + count), first);
    rstd.set(at.f64.subarray(at.rstdPtr >> 3, (at.rstdPtr >> 3) + count), first);
  }
  return true;
}

export function layerNormBackwardInModule(
  x: Float32Array,
  g: Float32Array,
  weight: Float32Array | null,
  mean: Float64Array,
  rstd: Float64Array,
  dx: Float32Array,
  dw: Float64Array,
  db: Float64Array,
  rows: number,
  width: number,
): boolean {
  const wasm = instance();
  const at = layerNormLayout(wasm, width, weight, null);
  if (!at) return false;
  at.f64.set(dw, at.dwPtr >> 3);
  at.f64.set(db, at.dbPtr >> 3);
  for (let first = 0; first < rows; first += at.rows) {
    const count = Math.min(at.rows, rows - first);
    const from = first * width,
      to = from + count * width;
    at.f32.set(x.subarray(from, to), at.xPtr >> 2);
    at.f32.set(g.subarray(from, to), at.gPtr >> 2);
    at.f64.set(mean.subarray(first, first + count), at.meanPtr >> 3);
    at.f64.set(rstd.subarray(first, first + count), at.rstdPtr >> 3);
    wasm.layerNormBackwardF32(
      at.xPtr,
      at.gPtr,
      at.weightPtr,
      at.meanPtr,
      at.rstdPtr,
      at.outPtr,
      at.dwPtr,
      at.dbPtr,
      count,
      width,
    );
    dx.set(at.f32.subarray(at.outPtr >> 2, (at.outPtr >> 2) + count * width), from);
  }
  dw.set(at.f64.subarray(at.dwPtr >> 3, (at.dwPtr >> 3) + width));
  db.set(at.f64.subarray(at.dbPtr >> 3, (at.dbPtr >> 3) + width));
  return true;
}

/**
 * Exact GELU of float32 x (and its derivative) through module memory, a chunk at a time; the
 * last n mod 4 elements in TypeScript (same operations, same float32 results).
 */
export function geluInModule(x: Float32Array, out: Float32Array, derivative: Float32Array | null): boolean {
  const wasm = instance();
  const n = out.length;
  const xPtr = wasm.heapBase();
  const dPtr = xPtr + CHUNK * 4;
  const f32 = heapOf(wasm, dPtr + CHUNK * 4);
  if (!f32) return false;
  const vectorEnd = n & ~3;
  for (let start = 0; start < vectorEnd; start += CHUNK) {
    const size = Math.min(CHUNK, vectorEnd - start);
    f32.set(x.subarray(start, start + size), xPtr >> 2);
    wasm.geluF32(xPtr, xPtr, derivative ? dPtr : 0, size); // in place: the chunk's copy is ours
    out.set(f32.subarray(xPtr >> 2, (xPtr >> 2) + size), start);
    if (derivative) derivative.set(f32.subarray(dPtr >> 2, (dPtr >> 2) + size), start);
  }
  if (vectorEnd < n) geluExact(x, out, derivative, vectorEnd);
  return true;
}

/**
 * Module memory for one attention call: the `inputs` copied in, then room for `outputs` floats
 * each, then the products' packing scratch; `at` holds every array's byte address, inputs first.
 * Null when the memory cannot grow.
 */
function attentionLayout(wasm: SimdExports, inputs: Float32Array[], outputs: number[], shape: AttentionShape) {
  const at: number[] = [];
  let next = wasm.heapBase();
  for (const length of [...inputs.map((x) => x.length), ...outputs]) {
    at.push(next);
    next = align16(next + length * 4);
  }
  const packA = next,
    packB = align16(packA + wasm.packABytes());
  const tile = align16(packB + wasm.packBBytes(Math.max(shape.tk, shape.width / shape.heads)));
  const f32 = heapOf(wasm, tile + 4 * 8 * 4);
  if (!f32) return null;
  inputs.forEach((x, i) => f32.set(x, at[i]! >> 2));
  const copyOut = (ptr: number, to: Float32Array): void => to.set(f32.subarray(ptr >> 2, (ptr >> 2) + to.length));
  return { at, packA, packB, tile, copyOut };
}

/** Multi-head attention forward, operands copied into module memory whole (float32 arrays). */
export function attentionInModule(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  weights: Float32Array,
  shape: AttentionShape,
): boolean {
  const wasm = instance();
  const room = attentionLayout(wasm, [q, k, v], [out.length, weights.length], shape);
  if (!room) return false;
  const [qPtr, kPtr, vPtr, outPtr, wPtr] = room.at;
  wasm.attentionForwardF32(
    qPtr!,
    kPtr!,
    vPtr!,
    outPtr!,
    wPtr!,
    shape.batch,
    shape.heads,
    shape.tq,
    shape.tk,
    shape.width,
    shape.scale,
    shape.causal ? 1 : 0,
    room.packA,
    room.packB,
    room.tile,
  );
  room.copyOut(outPtr!, out);
  room.copyOut(wPtr!, weights);
  releaseIfLarge();
  return true;
}

/** Multi-head attention backward, operands copied into module memory whole (float32 arrays). */
export function attentionBackwardInModule(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  g: Float32Array,
  weights: Float32Array,
  dq: Float32Array | null,
  dk: Float32Array | null,
  dv: Float32Array | null,
  shape: AttentionShape,
): boolean {
  const wasm = instance();
  const room = attentionLayout(
    wasm,
    [q, k, v, g, weights],
    [dq?.length ?? 0, dk?.length ?? 0, dv?.length ?? 0, weights.length],
    shape,
  );
  if (!room) return false;
  const [qPtr, kPtr, vPtr, gPtr, wPtr, dqPtr, dkPtr, dvPtr, dpPtr] = room.at;
  wasm.attentionBackwardF32(
    qPtr!,
    kPtr!,
    vPtr!,
    gPtr!,
    wPtr!,
    dq ? dqPtr! : 0,
    dk ? dkPtr! : 0,
    dv ? dvPtr! : 0,
    dpPtr!,
    shape.batch,
    shape.heads,
    shape.tq,
    shape.tk,
    shape.width,
    shape.scale,
    shape.causal ? 1 : 0,
    room.packA,
    room.packB,
    room.tile,
  );
  if (dq) room.copyOut(dqPtr!, dq);
  if (dk) room.copyOut(dkPtr!, dk);
  if (dv) room.copyOut(dvPtr!, dv);
  releaseIfLarge();
  return true;
}
