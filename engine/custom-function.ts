// Differentiable functions written in a cell, shaped like torch.autograd.Function: a class with
// a static `forward(ctx, ...inputs)` and a static `backward(ctx, ...grads)`, called through
// `apply`. The forward runs without recording (its inner ops are the student's business); the
// graph gets one node whose backward is the student's, checkable with `gradcheck`.
import { apply as applyPrimitive, noGrad, type Primitive } from "./autograd.js";
import { formatShape, sameShape } from "./shape.js";
import { Tensor } from "./tensor.js";

/** What `forward` leaves for `backward`: saved tensors, and any other value as a property. */
export class FunctionCtx {
  /** The tensors given to `saveForBackward`, in order. */
  savedTensors: Tensor[] = [];
  /** For each argument of `apply`: whether backward must return its gradient. */
  needsInputGrad: boolean[] = [];
  /** Anything else forward wants to remember (`ctx.k = 3`). */
  [key: string]: unknown;

  /** Keeps tensors for backward. Example: `ctx.saveForBackward(x, w)` */
  saveForBackward(...tensors: Tensor[]): void {
    for (const t of tensors)
      if (!(t instanceof Tensor)) throw new TypeError(`saveForBackward: expected Tensors, got ${typeof t}`);
    this.savedTensors = tensors;
  }
}

/** What `backward` may return: one gradient (one tensor input), or one per argument of `apply` (null where none). */
export type CustomGrads = Tensor | null | undefined | (Tensor | null | undefined)[];

/**
 * The base of a differentiable function of your own (PyTorch's torch.autograd.Function).
 * Example:
 * ```ts
 * class Cube extends autograd.Function {
 *   static forward(ctx: FunctionCtx, x: Tensor) { ctx.saveForBackward(x); return x.pow(3); }
 *   static backward(ctx: FunctionCtx, g: Tensor) { const [x] = ctx.savedTensors; return g.mul(x!.square().mul(3)); }
 * }
 * const y = Cube.apply(x);   gradcheck((v) => Cube.apply(v), [randn([3])])
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: PyTorch's shape: students subclass it with static forward/backward
export class CustomFunction {
  /** Computes the output from the arguments of `apply` (runs without recording a graph). */
  static forward(_ctx: FunctionCtx, ..._inputs: never[]): Tensor {
    // biome-ignore lint/complexity/noThisInStatic: the subclass's name, not this base class's
    throw new Error(`${this.name}: define static forward(ctx, ...inputs) returning a Tensor`);
  }

  /** Given d(loss)/d(output), returns d(loss)/d(input) for each argument of `apply`. */
  static backward(_ctx: FunctionCtx, _grad: Tensor): CustomGrads {
    // biome-ignore lint/complexity/noThisInStatic: the subclass's name, not this base class's
    throw new Error(`${this.name}: define static backward(ctx, gradOutput) returning the inputs' gradients`);
  }

  /** Runs forward and records one graph node whose backward is this class's. Example: `Cube.apply(x)` */
  static apply<F extends typeof CustomFunction>(
    this: F,
    ...args: F["forward"] extends (ctx: FunctionCtx, ...inputs: infer A) => Tensor ? A : never
  ): Tensor {
    // biome-ignore lint/complexity/noThisInStatic: the subclass whose forward and backward run
    return applyCustom(this, args as unknown[]);
  }
}

/** `apply` for the class `cls`: forward without recording, then one node running cls.backward. */
function applyCustom(cls: typeof CustomFunction, argList: unknown[]): Tensor {
  const name = cls.name || "Function";
  if (cls.forward === CustomFunction.forward)
    throw new Error(`${name}: define static forward(ctx, ...inputs) returning a Tensor`);
  const ctx = new FunctionCtx();
  ctx.needsInputGrad = argList.map((a) => a instanceof Tensor && a.requiresGrad);
  const result = noGrad(() => (cls.forward as (ctx: FunctionCtx, ...a: unknown[]) => unknown)(ctx, ...argList));
  if (!(result instanceof Tensor))
    throw new TypeError(`${name}.forward must return a Tensor, got ${result === null ? "null" : typeof result}`);
  const positions: number[] = [];
  argList.forEach((a, i) => {
    if (a instanceof Tensor) positions.push(i);
  });
  const tensors = positions.map((i) => argList[i] as Tensor);
  const primitive: Primitive<null> = {
    name,
    // The graph node must be a tensor of its own: a view when forward returned an input (or a tensor already in a graph).
    forward: () => (result.node === null && !argList.includes(result) ? result : result.viewAs(result.shape)),
    backward: (g, inputs) => {
      if (cls.backward === CustomFunction.backward) throw new Error(`${name}: define static backward(ctx, gradOutput)`);
      const returned = cls.backward(ctx, g);
      const list = Array.isArray(returned) ? returned : [returned];
      if (list.length !== argList.length && !(list.length === 1 && tensors.length === 1)) {
        throw new Error(
          `${name}.backward returned ${list.length} gradient${list.length === 1 ? "" : "s"}, but apply got ${argList.length} argument${argList.length === 1 ? "" : "s"}; return one per argument (null for non-tensors)`,
        );
      }
      return inputs.map((input, k) => {
        const gi = list.length === argList.length ? list[positions[k]!] : list[0];
        if (gi === null || gi === undefined) return null;
        if (!(gi instanceof Tensor))
          throw new TypeError(
            `${name}.backward: the gradient for argument ${positions[k]} is ${typeof gi}, not a Tensor`,
          );
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(
            `${name}.backward: the gradient for argument ${positions[k]} has shape ${formatShape(gi.shape)}, but the input has shape ${formatShape(input.shape)}`,
          );
        }
        return gi;
      });
    },
  };
  return applyPrimitive(primitive, tensors, null);
}
