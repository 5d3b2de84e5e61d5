// Elementwise functions beyond the activations: sin, cos, log10, log2, exp2, and a number raised
// to a tensor (`rpow`). Plain loops (no kernel of their own): they are not on a training path.
import { apply, type Primitive } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { pow } from "./arithmetic.js";
import { checkOperand, floatOf } from "./operand.js";

function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = Tensor.unfilled(x.shape, floatOf(x.dtype));
  const src = x.raw;
  const dst = out.raw;
  for (let i = 0; i < dst.length; i++) dst[i] = f(src[i]!);
  return out;
}

/** A unary primitive whose gradient is g · f'(x) (f' from x or from the output). */
function unary(name: string, f: (v: number) => number, derivative: (x: number, y: number) => number): Primitive<null> {
  return {
    name,
    forward: ([x]) => map(x!, f),
    backward: (g, [x], out) => {
      const d = Tensor.unfilled(x!.shape, g.dtype);
      const xs = x!.raw;
      const ys = out.raw;
      const gs = g.raw;
      const ds = d.raw;
      for (let i = 0; i < ds.length; i++) ds[i] = gs[i]! * derivative(xs[i]!, ys[i]!);
      return [d];
    },
  };
}

const Sin = unary("sin", Math.sin, (x) => Math.cos(x));
const Cos = unary("cos", Math.cos, (x) => -Math.sin(x));
const Log10 = unary("log10", Math.log10, (x) => 1 / (x * Math.LN10));
const Log2 = unary("log2", Math.log2, (x) => 1 / (x * Math.LN2));
const Exp2 = unary(
  "exp2",
  (v) => 2 ** v,
  (_x, y) => y * Math.LN2,
);

function run(p: Primitive<null>, x: Tensor): Tensor {
  throwIfInterrupted();
  checkOperand(p.name, x);
  return apply(p, [x], null);
}

/** sin x (radians). Example: `sin(linspace(0, Math.PI, 5))` */
export function sin(x: Tensor): Tensor {
  return run(Sin, x);
}
/** cos x (radians). Example: `cos(x)` */
export function cos(x: Tensor): Tensor {
  return run(Cos, x);
}
/** Base-10 logarithm. Example: `log10(tensor([1, 10, 100])) // [0, 1, 2]` */
export function log10(x: Tensor): Tensor {
  return run(Log10, x);
}
/** Base-2 logarithm. Example: `log2(tensor([1, 2, 8])) // [0, 1, 3]` */
export function log2(x: Tensor): Tensor {
  return run(Log2, x);
}
/** 2ˣ. Example: `exp2(tensor([0, 1, 3])) // [1, 2, 8]` */
export function exp2(x: Tensor): Tensor {
  return run(Exp2, x);
}

/** base ** x, a number (or tensor) raised to the tensor's powers. Example: `rpow(x, 10)` is 10 ** x */
export function rpow(x: Tensor, base: TensorLike): Tensor {
  return pow(base, x);
}
