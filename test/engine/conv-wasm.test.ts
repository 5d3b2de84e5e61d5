// The float32 convolution's WebAssembly path (im2col and col2im in module memory, next to the
// matmul) against the TypeScript reference: the column loops bit for bit, and conv2d's output and
// gradients within float32 rounding of the TypeScript kernels, on odd shapes (stride, padding,
// dilation, groups, padding wider than the kernel, a batch split into blocks).
import { afterEach, describe, expect, test } from "vitest";
import { manualSeed, randn, type Tensor } from "../../engine/index.js";
import { jsKernels, kernels, setKernels, simdKernels } from "../../engine/kernels/index.js";
import { type ConvGeometry, col2im, im2col } from "../../engine/kernels/js-conv.js";
import { hasWasmSimd } from "../../engine/kernels/simd.js";
import { align16, heapOf, instance } from "../../engine/kernels/simd-module.js";
import { type ConvOptions, conv2d } from "../../engine/ops/conv.js";

const initial = kernels;
afterEach(() => setKernels(initial));

function geometry(
  c: number,
  h: number,
  w: number,
  k: [number, number],
  o: ConvOptions & { pad: [number, number] },
): ConvGeometry {
  const [sh, sw] = typeof o.stride === "number" ? [o.stride, o.stride] : ((o.stride as number[]) ?? [1, 1]);
  const [dh, dw] = typeof o.dilation === "number" ? [o.dilation, o.dilation] : ((o.dilation as number[]) ?? [1, 1]);
  const outH = Math.floor((h + 2 * o.pad[0] - dh * (k[0] - 1) - 1) / sh!) + 1;
  const outW = Math.floor((w + 2 * o.pad[1] - dw * (k[1] - 1) - 1) / sw!) + 1;
  return {
    channels: c,
    height: h,
    width: w,
    kh: k[0],
    kw: k[1],
    strideH: sh!,
    strideW: sw!,
    padTop: o.pad[0],
    padLeft: o.pad[1],
    dilationH: dh!,
    dilationW: dw!,
    outH,
    outW,
  };
}

const GEOMETRIES: [string, ConvGeometry][] = [
  ["3×3, no padding", geometry(2, 7, 9, [3, 3], { pad: [0, 0] })],
  ["5×3, stride 2×3, padding 2×1", geometry(3, 11, 10, [5, 3], { stride: [2, 3], pad: [2, 1] })],
  ["dilation 2×3, padding 3", geometry(2, 9, 13, [3, 3], { dilation: [2, 3], pad: [3, 3] })],
  ["padding wider than the kernel", geometry(1, 4, 5, [2, 2], { pad: [4, 3] })],
  ["one pixel high (conv1d), stride 2", geometry(4, 1, 17, [1, 4], { stride: [1, 2], pad: [0, 2] })],
];

describe.skipIf(!hasWasmSimd())("im2col and col2im in module memory", () => {
  test.each(GEOMETRIES)("%s: the same columns and the same adjoint as the TypeScript loops", (_name, geo) => {
    const [xChannels, channel0, count] = [geo.channels + 2, 1, 3];
    const k = geo.channels * geo.kh * geo.kw;
    const n = count * geo.outH * geo.outW;
    const x = Float32Array.from({ length: count * xChannels * geo.height * geo.width }, (_, i) => Math.sin(i) * 3);
    const expected = new Float32Array(k * n).fill(Number.NaN);
    im2col(x, xChannels, channel0, 0, count, geo, expected);
    const wasm = instance();
    const geoPtr = wasm.heapBase();
    const xPtr = align16(geoPtr + 13 * 4);
    const colsPtr = align16(xPtr + x.length * 4);
    const dxPtr = align16(colsPtr + k * n * 4);
    const f32 = heapOf(wasm, dxPtr + x.length * 4)!;
    const g = geo;
    new Int32Array(f32.buffer, geoPtr, 13).set([
      g.channels,
      g.height,
      g.width,
      g.kh,
      g.kw,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
      g.dilationH,
      g.dilationW,
      g.outH,
      g.outW,
    ]);
    f32.set(x, xPtr >> 2);
    f32.fill(Number.NaN, colsPtr >> 2, (colsPtr >> 2) + k * n); // every element must be written
    wasm.im2colF32(xPtr, xChannels, channel0, count, geoPtr, colsPtr);
    expect(Array.from(f32.subarray(colsPtr >> 2, (colsPtr >> 2) + k * n))).toEqual(Array.from(expected));

    const cols = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7));
    const dx = Float32Array.from({ length: x.length }, (_, i) => (i % 5) * 0.25);
    f32.set(cols, colsPtr >> 2);
    f32.set(dx, dxPtr >> 2);
    col2im(cols, xChannels, channel0, 0, count, geo, dx);
    wasm.col2imF32(colsPtr, xChannels, channel0, count, geoPtr, dxPtr);
    expect(Array.from(f32.subarray(dxPtr >> 2, (dxPtr >> 2) + x.length))).toEqual(Array.from(dx));
  });
});

