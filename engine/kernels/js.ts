// The plain TypeScript hot loops: the reference implementation of the Kernels interface.
// No closures per element: each op is its own loop; strided iteration runs one row at a time.

import { adamJs } from "./js-adam.js";
import { attentionBackwardJs, attentionJs } from "./js-attention.js";
import { geluExact } from "./js-gelu.js";
import { layerNormBackwardJs, layerNormJs } from "./js-layer-norm.js";
import { matmulBatchJs, matmulJs } from "./js-matmul.js";
import { BITS_MIN_LENGTH, reluMask, reluMaskF32, UNARY_LOOPS } from "./js-unary.js";
import type { BinaryOp, Kernels, ReduceOp, TypedArray, UnaryOp } from "./types.js";

type RowLoop = (
  a: TypedArray,
  ao: number,
  as: number,
  b: TypedArray,
  bo: number,
  bs: number,
  out: TypedArray,
  oo: number,
  n: number,
) => void;

// Comparisons write +(a < b): V8 turns a boolean into 0/1 without a branch, while `c ? 1 : 0`
// and `c ? v : 0` compile to jumps that mispredict on mixed signs (1M random floats: ~3.5×
// slower). The unary loops, ReLU's masks included, are in js-unary.ts.

// One function per binary op, called once per row (never per element).
const BINARY_ROWS: Record<BinaryOp, RowLoop> = {
  add: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as]! + b[bo + i * bs]!;
  },
  sub: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as]! - b[bo + i * bs]!;
  },
  mul: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as]! * b[bo + i * bs]!;
  },
  div: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as]! / b[bo + i * bs]!;
  },
  pow: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as]! ** b[bo + i * bs]!;
  },
  maximum: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) {
      const x = a[ao + i * as]!,
        y = b[bo + i * bs]!;
      out[oo + i] = x > y || x !== x ? x : y;
    }
  },
  minimum: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) {
      const x = a[ao + i * as]!,
        y = b[bo + i * bs]!;
      out[oo + i] = x < y || x !== x ? x : y;
    }
  },
  eq: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = +(a[ao + i * as] === b[bo + i * bs]);
  },
  ne: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = +(a[ao + i * as] !== b[bo + i * bs]);
  },
  lt: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = +(a[ao + i * as]! < b[bo + i * bs]!);
  },
  le: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = +(a[ao + i * as]! <= b[bo + i * bs]!);
  },
  gt: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = +(a[ao + i * as]! > b[bo + i * bs]!);
  },
  ge: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = +(a[ao + i * as]! >= b[bo + i * bs]!);
  },
  reluGrad: (a, ao, as, b, bo, bs, out, oo, n) => {
    for (let i = 0; i < n; i++) out[oo + i] = reluMask(a[ao + i * as]!, b[bo + i * bs]!);
  },
};

// The common layouts get loops without stride arithmetic (~30% faster on 1M float32 elements):
// both operands laid out like the output, or one of them a single value (x.mul(2), x.sub(1)).
type SameLayoutLoop = (a: TypedArray, b: TypedArray, out: TypedArray, n: number) => void;
type ScalarLoop = (a: TypedArray, s: number, out: TypedArray, n: number) => void;

const SAME_LAYOUT: Partial<Record<BinaryOp, SameLayoutLoop>> = {
  add: (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
  },
  sub: (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
  },
  mul: (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
  },
  div: (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
  },
  reluGrad: (a, b, out, n) => {
    if (n >= BITS_MIN_LENGTH && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) {
      return reluMaskF32(a, b, out, n);
    }
    for (let i = 0; i < n; i++) out[i] = reluMask(a[i]!, b[i]!);
  },
};

/** out = a op s (the scalar on the right). */
const SCALAR_RIGHT: Partial<Record<BinaryOp, ScalarLoop>> = {
  add: (a, s, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! + s;
  },
  sub: (a, s, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! - s;
  },
  mul: (a, s, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! * s;
  },
  div: (a, s, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! / s;
  },
};

/** out = s op b (the scalar on the left). */
const SCALAR_LEFT: Partial<Record<BinaryOp, ScalarLoop>> = {
  add: (b, s, out, n) => {
    for (let i = 0; i < n; i++) out[i] = s + b[i]!;
  },
  sub: (b, s, out, n) => {
    for (let i = 0; i < n; i++) out[i] = s - b[i]!;
  },
  mul: (b, s, out, n) => {
    for (let i = 0; i < n; i++) out[i] = s * b[i]!;
  },
  div: (b, s, out, n) => {
    for (let i = 0; i < n; i++) out[i] = s / b[i]!;
  },
};

