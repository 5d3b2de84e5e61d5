// Optimizer steps against values worked out by hand from the update formulas (the arithmetic is
// written out in the comments; literals are what a student would get on paper). Parameters are
// float64 so the comparison can be tight.
import { describe, expect, it } from "vitest";
import { nn, optim, type Tensor, tensor } from "../../engine/index.js";

function param(...values: number[]): Tensor {
  return tensor(values, { dtype: "float64", requiresGrad: true });
}

/** Runs one step per gradient in `grads` (scalars for a 1-element parameter) and returns θ after each. */
function trajectory(opt: optim.Optimizer<{ lr: number }>, p: Tensor, grads: number[]): number[] {
  return grads.map((g) => {
    p.grad = tensor([g], { dtype: "float64" });
    opt.step();
    return p.item();
  });
}

describe("SGD", () => {
  it("plain: θ ← θ − ηg", () => {
    const p = param(1);
    // 1 − 0.1·1 = 0.9; 0.9 − 0.1·2 = 0.7; 0.7 − 0.1·(−1) = 0.8
    expect(trajectory(new optim.SGD([p], { lr: 0.1 }), p, [1, 2, -1])).toEqual(
      [0.9, 0.7, 0.8].map((v) => expect.closeTo(v, 14)),
    );
  });

  it("momentum (PyTorch form): b ← μb + g, θ ← θ − ηb", () => {
    const p = param(1);
    // b1 = 1,             θ1 = 1 − 0.1·1 = 0.9
    // b2 = 0.9·1 + 2 = 2.9,  θ2 = 0.9 − 0.29 = 0.61
    // b3 = 0.9·2.9 − 1 = 1.61, θ3 = 0.61 − 0.161 = 0.449
    expect(trajectory(new optim.SGD([p], { lr: 0.1, momentum: 0.9 }), p, [1, 2, -1])).toEqual(
      [0.9, 0.61, 0.449].map((v) => expect.closeTo(v, 14)),
    );
  });

  it("Nesterov: the step uses g + μb", () => {
    const p = param(1);
    // b1 = 1,    step 1 + 0.9·1 = 1.9,       θ1 = 1 − 0.19 = 0.81
    // b2 = 2.9,  step 2 + 0.9·2.9 = 4.61,    θ2 = 0.81 − 0.461 = 0.349
    // b3 = 1.61, step −1 + 0.9·1.61 = 0.449, θ3 = 0.349 − 0.0449 = 0.3041
    expect(trajectory(new optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true }), p, [1, 2, -1])).toEqual(
      [0.81, 0.349, 0.3041].map((v) => expect.closeTo(v, 14)),
    );
  });

  it("dampening scales new gradients after the first step", () => {
    const p = param(1);
    // b1 = 1 (the first step ignores dampening), θ1 = 0.9
    // b2 = 0.9·1 + (1 − 0.5)·2 = 1.9,            θ2 = 0.9 − 0.19 = 0.71
    expect(trajectory(new optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 }), p, [1, 2])).toEqual(
      [0.9, 0.71].map((v) => expect.closeTo(v, 14)),
    );
  });

  it("weight decay adds λθ to the gradient", () => {
    const p = param(1);
    // g' = 1 + 0.1·1 = 1.1,         θ1 = 1 − 0.11 = 0.89
    // g' = 1 + 0.1·0.89 = 1.089,    θ2 = 0.89 − 0.1089 = 0.7811
    // g' = 1 + 0.07811 = 1.07811,   θ3 = 0.7811 − 0.107811 = 0.673289
    expect(trajectory(new optim.SGD([p], { lr: 0.1, weightDecay: 0.1 }), p, [1, 1, 1])).toEqual(
      [0.89, 0.7811, 0.673289].map((v) => expect.closeTo(v, 14)),
    );
  });

  it("textbook momentum equals PyTorch's at a constant lr and differs once lr changes", () => {
    const a = param(1);
    const b = param(1);
    const pytorch = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    const textbook = new optim.SGD([b], { lr: 0.1, momentum: 0.9, momentumForm: "textbook" });
    expect(trajectory(textbook, b, [1, 2, -1])).toEqual(
      trajectory(pytorch, a, [1, 2, -1]).map((v) => expect.closeTo(v, 14)),
    );

    const c = param(1);
    const d = param(1);
    const pt = new optim.SGD([c], { lr: 0.1, momentum: 0.9 });
    const tb = new optim.SGD([d], { lr: 0.1, momentum: 0.9, momentumForm: "textbook" });
    trajectory(pt, c, [1]);
    trajectory(tb, d, [1]);
    pt.paramGroups[0]!.lr = 0.01;
    tb.paramGroups[0]!.lr = 0.01;
    // PyTorch: b = 0.9·1 + 1 = 1.9, θ = 0.9 − 0.01·1.9 = 0.881 (the new lr rescales the whole buffer)
    // textbook: v = 0.9·0.1 + 0.01·1 = 0.1, θ = 0.9 − 0.1 = 0.8 (old steps keep their old size)
    expect(trajectory(pt, c, [1])[0]).toBeCloseTo(0.881, 14);
    expect(trajectory(tb, d, [1])[0]).toBeCloseTo(0.8, 14);
  });

  it("validates like PyTorch", () => {
    const p = param(1);
    expect(() => new optim.SGD([p], { lr: -1 })).toThrow("Invalid learning rate: -1");
    expect(() => new optim.SGD([p], { lr: 0.1, momentum: -0.5 })).toThrow("Invalid momentum value: -0.5");
    expect(() => new optim.SGD([p], { lr: 0.1, weightDecay: -1 })).toThrow("Invalid weightDecay value: -1");
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(
      "Nesterov momentum requires a momentum and zero dampening",
    );
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow("empty parameter list");
  });
});

