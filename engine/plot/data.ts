// Turning what students have at hand (arrays, typed arrays, tensors, records of series) into
// the flat rows a Vega-Lite spec carries inline.
import { Tensor } from "../tensor.js";
import type { Row } from "./spec.js";

/** Numbers in any of the forms charts accept. */
export type Numbers = readonly number[] | ArrayLike<number> | Tensor;

/** Several named series: `{ train: [...], test: [...] }`. */
export type Series = Record<string, Numbers>;

/** The values as a plain number array (tensors flattened). */
export function toNumbers(values: Numbers, what = "values"): number[] {
  if (values instanceof Tensor) return Array.from(values.data, Number);
  if (typeof (values as ArrayLike<number>).length !== "number") {
    throw new TypeError(`plot: ${what} must be an array of numbers or a tensor`);
  }
  return Array.from(values as ArrayLike<number>, Number);
}

/** True for something `toNumbers` accepts. */
export function isNumbers(value: unknown): value is Numbers {
  if (value instanceof Tensor) return true;
  if (Array.isArray(value)) return value.every((v) => typeof v === "number");
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/** Rows of a 2-D matrix (tensor or nested arrays) and its size. */
export function toMatrix(
  values: Tensor | readonly (readonly number[])[],
  what = "matrix",
): { rows: number; cols: number; at: (i: number, j: number) => number } {
  if (values instanceof Tensor) {
    if (values.ndim !== 2) throw new Error(`plot: ${what} must be 2-D, got shape [${values.shape.join(", ")}]`);
    const [rows, cols] = values.shape as [number, number];
    const data = values.data;
    return { rows, cols, at: (i, j) => data[i * cols + j]! };
  }
  const rows = values.length;
  const cols = rows === 0 ? 0 : values[0]!.length;
  if (values.some((row) => row.length !== cols)) throw new Error(`plot: ${what} rows must all have the same length`);
  return { rows, cols, at: (i, j) => values[i]![j]! };
}

/** JSON has no NaN or Infinity: they become null, which Vega-Lite leaves out of the marks. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Long-form rows (`x`, `series`, `value`) from several series sharing an x axis. */
export function seriesRows(series: Series, x: Numbers | undefined, xField: string): Row[] {
  const rows: Row[] = [];
  const xs = x === undefined ? undefined : toNumbers(x, "x");
  for (const [name, values] of Object.entries(series)) {
    const ys = toNumbers(values, name);
    for (let i = 0; i < ys.length; i++) {
      // Vega-Lite drops non-finite points from lines anyway; leaving them out keeps sparse
      // series (a validation loss once per epoch next to a loss per step) small.
      if (!Number.isFinite(ys[i]!)) continue;
      rows.push({ [xField]: xs ? (xs[i] ?? null) : i, series: name, value: ys[i]! });
    }
  }
  return rows;
}

/** Rounds to 6 significant digits: charts need no more, and the spec stays small. */
export function compact(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  return v === 0 ? 0 : Number(v.toPrecision(6));
}

/** Smallest and largest value (a loop: `Math.min(...xs)` overflows the stack on big arrays). */
export function extent(xs: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of xs) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
