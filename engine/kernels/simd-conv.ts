// A float32 convolution's products in the WebAssembly module's memory with their columns built
// there (assembly/conv.ts): the images and the weight are copied in, im2col writes the columns
// next to the matmul that reads them, and only the product (forward) or the gradients (backward)
// come out. The TypeScript path (js-conv.ts, then `kernels.matmul`) builds the columns in a JS
// array, k·kh·kw/stride² times the images' size, and the product copies all of it in again.
// Both paths run the same loops and the same micro-kernel, so their results are bit-identical.
import type { ConvGeometry } from "./js-conv.js";
import { align16, heapOf, instance, releaseIfLarge, type SimdExports } from "./simd-module.js";

/** One block of images and one group of a convolution, as engine/ops/conv.ts walks them. */
export interface ConvBlock {
  geo: ConvGeometry;
  /** Channels of each input image (all groups). */
  xChannels: number;
  /** First channel of the group. */
  channel0: number;
  /** First image of the block, and how many. */
  first: number;
  count: number;
  /** Output channels of the group, and their weight's first element. */
  og: number;
  wOffset: number;
}

interface Layout {
  wasm: SimdExports;
  f32: Float32Array;
  geoPtr: number;
  xPtr: number;
  /** Elements of the block's images, and where they start in x. */
  xLength: number;
  xStart: number;
}

/** Module memory for the geometry, the block's images and `extra` further areas of the given lengths. */
function layout(block: ConvBlock, x: Float32Array, extra: number[], n: number): [Layout, number[]] | null {
  const wasm = instance();
  const { geo, xChannels, first, count } = block;
  const plane = geo.height * geo.width;
  const geoPtr = wasm.heapBase();
  const xPtr = align16(geoPtr + 13 * 4);
  const xLength = count * xChannels * plane;
  const ptrs: number[] = [];
  let end = align16(xPtr + xLength * 4);
  for (const length of extra) {
    ptrs.push(end);
    end = align16(end + length * 4);
  }
  const packA = end;
  const packB = align16(packA + wasm.packABytes());
  const tile = align16(packB + wasm.packBBytes(n));
  ptrs.push(packA, packB, tile);
  const f32 = heapOf(wasm, tile + 4 * 8 * 4);
  if (!f32) return null;
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
  const xStart = first * xChannels * plane;
  f32.set(x.subarray(xStart, xStart + xLength), xPtr >> 2);
  return [{ wasm, f32, geoPtr, xPtr, xLength, xStart }, ptrs];
}

/**
 * product [og, count·L] = W_g @ im2col(block of x), columns built in module memory; false, with
 * nothing written, when the memory cannot grow.
 * Example: `convProductInModule(x, w, block, product)`
 */
export function convProductInModule(
  x: Float32Array,
  w: Float32Array,
  block: ConvBlock,
  product: Float32Array,
): boolean {
  const { geo, og, count, wOffset } = block;
  const k = geo.channels * geo.kh * geo.kw;
  const n = count * geo.outH * geo.outW;
  const made = layout(block, x, [og * k, k * n, og * n], n);
  if (!made) return false;
  const [{ wasm, f32, geoPtr, xPtr }, [wPtr, colsPtr, cPtr, packA, packB, tile]] = made;
  f32.set(w.subarray(wOffset, wOffset + og * k), wPtr! >> 2);
  wasm.im2colF32(xPtr, block.xChannels, block.channel0, count, geoPtr, colsPtr!);
  wasm.matmul(wPtr!, k, 1, colsPtr!, n, 1, cPtr!, og, k, n, packA!, packB!, tile!);
  product.set(f32.subarray(cPtr! >> 2, (cPtr! >> 2) + og * n));
  releaseIfLarge();
  return true;
}

/**
 * The backward of one block and group: dw[wOffset…] += gBlock @ colsᵀ and, for the group's
 * channels of the block's images, dx = col2im(W_gᵀ @ gBlock) (dx's slots there still zero: each is
 * written by one block and group). gBlock is [og, count·L]. False, with nothing written, when the
 * memory cannot grow.
 * Example: `convBackwardInModule(x, w, gBlock, block, dw, dx)`
 */
export function convBackwardInModule(
  x: Float32Array,
  w: Float32Array,
  gBlock: Float32Array,
  block: ConvBlock,
  dw: Float32Array | null,
  dx: Float32Array | null,
): boolean {
  const { geo, og, count, wOffset, xChannels, channel0 } = block;
  const k = geo.channels * geo.kh * geo.kw;
  const n = count * geo.outH * geo.outW;
  const plane = geo.height * geo.width;
  const made = layout(block, x, [og * k, og * n, k * n, og * k, count * xChannels * plane], Math.max(n, k));
  if (!made) return false;
  const [{ wasm, f32, geoPtr, xPtr, xLength, xStart }, [wPtr, gPtr, colsPtr, dwPtr, dxPtr, packA, packB, tile]] = made;
  f32.set(gBlock.subarray(0, og * n), gPtr! >> 2);
  if (dw) {
    wasm.im2colF32(xPtr, xChannels, channel0, count, geoPtr, colsPtr!);
    // A = gBlock [og, n], B(p, j) = cols[j, p]: cols read transposed through its strides.
    wasm.matmul(gPtr!, n, 1, colsPtr!, 1, n, dwPtr!, og, n, k, packA!, packB!, tile!);
    const part = f32.subarray(dwPtr! >> 2, (dwPtr! >> 2) + og * k);
    for (let i = 0; i < og * k; i++) dw[wOffset + i] = dw[wOffset + i]! + part[i]!;
  }
  if (dx) {
    f32.set(w.subarray(wOffset, wOffset + og * k), wPtr! >> 2);
    // A(i, p) = W_g[p, i]: the weight read transposed; the columns' gradient reuses cols' area.
    wasm.matmul(wPtr!, 1, k, gPtr!, n, 1, colsPtr!, k, og, n, packA!, packB!, tile!);
    f32.fill(0, dxPtr! >> 2, (dxPtr! >> 2) + xLength);
    wasm.col2imF32(colsPtr!, xChannels, channel0, count, geoPtr, dxPtr!);
    const groupLength = geo.channels * plane;
    for (let s = 0; s < count; s++) {
      const at = (s * xChannels + channel0) * plane;
      dx.set(f32.subarray((dxPtr! >> 2) + at, (dxPtr! >> 2) + at + groupLength), xStart + at);
    }
  }
  releaseIfLarge();
  return true;
}