describe("Adam and AdamW", () => {
  it("first step is −η·g/|g| (bias correction makes m̂ = g, v̂ = g²)", () => {
    const p = param(1, 1);
    p.grad = tensor([3, -0.002], { dtype: "float64" });
    new optim.Adam([p], { lr: 0.1 }).step();
    // θ = 1 − 0.1·3/(3 + 1e−8) and 1 + 0.1·0.002/(0.002 + 1e−8)
    expect(p.data[0]).toBeCloseTo(1 - 0.1 * (3 / (3 + 1e-8)), 14);
    expect(p.data[1]).toBeCloseTo(1 + 0.1 * (0.002 / (0.002 + 1e-8)), 14);
  });

  it("bias correction over three steps", () => {
    const p = param(1);
    // β1 = 0.9, β2 = 0.999, η = 0.1, ε = 1e−8, gradients 1, 2, −1:
    // t=1: m = 0.1, v = 0.001; m̂ = 0.1/0.1 = 1, v̂ = 0.001/0.001 = 1;        θ1 = 1 − 0.1/(1 + 1e−8)
    // t=2: m = 0.09 + 0.2 = 0.29, v = 0.000999 + 0.004 = 0.004999;
    //      m̂ = 0.29/0.19, v̂ = 0.004999/0.001999;                               θ2 = θ1 − 0.1·m̂/(√v̂ + 1e−8)
    // t=3: m = 0.261 − 0.1 = 0.161, v = 0.004994001 + 0.001 = 0.005994001;
    //      m̂ = 0.161/0.271, v̂ = 0.005994001/0.002997001;                      θ3 = θ2 − 0.1·m̂/(√v̂ + 1e−8)
    const theta1 = 1 - 0.1 / (1 + 1e-8);
    const theta2 = theta1 - (0.1 * (0.29 / 0.19)) / (Math.sqrt(0.004999 / 0.001999) + 1e-8);
    const theta3 = theta2 - (0.1 * (0.161 / 0.271)) / (Math.sqrt(0.005994001 / 0.002997001) + 1e-8);
    const got = trajectory(new optim.Adam([p], { lr: 0.1 }), p, [1, 2, -1]);
    expect(got[0]).toBeCloseTo(theta1, 12);
    expect(got[1]).toBeCloseTo(theta2, 12);
    expect(got[2]).toBeCloseTo(theta3, 12);
    // On paper: m̂2 = 1.526316, √v̂2 = 1.581376 → θ2 ≈ 0.9 − 0.096518 = 0.803482;
    // m̂3 = 0.594096, √v̂3 ≈ 1.414214 → θ3 ≈ 0.803482 − 0.042009 = 0.761473 (m is still positive).
    expect(got[1]).toBeCloseTo(0.803482, 6);
    expect(got[2]).toBeCloseTo(0.761473, 6);
  });

  it("Adam's weight decay is L2 (inside the moments); AdamW's is decoupled", () => {
    const a = param(1);
    const w = param(1);
    // Adam: g' = 1 + 0.1·1 = 1.1, m̂ = 1.1, v̂ = 1.21 → θ = 1 − 0.1·1.1/(1.1 + 1e−8) ≈ 0.9
    trajectory(new optim.Adam([a], { lr: 0.1, weightDecay: 0.1 }), a, [1]);
    expect(a.item()).toBeCloseTo(1 - (0.1 * 1.1) / (1.1 + 1e-8), 14);
    // AdamW: θ ← 1·(1 − 0.1·0.1) = 0.99, then m̂ = 1, v̂ = 1 → θ = 0.99 − 0.1/(1 + 1e−8) ≈ 0.89
    trajectory(new optim.AdamW([w], { lr: 0.1, weightDecay: 0.1 }), w, [1]);
    expect(w.item()).toBeCloseTo(0.99 - 0.1 / (1 + 1e-8), 14);
  });

  it("AdamW decays even with a zero gradient; its default weight decay is 0.01", () => {
    const p = param(2);
    const opt = new optim.AdamW([p], { lr: 0.5 });
    expect(opt.paramGroups[0]!.weightDecay).toBe(0.01);
    trajectory(opt, p, [0, 0]);
    // m = v = 0 so the Adam part is 0; θ = 2·(1 − 0.005)² = 1.98005
    expect(p.item()).toBeCloseTo(1.98005, 14);
  });

  it("amsgrad divides by the largest second moment seen", () => {
    const p = param(1);
    const plain = param(1);
    trajectory(new optim.Adam([p], { lr: 0.1, amsgrad: true }), p, [10, 0.1]);
    trajectory(new optim.Adam([plain], { lr: 0.1 }), plain, [10, 0.1]);
    // t=1: m = 1, v = 0.001·100 = 0.1. t=2: m = 0.9 + 0.01 = 0.91, v = 0.0999 + 0.00001 = 0.09991,
    // which shrank: amsgrad keeps max(v) = 0.1. m̂ = 0.91/0.19, bias correction 2 = 0.001999.
    const theta1 = 1 - (0.1 * 10) / (10 + 1e-8); // m̂1 = 10, √v̂1 = 10
    expect(p.item()).toBeCloseTo(theta1 - (0.1 * (0.91 / 0.19)) / (Math.sqrt(0.1 / 0.001999) + 1e-8), 12);
    expect(plain.item()).toBeCloseTo(theta1 - (0.1 * (0.91 / 0.19)) / (Math.sqrt(0.09991 / 0.001999) + 1e-8), 12);
    const q = param(1);
    const opt = new optim.Adam([q], { lr: 0.1, amsgrad: true, betas: [0.9, 0.5] });
    // β2 = 0.5: t=1 v = 0.5·100 = 50; t=2 v = 25 + 0.005 = 25.005 < max 50
    trajectory(opt, q, [10, 0.1]);
    const m2 = 0.9 * 1 + 0.1 * 0.1; // 0.91
    const mHat = m2 / (1 - 0.81);
    const vHat = 50 / (1 - 0.25);
    expect(q.item()).toBeCloseTo(theta1 - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8), 12);
  });

  it("float32 parameters follow the textbook formulas within float32 rounding (odd size, 20 steps, every variant)", () => {
    const n = 37;
    const variants: [
      string,
      (p: Tensor) => optim.Optimizer<{ lr: number }>,
      { wd: number; decoupled: boolean; amsgrad: boolean },
    ][] = [
      ["Adam", (p) => new optim.Adam([p], { lr: 0.01 }), { wd: 0, decoupled: false, amsgrad: false }],
      [
        "Adam L2",
        (p) => new optim.Adam([p], { lr: 0.01, weightDecay: 0.1 }),
        { wd: 0.1, decoupled: false, amsgrad: false },
      ],
      [
        "AdamW",
        (p) => new optim.AdamW([p], { lr: 0.01, weightDecay: 0.1 }),
        { wd: 0.1, decoupled: true, amsgrad: false },
      ],
      ["AMSGrad", (p) => new optim.Adam([p], { lr: 0.01, amsgrad: true }), { wd: 0, decoupled: false, amsgrad: true }],
    ];
    for (const [name, make, { wd, decoupled, amsgrad }] of variants) {
      const start = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const p = tensor(start, { requiresGrad: true });
      const opt = make(p);
      // The formulas in float64, each division as written: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
      const theta = [...start];
      const m = new Array<number>(n).fill(0);
      const v = new Array<number>(n).fill(0);
      const vMax = new Array<number>(n).fill(0);
      for (let t = 1; t <= 20; t++) {
        const grads = Array.from({ length: n }, (_, i) => Math.cos(3 * i + t) * (i % 5 === 0 ? 10 : 0.1));
        p.grad = tensor(grads);
        opt.step();
        for (let i = 0; i < n; i++) {
          if (decoupled) theta[i] = theta[i]! * (1 - 0.01 * wd);
          const g = grads[i]! + (decoupled ? 0 : wd * theta[i]!);
          m[i] = 0.9 * m[i]! + 0.1 * g;
          v[i] = 0.999 * v[i]! + 0.001 * g * g;
          vMax[i] = Math.max(vMax[i]!, v[i]!);
          const vHat = (amsgrad ? vMax[i]! : v[i]!) / (1 - 0.999 ** t);
          theta[i] = theta[i]! - (0.01 * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(vHat) + 1e-8);
        }
      }
      for (let i = 0; i < n; i++) {
        expect(Math.abs(p.data[i]! - theta[i]!), `${name} [${i}]`).toBeLessThan(
          1e-5 * Math.max(1, Math.abs(theta[i]!)),
        );
      }
    }
  });

  it("parameters at different step counts and groups with different betas each get their own bias correction", () => {
    // One optimizer over three parameters, b skipping the first two steps and c in a group with
    // other betas, against three one-parameter optimizers: the same trajectories exactly.
    const [a, b, c, a1, b1, c1] = [param(1), param(2), param(3), param(1), param(2), param(3)];
    const shared = new optim.Adam([{ params: [a, b] }, { params: [c], betas: [0.5, 0.9] }], { lr: 0.1 });
    const alone = [
      new optim.Adam([a1], { lr: 0.1 }),
      new optim.Adam([b1], { lr: 0.1 }),
      new optim.Adam([c1], { lr: 0.1, betas: [0.5, 0.9] }),
    ];
    for (let step = 0; step < 5; step++) {
      const gradFor = (t: Tensor, k: number): Tensor | null =>
        (t === b || t === b1) && step < 2 ? null : tensor([0.3 * k - step], { dtype: "float64" });
      [a, b, c].forEach((t, k) => {
        t.grad = gradFor(t, k + 1);
      });
      [a1, b1, c1].forEach((t, k) => {
        t.grad = gradFor(t, k + 1);
      });
      shared.step();
      alone.forEach((opt) => opt.step());
      expect([a.data[0], b.data[0], c.data[0]]).toEqual([a1.data[0], b1.data[0], c1.data[0]]);
    }
  });

  it("validates betas and eps", () => {
    const p = param(1);
    expect(() => new optim.Adam([p], { lr: -1 })).toThrow("Invalid learning rate: -1");
    expect(() => new optim.Adam([p], { betas: [1, 0.999] })).toThrow("Invalid beta parameter at index 0: 1");
    expect(() => new optim.Adam([p], { betas: [0.9, -0.1] })).toThrow("Invalid beta parameter at index 1: -0.1");
    expect(() => new optim.AdamW([p], { eps: -1 })).toThrow("Invalid epsilon value: -1");
  });
});

