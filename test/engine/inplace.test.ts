// In-place ops and the rules that keep them from giving wrong gradients: values, the leaf rule,
// version counters (in-place ops and writes through .data), differentiable in-place on
// non-leaves, and retainGraph.
import { describe, expect, test } from "vitest";
import {
  Generator,
  gradcheck,
  manualSeed,
  nn,
  noGrad,
  optim,
  randn,
  type Tensor,
  tensor,
  zeros,
} from "../../engine/index.js";

describe("in-place ops: values", () => {
  test("add_ sub_ mul_ div_ change the tensor itself (broadcasting the other side) and return it", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(x.add_(tensor([10, 20]))).toBe(x);
    expect(x.toArray()).toEqual([
      [11, 22],
      [13, 24],
    ]);
    x.sub_(1).mul_(2).div_(4);
    expect(x.toArray()).toEqual([
      [5, 10.5],
      [6, 11.5],
    ]);
  });

  test("clamp_ zero_ fill_ copy_ (copy_ broadcasts and converts dtype)", () => {
    const x = tensor([-2, 0.5, 3]);
    expect(x.clamp_(-1, 1).toArray()).toEqual([-1, 0.5, 1]);
    expect(x.fill_(7).toArray()).toEqual([7, 7, 7]);
    expect(x.zero_().toArray()).toEqual([0, 0, 0]);
    const m = zeros(2, 3);
    m.copy_(tensor([1, 2, 3], { dtype: "float64" }));
    expect(m.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(m.dtype).toBe("float32");
  });

  test("views share the change: a reshape of x sees x.add_(1)", () => {
    const x = tensor([1, 2, 3, 4]);
    const v = x.reshape(2, 2);
    x.add_(1);
    expect(v.toArray()).toEqual([
      [2, 3],
      [4, 5],
    ]);
    expect(v.version).toBe(1);
  });

  test("uniform_ and normal_ fill from a generator of their own, reproducibly", () => {
    const a = zeros(1000).uniform_(-2, 2, { generator: new Generator().manualSeed(5) });
    const b = zeros(1000).uniform_(-2, 2, { generator: new Generator().manualSeed(5) });
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.min().item()).toBeGreaterThanOrEqual(-2);
    expect(a.max().item()).toBeLessThan(2);
    manualSeed(0);
    const n = zeros(20000).normal_(3, 0.5);
    expect(n.mean().item()).toBeCloseTo(3, 1);
    expect(n.std().item()).toBeCloseTo(0.5, 1);
  });

  test("a parameter update inside noGrad, the from-scratch way", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(w).sum().backward();
    noGrad(() => w.sub_(w.grad!.mul(0.25)));
    expect(w.toArray()).toEqual([0.5, 1]);
    w.grad!.zero_();
    expect(w.grad!.toArray()).toEqual([0, 0]);
    expect(w.requiresGrad).toBe(true);
    expect(w.isLeaf).toBe(true);
  });
});

