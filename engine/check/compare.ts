// Comparing numbers, arrays and tensors element by element: `close` with numpy.testing's
// tolerance |actual − expected| ≤ atol + rtol·|expected|, `equal` exactly. NaN equals NaN only
// when asked (`equalNan`), as in numpy.
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { CheckError, type CheckOptions, evaluate, labelOf, pass, withoutPassLines } from "./report.js";
import { describe, formatIndex, formatNumber, formatNumeric, type Numeric, toNumeric } from "./values.js";

export interface CloseOptions extends CheckOptions {
  /** Absolute tolerance (default 1e-5 when a float32 tensor is compared, else 1e-7). */
  atol?: number;
  /** Relative tolerance, times |expected| (default 1.3e-6 with float32, else 1e-7). */
  rtol?: number;
  /** NaN in the same place on both sides counts as equal (default false). */
  equalNan?: boolean;
}

export interface EqualOptions extends CheckOptions {
  /** NaN in the same place on both sides counts as equal (default false). */
  equalNan?: boolean;
}

/** How `actual` and `expected` line up: same shape, or one side a single number. */
function alignedShapes(label: string, a: Numeric, e: Numeric, hint: string | undefined): number[] {
  if (formatShape(a.shape) === formatShape(e.shape)) return a.shape;
  if (e.shape.length === 0) return a.shape;
  if (a.shape.length === 0 && e.values.length === 1) return e.shape;
  throw new CheckError(
    `${label} has shape ${formatShape(a.shape)}, expected shape ${formatShape(e.shape)}\n  got:      ${formatNumeric(a)}\n  expected: ${formatNumeric(e)}`,
    hint,
  );
}

function numericOrFail(value: unknown, label: string, role: string, hint: string | undefined): Numeric {
  const n = toNumeric(value);
  if (typeof n === "string")
    throw new CheckError(
      `${role === "got" ? label : `the expected value for ${label}`} is ${n}${role === "got" && value === undefined ? " (does the function return its result?)" : ""}`,
      hint,
    );
  return n;
}

/** Compares element by element; `ok(a, e)` decides one pair. Throws a CheckError naming the worst. */
function compare(
  label: string,
  actual: unknown,
  expected: unknown,
  options: CheckOptions,
  what: string,
  ok: (a: number, e: number) => boolean,
  tolerance: (e: number) => number | undefined,
): { shape: number[]; worst: number } {
  const a = numericOrFail(actual, label, "got", options.hint);
  const e = numericOrFail(expected, label, "expected", options.hint);
  const shape = alignedShapes(label, a, e, options.hint);
  const size = Math.max(a.values.length, e.values.length);
  const at = (n: Numeric, i: number) => (n.values.length === 1 ? n.values[0]! : n.values[i]!);
  let largest = 0; // over every element, for the line a pass shows
  let failures = 0;
  let first = -1;
  let worstAt = -1;
  let worstDifference = -1;
  for (let i = 0; i < size; i++) {
    const difference = Math.abs(at(a, i) - at(e, i));
    if (Number.isFinite(difference) && difference > largest) largest = difference;
    if (ok(at(a, i), at(e, i))) continue;
    failures++;
    if (first < 0) first = i;
    const badness = Number.isNaN(difference) ? Infinity : difference;
    if (badness > worstDifference) {
      worstDifference = badness;
      worstAt = i;
    }
  }
  if (failures === 0) return { shape, worst: largest };
  const show = (i: number) => {
    const x = at(a, i);
    const y = at(e, i);
    const bound = tolerance(y);
    const limit = bound === undefined ? "" : ` > tolerance ${formatNumber(bound)}`;
    return `got ${formatNumber(x)}, expected ${formatNumber(y)}${Number.isNaN(x) || Number.isNaN(y) ? "" : ` (|difference| ${formatNumber(Math.abs(x - y))}${limit})`}`;
  };
  const lines =
    size === 1
      ? [`${label} is not ${what}: ${show(0)}`]
      : [
          `${label} is not ${what}: ${failures} of ${size} elements differ (shape ${formatShape(shape)})`,
          `  got:      ${formatNumeric(a)}`,
          `  expected: ${formatNumeric(e)}`,
          `  first at ${formatIndex(first, shape)}: ${show(first)}`,
          ...(worstAt !== first ? [`  worst at ${formatIndex(worstAt, shape)}: ${show(worstAt)}`] : []),
        ];
  throw new CheckError(lines.join("\n"), options.hint);
}

/** Default tolerances of torch.testing.assert_close: looser when float32 rounding is involved. */
function tolerances(actual: unknown, expected: unknown, options: CloseOptions): { atol: number; rtol: number } {
  const float32 = [actual, expected].some((v) => {
    const n = toNumeric(v);
    return typeof n !== "string" && n.float32;
  });
  return { atol: options.atol ?? (float32 ? 1e-5 : 1e-7), rtol: options.rtol ?? (float32 ? 1.3e-6 : 1e-7) };
}