describe("RMSprop and Adagrad", () => {
  it("RMSprop: s ← αs + (1−α)g², θ ← θ − ηg/(√s + ε)", () => {
    const p = param(1);
    // s1 = 0.01·1 = 0.01, θ1 = 1 − 0.01·1/(0.1 + 1e−8)
    // s2 = 0.99·0.01 + 0.01·4 = 0.0499, θ2 = θ1 − 0.01·2/(√0.0499 + 1e−8)
    const got = trajectory(new optim.RMSprop([p], { lr: 0.01 }), p, [1, 2]);
    const theta1 = 1 - 0.01 / (0.1 + 1e-8);
    expect(got[0]).toBeCloseTo(theta1, 14);
    expect(got[1]).toBeCloseTo(theta1 - 0.02 / (Math.sqrt(0.0499) + 1e-8), 14);
  });

  it("RMSprop centered uses the variance s − a²; momentum accumulates scaled steps", () => {
    const p = param(1);
    // a = 0.01, s = 0.01, variance 0.01 − 0.0001 = 0.0099
    trajectory(new optim.RMSprop([p], { lr: 0.01, centered: true }), p, [1]);
    expect(p.item()).toBeCloseTo(1 - 0.01 / (Math.sqrt(0.0099) + 1e-8), 14);
    const q = param(1);
    // b1 = 1/(0.1 + 1e−8) ≈ 10, θ1 = 1 − 0.01·b1; b2 = 0.9·b1 + 1/(√(0.99·0.01 + 0.01) + 1e−8)
    const got = trajectory(new optim.RMSprop([q], { lr: 0.01, momentum: 0.9 }), q, [1, 1]);
    const b1 = 1 / (0.1 + 1e-8);
    const b2 = 0.9 * b1 + 1 / (Math.sqrt(0.0199) + 1e-8);
    expect(got[0]).toBeCloseTo(1 - 0.01 * b1, 14);
    expect(got[1]).toBeCloseTo(1 - 0.01 * b1 - 0.01 * b2, 14);
  });

  it("Adagrad: s ← s + g², θ ← θ − η_t g/(√s + ε), η_t = η/(1 + (t−1)·lrDecay)", () => {
    const p = param(1);
    // s1 = 1, θ1 = 1 − 0.1·1/(1 + 1e−10) ≈ 0.9; s2 = 1 + 4 = 5, θ2 = θ1 − 0.1·2/√5 ≈ 0.8105573
    const got = trajectory(new optim.Adagrad([p], { lr: 0.1 }), p, [1, 2]);
    expect(got[1]).toBeCloseTo(0.8105573, 7);
    const q = param(1);
    // lrDecay 0.5: η2 = 0.1/1.5, θ2 ≈ 0.9 − 0.0666667·2/√5 ≈ 0.8403715
    expect(trajectory(new optim.Adagrad([q], { lr: 0.1, lrDecay: 0.5 }), q, [1, 2])[1]).toBeCloseTo(0.8403715, 7);
    const r = param(1);
    // initialAccumulatorValue 3: s1 = 3 + 1 = 4, θ1 = 1 − 0.1·1/2 = 0.95
    expect(trajectory(new optim.Adagrad([r], { lr: 0.1, initialAccumulatorValue: 3 }), r, [1])[0]).toBeCloseTo(0.95, 9);
  });

  it("validate their options", () => {
    const p = param(1);
    expect(() => new optim.RMSprop([p], { alpha: -1 })).toThrow("Invalid alpha value: -1");
    expect(() => new optim.Adagrad([p], { lrDecay: -1 })).toThrow("Invalid lrDecay value: -1");
  });
});