describe.skipIf(!hasWasmSimd())("the products that pack their columns straight from the images", () => {
  // Every geometry above, and LeNet's two (rows of 24 and 8 output pixels: the vector paths).
  const shapes: [string, ConvGeometry][] = [
    ...GEOMETRIES,
    ["LeNet's first layer", geometry(1, 28, 28, [5, 5], { pad: [0, 0] })],
    ["LeNet's second layer", geometry(6, 12, 12, [5, 5], { pad: [0, 0] })],
    ["3×3 padding 1 (edges read partly outside)", geometry(3, 16, 16, [3, 3], { pad: [1, 1] })],
    ["12 channels, 5×5 (k = 300: two depth blocks)", geometry(12, 9, 9, [5, 5], { pad: [1, 1] })],
  ];
  test.each(shapes)("%s: the same bits as im2col then matmul", (_name, geo) => {
    const [xChannels, channel0, count, m] = [geo.channels + 1, 1, 3, 5];
    const k = geo.channels * geo.kh * geo.kw;
    const n = count * geo.outH * geo.outW;
    const x = Float32Array.from({ length: count * xChannels * geo.height * geo.width }, (_, i) => Math.sin(i * 1.3));
    const a = Float32Array.from({ length: m * Math.max(k, n) }, (_, i) => Math.cos(i * 0.37));
    const wasm = instance();
    const geoPtr = wasm.heapBase();
    const xPtr = align16(geoPtr + 13 * 4);
    const aPtr = align16(xPtr + x.length * 4);
    const colsPtr = align16(aPtr + a.length * 4);
    const cPtr = align16(colsPtr + k * n * 4);
    const c2Ptr = align16(cPtr + m * Math.max(k, n) * 4);
    const lanes = align16(c2Ptr + m * Math.max(k, n) * 4);
    const packA = align16(lanes + 128);
    const packB = align16(packA + wasm.packABytes());
    const tile = align16(packB + wasm.packBBytes(Math.max(k, n)));
    const f32 = heapOf(wasm, tile + 128)!;
    const g = geo;
    new Int32Array(f32.buffer, geoPtr, 13).set([
      g.channels,
      g.height,
      g.width,
      g.kh,
      g.kw,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
      g.dilationH,
      g.dilationW,
      g.outH,
      g.outW,
    ]);
    f32.set(x, xPtr >> 2);
    f32.set(a, aPtr >> 2);
    const read = (ptr: number, length: number): number[] => Array.from(f32.subarray(ptr >> 2, (ptr >> 2) + length));
    wasm.im2colF32(xPtr, xChannels, channel0, count, geoPtr, colsPtr);
    // forward: A [m, k] @ cols
    wasm.matmul(aPtr, k, 1, colsPtr, n, 1, cPtr, m, k, n, packA, packB, tile);
    wasm.convForwardProductF32(aPtr, k, 1, xPtr, xChannels, channel0, count, geoPtr, c2Ptr, m, packA, packB, tile);
    expect(read(c2Ptr, m * n)).toEqual(read(cPtr, m * n));
    // weights: A [m, n] @ colsᵀ
    wasm.matmul(aPtr, n, 1, colsPtr, 1, n, cPtr, m, n, k, packA, packB, tile);
    wasm.convWeightProductF32(aPtr, xPtr, xChannels, channel0, count, geoPtr, c2Ptr, m, packA, packB, tile, lanes);
    expect(read(c2Ptr, m * k)).toEqual(read(cPtr, m * k));
  });
});

/** Output and gradients of conv2d(x, w, b) with the given kernels, g as the output's gradient. */
function run(x: Tensor, w: Tensor, b: Tensor, opts: ConvOptions, seed: number): Float32Array[] {
  for (const t of [x, w, b]) t.grad = null;
  const y = conv2d(x, w, b, opts);
  manualSeed(seed);
  y.backward(randn(y.shape));
  return [y.data, x.grad!.data, w.grad!.data, b.grad!.data] as Float32Array[];
}

/** Largest |a − b| over the scale Σ|terms| stands for: max(1, |b|) and the terms' count. */
function expectClose(actual: Float32Array, expected: Float32Array, terms: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = "";
  const tol = 2 ** -24 * 8 * terms;
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) worst ||= `element ${i}: ${a} vs ${e}`;
  });
  expect(worst).toBe("");
}

const CASES: [string, number[], ConvOptions, number[]][] = [
  ["stride 2, padding 1", [3, 4, 9, 11], { stride: 2, padding: 1 }, [5, 4, 3, 3]],
  [
    "stride 2×3, padding 2×0, dilation 1×2",
    [2, 3, 13, 14],
    { stride: [2, 3], padding: [2, 0], dilation: [1, 2] },
    [4, 3, 5, 3],
  ],
  ["groups 3, dilation 2, padding 3", [2, 6, 10, 9], { groups: 3, dilation: 2, padding: 3 }, [9, 2, 3, 3]],
  ["depthwise, padding 'same'", [3, 4, 7, 8], { groups: 4, padding: "same" }, [8, 1, 4, 3]],
  ["a batch split into blocks (40 images, 72×900 columns each)", [40, 8, 30, 30], { padding: 1 }, [6, 8, 3, 3]],
];

describe.skipIf(!hasWasmSimd())("conv2d on the WebAssembly path equals the TypeScript path", () => {
  test.each(CASES)("%s: output and gradients", (_name, xShape, opts, wShape) => {
    manualSeed(11);
    const x = randn(xShape);
    const w = randn(wShape);
    const b = randn([wShape[0]!]);
    for (const t of [x, w, b]) t.requiresGrad = true;
    setKernels(jsKernels);
    const reference = run(x, w, b, opts, 12);
    setKernels(simdKernels);
    const ours = run(x, w, b, opts, 12);
    const k = wShape[1]! * wShape[2]! * wShape[3]!;
    const outPixels = reference[0]!.length / (xShape[0]! * wShape[0]!);
    expectClose(ours[0]!, reference[0]!, k); // each output: k products
    expectClose(ours[1]!, reference[1]!, wShape[0]! * wShape[2]! * wShape[3]!); // each input pixel: at most outC·kh·kw terms
    expectClose(ours[2]!, reference[2]!, xShape[0]! * outPixels); // each weight: N·L terms
    expectClose(ours[3]!, reference[3]!, 1);
  });
});
