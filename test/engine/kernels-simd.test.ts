// The WebAssembly SIMD kernels against a float64 reference and against the TypeScript kernels:
// equal within float32 rounding on odd sizes around every blocking edge (4-row and 8-column
// micro-tiles, 256-deep and 96-row and 1024-column packed panels), all transpose variants, offsets.
import { describe, expect, test } from "vitest";
import type { BinaryOp, UnaryOp } from "../../engine/kernels/index.js";
import { jsKernels, usesFma } from "../../engine/kernels/index.js";
import {
  CHUNK,
  ELEMENTWISE_MIN_SIZE,
  hasWasmSimd,
  KEEP_MEMORY_BYTES,
  simdKernels,
  simdMemoryBytes,
  wasmMatmul,
} from "../../engine/kernels/simd.js";
import { RandomGenerator } from "../../engine/random.js";

const gen = new RandomGenerator(7);
const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => gen.uniform(-1, 1));
const EPS32 = 2 ** -24;

/** Exact-ish product in float64 and, per element, Σ|a||b| (the scale of its rounding error). */
function reference(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): { value: Float64Array; scale: Float64Array } {
  const value = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0,
        t = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[ao + p * m + i]! : a[ao + i * k + p]!;
        const y = transB ? b[bo + j * k + p]! : b[bo + p * n + j]!;
        s += x * y;
        t += Math.abs(x * y);
      }
      value[i * n + j] = s;
      scale[i * n + j] = t;
    }
  }
  return { value, scale };
}

/** Float32 summation of k products errs by at most about k·ε·Σ|a||b| (plus the final rounding). */
function expectWithinRounding(
  actual: Float32Array,
  offset: number,
  ref: { value: Float64Array; scale: Float64Array },
  k: number,
): void {
  let worst = 0;
  for (let i = 0; i < ref.value.length; i++) {
    const bound = (k + 2) * EPS32 * ref.scale[i]! + 1e-30;
    worst = Math.max(worst, Math.abs(actual[offset + i]! - ref.value[i]!) / bound);
  }
  expect(worst).toBeLessThanOrEqual(1);
}

describe.runIf(hasWasmSimd())("WebAssembly SIMD matmul", () => {
  // m around the 4-row tile and 96-row block, k around the 256-deep panel, n around 8 and 1024.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 8],
    [5, 9, 17],
    [13, 255, 9],
    [4, 256, 8],
    [7, 257, 15],
    [97, 33, 31],
    [100, 513, 3],
    [2, 3, 1030],
    [33, 17, 1025],
    [96, 64, 1024],
  ];
  test.each(shapes)("%i×%i @ %i-wide, all transpose variants, at offsets, within float32 rounding", (m, k, n) => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = randomF32(m * k + 3);
        const b = randomF32(k * n + 5);
        const ref = reference(a, 3, b, 5, m, k, n, transA, transB);
        const out = new Float32Array(m * n + 4).fill(7); // stale values must be overwritten
        wasmMatmul(a, 3, b, 5, out, 2, m, k, n, transA, transB);
        expectWithinRounding(out, 2, ref, k);
        expect([out[0], out[1], out[m * n + 2], out[m * n + 3]]).toEqual([7, 7, 7, 7]);
        const js = new Float32Array(m * n);
        jsKernels.matmul(a, 3, b, 5, js, 0, m, k, n, transA, transB);
        expectWithinRounding(js, 0, ref, k); // the two implementations agree through the same bound
      }
    }
  });

  test("the fused multiply-add build runs wherever the engine has relaxed SIMD, unless TSGRAD_FMA=0", () => {
    // Node 20 (V8 11.3) has it behind a flag the engine turns on; V8 11.4 and later ship it.
    const v8Major = Number(process.versions.v8.split(".")[0]);
    expect(usesFma()).toBe(v8Major >= 11 && process.env.TSGRAD_FMA !== "0");
  });

  test("k = 0 gives zeros; repeated calls reuse the module's memory", () => {
    const out = new Float32Array(6).fill(3);
    wasmMatmul(new Float32Array(0), 0, new Float32Array(0), 0, out, 0, 2, 0, 3, false, false);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0]);
    const a = randomF32(64 * 64);
    const first = new Float32Array(64 * 64);
    const second = new Float32Array(64 * 64);
    wasmMatmul(a, 0, a, 0, first, 0, 64, 64, 64, false, true);
    wasmMatmul(
      randomF32(300 * 300),
      0,
      randomF32(300 * 300),
      0,
      new Float32Array(300 * 300),
      0,
      300,
      300,
      300,
      true,
      false,
    );
    wasmMatmul(a, 0, a, 0, second, 0, 64, 64, 64, false, true);
    expect(second).toEqual(first);
  });

  test("float64 and int32 products, and small ones, take the TypeScript path unchanged", () => {
    const a = Float64Array.from({ length: 40 * 40 }, (_, i) => (i % 7) - 3);
    const viaSimd = new Float64Array(40 * 40);
    const viaJs = new Float64Array(40 * 40);
    simdKernels.matmul(a, 0, a, 0, viaSimd, 0, 40, 40, 40, false, false);
    jsKernels.matmul(a, 0, a, 0, viaJs, 0, 40, 40, 40, false, false);
    expect(viaSimd).toEqual(viaJs);
  });
});