describe("in-place ops: what PyTorch refuses", () => {
  test("an in-place op on a leaf that requires grad, outside noGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.sub_(1)).toThrow(
      /sub_: a leaf Variable that requires grad is being used in an in-place operation\. .*noGrad/,
    );
    expect(() => w.fill_(0)).toThrow(/a leaf Variable that requires grad/);
    expect(() => w.uniform_()).toThrow(/a leaf Variable that requires grad/);
    expect(() => w.reshape(2, 1).add_(1)).toThrow(/a view of a leaf Variable that requires grad/);
    expect(w.toArray()).toEqual([1, 2]); // nothing changed
  });

  test("a saved tensor changed in place makes backward() fail with PyTorch's message", () => {
    const x = tensor(
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      { requiresGrad: true },
    );
    const y = x.mul(2);
    const loss = y.mul(y).sum(); // mul saves y
    noGrad(() => y.add_(1));
    expect(() => loss.backward()).toThrow(
      "one of the variables needed for gradient computation has been modified by an inplace operation: [Tensor [2, 4]] (input 0 of mul) is at version 1; expected version 0 instead.",
    );
  });

  test("an optimizer-style update between forward and backward is caught", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const loss = w.mul(w).sum();
    noGrad(() => w.sub_(0.1));
    expect(() => loss.backward()).toThrow(/is at version 1; expected version 0/);
  });

  test("optimizer.step() between forward and backward is caught; a plain loop keeps version 0", () => {
    const layer = new nn.Linear(2, 1);
    const opt = new optim.SGD(layer.parameters(), { lr: 0.1 });
    const x = tensor([[1, 2]]);
    for (let i = 0; i < 3; i++) {
      const loss = layer(x).pow(2).sum();
      opt.zeroGrad();
      loss.backward();
      opt.step(); // no graph holds the weights any more: nothing to count
    }
    expect(layer.weight.version).toBe(0);
    const kept = layer(x).pow(2).sum(); // matmul saved the weight
    kept.backward(undefined, { retainGraph: true });
    opt.step();
    expect(layer.weight.version).toBe(1);
    expect(() => kept.backward()).toThrow(/is at version 1; expected version 0/);
  });

  test("a second graph over the same weights still notices a step made after the first's backward", () => {
    const layer = new nn.Linear(2, 1);
    const opt = new optim.SGD(layer.parameters(), { lr: 0.1 });
    const x = tensor([[1, 2]]);
    const first = layer(x).pow(2).sum();
    const second = layer(x).abs().sum(); // also saved the weight
    first.backward(); // frees the first graph, not the second
    opt.step();
    expect(() => second.backward()).toThrow(
      /modified by an inplace operation: \[Tensor \[1, 2\]\] .*is at version 1; expected version 0/,
    );
    // And a write through .data, after the first of two graphs ran backward.
    const w = tensor([1, 2], { requiresGrad: true });
    const a = w.mul(w).sum();
    const b = w.mul(3).mul(w).sum();
    a.backward();
    w.data[0] = 100;
    expect(() => b.backward()).toThrow(/modified by an inplace operation: \[Tensor \[2\]\]/);
  });

  test("writing through .data between forward and backward no longer gives a wrong gradient", () => {
    // The case: d(x²)/dx at [1, 2] is [2, 4]; after x.data[0] = 100 it came out [200, 4].
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.mul(x).sum();
    x.data[0] = 100;
    expect(() => loss.backward()).toThrow(/modified by an inplace operation: \[Tensor \[2\]\]/);
    const set = tensor([1, 2], { requiresGrad: true });
    const loss2 = set.mul(set).sum();
    set.data.set([3, 4]);
    expect(() => loss2.backward()).toThrow(/modified by an inplace operation/);
  });

  test("reading .data, or writing it before the forward pass, is fine", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.data[0] = 3; // before the graph: the forward uses the new value
    const loss = x.mul(x).sum();
    expect(x.data[1]).toBe(2); // a read between forward and backward
    loss.backward();
    expect(x.grad!.toArray()).toEqual([6, 4]);
  });

  test("ops whose backward needs no values (add, sum, reshape) do not care", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const loss = h.add(1).sum();
    noGrad(() => h.add_(5));
    loss.backward();
    expect(x.grad!.toArray()).toEqual([3, 3]);
  });

  test("a view of a recorded tensor, and bad arguments, get errors naming the way out", () => {
    const h = tensor([1, 2], { requiresGrad: true }).mul(2);
    expect(() => h.reshape(2, 1).add_(1)).toThrow(
      "add_: this tensor is a view (reshape, view, detach) of another, and changing it in place while recording would bypass the graph; use the out-of-place add(), or clone() first",
    );
    expect(() => zeros(2, 3).copy_(zeros(4))).toThrow("copy_: shapes [4] and [2,3] cannot broadcast");
    expect(() => zeros(2).uniform_(1, 0)).toThrow("uniform_: expected low <= high, got 1 and 0");
    expect(() => zeros(2).normal_(0, -1)).toThrow("normal_: std must be non-negative, got -1");
    expect(() => zeros(2, { dtype: "int32" }).normal_()).toThrow("normal_: needs a float tensor, got int32");
    expect(() => zeros(2, 3).add_(zeros(4, 2, 3))).toThrow(
      "add_: the result has shape [4,2,3], but an in-place op keeps the tensor's shape [2,3]",
    );
  });

  test("an int32 tensor cannot receive a float result", () => {
    const i = tensor([1, 2], { dtype: "int32" });
    expect(() => i.div_(2)).toThrow(/div_: the result is float32 and cannot be written into this int32 tensor/);
    expect(i.add_(1).toArray()).toEqual([2, 3]);
  });

  test("fill_ of a tensor is a type error with a hint", () => {
    expect(() => zeros(2).fill_(tensor([1]) as unknown as number)).toThrow(/fill_: value must be a number.*use copy_/);
  });

  test("assigning .data needs the same dtype and length", () => {
    const x = zeros(3);
    expect(() => {
      x.data = new Float32Array(4);
    }).toThrow(/data: the new values must be a float32 typed array of 3 elements/);
    x.data = new Float32Array([1, 2, 3]);
    expect(x.toArray()).toEqual([1, 2, 3]);
    expect(x.version).toBe(1);
  });
});

