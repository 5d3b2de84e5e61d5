// Backpropagation: accumulation into leaves, broadcasting undone, deep graphs, the functional
// API, noGrad, the graph kept for drawing, interrupts, and a small network that learns.
import { afterEach, describe, expect, test } from "vitest";
import { apply, type Primitive } from "../../engine/autograd.js";
import {
  concat,
  full,
  grad,
  manualSeed,
  noGrad,
  randn,
  Tensor,
  tensor,
  valueAndGrad,
  zeros,
} from "../../engine/index.js";
import { clearInterrupt, requestInterrupt, useInterruptFlag } from "../../engine/interrupt.js";

describe("backward", () => {
  test("chain rule through a small expression, by hand", () => {
    // f = (a·b + c)², a=2, b=-3, c=10 → a·b+c = 4, df/da = 2·4·b = -24, df/db = 2·4·a = 16, df/dc = 8.
    const a = tensor(2, { requiresGrad: true });
    const b = tensor(-3, { requiresGrad: true });
    const c = tensor(10, { requiresGrad: true });
    const f = a.mul(b).add(c).pow(2);
    f.backward();
    expect(f.item()).toBe(16);
    expect([a.grad!.item(), b.grad!.item(), c.grad!.item()]).toEqual([-24, 16, 8]);
  });
  test("a tensor used twice gets both contributions (x·x → 2x)", () => {
    const x = tensor([3, -1], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([6, -2]);
  });
  test("gradients accumulate over backward calls until zeroGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.sum().backward();
    w.mul(3).sum().backward();
    expect(w.grad!.toArray()).toEqual([4, 4]);
    w.zeroGrad();
    expect(w.grad).toBeNull();
  });
  test("a broadcast bias gets the gradient summed over the batch", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const bias = tensor([10, 20], { requiresGrad: true });
    const scale = tensor([[2]], { requiresGrad: true });
    x.add(bias).mul(scale).sum().backward();
    expect(bias.grad!.toArray()).toEqual([6, 6]);
    expect(bias.grad!.shape).toEqual([2]);
    expect(scale.grad!.toArray()).toEqual([[21 + 90]]);
  });
  test("gradients of operands broadcast along leading or inner dims are summed over the repeats", () => {
    const cases: [number[], number[]][] = [
      [[4], [6, 4]],
      [
        [1, 4],
        [6, 4],
      ],
      [
        [3, 4],
        [5, 3, 4],
      ],
      [
        [3, 1],
        [3, 4],
      ],
      [
        [2, 1, 4],
        [2, 3, 4],
      ],
      [[], [7, 3]],
      [[1], [9]],
    ];
    for (const [small, full] of cases) {
      const b = zeros([...small], { requiresGrad: true });
      const g = randn([...full]);
      zeros([...full])
        .add(b)
        .backward(g);
      // Expected: each gradient element added into its broadcast slot, in float64.
      const expected = new Float64Array(b.numel());
      const strides = small.map((_, d) => small.slice(d + 1).reduce((x: number, y) => x * y, 1));
      for (let i = 0; i < g.numel(); i++) {
        let rest = i;
        let at = 0;
        for (let d = full.length - 1; d >= 0; d--) {
          const k = d - (full.length - small.length);
          const idx = rest % full[d]!;
          rest = Math.floor(rest / full[d]!);
          if (k >= 0 && small[k] !== 1) at += idx * strides[k]!;
        }
        expected[at] = expected[at]! + g.data[i]!;
      }
      expect(b.grad!.shape, `${small} over ${full}`).toEqual([...small]);
      b.grad!.data.forEach((v, i) =>
        expect(Math.abs(v - expected[i]!), `${small} over ${full} [${i}]`).toBeLessThanOrEqual(
          1e-6 * Math.max(1, Math.abs(expected[i]!)),
        ),
      );
    }
  });
  test("a bias broadcast over a 100,000-row batch gets its gradient summed accurately", () => {
    const bias = zeros([2], { requiresGrad: true });
    zeros([100_000, 2])
      .add(bias)
      .backward(full([100_000, 2], 0.1));
    for (const v of bias.grad!.data) expect(Math.abs(v - Math.fround(0.1) * 100_000)).toBeLessThan(1e-2);
  });
  test("a non-scalar needs a gradient argument", () => {
    const y = zeros([32, 1], { requiresGrad: true }).mul(2);
    expect(() => y.backward()).toThrow(
      "backward() on a tensor of shape [32,1] needs a gradient argument (or call .mean())",
    );
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(x).backward(tensor([1, 10]));
    expect(x.grad!.toArray()).toEqual([2, 40]);
  });
  test("backward on a tensor that needs no gradient says why", () => {
    expect(() => tensor([1]).mul(2).backward()).toThrow(/does not require a gradient/);
  });
  test("leaf .grad is its own tensor, in the leaf's dtype", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b)
      .mul(tensor([1, 1], { dtype: "float64" }))
      .sum()
      .backward();
    expect(a.grad).not.toBe(b.grad);
    expect(a.grad!.dtype).toBe("float32");
  });
  test("retainGrad keeps an intermediate gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    h.sum().backward();
    expect(h.grad!.toArray()).toEqual([1, 1]);
  });
  test("retainGrads keeps every node's gradient (what a graph drawing shows)", () => {
    const a = tensor(2, { requiresGrad: true });
    const h = a.mul(3);
    const out = h.square();
    out.backward(undefined, { retainGrads: true });
    // out = (3a)², d out/d h = 2h = 12, d out/d a = 12·3 = 36.
    expect([out.grad!.item(), h.grad!.item(), a.grad!.item()]).toEqual([1, 12, 36]);
    const b = tensor(2, { requiresGrad: true });
    const hb = b.mul(3);
    hb.square().backward();
    expect(hb.grad).toBeNull(); // dropped by default
  });
  test("a chain of 100,000 ops backpropagates without overflowing the stack", () => {
    const x = tensor(1, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1e-5);
    y.backward();
    expect(x.grad!.item()).toBe(1);
  });
});