/** Random float32 values with the awkward ones sprinkled in: NaN, ±0, ±∞, a subnormal. */
function withSpecials(n: number): Float32Array {
  const x = randomF32(n);
  const specials = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -3];
  for (let i = 0; i < specials.length; i++) x[(i * 613) % n] = specials[i]!;
  return x;
}

describe.runIf(hasWasmSimd())("WebAssembly SIMD elementwise and sums", () => {
  // Odd lengths exercise the scalar tail after the 4-lane loop.
  const sizes = [ELEMENTWISE_MIN_SIZE, ELEMENTWISE_MIN_SIZE + 3, 10_001];

  test.each(
    sizes,
  )("binary add/sub/mul/div/reluGrad of %i elements, also against one value, bit-identical to JS", (n) => {
    for (const op of ["add", "sub", "mul", "div", "reluGrad"] as BinaryOp[]) {
      const a = withSpecials(n);
      const b = withSpecials(n).reverse();
      for (const [x, y] of [
        [a, b],
        [a, Float32Array.of(0.3)],
        [Float32Array.of(-2.5), b],
      ] as const) {
        const fast = new Float32Array(n).fill(9);
        const plain = new Float32Array(n);
        simdKernels.binary(op, x, [x.length === 1 ? 0 : 1], y, [y.length === 1 ? 0 : 1], fast, [n]);
        jsKernels.binary(op, x, [x.length === 1 ? 0 : 1], y, [y.length === 1 ? 0 : 1], plain, [n]);
        expect(fast).toEqual(plain);
      }
    }
  });

  test.each(
    sizes,
  )("unary neg/abs/sqrt/square/relu of %i elements (NaN, −0 included), bit-identical, in place too", (n) => {
    for (const op of ["neg", "abs", "sqrt", "square", "relu"] as UnaryOp[]) {
      const x = withSpecials(n);
      const plain = new Float32Array(n);
      jsKernels.unary(op, x, plain, 0, 0);
      const fast = new Float32Array(n);
      simdKernels.unary(op, x, fast, 0, 0);
      expect(fast).toEqual(plain);
      simdKernels.unary(op, x, x, 0, 0);
      expect(x).toEqual(plain);
    }
    const relu = new Float32Array(n);
    simdKernels.unary(
      "relu",
      Float32Array.from({ length: n }, (_, i) => (i % 2 ? -0 : -1)),
      relu,
      0,
      0,
    );
    expect(Object.is(relu[1], -0) && relu[0] === 0).toBe(true); // −0 passes through, like JS's v < 0 ? 0 : v
  });

  test.each(sizes)("row sums of [3, %i] within float32 rounding of the JS kernel", (len) => {
    const x = randomF32(3 * len);
    const fast = new Float32Array(3);
    const plain = new Float32Array(3);
    simdKernels.reduce("sum", x, 3, len, 1, fast);
    jsKernels.reduce("sum", x, 3, len, 1, plain);
    for (let o = 0; o < 3; o++) {
      let scale = 0;
      for (let i = 0; i < len; i++) scale += Math.abs(x[o * len + i]!);
      expect(Math.abs(fast[o]! - plain[o]!)).toBeLessThanOrEqual(Math.abs(plain[o]!) * 2 * EPS32 + scale * 1e-15);
    }
  });
});

