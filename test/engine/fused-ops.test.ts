// The fused primitives (gelu with its derivative, layerNorm, softmax/logSoftmax, multi-head
// attention) against the same functions composed of plain primitive ops or the plain
// TypeScript kernels, forward and backward, on odd sizes: equal within float32 rounding.
// (Their finite-difference gradchecks are in gradcheck.test.ts.)
import { describe, expect, test } from "vitest";
import {
  gelu,
  grad,
  layerNorm,
  linear,
  logSoftmax,
  manualSeed,
  multiHeadAttention,
  nn,
  noGrad,
  randn,
  softmax,
  Tensor,
  tensor,
} from "../../engine/index.js";
import { expF32 } from "../../engine/kernels/fast-exp.js";
import { jsKernels } from "../../engine/kernels/index.js";
import { causalMask } from "../../engine/nn/attention.js";

/** |a − b| ≤ tol · max(1, |b|) elementwise (NaN only where the reference is NaN). */
function expectClose(actual: Tensor, expected: Tensor, tol = 1e-5): void {
  expect(actual.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.numel(); i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(e)) expect(a).toBeNaN();
    else expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}

/** Value and gradients (for random output weights) of `fn` at `inputs`. */
function valueAndGrads(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): [Tensor, Tensor[]] {
  const value = noGrad(() => fn(...inputs));
  manualSeed(11);
  const weights = randn(value.shape, { dtype: value.dtype });
  return [
    value,
    grad(
      () =>
        fn(...inputs)
          .mul(weights)
          .sum(),
      inputs,
    ),
  ];
}

function expectSameFunction(
  fused: (...xs: Tensor[]) => Tensor,
  composed: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  tol = 1e-5,
): void {
  const [fv, fg] = valueAndGrads(fused, inputs);
  const [cv, cg] = valueAndGrads(composed, inputs);
  expectClose(fv, cv, tol);
  fg.forEach((g, i) => expectClose(g, cg[i]!, tol));
}

describe("expF32: eˣ inlined for float32 loops", () => {
  test("within 1e-8 of Math.exp from −100 to 88 (float32's range), k boundaries included", () => {
    let worst = 0;
    for (let i = -100_000; i <= 88_000; i++) {
      for (const x of [i / 1000, ((i + 0.5) * Math.LN2) / 1000]) {
        const e = Math.exp(x);
        worst = Math.max(worst, Math.abs(expF32(x) - e) / e);
      }
    }
    expect(worst).toBeLessThan(1e-8);
  });

  test("the edges: underflow, overflow once stored as float32, NaN", () => {
    const f32 = (x: number): number => Math.fround(expF32(x));
    expect([f32(-Infinity), f32(-1000), f32(Infinity), f32(1000), f32(0)]).toEqual([0, 0, Infinity, Infinity, 1]);
    expect(expF32(NaN)).toBeNaN();
  });
});

describe("gelu: one pass for the value and its derivative", () => {
  test.each([[[1]], [[7]], [[3, 333]]])("equals the plain kernels' gelu and gelu′ on %j, both forms", (shape) => {
    manualSeed(1);
    const x = randn(shape).mul(3);
    for (const [form, value, derivative] of [
      ["none", "gelu", "geluGrad"],
      ["tanh", "geluTanh", "geluTanhGrad"],
    ] as const) {
      const expectedValue = Tensor.zeros(shape);
      const expectedDerivative = Tensor.zeros(shape);
      jsKernels.unary(value, x.data, expectedValue.data, 0, 0);
      jsKernels.unary(derivative, x.data, expectedDerivative.data, 0, 0);
      expectClose(gelu(x, form), expectedValue, 1e-6);
      const [dx] = grad(() => gelu(x, form).sum(), [x]);
      expectClose(dx!, expectedDerivative, 1e-6);
    }
  });

  test("in float64, and without recording", () => {
    const x = tensor([-3, -0.5, 0, 0.25, 2], { dtype: "float64" });
    const expected = new Float64Array(5);
    jsKernels.unary("gelu", x.data, expected, 0, 0);
    const y = noGrad(() => gelu(x));
    expect(y.dtype).toBe("float64");
    expect(Array.from(y.data)).toEqual(Array.from(expected));
  });

  test("a second backward through the same graph (retainGraph) gets the same gradient", () => {
    manualSeed(12);
    const x = randn([5, 7]);
    x.requiresGrad = true;
    const y = gelu(x)
      .mul(randn([5, 7]))
      .sum();
    y.backward(undefined, { retainGraph: true });
    const first = Array.from(x.grad!.data);
    x.zeroGrad();
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual(first);
  });

  test("at 0, ±∞ and NaN as the plain kernel", () => {
    const x = tensor([0, -0, Infinity, -Infinity, NaN, 1e-310, -1e-310]);
    const expected = new Float32Array(x.numel());
    jsKernels.unary("gelu", x.data, expected, 0, 0);
    expect(Array.from(gelu(x).data)).toEqual(Array.from(expected));
  });

  test("rejects an unknown approximation", () => {
    expect(() => gelu(tensor([1]), "erf" as "none")).toThrow('gelu: approximate must be "none" or "tanh", got erf');
  });
});