describe("the Optimizer machinery", () => {
  it("param groups keep their own lr; missing options come from the defaults", () => {
    const a = param(1);
    const b = param(1);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1, momentum: 0.5 });
    expect(opt.paramGroups[1]!.momentum).toBe(0.5);
    a.grad = tensor([1], { dtype: "float64" });
    b.grad = tensor([1], { dtype: "float64" });
    opt.step();
    expect(a.item()).toBeCloseTo(0.9, 14);
    expect(b.item()).toBeCloseTo(0, 14);
    expect(() => new optim.SGD([{ params: [a] }, { params: [a] }], { lr: 0.1 })).toThrow(
      "more than one parameter group",
    );
  });

  it("creates state lazily, only for parameters that had a gradient", () => {
    const a = param(1, 2);
    const b = param(3);
    const opt = new optim.Adam([a, b]);
    expect(opt.state.size).toBe(0);
    a.grad = tensor([1, 1], { dtype: "float64" });
    opt.step();
    expect(opt.state.has(a)).toBe(true);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)!.step).toBe(1);
    expect((opt.state.get(a)!.expAvg as Float64Array).length).toBe(2);
    expect(b.item()).toBe(3);
  });

  it("zeroGrad clears gradients; step skips parameters without one", () => {
    const p = param(1);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensor([1], { dtype: "float64" });
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    opt.step();
    expect(p.item()).toBe(1);
  });

  it("updates in place without recording a graph", () => {
    const model = new nn.Linear(2, 1);
    const weight = model.weight;
    const before = Array.from(weight.data);
    model
      .forward(tensor([[1, 2]]))
      .sum()
      .backward();
    new optim.SGD(model.parameters(), { lr: 0.1 }).step();
    expect(model.weight).toBe(weight);
    expect(weight.isLeaf).toBe(true);
    // ∂/∂w of w·x + b is x = [1, 2]
    expect(Array.from(weight.data)).toEqual([before[0]! - 0.1, before[1]! - 0.2].map((v) => expect.closeTo(v, 6)));
  });

  it("applyGradients takes grads in parameter order, null skipping one", () => {
    const a = param(1);
    const b = param(1);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    opt.applyGradients([tensor([2], { dtype: "float64" }), null]);
    expect(a.item()).toBeCloseTo(0.8, 14);
    expect(b.item()).toBe(1);
    opt.applyGradients([null, tensor([2], { dtype: "float64" })]);
    expect(b.item()).toBeCloseTo(0, 14);
    expect(() => opt.applyGradients([tensor([1])])).toThrow("got 1 gradients for 2 parameters");
    expect(() => opt.applyGradients([tensor([1, 2]), null])).toThrow(
      "gradient of shape [2] does not fit parameter 0 of shape [1]",
    );
  });

  it("stateDict → loadStateDict resumes training exactly", () => {
    const grads = [
      [1, -2],
      [0.5, 3],
      [-1, 1],
      [2, 2],
    ];
    const run = (p: Tensor, opt: optim.Optimizer<{ lr: number }>, gs: number[][]): void => {
      for (const g of gs) {
        p.grad = tensor(g, { dtype: "float64" });
        opt.step();
      }
    };
    const a = param(1, 1);
    const optA = new optim.Adam([a], { lr: 0.1 });
    run(a, optA, grads);

    const b = param(1, 1);
    const optB = new optim.Adam([b], { lr: 0.1 });
    run(b, optB, grads.slice(0, 2));
    const saved = optB.stateDict();
    expect(saved.paramGroups[0]).toMatchObject({ lr: 0.1, params: [0] });
    expect(saved.state[0]!.step).toBe(2);
    const c = tensor(b, { dtype: "float64", requiresGrad: true });
    const optC = new optim.Adam([c], { lr: 0.5 });
    optC.loadStateDict(saved);
    expect(optC.paramGroups[0]!.lr).toBe(0.1);
    run(c, optC, grads.slice(2));
    expect(Array.from(c.data)).toEqual(Array.from(a.data));
  });

  it("loadStateDict rejects a different layout", () => {
    const opt = new optim.SGD([param(1), param(2)], { lr: 0.1 });
    const other = new optim.SGD([param(1)], { lr: 0.1 });
    expect(() => other.loadStateDict(opt.stateDict())).toThrow(
      "saved group 0 has 2 parameters, this optimizer's has 1",
    );
  });
});

