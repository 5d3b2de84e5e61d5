// Batched strided products (`Kernels.matmulBatch`), the kernel behind attention's per-head
// products: WebAssembly against a float64 reference and the TypeScript kernel, with heads read
// out of [batch, time, features], transposed operands, offsets, and a C whose blocks leave gaps
// (which must keep their values).
import { describe, expect, test } from "vitest";
import type { BatchMatrix } from "../../engine/kernels/index.js";
import { jsKernels } from "../../engine/kernels/index.js";
import { hasWasmSimd, simdKernels } from "../../engine/kernels/simd.js";
import { RandomGenerator } from "../../engine/random.js";

const gen = new RandomGenerator(5);
const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => gen.uniform(-1, 1));

/** C(o,h) = A(o,h)·B(o,h) in float64, written at C's strides into a copy of `c.data`. */
function reference(
  a: BatchMatrix,
  b: BatchMatrix,
  c: BatchMatrix,
  outer: number,
  inner: number,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const out = Float64Array.from(c.data);
  for (let o = 0; o < outer; o++) {
    for (let h = 0; h < inner; h++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) {
            s +=
              a.data[a.offset + o * a.outer + h * a.inner + i * a.row + p * a.col]! *
              b.data[b.offset + o * b.outer + h * b.inner + p * b.row + j * b.col]!;
          }
          out[c.offset + o * c.outer + h * c.inner + i * c.row + j] = s;
        }
      }
    }
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: Float64Array, k: number): void {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(k * 2 ** -22);
}

describe.runIf(hasWasmSimd())("batched strided matmul", () => {
  // [batch, time, heads·d] like a projection's output; d and t around the 4×8 tiles.
  test.each([
    [2, 3, 7, 5],
    [3, 4, 32, 16],
    [2, 2, 33, 9],
  ])("batch %i, %i heads, t %i, d %i: scores, weighted sums and their gradients' shapes", (batch, heads, t, d) => {
    const width = heads * d;
    const q = randomF32(batch * t * width + 3);
    const k = randomF32(batch * t * width);
    const head = (data: Float32Array, offset = 0, transposed = false): BatchMatrix => ({
      data,
      offset,
      outer: t * width,
      inner: d,
      row: transposed ? 1 : width,
      col: transposed ? width : 1,
    });
    const weights = (data: Float32Array, transposed = false): BatchMatrix => ({
      data,
      offset: 0,
      outer: heads * t * t,
      inner: t * t,
      row: transposed ? 1 : t,
      col: transposed ? t : 1,
    });

    // Q Kᵀ into contiguous [batch, heads, t, t] (q read from offset 3)
    const scoresFast = new Float32Array(batch * heads * t * t).fill(9);
    const scoresPlain = new Float32Array(batch * heads * t * t);
    const ref = reference(head(q, 3), head(k, 0, true), weights(scoresPlain), batch, heads, t, d, t);
    simdKernels.matmulBatch(head(q, 3), head(k, 0, true), weights(scoresFast), batch, heads, t, d, t);
    jsKernels.matmulBatch(head(q, 3), head(k, 0, true), weights(scoresPlain), batch, heads, t, d, t);
    expectClose(scoresFast, ref, d);
    expectClose(scoresPlain, ref, d);

    // Pᵀ V written back into head slices of [batch, t, width]
    const outFast = new Float32Array(batch * t * width);
    const outPlain = new Float32Array(batch * t * width);
    const ref2 = reference(weights(scoresFast, true), head(k), head(outPlain), batch, heads, t, t, d);
    simdKernels.matmulBatch(weights(scoresFast, true), head(k), head(outFast), batch, heads, t, t, d);
    jsKernels.matmulBatch(weights(scoresFast, true), head(k), head(outPlain), batch, heads, t, t, d);
    expectClose(outFast, ref2, t);
    expectClose(outPlain, ref2, t);
  });

  test("blocks that leave gaps in C write only their own elements", () => {
    // 3 products of 20×16 · 16×12 (enough work for the WebAssembly path) into rows 13 apart and
    // products 267 apart: gaps everywhere.
    const a: BatchMatrix = { data: randomF32(3 * 320), offset: 0, outer: 320, inner: 0, row: 16, col: 1 };
    const b: BatchMatrix = { data: randomF32(16 * 12), offset: 0, outer: 0, inner: 0, row: 12, col: 1 };
    const fast: BatchMatrix = {
      data: new Float32Array(800).fill(-5),
      offset: 2,
      outer: 267,
      inner: 0,
      row: 13,
      col: 1,
    };
    const plain: BatchMatrix = { ...fast, data: new Float32Array(800).fill(-5) };
    const ref = reference(a, b, fast, 3, 1, 20, 16, 12);
    simdKernels.matmulBatch(a, b, fast, 3, 1, 20, 16, 12);
    jsKernels.matmulBatch(a, b, plain, 3, 1, 20, 16, 12);
    expectClose(fast.data, ref, 16);
    expectClose(plain.data, ref, 16);
    expect([fast.data[0], fast.data[2 + 12], fast.data[2 + 267 - 1], fast.data[799]]).toEqual([-5, -5, -5, -5]);
  });
});
