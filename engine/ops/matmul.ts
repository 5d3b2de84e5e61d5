// Matrix product: 1-D (vectors), 2-D, and batched with NumPy broadcasting of the batch dims.
// Backward uses the transposed kernels (g @ Bᵀ, Aᵀ @ g) without copying a transpose.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { type DType, kernels, type TypedArray } from "../kernels/index.js";
import { sumRows } from "../kernels/row-sums.js";
import { broadcastStrides, formatShape, shapeSize } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkOperand, promote } from "./operand.js";

/**
 * op(A) @ op(B) over broadcast batch dims, where op transposes the last two dims when asked.
 * `a`: [...batchA, m, k] (or [..., k, m] with transA), `b`: [...batchB, k, n] (or [..., n, k]).
 */
function batchedMatmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean, dtype: DType, batch: number[]): Tensor {
  const ar = a.ndim;
  const br = b.ndim;
  const m = transA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
  const k = transA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const n = transB ? b.shape[br - 2]! : b.shape[br - 1]!;
  const out = Tensor.unfilled([...batch, m, n], dtype); // every block is overwritten
  const count = shapeSize(batch);
  if (count === 0) return out;
  if (count === 1) {
    rowBlocks(a, b, out, 0, 0, 0, m, k, n, transA, transB);
    return out;
  }
  // Offsets of each batch's matrices, counting in whole matrices (stride 0 where broadcast).
  const aStrides = broadcastStrides(a.shape.slice(0, -2), batch);
  const bStrides = broadcastStrides(b.shape.slice(0, -2), batch);
  if (m * k * n <= kernels.matmulBlockWork) {
    productsPerBatchRow(a, b, out, aStrides, bStrides, batch, m, k, n, transA, transB);
    return out;
  }
  for (let i = 0; i < count; i++) {
    const [ai, bi] = matrixOffsets(i, batch, batch.length, aStrides, bStrides);
    rowBlocks(a, b, out, ai * m * k, bi * k * n, i * m * n, m, k, n, transA, transB);
  }
  return out;
}

/** Which of A's and B's matrices (counted in whole matrices) batch item `index` of the first `dims` batch dimensions multiplies. */
function matrixOffsets(
  index: number,
  batch: number[],
  dims: number,
  aStrides: number[],
  bStrides: number[],
): [number, number] {
  let rest = index;
  let ai = 0;
  let bi = 0;
  for (let d = dims - 1; d >= 0; d--) {
    const idx = rest % batch[d]!;
    rest = (rest - idx) / batch[d]!;
    ai += idx * aStrides[d]!;
    bi += idx * bStrides[d]!;
  }
  return [ai, bi];
}

/**
 * The products of a batch whose matrices are each small, the last batch dimension's products in
 * one batched kernel call (on WebAssembly: one call and one copy of the operands instead of one
 * per product, as in attention's [batch, heads, t, d] products), split so each call stays within
 * the interrupt-check budget; the leading batch dimensions are walked here.
 */
function productsPerBatchRow(
  a: Tensor,
  b: Tensor,
  out: Tensor,
  aStrides: number[],
  bStrides: number[],
  batch: number[],
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): void {
  const last = batch.length - 1;
  const inner = batch[last]!;
  const perCall = Math.max(1, Math.floor(kernels.matmulBlockWork / Math.max(1, m * k * n)));
  const rows = shapeSize(batch) / inner;
  for (let row = 0; row < rows; row++) {
    const [ai, bi] = matrixOffsets(row, batch, last, aStrides, bStrides);
    for (let first = 0; first < inner; first += perCall) {
      throwIfInterrupted();
      kernels.matmulBatch(
        {
          data: a.raw,
          offset: (ai + first * aStrides[last]!) * m * k,
          outer: 0,
          inner: aStrides[last]! * m * k,
          row: transA ? 1 : k,
          col: transA ? m : 1,
        },
        {
          data: b.raw,
          offset: (bi + first * bStrides[last]!) * k * n,
          outer: 0,
          inner: bStrides[last]! * k * n,
          row: transB ? 1 : n,
          col: transB ? k : 1,
        },
        { data: out.raw, offset: (row * inner + first) * m * n, outer: 0, inner: m * n, row: n, col: 1 },
        1,
        Math.min(perCall, inner - first),
        m,
        k,
        n,
      );
    }
  }
}

