// Gradcheck rows for the ops PyTorch users reach for beyond the core table (gradcheck.test.ts):
// trigonometry and other logarithms, a number raised to a tensor, sort/topk/cumsum, every
// indexing form, in-place ops inside a graph, and a custom autograd.Function.
import { describe, expect, test } from "vitest";
import {
  arange,
  autograd,
  bmm,
  cat,
  cos,
  type FunctionCtx,
  Generator,
  gradcheck,
  manualSeed,
  mm,
  pow,
  RandomGenerator,
  rand,
  randn,
  sort,
  type Tensor,
  tensor,
  topk,
} from "../../engine/index.js";

const positive = (...shape: number[]): Tensor => rand(shape).add(0.5);
const ints = (values: number[] | number[][]) => tensor(values, { dtype: "int32" });

/** x³ with its backward written by hand, as a student would. */
class Cube extends autograd.Function {
  static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
    ctx.saveForBackward(x);
    return x.pow(3);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return g.mul(x!.square().mul(3));
  }
}

/** a·x + y with a plain-number argument in the middle (backward returns null for it). */
class Axpy extends autograd.Function {
  static override forward(ctx: FunctionCtx, x: Tensor, a: number, y: Tensor): Tensor {
    ctx.a = a;
    return x.mul(a).add(y);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
    return [g.mul(ctx.a as number), null, g];
  }
}

interface Case {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
}