describe("in-place ops on non-leaves are differentiable", () => {
  test("h.mul_(3) then backward: the in-place op is in the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    h.mul_(3).add_(1);
    expect(h.toArray()).toEqual([7, 13]);
    h.sum().backward();
    expect(x.grad!.toArray()).toEqual([6, 6]);
  });

  test("a plain tensor updated in place from one that requires grad joins the graph", () => {
    const w = tensor([2, 3], { requiresGrad: true });
    const acc = zeros(2);
    acc.add_(w.mul(w));
    expect(acc.requiresGrad).toBe(true);
    acc.sum().backward();
    expect(w.grad!.toArray()).toEqual([4, 6]);
  });

  test("gradcheck through in-place ops on intermediate tensors", () => {
    manualSeed(3);
    const f = (x: Tensor, y: Tensor): Tensor => {
      const h = x.mul(1); // a non-leaf to change
      h.mul_(y).add_(x).div_(y.abs().add(1)).clamp_(-2, 2);
      return h.sin();
    };
    expect(gradcheck(f, [randn(3, 4), randn(4)])).toBeLessThan(1e-6);
    expect(gradcheck(f, [randn(3, 4), randn(4)], { float64: false, eps: 1e-2 })).toBeLessThan(1e-2);
  });
});

describe("backward twice", () => {
  test("a second backward through a used graph names retain_graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.mul(x).sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(
      /Trying to backward through the graph a second time.*Specify retain_graph=True \(here: loss\.backward\(undefined, \{ retainGraph: true \}\)\)/,
    );
    expect(x.grad!.toArray()).toEqual([2, 4]); // the failed call added nothing
  });

  test("retainGraph keeps it: gradients accumulate as in PyTorch", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.mul(x).sum();
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
    expect(() => loss.backward()).toThrow(/backward through the graph a second time/);
  });

  test("a graph of ops that saved nothing may run twice (as in PyTorch)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.add(1).sum();
    y.backward();
    y.backward();
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });

  test("a new forward pass each step is the usual loop and never complains", () => {
    const w = tensor([0.5, -0.5], { requiresGrad: true });
    for (let step = 0; step < 3; step++) {
      const loss = w.mul(w).sum();
      w.grad = null;
      loss.backward();
      noGrad(() => w.sub_(w.grad!.mul(0.1)));
    }
    expect((w.toArray() as number[])[0]).toBeCloseTo(0.5 * 0.8 ** 3, 6);
  });
});