/** out = x op block, the `len`-element block repeated over x's n elements (block on the right). */
type BlockLoop = (x: TypedArray, block: TypedArray, out: TypedArray, n: number, len: number) => void;

const BLOCK_RIGHT: Partial<Record<BinaryOp, BlockLoop>> = {
  add: (x, b, out, n, len) => {
    for (let at = 0; at < n; at += len) for (let i = 0; i < len; i++) out[at + i] = x[at + i]! + b[i]!;
  },
  sub: (x, b, out, n, len) => {
    for (let at = 0; at < n; at += len) for (let i = 0; i < len; i++) out[at + i] = x[at + i]! - b[i]!;
  },
  mul: (x, b, out, n, len) => {
    for (let at = 0; at < n; at += len) for (let i = 0; i < len; i++) out[at + i] = x[at + i]! * b[i]!;
  },
  div: (x, b, out, n, len) => {
    for (let at = 0; at < n; at += len) for (let i = 0; i < len; i++) out[at + i] = x[at + i]! / b[i]!;
  },
};

/** out = block op x (block on the left). */
const BLOCK_LEFT: Partial<Record<BinaryOp, BlockLoop>> = {
  add: (x, b, out, n, len) => {
    for (let at = 0; at < n; at += len) for (let i = 0; i < len; i++) out[at + i] = b[i]! + x[at + i]!;
  },
  sub: (x, b, out, n, len) => {
    for (let at = 0; at < n; at += len) for (let i = 0; i < len; i++) out[at + i] = b[i]! - x[at + i]!;
  },
  mul: (x, b, out, n, len) => {
    for (let at = 0; at < n; at += len) for (let i = 0; i < len; i++) out[at + i] = b[i]! * x[at + i]!;
  },
  div: (x, b, out, n, len) => {
    for (let at = 0; at < n; at += len) for (let i = 0; i < len; i++) out[at + i] = b[i]! / x[at + i]!;
  },
};

/**
 * Σ x[from..from+n) in float64 with four accumulators: one chain of dependent additions waits
 * for each add to finish (~1.5× slower on 1M elements); four chains overlap.
 */
function sumRange(x: TypedArray, from: number, n: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const end = from + n;
  let i = from;
  for (; i + 3 < end; i += 4) {
    s0 += x[i]!;
    s1 += x[i + 1]!;
    s2 += x[i + 2]!;
    s3 += x[i + 3]!;
  }
  for (; i < end; i++) s0 += x[i]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Drops size-1 dimensions and merges neighbours that every operand walks contiguously, so the
 * inner row is as long as possible ([32,10]+[32,10] becomes one row of 320).
 */
function collapse(shape: readonly number[], strides: (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = dims.length - 1;
    let merge = last >= 0;
    for (let s = 0; merge && s < strides.length; s++) {
      if (out[s]![last] !== strides[s]![d]! * size) merge = false;
    }
    if (merge) {
      dims[last] = dims[last]! * size;
      for (let s = 0; s < strides.length; s++) out[s]![last] = strides[s]![d]!;
    } else {
      dims.push(size);
      for (let s = 0; s < strides.length; s++) out[s]!.push(strides[s]![d]!);
    }
  }
  return { dims, strides: out };
}

/**
 * True when an operand of `length` elements read with `strides` over `shape` is one contiguous
 * block (its trailing dimensions) repeated along the leading ones, which have stride 0.
 */
function isRepeatedBlock(strides: readonly number[], shape: readonly number[], length: number): boolean {
  let block = 1;
  let d = shape.length - 1;
  for (; d >= 0 && block < length; d--) {
    if (shape[d] !== 1 && strides[d] !== block) return false;
    block *= shape[d]!;
  }
  if (block !== length || length === 0) return false;
  for (; d >= 0; d--) if (strides[d] !== 0 && shape[d] !== 1) return false;
  return true;
}

/**
 * Walks the rows of `dims` (all but the last dimension), calling `row` with each operand's
 * offset. `row` is called once per row, so its cost is amortised over the row's elements.
 */
function forEachRow(dims: number[], strides: number[][], row: (offsets: number[], rowIndex: number) => void): void {
  const nd = dims.length;
  const offsets = strides.map(() => 0);
  if (nd <= 1) {
    row(offsets, 0);
    return;
  }
  const counter = new Array<number>(nd - 1).fill(0);
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= dims[d]!;
  for (let r = 0; r < rows; r++) {
    row(offsets, r);
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]!++;
      for (let s = 0; s < strides.length; s++) offsets[s]! += strides[s]![d];
      if (counter[d]! < dims[d]!) break;
      for (let s = 0; s < strides.length; s++) offsets[s]! -= strides[s]![d]! * dims[d]!;
      counter[d] = 0;
    }
  }
}

