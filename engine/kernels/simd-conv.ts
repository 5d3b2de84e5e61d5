// A float32 convolution's block of images in the WebAssembly module's memory (assembly/conv.ts):
// the images, the weight (and the bias, or the output's gradient) are copied in once for all
// groups, the products that read the columns pack them straight from the images (the columns
// are never written out: assembly/conv-gemm.ts), and the layout moves
// around the products (the product [og, n·L] into NCHW with the bias added; the gradient's NCHW
// block into [og, n·L]; the bias gradient's channel sums) run there too, so only the output or the
// gradients come out, one copy each. The TypeScript path (js-conv.ts, then `kernels.matmul`)
// builds the columns in a JS array, k·kh·kw/stride² times the images' size, and the product
// copies all of it in again. Both paths run the same loops and the same micro-kernel, so their
// results are bit-identical.
import type { ConvGeometry } from "./js-conv.js";
import { align16, heapOf, instance, releaseIfLarge, type SimdExports } from "./simd-module.js";

/** One block of images of a convolution, as engine/ops/conv.ts walks them. */
export interface ConvBlock {
  /** The geometry of one group (its channels: the input's divided by the groups). */
  geo: ConvGeometry;
  groups: number;
  /** Output channels, all groups. */
  outChannels: number;
  /** First image of the block, and how many. */
  first: number;
  count: number;
}

interface Layout {
  wasm: SimdExports;
  f32: Float32Array;
  geoPtr: number;
  xPtr: number;
  /** Elements of the block's images, and where they start in x. */
  xLength: number;
  xStart: number;
  /** The areas asked for, in order, then packA, packB and the tile. */
  ptrs: number[];
}

/** The block's sizes: channels per group in and out, column rows k, pixels per image L, columns n. */
function sizes(block: ConvBlock): { xChannels: number; og: number; k: number; L: number; n: number } {
  const { geo, groups, outChannels, count } = block;
  const L = geo.outH * geo.outW;
  return {
    xChannels: geo.channels * groups,
    og: outChannels / groups,
    k: geo.channels * geo.kh * geo.kw,
    L,
    n: count * L,
  };
}

