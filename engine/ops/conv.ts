// Convolution (PyTorch's conv1d / conv2d, NCHW) as one primitive per form. Forward lays a block of
// images out as columns (im2col) and multiplies them by the weight on the matmul kernel, one
// product per group: out_g [outC/groups, n·L] = W_g [outC/groups, C/groups·kh·kw] @ cols_g. The
// backward is the same two products transposed, read through the kernel's transposed layouts:
//   dW_g = g_g @ cols_gᵀ,   dcols_g = W_gᵀ @ g_g  (then col2im adds each column back onto its pixels),
//   dbias = Σ over images and pixels of g.
// conv1d is conv2d on images one pixel high, so both share the loops.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { type DType, kernels, type TypedArray } from "../kernels/index.js";
import { type ConvGeometry, col2im, im2col } from "../kernels/js-conv.js";
import { convBackwardInModule, convForwardInModule } from "../kernels/simd-conv.js";
import { formatShape } from "../shape.js";
import { allocateUnfilled, Tensor } from "../tensor.js";
import { floatOf, promote } from "./operand.js";

// Every work array below is written whole before it is read (im2col, the products, the gathers),
// so none pays for a zero fill.

/** Elements of one block of columns: images are convolved this many column elements at a time. */
const BLOCK_ELEMENTS = 1 << 21;

interface ConvArgs {
  geo: ConvGeometry;
  batch: number;
  outChannels: number;
  groups: number;
  hasBias: boolean;
  outShape: number[];
  /** The forward's columns, kept for backward when one block held the whole batch (groups = 1). */
  cols: TypedArray | null;
}

