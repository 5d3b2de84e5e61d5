// Checks of one fact: a shape, a condition, a number on the right side of a bound.

import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { CheckError, type CheckOptions, evaluate, labelOf, pass } from "./report.js";
import { describe, formatNumber, toNumeric } from "./values.js";

/**
 * Passes when `actual` (a tensor, or a nested array) has the shape `expected`; `null` in
 * `expected` matches any size. Example: `check.shape(() => layer(x), [4, 1])`
 */
export function shape(actual: unknown, expected: readonly (number | null)[], options: CheckOptions = {}): void {
  const label = labelOf(options, "the tensor");
  const value = evaluate(actual, label, options.hint);
  const got = shapeOf(value);
  if (got === undefined) throw new CheckError(`${label} is ${describe(value)}, not a tensor or an array`, options.hint);
  const matches = got.length === expected.length && got.every((d, i) => expected[i] === null || expected[i] === d);
  const wanted = `[${expected.map((d) => (d === null ? "any" : String(d))).join(",")}]`;
  if (!matches) throw new CheckError(`${label} has shape ${formatShape(got)}, expected ${wanted}`, options.hint);
  pass(`${label} has shape ${formatShape(got)}`);
}

function shapeOf(value: unknown): number[] | undefined {
  if (value instanceof Tensor) return [...value.shape];
  const n = toNumeric(value);
  return typeof n === "string" ? undefined : n.shape;
}

/** Passes when `condition` is `true`. Example: `check.true(() => isProbability(p), { label: "rows sum to 1" })` */
export function isTrue(condition: unknown, options: CheckOptions = {}): void {
  const label = labelOf(options, "the condition");
  const value = evaluate(condition, label, options.hint);
  if (value !== true) {
    const why = value === false ? "is false" : `is ${describe(value)}, not true`;
    throw new CheckError(`${label} ${why}`, options.hint);
  }
  pass(label);
}

/** Passes when the number `actual` is below `bound`. Example: `check.less(() => validationLoss(), 0.2)` */
export function less(actual: unknown, bound: number, options: CheckOptions = {}): void {
  compareToBound(actual, bound, options, "below", (x) => x < bound);
}

/** Passes when the number `actual` is above `bound`. Example: `check.greater(() => accuracy(model), 0.9)` */
export function greater(actual: unknown, bound: number, options: CheckOptions = {}): void {
  compareToBound(actual, bound, options, "above", (x) => x > bound);
}

function compareToBound(
  actual: unknown,
  bound: number,
  options: CheckOptions,
  side: string,
  ok: (x: number) => boolean,
): void {
  const label = labelOf(options, "the value");
  const value = evaluate(actual, label, options.hint);
  const n = toNumeric(value);
  if (typeof n === "string" || n.values.length !== 1) {
    throw new CheckError(
      `${label} is ${typeof n === "string" ? n : `${n.values.length} numbers`}, expected one number ${side} ${formatNumber(bound)}`,
      options.hint,
    );
  }
  const x = n.values[0]!;
  if (!ok(x))
    throw new CheckError(
      `${label} is ${formatNumber(x)}, expected a number ${side} ${formatNumber(bound)}`,
      options.hint,
    );
  pass(`${label} = ${formatNumber(x)}, ${side} ${formatNumber(bound)}`);
}
