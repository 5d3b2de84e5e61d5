// What a check compares: numbers, nested arrays, typed arrays and tensors, all turned into one
// flat list of numbers with a shape, and printed back the way a student wrote them.

import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** A value a numeric check accepts. */
export type Checkable = Tensor | number | readonly unknown[] | ArrayLike<number>;

/** A checkable value as a flat list of numbers in row-major order. */
export interface Numeric {
  shape: number[];
  values: ArrayLike<number>;
  /** A float32 tensor took part: its rounding sets the default tolerance. */
  float32: boolean;
}

/** The numbers in `value`, or a sentence saying why there are none. */
export function toNumeric(value: unknown): Numeric | string {
  if (value instanceof Tensor)
    return { shape: [...value.shape], values: value.data, float32: value.dtype === "float32" };
  if (typeof value === "number") return { shape: [], values: [value], float32: false };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const array = value as unknown as ArrayLike<number>;
    if (typeof array[0] === "bigint") return "a BigInt array, not numbers";
    return { shape: [array.length], values: array, float32: value instanceof Float32Array };
  }
  if (Array.isArray(value)) return nestedNumbers(value);
  return `${describe(value)}, not a number, an array or a tensor`;
}

function nestedNumbers(array: readonly unknown[]): Numeric | string {
  const shape: number[] = [];
  for (
    let level: unknown = array;
    Array.isArray(level) || level instanceof Tensor;
    level = Array.isArray(level) ? level[0] : undefined
  ) {
    if (level instanceof Tensor) {
      shape.push(...level.shape);
      break;
    }
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const values: number[] = [];
  let float32 = false;
  const walk = (item: unknown, depth: number, at: string): string | undefined => {
    if (depth === shape.length) {
      if (item instanceof Tensor && item.numel() === 1) item = item.item();
      if (typeof item !== "number") return `${describe(item)} at ${at || "the top"}, not a number`;
      values.push(item);
      return undefined;
    }
    if (item instanceof Tensor) {
      if (formatShape(item.shape) !== formatShape(shape.slice(depth)))
        return `a tensor of shape ${formatShape(item.shape)} at ${at}, where its neighbours have shape ${formatShape(shape.slice(depth))}`;
      float32 ||= item.dtype === "float32";
      for (const v of item.data) values.push(v);
      return undefined;
    }
    if (!Array.isArray(item) || item.length !== shape[depth]) {
      return `a ragged array: ${at || "the top"} has ${Array.isArray(item) ? `${item.length} items` : describe(item)} where ${shape[depth]} were expected`;
    }
    for (let i = 0; i < item.length; i++) {
      const problem = walk(item[i], depth + 1, `${at}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
  const problem = walk(array, 0, "");
  return problem ?? { shape, values, float32 };
}

/** A short description of a value that is not what was asked for. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (value instanceof Tensor) return `a tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `${typeof value} ${String(value)}`;
}

/** A number the way a person reads it: 6 significant digits, no trailing zeros. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) return x.toExponential(4).replace(/\.?0+e/, "e");
  return String(Number(x.toPrecision(6)));
}

/** The values as nested brackets; large ones as their shape and first elements. */
export function formatNumeric(n: Numeric, maxItems = 24): string {
  const { shape, values } = n;
  if (shape.length === 0) return formatNumber(values[0]!);
  const size = values.length;
  if (size > maxItems) {
    const head = Array.from({ length: Math.min(6, size) }, (_, i) => formatNumber(values[i]!));
    return `shape ${formatShape(shape)}: ${head.join(", ")}, … (${size} values)`;
  }
  let offset = 0;
  const nest = (depth: number): string => {
    if (depth === shape.length) return formatNumber(values[offset++]!);
    return `[${Array.from({ length: shape[depth]! }, () => nest(depth + 1)).join(", ")}]`;
  };
  return nest(0);
}

/** The multi-index of flat position `i` in `shape`, as `[1, 2]` (empty for a scalar). */
export function formatIndex(i: number, shape: readonly number[]): string {
  if (shape.length === 0) return "";
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(i % shape[d]!);
    i = Math.floor(i / shape[d]!);
  }
  return `[${index.join(", ")}]`;
}
