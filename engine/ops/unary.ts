// Elementwise primitives of one tensor and the activations, each forward beside its backward.
import { apply, type Primitive } from "../autograd.js";
import { kernels, type TypedArray, type UnaryOp } from "../kernels/index.js";
import type { Tensor } from "../tensor.js";
import { binaryRaw, floatOf, unaryRaw } from "./operand.js";

/**
 * A unary primitive whose backward multiplies the incoming gradient by a local derivative.
 * `derivative` returns a fresh tensor, or `out` itself (exp). The product goes in place into the
 * gradient when backward owns it, else into a fresh derivative: no allocation the size of x.
 */
function elementwise<Args>(
  name: string,
  forward: (x: Tensor, args: Args) => Tensor,
  derivative: (x: Tensor, out: Tensor, args: Args) => Tensor,
): Primitive<Args> {
  return {
    name,
    forward: ([x], args) => forward(x!, args),
    backward: (g, [x], out, args, ownsGrad) => {
      const d = derivative(x!, out, args);
      if (d.dtype !== g.dtype || d.numel() !== g.numel()) return [g.mul(d)];
      const fresh = d !== out && d !== x;
      if (!ownsGrad && !fresh) return [g.mul(d)];
      const target = ownsGrad ? g : d;
      multiplyInto(target.raw, g.raw, d.raw);
      return [target];
    },
  };
}

/** target[i] = a[i]·b[i] (target may be a or b). */
function multiplyInto(target: TypedArray, a: TypedArray, b: TypedArray): void {
  for (let i = 0; i < target.length; i++) target[i] = a[i]! * b[i]!;
}

function kernel(op: UnaryOp, float: boolean) {
  return (x: Tensor): Tensor => unaryRaw(op, x, float ? floatOf(x.dtype) : x.dtype);
}

const Neg: Primitive<null> = {
  name: "neg",
  saves: false,
  forward: ([x]) => unaryRaw("neg", x!),
  backward: (g) => [g.neg()],
};
const Abs = elementwise("abs", kernel("abs", false), (x) => unaryRaw("sign", x)); // d|x| = sign(x), 0 at 0
const Square = elementwise("square", kernel("square", false), (x) => unaryRaw("affine", x, x.dtype, 2, 0)); // 2x
const Sqrt = elementwise("sqrt", kernel("sqrt", true), (_x, out) => unaryRaw("reciprocal", out.mul(2))); // 1/(2√x)
const Exp = elementwise("exp", kernel("exp", true), (_x, out) => out);
const Log = elementwise("log", kernel("log", true), (x) => unaryRaw("reciprocal", x, floatOf(x.dtype)));
const Sigmoid = elementwise("sigmoid", kernel("sigmoid", true), (_x, out) => out.mul(out.neg().add(1))); // σ(1−σ)
const Tanh = elementwise("tanh", kernel("tanh", true), (_x, out) => out.mul(out).neg().add(1)); // 1 − tanh²

const Relu: Primitive<null> = {
  name: "relu",
  saves: "inputs",
  forward: ([x]) => unaryRaw("relu", x!),
  // g where x > 0, in one pass; into g itself when backward owns it.
  backward: (g, [x], _out, _args, ownsGrad) => {
    if (!ownsGrad || g.numel() !== x!.numel()) return [binaryRaw("reluGrad", g, x!, g.dtype)];
    kernels.binary("reluGrad", g.raw, [], x!.raw, [], g.raw, g.shape);
    return [g];
  },
};

const LeakyRelu = elementwise<{ slope: number }>(
  "leakyRelu",
  (x, { slope }) => unaryRaw("leakyRelu", x, floatOf(x.dtype), slope),
  (x, _out, { slope }) => unaryRaw("leakyReluGrad", x, floatOf(x.dtype), slope),
);

const Clamp = elementwise<{ lo: number; hi: number }>(
  "clamp",
  (x, { lo, hi }) => unaryRaw("clamp", x, x.dtype, lo, hi),
  (x, _out, { lo, hi }) => unaryRaw("clampMask", x, floatOf(x.dtype), lo, hi),
); // 1 inside [lo, hi]

/** −x. Example: `neg(x)` */
export function neg(x: Tensor): Tensor {
  return apply(Neg, [x], null);
}
/** |x|. Example: `abs(x)` */
export function abs(x: Tensor): Tensor {
  return apply(Abs, [x], null);
}
/** x². Example: `square(x)` */
export function square(x: Tensor): Tensor {
  return apply(Square, [x], null);
}
/** √x. Example: `sqrt(x)` */
export function sqrt(x: Tensor): Tensor {
  return apply(Sqrt, [x], null);
}
/** eˣ. Example: `exp(x)` */
export function exp(x: Tensor): Tensor {
  return apply(Exp, [x], null);
}
/** Natural logarithm. Example: `log(x)` */
export function log(x: Tensor): Tensor {
  return apply(Log, [x], null);
}
/** 1/(1+e⁻ˣ), stable for large |x|. Example: `sigmoid(x)` */
export function sigmoid(x: Tensor): Tensor {
  return apply(Sigmoid, [x], null);
}
/** Hyperbolic tangent. Example: `tanh(x)` */
export function tanh(x: Tensor): Tensor {
  return apply(Tanh, [x], null);
}
/** max(x, 0). Example: `relu(x)` */
export function relu(x: Tensor): Tensor {
  return apply(Relu, [x], null);
}
/** x for x > 0, negativeSlope·x otherwise. Example: `leakyRelu(x, 0.1)` */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return apply(LeakyRelu, [x], { slope: negativeSlope });
}
/** x limited to [min, max]; omit either bound with null. Example: `clamp(x, 0, 1)` */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (lo > hi) throw new Error(`clamp: min (${lo}) is greater than max (${hi})`);
  return apply(Clamp, [x], { lo, hi });
}