export const jsKernels: Kernels = {
  name: "js",
  matmulBlockWork: 1 << 24, // ~10 ms at this kernel's 1–2 GFLOPS

  gelu(x, out, derivative): void {
    geluExact(x, out, derivative);
  },

  adam(p, grad, m, v, c): void {
    adamJs(p, grad, m, v, c);
  },

  attention: attentionJs,
  attentionBackward: attentionBackwardJs,
  layerNorm: layerNormJs,
  layerNormBackward: layerNormBackwardJs,

  unary(op: UnaryOp, x: TypedArray, out: TypedArray, p0: number, p1: number): void {
    UNARY_LOOPS[op](x, out, x.length, p0, p1);
  },

  binary(op, a, aStrides, b, bStrides, out, shape): void {
    const loop = BINARY_ROWS[op];
    const n = out.length;
    if (n === 0) return;
    // Fast paths: same layout, or one side a single value.
    if (a.length === n && b.length === n) {
      const same = SAME_LAYOUT[op];
      return same ? same(a, b, out, n) : loop(a, 0, 1, b, 0, 1, out, 0, n);
    }
    if (a.length === n && b.length === 1) {
      const right = SCALAR_RIGHT[op];
      return right ? right(a, b[0]!, out, n) : loop(a, 0, 1, b, 0, 0, out, 0, n);
    }
    if (a.length === 1 && b.length === n) {
      const left = SCALAR_LEFT[op];
      return left ? left(b, a[0]!, out, n) : loop(a, 0, 0, b, 0, 1, out, 0, n);
    }
    // One side a block repeated along the leading dimensions (a bias row added to a batch):
    // a row loop per repeat, without collapsing the strides first.
    if (a.length === n && isRepeatedBlock(bStrides, shape, b.length)) {
      const len = b.length;
      const rows = BLOCK_RIGHT[op];
      if (rows) return rows(a, b, out, n, len);
      for (let at = 0; at < n; at += len) loop(a, at, 1, b, 0, 1, out, at, len);
      return;
    }
    if (b.length === n && isRepeatedBlock(aStrides, shape, a.length)) {
      const len = a.length;
      const rows = BLOCK_LEFT[op];
      if (rows) return rows(b, a, out, n, len);
      for (let at = 0; at < n; at += len) loop(a, 0, 1, b, at, 1, out, at, len);
      return;
    }
    const { dims, strides } = collapse(shape, [aStrides, bStrides]);
    const nd = dims.length;
    const inner = nd === 0 ? 1 : dims[nd - 1]!;
    const sa = nd === 0 ? 0 : strides[0]![nd - 1]!;
    const sb = nd === 0 ? 0 : strides[1]![nd - 1]!;
    if (nd === 2) {
      // Rows of a matrix, e.g. a bias row added to every row of a batch: no row walker needed.
      const ra = strides[0]![0]!,
        rb = strides[1]![0]!;
      for (let r = 0; r < dims[0]!; r++) loop(a, r * ra, sa, b, r * rb, sb, out, r * inner, inner);
      return;
    }
    forEachRow(dims, strides, (o, r) => loop(a, o[0]!, sa, b, o[1]!, sb, out, r * inner, inner));
  },

  select(cond, cStrides, a, aStrides, b, bStrides, out, shape): void {
    if (out.length === 0) return;
    const { dims, strides } = collapse(shape, [cStrides, aStrides, bStrides]);
    const nd = dims.length;
    const inner = nd === 0 ? 1 : dims[nd - 1]!;
    const last = (s: number): number => (nd === 0 ? 0 : strides[s]![nd - 1]!);
    const sc = last(0),
      sa = last(1),
      sb = last(2);
    forEachRow(dims, strides, (o, r) => {
      const oo = r * inner;
      for (let i = 0; i < inner; i++) {
        out[oo + i] = cond[o[0]! + i * sc] !== 0 ? a[o[1]! + i * sa]! : b[o[2]! + i * sb]!;
      }
    });
  },

  matmul: matmulJs,
  matmulBatch: matmulBatchJs,

  reduce(op: ReduceOp, x, outer, len, inner, out): void {
    // Column sums of float32 data accumulate in float64, then round once (like the row case).
    const acc64 = op === "sum" && inner > 1 && !(out instanceof Float64Array) ? new Float64Array(inner) : null;
    for (let o = 0; o < outer; o++) {
      const base = o * len * inner;
      const ob = o * inner;
      if (inner === 1) {
        // Double accumulators keep float32 sums accurate.
        if (op === "sum") {
          out[ob] = sumRange(x, base, len);
          continue;
        }
        let acc = len > 0 ? x[base]! : NaN;
        if (op === "max")
          for (let r = 1; r < len; r++) {
            const v = x[base + r]!;
            if (v > acc || v !== v) acc = v;
          }
        else
          for (let r = 1; r < len; r++) {
            const v = x[base + r]!;
            if (v < acc || v !== v) acc = v;
          }
        out[ob] = acc;
        continue;
      }
      if (acc64) {
        acc64.fill(0);
        for (let r = 0; r < len; r++) {
          const rb = base + r * inner;
          for (let i = 0; i < inner; i++) acc64[i]! += x[rb + i];
        }
        for (let i = 0; i < inner; i++) out[ob + i] = acc64[i]!;
        continue;
      }
      for (let i = 0; i < inner; i++) out[ob + i] = len > 0 ? x[base + i]! : op === "sum" ? 0 : NaN;
      for (let r = 1; r < len; r++) {
        const rb = base + r * inner;
        if (op === "sum") for (let i = 0; i < inner; i++) out[ob + i]! += x[rb + i];
        else if (op === "max")
          for (let i = 0; i < inner; i++) {
            const v = x[rb + i]!;
            if (v > out[ob + i]! || v !== v) out[ob + i] = v;
          }
        else
          for (let i = 0; i < inner; i++) {
            const v = x[rb + i]!;
            if (v < out[ob + i]! || v !== v) out[ob + i] = v;
          }
      }
    }
  },

  argReduce(op, x, outer, len, inner, out): void {
    const isMax = op === "max";
    for (let o = 0; o < outer; o++) {
      const base = o * len * inner;
      for (let i = 0; i < inner; i++) {
        let best = x[base + i]!;
        let at = 0;
        for (let r = 1; r < len; r++) {
          const v = x[base + r * inner + i]!;
          if (best !== best) break; // NaN wins, like PyTorch
          if (isMax ? v > best || v !== v : v < best || v !== v) {
            best = v;
            at = r;
          }
        }
        out[o * inner + i] = at;
      }
    }
  },

  copyStrided(x, xOffset, xStrides, shape, out): void {
    if (out.length === 0) return;
    const outStrides = contiguous(shape);
    const { dims, strides } = collapse(shape, [xStrides, outStrides]);
    const nd = dims.length;
    const inner = nd === 0 ? 1 : dims[nd - 1]!;
    const sx = nd === 0 ? 0 : strides[0]![nd - 1]!;
    if (nd === 2 && sx !== 1 && sx !== 0 && dims[0]! >= TILE && inner >= TILE) {
      copyTiles(x, xOffset, strides[0]![0]!, sx, dims[0]!, inner, out);
      return;
    }
    forEachRow(dims, strides, (o) => {
      const xo = xOffset + o[0]!,
        oo = o[1]!;
      for (let i = 0; i < inner; i++) out[oo + i] = x[xo + i * sx]!;
    });
  },

  addStrided(x, shape, out, outOffset, outStrides): void {
    if (x.length === 0) return;
    const { dims, strides } = collapse(shape, [contiguous(shape), outStrides]);
    const nd = dims.length;
    const inner = nd === 0 ? 1 : dims[nd - 1]!;
    const so = nd === 0 ? 0 : strides[1]![nd - 1]!;
    forEachRow(dims, strides, (o) => {
      const xo = o[0]!,
        oo = outOffset + o[1]!;
      if (so === 0) {
        let s = 0;
        for (let i = 0; i < inner; i++) s += x[xo + i]!;
        out[oo]! += s;
      } else {
        for (let i = 0; i < inner; i++) out[oo + i * so]! += x[xo + i];
      }
    });
  },
};

const TILE = 32; // 32×32 float32 tiles: source and destination lines both stay in L1

/**
 * out (rows×cols, contiguous) = x read with strides (rowStride, colStride), in square tiles. A
 * transpose read row by row touches a new cache line per element (784×256: ~10× slower).
 */
function copyTiles(
  x: TypedArray,
  xo: number,
  rowStride: number,
  colStride: number,
  rows: number,
  cols: number,
  out: TypedArray,
): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) {
        const src = xo + r * rowStride;
        const dst = r * cols;
        for (let c = c0; c < c1; c++) out[dst + c] = x[src + c * colStride]!;
      }
    }
  }
}

function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}
