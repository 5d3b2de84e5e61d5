// Storage without the zero fill is only sound because the kernels whose outputs use it
// (elementwise, select, strided copies) write every output element: checked here by running each
// into two outputs holding different stale values, which must come out identical, in every
// layout and on both kernel implementations.
import { describe, expect, test } from "vitest";
import { type BinaryOp, jsKernels, type Kernels, simdKernels, type UnaryOp } from "../../engine/kernels/index.js";
import { RandomGenerator } from "../../engine/random.js";
import { allocateUnfilled, isScratch, UNFILLED_MIN_BYTES } from "../../engine/storage.js";

const gen = new RandomGenerator(11);
const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => gen.uniform(-2, 2));

const UNARY: UnaryOp[] = [
  "neg",
  "abs",
  "sign",
  "exp",
  "log",
  "sqrt",
  "square",
  "reciprocal",
  "relu",
  "sigmoid",
  "tanh",
  "erf",
  "gelu",
  "geluTanh",
  "geluGrad",
  "geluTanhGrad",
  "leakyRelu",
  "leakyReluGrad",
  "clamp",
  "clampMask",
  "powScalar",
  "affine",
];
const BINARY: BinaryOp[] = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "reluGrad",
];

/** Runs `kernel` into an output pre-filled with `stale`. */
function runInto(stale: number, n: number, kernel: (out: Float32Array) => void): Float32Array {
  const out = new Float32Array(n).fill(stale);
  kernel(out);
  return out;
}

describe.each(
  [jsKernels, simdKernels].map((k) => [k.name, k] as const),
)("kernels %s write every output element", (_name, K: Kernels) => {
  const rows = 7,
    cols = 1433; // 10031 elements: above the WebAssembly threshold and one chunk
  const n = rows * cols;

  test.each(UNARY)("unary %s", (op) => {
    const x = randomF32(n);
    const run = (out: Float32Array): void => K.unary(op, x, out, 0.5, 1.5);
    expect(runInto(7, n, run)).toEqual(runInto(-3, n, run));
  });

  test.each(BINARY)("binary %s: same layout, either side a single value, a row broadcast down a matrix", (op) => {
    const a = randomF32(n);
    const b = randomF32(n);
    const one = Float32Array.of(0.75);
    const row = randomF32(cols);
    const layouts: [Float32Array, number[], Float32Array, number[], number[]][] = [
      [a, [1], b, [1], [n]],
      [a, [1], one, [0], [n]],
      [one, [0], b, [1], [n]],
      [a, [cols, 1], row, [0, 1], [rows, cols]],
    ];
    for (const [x, xs, y, ys, shape] of layouts) {
      const run = (out: Float32Array): void => K.binary(op, x, xs, y, ys, out, shape);
      expect(runInto(7, n, run)).toEqual(runInto(-3, n, run));
    }
  });

  test("select and strided copies (transpose, broadcast down a matrix)", () => {
    const cond = Float32Array.from({ length: n }, (_, i) => i % 3);
    const a = randomF32(n);
    const row = randomF32(cols);
    const select = (out: Float32Array): void => K.select(cond, [cols, 1], a, [cols, 1], row, [0, 1], out, [rows, cols]);
    expect(runInto(7, n, select)).toEqual(runInto(-3, n, select));
    const matrix = randomF32(64 * 97); // a transpose big enough for the tiled copy, ragged edges
    const transpose = (out: Float32Array): void => K.copyStrided(matrix, 0, [1, 97], [97, 64], out);
    expect(runInto(7, 64 * 97, transpose)).toEqual(runInto(-3, 64 * 97, transpose));
    const broadcast = (out: Float32Array): void => K.copyStrided(row, 0, [0, 1], [rows, cols], out);
    expect(runInto(7, n, broadcast)).toEqual(runInto(-3, n, broadcast));
  });
});

describe("allocateUnfilled", () => {
  test("large arrays of each dtype get their own exactly-sized buffer; small ones are zeroed", () => {
    for (const [dtype, Type] of [
      ["float32", Float32Array],
      ["float64", Float64Array],
      ["int32", Int32Array],
    ] as const) {
      const big = allocateUnfilled(dtype, UNFILLED_MIN_BYTES);
      expect(big).toBeInstanceOf(Type);
      expect(big.length).toBe(UNFILLED_MIN_BYTES);
      expect(big.byteOffset).toBe(0);
      expect(isScratch(big)).toBe(false);
      const small = allocateUnfilled(dtype, 5);
      expect(small).toBeInstanceOf(Type);
      expect([...small]).toEqual([0, 0, 0, 0, 0]);
    }
  });
});

// The products, GELU and Adam's neighbours that ops give unfilled outputs to: every element
// written, whatever the output held before.
describe.each(
  [jsKernels, simdKernels].map((k) => [k.name, k] as const),
)("kernels %s: products and GELU write every output element", (_name, K: Kernels) => {
  test.each([
    [37, 29, 41],
    [3, 0, 5],
    [64, 64, 64],
  ])("matmul %i×%i·%i-wide, every transpose variant", (m, k, n) => {
    const a = randomF32(m * k);
    const b = randomF32(k * n);
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const run = (out: Float32Array): void => K.matmul(a, 0, b, 0, out, 0, m, k, n, transA, transB);
        expect(runInto(7, m * n, run)).toEqual(runInto(-3, m * n, run));
      }
    }
  });

  test("matmulBatch over attention's layout (heads of [batch, t, width] into [batch, heads, t, t])", () => {
    const [batch, heads, t, d] = [3, 4, 9, 8];
    const q = randomF32(batch * t * heads * d);
    const run = (out: Float32Array): void =>
      K.matmulBatch(
        { data: q, offset: 0, outer: t * heads * d, inner: d, row: heads * d, col: 1 },
        { data: q, offset: 0, outer: t * heads * d, inner: d, row: 1, col: heads * d },
        { data: out, offset: 0, outer: heads * t * t, inner: t * t, row: t, col: 1 },
        batch,
        heads,
        t,
        d,
        t,
      );
    expect(runInto(7, batch * heads * t * t, run)).toEqual(runInto(-3, batch * heads * t * t, run));
  });

  test("gelu with its derivative", () => {
    const n = 10031;
    const x = randomF32(n);
    const derivatives: Float32Array[] = [];
    const run =
      (stale: number) =>
      (out: Float32Array): void => {
        const derivative = new Float32Array(n).fill(stale);
        K.gelu(x, out, derivative);
        derivatives.push(derivative);
      };
    expect(runInto(7, n, run(7))).toEqual(runInto(-3, n, run(-3)));
    expect(derivatives[0]).toEqual(derivatives[1]);
  });
});