describe("memory", () => {
  // Small graph nodes live in shared 16 KB slabs; what a user keeps must not hold a whole slab.
  const ownsBuffer = (t: Tensor): boolean => t.data.byteLength === t.data.buffer.byteLength;
  test("detached results and noGrad results own their memory; small gradients keep at most 4 KB alive", () => {
    const w = randn([10, 4], { requiresGrad: true });
    const x = randn([32, 10]);
    const pred = x.matmul(w);
    expect(ownsBuffer(pred.detach())).toBe(true);
    expect(pred.detach().toArray()).toEqual(pred.toArray());
    pred.sum().backward();
    expect(w.grad!.data.buffer.byteLength).toBeLessThanOrEqual(4096);
    expect(ownsBuffer(w.grad!.detach())).toBe(true);
    expect(ownsBuffer(noGrad(() => x.matmul(w)))).toBe(true);
    expect(grad(() => x.matmul(w).sum(), [w])[0]!.data.buffer.byteLength).toBeLessThanOrEqual(4096);
    const big = randn([40, 40], { requiresGrad: true }); // 6.4 KB: its own buffer
    big.sum().backward();
    expect(ownsBuffer(big.grad!)).toBe(true);
  });
  test("small leaf gradients share buffers of at most 4 KB, each with its own values, across passes", () => {
    const params = Array.from({ length: 40 }, (_, i) => full([20], i, { requiresGrad: true })); // 80 bytes each
    params.reduce((acc: Tensor, p, i) => acc.add(p.mul(i + 1).sum()), tensor(0)).backward();
    params.forEach((p, i) => expect(p.grad!.toArray()).toEqual(new Array(20).fill(i + 1)));
    expect(Math.max(...params.map((p) => p.grad!.data.buffer.byteLength))).toBeLessThanOrEqual(4096);
    params[0]!.grad!.data.fill(-7);
    expect(params[1]!.grad!.toArray()).toEqual(new Array(20).fill(2));
    const kept = params[5]!.grad!.detach();
    expect(ownsBuffer(kept)).toBe(true);
    expect(kept.toArray()).toEqual(new Array(20).fill(6));
    // A later pass's gradients land in other memory: the ones kept from before are unchanged.
    const before = params.map((p) => p.grad!);
    params.forEach((p) => {
      p.grad = null;
    });
    params.reduce((acc: Tensor, p) => acc.add(p.mul(-3).sum()), tensor(0)).backward();
    params.forEach((p) => expect(p.grad!.toArray()).toEqual(new Array(20).fill(-3)));
    before.slice(1).forEach((g, i) => expect(g.toArray()).toEqual(new Array(20).fill(i + 2)));
  });
  test("a backward pass, finished or interrupted, leaves no gradient on the graph's tensors", () => {
    const x = randn([8, 4], { requiresGrad: true });
    const h = x.mul(2).relu();
    const loss = h.sum();
    loss.backward();
    expect([x, h, loss].map((t) => t.pendingGrad)).toEqual([null, null, null]);
    // An op whose backward asks for an interrupt: the pass stops at the next node, mid-way.
    const interruptingCopy: Primitive<null> = {
      name: "interruptingCopy",
      forward: ([t]) => new Tensor(t!.data.slice(), t!.shape),
      backward: (g) => {
        requestInterrupt();
        return [g];
      },
    };
    const y = x.mul(3);
    const copied = apply(interruptingCopy, [y], null);
    const z = copied.sum();
    expect(() => z.backward()).toThrow(expect.objectContaining({ name: "KeyboardInterrupt" }));
    expect([x, y, copied, z].map((t) => t.pendingGrad)).toEqual([null, null, null, null]);
    expect(x.grad).not.toBeNull(); // from the first, finished pass only
    expect(x.grad!.toArray()).toEqual(x.mul(2).gt(0).mul(2).toArray());
  });
});