test.runIf(hasWasmSimd())("elementwise ops of any size run in the same two chunks of module memory", () => {
  const n = 3 * CHUNK + 5; // full chunks, then a short one
  simdKernels.binary(
    "add",
    randomF32(ELEMENTWISE_MIN_SIZE),
    [1],
    randomF32(ELEMENTWISE_MIN_SIZE),
    [1],
    new Float32Array(ELEMENTWISE_MIN_SIZE),
    [ELEMENTWISE_MIN_SIZE],
  );
  const before = simdMemoryBytes();
  const a = Float32Array.from({ length: 40 * n }, (_, i) => i % 1000);
  const b = Float32Array.from({ length: 40 * n }, (_, i) => (i % 7) - 3);
  const fast = new Float32Array(40 * n);
  simdKernels.binary("mul", a, [1], b, [1], fast, [40 * n]);
  simdKernels.unary("neg", fast, fast, 0, 0);
  const sums = new Float32Array(40);
  simdKernels.reduce("sum", a, 40, n, 1, sums);
  expect(simdMemoryBytes()).toBe(before);
  const plain = new Float32Array(40 * n);
  jsKernels.binary("mul", a, [1], b, [1], plain, [40 * n]);
  jsKernels.unary("neg", plain, plain, 0, 0);
  expect(fast.findIndex((v, i) => v !== plain[i])).toBe(-1); // toEqual takes minutes on 1M elements
  const plainSums = new Float32Array(40);
  jsKernels.reduce("sum", a, 40, n, 1, plainSums);
  expect(sums).toEqual(plainSums); // integer-valued sums below 2^53: exact in either order
});

test.runIf(hasWasmSimd())("a product bigger than the kept memory runs, then its memory is dropped", () => {
  const k = Math.ceil(KEEP_MEMORY_BYTES / 4 / 3) + 5; // a (1×k) and b (k×2) together exceed the limit
  const a = Float32Array.from({ length: k }, (_, i) => (i % 5) - 2);
  const b = Float32Array.from({ length: 2 * k }, (_, i) => (i % 3) - 1);
  const fast = new Float32Array(2);
  expect(wasmMatmul(a, 0, b, 0, fast, 0, 1, k, 2, false, false)).toBe(true);
  expect(simdMemoryBytes()).toBe(0);
  const plain = new Float32Array(2);
  jsKernels.matmul(a, 0, b, 0, plain, 0, 1, k, 2, false, false);
  expect(fast).toEqual(plain); // small integers: exact in any order
  wasmMatmul(a, 0, b, 0, fast, 0, 1, 1000, 2, false, false);
  expect(simdMemoryBytes()).toBeGreaterThan(0);
  expect(simdMemoryBytes()).toBeLessThanOrEqual(KEEP_MEMORY_BYTES);
});

test("TSGRAD_KERNELS picks the implementation; the default is WebAssembly where SIMD validates", async () => {
  const { kernels } = await import("../../engine/kernels/index.js");
  const requested = process.env.TSGRAD_KERNELS;
  expect(kernels.name).toBe(requested === "js" || !hasWasmSimd() ? "js" : "wasm");
});
