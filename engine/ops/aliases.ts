// PyTorch's names for products and joins we already have, with PyTorch's stricter shape rules:
// `mm` is 2-D only and `bmm` 3-D only (a student porting code gets the same errors there).
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { concat } from "./layout.js";
import { matmul } from "./matmul.js";

/** Joins tensors along an existing dimension (torch.cat; same as concat). Example: `cat([a, b], 1)` */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors)) throw new TypeError("cat: pass the tensors as an array: cat([a, b], dim)");
  return concat(tensors, dim);
}

/** Matrix product of two 2-D tensors [n,k] @ [k,m]. Example: `mm(x, w)` */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new Error(
      `mm: expects two 2-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)} (matmul broadcasts batches)`,
    );
  }
  return matmul(a, b);
}

/** Batched matrix product of two 3-D tensors [b,n,k] @ [b,k,m]. Example: `bmm(q, k.transpose(1, 2))` */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new Error(
      `bmm: expects two 3-D tensors with the same batch size, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  return matmul(a, b);
}