describe("optim.lr schedules", () => {
  const lrs = (make: (opt: optim.SGD) => optim.lr.LRScheduler, epochs: number): number[] => {
    const opt = new optim.SGD([param(1)], { lr: 1 });
    const scheduler = make(opt);
    const out = [opt.paramGroups[0]!.lr];
    for (let e = 1; e < epochs; e++) {
      scheduler.step();
      out.push(scheduler.getLastLr()[0]!);
    }
    return out;
  };

  it("StepLR multiplies by gamma every stepSize epochs", () => {
    expect(lrs((o) => new optim.lr.StepLR(o, { stepSize: 2, gamma: 0.1 }), 5)).toEqual(
      [1, 1, 0.1, 0.1, 0.01].map((v) => expect.closeTo(v, 14)),
    );
  });

  it("ExponentialLR multiplies by gamma every epoch", () => {
    expect(lrs((o) => new optim.lr.ExponentialLR(o, { gamma: 0.5 }), 4)).toEqual([1, 0.5, 0.25, 0.125]);
  });

  it("CosineAnnealingLR follows half a cosine to etaMin", () => {
    // (1 + cos(πe/4))/2 for e = 0..4: 1, 0.8535534, 0.5, 0.1464466, 0
    expect(lrs((o) => new optim.lr.CosineAnnealingLR(o, { tMax: 4 }), 5)).toEqual(
      [1, 0.8535534, 0.5, 0.1464466, 0].map((v) => expect.closeTo(v, 7)),
    );
  });

  it("LinearLR warms up linearly, then holds", () => {
    expect(lrs((o) => new optim.lr.LinearLR(o, { startFactor: 0.25, totalIters: 3 }), 6)).toEqual([
      0.25, 0.5, 0.75, 1, 1, 1,
    ]);
  });

  it("LambdaLR applies any factor; state dicts restore the epoch", () => {
    const opt = new optim.SGD([param(1)], { lr: 2 });
    const s = new optim.lr.LambdaLR(opt, (e) => 1 / (e + 1));
    s.step();
    s.step();
    expect(s.getLastLr()).toEqual([2 / 3]);
    const opt2 = new optim.SGD([param(1)], { lr: 2 });
    const s2 = new optim.lr.LambdaLR(opt2, (e) => 1 / (e + 1));
    s2.loadStateDict(s.stateDict());
    s2.step();
    expect(s2.getLastLr()).toEqual([0.5]);
  });
});

