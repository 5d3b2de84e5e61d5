// The hot-loop kernels against naive loops written out here. A faster implementation (e.g.
// WebAssembly) is added to IMPLEMENTATIONS and must agree with the same references.
import { describe, expect, test } from "vitest";
import { jsKernels, type Kernels, simdKernels } from "../../engine/kernels/index.js";
import { RandomGenerator } from "../../engine/random.js";

const IMPLEMENTATIONS: Kernels[] = [jsKernels, simdKernels];
const gen = new RandomGenerator(99);
const randomArray = (n: number): Float64Array => Float64Array.from({ length: n }, () => gen.uniform(-1, 1));

function naiveMatmul(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += (transA ? a[p * m + i]! : a[i * k + p]!) * (transB ? b[j * k + p]! : b[p * n + j]!);
      out[i * n + j] = s;
    }
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(tol);
}

describe.each(IMPLEMENTATIONS.map((k) => [k.name, k] as const))("kernels: %s", (_name, K) => {
  // Sizes around the 4-row / 4-column / 2-step blocking, so every remainder path runs.
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 2],
    [4, 4, 4],
    [5, 7, 9],
    [9, 1, 6],
    [8, 3, 13],
    [2, 0, 3],
  ];
  test.each(sizes)("matmul %i×%i @ %i-wide, all transpose combinations, at offsets", (m, k, n) => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = randomArray(m * k + 3);
        const b = randomArray(k * n + 5);
        const out = new Float64Array(m * n + 2).fill(7); // stale values must be overwritten
        K.matmul(a, 3, b, 5, out, 2, m, k, n, transA, transB);
        expectClose(out.subarray(2), naiveMatmul(a.subarray(3), b.subarray(5), m, k, n, transA, transB));
        expect(out[0]).toBe(7);
      }
    }
  });

  test("each row of a product is the same whether computed with others or alone (float32, A @ Bᵀ and A @ B)", () => {
    for (const n of [1, 2, 3, 5]) {
      for (const transB of [false, true]) {
        const [m, k] = [9, 10];
        const a = Float32Array.from(randomArray(m * k));
        const b = Float32Array.from(randomArray(k * n));
        const all = new Float32Array(m * n);
        K.matmul(a, 0, b, 0, all, 0, m, k, n, false, transB);
        for (let i = 0; i < m; i++) {
          const row = new Float32Array(n);
          K.matmul(a, i * k, b, 0, row, 0, 1, k, n, false, transB);
          expect(Array.from(row), `n=${n} transB=${transB} row ${i}`).toEqual(
            Array.from(all.subarray(i * n, i * n + n)),
          );
        }
      }
    }
  });

  test("binary broadcasting [2,3,4] + [3,1] and [4] * [2,1,1]", () => {
    const a = randomArray(24);
    const b = randomArray(3);
    const out = new Float64Array(24);
    K.binary("add", a, [12, 4, 1], b, [0, 1, 0], out, [2, 3, 4]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (let l = 0; l < 4; l++) {
          expect(out[i * 12 + j * 4 + l]).toBe(a[i * 12 + j * 4 + l]! + b[j]!);
        }
    const c = randomArray(4);
    const d = randomArray(2);
    K.binary("mul", c, [0, 0, 1], d, [1, 0, 0], out, [2, 3, 4]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (let l = 0; l < 4; l++) {
          expect(out[i * 12 + j * 4 + l]).toBe(c[l]! * d[i]!);
        }
  });

  test("reductions over the middle axis of [outer, len, inner]", () => {
    const x = randomArray(2 * 5 * 3);
    const sums = new Float64Array(6);
    const maxes = new Float64Array(6);
    const arg = new Int32Array(6);
    K.reduce("sum", x, 2, 5, 3, sums);
    K.reduce("max", x, 2, 5, 3, maxes);
    K.argReduce("min", x, 2, 5, 3, arg);
    for (let o = 0; o < 2; o++)
      for (let i = 0; i < 3; i++) {
        const column = Array.from({ length: 5 }, (_, r) => x[(o * 5 + r) * 3 + i]!);
        expect(sums[o * 3 + i]).toBeCloseTo(
          column.reduce((p, v) => p + v, 0),
          12,
        );
        expect(maxes[o * 3 + i]).toBe(Math.max(...column));
        expect(arg[o * 3 + i]).toBe(column.indexOf(Math.min(...column)));
      }
  });

  test("copyStrided reads a transposed view; addStrided sums broadcast dims", () => {
    const x = Float64Array.from({ length: 6 }, (_, i) => i); // [2,3]
    const t = new Float64Array(6);
    K.copyStrided(x, 0, [1, 3], [3, 2], t);
    expect([...t]).toEqual([0, 3, 1, 4, 2, 5]);
    const colSums = new Float64Array(3);
    K.addStrided(x, [2, 3], colSums, 0, [0, 1]);
    expect([...colSums]).toEqual([3, 5, 7]);
  });

  test("copyStrided transposes big matrices (tiled path) from an offset, edges included", () => {
    for (const [rows, cols] of [
      [70, 45],
      [32, 32],
      [33, 100],
    ] as const) {
      const x = Float32Array.from({ length: rows * cols + 3 }, (_, i) => i);
      const t = new Float32Array(rows * cols);
      K.copyStrided(x, 3, [1, cols], [cols, rows], t); // x[3..] is rows×cols; t is its transpose
      for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) expect(t[i * rows + j]).toBe(x[3 + j * cols + i]);
    }
  });

  test("select picks by a broadcast condition", () => {
    const out = new Float64Array(4);
    K.select(
      new Float64Array([1, 0]),
      [1, 0],
      new Float64Array([1, 2, 3, 4]),
      [2, 1],
      new Float64Array([-1]),
      [0, 0],
      out,
      [2, 2],
    );
    expect([...out]).toEqual([1, 2, -1, -1]);
  });
});
