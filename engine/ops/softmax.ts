// softmax and logSoftmax, composed of primitives so their gradients come for free. Subtracting
// the row maximum (a constant: no gradient) first keeps exp from overflowing: softmax(x) = softmax(x − c).
import { noGrad } from "../autograd.js";
import type { Tensor } from "../tensor.js";

function rowMax(x: Tensor, axis: number): Tensor {
  return noGrad(() => x.max(axis, true));
}

/** eˣ normalised to sum to 1 along `axis`. Example: `softmax(logits, -1)` */
export function softmax(x: Tensor, axis = -1): Tensor {
  const e = x.sub(rowMax(x, axis)).exp();
  return e.div(e.sum(axis, true));
}

/** log(softmax(x)) by log-sum-exp: x − m − log Σ e^(x−m). Example: `logSoftmax(logits, 1)` */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const shifted = x.sub(rowMax(x, axis));
  return shifted.sub(shifted.exp().sum(axis, true).log());
}