describe("gradient clipping", () => {
  it("clipGradNorm rescales all gradients together and returns the norm before", () => {
    const a = param(0, 0);
    const b = param(0);
    a.grad = tensor([3, 0], { dtype: "float64" });
    b.grad = tensor([4], { dtype: "float64" });
    expect(optim.clipGradNorm([a, b], 1)).toBe(5);
    // scaled by 1/(5 + 1e−6)
    expect(Array.from(a.grad.data)).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(b.grad.item()).toBeCloseTo(0.8, 6);
    expect(optim.clipGradNorm([a, b], 10)).toBeCloseTo(1, 5);
    expect(b.grad.item()).toBeCloseTo(0.8, 6); // under the limit: untouched
  });

  it("clipGradNorm with normType Infinity clips by the largest element", () => {
    const a = param(0, 0);
    a.grad = tensor([-4, 2], { dtype: "float64" });
    expect(optim.clipGradNorm([a], 2, Infinity)).toBe(4);
    expect(Array.from(a.grad.data)).toEqual([expect.closeTo(-2, 6), expect.closeTo(1, 6)]);
  });

  it("clipGradValue clamps each element", () => {
    const a = param(0, 0, 0);
    a.grad = tensor([-3, 0.2, 9], { dtype: "float64" });
    optim.clipGradValue([a], 1);
    expect(Array.from(a.grad.data)).toEqual([-1, 0.2, 1]);
  });
});