/** Module memory for the geometry, the block's images and further areas of the given byte lengths. */
function layout(block: ConvBlock, x: Float32Array, extraBytes: number[], n: number): Layout | null {
  const wasm = instance();
  const { geo, first, count } = block;
  const { xChannels } = sizes(block);
  const plane = geo.height * geo.width;
  const geoPtr = wasm.heapBase();
  const xPtr = align16(geoPtr + 13 * 4);
  const xLength = count * xChannels * plane;
  const ptrs: number[] = [];
  let end = align16(xPtr + xLength * 4);
  for (const bytes of extraBytes) {
    ptrs.push(end);
    end = align16(end + bytes);
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
  return { wasm, f32, geoPtr, xPtr, xLength, xStart, ptrs };
}

/**
 * out[first…first+count] = the block's convolution by w (+ bias), every group, into NCHW `out`;
 * false, with nothing written, when the memory cannot grow.
 * Example: `convForwardInModule(x, w, bias, block, out)`
 */
export function convForwardInModule(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  block: ConvBlock,
  out: Float32Array,
): boolean {
  const { geo, groups, outChannels, count, first } = block;
  const { xChannels, og, k, L, n } = sizes(block);
  const outLength = count * outChannels * L;
  const made = layout(block, x, [w.length * 4, outChannels * 4, og * n * 4, outLength * 4], n);
  if (!made) return false;
  const { wasm, f32, geoPtr, xPtr } = made;
  const [wPtr, biasPtr, cPtr, outPtr, packA, packB, tile] = made.ptrs as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  f32.set(w, wPtr >> 2);
  if (bias) f32.set(bias, biasPtr >> 2);
  for (let g = 0; g < groups; g++) {
    // W_g @ im2col(x), the columns packed straight from the images (assembly/conv-gemm.ts)
    wasm.convForwardProductF32(
      wPtr + g * og * k * 4,
      k,
      1,
      xPtr,
      xChannels,
      g * geo.channels,
      count,
      geoPtr,
      cPtr,
      og,
      packA,
      packB,
      tile,
    );
    wasm.convScatterF32(cPtr, og, count, L, outChannels, g * og, bias ? biasPtr : 0, outPtr);
  }
  out.set(f32.subarray(outPtr >> 2, (outPtr >> 2) + outLength), first * outChannels * L);
  releaseIfLarge();
  return true;
}

/**
 * The backward of one block, every group: dw += Σ_g gBlock_g @ cols_gᵀ, dx[block] = col2im(W_gᵀ @
 * gBlock_g) (dx's slots of the block still zero), and biasSums[c] += the block's Σ of g over
 * images and pixels (float64). g is the whole output gradient (NCHW). False, with nothing
 * written, when the memory cannot grow.
 * Example: `convBackwardInModule(x, w, g, block, dw, dx, biasSums)`
 */
export function convBackwardInModule(
  x: Float32Array,
  w: Float32Array,
  g: Float32Array,
  block: ConvBlock,
  dw: Float32Array | null,
  dx: Float32Array | null,
  biasSums: Float64Array | null,
): boolean {
  const { geo, groups, outChannels, count, first } = block;
  const { xChannels, og, k, L, n } = sizes(block);
  const gLength = count * outChannels * L;
  // The columns' gradient (dx only) and dx itself; `lanes`: the weight product's scratch.
  const dxBytes = dx ? [k * n * 4, count * xChannels * geo.height * geo.width * 4] : [0, 0];
  const areas = [w.length * 4, gLength * 4, og * n * 4, og * k * 4, outChannels * 8, 128, ...dxBytes];
  const made = layout(block, x, areas, Math.max(n, k));
  if (!made) return false;
  const { wasm, f32, geoPtr, xPtr, xLength, xStart } = made;
  const [wPtr, gPtr, gBlockPtr, dwPtr, sumsPtr, lanesPtr, colsPtr, dxPtr, packA, packB, tile] = made.ptrs as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  f32.set(g.subarray(first * outChannels * L, first * outChannels * L + gLength), gPtr >> 2);
  if (biasSums) {
    const sums = new Float64Array(f32.buffer, sumsPtr, outChannels);
    sums.set(biasSums);
    wasm.channelSumsF32(gPtr, count, outChannels, L, sumsPtr);
    biasSums.set(sums);
  }
  if (dx) {
    f32.set(w, wPtr >> 2);
    f32.fill(0, dxPtr >> 2, (dxPtr >> 2) + xLength);
  }
  for (let grp = 0; grp < groups; grp++) {
    const channel0 = grp * geo.channels;
    wasm.convGatherF32(gPtr, og, count, L, outChannels, grp * og, gBlockPtr);
    if (dw) {
      // gBlock [og, n] @ im2col(x)ᵀ, the columns packed straight from the images
      wasm.convWeightProductF32(
        gBlockPtr,
        xPtr,
        xChannels,
        channel0,
        count,
        geoPtr,
        dwPtr,
        og,
        packA,
        packB,
        tile,
        lanesPtr,
      );
      const part = f32.subarray(dwPtr >> 2, (dwPtr >> 2) + og * k);
      const offset = grp * og * k;
      for (let i = 0; i < og * k; i++) dw[offset + i] = dw[offset + i]! + part[i]!;
    }
    if (dx) {
      // A(i, p) = W_g[p, i]: the weight read transposed; the columns' gradient reuses cols' area.
      wasm.matmul(wPtr + grp * og * k * 4, 1, k, gBlockPtr, n, 1, colsPtr, k, og, n, packA, packB, tile);
      wasm.col2imF32(colsPtr, xChannels, channel0, count, geoPtr, dxPtr);
    }
  }
  if (dx) dx.set(f32.subarray(dxPtr >> 2, (dxPtr >> 2) + xLength), xStart);
  releaseIfLarge();
  return true;
}
