// Every differentiable op against central finite differences (in float64), over random shapes
// and broadcasting cases. A wrong backward anywhere shows up here as an error far above 1e-3.
import { describe, expect, test } from "vitest";
import {
  arange,
  concat,
  gradcheck,
  layerNorm,
  manualSeed,
  multiHeadAttention,
  RandomGenerator,
  rand,
  randn,
  stack,
  type Tensor,
  tensor,
  where,
} from "../../engine/index.js";

/** Random values at least 0.2 from 0, so kinks (relu, abs, clamp at 0) are never within ε. */
function awayFromZero(shape: number[]): Tensor {
  return randn(shape).abs().mul(0.8).add(0.2).mul(randn(shape).gt(0).mul(2).sub(1));
}
const positive = (shape: number[]): Tensor => rand(shape).add(0.5);

interface Case {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
}

/** The table, with sizes m, n, k, b drawn from `shapeSeed` (so each seed checks other shapes). */
function cases(shapeSeed: number): Case[] {
  const shapes = new RandomGenerator(shapeSeed);
  const [m, n, k, b] = Array.from({ length: 4 }, () => shapes.int(1, 5)) as [number, number, number, number];
  return [
    // Arithmetic, same shape and broadcast.
    { name: "add", fn: (x, y) => x!.add(y!), inputs: () => [randn([m, n]), randn([m, n])] },
    { name: "add broadcast [m,1]+[n]", fn: (x, y) => x!.add(y!), inputs: () => [randn([m, 1]), randn([n])] },
    { name: "add scalar", fn: (x) => x!.add(3), inputs: () => [randn([m])] },
    { name: "sub broadcast [b,m,n]-[m,1]", fn: (x, y) => x!.sub(y!), inputs: () => [randn([b, m, n]), randn([m, 1])] },
    { name: "mul broadcast [m,n]*[1,n]", fn: (x, y) => x!.mul(y!), inputs: () => [randn([m, n]), randn([1, n])] },
    { name: "mul 0-d tensor", fn: (x, y) => x!.mul(y!), inputs: () => [randn([m, n]), randn([])] },
    { name: "div", fn: (x, y) => x!.div(y!), inputs: () => [randn([m, n]), positive([m, n])] },
    { name: "div broadcast", fn: (x, y) => x!.div(y!), inputs: () => [randn([b, 1, n]), positive([m, 1])] },
    { name: "rdiv scalar", fn: (x) => x!.pow(-1).mul(2), inputs: () => [positive([m])] },
    { name: "pow scalar 2", fn: (x) => x!.pow(2), inputs: () => [randn([m, n])] },
    { name: "pow scalar 0.5", fn: (x) => x!.pow(0.5), inputs: () => [positive([m, n])] },
    { name: "pow tensor exponent", fn: (x, y) => x!.pow(y!), inputs: () => [positive([m, n]), randn([n])] },
    { name: "neg", fn: (x) => x!.neg(), inputs: () => [randn([m, n])] },
    { name: "square", fn: (x) => x!.square(), inputs: () => [randn([m, n])] },
    { name: "sqrt", fn: (x) => x!.sqrt(), inputs: () => [positive([m, n])] },
    { name: "exp", fn: (x) => x!.exp(), inputs: () => [randn([m, n])] },
    { name: "log", fn: (x) => x!.log(), inputs: () => [positive([m, n])] },
    { name: "abs", fn: (x) => x!.abs(), inputs: () => [awayFromZero([m, n])] },
    { name: "clamp", fn: (x) => x!.clamp(-0.5, 0.5), inputs: () => [tensor([-2, -0.7, -0.3, 0.1, 0.4, 0.9, 3])] },
    { name: "clamp min only", fn: (x) => x!.clamp(0), inputs: () => [awayFromZero([m, n])] },
    { name: "maximum", fn: (x, y) => x!.maximum(y!), inputs: () => [randn([m, n]), randn([m, n])] },
    { name: "maximum broadcast", fn: (x, y) => x!.maximum(y!), inputs: () => [randn([m, n]), randn([n])] },
    { name: "minimum", fn: (x, y) => x!.minimum(y!), inputs: () => [randn([m, n]), randn([1, n])] },
    // Selection.
    { name: "where", fn: (x, y) => where(x!.gt(0.1), x!, y!), inputs: () => [awayFromZero([m, n]), randn([n])] },
    { name: "maskedFill", fn: (x) => x!.maskedFill(tensor([1, 0, 1, 0]).gt(0), -1), inputs: () => [randn([m, 4])] },
    // Activations.
    { name: "relu", fn: (x) => x!.relu(), inputs: () => [awayFromZero([m, n])] },
    { name: "leakyRelu", fn: (x) => x!.leakyRelu(0.1), inputs: () => [awayFromZero([m, n])] },
    { name: "sigmoid", fn: (x) => x!.sigmoid(), inputs: () => [randn([m, n]).mul(3)] },
    { name: "tanh", fn: (x) => x!.tanh(), inputs: () => [randn([m, n])] },
    { name: "gelu", fn: (x) => x!.gelu(), inputs: () => [randn([m, n]).mul(2)] },
    { name: "gelu tanh", fn: (x) => x!.gelu("tanh"), inputs: () => [randn([m, n]).mul(2)] },
    { name: "softmax last axis", fn: (x) => x!.softmax(-1), inputs: () => [randn([m, n])] },
    { name: "softmax axis 0", fn: (x) => x!.softmax(0), inputs: () => [randn([m, n, k])] },
    { name: "logSoftmax", fn: (x) => x!.logSoftmax(1), inputs: () => [randn([m, n]).mul(4)] },
    // Fused layers.
    {
      name: "layerNorm with weight and bias",
      fn: (x, w, bias) => layerNorm(x!, [n + 1], w!, bias!),
      inputs: () => [randn([m, n + 1]), randn([n + 1]), randn([n + 1])],
    },
    {
      name: "layerNorm over two dims, no affine",
      fn: (x) => layerNorm(x!, [n, k + 1], null, null, 0.1),
      inputs: () => [randn([b, n, k + 1])],
    },
    {
      name: "multiHeadAttention causal",
      fn: (q, key, v) => multiHeadAttention(q!, key!, v!, 2, { causal: true }),
      inputs: () => [randn([b, m, 2 * k]), randn([b, m, 2 * k]), randn([b, m, 2 * k])],
    },
    {
      name: "multiHeadAttention, keys ≠ queries",
      fn: (q, key, v) => multiHeadAttention(q!, key!, v!, 1),
      inputs: () => [randn([b, m, k]), randn([b, n, k]), randn([b, n, k])],
    },
    // Reductions.
    { name: "sum all", fn: (x) => x!.sum(), inputs: () => [randn([m, n])] },
    { name: "sum axis 0", fn: (x) => x!.sum(0), inputs: () => [randn([m, n, k])] },
    { name: "sum axis -1 keepDim", fn: (x) => x!.sum(-1, true), inputs: () => [randn([m, n, k])] },
    { name: "sum axes [0,2]", fn: (x) => x!.sum([0, 2]), inputs: () => [randn([m, n, k])] },
    { name: "mean all", fn: (x) => x!.mean(), inputs: () => [randn([m, n])] },
    { name: "mean axis 1", fn: (x) => x!.mean(1), inputs: () => [randn([m, n, k])] },
    { name: "max all", fn: (x) => x!.max(), inputs: () => [randn([m, n])] },
    { name: "max axis 1 keepDim", fn: (x) => x!.max(1, true), inputs: () => [randn([m, n, k])] },
    { name: "min axis 0", fn: (x) => x!.min(0), inputs: () => [randn([m, n])] },
    { name: "var unbiased", fn: (x) => x!.var(), inputs: () => [randn([m + 1, n])] },
    { name: "var axis -1 biased keepDim", fn: (x) => x!.var(-1, true, false), inputs: () => [randn([m, n + 1])] },
    { name: "std axis 0", fn: (x) => x!.std(0), inputs: () => [randn([m + 1, n])] },
    // Matrix products.
    { name: "matmul 2-D", fn: (x, y) => x!.matmul(y!), inputs: () => [randn([m, k]), randn([k, n])] },
    { name: "matmul vector·vector", fn: (x, y) => x!.matmul(y!), inputs: () => [randn([k]), randn([k])] },
    { name: "matmul vector @ matrix", fn: (x, y) => x!.matmul(y!), inputs: () => [randn([k]), randn([k, n])] },
    { name: "matmul matrix @ vector", fn: (x, y) => x!.matmul(y!), inputs: () => [randn([m, k]), randn([k])] },
    { name: "matmul batched", fn: (x, y) => x!.matmul(y!), inputs: () => [randn([b, m, k]), randn([b, k, n])] },
    {
      name: "matmul batch broadcast [b,m,k]@[k,n]",
      fn: (x, y) => x!.matmul(y!),
      inputs: () => [randn([b, m, k]), randn([k, n])],
    },
    {
      name: "matmul batch broadcast [2,1,m,k]@[3,k,n]",
      fn: (x, y) => x!.matmul(y!),
      inputs: () => [randn([2, 1, m, k]), randn([3, k, n])],
    },
    {
      name: "linear with bias",
      fn: (x, w, bias) => x!.linear(w!, bias!),
      inputs: () => [randn([m, k]), randn([n, k]), randn([n])],
    },
    { name: "linear batched, no bias", fn: (x, w) => x!.linear(w!), inputs: () => [randn([b, m, k]), randn([n, k])] },
    // Shapes.
    { name: "reshape", fn: (x) => x!.reshape([-1]).mul(arange(m * n)), inputs: () => [randn([m, n])] },
    { name: "view", fn: (x, w) => x!.view(n, m).mul(w!), inputs: () => [randn([m, n]), randn([n, m])] },
    { name: "flatten", fn: (x) => x!.flatten(1), inputs: () => [randn([m, n, k])] },
    {
      name: "squeeze/unsqueeze",
      fn: (x, w) => x!.unsqueeze(1).mul(w!).squeeze(),
      inputs: () => [randn([m, 1, n]), randn([m, 2, 1, n])],
    },
    { name: "transpose", fn: (x) => x!.transpose(0, 2), inputs: () => [randn([m, n, k])] },
    { name: "t and T", fn: (x) => x!.t().add(x!.T.mul(2)), inputs: () => [randn([m, n])] },
    { name: "permute", fn: (x) => x!.permute(2, 0, 1), inputs: () => [randn([m, n, k])] },
    { name: "expand", fn: (x) => x!.expand([b, m, n]), inputs: () => [randn([m, 1])] },
    { name: "concat axis 1", fn: (x, y) => concat([x!, y!, x!], 1), inputs: () => [randn([m, n]), randn([m, k])] },
    { name: "stack axis -1", fn: (x, y) => stack([x!, y!], -1), inputs: () => [randn([m, n]), randn([m, n])] },
    {
      name: "split",
      fn: (x) => {
        const [p, q] = x!.split([1, n], 1);
        return p!.mul(q!.sum(1, true));
      },
      inputs: () => [randn([m, n + 1])],
    },
    { name: "slice with step", fn: (x) => x!.slice(1, 0, 5, 2), inputs: () => [randn([m, 6])] },
    { name: "slice negative", fn: (x) => x!.slice(0, -2), inputs: () => [randn([3, n])] },
    { name: "index", fn: (x) => x!.index(1).mul(x!.index(-1, 0)), inputs: () => [randn([3, n, k])] },
    {
      name: "gather",
      fn: (x) => x!.gather(1, tensor([[2], [0], [2]], { dtype: "int32" })),
      inputs: () => [randn([3, 4])],
    },
    {
      name: "gather axis 0 repeated",
      fn: (x) => x!.gather(0, tensor([[1, 1, 0]], { dtype: "int32" })),
      inputs: () => [randn([2, 3])],
    },
    { name: "indexSelect repeated", fn: (x) => x!.indexSelect(0, [2, 0, 2]), inputs: () => [randn([3, n])] },
    {
      name: "indexSelect axis 1",
      fn: (x) => x!.indexSelect(1, tensor([1, 0], { dtype: "int32" })),
      inputs: () => [randn([m, 2, k])],
    },
    { name: "clone", fn: (x) => x!.clone().mul(x!), inputs: () => [randn([m, n])] },
    // A small network: everything together.
    {
      name: "MLP loss",
      fn: (x, w1, b1, w2) => x!.matmul(w1!).add(b1!).tanh().matmul(w2!).sub(1).square().mean(),
      inputs: () => [randn([8, 4]), randn([4, 5]), randn([5]), randn([5, 1])],
    },
    {
      name: "cross-entropy by logSoftmax+gather",
      fn: (z) =>
        z!
          .logSoftmax(1)
          .gather(1, tensor([[0], [2], [1]], { dtype: "int32" }))
          .mean()
          .neg(),
      inputs: () => [randn([3, 3])],
    },
  ];
}

