// Convolution, pooling and batch normalisation against values worked out by hand, against a
// direct six-loop convolution (every option, both kernel sets), and the layers: shapes,
// parameters, initialisation bounds, buffers in stateDict, train/eval, reprs and errors.
import { afterEach, describe, expect, test } from "vitest";
import { manualSeed, nn, randn, type Tensor, tensor } from "../../engine/index.js";
import { jsKernels, kernels, setKernels, simdKernels } from "../../engine/kernels/index.js";
import { layerRows } from "../../engine/nn/layer-summary.js";
import { batchNorm } from "../../engine/ops/batch-norm.js";
import { type ConvOptions, conv1d, conv2d } from "../../engine/ops/conv.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "../../engine/ops/pooling.js";

const initial = kernels;
afterEach(() => setKernels(initial));

function expectValues(actual: Tensor, shape: number[], expected: number[], tol = 1e-5): void {
  expect(actual.shape).toEqual(shape);
  let worst = "";
  actual.data.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]!) <= tol * Math.max(1, Math.abs(expected[i]!))))
      worst ||= `element ${i}: ${a} vs ${expected[i]}`;
  });
  expect(worst).toBe("");
}

const image3 = (): Tensor =>
  tensor([
    [
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
    ],
  ]);

/** The definition, one output element at a time (float64), for x [N,C,H,W] and symmetric padding. */
function directConv(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  s: number[],
  p: number[],
  d: number[],
  groups: number,
): number[][] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, cg, kh, kw] = w.shape as [number, number, number, number];
  const oh = Math.floor((H + 2 * p[0]! - d[0]! * (kh - 1) - 1) / s[0]!) + 1;
  const ow = Math.floor((W + 2 * p[1]! - d[1]! * (kw - 1) - 1) / s[1]!) + 1;
  const og = O / groups;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let sum = b ? b.data[o]! : 0;
          const g = Math.floor(o / og);
          for (let c = 0; c < cg; c++)
            for (let a = 0; a < kh; a++)
              for (let e = 0; e < kw; e++) {
                const r = i * s[0]! - p[0]! + a * d[0]!;
                const q = j * s[1]! - p[1]! + e * d[1]!;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                sum += x.data[((n * C + g * cg + c) * H + r) * W + q]! * w.data[((o * cg + c) * kh + a) * kw + e]!;
              }
          out.push(sum);
        }
  return [[N, O, oh, ow], out];
}

describe("conv2d by hand", () => {
  test("a 2×2 filter over a 3×3 image, with a bias", () => {
    const w = tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    expectValues(conv2d(image3(), w), [1, 1, 2, 2], [37, 47, 67, 77]);
    expectValues(conv2d(image3(), w, tensor([1])), [1, 1, 2, 2], [38, 48, 68, 78]);
  });

  test("padding 1 and stride 2: the corner windows see one or two pixels", () => {
    expectValues(
      conv2d(
        image3(),
        tensor([
          [
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ]),
        null,
        { stride: 2, padding: 1 },
      ),
      [1, 1, 2, 2],
      [4, 18, 36, 77],
    );
  });

  test("two input channels add up; groups keep them apart", () => {
    const x = tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [10, 20],
          [30, 40],
        ],
      ],
    ]); // [1, 2, 2, 2]
    const ones = tensor([[[[1]], [[1]]]]); // [1, 2, 1, 1]: sum the channels
    expectValues(conv2d(x, ones), [1, 1, 2, 2], [11, 22, 33, 44]);
    const perChannel = tensor([[[[2]]], [[[-1]]]]); // [2, 1, 1, 1], groups 2
    expectValues(conv2d(x, perChannel, null, { groups: 2 }), [1, 2, 2, 2], [2, 4, 6, 8, -10, -20, -30, -40]);
  });

  test("conv1d: a difference filter", () => {
    expectValues(conv1d(tensor([[[1, 4, 9, 16, 25]]]), tensor([[[-1, 1]]])), [1, 1, 4], [3, 5, 7, 9]);
    expectValues(conv1d(tensor([[1, 4, 9, 16, 25]]), tensor([[[-1, 1]]]), null, { dilation: 2 }), [1, 3], [8, 12, 16]);
  });
});

