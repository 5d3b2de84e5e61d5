// Comparisons (1 where true, 0 where false; no gradient), `where`, and `maskedFill`.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { type BinaryOp, kernels } from "../kernels/index.js";
import { broadcastShapes, broadcastStrides, formatShape } from "../shape.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { binaryRaw, operands, promote, scalarLike } from "./operand.js";

// A mask is float (float64 when an input is) so it can multiply gradients and be averaged.
function compare(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  throwIfInterrupted();
  const [x, y] = operands(op, a, b);
  return binaryRaw(op, x, y, promote(x.dtype, y.dtype) === "float64" ? "float64" : "float32");
}

/** 1 where a == b. Example: `pred.eq(labels).mean()` (accuracy) */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return compare("eq", a, b);
}
/** 1 where a != b. Example: `ne(x, 0)` */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return compare("ne", a, b);
}
/** 1 where a < b. Example: `lt(x, 0)` */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return compare("lt", a, b);
}
/** 1 where a <= b. Example: `le(x, 0)` */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return compare("le", a, b);
}
/** 1 where a > b. Example: `gt(x, 0)` */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return compare("gt", a, b);
}
/** 1 where a >= b. Example: `ge(x, 0)` */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return compare("ge", a, b);
}

const Where: Primitive<null> = {
  name: "where",
  forward: ([cond, a, b]) => {
    const shape = broadcastShapes("where", broadcastShapes("where", cond!.shape, a!.shape), b!.shape);
    const out = Tensor.unfilled(shape, promote(a!.dtype, b!.dtype)); // select writes every element
    kernels.select(
      cond!.raw,
      broadcastStrides(cond!.shape, shape),
      a!.raw,
      broadcastStrides(a!.shape, shape),
      b!.raw,
      broadcastStrides(b!.shape, shape),
      out.raw,
      shape,
    );
    return out;
  },
  backward: (g, [cond, a, b]) => {
    const zero = scalarLike(0, g.dtype);
    return [null, a!.requiresGrad ? where(cond!, g, zero) : null, b!.requiresGrad ? where(cond!, zero, g) : null];
  },
};

/** a where cond is non-zero, b elsewhere (broadcasting all three). Example: `where(x.gt(0), x, 0)` */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands("where", a, b);
  return apply(Where, [cond, x, y], null);
}

/** x with `value` wherever `mask` is non-zero. Example: `maskedFill(scores, mask, -Infinity)` */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes("maskedFill", mask.shape, x.shape);
  if (shape.length !== x.ndim || shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(
      `maskedFill: mask of shape ${formatShape(mask.shape)} is bigger than the tensor ${formatShape(x.shape)}`,
    );
  }
  return where(mask, scalarLike(value, x.dtype), x);
}