describe.each([7, 8, 9])("gradcheck: every differentiable op (shape seed %i)", (shapeSeed) => {
  test.each(cases(shapeSeed).map((c) => [c.name, c] as const))("%s", (_name, c) => {
    manualSeed(42 + shapeSeed);
    const worst = gradcheck(c.fn, c.inputs());
    expect(worst).toBeLessThan(1e-3);
  });
});

// The same table computed in float32 itself (what the tensors hold by default): a coarser step,
// since float32 rounding (~1e-7) divided by a tiny step would swamp the difference quotient.
describe("gradcheck in float32 (ε = 1e-2): every differentiable op", () => {
  test.each(cases(7).map((c) => [c.name, c] as const))("%s", (_name, c) => {
    manualSeed(49);
    expect(gradcheck(c.fn, c.inputs(), { float64: false, eps: 1e-2 })).toBeLessThan(1e-3);
  });
});

describe("gradcheck itself", () => {
  test("catches a wrong gradient", () => {
    // detach() hides half of x·x from autograd: analytic x, true derivative 2x.
    const x = tensor([0.5, -1.5, 2]);
    expect(gradcheck((v) => v.mul(v.detach()).sum(), [x])).toBeGreaterThan(0.1);
    expect(() => gradcheck((v) => v.mul(v.detach()).sum(), [x], { atol: 1e-3 })).toThrow(
      /gradcheck: error .* above atol 0.001 at input 0 \[3\] element/,
    );
  });

  test("leaves the caller's tensors and the global seed alone", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    manualSeed(3);
    const expected = randn([2]).toArray();
    manualSeed(3);
    gradcheck((v) => v.exp().sum(), [x]);
    expect(randn([2]).toArray()).toEqual(expected);
    expect(x.grad).toBeNull();
    expect(x.toArray()).toEqual([1, 2]);
  });

  test("float32 checking is coarser but still passes", () => {
    manualSeed(1);
    expect(gradcheck((v) => v.tanh().sum(), [randn([5])], { float64: false })).toBeLessThan(1e-2);
  });
});