/**
 * Passes when every element satisfies |actual − expected| ≤ atol + rtol·|expected|.
 * Example: `check.close(() => mse(p, t), 0.17, { label: "mse", hint: "average the squared errors" })`
 */
export function close(actual: unknown, expected: unknown, options: CloseOptions = {}): void {
  const label = labelOf(options, "the value");
  const value = evaluate(actual, label, options.hint);
  if (tensorList(value) || tensorList(expected)) {
    eachTensor(label, value, expected, options, (a, e, part) => close(a, e, { ...options, label: part }));
    return;
  }
  const { atol, rtol } = tolerances(value, expected, options);
  if (!(atol >= 0) || !(rtol >= 0))
    throw new RangeError(`check.close: tolerances must be numbers ≥ 0 (atol ${atol}, rtol ${rtol})`);
  const equalNan = options.equalNan ?? false;
  const ok = (x: number, y: number) => {
    if (x === y) return true;
    if (Number.isNaN(x) || Number.isNaN(y)) return equalNan && Number.isNaN(x) && Number.isNaN(y);
    // An infinity is close only to itself (as in numpy), however large the tolerance.
    return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= atol + rtol * Math.abs(y);
  };
  const { shape, worst } = compare(
    label,
    value,
    expected,
    options,
    `close to what was expected`,
    ok,
    (y) => atol + rtol * Math.abs(y),
  );
  const size = shape.reduce((n, d) => n * d, 1);
  const tolerance = `atol ${formatNumber(atol)}, rtol ${formatNumber(rtol)}`;
  if (shape.length === 0)
    pass(`${label} = ${formatNumber(toNumber(value))} ≈ ${formatNumber(toNumber(expected))} (${tolerance})`);
  else
    pass(
      `${label}: shape ${formatShape(shape)}, all ${size} values close (largest difference ${formatNumber(worst)}; ${tolerance})`,
    );
}

/**
 * Passes when `actual` equals `expected` exactly: numbers, arrays and tensors element by element
 * (shapes must agree), anything else structurally. Example: `check.equal(() => argmaxOf(scores), [2, 0])`
 */
export function equal(actual: unknown, expected: unknown, options: EqualOptions = {}): void {
  const label = labelOf(options, "the value");
  const value = evaluate(actual, label, options.hint);
  if (tensorList(value) || tensorList(expected)) {
    eachTensor(label, value, expected, options, (a, e, part) => equal(a, e, { ...options, label: part }));
    return;
  }
  const a = toNumeric(value);
  const e = toNumeric(expected);
  if (typeof a !== "string" && typeof e !== "string") {
    const equalNan = options.equalNan ?? false;
    const { shape } = compare(
      label,
      value,
      expected,
      options,
      "equal to what was expected",
      (x, y) => x === y || (equalNan && Number.isNaN(x) && Number.isNaN(y)),
      () => undefined,
    );
    const size = shape.reduce((n, d) => n * d, 1);
    const shown = size <= 12 ? formatNumeric(a) : `shape ${formatShape(shape)}, all ${size} values`;
    pass(`${label} equals ${shape.length === 0 ? formatNumber(toNumber(value)) : shown}`);
    return;
  }
  if (!deepEqual(value, expected, options.equalNan ?? false)) {
    throw new CheckError(
      `${label} is not equal to what was expected\n  got:      ${show(value)}\n  expected: ${show(expected)}`,
      options.hint,
    );
  }
  pass(`${label} equals ${show(expected)}`);
}

/** A list of tensors of different shapes (a model's parameters, gradients): compared one by one. */
function tensorList(value: unknown): value is Tensor[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((t) => t instanceof Tensor)) return false;
  return value.some((t: Tensor) => formatShape(t.shape) !== formatShape((value[0] as Tensor).shape));
}

function eachTensor(
  label: string,
  actual: unknown,
  expected: unknown,
  options: CheckOptions,
  compareOne: (a: unknown, e: unknown, part: string) => void,
): void {
  if (!Array.isArray(actual) || !Array.isArray(expected) || actual.length !== expected.length) {
    throw new CheckError(
      `${label} should be a list of ${Array.isArray(expected) ? expected.length : "?"} tensors, like what was expected; got ${describe(actual)}`,
      options.hint,
    );
  }
  withoutPassLines(() => actual.forEach((a, i) => compareOne(a, expected[i], `${label}, item ${i}`)));
  pass(
    `${label}: all ${actual.length} tensors (${expected.map((t) => formatShape((t as Tensor).shape ?? [])).join(" ")}) match`,
  );
}

function toNumber(value: unknown): number {
  const n = toNumeric(value);
  return typeof n === "string" ? NaN : n.values[0]!;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  const n = toNumeric(value);
  if (typeof n !== "string") return formatNumeric(n);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function deepEqual(a: unknown, b: unknown, equalNan: boolean): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return equalNan && Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (k) =>
      Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], equalNan),
  );
}
