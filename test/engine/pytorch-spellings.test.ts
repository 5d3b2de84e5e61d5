// PyTorch's spellings beside ours: sizes as arguments, cat/mm/bmm, size()/numel/dim, keepdim as an
// option, nn.functional's layers and activations; seeded Generator objects everywhere a random
// draw happens; sort/topk/multinomial; anomaly mode; custom autograd.Function errors.
import { describe, expect, test } from "vitest";
import {
  AnomalyError,
  autograd,
  bmm,
  cat,
  data,
  detectAnomaly,
  type FunctionCtx,
  Generator,
  manualSeed,
  mm,
  multinomial,
  nn,
  noGrad,
  ones,
  optim,
  rand,
  randint,
  randn,
  randperm,
  setDetectAnomaly,
  type Tensor,
  tensor,
  zeros,
} from "../../engine/index.js";

describe("sizes as arguments, as in PyTorch", () => {
  test("randn(3, 4), zeros(2, 3), ones(2, 3, { dtype }) and the array form agree", () => {
    expect(randn(3, 4).shape).toEqual([3, 4]);
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(ones(2, 3, { dtype: "float64" }).dtype).toBe("float64");
    expect(rand([2, 5]).shape).toEqual([2, 5]);
    expect(zeros(4).shape).toEqual([4]);
    expect(randn(2, 3, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => zeros(2, [3] as unknown as number)).toThrow(
      /zeros: sizes must be numbers or one array of numbers, got an array/,
    );
    expect(() => zeros(randn(2) as unknown as number)).toThrow(/got a Tensor \(use zerosLike/);
  });

  test("reshape(2, -1), view, permute take sizes as arguments", () => {
    const x = randn(2, 3, 4);
    expect(x.reshape(2, -1).shape).toEqual([2, 12]);
    expect(x.view(6, 4).shape).toEqual([6, 4]);
    expect(x.permute(2, 0, 1).shape).toEqual([4, 2, 3]);
  });

  test("numel(), dim(), cat, mm, bmm (with PyTorch's shape rules)", () => {
    const a = randn(2, 3);
    expect(a.numel()).toBe(6);
    expect(a.dim()).toBe(2);
    expect(cat([a, a], 1).shape).toEqual([2, 6]);
    expect(mm(a, randn(3, 5)).shape).toEqual([2, 5]);
    expect(a.mm(randn(3, 1)).shape).toEqual([2, 1]);
    expect(bmm(randn(4, 2, 3), randn(4, 3, 5)).shape).toEqual([4, 2, 5]);
    expect(() => mm(randn(2, 2, 3), randn(3, 5))).toThrow(
      "mm: expects two 2-D tensors, got [2,2,3] and [3,5] (matmul broadcasts batches)",
    );
    expect(() => bmm(randn(4, 2, 3), randn(3, 3, 5))).toThrow(/bmm: expects two 3-D tensors with the same batch size/);
    expect(() => cat(a as unknown as Tensor[])).toThrow(/cat: pass the tensors as an array/);
  });

  test("x.cpu() and x.to('cpu') are x; x.to('cuda') says the CPU is the one device", () => {
    const x = randn(2);
    expect(x.cpu()).toBe(x);
    expect(x.detach().cpu().toArray()).toEqual(x.toArray());
    expect(x.to("cpu")).toBe(x);
    expect(() => x.to("cuda")).toThrow(
      'to: tsgrad computes on the CPU only (no "cuda"); leave out .to(device), or use "cpu"',
    );
  });
  test("size() is the shape, size(dim) one dimension, numel() the element count", () => {
    const a = zeros(2, 3, 4);
    expect(a.size()).toEqual([2, 3, 4]);
    expect([a.size(0), a.size(-1), a.size(-3)]).toEqual([2, 4, 2]);
    expect(a.numel()).toBe(24);
    a.size()[0] = 9; // a copy, as torch.Size is immutable
    expect(a.shape).toEqual([2, 3, 4]);
    expect(tensor(5).size()).toEqual([]);
    expect(() => a.size(3)).toThrow("size: dim 3 is out of range for a tensor of shape [2,3,4] (expected -3 to 2)");
    expect(() => a.size(-4)).toThrow("(expected -3 to 2)");
    expect(() => a.size(1.5)).toThrow("size: dim 1.5 is out of range");
    expect(() => tensor(5).size(0)).toThrow("(a scalar has no dimensions)");
  });
  test("t.size used as a number (not called) says to call numel() or size()", () => {
    const a = zeros(2, 3) as unknown as { size: number };
    const message = "size is a method, as in PyTorch: t.numel() is the number of elements, t.size() the shape";
    expect(() => a.size * 2).toThrow(message);
    expect(() => a.size + 1).toThrow(message);
    // biome-ignore lint/suspicious/noDoubleEquals: the loose comparison a student would write
    expect(() => a.size == 6).toThrow(message);
    expect(`${a.size}`).toContain("size(dim)");
  });
  test("keepdim as an option wherever a reduction takes a dim", () => {
    const x = tensor([
      [1, 5],
      [3, 2],
    ]);
    expect(x.sum(1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(x.sum({ dim: 0, keepdim: true }).toArray()).toEqual([[4, 7]]);
    expect(x.mean({ dim: 1 }).toArray()).toEqual([3, 2.5]);
    expect(x.max(1, { keepdim: true }).toArray()).toEqual([[5], [3]]);
    expect(x.min({ dim: 0 }).toArray()).toEqual([1, 2]);
    expect(x.argmax({ dim: 1, keepdim: true }).toArray()).toEqual([[1], [0]]);
    expect(x.argmin(0, { keepdim: true }).toArray()).toEqual([[0, 1]]);
    expect(x.var({ dim: 1, unbiased: false }).toArray()).toEqual([4, 0.25]);
    expect(x.std(1, { keepdim: true }).shape).toEqual([2, 1]);
  });
});

describe("nn.functional: every layer and activation as a function", () => {
  test("the functions agree with the modules", () => {
    manualSeed(0);
    const x = randn(4, 3);
    const F = nn.functional;
    expect(F.relu(x).toArray()).toEqual(new nn.ReLU().forward(x).toArray());
    expect(F.gelu(x).toArray()).toEqual(new nn.GELU().forward(x).toArray());
    const rowSums = F.softmax(x, 1).sum(1).toArray() as number[];
    expect(rowSums.map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 1, 1, 1]);
    expect(F.logSoftmax(x, -1).exp().sum(-1).mean().item()).toBeCloseTo(1, 5);
    const lin = new nn.Linear(3, 2);
    expect(F.linear(x, lin.weight, lin.bias).toArray()).toEqual(lin.forward(x).toArray());
    const ln = new nn.LayerNorm(3);
    expect(F.layerNorm(x, [3], ln.weight, ln.bias).toArray()).toEqual(ln.forward(x).toArray());
    const labels = tensor([0, 2, 1, 1], { dtype: "int32" });
    expect(F.crossEntropy(x, labels).item()).toBeCloseTo(new nn.CrossEntropyLoss().forward(x, labels).item(), 6);
    expect(F.mseLoss(x, zeros(4, 3)).item()).toBeCloseTo(x.square().mean().item(), 6);
    expect(F.sigmoid(x).toArray()).toEqual(x.sigmoid().toArray());
    expect(F.tanh(x).toArray()).toEqual(x.tanh().toArray());
  });

  test("dropout: training flag, generator, and the same mask as nn.Dropout with the same generator", () => {
    const x = ones(1000);
    expect(nn.functional.dropout(x, 0.5, { training: false })).toBe(x);
    const a = nn.functional.dropout(x, 0.5, { generator: new Generator().manualSeed(3) });
    const b = new nn.Dropout(0.5, { generator: new Generator().manualSeed(3) }).forward(x);
    expect(a.toArray()).toEqual(b.toArray());
    const kept = a.gt(0).mean().item();
    expect(kept).toBeGreaterThan(0.4);
    expect(kept).toBeLessThan(0.6);
    expect(() => nn.functional.dropout(x, 1.5)).toThrow(/dropout: probability must be between 0 and 1, got 1.5/);
  });

  test("embedding needs int32 ids", () => {
    expect(() => nn.functional.embedding(tensor([0, 1]), randn(3, 2))).toThrow(
      /embedding: ids must be an int32 tensor, got float32 \(use ids.int\(\)\)/,
    );
  });
});

describe("Generator: seeded random streams of your own", () => {
  test("every random function takes { generator } and leaves the global stream alone", () => {
    manualSeed(7);
    const expected = randn(3).toArray();
    manualSeed(7);
    const g = new Generator().manualSeed(42);
    const first = [randn(2, 2, { generator: g }), rand(3, { generator: g }), randint(0, 10, [4], { generator: g })];
    first.push(randperm(5, { generator: g }), multinomial(tensor([0.2, 0.3, 0.5]), 2, { generator: g }));
    expect(randn(3).toArray()).toEqual(expected);
    g.manualSeed(42);
    const again = [randn(2, 2, { generator: g }), rand(3, { generator: g }), randint(0, 10, [4], { generator: g })];
    again.push(randperm(5, { generator: g }), multinomial(tensor([0.2, 0.3, 0.5]), 2, { generator: g }));
    expect(again.map((t) => t.toArray())).toEqual(first.map((t) => t.toArray()));
    expect(g.initialSeed()).toBe(42);
  });

  test("nn.init's initialisers take { generator } too, as PyTorch's generator=", () => {
    manualSeed(7);
    const expected = randn(3).toArray();
    manualSeed(7);
    const draw = (seed: number) => {
      const generator = new Generator().manualSeed(seed);
      return [
        nn.init.uniform_(zeros(3), -1, 1, { generator }),
        nn.init.normal_(zeros(3), 0, 1, { generator }),
        nn.init.xavierUniform_(zeros(2, 3), 1, { generator }),
        nn.init.xavierNormal_(zeros(2, 3), 1, { generator }),
        nn.init.kaimingUniform_(zeros(2, 3), { nonlinearity: "relu", generator }),
        nn.init.kaimingNormal_(zeros(2, 3), { generator }),
      ].map((t) => t.toArray());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(randn(3).toArray()).toEqual(expected); // the global stream was not used
  });

  test("DataLoader shuffles with a generator: the same seed, the same batches", () => {
    const ds = new data.TensorDataset(randn(10, 2), randn(10));
    const order = (seed: number) =>
      [...new data.DataLoader(ds, { batchSize: 4, shuffle: true, generator: new Generator().manualSeed(seed) })].map(
        (b) => b[0]!.toArray(),
      );
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
  });

  test("manualSeed rejects what is not a number", () => {
    expect(() => new Generator().manualSeed("a" as unknown as number)).toThrow(
      /manualSeed: the seed must be a finite number/,
    );
  });
});

describe("sort, topk, cumsum, multinomial", () => {
  test("sort gives values and indices; NaN last; descending; ties keep their order", () => {
    const { values, indices } = tensor([3, 1, 2, 1]).sort();
    expect(values.toArray()).toEqual([1, 1, 2, 3]);
    expect(indices.toArray()).toEqual([1, 3, 2, 0]);
    expect(tensor([2, Number.NaN, 5]).sort({ descending: true }).values.toArray()).toEqual([5, 2, Number.NaN]);
    expect(
      tensor([
        [3, 1],
        [0, 4],
      ])
        .sort({ dim: 0 })
        .indices.toArray(),
    ).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  test("topk: the k largest per row, and bad k", () => {
    const x = tensor([
      [0.1, 0.7, 0.2],
      [0.5, 0.1, 0.4],
    ]);
    expect(x.topk(2).indices.toArray()).toEqual([
      [1, 2],
      [0, 2],
    ]);
    expect(x.topk(1, { descending: false }).values.shape).toEqual([2, 1]);
    expect(() => x.topk(4)).toThrow(/topk: k must be an integer from 0 to 3/);
  });

  test("a dim out of range names the op; so does a bad base, slice step or position", () => {
    const x = randn(2, 3);
    expect(() => x.cumsum(2)).toThrow("cumsum: axis 2 is out of range for a tensor with 2 dimensions");
    expect(() => x.sort({ dim: 2 })).toThrow("sort: axis 2 is out of range for a tensor with 2 dimensions");
    expect(() => x.topk(1, { dim: 5 })).toThrow("topk: axis 5 is out of range for a tensor with 2 dimensions");
    expect(() => x.rpow("a" as unknown as number)).toThrow("pow: expected a Tensor or a number, got string");
    expect(() => x.index("1:2:0")).toThrow("index: slice step must be positive, got 0");
    expect(() => x.at(0, 7)).toThrow("index: index 7 is out of range for dimension 1 of size 3 (shape [2,3])");
  });

  test("cumsum along a dim", () => {
    expect(tensor([1, 2, 3]).cumsum(0).toArray()).toEqual([1, 3, 6]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .cumsum(0)
        .toArray(),
    ).toEqual([
      [1, 2],
      [4, 6],
    ]);
  });

  test("multinomial: frequencies follow the weights; without replacement never repeats", () => {
    const g = new Generator().manualSeed(0);
    const draws = multinomial(tensor([1, 3]), 4000, { replacement: true, generator: g });
    expect(draws.float().mean().item()).toBeCloseTo(0.75, 1);
    const perm = multinomial(tensor([[1, 1, 1, 1]]), 4, { generator: g });
    expect([...(perm.toArray() as number[][])[0]!].sort()).toEqual([0, 1, 2, 3]);
    expect(() => multinomial(tensor([1, 1]), 3)).toThrow(/cannot draw 3 samples from 2 categories without replacement/);
    expect(() => multinomial(tensor([1, -1]), 1)).toThrow(/weights must be finite and non-negative, got -1/);
    expect(() => multinomial(tensor([0, 0]), 1)).toThrow(/row 0 of the weights sums to 0/);
  });
});

describe("anomaly mode", () => {
  test("forward: names the op, the input shapes and the calling line", () => {
    const x = tensor([1, 0, 2], { requiresGrad: true });
    expect(() => detectAnomaly(() => x.mul(x).log())).toThrow(AnomalyError);
    let message = "";
    try {
      detectAnomaly(() => x.mul(x).log().sum());
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^anomaly: log produced -Infinity \(forward, element 1 of \[3\]\) from finite inputs of shapes \[3\]; the op was called at .*pytorch-spellings\.test\.ts:\d+:\d+/,
    );
    expect(() => x.mul(x).log()).not.toThrow(); // off again outside detectAnomaly
  });

  test("backward: the first NaN in a gradient, with where the op was made", () => {
    const x = tensor([0, 4], { requiresGrad: true });
    setDetectAnomaly(true);
    try {
      const y = x.sqrt().sum(); // d√x at 0 is Infinity
      expect(() => y.backward()).toThrow(
        /anomaly: the backward of sqrt returned Infinity in the gradient of input 0 \(inputs of shapes \[2\]\)/,
      );
    } finally {
      setDetectAnomaly(false);
    }
  });

  test("an Infinity that came in is not blamed on the next op", () => {
    const masked = tensor([1, 2]).maskedFill(tensor([1, 0]), Number.NEGATIVE_INFINITY);
    expect(() => detectAnomaly(() => masked.softmax(0))).not.toThrow();
  });
});

describe("autograd.Function mistakes", () => {
  test("missing backward, wrong shapes, wrong count, non-tensor forward", () => {
    class NoBackward extends autograd.Function {
      static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
    }
    const x = randn(3, { requiresGrad: true });
    expect(() => NoBackward.apply(x).sum().backward()).toThrow(/NoBackward: define static backward\(ctx, gradOutput\)/);
    class BadShape extends autograd.Function {
      static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.sum();
      }
    }
    expect(() => BadShape.apply(x).sum().backward()).toThrow(
      "BadShape.backward: the gradient for argument 0 has shape [], but the input has shape [3]",
    );
    class TwoArgs extends autograd.Function {
      static override forward(_ctx: FunctionCtx, a: Tensor, b: Tensor): Tensor {
        return a.add(b);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor[] {
        return [g];
      }
    }
    expect(() => TwoArgs.apply(x, x).sum().backward()).toThrow(
      /TwoArgs.backward returned 1 gradient, but apply got 2 arguments/,
    );
    class NotATensor extends autograd.Function {
      static override forward(): Tensor {
        return 3 as unknown as Tensor;
      }
    }
    expect(() => NotATensor.apply()).toThrow("NotATensor.forward must return a Tensor, got number");
  });

  test("forward runs without recording, so an identity forward still makes a fresh node", () => {
    class Identity extends autograd.Function {
      static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x;
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    const x = randn(2, { requiresGrad: true });
    const y = Identity.apply(x);
    expect(y).not.toBe(x);
    expect(x.isLeaf).toBe(true);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 1]);
    expect(noGrad(() => Identity.apply(x)).requiresGrad).toBe(false);
  });
});

describe("PyTorch habits get a message saying what to write", () => {
  test("operators on tensors, .to(device), long(), tolist()", () => {
    const a = tensor([1, 2]);
    expect(() => (a as unknown as number) * 2).toThrow(
      /JavaScript has no operators on tensors, so write a\.mul\(2\) for a \* 2/,
    );
    expect(a.to("cpu" as "float32")).toBe(a);
    expect(() => a.to("cuda" as "float32")).toThrow(
      'to: tsgrad computes on the CPU only (no "cuda"); leave out .to(device), or use "cpu"',
    );
    expect(() => a.to("float16" as "float32")).toThrow(
      /to: expected a dtype \("float32", "float64" or "int32"\), got "float16"/,
    );
    expect(tensor([1.7, 2.2]).long().toArray()).toEqual([1, 2]);
    expect(a.tolist()).toEqual([1, 2]);
  });

  test("torch.cat((a, b)) written with parentheses, randint(high, size)", () => {
    const a = tensor([1, 2]);
    expect(() => cat(a as unknown as Tensor[], 0)).toThrow("cat: pass the tensors as an array: cat([a, b], dim)");
    expect(() => a.stack(a as unknown as Tensor[])).toThrow(
      /concat: pass the tensors as an array|stack: pass the tensors as an array/,
    );
    const r = randint(5, [100], { generator: new Generator().manualSeed(0) });
    expect(r.dtype).toBe("int32");
    expect(r.max().item()).toBeLessThan(5);
    expect(r.min().item()).toBeGreaterThanOrEqual(0);
  });

  test("an optimizer given model.parameters without calling it", () => {
    const model = new nn.Linear(2, 1);
    expect(() => new optim.SGD(model.parameters as unknown as Tensor[], { lr: 0.1 })).toThrow(
      "optimizer: call it: pass model.parameters(), not model.parameters",
    );
    expect(() => new optim.SGD(model as unknown as Tensor[], { lr: 0.1 })).toThrow(
      /pass the model's parameters, not the model: model\.parameters\(\)/,
    );
  });
});