function cases(shapeSeed: number): Case[] {
  const shapes = new RandomGenerator(shapeSeed);
  const [m, n, k] = Array.from({ length: 3 }, () => shapes.int(2, 5)) as [number, number, number];
  return [
    { name: "sin", fn: (x) => x!.sin(), inputs: () => [randn(m, n).mul(2)] },
    { name: "cos", fn: (x) => cos(x!), inputs: () => [randn(m, n).mul(2)] },
    { name: "log10", fn: (x) => x!.log10(), inputs: () => [positive(m, n)] },
    { name: "log2", fn: (x) => x!.log2(), inputs: () => [positive(m, n)] },
    { name: "exp2", fn: (x) => x!.exp2(), inputs: () => [randn(m, n)] },
    { name: "rpow 10 ** x", fn: (x) => x!.rpow(10), inputs: () => [randn(m, n).mul(0.5)] },
    { name: "pow(number, tensor)", fn: (x) => pow(2.5, x!), inputs: () => [randn(m, n)] },
    { name: "pow(tensor base, tensor)", fn: (b, x) => pow(b!, x!), inputs: () => [positive(n), randn(m, n)] },
    { name: "sort values", fn: (x) => sort(x!, { dim: 1 }).values.mul(arange(n).add(1)), inputs: () => [randn(m, n)] },
    {
      name: "sort descending dim 0",
      fn: (x) => x!.sort({ descending: true, dim: 0 }).values.sin(),
      inputs: () => [randn(m, n)],
    },
    { name: "topk values", fn: (x) => topk(x!, 2).values.square(), inputs: () => [randn(m, n)] },
    { name: "cumsum dim 0", fn: (x) => x!.cumsum(0).square(), inputs: () => [randn(m, n)] },
    { name: "cumsum dim -1", fn: (x) => x!.cumsum(-1).sin(), inputs: () => [randn(m, n, k)] },
    { name: "at(i, j)", fn: (x) => x!.at(1, -1).mul(x!.at(0)), inputs: () => [randn(m, n)] },
    { name: 'index(":", 0)', fn: (x) => x!.index(":", 0).square(), inputs: () => [randn(m, n)] },
    { name: 'index("1:, ::2")', fn: (x) => x!.index("1:, ::2").sin(), inputs: () => [randn(m, n)] },
    {
      name: "index C[X], X 2-D with repeats",
      fn: (c) =>
        c!
          .index(
            ints([
              [0, 2, 2],
              [1, 0, 2],
            ]),
          )
          .square(),
      inputs: () => [randn(3, k)],
    },
    {
      name: "index p[range(n), y]",
      fn: (p) => p!.index(arange(3).int(), ints([1, 0, 1])).log(),
      inputs: () => [positive(3, 2)],
    },
    {
      name: "index non-adjacent keys",
      fn: (x) => x!.index([0, 1, 1], ":", [2, 0, 2]).sin(),
      inputs: () => [randn(2, n, 3)],
    },
    { name: "index with a mask", fn: (x) => x!.index(tensor([1, 0, 1]).gt(0)).square(), inputs: () => [randn(3, n)] },
    {
      name: "in-place ops on a non-leaf",
      fn: (x, y) => {
        const h = x!.mul(1);
        h.mul_(y!).add_(x!).div_(2).clamp_(-1.5, 1.5);
        return h.exp();
      },
      inputs: () => [randn(m, n), randn(n)],
    },
    {
      name: "sub_ fill_ zero_ copy_ on a non-leaf",
      fn: (x, y) => {
        const h = x!.mul(1).sub_(y!);
        const g = x!.mul(2).fill_(0.5).add_(h); // fill_ cuts what was there
        const z = y!.mul(1).zero_().add_(y!.square());
        return g.mul(z).add(x!.mul(1).copy_(y!)); // copy_ carries y's gradient, not x's
      },
      inputs: () => [randn(m, n), randn(n)],
    },
    {
      name: "normal_ on a non-leaf (seeded): the old values get no gradient",
      fn: (x) =>
        x!
          .mul(3)
          .normal_(0, 1, { generator: new Generator().manualSeed(5) })
          .mul(x!),
      inputs: () => [randn(m, n)],
    },
    {
      name: "cat (PyTorch's name for concat)",
      fn: (x, y) => cat([x!, y!], 0),
      inputs: () => [randn(m, n), randn(k, n)],
    },
    { name: "mm", fn: (x, y) => mm(x!, y!), inputs: () => [randn(m, k), randn(k, n)] },
    {
      name: "bmm",
      fn: (x, y) => x!.bmm(y!).add(bmm(y!.transpose(1, 2), x!.transpose(1, 2)).transpose(1, 2)),
      inputs: () => [randn(2, m, k), randn(2, k, m)],
    },
    { name: "custom Function (Cube)", fn: (x) => Cube.apply(x!), inputs: () => [randn(m, n)] },
    {
      name: "custom Function with a number argument",
      fn: (x, y) => Axpy.apply(x!, 3, y!),
      inputs: () => [randn(m, n), randn(m, n)],
    },
  ];
}

describe.each([7, 8])("gradcheck: more ops (shape seed %i)", (shapeSeed) => {
  test.each(cases(shapeSeed).map((c) => [c.name, c] as const))("%s", (_name, c) => {
    manualSeed(100 + shapeSeed);
    expect(gradcheck(c.fn, c.inputs())).toBeLessThan(1e-6);
  });
});

describe("gradcheck in float32 (ε = 1e-2): more ops", () => {
  test.each(cases(7).map((c) => [c.name, c] as const))("%s", (_name, c) => {
    manualSeed(107);
    expect(gradcheck(c.fn, c.inputs(), { float64: false, eps: 1e-2 })).toBeLessThan(2e-3);
  });
});

describe("gradcheck catches a wrong custom backward", () => {
  class WrongCube extends autograd.Function {
    static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
      ctx.saveForBackward(x);
      return x.pow(3);
    }
    static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
      return g.mul(ctx.savedTensors[0]!.square()); // forgot the 3
    }
  }
  test("the error is far above tolerance and names the input", () => {
    manualSeed(1);
    expect(() => gradcheck((x) => WrongCube.apply(x), [randn(3)], { atol: 1e-3 })).toThrow(
      /gradcheck: error .* above atol 0.001 at input 0 \[3\]/,
    );
  });
});
