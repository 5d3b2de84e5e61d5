// Datasets: anything with a length and a way to get sample i. TensorDataset is the common one:
// tensors sharing their first dimension (features and labels), sample i being row i of each.

import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** A collection of samples a DataLoader can batch: `length` samples, each a tuple of tensors. */
export interface Dataset<Sample extends Tensor[] = Tensor[]> {
  readonly length: number;
  /** Sample i as a tuple of tensors (features, labels, …). */
  get(i: number): Sample;
}

/**
 * Rows of tensors that share their first dimension: sample i is [x[i], y[i], …].
 * Example: `const ds = new data.TensorDataset(X, y); ds.length // X.shape[0]`
 */
export class TensorDataset<Sample extends Tensor[] = Tensor[]> implements Dataset<Sample> {
  readonly tensors: Sample;

  constructor(...tensors: Sample) {
    if (tensors.length === 0) throw new Error("TensorDataset: give at least one tensor");
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: every item must be a Tensor, got ${String(t)}`);
      if (t.ndim === 0) throw new Error("TensorDataset: a scalar tensor has no rows; give tensors of shape [n, …]");
    }
    const n = tensors[0]!.shape[0]!;
    const mismatch = tensors.find((t) => t.shape[0] !== n);
    if (mismatch !== undefined) {
      throw new Error(
        `TensorDataset: all tensors need the same number of rows; got shapes ${tensors.map((t) => formatShape(t.shape)).join(", ")}`,
      );
    }
    this.tensors = tensors;
  }

  /** Number of samples (rows). Example: `ds.length` */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Sample i: row i of every tensor. Example: `const [x0, y0] = ds.get(0)` */
  get(i: number): Sample {
    return this.getRows([i]).map((t) => t.reshape(t.shape.slice(1))) as Sample;
  }

  /** A one-line description. Example: `String(ds) // "TensorDataset(256 samples: [256,4] float32, [256,1] float32)"` */
  toString(): string {
    return `TensorDataset(${this.length} samples: ${this.tensors.map((t) => `${formatShape(t.shape)} ${t.dtype}`).join(", ")})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** The rows at `indices` of every tensor, copied, as a batch (no graph). Example: `ds.getRows([0, 5, 7])` */
  getRows(indices: readonly number[]): Sample {
    const n = this.length;
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= n)
        throw new RangeError(`TensorDataset: index ${i} is out of range for ${n} samples`);
    }
    return this.tensors.map((t) => takeRows(t, indices)) as Sample;
  }
}

/** Copies rows of a tensor into a new one of shape [indices.length, …rest]. */
export function takeRows(t: Tensor, indices: readonly number[]): Tensor {
  const rowSize = t.shape[0] === 0 ? 0 : t.numel() / t.shape[0]!;
  const out = Tensor.zeros([indices.length, ...t.shape.slice(1)], t.dtype);
  for (let r = 0; r < indices.length; r++) {
    const start = indices[r]! * rowSize;
    out.data.set(t.data.subarray(start, start + rowSize), r * rowSize);
  }
  return out;
}
