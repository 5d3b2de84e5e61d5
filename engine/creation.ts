// Making tensors: from data (nested arrays, numbers, typed arrays), constant fills, ranges,
// identity matrices, and random draws from the engine's one seeded generator.
import type { DType, TypedArray } from "./kernels/index.js";
import { type RandomGenerator, randomGenerator } from "./random.js";
import { checkShape, formatShape, shapeSize } from "./shape.js";
import { allocate, dtypeOf, type NestedArray, Tensor } from "./tensor.js";

export interface TensorOptions {
  /** Record ops on this tensor so `backward()` fills its `.grad` (float dtypes only). */
  requiresGrad?: boolean;
  /** float32 (default), float64, or int32 (labels, indices). */
  dtype?: DType;
}

export interface FromDataOptions extends TensorOptions {
  /** The shape of a flat typed array (default: 1-D). */
  shape?: number[];
}

type ShapeLike = number | readonly number[];

/** Options of the random creators. */
export interface RandomOptions extends TensorOptions {
  /** Draw from this generator (`new Generator().manualSeed(42)`) instead of the global one. */
  generator?: RandomGenerator;
}

/** A shape as PyTorch accepts it: sizes as arguments (`zeros(2, 3)`) or one array (`zeros([2, 3])`), then options. */
export type SizeArgs<O> = [shape: ShapeLike, options?: O] | [...sizes: number[]] | [...sizes: number[], options: O];

/** Splits `zeros(2, 3, { dtype })` / `zeros([2, 3], { dtype })` into a shape and options. */
function sizeArgs<O extends object>(op: string, args: readonly unknown[]): [number[], O | undefined] {
  const last = args[args.length - 1];
  const hasOptions = typeof last === "object" && last !== null && !Array.isArray(last) && !(last instanceof Tensor);
  const sizes = hasOptions ? args.slice(0, -1) : args;
  const options = hasOptions ? (last as O) : undefined;
  if (sizes.length === 1 && Array.isArray(sizes[0])) return [toShape(op, sizes[0] as number[]), options];
  for (const d of sizes) {
    if (typeof d !== "number") {
      const what =
        d instanceof Tensor
          ? "a Tensor (use zerosLike / .shape)"
          : Array.isArray(d)
            ? "an array after other sizes"
            : typeof d;
      throw new TypeError(`${op}: sizes must be numbers or one array of numbers, got ${what}`);
    }
  }
  return [toShape(op, sizes as number[]), options];
}

function finish(t: Tensor, options: TensorOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

function toShape(op: string, shape: ShapeLike): number[] {
  return checkShape(op, typeof shape === "number" ? [shape] : shape);
}

/** Shape of a nested array, checking that it is rectangular. */
function nestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  return shape;
}

function fillFromNested(data: NestedArray, shape: number[], out: TypedArray): void {
  let at = 0;
  const walk = (value: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof value !== "number" && typeof value !== "boolean") {
        throw new Error(
          `tensor: expected a number at depth ${dim}, got ${Array.isArray(value) ? "an array" : typeof value} (ragged nested array?)`,
        );
      }
      out[at++] = Number(value);
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[dim]) {
      throw new Error(
        `tensor: ragged nested array: expected ${shape[dim]} elements at depth ${dim}, got ${Array.isArray(value) ? value.length : "a number"}`,
      );
    }
    for (const v of value) walk(v, dim + 1);
  };
  walk(data, 0);
}

/**
 * A tensor from nested arrays, a number, or a typed array (copied). float32 unless `dtype` says
 * otherwise (typed arrays keep their own type). Example: `tensor([[1, 2], [3, 4]], { requiresGrad: true })`
 */
export function tensor(data: NestedArray | TypedArray | Tensor | boolean[], options?: FromDataOptions): Tensor {
  if (data instanceof Tensor) {
    const t = new Tensor(allocate(options?.dtype ?? data.dtype, data.numel()), [...(options?.shape ?? data.shape)]);
    t.raw.set(data.raw);
    return finish(t, options);
  }
  if (ArrayBuffer.isView(data)) {
    const dtype = options?.dtype ?? dtypeOf(data);
    const shape = checkShape("tensor", options?.shape ?? [data.length]);
    if (shapeSize(shape) !== data.length) {
      throw new Error(`tensor: ${data.length} values do not fill shape ${formatShape(shape)}`);
    }
    const values = allocate(dtype, data.length);
    values.set(data);
    return finish(new Tensor(values, shape, dtype), options);
  }
  const shape = nestedShape(data as NestedArray);
  const dtype = options?.dtype ?? "float32";
  const values = allocate(dtype, shapeSize(shape));
  fillFromNested(data as NestedArray, shape, values);
  const t = new Tensor(values, shape, dtype);
  return finish(options?.shape ? t.reshape(options.shape).detach() : t, options);
}

/** A tensor of zeros. Example: `zeros(2, 3)`, `zeros([2, 3], { dtype: "float64" })` */
export function zeros(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, options] = sizeArgs<TensorOptions>("zeros", args);
  return finish(Tensor.zeros(shape, options?.dtype), options);
}