describe("combining schedules", () => {
  it("a second schedule starts from the initial lr, not from the first one's output", () => {
    const opt = new optim.SGD([param(1)], { lr: 1 });
    new optim.lr.LinearLR(opt, { startFactor: 0.1, totalIters: 2 });
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.1, 12);
    const cosine = new optim.lr.CosineAnnealingLR(opt, { tMax: 2 });
    expect(cosine.baseLrs).toEqual([1]);
  });

  it("SequentialLR: linear warm-up for 2 epochs, then cosine over 2", () => {
    const opt = new optim.SGD([param(1)], { lr: 1 });
    const warmup = new optim.lr.LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    const cosine = new optim.lr.CosineAnnealingLR(opt, { tMax: 2 });
    const schedule = new optim.lr.SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [2] });
    const lrs = [opt.paramGroups[0]!.lr];
    for (let e = 1; e < 5; e++) {
      schedule.step();
      lrs.push(opt.paramGroups[0]!.lr);
    }
    // warm-up: 0.5, 0.75; cosine restarted at epoch 2: 1, (1 + cos(π/2))/2 = 0.5, 0
    expect(lrs).toEqual([0.5, 0.75, 1, expect.closeTo(0.5, 12), expect.closeTo(0, 12)]);
    expect(() => new optim.lr.SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [] })).toThrow(
      "2 schedulers need 1 milestones, got 0",
    );
  });
});

describe("printing an optimizer", () => {
  it("shows each group's options, as PyTorch's repr", () => {
    const opt = new optim.SGD([{ params: [param(1, 2)] }, { params: [param(3)], lr: 1 }], { lr: 0.1, momentum: 0.9 });
    expect(String(opt)).toBe(
      "SGD (\n" +
        'Parameter Group 0 (1 tensors, 2 values)\n    lr: 0.1\n    momentum: 0.9\n    dampening: 0\n    nesterov: false\n    weightDecay: 0\n    momentumForm: "pytorch"\n\n' +
        'Parameter Group 1 (1 tensors, 1 values)\n    lr: 1\n    momentum: 0.9\n    dampening: 0\n    nesterov: false\n    weightDecay: 0\n    momentumForm: "pytorch"\n' +
        ")",
    );
  });
});