/**
 * One matrix product, in blocks of rows when it is big, checking for an interrupt between
 * blocks (a 2000×2000 product takes seconds; the kernel must stop within about one). The block
 * is ~10 ms of the active kernels' work: the WebAssembly kernels re-pack B for every block, so
 * blocks sized for the plain-JS kernel would cost them a third of their speed.
 */
function rowBlocks(
  a: Tensor,
  b: Tensor,
  out: Tensor,
  ao: number,
  bo: number,
  oo: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): void {
  const rowsPerBlock = transA ? m : Math.max(1, Math.floor(kernels.matmulBlockWork / Math.max(1, k * n)));
  if (rowsPerBlock >= m) {
    kernels.matmul(a.raw, ao, b.raw, bo, out.raw, oo, m, k, n, transA, transB);
    return;
  }
  for (let i = 0; i < m; i += rowsPerBlock) {
    throwIfInterrupted();
    const rows = Math.min(rowsPerBlock, m - i);
    kernels.matmul(a.raw, ao + i * k, b.raw, bo, out.raw, oo + i * n, rows, k, n, false, transB);
  }
}

function batchShape(a: Tensor, b: Tensor): number[] {
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const n = Math.max(ba.length, bb.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = ba[i - (n - ba.length)] ?? 1;
    const db = bb[i - (n - bb.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: batch dimensions ${formatShape(ba)} and ${formatShape(bb)} cannot broadcast`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

const MatMul: Primitive<{ batch: number[] }> = {
  name: "matmul",
  saves: "inputs",
  forward: ([a, b], { batch }) => batchedMatmul(a!, b!, false, false, promote(a!.dtype, b!.dtype), batch),
  // dA = g @ Bᵀ, dB = Aᵀ @ g; batch dims that were broadcast are summed by autograd.
  backward: (g, [a, b], _out, { batch }) => [
    a!.requiresGrad ? batchedMatmul(g, b!, false, true, g.dtype, batch) : null,
    b!.requiresGrad ? batchedMatmul(a!, g, true, false, g.dtype, batch) : null,
  ],
};

/**
 * Matrix product. 2-D: [m,k] @ [k,n] → [m,n]; 1-D operands act as a row/column vector; more dims
 * are batches (broadcast). Example: `matmul(x, w)` with x [32,4], w [4,10] → [32,10]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
    checkOperand("matmul", a);
    checkOperand("matmul", b);
    throw new TypeError("matmul: both arguments must be tensors (use mul to scale by a number)");
  }
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(
      `matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: both need at least 1 dimension (use mul for scalars)`,
    );
  }
  const k = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (k !== kb) {
    throw new Error(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: inner sizes ${k} and ${kb} differ`);
  }
  // Vectors become 1-row / 1-column matrices, and that dimension is dropped again afterwards.
  const a2 = a.ndim === 1 ? a.reshape([1, k]) : a;
  const b2 = b.ndim === 1 ? b.reshape([k, 1]) : b;
  let out = apply(MatMul, [a2, b2], { batch: batchShape(a2, b2) });
  if (b.ndim === 1) out = out.squeeze(-1);
  if (a.ndim === 1) out = out.squeeze(a.ndim === 1 && b.ndim === 1 ? 0 : -2);
  return out;
}

const Linear: Primitive<{ rows: number; outShape: number[] }> = {
  name: "linear",
  saves: "inputs",
  // x [rows, in] @ Wᵀ with W stored [out, in]: the transposed kernel, no copy of W.
  forward: ([x, w, b], { rows, outShape }) => {
    const [outF, inF] = w!.shape as [number, number];
    const out = Tensor.unfilled(outShape, promote(x!.dtype, w!.dtype)); // the product overwrites it
    kernels.matmul(x!.raw, 0, w!.raw, 0, out.raw, 0, rows, inF, outF, false, true);
    if (b) addBias(out.raw, b.raw, rows, outF);
    return out;
  },
  // dx = g @ W, dW = gᵀ @ x, db = column sums of g.
  backward: (g, [x, w, b], _out, { rows }) => {
    const [outF, inF] = w!.shape as [number, number];
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    if (x!.requiresGrad) {
      dx = Tensor.unfilled(x!.shape, g.dtype);
      kernels.matmul(g.raw, 0, w!.raw, 0, dx.raw, 0, rows, outF, inF, false, false);
    }
    if (w!.requiresGrad) {
      dw = Tensor.unfilled(w!.shape, g.dtype);
      kernels.matmul(g.raw, 0, x!.raw, 0, dw.raw, 0, outF, rows, inF, true, false);
    }
    return [dx, dw, b?.requiresGrad ? columnSums(g, rows, outF) : null];
  },
};

/** out[r, j] += bias[j], four rows per pass over the bias (each load used four times: ~2× faster). */
function addBias(out: TypedArray, bias: TypedArray, rows: number, cols: number): void {
  let r = 0;
  let at = 0;
  for (; r + 3 < rows; r += 4, at += 4 * cols) {
    const a1 = at + cols,
      a2 = a1 + cols,
      a3 = a2 + cols;
    for (let j = 0; j < cols; j++) {
      const b = bias[j]!;
      out[at + j]! += b;
      out[a1 + j]! += b;
      out[a2 + j]! += b;
      out[a3 + j]! += b;
    }
  }
  for (; r < rows; r++, at += cols) for (let j = 0; j < cols; j++) out[at + j]! += bias[j];
}

const SMALL_COLUMN_SUMS = 4096; // elements of g

/**
 * The bias gradient: g [rows, cols] summed over rows. Up to 1024 rows as the product 1ᵀ g on the
 * active kernels (float32 accumulation, like autograd's broadcast reduction at that size; the
 * WebAssembly kernel sums 512×256 in ~60 µs, a JS loop in ~170 µs); more rows in float64, as
 * that reduction does, so a big batch's bias gradient keeps float32 precision. Returning g for
 * the generic reduction instead cost a strided walk with a call per row.
 */
function columnSums(g: Tensor, rows: number, cols: number): Tensor {
  const out = Tensor.zeros([cols], g.dtype);
  const data = g.raw;
  if (rows * cols <= SMALL_COLUMN_SUMS) {
    // A small gradient (the classroom's [32,10]): a plain loop costs less than the product's
    // dispatch and the array of ones it would allocate.
    sumRows(data, out.raw);
    return out;
  }
  if (rows < 1024) {
    const ones = (g.raw instanceof Float64Array ? new Float64Array(rows) : new Float32Array(rows)).fill(1);
    kernels.matmul(ones, 0, g.raw, 0, out.raw, 0, 1, rows, cols, false, false);
    return out;
  }
  const acc = new Float64Array(cols);
  for (let r = 0, at = 0; r < rows; r++, at += cols) for (let j = 0; j < cols; j++) acc[j]! += data[at + j];
  out.raw.set(acc);
  return out;
}

/**
 * x @ weightᵀ + bias, the fully connected layer (PyTorch's F.linear): weight is [out, in] and is
 * read transposed in place. Example: `linear(x, w, b)` with x [32,4], w [10,4], b [10] → [32,10]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2) throw new Error(`linear: weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(
      `linear: input ${formatShape(x.shape)} @ weightᵀ ${formatShape([inF, outF])}: last size must be ${inF}`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias of shape ${formatShape(bias.shape)} does not match ${outF} outputs`);
  }
  const rows = x.numel() / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  return apply(Linear, bias ? [x, weight, bias] : [x, weight], { rows, outShape });
}