describe("conv2d against the direct loops", () => {
  const options: [string, number[], ConvOptions, number[]][] = [
    ["plain 3×3", [2, 3, 7, 6], {}, [4, 3, 3, 3]],
    ["stride 2, padding 1", [3, 2, 9, 8], { stride: 2, padding: 1 }, [5, 2, 3, 3]],
    [
      "stride [2,1], padding [0,2], dilation [1,2]",
      [2, 2, 8, 9],
      { stride: [2, 1], padding: [0, 2], dilation: [1, 2] },
      [3, 2, 2, 3],
    ],
    ["groups 3", [2, 6, 5, 5], { groups: 3, padding: 1 }, [9, 2, 3, 3]],
    ["LeNet's first layer", [16, 1, 28, 28], {}, [6, 1, 5, 5]],
    ["wide: 32 → 64 channels, 3×3", [4, 32, 12, 12], { padding: 1 }, [64, 32, 3, 3]],
  ];
  test.each(options)("%s, TypeScript and WebAssembly kernels", (_name, xShape, opts, wShape) => {
    manualSeed(3);
    const x = randn(xShape);
    const w = randn(wShape);
    const b = randn([wShape[0]!]);
    const p =
      typeof opts.padding === "number"
        ? [opts.padding, opts.padding]
        : ((opts.padding as number[] | undefined) ?? [0, 0]);
    const pair = (v: number | number[] | undefined): number[] =>
      v === undefined ? [1, 1] : typeof v === "number" ? [v, v] : v;
    const [shape, expected] = directConv(x, w, b, pair(opts.stride), p, pair(opts.dilation), opts.groups ?? 1);
    for (const k of [jsKernels, simdKernels]) {
      setKernels(k);
      expectValues(conv2d(x, w, b, opts), shape as number[], expected as number[], 1e-4);
    }
  });
});

