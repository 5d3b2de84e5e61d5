// Turning op arguments into tensors and choosing result dtypes (shared by every op file).
import { type BinaryOp, type DType, kernels, type UnaryOp } from "../kernels/index.js";
import { broadcastShapes, broadcastStrides, sameShape } from "../shape.js";
import { Tensor, type TensorLike } from "../tensor.js";

/** The dtype two operands compute in: float64 > float32 > int32. */
export function promote(a: DType, b: DType): DType {
  if (a === "float64" || b === "float64") return "float64";
  if (a === "float32" || b === "float32") return "float32";
  return "int32";
}

/** Results of exp, log, division… are float even for int inputs. */
export function floatOf(dtype: DType): DType {
  return dtype === "int32" ? "float32" : dtype;
}

/**
 * A plain number becomes a scalar tensor of its partner's dtype (like PyTorch: `x.mul(2)` stays
 * float32), except that a fractional number with an int tensor makes float32.
 */
export function scalarLike(value: number, partner: DType): Tensor {
  const dtype = partner === "int32" && !Number.isInteger(value) ? "float32" : partner;
  return Tensor.full([], value, dtype);
}

/** Both operands as tensors (numbers take the other side's dtype; two numbers → float32). */
export function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  checkOperand(op, a);
  checkOperand(op, b);
  if (a instanceof Tensor) return [a, b instanceof Tensor ? b : scalarLike(b, a.dtype)];
  if (b instanceof Tensor) return [scalarLike(a, b.dtype), b];
  return [Tensor.full([], a), Tensor.full([], b)];
}

/** Cells may skip type checking: say what was wrong instead of computing with NaN. */
export function checkOperand(op: string, x: unknown): void {
  if (x instanceof Tensor || typeof x === "number") return;
  const what = Array.isArray(x) ? "an array (wrap it: tensor([...]))" : x === null ? "null" : typeof x;
  throw new TypeError(`${op}: expected a Tensor or a number, got ${what}`);
}

export function asTensor(x: TensorLike): Tensor {
  return x instanceof Tensor ? x : Tensor.full([], x);
}

const NO_STRIDES: number[] = [];

// Binary, unary and strided-copy kernels write every element of their output, so it skips the
// zero fill.

/** Runs a broadcasting binary kernel into a fresh tensor (no graph). */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, dtype: DType, name: string = op): Tensor {
  if (sameShape(a.shape, b.shape)) {
    const out = Tensor.unfilled(a.shape, dtype);
    kernels.binary(op, a.raw, NO_STRIDES, b.raw, NO_STRIDES, out.raw, a.shape);
    return out;
  }
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = Tensor.unfilled(shape, dtype);
  kernels.binary(op, a.raw, broadcastStrides(a.shape, shape), b.raw, broadcastStrides(b.shape, shape), out.raw, shape);
  return out;
}

/** Runs a unary kernel into a fresh tensor (no graph). */
export function unaryRaw(op: UnaryOp, x: Tensor, dtype: DType = x.dtype, p0 = 0, p1 = 0): Tensor {
  const out = Tensor.unfilled(x.shape, dtype);
  kernels.unary(op, x.raw, out.raw, p0, p1);
  return out;
}

/** Reads `x` broadcast to `shape` into a fresh contiguous tensor (no graph). */
export function broadcastRaw(x: Tensor, shape: readonly number[]): Tensor {
  const out = Tensor.unfilled(shape, x.dtype);
  if (x.numel() === 1) {
    // one value everywhere (a mean's or sum's gradient): no strided walk
    out.raw.fill(x.raw[0]!);
    return out;
  }
  kernels.copyStrided(x.raw, 0, broadcastStrides(x.shape, shape), shape, out.raw);
  return out;
}