describe("the graph is kept for drawing", () => {
  test("op names and inputs on every non-leaf", () => {
    const w = tensor([[1], [2]], { requiresGrad: true });
    const x = tensor([[1, 1]]);
    const loss = x.matmul(w).relu().sum();
    expect(loss.op).toBe("sum");
    expect(loss.inputs[0]!.op).toBe("relu");
    expect(loss.inputs[0]!.inputs[0]!.op).toBe("matmul");
    expect(loss.inputs[0]!.inputs[0]!.inputs).toEqual([x, w]);
    expect(w.op).toBe("");
    expect(w.isLeaf).toBe(true);
  });
  test("nothing is recorded when no input needs a gradient, or inside noGrad", () => {
    expect(tensor([1]).add(1).op).toBe("");
    const w = tensor([1], { requiresGrad: true });
    const y = noGrad(() => w.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.inputs).toHaveLength(0);
    expect(w.mul(2).requiresGrad).toBe(true); // recording resumes afterwards
  });
});

describe("functional gradients", () => {
  test("valueAndGrad returns the value and grads in param order, leaving .grad alone", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const b = tensor(0.5);
    const { value, grads } = valueAndGrad(() => w.mul(w).sum().add(b.mul(3)), [w, b]);
    expect(value.item()).toBe(6.5);
    expect(grads[0]!.toArray()).toEqual([2, 4]);
    expect(grads[1]!.item()).toBe(3);
    expect(w.grad).toBeNull();
    expect(b.requiresGrad).toBe(false); // restored
  });
  test("grad gives zeros for an unused parameter and rejects non-scalars", () => {
    const u = tensor([1, 1]);
    const v = tensor([2]);
    const [du, dv] = grad(() => u.sum(), [u, v]);
    expect(du!.toArray()).toEqual([1, 1]);
    expect(dv!.toArray()).toEqual([0]);
    expect(() => grad(() => u.mul(2), [u])).toThrow(/must return a single number/);
  });
  test("valueAndGrad works inside noGrad", () => {
    const w = tensor([3]);
    const [dw] = noGrad(() => grad(() => w.pow(2).sum(), [w]));
    expect(dw!.toArray()).toEqual([6]);
  });
});

describe("interrupts", () => {
  afterEach(() => clearInterrupt());
  test("the next op throws a KeyboardInterrupt, once", () => {
    const x = tensor([1, 2]);
    requestInterrupt();
    let error: unknown;
    try {
      x.add(1);
    } catch (e) {
      error = e;
    }
    expect((error as Error).name).toBe("KeyboardInterrupt");
    expect(x.add(1).toArray()).toEqual([2, 3]);
  });
  test("backward stops too", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2).sum();
    requestInterrupt();
    expect(() => y.backward()).toThrow(expect.objectContaining({ name: "KeyboardInterrupt" }));
    expect(x.grad).toBeNull();
  });
  test("a big matmul checks between blocks of rows, and its result is unchanged by blocking", () => {
    manualSeed(8);
    const a = randn([300, 256]);
    const b = randn([256, 300]);
    // Reference: row by row, each a small product that runs in one block.
    const rows = concat(
      Array.from({ length: 300 }, (_, i) => a.slice(0, i, i + 1).matmul(b)),
      0,
    );
    const bytes = (t: Tensor): Buffer => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    expect(bytes(a.matmul(b)).equals(bytes(rows))).toBe(true);
    requestInterrupt();
    expect(() => a.matmul(b)).toThrow(expect.objectContaining({ name: "KeyboardInterrupt" }));
  });
  test("a shared flag set from elsewhere stops a loop between ops", () => {
    const shared = new Int32Array(new SharedArrayBuffer(4));
    useInterruptFlag(shared);
    try {
      let x = tensor([0]);
      let steps = 0;
      expect(() => {
        for (;;) {
          x = x.add(1);
          if (++steps === 50) Atomics.store(shared, 0, 1); // what the kernel's other thread does
        }
      }).toThrow(expect.objectContaining({ name: "KeyboardInterrupt" }));
      expect(steps).toBe(50);
      expect(shared[0]).toBe(0);
    } finally {
      useInterruptFlag(new Int32Array(1));
    }
  });
});