/** LayerNorm in primitive ops (the formula nn.LayerNorm used before the fused op). */
function composedLayerNorm(x: Tensor, axes: number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const centered = x.sub(x.mean(axes, true));
  let y = centered.div(centered.square().mean(axes, true).add(eps).sqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

describe("layerNorm: one primitive with a closed-form backward", () => {
  test.each([
    { shape: [3, 5, 7], normalized: [7] },
    { shape: [2, 3, 5], normalized: [3, 5] },
    { shape: [9], normalized: [9] },
  ])("equals the composed formula on $shape over $normalized, with and without weight and bias", ({
    shape,
    normalized,
  }) => {
    manualSeed(2);
    const x = randn(shape).mul(2).add(0.5);
    const w = randn(normalized);
    const b = randn(normalized);
    const axes = normalized.map((_, i) => shape.length - normalized.length + i);
    expectSameFunction(
      (xi, wi, bi) => layerNorm(xi!, normalized, wi!, bi!),
      (xi, wi, bi) => composedLayerNorm(xi!, axes, wi!, bi!, 1e-5),
      [x, w, b],
    );
    expectSameFunction(
      (xi, wi) => layerNorm(xi!, normalized, wi!, null, 0.1),
      (xi, wi) => composedLayerNorm(xi!, axes, wi!, null, 0.1),
      [x, w],
    );
    expectSameFunction(
      (xi) => layerNorm(xi!, normalized),
      (xi) => composedLayerNorm(xi!, axes, null, null, 1e-5),
      [x],
    );
  });

  test("rows far from zero (mean 1000× their spread) keep float32 accuracy", () => {
    manualSeed(9);
    const x = randn([4, 33]).add(1000);
    expectSameFunction(
      (xi) => layerNorm(xi!, [33]),
      (xi) => composedLayerNorm(xi!.to("float64"), [1], null, null, 1e-5).to("float32"),
      [x],
      2e-5,
    );
  });

  test("nn.LayerNorm runs it, and says what is wrong with bad shapes", () => {
    manualSeed(3);
    const norm = new nn.LayerNorm(6);
    const x = randn([4, 6]);
    expectClose(norm.forward(x), composedLayerNorm(x, [1], norm.weight, norm.bias, 1e-5));
    expect(() => norm.forward(randn([4, 5]))).toThrow(
      "LayerNorm([6]) got input of shape [4,5]: the last sizes must be [6]",
    );
    expect(() => layerNorm(x, [5])).toThrow("layerNorm: input of shape [4,6] does not end in the normalized shape [5]");
    expect(() => layerNorm(x, [6], randn([5]))).toThrow(
      "layerNorm: weight of shape [5] must have the normalized shape [6]",
    );
  });
});

describe("softmax and logSoftmax: one primitive each", () => {
  const composedSoftmax = (x: Tensor, axis: number): Tensor => {
    const e = x.sub(noGrad(() => x.max(axis, true))).exp();
    return e.div(e.sum(axis, true));
  };
  test.each([
    [[5, 7], -1],
    [[3, 5, 7], 1],
    [[3, 5, 7], 0],
    [[1], 0],
  ])("equal the composed formulas on %j along axis %i", (shape, axis) => {
    manualSeed(4);
    const x = randn(shape as number[]).mul(4);
    expectSameFunction(
      (v) => softmax(v!, axis as number),
      (v) => composedSoftmax(v!, axis as number),
      [x],
    );
    expectSameFunction(
      (v) => logSoftmax(v!, axis as number),
      (v) => composedSoftmax(v!, axis as number).log(),
      [x],
    );
  });

  test("large logits do not overflow, and −∞ gets weight 0", () => {
    expect(Array.from(softmax(tensor([1000, 1000, -Infinity])).data)).toEqual([0.5, 0.5, 0]);
    expect(logSoftmax(tensor([1000, 0])).data[1]).toBeCloseTo(-1000, 3);
  });
});

/** The attention as primitives: the head split/merge, products, scale, mask and softmax. */
function composedAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, causal: boolean): Tensor {
  const [b, tq, width] = q.shape as [number, number, number];
  const tk = k.shape[1]!;
  const d = width / heads;
  const split = (x: Tensor, t: number): Tensor => x.reshape([b, t, heads, d]).permute(0, 2, 1, 3);
  let scores = split(q, tq).matmul(split(k, tk).transpose(-2, -1)).div(Math.sqrt(d));
  if (causal) scores = scores.maskedFill(causalMask(tq, tk), -Infinity);
  return scores.softmax(-1).matmul(split(v, tk)).permute(0, 2, 1, 3).reshape([b, tq, width]);
}

describe("multiHeadAttention: one primitive over the projections' layout", () => {
  test.each([
    { b: 3, tq: 5, tk: 5, heads: 3, d: 5, causal: true },
    { b: 3, tq: 5, tk: 5, heads: 3, d: 5, causal: false },
    { b: 2, tq: 3, tk: 7, heads: 2, d: 4, causal: true }, // earlier keys cached: query i sees i + 4 keys
    { b: 1, tq: 33, tk: 33, heads: 1, d: 17, causal: true }, // big enough for the WebAssembly products
    { b: 2, tq: 32, tk: 32, heads: 4, d: 16, causal: true }, // the benchmark's head size
  ])("equals the composed ops: b $b, tq $tq, tk $tk, $heads heads of $d, causal $causal", ({
    b,
    tq,
    tk,
    heads,
    d,
    causal,
  }) => {
    manualSeed(5);
    const q = randn([b, tq, heads * d]);
    const k = randn([b, tk, heads * d]);
    const v = randn([b, tk, heads * d]);
    expectSameFunction(
      (x, y, z) => multiHeadAttention(x!, y!, z!, heads, { causal }),
      (x, y, z) => composedAttention(x!, y!, z!, heads, causal),
      [q, k, v],
      2e-5,
    );
  });

  test("a query that sees no key gives NaN, as softmax over only −∞ does", () => {
    manualSeed(6);
    const q = randn([1, 3, 2]);
    const kv = randn([1, 2, 2]);
    expectClose(multiHeadAttention(q, kv, kv, 1, { causal: true }), composedAttention(q, kv, kv, 1, true));
    expect(Number.isNaN(multiHeadAttention(q, kv, kv, 1, { causal: true }).data[0])).toBe(true);
  });

  test("in float64", () => {
    manualSeed(7);
    const [q, k, v] = [0, 1, 2].map(() => randn([2, 4, 6], { dtype: "float64" })) as [Tensor, Tensor, Tensor];
    expectSameFunction(
      (x, y, z) => multiHeadAttention(x!, y!, z!, 2, { causal: true }),
      (x, y, z) => composedAttention(x!, y!, z!, 2, true),
      [q, k, v],
      1e-12,
    );
  });

  test("says what is wrong with bad shapes", () => {
    const x = randn([2, 3, 4]);
    expect(() => multiHeadAttention(randn([3, 4]), x, x, 2)).toThrow(
      "multiHeadAttention: q, k and v must be [batch, time, features], got [3,4], [2,3,4], [2,3,4]",
    );
    expect(() => multiHeadAttention(x, randn([2, 3, 6]), x, 2)).toThrow(
      "multiHeadAttention: k and v must be [2, tk, 4] with the same tk, got [2,3,6] and [2,3,4]",
    );
    expect(() => multiHeadAttention(x, x, x, 3)).toThrow(
      "multiHeadAttention: numHeads must be a positive integer dividing the 4 features, got 3",
    );
  });

  test("nn.MultiHeadAttention with dropout while training takes the composed path; in eval the fused one, same values", () => {
    manualSeed(8);
    const dropped = new nn.MultiHeadAttention(8, 2, { causal: true, dropout: 0.5 });
    const plain = new nn.MultiHeadAttention(8, 2, { causal: true });
    plain.loadStateDict(dropped.stateDict());
    const x = randn([2, 5, 8]);
    dropped.eval();
    expectClose(dropped.forward(x), plain.forward(x));
    dropped.train();
    expect(Array.from(dropped.forward(x).data)).not.toEqual(Array.from(plain.forward(x).data));
  });
});

describe("linear's bias add", () => {
  test.each([
    [1, 3],
    [4, 5],
    [7, 2],
    [13, 9],
  ])("adds the bias to each of %i rows of %i outputs (the 4-row blocks and the rest)", (rows, outF) => {
    manualSeed(14);
    const x = randn([rows, 3]);
    const w = randn([outF, 3]);
    const b = randn([outF]);
    const withBias = linear(x, w, b);
    const without = linear(x, w);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < outF; j++)
        expect(withBias.data[r * outF + j]).toBe(Math.fround(without.data[r * outF + j]! + b.data[j]!));
    }
  });
});

