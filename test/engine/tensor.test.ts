// Creating tensors, reading them back, their repr, dtypes, and seeded randomness.
import { describe, expect, test } from "vitest";
import {
  arange,
  eye,
  full,
  linspace,
  manualSeed,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  random,
  Tensor,
  tensor,
  zeros,
  zerosLike,
} from "../../engine/index.js";
import { randomGenerator } from "../../engine/random.js";

describe("creation", () => {
  test("tensor from nested arrays, numbers and typed arrays", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.numel()).toBe(6);
    expect(t.dtype).toBe("float32");
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(tensor(3).shape).toEqual([]);
    expect(tensor(3).item()).toBe(3);
    const flat = new Float64Array([1, 2, 3, 4]);
    const fromTyped = tensor(flat, { shape: [2, 2] });
    expect(fromTyped.dtype).toBe("float64");
    expect(fromTyped.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    flat[0] = 99;
    expect(fromTyped.data[0]).toBe(1); // copied
    expect(tensor([1, 2], { dtype: "int32" }).data).toBeInstanceOf(Int32Array);
  });
  test("ragged arrays and wrong shapes are rejected", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow("tensor: ragged nested array: expected 2 elements at depth 1, got 1");
    expect(() => tensor(new Float32Array(3), { shape: [2, 2] })).toThrow("tensor: 3 values do not fill shape [2,2]");
  });
  test("zeros, ones, full, zerosLike, onesLike", () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones(3).toArray()).toEqual([1, 1, 1]);
    expect(full([2], 0.5).toArray()).toEqual([0.5, 0.5]);
    const i = tensor([[1, 2]], { dtype: "int32" });
    expect(zerosLike(i).dtype).toBe("int32");
    expect(onesLike(i).toArray()).toEqual([[1, 1]]);
    expect(zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });
  test("arange, linspace, eye", () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 3).toArray()).toEqual([1, 2]);
    expect(arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(3, { dtype: "int32" }).dtype).toBe("int32");
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });
  test("rand in [0,1), randn near N(0,1), randint in [low,high)", () => {
    manualSeed(0);
    const u = rand([10000]);
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u.data)).toBeLessThan(1);
    expect(u.mean().item()).toBeCloseTo(0.5, 1);
    const z = randn([20000]);
    expect(z.mean().item()).toBeCloseTo(0, 1);
    expect(z.std().item()).toBeCloseTo(1, 1);
    const r = randint(-2, 3, [1000]);
    expect(r.dtype).toBe("int32");
    expect(new Set(r.data)).toEqual(new Set([-2, -1, 0, 1, 2]));
  });
});

