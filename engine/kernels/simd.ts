// The WebAssembly SIMD kernels (source: ./assembly/, AssemblyScript: v128 intrinsics read like
// the C they replace and binaryen -O3 emits an 8 KB module; emitting bytes from TypeScript would
// mean hand-writing an encoder and stack code for every loop). Tensors keep living in
// ordinary typed arrays; a large float32 product copies its operands into the module's memory
// and the result out: O(n²) copying against O(n³) arithmetic. Float32 elementwise ops and sums
// copy too, a cache-sized chunk at a time (memcpy-speed copies; the SIMD loop beats the JS one
// 4–6×). Everything else, and every small call (where the copies and the call cost more than
// SIMD saves), runs the plain TypeScript kernels. Products of at least POOL_MIN_WORK
// multiply-adds are split over every core by the engine's pool (./engine-pool.ts, ./pool.ts: a
// second build of the same kernels over shared memory); `TSGRAD_THREADS=1` keeps them on the
// calling thread.

import { matmulPool, POOL_MIN_WORK, poolThreadsReady } from "./engine-pool.js";
import { jsKernels } from "./js.js";
import {
  adamInModule,
  attentionBackwardInModule,
  attentionInModule,
  geluInModule,
  layerNormBackwardInModule,
  layerNormInModule,
} from "./simd-fused.js";
import { align16, CHUNK, chunkArea, heapOf, instance, releaseIfLarge } from "./simd-module.js";
import type { AttentionShape, BatchMatrix, BinaryOp, Kernels, ReduceOp, TypedArray, UnaryOp } from "./types.js";

export { CHUNK, KEEP_MEMORY_BYTES, simdMemoryBytes } from "./simd-module.js";
export { hasWasmSimd } from "./wasm-binary.js";

// Ops whose float32 results are bit-identical in both implementations (see assembly/elementwise.ts).
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, reluGrad: 4 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = { neg: 0, abs: 1, sqrt: 2, square: 3, relu: 4 };

/**
 * Products below this many multiply-adds (m·k·n) stay on the JS path. Measured (bench/matmul.ts
 * sizes, loaded 2-core Zen 3): 8×8×8 ties at ~0.3 µs, 32×10×1 is 0.6 µs in JS and 0.7–1.2 µs in
 * WebAssembly (one of eight tile columns used), 32×4×10 is 1.4–2 µs in JS and 0.5–0.7 µs here.
 */
export const MATMUL_MIN_WORK = 1024;

/**
 * Elementwise ops and sums on fewer elements stay on the JS path, where the fixed cost of the
 * call, the subarray views and the copies outweighs the SIMD loop. Measured (kernel calls,
 * µs wasm/js): add 0.32/0.33 at 128 elements, 0.28/0.62 at 256, 0.44/2.3 at 1024; sum 0.15/0.11
 * at 128, 0.17/0.21 at 256.
 */
export const ELEMENTWISE_MIN_SIZE = 256;

/**
 * The SIMD product whatever its size (tests call it directly; ops go through `simdKernels`);
 * false, with nothing written, when the module's memory cannot grow to hold it.
 * Example: `wasmMatmul(a, 0, b, 0, out, 0, 64, 64, 64, false, true)`
 */
export function wasmMatmul(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  out: Float32Array,
  oo: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): boolean {
  const wasm = instance();
  const aPtr = wasm.heapBase();
  const bPtr = align16(aPtr + m * k * 4);
  const cPtr = align16(bPtr + k * n * 4);
  const packA = align16(cPtr + m * n * 4);
  const packB = align16(packA + wasm.packABytes());
  const tile = align16(packB + wasm.packBBytes(n));
  const f32 = heapOf(wasm, tile + 4 * 8 * 4);
  if (!f32) return false;
  f32.set(a.subarray(ao, ao + m * k), aPtr >> 2);
  f32.set(b.subarray(bo, bo + k * n), bPtr >> 2);
  // A(i,p) at i·aRow + p·aK, B(p,j) at p·bK + j·bCol: the transposes are strides, not copies.
  wasm.matmul(
    aPtr,
    transA ? 1 : k,
    transA ? m : 1,
    bPtr,
    transB ? 1 : n,
    transB ? k : 1,
    cPtr,
    m,
    k,
    n,
    packA,
    packB,
    tile,
  );
  out.set(f32.subarray(cPtr >> 2, (cPtr >> 2) + m * n), oo);
  releaseIfLarge();
  return true;
}

