// The plain TypeScript matrix product (the reference the WebAssembly kernels are tested
// against): register-blocked loops over typed arrays, transposes read through strides.
import type { BatchMatrix, TypedArray } from "./types.js";

/** out[oo..] = op(A) @ op(B), the `Kernels.matmul` contract (see types.ts). */
export function matmulJs(
  a: TypedArray,
  ao: number,
  b: TypedArray,
  bo: number,
  out: TypedArray,
  oo: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): void {
  // Element A[i][p] sits at ao + i·rowStride + p·kStride, stored either way round.
  const rowStride = transA ? 1 : k;
  const kStride = transA ? m : 1;
  if (!transB) rowTimesMatrix(a, ao, rowStride, kStride, b, bo, out, oo, m, k, n);
  else rowDotRows(a, ao, rowStride, kStride, b, bo, out, oo, m, k, n);
}

/**
 * The `Kernels.matmulBatch` contract: each product's operands gathered into contiguous blocks
 * (typed like C), multiplied by `matmulJs`, and C's block scattered back.
 */
export function matmulBatchJs(
  a: BatchMatrix,
  b: BatchMatrix,
  c: BatchMatrix,
  outer: number,
  inner: number,
  m: number,
  k: number,
  n: number,
): void {
  const make = (size: number): TypedArray =>
    c.data instanceof Float64Array
      ? new Float64Array(size)
      : c.data instanceof Int32Array
        ? new Int32Array(size)
        : new Float32Array(size);
  const blockA = make(m * k),
    blockB = make(k * n),
    blockC = make(m * n);
  const gather = (x: BatchMatrix, at: number, rows: number, cols: number, dst: TypedArray): void => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) dst[i * cols + j] = x.data[at + i * x.row + j * x.col]!;
    }
  };
  for (let o = 0; o < outer; o++) {
    for (let h = 0; h < inner; h++) {
      gather(a, a.offset + o * a.outer + h * a.inner, m, k, blockA);
      gather(b, b.offset + o * b.outer + h * b.inner, k, n, blockB);
      matmulJs(blockA, 0, blockB, 0, blockC, 0, m, k, n, false, false);
      const at = c.offset + o * c.outer + h * c.inner;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) c.data[at + i * c.row + j * c.col] = blockC[i * n + j]!;
      }
    }
  }
}

/**
 * out = A @ B with B stored k×n: the i-k-j order streams rows of B and out (cache friendly), four
 * rows of A and two steps of k at a time so each loaded B element is used eight times.
 */
function rowTimesMatrix(
  a: TypedArray,
  ao: number,
  rs: number,
  ks: number,
  b: TypedArray,
  bo: number,
  out: TypedArray,
  oo: number,
  m: number,
  k: number,
  n: number,
): void {
  out.fill(0, oo, oo + m * n);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const o0 = oo + i * n,
      o1 = o0 + n,
      o2 = o1 + n,
      o3 = o2 + n;
    const a0 = ao + i * rs,
      a1 = a0 + rs,
      a2 = a1 + rs,
      a3 = a2 + rs;
    let p = 0;
    for (; p + 1 < k; p += 2) {
      const q = p * ks,
        r = q + ks;
      const x0 = a[a0 + q]!,
        x1 = a[a1 + q]!,
        x2 = a[a2 + q]!,
        x3 = a[a3 + q]!;
      const y0 = a[a0 + r]!,
        y1 = a[a1 + r]!,
        y2 = a[a2 + r]!,
        y3 = a[a3 + r]!;
      const b0 = bo + p * n,
        b1 = b0 + n;
      for (let j = 0; j < n; j++) {
        const u = b[b0 + j]!,
          v = b[b1 + j]!;
        out[o0 + j]! += x0 * u + y0 * v;
        out[o1 + j]! += x1 * u + y1 * v;
        out[o2 + j]! += x2 * u + y2 * v;
        out[o3 + j]! += x3 * u + y3 * v;
      }
    }
    if (p < k) {
      const q = p * ks;
      const x0 = a[a0 + q]!,
        x1 = a[a1 + q]!,
        x2 = a[a2 + q]!,
        x3 = a[a3 + q]!;
      const b0 = bo + p * n;
      for (let j = 0; j < n; j++) {
        const u = b[b0 + j]!;
        out[o0 + j]! += x0 * u;
        out[o1 + j]! += x1 * u;
        out[o2 + j]! += x2 * u;
        out[o3 + j]! += x3 * u;
      }
    }
  }
  // Leftover rows pair the k-steps the same way, so a row's result never depends on its group.
  for (; i < m; i++) {
    const o = oo + i * n;
    const ai = ao + i * rs;
    let p = 0;
    for (; p + 1 < k; p += 2) {
      const x = a[ai + p * ks]!,
        y = a[ai + (p + 1) * ks]!;
      const b0 = bo + p * n,
        b1 = b0 + n;
      for (let j = 0; j < n; j++) out[o + j]! += x * b[b0 + j]! + y * b[b1 + j]!;
    }
    if (p < k) {
      const x = a[ai + p * ks]!;
      const b0 = bo + p * n;
      for (let j = 0; j < n; j++) out[o + j]! += x * b[b0 + j]!;
    }
  }
}

/**
 * out = A @ Bᵀ with B stored n×k: dot products of rows, four columns of out at a time; columns
 * left over (all of them when n < 4, e.g. a layer with one output) four rows at a time, so
 * there are always four independent sums in flight. Each sum runs over p in order either way.
 */
function rowDotRows(
  a: TypedArray,
  ao: number,
  rs: number,
  ks: number,
  b: TypedArray,
  bo: number,
  out: TypedArray,
  oo: number,
  m: number,
  k: number,
  n: number,
): void {
  const blocked = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const ai = ao + i * rs;
    const o = oo + i * n;
    for (let j = 0; j < blocked; j += 4) {
      const b0 = bo + j * k,
        b1 = b0 + k,
        b2 = b1 + k,
        b3 = b2 + k;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[ai + p * ks]!;
        s0 += x * b[b0 + p]!;
        s1 += x * b[b1 + p]!;
        s2 += x * b[b2 + p]!;
        s3 += x * b[b3 + p]!;
      }
      out[o + j] = s0;
      out[o + j + 1] = s1;
      out[o + j + 2] = s2;
      out[o + j + 3] = s3;
    }
  }
  if (blocked === n) return;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const a0 = ao + i * rs,
      a1 = a0 + rs,
      a2 = a1 + rs,
      a3 = a2 + rs;
    const o0 = oo + i * n,
      o1 = o0 + n,
      o2 = o1 + n,
      o3 = o2 + n;
    for (let j = blocked; j < n; j++) {
      const bj = bo + j * k;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let p = 0; p < k; p++) {
        const y = b[bj + p]!;
        const q = p * ks;
        s0 += a[a0 + q]! * y;
        s1 += a[a1 + q]! * y;
        s2 += a[a2 + q]! * y;
        s3 += a[a3 + q]! * y;
      }
      out[o0 + j] = s0;
      out[o1 + j] = s1;
      out[o2 + j] = s2;
      out[o3 + j] = s3;
    }
  }
  for (; i < m; i++) {
    const ai = ao + i * rs;
    const o = oo + i * n;
    for (let j = blocked; j < n; j++) {
      const bj = bo + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * ks]! * b[bj + p]!;
      out[o + j] = s;
    }
  }
}