/** A tensor of ones. Example: `ones(2, 3)`, `ones([2, 3])` */
export function ones(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, options] = sizeArgs<TensorOptions>("ones", args);
  return full(shape, 1, options);
}

/** A tensor filled with `value`. Example: `full([2, 2], 0.5)` */
export function full(shape: ShapeLike, value: number, options?: TensorOptions): Tensor {
  return finish(Tensor.full(toShape("full", shape), value, options?.dtype), options);
}

/** Zeros with the shape (and dtype) of `like`. Example: `zerosLike(w)` */
export function zerosLike(like: Tensor, options?: TensorOptions): Tensor {
  return zeros(like.shape, { dtype: like.dtype, ...options });
}

/** Ones with the shape (and dtype) of `like`. Example: `onesLike(w)` */
export function onesLike(like: Tensor, options?: TensorOptions): Tensor {
  return ones(like.shape, { dtype: like.dtype, ...options });
}

/**
 * start, start+step, … below end (one argument: 0..end-1). Example: `arange(5)`, `arange(0, 1, 0.25)`,
 * `arange(10, { dtype: "int32" })`
 */
export function arange(end: number, options?: TensorOptions): Tensor;
export function arange(start: number, end: number, options?: TensorOptions): Tensor;
export function arange(start: number, end: number, step: number, options?: TensorOptions): Tensor;
export function arange(a: number, b?: number | TensorOptions, c?: number | TensorOptions, d?: TensorOptions): Tensor {
  const [start, end, step, options] =
    typeof b !== "number" ? [0, a, 1, b] : typeof c !== "number" ? [a, b, 1, c] : [a, b, c, d];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero number, got ${step}`);
  const count = Math.max(0, Math.ceil((end - start) / step));
  const t = Tensor.zeros([count], options?.dtype);
  for (let i = 0; i < count; i++) t.raw[i] = start + i * step;
  return finish(t, options);
}

/** `steps` evenly spaced values from start to end inclusive. Example: `linspace(0, 1, 5)` */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const t = Tensor.zeros([steps], options?.dtype);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) t.raw[i] = i === steps - 1 && steps > 1 ? end : start + i * delta;
  return finish(t, options);
}

/** The n×m identity matrix (m defaults to n). Example: `eye(3)` */
export function eye(n: number, m: number | TensorOptions = n, options?: TensorOptions): Tensor {
  const cols = typeof m === "number" ? m : n;
  const opts = typeof m === "number" ? options : m;
  const t = Tensor.zeros(toShape("eye", [n, cols]), opts?.dtype);
  for (let i = 0; i < Math.min(n, cols); i++) t.raw[i * cols + i] = 1;
  return finish(t, opts);
}

/** Uniform random values in [0, 1) from the seeded generator. Example: `rand(2, 3)`, `rand([2, 3], { generator: g })` */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, options] = sizeArgs<RandomOptions>("rand", args);
  const t = Tensor.zeros(shape, options?.dtype);
  const gen = options?.generator ?? randomGenerator();
  // 24-bit draws for float32 so rounding can never produce 1.0.
  if (t.dtype === "float32") for (let i = 0; i < t.numel(); i++) t.raw[i] = gen.random24();
  else for (let i = 0; i < t.numel(); i++) t.raw[i] = gen.random();
  return finish(t, options);
}

/** Standard normal random values (mean 0, std 1) from the seeded generator. Example: `randn(256, 4)`, `randn([3], { generator: g })` */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, options] = sizeArgs<RandomOptions>("randn", args);
  const t = Tensor.zeros(shape, options?.dtype);
  const gen = options?.generator ?? randomGenerator();
  for (let i = 0; i < t.numel(); i++) t.raw[i] = gen.normal();
  return finish(t, options);
}

/**
 * Random integers in [low, high), int32 by default; PyTorch's `randint(high, size)` form works too.
 * Example: `randint(0, 3, [10])`, `randint(10, [4], { generator: g })`
 */
export function randint(low: number, high: number, shape: ShapeLike, options?: RandomOptions): Tensor;
export function randint(high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(
  a: number,
  b: number | readonly number[],
  c?: ShapeLike | RandomOptions,
  d?: RandomOptions,
): Tensor {
  const [low, high, shape, options] = Array.isArray(b)
    ? [0, a, b as readonly number[], c as RandomOptions | undefined]
    : [a, b as number, c as ShapeLike, d];
  if (shape === undefined) throw new Error("randint: needs a shape: randint(low, high, [n]) or randint(high, [n])");
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randint: needs integers low < high, got ${low} and ${high}`);
  }
  const t = Tensor.zeros(toShape("randint", shape), options?.dtype ?? "int32");
  const gen = options?.generator ?? randomGenerator();
  for (let i = 0; i < t.numel(); i++) t.raw[i] = gen.int(low, high);
  return finish(t, options);
}

/** A random permutation of 0..n−1 (int32). Example: `randperm(5, { generator: g })` */
export function randperm(n: number, options?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm: n must be a non-negative integer, got ${n}`);
  const order = (options?.generator ?? randomGenerator()).permutation(n);
  const t = Tensor.zeros([n], options?.dtype ?? "int32");
  for (let i = 0; i < n; i++) t.raw[i] = order[i]!;
  return finish(t, options);
}