describe("linear's bias gradient (column sums of g, taken in the op)", () => {
  test.each([
    [7, 5],
    [30, 10],
    [32, 1],
    [513, 3],
    [1500, 4],
  ])("equals the sum over %i rows of %i outputs, to float32 precision", (rows, outF) => {
    manualSeed(13);
    const x = randn([rows, 3]);
    const w = randn([outF, 3]);
    const b = randn([outF]);
    b.requiresGrad = true;
    const weights = randn([rows, outF]);
    const [db] = grad(() => linear(x, w, b).mul(weights).sum(), [b]);
    const expected = Tensor.zeros([outF], "float64");
    for (let r = 0; r < rows; r++) for (let j = 0; j < outF; j++) expected.data[j]! += weights.data[r * outF + j];
    expectClose(db!, expected, 1e-5 * Math.sqrt(rows));
  });

  test("above 1024 rows it accumulates in float64: 2000 rows of 0.1 sum to 200 to float32 precision", () => {
    const x = Tensor.zeros([2000, 1]);
    const w = Tensor.zeros([500, 1]);
    const b = Tensor.zeros([500]);
    b.requiresGrad = true;
    const [db] = grad(() => linear(x, w, b).mul(0.1).sum(), [b]);
    for (const v of db!.data) expect(Math.abs(v - 200)).toBeLessThan(200 * 6e-8);
  });
});
