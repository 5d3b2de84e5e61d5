// Pooling over the last two dimensions of [N, C, H, W] (or [C, H, W]) as primitives: max pooling
// remembers where each window's maximum was, so its backward routes each gradient to that one
// input; average pooling (fixed windows, or adaptive ones that tile the input) spreads each
// gradient evenly over its window. Windows follow PyTorch exactly: padding, dilation, ceil mode
// (a last partial window, as long as it starts inside the input or its left padding),
// countIncludePad and divisorOverride.
import { apply, type Primitive } from "../autograd.js";
import { kernels } from "../kernels/index.js";
import { maxPoolBackwardInModule, maxPoolInModule } from "../kernels/simd-pool.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { spatial } from "./conv.js";
import { floatOf } from "./operand.js";

/** One spatial dimension's windows: each output position's first and last+1 input index, and its divisor share. */
interface Windows {
  start: Int32Array;
  end: Int32Array;
  /** The window's size for averaging (padding included when countIncludePad). */
  count: Int32Array;
}

interface PoolArgs {
  rows: Windows;
  cols: Windows;
  height: number;
  width: number;
  divisor: number; // 0: each window's own count
  /** Max pooling: per output element, the flat index in its plane of the maximum (written by forward). */
  argmax: Int32Array | null;
}

/** The leading dims, H and W of a 3-D or 4-D input, checked. */
function planes(op: string, x: Tensor): { lead: number[]; height: number; width: number; planes: number } {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new Error(`${op}: expected a 4-D input [N, C, H, W] or 3-D [C, H, W], got shape ${formatShape(x.shape)}`);
  const lead = x.shape.slice(0, -2);
  return { lead, height: x.shape[x.ndim - 2]!, width: x.shape[x.ndim - 1]!, planes: lead.reduce((a, b) => a * b, 1) };
}

/** The number of windows along a dimension of `size` (PyTorch's pooling_output_shape). */
function pooledSize(op: string, size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out--; // the last window must start inside the input or its left padding
  if (out < 1)
    throw new Error(`${op}: the input's size ${size} (padding ${p}) is smaller than the kernel ${d * (k - 1) + 1}`);
  return out;
}

function fixedWindows(out: number, size: number, k: number, s: number, p: number, includePad: boolean): Windows {
  const w: Windows = { start: new Int32Array(out), end: new Int32Array(out), count: new Int32Array(out) };
  for (let o = 0; o < out; o++) {
    const first = o * s - p;
    const last = Math.min(first + k, size + p);
    const start = Math.max(first, 0);
    const end = Math.min(last, size);
    w.start[o] = start;
    w.end[o] = end;
    w.count[o] = includePad ? last - first : end - start;
  }
  return w;
}

function adaptiveWindows(out: number, size: number): Windows {
  const w: Windows = { start: new Int32Array(out), end: new Int32Array(out), count: new Int32Array(out) };
  for (let o = 0; o < out; o++) {
    w.start[o] = Math.floor((o * size) / out);
    w.end[o] = Math.ceil(((o + 1) * size) / out);
    w.count[o] = w.end[o]! - w.start[o]!;
  }
  return w;
}

const AvgPool: Primitive<PoolArgs> = {
  name: "avgPool2d",
  forward: ([x], args) => {
    const { rows, cols, height, width, divisor } = args;
    const oh = rows.start.length;
    const ow = cols.start.length;
    const n = x!.numel() / (height * width);
    const out = Tensor.unfilled([...x!.shape.slice(0, -2), oh, ow], floatOf(x!.dtype));
    const xd = x!.data;
    for (let p = 0; p < n; p++) {
      const plane = p * height * width;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          let sum = 0;
          for (let r = rows.start[i]!; r < rows.end[i]!; r++) {
            const row = plane + r * width;
            for (let c = cols.start[j]!; c < cols.end[j]!; c++) sum += xd[row + c]!;
          }
          out.data[(p * oh + i) * ow + j] = sum / (divisor || rows.count[i]! * cols.count[j]!);
        }
      }
    }
    return out;
  },
  backward: (g, [x], _out, args) => {
    const { rows, cols, height, width, divisor } = args;
    const oh = rows.start.length;
    const ow = cols.start.length;
    const n = x!.numel() / (height * width);
    const dx = Tensor.zeros(x!.shape, g.dtype);
    for (let p = 0; p < n; p++) {
      const plane = p * height * width;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const share = g.data[(p * oh + i) * ow + j]! / (divisor || rows.count[i]! * cols.count[j]!);
          for (let r = rows.start[i]!; r < rows.end[i]!; r++) {
            const row = plane + r * width;
            for (let c = cols.start[j]!; c < cols.end[j]!; c++) dx.data[row + c] = dx.data[row + c]! + share;
          }
        }
      }
    }
    return [dx];
  },
};