/** Elements from x.offset up to the last one a batch of rows×cols blocks touches (strides ≥ 0). */
function extentOf(x: BatchMatrix, outer: number, inner: number, rows: number, cols: number): number {
  return (outer - 1) * x.outer + (inner - 1) * x.inner + (rows - 1) * x.row + (cols - 1) * x.col + 1;
}

/**
 * `Kernels.matmulBatch` in module memory: the spans of A, B and C the products touch are copied
 * in (C's only when its blocks leave gaps, which must keep their values), one call runs every
 * product, C's span comes back. False, with nothing written, when the memory cannot grow.
 */
function matmulBatchInModule(
  a: BatchMatrix,
  b: BatchMatrix,
  c: BatchMatrix,
  outer: number,
  inner: number,
  m: number,
  k: number,
  n: number,
): boolean {
  const wasm = instance();
  const aSpan = extentOf(a, outer, inner, m, k);
  const bSpan = extentOf(b, outer, inner, k, n);
  const cSpan = extentOf(c, outer, inner, m, n);
  const aPtr = wasm.heapBase();
  const bPtr = align16(aPtr + aSpan * 4);
  const cPtr = align16(bPtr + bSpan * 4);
  const packA = align16(cPtr + cSpan * 4);
  const packB = align16(packA + wasm.packABytes());
  const tile = align16(packB + wasm.packBBytes(n));
  const f32 = heapOf(wasm, tile + 4 * 8 * 4);
  if (!f32) return false;
  f32.set(a.data.subarray(a.offset, a.offset + aSpan), aPtr >> 2);
  f32.set(b.data.subarray(b.offset, b.offset + bSpan), bPtr >> 2);
  // C's span needs copying in only where the blocks leave gaps: blocks that do not overlap and
  // hold as many elements as the span cover it (attention's scores and heads do).
  if (cSpan !== outer * inner * m * n) f32.set(c.data.subarray(c.offset, c.offset + cSpan), cPtr >> 2);
  wasm.matmulBatch(
    outer,
    inner,
    aPtr,
    a.outer,
    a.inner,
    a.row,
    a.col,
    bPtr,
    b.outer,
    b.inner,
    b.row,
    b.col,
    cPtr,
    c.outer,
    c.inner,
    c.row,
    m,
    k,
    n,
    packA,
    packB,
    tile,
  );
  c.data.set(f32.subarray(cPtr >> 2, (cPtr >> 2) + cSpan), c.offset);
  releaseIfLarge();
  return true;
}

/**
 * out = a op b for contiguous float32 arrays of equal length (or one side a single value), chunk
 * by chunk. The result overwrites the copy of the non-broadcast side, so two areas suffice; `out`
 * may be `a` or `b`, since each chunk is read before it is written.
 */
function binaryInModule(code: number, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
  const wasm = instance();
  const chunks = chunkArea(wasm);
  if (!chunks) return false;
  const { heap, firstPtr, secondPtr } = chunks;
  const n = out.length;
  const aOne = a.length === 1,
    bOne = b.length === 1;
  if (aOne) heap[firstPtr >> 2] = a[0]!;
  if (bOne) heap[secondPtr >> 2] = b[0]!;
  const outPtr = aOne ? secondPtr : firstPtr;
  const outChunk = aOne ? chunks.second : chunks.first;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const m = end - start;
    if (!aOne) heap.set(a.subarray(start, end), firstPtr >> 2);
    if (!bOne) heap.set(b.subarray(start, end), secondPtr >> 2);
    wasm.binaryF32(code, firstPtr, aOne ? 0 : 1, secondPtr, bOne ? 0 : 1, outPtr, m);
    out.set(m === CHUNK ? outChunk : heap.subarray(outPtr >> 2, (outPtr >> 2) + m), start);
  }
  return true;
}

/** out = f(x), chunk by chunk, each in place in module memory; `out` may be `x`. */
function unaryInModule(code: number, x: Float32Array, out: Float32Array): boolean {
  const wasm = instance();
  const chunks = chunkArea(wasm);
  if (!chunks) return false;
  const { heap, firstPtr, first } = chunks;
  const n = x.length;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const m = end - start;
    heap.set(x.subarray(start, end), firstPtr >> 2);
    wasm.unaryF32(code, firstPtr, firstPtr, m);
    out.set(m === CHUNK ? first : heap.subarray(firstPtr >> 2, (firstPtr >> 2) + m), start);
  }
  return true;
}

