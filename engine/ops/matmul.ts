// Matrix product: 1-D (vectors), 2-D, and batched with NumPy broadcasting of the batch dims.
// Backward uses the transposed kernels (g @ Bᵀ, Aᵀ @ g) without copying a transpose.
import { apply, type Primitive } from "../autograd.js";
import { kernels, type DType } from "../kernels/index.js";
import { broadcastStrides, formatShape, shapeSize } from "../shape.js";
import { Tensor } from "../tensor.js";
import { promote } from "./operand.js";

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
  const out = Tensor.zeros([...batch, m, n], dtype);
  const count = shapeSize(batch);
  if (count === 1) {
    kernels.matmul(a.data, 0, b.data, 0, out.data, 0, m, k, n, transA, transB);
    return out;
  }
  // Offsets of each batch's matrices, counting in whole matrices (stride 0 where broadcast).
  const aStrides = broadcastStrides(a.shape.slice(0, -2), batch);
  const bStrides = broadcastStrides(b.shape.slice(0, -2), batch);
  for (let i = 0; i < count; i++) {
    let rest = i;
    let ai = 0;
    let bi = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      const idx = rest % batch[d]!;
      rest = (rest - idx) / batch[d]!;
      ai += idx * aStrides[d]!;
      bi += idx * bStrides[d]!;
    }
    kernels.matmul(a.data, ai * m * k, b.data, bi * k * n, out.data, i * m * n, m, k, n, transA, transB);
  }
  return out;
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
      throw new Error(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: batch dimensions ${formatShape(ba)} and ${formatShape(bb)} cannot broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

const MatMul: Primitive<{ batch: number[] }> = {
  name: "matmul",
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
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: both need at least 1 dimension (use mul for scalars)`);
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
