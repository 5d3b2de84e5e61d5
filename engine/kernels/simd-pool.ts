// Float32 max pooling in the WebAssembly module (assembly/pool.ts): the planes are copied in, the
// maxima and their indices come out, and the backward scatters each output's gradient onto its
// maximum there. The TypeScript loops in engine/ops/pooling.ts are the reference and the float64
// path; both follow the same windows and rules, so their results are bit-identical.
import { align16, heapOf, instance, releaseIfLarge } from "./simd-module.js";

/** Where max pooling reads: per output row and column, the first tap inside the input and how many. */
export interface MaxPoolTaps {
  height: number;
  width: number;
  outH: number;
  outW: number;
  rowFirst: Int32Array;
  rowCount: Int32Array;
  colFirst: Int32Array;
  colCount: Int32Array;
  dilationH: number;
  dilationW: number;
}

/**
 * out and argmax (per output, the index of its maximum in its plane) of `x`'s planes; false, with
 * nothing written, when the memory cannot grow.
 * Example: `maxPoolInModule(x, taps, out, argmax)`
 */
export function maxPoolInModule(x: Float32Array, taps: MaxPoolTaps, out: Float32Array, argmax: Int32Array): boolean {
  const wasm = instance();
  const { outH, outW } = taps;
  const tapsPtr = wasm.heapBase();
  const xPtr = align16(tapsPtr + 2 * (outH + outW) * 4);
  const outPtr = align16(xPtr + x.length * 4);
  const argmaxPtr = align16(outPtr + out.length * 4);
  const f32 = heapOf(wasm, argmaxPtr + out.length * 4);
  if (!f32) return false;
  const ints = new Int32Array(f32.buffer);
  let at = tapsPtr >> 2;
  for (const list of [taps.rowFirst, taps.rowCount, taps.colFirst, taps.colCount]) {
    ints.set(list, at);
    at += list.length;
  }
  f32.set(x, xPtr >> 2);
  const planes = x.length / (taps.height * taps.width);
  wasm.maxPoolF32(
    xPtr,
    planes,
    taps.height,
    taps.width,
    outH,
    outW,
    tapsPtr,
    taps.dilationH,
    taps.dilationW,
    outPtr,
    argmaxPtr,
  );
  out.set(f32.subarray(outPtr >> 2, (outPtr >> 2) + out.length));
  argmax.set(ints.subarray(argmaxPtr >> 2, (argmaxPtr >> 2) + out.length));
  releaseIfLarge();
  return true;
}

/**
 * dx = max pooling's input gradient from the output gradient g and the forward's argmax (every
 * element of dx written); false, with nothing written, when the memory cannot grow.
 * Example: `maxPoolBackwardInModule(g, argmax, planeSize, dx)`
 */
export function maxPoolBackwardInModule(g: Float32Array, argmax: Int32Array, plane: number, dx: Float32Array): boolean {
  const wasm = instance();
  const gPtr = wasm.heapBase();
  const argmaxPtr = align16(gPtr + g.length * 4);
  const dxPtr = align16(argmaxPtr + argmax.length * 4);
  const f32 = heapOf(wasm, dxPtr + dx.length * 4);
  if (!f32) return false;
  f32.set(g, gPtr >> 2);
  new Int32Array(f32.buffer).set(argmax, argmaxPtr >> 2);
  const planes = dx.length / plane;
  wasm.maxPoolBackwardF32(gPtr, argmaxPtr, planes, g.length / planes, plane, dxPtr);
  dx.set(f32.subarray(dxPtr >> 2, (dxPtr >> 2) + dx.length));
  releaseIfLarge();
  return true;
}