const AdaptiveAvgPool: Primitive<PoolArgs> = { ...AvgPool, name: "adaptiveAvgPool2d" };

interface MaxPoolArgs {
  height: number;
  width: number;
  outH: number;
  outW: number;
  k: number[];
  s: number[];
  p: number[];
  d: number[];
  argmax: Int32Array | null;
}

const MaxPool: Primitive<MaxPoolArgs> = {
  name: "maxPool2d",
  forward: ([x], args) => {
    const { height, width, outH, outW, k, s, p, d } = args;
    const n = x!.numel() / (height * width);
    const out = Tensor.unfilled([...x!.shape.slice(0, -2), outH, outW], x!.dtype);
    const argmax = new Int32Array(out.numel());
    const xd = x!.data;
    const od = out.data;
    // Each window's first row and column inside the input and how many it has (padding skipped
    // here, once, not tested per element).
    const [rowFirst, rowCount] = taps(outH, height, k[0]!, s[0]!, p[0]!, d[0]!);
    const [colFirst, colCount] = taps(outW, width, k[1]!, s[1]!, p[1]!, d[1]!);
    args.argmax = argmax;
    if (kernels.name === "wasm" && xd instanceof Float32Array) {
      const where = {
        height,
        width,
        outH,
        outW,
        rowFirst,
        rowCount,
        colFirst,
        colCount,
        dilationH: d[0]!,
        dilationW: d[1]!,
      };
      if (maxPoolInModule(xd, where, od as Float32Array, argmax)) return out;
    }
    const dr = d[0]! * width;
    const dc = d[1]!;
    let o = 0;
    for (let q = 0; q < n; q++) {
      const plane = q * height * width;
      for (let i = 0; i < outH; i++) {
        const rows = rowCount[i]!;
        const top = rowFirst[i]! * width;
        for (let j = 0; j < outW; j++, o++) {
          const cols = colCount[j]!;
          let at = top + colFirst[j]!;
          let best = xd[plane + at]!;
          for (let a = 0, row = top + colFirst[j]!; a < rows && best === best; a++, row += dr) {
            for (let b = 0, c = row; b < cols; b++, c += dc) {
              const v = xd[plane + c]!;
              // !(v <= best) takes a NaN, which then ends the search: NaN wins, as in PyTorch.
              if (!(v <= best)) {
                best = v;
                at = c;
                if (v !== v) break;
              }
            }
          }
          od[o] = best;
          argmax[o] = at;
        }
      }
    }
    return out;
  },
  backward: (g, [x], _out, args) => {
    const { height, width, outH, outW } = args;
    const argmax = args.argmax!;
    const gd = g.data;
    if (kernels.name === "wasm" && gd instanceof Float32Array) {
      const dx = Tensor.unfilled(x!.shape, g.dtype);
      if (maxPoolBackwardInModule(gd, argmax, height * width, dx.data as Float32Array)) return [dx];
    }
    const dx = Tensor.zeros(x!.shape, g.dtype);
    const dd = dx.data;
    const L = outH * outW;
    for (let o = 0; o < gd.length; o++) {
      const at = argmax[o]!;
      if (at < 0) continue;
      const index = Math.floor(o / L) * height * width + at;
      dd[index] = dd[index]! + gd[o]!;
    }
    return [dx];
  },
};

/** Per output position along one dimension: the first tap inside the input and the number inside. */
function taps(out: number, size: number, k: number, s: number, p: number, d: number): [Int32Array, Int32Array] {
  const first = new Int32Array(out);
  const count = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    let n = 0;
    for (let a = 0; a < k; a++) {
      const r = o * s - p + a * d;
      if (r < 0 || r >= size) continue;
      if (n === 0) first[o] = r;
      n++;
    }
    count[o] = n;
  }
  return [first, count];
}

/** Options of `maxPool2d`; stride defaults to the kernel size. */
export interface MaxPoolOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  dilation?: number | number[];
  ceilMode?: boolean;
}