/** `data` in `dtype` (itself when it already is). */
function asDtype(data: TypedArray, dtype: DType): TypedArray {
  if (dtype === "float64") return data instanceof Float64Array ? data : Float64Array.from(data);
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** True when the WebAssembly kernels are active and every operand is float32: im2col runs in module memory. */
function inModule(...arrays: TypedArray[]): boolean {
  return kernels.name === "wasm" && arrays.every((a) => a instanceof Float32Array);
}

function sizes(args: ConvArgs): { cg: number; og: number; k: number; L: number; block: number } {
  const { geo, groups, outChannels, batch } = args;
  const cg = geo.channels;
  const og = outChannels / groups;
  const k = cg * geo.kh * geo.kw;
  const L = geo.outH * geo.outW;
  const block = Math.max(1, Math.min(batch, Math.floor(BLOCK_ELEMENTS / Math.max(1, k * L))));
  return { cg, og, k, L, block };
}

function convForward(inputs: readonly Tensor[], args: ConvArgs): Tensor {
  const [x, w] = inputs as [Tensor, Tensor];
  const bias = args.hasBias ? inputs[2]! : null;
  const dtype = floatOf(inputs.reduce((d, t) => promote(d, t.dtype), x.dtype));
  const xd = asDtype(x.data, dtype);
  const wd = asDtype(w.data, dtype);
  const bd = bias ? asDtype(bias.data, dtype) : null;
  const { geo, batch, groups, outChannels } = args;
  const { cg, og, k, L, block } = sizes(args);
  const out = Tensor.unfilled(args.outShape, dtype);
  const od = out.data;
  // The TypeScript path's work arrays, made on its first use (the module path builds its own).
  let cols: TypedArray | null = null;
  let product: TypedArray | null = null;
  const wasm = inModule(xd, wd);
  let colsBuilt = false;
  for (let first = 0; first < batch; first += block) {
    throwIfInterrupted();
    const count = Math.min(block, batch - first);
    const where = { geo, groups, outChannels, first, count };
    if (
      wasm &&
      convForwardInModule(xd as Float32Array, wd as Float32Array, bd as Float32Array | null, where, od as Float32Array)
    ) {
      continue;
    }
    for (let g = 0; g < groups; g++) {
      cols ??= allocateUnfilled(dtype, k * block * L);
      product ??= allocateUnfilled(dtype, og * block * L);
      im2col(xd, cg * groups, g * cg, first, count, geo, cols);
      kernels.matmul(wd, g * og * k, cols, 0, product, 0, og, k, count * L, false, false);
      colsBuilt = true;
      // product [og, count·L] → out [first + s, g·og + o, L], plus the bias
      for (let o = 0; o < og; o++) {
        const channel = g * og + o;
        const b = bd ? bd[channel]! : 0;
        for (let s = 0; s < count; s++) {
          const src = (o * count + s) * L; // row o, image s
          const dst = ((first + s) * outChannels + channel) * L;
          if (b === 0) od.set(product.subarray(src, src + L), dst);
          else for (let p = 0; p < L; p++) od[dst + p] = product[src + p]! + b;
        }
      }
    }
  }
  args.cols = colsBuilt && groups === 1 && block >= batch ? cols : null;
  return out;
}

function convBackward(g: Tensor, inputs: readonly Tensor[], args: ConvArgs): (Tensor | null)[] {
  const [x, w] = inputs as [Tensor, Tensor];
  const dtype = g.dtype;
  const xd = asDtype(x.data, dtype);
  const wd = asDtype(w.data, dtype);
  const gd = g.data;
  const { geo, batch, groups, outChannels } = args;
  const { cg, og, k, L, block } = sizes(args);
  const dx = x.requiresGrad ? Tensor.zeros(x.shape, dtype) : null;
  const dw = w.requiresGrad ? Tensor.zeros(w.shape, dtype) : null;
  const wantBias = args.hasBias && inputs[2]!.requiresGrad;
  // The bias gradient in float64, summed by the module path block by block in the TypeScript
  // loop's order; null once a block took the TypeScript path (which then sums it all below).
  let biasSums = wantBias ? new Float64Array(outChannels) : null;
  // The TypeScript path's work arrays, made on its first use (the module path builds its own).
  let cols = args.cols;
  let dcols: TypedArray | null = null;
  let gBlock: TypedArray | null = null;
  const dwPart = dw && block < batch ? allocateUnfilled(dtype, og * k) : null;
  const wasm = inModule(xd, wd, gd);
  for (let first = 0; first < batch; first += block) {
    throwIfInterrupted();
    const count = Math.min(block, batch - first);
    const where = { geo, groups, outChannels, first, count };
    if (
      wasm &&
      convBackwardInModule(
        xd as Float32Array,
        wd as Float32Array,
        gd as Float32Array,
        where,
        (dw?.data ?? null) as Float32Array | null,
        (dx?.data ?? null) as Float32Array | null,
        biasSums,
      )
    ) {
      continue;
    }
    biasSums = null;
    gBlock ??= allocateUnfilled(dtype, og * block * L);
    for (let grp = 0; grp < groups; grp++) {
      // g [first + s, grp·og + o, L] → gBlock [og, count·L]
      for (let o = 0; o < og; o++) {
        for (let s = 0; s < count; s++) {
          const src = ((first + s) * outChannels + grp * og + o) * L;
          gBlock.set(gd.subarray(src, src + L), (o * count + s) * L);
        }
      }
      if (dw) {
        cols ??= allocateUnfilled(dtype, k * block * L);
        if (!args.cols) im2col(xd, cg * groups, grp * cg, first, count, geo, cols);
        if (dwPart) {
          kernels.matmul(gBlock, 0, cols, 0, dwPart, 0, og, count * L, k, false, true);
          const offset = grp * og * k;
          for (let i = 0; i < og * k; i++) dw.data[offset + i] = dw.data[offset + i]! + dwPart[i]!;
        } else {
          kernels.matmul(gBlock, 0, cols, 0, dw.data, grp * og * k, og, count * L, k, false, true);
        }
      }
      if (dx) {
        dcols ??= allocateUnfilled(dtype, k * block * L);
        kernels.matmul(wd, grp * og * k, gBlock, 0, dcols, 0, k, og, count * L, true, false);
        col2im(dcols, cg * groups, grp * cg, first, count, geo, dx.data);
      }
    }
  }
  let db: Tensor | null = null;
  if (wantBias) {
    db = Tensor.zeros([outChannels], dtype);
    if (biasSums) db.data.set(biasSums);
    else {
      for (let c = 0; c < outChannels; c++) {
        let sum = 0;
        for (let s = 0; s < batch; s++) {
          const start = (s * outChannels + c) * L;
          for (let p = 0; p < L; p++) sum += gd[start + p]!;
        }
        db.data[c] = sum;
      }
    }
  }
  const grads: (Tensor | null)[] = [dx, dw];
  if (args.hasBias) grads.push(db);
  return grads;
}

const Conv2d: Primitive<ConvArgs> = {
  name: "conv2d",
  forward: convForward,
  backward: (g, inputs, _out, args) => convBackward(g, inputs, args),
};

const Conv1d: Primitive<ConvArgs> = { ...Conv2d, name: "conv1d" };

/** Padding as PyTorch takes it: a size per side (or one for all), "valid" (none) or "same" (output size = input size). */
export type ConvPadding = number | number[] | "valid" | "same";

/** Options of `conv2d` / `conv1d`; each size is one number or one per spatial dimension. */
export interface ConvOptions {
  stride?: number | number[];
  padding?: ConvPadding;
  dilation?: number | number[];
  groups?: number;
}

/** One value per spatial dimension from a number or a list of `dims` numbers, each checked. */
export function spatial(
  op: string,
  name: string,
  value: number | readonly number[],
  dims: number,
  min: number,
): number[] {
  const list = typeof value === "number" ? new Array<number>(dims).fill(value) : [...value];
  if (list.length !== dims || list.some((v) => !Number.isInteger(v) || v < min)) {
    throw new RangeError(
      `${op}: ${name} must be ${min === 0 ? "a non-negative" : "a positive"} integer or ${dims} of them, got ${JSON.stringify(value)}`,
    );
  }
  return list;
}

/** Checks shapes and options, then runs the primitive on x [N, C, H, W], w [outC, C/groups, kh, kw]. */
function convolve(op: "conv1d" | "conv2d", x: Tensor, w: Tensor, bias: Tensor | null, options: ConvOptions): Tensor {
  const dims = op === "conv1d" ? 1 : 2;
  const unbatched = x.ndim === dims + 1;
  if (!(x instanceof Tensor) || !(w instanceof Tensor)) throw new TypeError(`${op}: input and weight must be Tensors`);
  if (x.ndim !== dims + 2 && !unbatched) {
    throw new Error(
      `${op}: expected a ${dims + 2}-D input [N, C, ${dims === 1 ? "L" : "H, W"}] (or ${dims + 1}-D unbatched), got shape ${formatShape(x.shape)}`,
    );
  }
  if (w.ndim !== dims + 2) {
    throw new Error(
      `${op}: weight must be ${dims + 2}-D [outChannels, inChannels/groups, ${dims === 1 ? "k" : "kh, kw"}], got shape ${formatShape(w.shape)}`,
    );
  }
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = options;
  if (!Number.isInteger(groups) || groups < 1)
    throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  const shape = unbatched ? [1, ...x.shape] : x.shape;
  const [batch, channels] = shape as [number, number];
  const inSpatial = dims === 1 ? [1, shape[2]!] : [shape[2]!, shape[3]!];
  const kernel = dims === 1 ? [1, w.shape[2]!] : [w.shape[2]!, w.shape[3]!];
  const outChannels = w.shape[0]!;
  if (channels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(
      `${op}: in channels (${channels}) and out channels (${outChannels}) must both be divisible by groups (${groups})`,
    );
  }
  if (w.shape[1]! * groups !== channels) {
    throw new Error(
      `${op}: input ${formatShape(x.shape)} has ${channels} channels but weight ${formatShape(w.shape)} expects ${w.shape[1]! * groups} (${w.shape[1]} per group × ${groups} groups)`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new Error(`${op}: bias must have shape [${outChannels}], got ${formatShape(bias.shape)}`);
  }
  const lift = (v: number[]): number[] => (dims === 1 ? [1, v[0]!] : v);
  const strides = lift(spatial(op, "stride", stride, dims, 1));
  const dilations = lift(spatial(op, "dilation", dilation, dims, 1));
  let before: number[];
  let after: number[];
  if (padding === "valid") {
    before = after = [0, 0];
  } else if (padding === "same") {
    if (strides.some((s) => s !== 1))
      throw new Error(`${op}: padding "same" needs stride 1, got stride ${JSON.stringify(stride)}`);
    // As PyTorch: the total padding d·(k−1), the odd one out on the bottom/right.
    const total = kernel.map((k, i) => dilations[i]! * (k - 1));
    before = total.map((t) => Math.floor(t / 2));
    after = total.map((t, i) => t - before[i]!);
  } else {
    const pads = spatial(op, "padding", padding, dims, 0);
    before = after = dims === 1 ? [0, pads[0]!] : pads;
  }
  const out = [0, 1].map(
    (i) =>
      Math.floor((inSpatial[i]! + before[i]! + after[i]! - dilations[i]! * (kernel[i]! - 1) - 1) / strides[i]!) + 1,
  );
  if (out.some((o) => o < 1)) {
    throw new Error(
      `${op}: input ${formatShape(x.shape)} (padded ${before
        .map((b, i) => inSpatial[i]! + b + after[i]!)
        .slice(2 - dims)
        .join("×")}) is smaller than the kernel ${kernel
        .map((k, i) => dilations[i]! * (k - 1) + 1)
        .slice(2 - dims)
        .join("×")} (dilated)`,
    );
  }
  const geo: ConvGeometry = {
    channels: channels / groups,
    height: inSpatial[0]!,
    width: inSpatial[1]!,
    kh: kernel[0]!,
    kw: kernel[1]!,
    strideH: strides[0]!,
    strideW: strides[1]!,
    padTop: before[0]!,
    padLeft: before[1]!,
    dilationH: dilations[0]!,
    dilationW: dilations[1]!,
    outH: out[0]!,
    outW: out[1]!,
  };
  const outShape = dims === 1 ? [batch, outChannels, out[1]!] : [batch, outChannels, out[0]!, out[1]!];
  const inputs = [unbatched ? x.unsqueeze(0) : x, w];
  if (bias) inputs.push(bias);
  const y = apply(op === "conv1d" ? Conv1d : Conv2d, inputs, {
    geo,
    batch,
    outChannels,
    groups,
    hasBias: bias !== null,
    outShape,
    cols: null,
  });
  return unbatched ? y.squeeze(0) : y;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of x [N, C, H, W] (or [C, H, W]) with weight
 * [outC, C/groups, kh, kw] and an optional bias [outC]: [N, outC, Hout, Wout].
 * Example: `conv2d(randn([8, 1, 28, 28]), randn([6, 1, 5, 5]), null, { padding: 2 }).shape // [8, 6, 28, 28]`
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return convolve("conv2d", input, weight, bias, options);
}

/**
 * 1-D convolution of x [N, C, L] (or [C, L]) with weight [outC, C/groups, k]: [N, outC, Lout].
 * Example: `conv1d(randn([4, 2, 100]), randn([8, 2, 3])).shape // [4, 8, 98]`
 */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return convolve("conv1d", input, weight, bias, options);
}
