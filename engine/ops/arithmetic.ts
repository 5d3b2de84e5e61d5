// add sub mul div pow maximum minimum: broadcasting binary primitives, each forward beside
// its backward. Gradients come back in the broadcast shape; autograd reduces them centrally.
import { apply, type Primitive } from "../autograd.js";
import { type DType, kernels } from "../kernels/index.js";
import { sameShape } from "../shape.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { where } from "./compare.js";
import { binaryRaw, floatOf, operands, promote, unaryRaw } from "./operand.js";

const Add: Primitive<null> = {
  name: "add",
  saves: false,
  forward: ([a, b]) => binaryRaw("add", a!, b!, promote(a!.dtype, b!.dtype)),
  backward: (g) => [g, g],
};

const Sub: Primitive<null> = {
  name: "sub",
  saves: false,
  forward: ([a, b]) => binaryRaw("sub", a!, b!, promote(a!.dtype, b!.dtype)),
  backward: (g, [, b]) => [g, b!.requiresGrad ? g.neg() : null],
};

const Mul: Primitive<null> = {
  name: "mul",
  saves: "inputs",
  forward: ([a, b]) => binaryRaw("mul", a!, b!, promote(a!.dtype, b!.dtype)),
  backward: (g, [a, b]) => [a!.requiresGrad ? g.mul(b!) : null, b!.requiresGrad ? g.mul(a!) : null],
};

const Div: Primitive<null> = {
  name: "div",
  forward: ([a, b]) => binaryRaw("div", a!, b!, floatOf(promote(a!.dtype, b!.dtype))),
  // d(a/b)/da = 1/b; d(a/b)/db = -a/b² = -out/b.
  backward: (g, [a, b], out) => [a!.requiresGrad ? g.div(b!) : null, b!.requiresGrad ? g.mul(out).div(b!).neg() : null],
};

const Pow: Primitive<null> = {
  name: "pow",
  forward: ([a, b]) => {
    const dtype = promote(a!.dtype, b!.dtype);
    // x.pow(2) is the common case: a unary loop, no broadcasting.
    return b!.numel() === 1 && b!.ndim <= a!.ndim
      ? unaryRaw("powScalar", a!, dtype, b!.raw[0]!)
      : binaryRaw("pow", a!, b!, dtype);
  },
  backward: (g, [a, b], out) => [
    a!.requiresGrad ? timesDerivative(g, powDerivative(a!, b!, out.dtype)) : null,
    // d(aᵇ)/db = aᵇ·ln a, taken as 0 where a ≤ 0 (ln undefined; PyTorch does the same at 0).
    b!.requiresGrad ? g.mul(where(a!.gt(0), out.mul(a!.log()), 0)) : null,
  ],
};

/** d(aᵇ)/da = b·aᵇ⁻¹; for a single exponent (x.pow(2)) one or two passes over a, not four ops. */
function powDerivative(a: Tensor, b: Tensor, dtype: DType): Tensor {
  if (b.numel() !== 1) return b.mul(a.pow(b.sub(1)));
  const e = b.raw[0]!;
  if (e === 2) return unaryRaw("affine", a, dtype, 2, 0);
  const d = unaryRaw("powScalar", a, dtype, e - 1);
  kernels.unary("affine", d.raw, d.raw, e, 0); // d is fresh: scaled in place
  return d;
}

/** g · d, written into d (a fresh derivative of g's shape and dtype) rather than a new op's output. */
function timesDerivative(g: Tensor, d: Tensor): Tensor {
  if (d.dtype !== g.dtype || !sameShape(d.shape, g.shape)) return g.mul(d);
  const gd = g.raw;
  const dd = d.raw;
  for (let i = 0; i < dd.length; i++) dd[i] = gd[i]! * dd[i]!;
  return d;
}

// Ties send half the gradient to each side (PyTorch's convention).
function winnerShare(winning: Tensor, tie: Tensor): Tensor {
  return winning.add(tie.mul(0.5));
}

const Maximum: Primitive<null> = {
  name: "maximum",
  forward: ([a, b]) => binaryRaw("maximum", a!, b!, promote(a!.dtype, b!.dtype)),
  backward: (g, [a, b]) => {
    const share = winnerShare(a!.gt(b!), a!.eq(b!));
    return [a!.requiresGrad ? g.mul(share) : null, b!.requiresGrad ? g.mul(share.neg().add(1)) : null];
  },
};

const Minimum: Primitive<null> = {
  name: "minimum",
  forward: ([a, b]) => binaryRaw("minimum", a!, b!, promote(a!.dtype, b!.dtype)),
  backward: (g, [a, b]) => {
    const share = winnerShare(a!.lt(b!), a!.eq(b!));
    return [a!.requiresGrad ? g.mul(share) : null, b!.requiresGrad ? g.mul(share.neg().add(1)) : null];
  },
};

/** Elementwise a + b (broadcasting). Example: `add(x, 1)` */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return apply(Add, operands("add", a, b), null);
}
/** Elementwise a − b. Example: `sub(x, y)` */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return apply(Sub, operands("sub", a, b), null);
}
/** Elementwise a · b. Example: `mul(x, 2)` */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return apply(Mul, operands("mul", a, b), null);
}
/** Elementwise a / b (float result). Example: `div(x, 2)` */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return apply(Div, operands("div", a, b), null);
}
/** Elementwise aᵇ. Example: `pow(x, 2)` */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return apply(Pow, operands("pow", a, b), null);
}
/** Elementwise larger value. Example: `maximum(x, 0)` */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return apply(Maximum, operands("maximum", a, b), null);
}
/** Elementwise smaller value. Example: `minimum(x, 1)` */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return apply(Minimum, operands("minimum", a, b), null);
}