/** Options of `avgPool2d`; stride defaults to the kernel size. */
export interface AvgPoolOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  ceilMode?: boolean;
  /** Count padded positions in each window's divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number | null;
}

/** Kernel, stride (default: the kernel), padding and dilation per dimension, checked as PyTorch does. */
export function windowOptions(
  op: string,
  kernelSize: number | number[],
  stride: number | number[] | null | undefined,
  padding: number | number[],
  dilation: number | number[],
): { k: number[]; s: number[]; p: number[]; d: number[] } {
  const k = spatial(op, "kernelSize", kernelSize, 2, 1);
  const s = stride === null || stride === undefined ? k : spatial(op, "stride", stride, 2, 1);
  const p = spatial(op, "padding", padding, 2, 0);
  const d = spatial(op, "dilation", dilation, 2, 1);
  p.forEach((v, i) => {
    if (v > Math.floor(k[i]! / 2))
      throw new RangeError(
        `${op}: padding must be at most half the kernel size, got padding ${JSON.stringify(padding)} for kernel ${JSON.stringify(kernelSize)}`,
      );
  });
  return { k, s, p, d };
}

/**
 * The maximum of each kernelSize window of x [N, C, H, W] (or [C, H, W]).
 * Example: `maxPool2d(randn([8, 6, 28, 28]), 2).shape // [8, 6, 14, 14]`
 */
export function maxPool2d(input: Tensor, kernelSize: number | number[], options: MaxPoolOptions = {}): Tensor {
  const { height, width } = planes("maxPool2d", input);
  const { stride, padding = 0, dilation = 1, ceilMode = false } = options;
  const { k, s, p, d } = windowOptions("maxPool2d", kernelSize, stride, padding, dilation);
  const outH = pooledSize("maxPool2d", height, k[0]!, s[0]!, p[0]!, d[0]!, ceilMode);
  const outW = pooledSize("maxPool2d", width, k[1]!, s[1]!, p[1]!, d[1]!, ceilMode);
  return apply(MaxPool, [input], { height, width, outH, outW, k, s, p, d, argmax: null });
}

/**
 * The mean of each kernelSize window of x [N, C, H, W] (or [C, H, W]).
 * Example: `avgPool2d(randn([8, 6, 28, 28]), 2).shape // [8, 6, 14, 14]`
 */
export function avgPool2d(input: Tensor, kernelSize: number | number[], options: AvgPoolOptions = {}): Tensor {
  const { height, width } = planes("avgPool2d", input);
  const { stride, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null } = options;
  const { k, s, p } = windowOptions("avgPool2d", kernelSize, stride, padding, 1);
  if (divisorOverride !== null && !(Number.isFinite(divisorOverride) && divisorOverride !== 0)) {
    throw new RangeError(`avgPool2d: divisorOverride must be a non-zero number, got ${divisorOverride}`);
  }
  const outH = pooledSize("avgPool2d", height, k[0]!, s[0]!, p[0]!, 1, ceilMode);
  const outW = pooledSize("avgPool2d", width, k[1]!, s[1]!, p[1]!, 1, ceilMode);
  const rows = fixedWindows(outH, height, k[0]!, s[0]!, p[0]!, countIncludePad);
  const cols = fixedWindows(outW, width, k[1]!, s[1]!, p[1]!, countIncludePad);
  return apply(AvgPool, [input], { rows, cols, height, width, divisor: divisorOverride ?? 0, argmax: null });
}

/**
 * Average pooling to a fixed output size whatever the input's (windows tile the input as
 * PyTorch's). A null size keeps the input's. Example: `adaptiveAvgPool2d(randn([8, 64, 7, 7]), 1).shape // [8, 64, 1, 1]`
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | (number | null)[]): Tensor {
  const { height, width } = planes("adaptiveAvgPool2d", input);
  const sizes = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
  const [oh, ow] = [sizes[0] ?? height, sizes[1] ?? width];
  if (sizes.length !== 2 || ![oh, ow].every((v) => Number.isInteger(v) && v > 0)) {
    throw new RangeError(
      `adaptiveAvgPool2d: outputSize must be a positive integer or 2 of them, got ${JSON.stringify(outputSize)}`,
    );
  }
  const rows = adaptiveWindows(oh, height);
  const cols = adaptiveWindows(ow, width);
  return apply(AdaptiveAvgPool, [input], { rows, cols, height, width, divisor: 0, argmax: null });
}
