// Float32 max pooling on the WebAssembly path (assembly/pool.ts: a generic loop and a four-window
// SIMD loop for 2×2 windows two columns apart) against the TypeScript loops: outputs and
// gradients bit for bit, with ties (the first maximum wins) and NaNs (the first NaN wins), on
// the shapes each loop takes (stride 2 with widths that leave a scalar tail, padding, dilation,
// ceil mode, overlapping windows).
import { afterEach, describe, expect, test } from "vitest";
import { manualSeed, maxPool2d, randn, Tensor } from "../../engine/index.js";
import { jsKernels, kernels, setKernels, simdKernels } from "../../engine/kernels/index.js";
import { hasWasmSimd } from "../../engine/kernels/simd.js";
import type { MaxPoolOptions } from "../../engine/ops/pooling.js";

const initial = kernels;
afterEach(() => setKernels(initial));

/** Values with ties (rounded to quarters) and, when asked, NaNs sprinkled in. */
function input(shape: number[], nans: boolean): Tensor {
  const x = randn(shape);
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    d[i] = Math.round(d[i]! * 4) / 4;
    if (nans && i % 7 === 3) d[i] = Number.NaN;
  }
  x.requiresGrad = true;
  return x;
}

function run(x: Tensor, k: number | number[], opts: MaxPoolOptions, g: Tensor | null): [number[], number[]] {
  x.grad = null;
  const y = maxPool2d(x, k, opts);
  y.backward(g ?? Tensor.full(y.shape, 1));
  return [Array.from(y.data), Array.from(x.grad!.data)];
}

const CASES: [string, number[], number | number[], MaxPoolOptions][] = [
  ["2×2, LeNet's first pooling", [3, 6, 24, 24], 2, {}],
  ["2×2 on a width of 14 (a scalar tail after three groups of four)", [2, 3, 10, 14], 2, {}],
  ["2×2 on odd sizes (the last row and column dropped)", [2, 2, 9, 11], 2, {}],
  ["2×2 with ceil mode (the last window one column wide)", [2, 2, 9, 11], 2, { ceilMode: true }],
  ["2×2, stride 1 (overlapping windows)", [2, 2, 7, 9], 2, { stride: 1 }],
  ["3×3, stride 2, padding 1", [2, 3, 11, 12], 3, { stride: 2, padding: 1 }],
  ["2×3, dilation 2", [1, 2, 12, 13], [2, 3], { dilation: 2 }],
  ["3-D input [C, H, W]", [4, 8, 8], 2, {}],
];

describe.skipIf(!hasWasmSimd())("maxPool2d on the WebAssembly path equals the TypeScript path", () => {
  for (const nans of [false, true]) {
    test.each(CASES)(`%s${nans ? ", with NaNs" : ""}`, (_name, shape, k, opts) => {
      manualSeed(5);
      const x = input(shape, nans);
      const out = maxPool2d(x, k, opts);
      const g = randn(out.shape);
      setKernels(jsKernels);
      const reference = run(x, k, opts, g);
      setKernels(simdKernels);
      const ours = run(x, k, opts, g);
      expect(ours[0]).toEqual(reference[0]); // toEqual treats NaN as equal to NaN
      expect(ours[1]).toEqual(reference[1]);
    });
  }

  test("a tie goes to the first element of the window, a NaN to the first NaN, on both paths", () => {
    // One 2×2 window per group of four values: [a, b; c, d] laid out over two rows.
    const windows = [
      [1, 1, 1, 1], // all equal: the first
      [0, 2, 2, 1], // b and c tie: b
      [0, 1, 3, 3], // c and d tie: c
      [5, Number.NaN, Number.NaN, 9], // the first NaN: b
      [Number.NaN, 9, 9, 9], // a
      [0, 1, 2, Number.NaN], // d
      [-3, -2, -1, -4], // c
      [7, 0, 0, 0], // a
    ];
    const width = 2 * windows.length;
    const x = Tensor.zeros([1, 1, 2, width]);
    windows.forEach(([a, b, c, d], j) => {
      x.data.set([a!, b!], 2 * j);
      x.data.set([c!, d!], width + 2 * j);
    });
    x.requiresGrad = true;
    const picked = [0, 1, 2, 1, 0, 3, 2, 0]; // a = 0, b = 1, c = 2, d = 3
    for (const k of [jsKernels, simdKernels]) {
      setKernels(k);
      const [values, grad] = run(x, 2, {}, null);
      expect(values).toEqual(windows.map((w, j) => w[picked[j]!]!));
      const expected = new Array(2 * width).fill(0);
      picked.forEach((p, j) => {
        expected[(p >= 2 ? width : 0) + 2 * j + (p % 2)] = 1;
      });
      expect(grad).toEqual(expected);
    }
  });
});
