// Standardisation: rescale each feature column to mean 0 and standard deviation 1, so features
// measured in different units train at the same pace. Fit the statistics on the training data
// and reuse them for test data (otherwise the test set leaks into training).

import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** Per-column statistics and the transforms that use them. */
export interface Standardizer {
  /** Column means [features]. */
  mean: Tensor;
  /** Column standard deviations [features] (population, as scikit-learn; 1 where a column is constant). */
  std: Tensor;
  /** (x − mean) / std. */
  transform(x: Tensor): Tensor;
  /** x · std + mean (back to the original units). */
  inverse(x: Tensor): Tensor;
}

/**
 * Learns column means and standard deviations of x [n, features].
 * Example: `const scaler = data.fitStandardizer(xTrain); const xTestS = scaler.transform(xTest)`
 */
export function fitStandardizer(x: Tensor): Standardizer {
  if (x.ndim !== 2 || x.shape[0] === 0)
    throw new Error(`fitStandardizer: needs a non-empty [n, features] tensor, got shape ${formatShape(x.shape)}`);
  const [n, d] = x.shape as [number, number];
  const dtype = x.dtype === "float64" ? "float64" : "float32";
  const mean = Tensor.zeros([d], dtype);
  const std = Tensor.zeros([d], dtype);
  for (let j = 0; j < d; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x.data[i * d + j]!;
    const m = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (x.data[i * d + j]! - m) ** 2;
    const s = Math.sqrt(squares / n);
    mean.data[j] = m;
    std.data[j] = s > 0 ? s : 1; // a constant column stays 0 instead of dividing by zero
  }
  const checked = (op: string, t: Tensor): Tensor => {
    if (t.shape[t.ndim - 1] !== d)
      throw new Error(`${op}: expected ${d} features in the last dimension, got shape ${formatShape(t.shape)}`);
    return t;
  };
  return {
    mean,
    std,
    transform: (t) => checked("standardize", t).sub(mean).div(std),
    inverse: (t) => checked("standardize.inverse", t).mul(std).add(mean),
  };
}

/** Rescales each column of x [n, features] to mean 0, std 1. Example: `const xs = data.standardize(iris().x)` */
export function standardize(x: Tensor): Tensor {
  return fitStandardizer(x).transform(x);
}
