// Orderings along a dimension: sort (values and where they came from), topk, cumsum, and
// multinomial sampling. Values are differentiable: their gradient goes back to the positions
// they were taken from (a gather's backward); indices are int32 and carry none.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { type RandomGenerator, randomGenerator } from "../random.js";
import { formatShape, normalizeAxis } from "../shape.js";
import { Tensor } from "../tensor.js";
import { gather } from "./indexing.js";

/** Values and their int32 positions in the input. */
export interface SortResult {
  values: Tensor;
  indices: Tensor;
}

/** Options of `sort` and `topk`. */
export interface SortOptions {
  /** Largest first (default false for sort, true for topk). */
  descending?: boolean;
  /** The dimension to order along (default -1). */
  dim?: number;
}

/** Sizes of x viewed as [outer, len, inner] around `axis`. */
function around(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, len: shape[axis]!, inner };
}

/** The order of each line along `axis`, as int32 positions; NaN sorts last (as PyTorch), ties stable. */
function orderAlong(x: Tensor, axis: number, descending: boolean, k: number): Tensor {
  throwIfInterrupted();
  const { outer, len, inner } = around(x.shape, axis);
  const shape = [...x.shape];
  shape[axis] = k;
  const out = Tensor.zeros(shape, "int32");
  const src = x.raw;
  const dst = out.raw;
  const line = Array.from({ length: len }, (_, i) => i);
  const sign = descending ? -1 : 1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      const at = (j: number): number => src[base + j * inner]!;
      for (let j = 0; j < len; j++) line[j] = j;
      line.sort((a, b) => {
        const va = at(a);
        const vb = at(b);
        if (Number.isNaN(va) || Number.isNaN(vb)) return Number.isNaN(va) ? (Number.isNaN(vb) ? a - b : 1) : -1;
        return va === vb ? a - b : sign * (va < vb ? -1 : 1);
      });
      for (let j = 0; j < k; j++) dst[(o * k + j) * inner + i] = line[j]!;
    }
  }
  return out;
}

/**
 * The values along `dim` in order, and where each came from. Example:
 * `const { values, indices } = sort(tensor([3, 1, 2])) // values [1,2,3], indices [1,2,0]`
 */
export function sort(x: Tensor, { descending = false, dim = -1 }: SortOptions = {}): SortResult {
  const axis = normalizeAxis("sort", dim, x.ndim);
  if (x.ndim === 0) return { values: x, indices: Tensor.zeros([], "int32") };
  const indices = orderAlong(x, axis, descending, x.shape[axis]!);
  return { values: gather(x, axis, indices), indices };
}

/**
 * The k largest values along `dim` (smallest with `descending: false`) and their positions.
 * Example: `topk(logits, 5).indices` (the five most likely classes)
 */
export function topk(x: Tensor, k: number, { descending = true, dim = -1 }: SortOptions = {}): SortResult {
  const axis = normalizeAxis("topk", dim, Math.max(x.ndim, 1));
  const len = x.ndim === 0 ? 1 : x.shape[axis]!;
  if (!Number.isInteger(k) || k < 0 || k > len) {
    throw new RangeError(
      `topk: k must be an integer from 0 to ${len} (the size of dimension ${axis} of ${formatShape(x.shape)}), got ${k}`,
    );
  }
  if (x.ndim === 0) return { values: x, indices: Tensor.zeros([], "int32") };
  const indices = orderAlong(x, axis, descending, k);
  return { values: gather(x, axis, indices), indices };
}

// The gradient of a running sum: each input contributed to its own position and every later one,
// so dx is the reversed running sum of the gradient.
const Cumsum: Primitive<{ axis: number }> = {
  name: "cumsum",
  saves: false,
  forward: ([x], { axis }) => scan(x!, axis, false),
  backward: (g, _inputs, _out, { axis }) => [scan(g, axis, true)],
};

function scan(x: Tensor, axis: number, reverse: boolean): Tensor {
  const { outer, len, inner } = around(x.shape, axis);
  const out = Tensor.zeros(x.shape, x.dtype);
  const src = x.raw;
  const dst = out.raw;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let acc = 0;
      for (let step = 0; step < len; step++) {
        const j = reverse ? len - 1 - step : step;
        acc += src[base + j * inner]!;
        dst[base + j * inner] = acc;
      }
    }
  }
  return out;
}

/** Running sum along `dim`. Example: `cumsum(tensor([1, 2, 3]), 0) // [1, 3, 6]` */
export function cumsum(x: Tensor, dim: number): Tensor {
  throwIfInterrupted();
  if (x.ndim === 0) return x.clone();
  return apply(Cumsum, [x], { axis: normalizeAxis("cumsum", dim, x.ndim) });
}

/** Options of `multinomial`. */
export interface MultinomialOptions {
  /** Draw with replacement (default false, as PyTorch). */
  replacement?: boolean;
  /** Draw from this generator instead of the global one. */
  generator?: RandomGenerator;
}

/**
 * Draws `numSamples` category indices from each row of non-negative weights (1-D or 2-D), int32.
 * Example: `multinomial(probs, 1, { generator: g })` (sampling the next character)
 */
export function multinomial(
  weights: Tensor,
  numSamples: number,
  { replacement = false, generator }: MultinomialOptions = {},
): Tensor {
  throwIfInterrupted();
  if (weights.ndim !== 1 && weights.ndim !== 2)
    throw new Error(`multinomial: weights must be 1-D or 2-D, got shape ${formatShape(weights.shape)}`);
  const rows = weights.ndim === 2 ? weights.shape[0]! : 1;
  const n = weights.shape[weights.ndim - 1]!;
  if (!Number.isInteger(numSamples) || numSamples <= 0)
    throw new RangeError(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  if (!replacement && numSamples > n) {
    throw new RangeError(
      `multinomial: cannot draw ${numSamples} samples from ${n} categories without replacement (pass { replacement: true })`,
    );
  }
  const gen = generator ?? randomGenerator();
  const w = weights.raw;
  const out = Tensor.zeros(weights.ndim === 2 ? [rows, numSamples] : [numSamples], "int32");
  const row = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let j = 0; j < n; j++) {
      const v = w[r * n + j]!;
      if (!(v >= 0) || !Number.isFinite(v))
        throw new Error(`multinomial: weights must be finite and non-negative, got ${v} in row ${r}`);
      row[j] = v;
      total += v;
    }
    if (total <= 0) throw new Error(`multinomial: row ${r} of the weights sums to 0`);
    for (let s = 0; s < numSamples; s++) {
      let u = gen.random() * total;
      let pick = n - 1;
      for (let j = 0; j < n; j++) {
        u -= row[j]!;
        if (u < 0 && row[j]! > 0) {
          pick = j;
          break;
        }
      }
      while (row[pick] === 0 && pick > 0) pick--; // rounding at the end of the row
      out.raw[r * numSamples + s] = pick;
      if (!replacement) {
        total -= row[pick]!;
        row[pick] = 0;
        if (total <= 0 && s + 1 < numSamples)
          throw new Error(`multinomial: row ${r} has fewer than ${numSamples} categories with non-zero weight`);
      }
    }
  }
  return out;
}