describe("seeded randomness", () => {
  test("manualSeed repeats every draw bit for bit", () => {
    const draw = () => {
      manualSeed(1234);
      return [
        randn([64]).data,
        rand([64]).data,
        randint(0, 100, [64]).data,
        new Float64Array(random.permutation(50)),
        new Float64Array([random.uniform(-1, 1), random.normal()]),
      ];
    };
    const first = draw();
    const second = draw();
    const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    first.forEach((a, i) => expect(bytes(a).equals(bytes(second[i]!))).toBe(true));
  });
  test("different seeds differ; the generator continues between draws", () => {
    manualSeed(1);
    const a = randn([8]).toArray();
    manualSeed(2);
    expect(randn([8]).toArray()).not.toEqual(a);
    manualSeed(1);
    randn([8]);
    expect(randn([8]).toArray()).not.toEqual(a);
  });
  test("permutation covers 0..n-1 once", () => {
    manualSeed(5);
    expect([...randomGenerator().permutation(100)].sort((x, y) => x - y)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
  });
});

describe("reading values", () => {
  test("item, toArray, size, ndim", () => {
    expect(tensor([[7]]).item()).toBe(7);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ]).toArray(),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(zeros([2, 3, 4]).ndim).toBe(3);
    expect(zeros([0, 3]).numel()).toBe(0);
  });
  test("a one-element tensor acts as a number (loss < 0.01); bigger ones say to use ops", () => {
    const loss = tensor(0.005);
    expect((loss as unknown as number) < 0.01).toBe(true);
    expect(`${tensor([1, 2])}`).toBe("tensor([1.0000, 2.0000])");
    expect(String(loss)).toBe("tensor(0.0050)");
    expect(() => (tensor([1, 2]) as unknown as number) * 2).toThrow(
      "a tensor of shape [2] cannot be used as a number: JavaScript has no operators on tensors, so write a.mul(2) for a * 2",
    );
  });
  test("JSON holds the values, never the graph", () => {
    const y = tensor([[1, 2]], { requiresGrad: true }).mul(2);
    expect(JSON.parse(JSON.stringify({ y }))).toEqual({ y: { dtype: "float32", shape: [1, 2], data: [[2, 4]] } });
  });
  test("to() converts, and is a no-op for the same dtype", () => {
    const x = tensor([1.7, -1.7]);
    expect(x.to("float32")).toBe(x);
    expect(x.int().toArray()).toEqual([1, -1]);
    expect(x.double().dtype).toBe("float64");
  });
  test("detach shares storage and drops the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.data).toBe(y.data);
    expect(d.op).toBe("");
  });
  test("only float leaves can require gradients", () => {
    expect(() => {
      tensor([1], { dtype: "int32" }).requiresGrad = true;
    }).toThrow("requiresGrad: only float tensors can require gradients (this one is int32)");
    const y = tensor([1], { requiresGrad: true }).mul(2);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(/leaf tensors; use \.detach\(\)/);
  });
  test("requiresGrad_() sets the flag in place on a leaf and returns the same tensor", () => {
    const w = tensor([1, 2, 3]).mul(0.5).requiresGrad_(); // (torch.randn(3) * 0.5).requires_grad_()
    expect(w.requiresGrad).toBe(true);
    expect(w.isLeaf).toBe(true);
    w.pow(2).sum().backward();
    expect(Array.from(w.grad!.data)).toEqual([1, 2, 3]);
    const same = w.requiresGrad_(false);
    expect(same).toBe(w);
    expect(w.requiresGrad).toBe(false);
    expect(w.mul(2).requiresGrad).toBe(false);
  });
  test("requiresGrad_(false) on a computed tensor says leaves only, as PyTorch does", () => {
    const y = tensor([1, 2], { requiresGrad: true }).mul(2);
    expect(() => y.requiresGrad_(false)).toThrow(
      "requiresGrad_: you can only change requires_grad flags of leaf variables. To use a computed tensor without its graph, write y.detach()",
    );
    expect(y.requiresGrad_()).toBe(y); // already recorded: nothing changes (PyTorch allows it too)
    expect(y.isLeaf).toBe(false);
    expect(() => tensor([1], { dtype: "int32" }).requiresGrad_()).toThrow(
      "requiresGrad: only float tensors can require gradients (this one is int32)",
    );
    expect(() => tensor([1]).requiresGrad_("yes" as unknown as boolean)).toThrow(
      "requiresGrad_: flag must be true or false, got string",
    );
  });
});

describe("repr like PyTorch's", () => {
  test("a 2-D float tensor with requiresGrad", () => {
    expect(tensor([[1, 2]], { requiresGrad: true }).toString()).toBe("tensor([[1.0000, 2.0000]], requiresGrad=true)");
  });
  test("rows on their own lines, aligned", () => {
    expect(
      tensor([
        [1, -2.5],
        [30, 4],
      ]).toString(),
    ).toBe("tensor([[ 1.0000, -2.5000],\n        [30.0000,  4.0000]])");
  });
  test("scalars, ints, float64, results of ops", () => {
    expect(tensor(0.5).toString()).toBe("tensor(0.5000)");
    expect(tensor([1, 2], { dtype: "int32" }).toString()).toBe("tensor([1, 2], dtype=int32)");
    expect(tensor([1], { dtype: "float64" }).toString()).toBe("tensor([1.0000], dtype=float64)");
    expect(tensor([1], { requiresGrad: true }).mul(2).toString()).toBe("tensor([2.0000], gradFn=<mul>)");
  });
  test("scientific notation when magnitudes differ widely", () => {
    expect(tensor([1e-5, 1000]).toString()).toBe("tensor([1.0000e-05, 1.0000e+03])");
  });
  test("3-D blocks separated by a blank line; long tensors summarised", () => {
    expect(zeros([2, 1, 1]).toString()).toBe("tensor([[[0.0000]],\n\n        [[0.0000]]])");
    const s = arange(2000).toString();
    expect(s).toBe("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])");
    expect(String(new Tensor(new Float32Array([Number.NaN, Infinity]), [2]))).toBe("tensor([nan, inf])");
  });
});