describe("pooling by hand", () => {
  const ramp = (h: number, w: number): Tensor =>
    tensor(Array.from({ length: h * w }, (_, i) => i)).reshape([1, 1, h, w]);
  test("max and average over 2×2 windows of 0..15", () => {
    expectValues(maxPool2d(ramp(4, 4), 2), [1, 1, 2, 2], [5, 7, 13, 15]);
    expectValues(avgPool2d(ramp(4, 4), 2), [1, 1, 2, 2], [2.5, 4.5, 10.5, 12.5]);
  });

  test("ceil mode keeps the last partial window", () => {
    expectValues(maxPool2d(ramp(5, 5), 2, { ceilMode: true }), [1, 1, 3, 3], [6, 8, 9, 16, 18, 19, 21, 23, 24]);
    expectValues(maxPool2d(ramp(5, 5), 2), [1, 1, 2, 2], [6, 8, 16, 18]);
  });

  test("padded average: countIncludePad divides by 9 or by the pixels present", () => {
    const x = ramp(3, 3);
    const included = avgPool2d(x, 3, { stride: 1, padding: 1 });
    expectValues(included, [1, 1, 3, 3], [8 / 9, 15 / 9, 12 / 9, 21 / 9, 36 / 9, 27 / 9, 20 / 9, 33 / 9, 24 / 9]);
    const present = avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false });
    expectValues(present, [1, 1, 3, 3], [8 / 4, 15 / 6, 12 / 4, 21 / 6, 36 / 9, 27 / 6, 20 / 4, 33 / 6, 24 / 4]);
  });

  test("adaptive average: 3×3 to 2×2 with overlapping windows, and global pooling", () => {
    expectValues(adaptiveAvgPool2d(ramp(3, 3), 2), [1, 1, 2, 2], [2, 3, 5, 6]);
    expectValues(adaptiveAvgPool2d(ramp(3, 3), 1), [1, 1, 1, 1], [4]);
  });

  test("max pooling with padding, stride and dilation equals the definition; NaN wins", () => {
    manualSeed(4);
    const x = randn([2, 3, 7, 6]);
    const [k, st, pad, dil] = [3, 2, 1, 2];
    const out = maxPool2d(x, k, { stride: st, padding: pad, dilation: dil });
    const oh = Math.floor((7 + 2 * pad - dil * (k - 1) - 1) / st) + 1;
    const ow = Math.floor((6 + 2 * pad - dil * (k - 1) - 1) / st) + 1;
    const expected: number[] = [];
    for (let q = 0; q < 6; q++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let best = -Infinity;
          for (let a = 0; a < k; a++)
            for (let b = 0; b < k; b++) {
              const r = i * st - pad + a * dil;
              const c = j * st - pad + b * dil;
              if (r >= 0 && r < 7 && c >= 0 && c < 6) best = Math.max(best, x.data[q * 42 + r * 6 + c]!);
            }
          expected.push(best);
        }
    expectValues(out, [2, 3, oh, ow], expected);
    const withNaN = tensor([
      [
        [
          [1, Number.NaN],
          [3, 2],
        ],
      ],
    ]);
    expect(maxPool2d(withNaN, 2).item()).toBeNaN();
  });

  test("max pooling's gradient goes to each window's maximum only", () => {
    const x = ramp(4, 4);
    x.requiresGrad = true;
    maxPool2d(x, 2).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
  });

  test("errors name the op and the sizes", () => {
    expect(() => maxPool2d(randn([4, 4]), 2)).toThrow(
      "maxPool2d: expected a 4-D input [N, C, H, W] or 3-D [C, H, W], got shape [4,4]",
    );
    expect(() => maxPool2d(randn([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(
      /padding must be at most half the kernel size/,
    );
    expect(() => avgPool2d(randn([1, 1, 2, 2]), 3)).toThrow(
      "avgPool2d: the input's size 2 (padding 0) is smaller than the kernel 3",
    );
  });
});

describe("batchNorm by hand", () => {
  test("training: the batch's mean and biased variance; running statistics move by momentum (unbiased variance)", () => {
    const runningMean = tensor([0]);
    const runningVar = tensor([1]);
    const x = tensor([[1], [2], [3], [4]]);
    const y = batchNorm(x, runningMean, runningVar, { training: true });
    const sd = Math.sqrt(1.25 + 1e-5);
    expectValues(y, [4, 1], [-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd]);
    expectValues(runningMean, [1], [0.25]);
    expectValues(runningVar, [1], [0.9 + 0.1 * (5 / 3)]);
  });

  test("evaluation: the running statistics, then weight and bias", () => {
    const y = batchNorm(
      tensor([
        [1, 1],
        [3, 5],
      ]),
      tensor([1, 2]),
      tensor([4, 9]),
      { weight: tensor([2, 1]), bias: tensor([0, 10]), eps: 0 },
    );
    expectValues(y, [2, 2], [0, 10 - 1 / 3, 2, 11]);
  });

  test("statistics over batch and pixels, per channel, for [N, C, H, W]", () => {
    const x = tensor([
      [[[0, 2]], [[10, 10]]],
      [[[4, 6]], [[20, 40]]],
    ]); // [2, 2, 1, 2]
    const runningMean = tensor([0, 0]);
    const runningVar = tensor([1, 1]);
    batchNorm(x, runningMean, runningVar, { training: true, momentum: 1 });
    expectValues(runningMean, [2], [3, 20]);
    expectValues(runningVar, [2], [20 / 3, 600 / 3]);
  });

  test("one value per channel cannot be normalised in training", () => {
    expect(() => batchNorm(tensor([[1, 2]]), null, null, { training: true })).toThrow(
      "batchNorm: expected more than 1 value per channel when training, got input of shape [1,2]",
    );
  });
});

describe("the layers", () => {
  test("Conv2d: PyTorch's shapes, bounds and repr", () => {
    manualSeed(0);
    const conv = new nn.Conv2d(3, 8, 5, { stride: 2, padding: 2 });
    expect(conv.weight.shape).toEqual([8, 3, 5, 5]);
    expect(conv.bias!.shape).toEqual([8]);
    const bound = 1 / Math.sqrt(3 * 25);
    expect(Math.max(...Array.from(conv.weight.data, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(conv.bias!.data, Math.abs))).toBeLessThanOrEqual(bound);
    expect(conv.forward(randn([2, 3, 28, 28])).shape).toEqual([2, 8, 14, 14]);
    expect(String(conv)).toBe("Conv2d(3, 8, kernelSize=[5,5], stride=[2,2], padding=[2,2])");
    expect(String(new nn.Conv2d(4, 4, [1, 3], { groups: 2, bias: false, padding: "same" }))).toBe(
      'Conv2d(4, 4, kernelSize=[1,3], stride=[1,1], padding="same", groups=2, bias=false)',
    );
    expect(() => conv.forward(randn([2, 1, 28, 28]))).toThrow(
      "Conv2d(3, 8) got input of shape [2,1,28,28]: expected [N, C, H, W] with C = 3",
    );
    expect(() => new nn.Conv2d(3, 8, 3, { groups: 2 })).toThrow(
      "Conv2d: inChannels (3) must be divisible by groups (2)",
    );
    expect(() => new nn.Conv2d(1, 1, 3, { stride: 2, padding: "same" })).toThrow(/"same" needs stride 1/);
  });

  test("Conv1d, pooling layers and Flatten in a Sequential", () => {
    expect(new nn.Conv1d(2, 4, 3, { padding: 1 }).forward(randn([5, 2, 10])).shape).toEqual([5, 4, 10]);
    const net = new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5),
      new nn.ReLU(),
      new nn.AvgPool2d(2),
      new nn.AdaptiveAvgPool2d([2, null]),
      new nn.Flatten(),
      new nn.Linear(16 * 2 * 5, 10),
    );
    expect(net.forward(randn([3, 1, 28, 28])).shape).toEqual([3, 10]);
    expect(String(new nn.MaxPool2d(2))).toBe(
      "MaxPool2d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)",
    );
    expect(String(new nn.AdaptiveAvgPool2d([2, null]))).toBe("AdaptiveAvgPool2d(outputSize=[2,null])");
    expect(() => new nn.MaxPool2d(2, { padding: 3 })).toThrow(/padding must be at most half/);
  });

  test("a model's layer table shows a convolution's output channels", () => {
    class Net extends nn.Module {
      conv = new nn.Conv2d(1, 6, 5);
      fc = new nn.Linear(6, 2);
    }
    expect(layerRows(new Net()).map((r) => r.outputShape)).toEqual(["[*, 6, …]", "[*, 2]"]);
  });

  test("nn.summary(model, input shape): each layer's NCHW output shapes, the model left as it was", () => {
    class Net extends nn.Module {
      conv1 = new nn.Conv2d(1, 16, 3, { padding: 1 });
      bn = new nn.BatchNorm2d(16);
      conv2 = new nn.Conv2d(16, 32, 3);
      pool = new nn.MaxPool2d(2);
      fc = new nn.Linear(32 * 3 * 3, 10);
      spare = new nn.ReLU();
      override forward(x: Tensor): Tensor {
        const h = this.pool(this.bn(this.conv1(x)).relu());
        return this.fc(this.pool(this.conv2(h).relu()).flatten(1));
      }
    }
    const net = new Net();
    // 16×16 in: conv1 (3×3, padding 1) keeps 16×16, pooling halves it to 8×8, conv2 (3×3) makes
    // 6×6, pooling 3×3: 32·3·3 = 288 features for fc. The pooling layer runs twice.
    const running = Array.from(net.bn.runningMean!.data);
    const text = String(nn.summary(net, [2, 1, 16, 16]));
    const shapes = nn.layerRows(net, [2, 1, 16, 16]).map((r) => r.outputShape);
    expect(shapes).toEqual([
      "[*, 16, 16, 16]",
      "[*, 16, 16, 16]",
      "[*, 32, 6, 6]",
      "[*, 16, 8, 8]; [*, 32, 3, 3]",
      "[*, 10]",
      "— (not called)",
    ]);
    expect(text).toContain("[*, 32, 6, 6]");
    expect(net.training && net.bn.training).toBe(true); // traced in eval mode, put back
    expect(Array.from(net.bn.runningMean!.data)).toEqual(running); // running statistics untouched
    expect(Object.hasOwn(net.conv1, "forward")).toBe(false);
    expect(() => nn.summary(net, [2, 3, 16, 16])).toThrow(
      /an input of shape \[2, 3, 16, 16\] does not run through Net/,
    );
    expect(Object.hasOwn(net.conv1, "forward")).toBe(false);
  });

  test("BatchNorm2d: buffers in stateDict, training moves them, eval uses them", () => {
    const bn = new nn.BatchNorm2d(2);
    expect(Object.keys(bn.stateDict())).toEqual(["weight", "bias", "runningMean", "runningVar", "numBatchesTracked"]);
    expect(bn.parameters().length).toBe(2);
    const x = tensor([
      [[[0, 2]], [[10, 10]]],
      [[[4, 6]], [[20, 40]]],
    ]);
    const y = bn.forward(x);
    expectValues(y.mean([0, 2, 3]), [2], [0, 0]);
    expectValues(bn.runningMean!, [2], [0.3, 2]);
    expectValues(bn.runningVar!, [2], [0.9 + 0.1 * (20 / 3), 0.9 + 0.1 * 200]);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.eval();
    const z = bn.forward(x);
    expectValues(
      z,
      [2, 2, 1, 2],
      Array.from(x.data, (v, i) => {
        const c = Math.floor(i / 2) % 2;
        return (v - bn.runningMean!.data[c]!) / Math.sqrt(bn.runningVar!.data[c]! + 1e-5);
      }),
    );
    expect(bn.numBatchesTracked!.item()).toBe(1);
    const copy = new nn.BatchNorm2d(2);
    copy.loadStateDict(bn.stateDict());
    expect(Array.from(copy.runningVar!.data)).toEqual(Array.from(bn.runningVar!.data));
    expect(String(bn)).toBe("BatchNorm2d(2, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)");
  });

  test("BatchNorm1d: momentum null averages every batch equally; no running stats means batch stats in eval", () => {
    const bn = new nn.BatchNorm1d(1, { momentum: null, affine: false });
    bn.forward(tensor([[0], [2]]));
    bn.forward(tensor([[4], [6]]));
    expectValues(bn.runningMean!, [1], [3]);
    expect(bn.parameters()).toEqual([]);
    const free = new nn.BatchNorm1d(1, { trackRunningStats: false }).eval();
    expect(Object.keys(free.stateDict())).toEqual(["weight", "bias"]);
    expectValues(free.forward(tensor([[1], [3]])), [2, 1], [-1 / Math.sqrt(1 + 1e-5), 1 / Math.sqrt(1 + 1e-5)]);
    expect(() => new nn.BatchNorm1d(3).forward(randn([4, 2]))).toThrow(
      "BatchNorm1d(3) got input of shape [4,2]: expected [N, C] or [N, C, L] with C = 3",
    );
  });

  test("a conv net trains: loss falls on a toy task", () => {
    manualSeed(1);
    const x = randn([32, 1, 8, 8]);
    const labels = x.mean([1, 2, 3]).gt(0).int();
    const net = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(64, 2),
    );
    const lossFn = new nn.CrossEntropyLoss();
    const params = net.parameters();
    const first = lossFn.forward(net.forward(x), labels).item();
    for (let step = 0; step < 60; step++) {
      const loss = lossFn.forward(net.forward(x), labels);
      for (const p of params) p.grad = null;
      loss.backward();
      for (const p of params) p.data.set(p.data.map((v, i) => v - 0.1 * p.grad!.data[i]!));
    }
    expect(lossFn.forward(net.forward(x), labels).item()).toBeLessThan(first / 3);
  });
});
