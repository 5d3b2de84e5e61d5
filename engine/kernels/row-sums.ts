// Column sums of a row-major matrix, the gradient of a row broadcast down it (a bias): shared by
// autograd's broadcast reduction and the linear layer's bias gradient.
import type { TypedArray } from "./types.js";

/**
 * out = the sum of x's out-sized rows, each column in four float64 accumulators: precise for any
 * batch, and no chain of adds each waiting for the previous one's float32 store.
 * Example: `sumRows(g, biasGrad)` with g [rows, cols] and biasGrad [cols]
 */
export function sumRows(x: TypedArray, out: TypedArray): void {
  const len = out.length;
  const rows = x.length / len;
  for (let j = 0; j < len; j++) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    let r = 0;
    let at = j;
    for (; r + 3 < rows; r += 4, at += 4 * len) {
      s0 += x[at]!;
      s1 += x[at + len]!;
      s2 += x[at + 2 * len]!;
      s3 += x[at + 3 * len]!;
    }
    for (; r < rows; r++, at += len) s0 += x[at]!;
    out[j] = s0 + s1 + (s2 + s3);
  }
}