/** Row sums of x viewed as [outer, len] (float64 accumulation, one rounding per row). */
function rowSumsInModule(x: Float32Array, outer: number, len: number, out: TypedArray): boolean {
  const wasm = instance();
  const chunks = chunkArea(wasm);
  if (!chunks) return false;
  const { heap, firstPtr } = chunks;
  for (let o = 0; o < outer; o++) {
    let sum = 0;
    for (let start = o * len, rowEnd = start + len; start < rowEnd; start += CHUNK) {
      const end = Math.min(rowEnd, start + CHUNK);
      heap.set(x.subarray(start, end), firstPtr >> 2);
      sum += wasm.sumF32(firstPtr, end - start);
    }
    out[o] = sum;
  }
  return true;
}

/** True when every given array is float32 (nulls are skipped). */
function allFloat32(...arrays: (TypedArray | null)[]): boolean {
  return arrays.every((a) => a === null || a instanceof Float32Array);
}

/** The WebAssembly SIMD kernels; anything they do not speed up delegates to `jsKernels`. */
export const simdKernels: Kernels = {
  ...jsKernels,
  name: "wasm",
  /** ~10 ms of work: 2^28 multiply-adds at ~45 GFLOPS on one thread, twice that on a ready pool. */
  get matmulBlockWork(): number {
    return (1 << 28) * poolThreadsReady();
  },

  matmul(a: TypedArray, ao, b: TypedArray, bo, out: TypedArray, oo, m, k, n, transA, transB): void {
    const work = m * k * n;
    if (
      work < MATMUL_MIN_WORK ||
      !(a instanceof Float32Array) ||
      !(b instanceof Float32Array) ||
      !(out instanceof Float32Array)
    ) {
      jsKernels.matmul(a, ao, b, bo, out, oo, m, k, n, transA, transB);
    } else if (work >= POOL_MIN_WORK && matmulPool()?.run(a, ao, b, bo, out, oo, m, k, n, transA, transB)) {
      // done on every core; a pool still starting (or failed) leaves it to the lines below
    } else if (!wasmMatmul(a, ao, b, bo, out, oo, m, k, n, transA, transB)) {
      jsKernels.matmul(a, ao, b, bo, out, oo, m, k, n, transA, transB);
    }
  },

  gelu(x: TypedArray, out, derivative): void {
    if (
      out.length < ELEMENTWISE_MIN_SIZE ||
      !(x instanceof Float32Array) ||
      !(out instanceof Float32Array) ||
      (derivative !== null && !(derivative instanceof Float32Array)) ||
      !geluInModule(x, out, derivative)
    ) {
      jsKernels.gelu(x, out, derivative);
    }
  },

  layerNorm(x: TypedArray, weight, bias, out: TypedArray, mean, rstd, rows, width, eps): void {
    if (
      rows * width < ELEMENTWISE_MIN_SIZE ||
      width % 4 !== 0 ||
      width > CHUNK ||
      !(x instanceof Float32Array) ||
      !(out instanceof Float32Array) ||
      (weight && !(weight instanceof Float32Array)) ||
      (bias && !(bias instanceof Float32Array)) ||
      !layerNormInModule(
        x,
        weight as Float32Array | null,
        bias as Float32Array | null,
        out,
        mean,
        rstd,
        rows,
        width,
        eps,
      )
    ) {
      jsKernels.layerNorm(x, weight, bias, out, mean, rstd, rows, width, eps);
    }
  },

  layerNormBackward(x: TypedArray, g: TypedArray, weight, mean, rstd, dx: TypedArray, dw, db, rows, width): void {
    if (
      rows * width < ELEMENTWISE_MIN_SIZE ||
      width % 4 !== 0 ||
      width > CHUNK ||
      !(x instanceof Float32Array) ||
      !(g instanceof Float32Array) ||
      !(dx instanceof Float32Array) ||
      (weight && !(weight instanceof Float32Array)) ||
      !layerNormBackwardInModule(x, g, weight as Float32Array | null, mean, rstd, dx, dw, db, rows, width)
    ) {
      jsKernels.layerNormBackward(x, g, weight, mean, rstd, dx, dw, db, rows, width);
    }
  },

  adam(p, grad: TypedArray, m, v, c): void {
    if (
      p.length < ELEMENTWISE_MIN_SIZE ||
      !(p instanceof Float32Array) ||
      !(grad instanceof Float32Array) ||
      !(m instanceof Float32Array) ||
      !(v instanceof Float32Array) ||
      grad.length !== p.length ||
      !adamInModule(p, grad, m, v, c)
    ) {
      jsKernels.adam(p, grad, m, v, c);
    }
  },

  attention(
    q: TypedArray,
    k: TypedArray,
    v: TypedArray,
    out: TypedArray,
    weights: TypedArray,
    shape: AttentionShape,
  ): void {
    const { batch, heads, tq, tk, width } = shape;
    if (
      batch * heads * tq * tk * (width / heads) < MATMUL_MIN_WORK ||
      !allFloat32(q, k, v, out, weights) ||
      !attentionInModule(
        q as Float32Array,
        k as Float32Array,
        v as Float32Array,
        out as Float32Array,
        weights as Float32Array,
        shape,
      )
    ) {
      jsKernels.attention(q, k, v, out, weights, shape);
    }
  },

  attentionBackward(
    q: TypedArray,
    k: TypedArray,
    v: TypedArray,
    g: TypedArray,
    weights: TypedArray,
    dq,
    dk,
    dv,
    shape: AttentionShape,
  ): void {
    const { batch, heads, tq, tk, width } = shape;
    if (
      batch * heads * tq * tk * (width / heads) < MATMUL_MIN_WORK ||
      !allFloat32(q, k, v, g, weights, dq, dk, dv) ||
      !attentionBackwardInModule(
        q as Float32Array,
        k as Float32Array,
        v as Float32Array,
        g as Float32Array,
        weights as Float32Array,
        dq as Float32Array | null,
        dk as Float32Array | null,
        dv as Float32Array | null,
        shape,
      )
    ) {
      jsKernels.attentionBackward(q, k, v, g, weights, dq, dk, dv, shape);
    }
  },

  matmulBatch(a: BatchMatrix, b: BatchMatrix, c: BatchMatrix, outer, inner, m, k, n): void {
    if (
      outer * inner * m * k * n < MATMUL_MIN_WORK ||
      outer * inner * m * n === 0 ||
      c.col !== 1 ||
      !(a.data instanceof Float32Array) ||
      !(b.data instanceof Float32Array) ||
      !(c.data instanceof Float32Array) ||
      [a.outer, a.inner, a.row, a.col, b.outer, b.inner, b.row, b.col, c.outer, c.inner, c.row].some((s) => s < 0) ||
      !matmulBatchInModule(a, b, c, outer, inner, m, k, n)
    ) {
      jsKernels.matmulBatch(a, b, c, outer, inner, m, k, n);
    }
  },

  binary(op: BinaryOp, a: TypedArray, aStrides, b: TypedArray, bStrides, out: TypedArray, shape): void {
    const code = BINARY_CODES[op];
    const n = out.length;
    if (
      code === undefined ||
      n < ELEMENTWISE_MIN_SIZE ||
      !(a instanceof Float32Array) ||
      !(b instanceof Float32Array) ||
      !(out instanceof Float32Array) ||
      (a.length !== n && a.length !== 1) ||
      (b.length !== n && b.length !== 1) ||
      !binaryInModule(code, a, b, out)
    ) {
      jsKernels.binary(op, a, aStrides, b, bStrides, out, shape);
    }
  },

  unary(op: UnaryOp, x: TypedArray, out: TypedArray, p0, p1): void {
    const code = UNARY_CODES[op];
    if (
      code === undefined ||
      x.length < ELEMENTWISE_MIN_SIZE ||
      !(x instanceof Float32Array) ||
      !(out instanceof Float32Array) ||
      !unaryInModule(code, x, out)
    ) {
      jsKernels.unary(op, x, out, p0, p1);
    }
  },

  reduce(op: ReduceOp, x: TypedArray, outer, len, inner, out: TypedArray): void {
    if (
      op !== "sum" ||
      inner !== 1 ||
      len < ELEMENTWISE_MIN_SIZE ||
      !(x instanceof Float32Array) ||
      !rowSumsInModule(x, outer, len, out)
    ) {
      jsKernels.reduce(op, x, outer, len, inner, out);
    }
  },
};
