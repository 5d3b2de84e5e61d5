// Convolution, pooling and batch normalisation against central finite differences, in float64
// and in float32 itself, for every option that changes the backward: stride, padding (numbers,
// "same"), dilation, groups, bias, 1-D, unbatched input; max/avg/adaptive pooling with padding,
// ceil mode, countIncludePad and divisorOverride; batch norm in training and evaluation, with and
// without an affine transform.
import { describe, expect, test } from "vitest";
import { gradcheck, manualSeed, RandomGenerator, randn, type Tensor, tensor } from "../../engine/index.js";
import { batchNorm } from "../../engine/ops/batch-norm.js";
import { conv1d, conv2d } from "../../engine/ops/conv.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "../../engine/ops/pooling.js";

/** Values of `shape` all at least 0.1 apart (a shuffled ramp), so no max-pool window has a near tie within ε. */
function distinct(shape: number[], seed = 5): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => (i - size / 2) * 0.1);
  const gen = new RandomGenerator(seed);
  for (let i = size - 1; i > 0; i--) {
    const j = gen.int(0, i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return tensor(values).reshape(shape);
}

interface Case {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
}

const cases: Case[] = [
  {
    name: "conv2d 3×3, bias",
    fn: (x, w, b) => conv2d(x!, w!, b!),
    inputs: () => [randn([2, 3, 5, 6]), randn([4, 3, 3, 3]), randn([4])],
  },
  {
    name: "conv2d no bias, kernel 1×2",
    fn: (x, w) => conv2d(x!, w!),
    inputs: () => [randn([2, 2, 4, 4]), randn([3, 2, 1, 2])],
  },
  {
    name: "conv2d stride 2, padding 1",
    fn: (x, w, b) => conv2d(x!, w!, b!, { stride: 2, padding: 1 }),
    inputs: () => [randn([2, 2, 5, 5]), randn([3, 2, 3, 3]), randn([3])],
  },
  {
    name: "conv2d stride [1,2], padding [2,0]",
    fn: (x, w) => conv2d(x!, w!, null, { stride: [1, 2], padding: [2, 0] }),
    inputs: () => [randn([1, 2, 4, 7]), randn([2, 2, 3, 2])],
  },
  {
    name: "conv2d dilation 2",
    fn: (x, w, b) => conv2d(x!, w!, b!, { dilation: 2, padding: 1 }),
    inputs: () => [randn([2, 1, 6, 6]), randn([2, 1, 3, 3]), randn([2])],
  },
  {
    name: "conv2d groups 2",
    fn: (x, w, b) => conv2d(x!, w!, b!, { groups: 2 }),
    inputs: () => [randn([2, 4, 4, 4]), randn([6, 2, 2, 2]), randn([6])],
  },
  {
    name: "conv2d depthwise (groups = channels)",
    fn: (x, w) => conv2d(x!, w!, null, { groups: 3, padding: 1 }),
    inputs: () => [randn([1, 3, 4, 4]), randn([3, 1, 3, 3])],
  },
  {
    name: "conv2d padding same, even kernel",
    fn: (x, w) => conv2d(x!, w!, null, { padding: "same" }),
    inputs: () => [randn([2, 2, 4, 5]), randn([2, 2, 2, 4])],
  },
  {
    name: "conv2d unbatched [C,H,W]",
    fn: (x, w, b) => conv2d(x!, w!, b!),
    inputs: () => [randn([2, 4, 4]), randn([3, 2, 2, 2]), randn([3])],
  },
  {
    name: "conv1d stride 2, padding 1, bias",
    fn: (x, w, b) => conv1d(x!, w!, b!, { stride: 2, padding: 1 }),
    inputs: () => [randn([2, 3, 9]), randn([4, 3, 3]), randn([4])],
  },
  {
    name: "conv1d dilation 2, groups 2",
    fn: (x, w) => conv1d(x!, w!, null, { dilation: 2, groups: 2 }),
    inputs: () => [randn([2, 4, 8]), randn([4, 2, 2])],
  },
  { name: "maxPool2d 2", fn: (x) => maxPool2d(x!, 2), inputs: () => [distinct([2, 2, 4, 6])] },
  {
    name: "maxPool2d 3, stride 2, padding 1",
    fn: (x) => maxPool2d(x!, 3, { stride: 2, padding: 1 }),
    inputs: () => [distinct([1, 2, 5, 5])],
  },
  {
    name: "maxPool2d dilation 2, ceil mode",
    fn: (x) => maxPool2d(x!, 2, { stride: 2, dilation: 2, ceilMode: true }),
    inputs: () => [distinct([1, 1, 7, 7])],
  },
  { name: "avgPool2d 2", fn: (x) => avgPool2d(x!, 2), inputs: () => [randn([2, 3, 4, 4])] },
  {
    name: "avgPool2d 3, stride 2, padding 1",
    fn: (x) => avgPool2d(x!, 3, { stride: 2, padding: 1 }),
    inputs: () => [randn([1, 2, 5, 6])],
  },
  {
    name: "avgPool2d countIncludePad false, ceil mode",
    fn: (x) => avgPool2d(x!, 2, { padding: 1, countIncludePad: false, ceilMode: true }),
    inputs: () => [randn([1, 2, 5, 4])],
  },
  {
    name: "avgPool2d divisorOverride 3",
    fn: (x) => avgPool2d(x!, [2, 3], { divisorOverride: 3 }),
    inputs: () => [randn([2, 1, 4, 6])],
  },
  {
    name: "adaptiveAvgPool2d to 3×2 (overlapping windows)",
    fn: (x) => adaptiveAvgPool2d(x!, [3, 2]),
    inputs: () => [randn([2, 2, 5, 5])],
  },
  { name: "adaptiveAvgPool2d to 1", fn: (x) => adaptiveAvgPool2d(x!, 1), inputs: () => [randn([2, 3, 3, 4])] },
  {
    name: "batchNorm training, affine [N,C,H,W]",
    fn: (x, w, b) => batchNorm(x!, null, null, { weight: w!, bias: b!, training: true }),
    inputs: () => [randn([3, 2, 3, 2]), randn([2]), randn([2])],
  },
  {
    name: "batchNorm training, no affine [N,C]",
    fn: (x) => batchNorm(x!, null, null, { training: true }),
    inputs: () => [randn([5, 3])],
  },
  {
    name: "batchNorm training [N,C,L], weight only",
    fn: (x, w) => batchNorm(x!, null, null, { weight: w!, training: true }),
    inputs: () => [randn([2, 3, 4]), randn([3])],
  },
  {
    name: "batchNorm evaluation (running statistics)",
    fn: (x, w, b) => batchNorm(x!, tensor([0.5, -1]), tensor([2, 0.5]), { weight: w!, bias: b! }),
    inputs: () => [randn([3, 2, 2, 2]), randn([2]), randn([2])],
  },
  {
    name: "LeNet-like: conv → tanh → maxPool → batchNorm → conv → avgPool",
    fn: (x, w1, b1, w2) => {
      const h = maxPool2d(conv2d(x!, w1!, b1!, { padding: 1 }).tanh(), 2);
      return avgPool2d(conv2d(batchNorm(h, null, null, { training: true }), w2!), 2);
    },
    inputs: () => [randn([2, 1, 6, 6]), randn([3, 1, 3, 3]), randn([3]), randn([2, 3, 2, 2])],
  },
];

describe("gradcheck in float64: convolution, pooling, batch norm", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    manualSeed(21);
    expect(gradcheck(c.fn, c.inputs())).toBeLessThan(1e-6);
  });
});

// The composite case is left out in float32: a step of 1e-2 can reorder a max-pool window there.
describe("gradcheck in float32 (ε = 1e-2): convolution, pooling, batch norm", () => {
  test.each(cases.filter((c) => !c.name.startsWith("LeNet")).map((c) => [c.name, c] as const))("%s", (_name, c) => {
    manualSeed(22);
    expect(gradcheck(c.fn, c.inputs(), { float64: false, eps: 1e-2 })).toBeLessThan(2e-3);
  });
});