describe("learning", () => {
  test("the seed's 4→10→1 MLP fits y = Xw + 0.1 with plain gradient descent (loss falls 100×)", () => {
    manualSeed(0);
    const X = randn([256, 4]);
    const y = X.matmul(tensor([[1], [-2], [3], [0.5]])).add(0.1);
    const w1 = randn([4, 10]).mul(0.5);
    const b1 = zeros([10]);
    const w2 = randn([10, 1]).mul(0.3);
    const b2 = zeros([1]);
    const params = [w1, b1, w2, b2];
    params.forEach((p) => {
      p.requiresGrad = true;
    });
    const loss = (): Tensor => X.matmul(w1).add(b1).relu().matmul(w2).add(b2).sub(y).pow(2).mean();
    const first = loss().item();
    let last = first;
    for (let step = 0; step < 500; step++) {
      const l = loss();
      params.forEach((p) => p.zeroGrad());
      l.backward();
      noGrad(() =>
        params.forEach((p) => {
          const g = p.grad!.data;
          for (let i = 0; i < p.numel(); i++) p.data[i]! -= 0.1 * g[i]!;
        }),
      );
      last = l.item();
    }
    expect(last).toBeLessThan(first / 100);
  });
});

// Big gradients (over 4 KB) may be written in place or kept as .grad without a copy when nothing
// else views them; each case below has a second view that must come out untouched.
describe("gradient storage reused in place", () => {
  const N = 3001; // 12 KB of float32: big enough to be reused
  const sample = (): Tensor => {
    manualSeed(3);
    return randn([N]);
  };
  const expectEach = (t: Tensor, f: (i: number) => number): void => {
    for (let i = 0; i < t.numel(); i++)
      expect(Math.abs(t.data[i]! - f(i)), `[${i}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(f(i))));
  };

  test("relu and exp backward on owned gradients give the chain rule's values", () => {
    const x = sample();
    x.requiresGrad = true;
    x.mul(3).relu().add(x.exp()).sum().backward();
    expectEach(x.grad!, (i) => (x.data[i]! > 0 ? 3 : 0) + Math.exp(x.data[i]!));
  });

  test("a retained gradient is not overwritten by the op below it", () => {
    const x = sample();
    x.requiresGrad = true;
    const r = x.mul(3).relu().retainGrad();
    r.mul(2).sum().backward();
    expectEach(r.grad!, () => 2);
    expectEach(x.grad!, (i) => (x.data[i]! > 0 ? 6 : 0));
  });

  test("a gradient handed to two inputs (add) stays intact for the second", () => {
    const x = sample();
    x.requiresGrad = true;
    const y = x.mul(2);
    y.relu().add(y.relu()).mul(5).sum().backward();
    expectEach(x.grad!, (i) => (x.data[i]! > 0 ? 20 : 0));
  });

  test("a second path into the same tensor accumulates (a residual)", () => {
    const x = sample();
    x.requiresGrad = true;
    const y = x.mul(2);
    y.relu().mul(4).add(y.mul(3)).add(y.exp()).sum().backward();
    expectEach(x.grad!, (i) => 2 * ((x.data[i]! > 0 ? 4 : 0) + 3 + Math.exp(2 * x.data[i]!)));
  });

  test("the caller's seed gradient is left as given", () => {
    const x = sample();
    x.requiresGrad = true;
    const seed = full([N], 2);
    x.relu().backward(seed);
    expectEach(seed, () => 2);
    expectEach(x.grad!, (i) => (x.data[i]! > 0 ? 2 : 0));
  });

  test("leaves sharing one gradient each get their own .grad", () => {
    const a = sample();
    const b = zeros([N]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    a.add(b).sum().backward();
    expect(a.grad!.data.buffer).not.toBe(b.grad!.data.buffer);
    a.grad!.data.fill(9);
    expectEach(b.grad!, () => 1);
  });

  test("valueAndGrad's gradients own their storage", () => {
    const a = sample();
    const {
      grads: [ga, gb],
    } = valueAndGrad(() => a.add(a.mul(0)).relu().sum(), [a, a]);
    expect(ga).toBe(gb); // the same parameter twice: one gradient
    expectEach(ga!, (i) => (a.data[i]! > 0 ? 1 : 0));
    expect(ga!.data.buffer).not.toBe(a.data.buffer);
  });
});
