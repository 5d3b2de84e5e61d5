// Forward values of every op against numbers worked out by hand, dtype rules, and the error
// messages a student sees.
import { describe, expect, test } from "vitest";
import {
  add,
  arange,
  argmax,
  concat,
  eq,
  full,
  gather,
  ge,
  gt,
  index,
  indexSelect,
  le,
  lt,
  matmul,
  maximum,
  minimum,
  ne,
  oneHot,
  ones,
  randn,
  split,
  stack,
  sum,
  Tensor,
  tensor,
  where,
  zeros,
} from "../../engine/index.js";

function close(actual: Tensor, expected: unknown, digits = 4): void {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const a = flat(actual.toArray());
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(e[i]!, digits));
}

describe("arithmetic", () => {
  test("broadcasting a column against a row", () => {
    expect(add(tensor([[1], [2]]), tensor([10, 20, 30])).toArray()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
  });
  test("scalars on either side", () => {
    expect(tensor([1, 2]).mul(3).toArray()).toEqual([3, 6]);
    expect(add(5, tensor([1, 2])).toArray()).toEqual([6, 7]);
    expect(tensor([3, 6]).sub(1).div(2).toArray()).toEqual([1, 2.5]);
  });
  test("pow, sqrt, exp, log, abs, neg", () => {
    close(tensor([1, 2, 3]).pow(2), [1, 4, 9]);
    close(tensor([4, 9]).pow(tensor([0.5, 2])), [2, 81]);
    close(tensor([4, 9]).sqrt(), [2, 3]);
    close(tensor([0, 1]).exp(), [1, Math.E]);
    close(tensor([1, Math.E]).log(), [0, 1]);
    close(tensor([-2, 3]).abs(), [2, 3]);
    close(tensor([-2, 3]).neg(), [2, -3]);
  });
  test("clamp, maximum, minimum", () => {
    close(tensor([-2, 0.5, 3]).clamp(0, 1), [0, 0.5, 1]);
    close(tensor([-2, 0.5, 3]).clamp(null, 1), [-2, 0.5, 1]);
    close(maximum(tensor([1, 5]), tensor([3, 2])), [3, 5]);
    close(minimum(tensor([1, 5]), 2), [1, 2]);
  });
  test("float32 by default; int32 stays int32 under + and ×, becomes float under /", () => {
    const i = tensor([1, 2, 3], { dtype: "int32" });
    expect(tensor([1]).dtype).toBe("float32");
    expect(i.add(i).dtype).toBe("int32");
    expect(i.mul(2).dtype).toBe("int32");
    expect(i.mul(0.5).dtype).toBe("float32");
    expect(i.div(2).toArray()).toEqual([0.5, 1, 1.5]);
    expect(i.mean().item()).toBe(2);
    expect(tensor([1], { dtype: "float64" }).add(tensor([1])).dtype).toBe("float64");
  });
});

describe("comparisons and selection", () => {
  const a = tensor([1, 2, 3]);
  test("eq ne lt le gt ge give 0/1 masks", () => {
    expect(eq(a, 2).toArray()).toEqual([0, 1, 0]);
    expect(ne(a, 2).toArray()).toEqual([1, 0, 1]);
    expect(lt(a, 2).toArray()).toEqual([1, 0, 0]);
    expect(le(a, 2).toArray()).toEqual([1, 1, 0]);
    expect(gt(a, 2).toArray()).toEqual([0, 0, 1]);
    expect(ge(a, 2).toArray()).toEqual([0, 1, 1]);
    expect(a.eq(2).requiresGrad).toBe(false);
  });
  test("accuracy of predictions against int labels", () => {
    const logits = tensor([
      [0.1, 2],
      [3, 0],
      [1, 0.5],
    ]);
    const labels = tensor([1, 0, 1], { dtype: "int32" });
    expect(logits.argmax(1).eq(labels).mean().item()).toBeCloseTo(2 / 3, 6);
  });
  test("where broadcasts all three", () => {
    expect(where(tensor([[1], [0]]), tensor([1, 2]), -1).toArray()).toEqual([
      [1, 2],
      [-1, -1],
    ]);
  });
  test("where, concat and stack as methods", () => {
    expect(
      tensor([-1, 2])
        .where(tensor([0, 1]), 9)
        .toArray(),
    ).toEqual([9, 2]);
    expect(
      tensor([1])
        .concat([tensor([2, 3])])
        .toArray(),
    ).toEqual([1, 2, 3]);
    expect(
      tensor([1, 2])
        .stack([tensor([3, 4])], 1)
        .toArray(),
    ).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });
  test("maskedFill", () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .maskedFill(
          tensor([
            [0, 1],
            [0, 0],
          ]),
          -Infinity,
        )
        .toArray(),
    ).toEqual([
      [1, -Infinity],
      [3, 4],
    ]);
  });
});

describe("activations", () => {
  test("relu, leakyRelu, sigmoid, tanh", () => {
    close(tensor([-1, 0, 2]).relu(), [0, 0, 2]);
    close(tensor([-1, 2]).leakyRelu(0.1), [-0.1, 2]);
    close(tensor([0, 2]).sigmoid(), [0.5, 1 / (1 + Math.exp(-2))]);
    close(tensor([0, 1]).tanh(), [0, Math.tanh(1)]);
  });
  test("NaN propagates through relu and clamp (a diverging model shows NaN, not 0)", () => {
    expect(tensor([Number.NaN]).relu().item()).toBeNaN();
    expect(tensor([Number.NaN]).clamp(0, 1).item()).toBeNaN();
  });
  test("sigmoid saturates without NaN", () => {
    expect(tensor([-1000, 1000]).sigmoid().toArray()).toEqual([0, 1]);
  });
  test("gelu: x·Φ(x) (exact) and the tanh approximation", () => {
    close(tensor([1, -1, 0]).gelu(), [0.8413447, -0.1586553, 0], 6);
    close(tensor([1]).gelu("tanh"), [0.841192], 6);
  });
  test("softmax of [1,2,3]", () => {
    close(tensor([1, 2, 3]).softmax(), [0.0900306, 0.2447285, 0.665241], 6);
    close(
      tensor([
        [1, 1],
        [0, Math.log(3)],
      ]).softmax(1),
      [
        [0.5, 0.5],
        [0.25, 0.75],
      ],
      6,
    );
  });
  test("logSoftmax stays finite for huge logits (log-sum-exp)", () => {
    close(tensor([1000, 0]).logSoftmax(), [0, -1000]);
    close(tensor([[1, 2, 3]]).logSoftmax(-1), [[-2.4076059, -1.4076059, -0.4076059]], 6);
  });
});

describe("reductions", () => {
  const x = tensor([
    [1, 5, 3],
    [4, 2, 6],
  ]);
  test("sum and mean over all, an axis, a negative axis, several axes, keepDim", () => {
    expect(x.sum().item()).toBe(21);
    expect(x.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(x.sum(-1).toArray()).toEqual([9, 12]);
    expect(x.sum(1, true).shape).toEqual([2, 1]);
    expect(sum(ones([2, 3, 4]), [0, 2]).toArray()).toEqual([8, 8, 8]);
    expect(x.mean(0).toArray()).toEqual([2.5, 3.5, 4.5]);
  });
  test("mean is sum times 1/n exactly, value and gradient, in float32 and float64, over all or axes", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const axis of [undefined, 1, [0, 2]]) {
        const a = randn([3, 7, 5], { dtype, requiresGrad: true });
        const b = new Tensor(a.data.slice(), a.shape, dtype);
        b.requiresGrad = true;
        const n = a.numel() / (axis === undefined ? 1 : a.sum(axis).numel());
        const viaMean = a.mean(axis).mul(a.mean(axis)).sum();
        const viaSum = b.sum(axis).mul(1 / n);
        const composed = viaSum.mul(viaSum).sum();
        expect(Array.from(a.mean(axis).data)).toEqual(Array.from(viaSum.data));
        viaMean.backward();
        composed.backward();
        expect(Array.from(a.grad!.data)).toEqual(Array.from(b.grad!.data));
        expect(a.grad!.dtype).toBe(dtype);
      }
    }
  });
  test("max, min, argmax", () => {
    expect(x.max().item()).toBe(6);
    expect(x.max(1).toArray()).toEqual([5, 6]);
    expect(x.min(0).toArray()).toEqual([1, 2, 3]);
    expect(argmax(x).item()).toBe(5);
    expect(x.argmax(1).toArray()).toEqual([1, 2]);
    expect(x.argmax(1).dtype).toBe("int32");
    expect(x.argmin(0, true).toArray()).toEqual([[0, 1, 0]]);
  });
  test("float32 sums accumulate in float64: 100,000 × 0.1 is 10,000 to float32 precision, along any axis", () => {
    const x = full([100_000, 2], 0.1);
    for (const s of [x.sum(0), x.sum(), x.mean(0).mul(100_000), x.reshape([100, 1000, 2]).sum([0, 1])]) {
      for (const v of s.data)
        expect(Math.abs(v - Math.fround(0.1) * 100_000 * (s.numel() === 1 ? 2 : 1))).toBeLessThan(1e-2);
    }
  });
  test("var (unbiased by default) and std", () => {
    const v = tensor([1, 2, 3, 4]);
    expect(v.var().item()).toBeCloseTo(5 / 3, 6);
    expect(v.var(0, false, false).item()).toBeCloseTo(1.25, 6);
    expect(v.std().item()).toBeCloseTo(Math.sqrt(5 / 3), 6);
    close(x.var(1), [4, 4]);
  });
});

describe("matmul", () => {
  test("2-D", () => {
    expect(
      matmul(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([
          [5, 6],
          [7, 8],
        ]),
      ).toArray(),
    ).toEqual([
      [19, 22],
      [43, 50],
    ]);
  });
  test("vectors", () => {
    expect(
      tensor([1, 2, 3])
        .matmul(tensor([4, 5, 6]))
        .toArray(),
    ).toBe(32);
    expect(
      tensor([1, 2])
        .matmul(
          tensor([
            [1, 2],
            [3, 4],
          ]),
        )
        .toArray(),
    ).toEqual([7, 10]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .matmul(tensor([1, 1]))
        .toArray(),
    ).toEqual([3, 7]);
  });
  test("batched with a broadcast right operand", () => {
    const a = tensor([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [2, 0],
        [0, 2],
      ],
    ]);
    expect(
      a
        .matmul(
          tensor([
            [1, 2],
            [3, 4],
          ]),
        )
        .toArray(),
    ).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [2, 4],
        [6, 8],
      ],
    ]);
  });
  test("linear: x @ Wᵀ + b with W stored [out, in]", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const w = tensor([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(x.linear(w, tensor([10, 20, 30])).toArray()).toEqual([
      [11, 22, 33],
      [13, 24, 37],
    ]);
    expect(() => x.linear(tensor([[1, 2, 3]]))).toThrow("linear: input [2,2] @ weightᵀ [3,1]: last size must be 3");
  });
  test("transposed kernels (used by backward) give the same products", () => {
    const a = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const b = tensor(
      [
        [1, -1],
        [2, 0],
        [0, 3],
      ],
      { requiresGrad: true },
    );
    a.matmul(b).backward(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    // dA = G @ Bᵀ, dB = Aᵀ @ G, worked out by hand.
    expect(a.grad!.toArray()).toEqual([
      [-1, 2, 6],
      [-1, 6, 12],
    ]);
    expect(b.grad!.toArray()).toEqual([
      [13, 18],
      [17, 24],
      [21, 30],
    ]);
  });
});

describe("shapes", () => {
  const x = arange(6).reshape([2, 3]);
  test("reshape with -1, view shares storage, flatten, squeeze, unsqueeze", () => {
    expect(x.reshape([3, -1]).shape).toEqual([3, 2]);
    expect(x.view(-1).data).toBe(x.data);
    expect(zeros([2, 3, 4]).flatten(1).shape).toEqual([2, 12]);
    expect(zeros([2, 1, 3, 1]).squeeze().shape).toEqual([2, 3]);
    expect(zeros([2, 1, 3]).squeeze(1).shape).toEqual([2, 3]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
  });
  test("transpose, T, permute", () => {
    expect(x.T.toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(x.transpose(0, 1).toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    const y = arange(24).reshape([2, 3, 4]).permute(2, 0, 1);
    expect(y.shape).toEqual([4, 2, 3]);
    expect(y.toArray()).toEqual(
      Array.from({ length: 4 }, (_, k) => [[0, 4, 8].map((v) => v + k), [12, 16, 20].map((v) => v + k)]),
    );
  });
  test("expand, concat, stack, split", () => {
    expect(
      tensor([[1], [2]])
        .expand([2, 3])
        .toArray(),
    ).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(tensor([1, 2]).expand(2, -1).toArray()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(concat([x, tensor([[9, 9, 9]])], 0).toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [9, 9, 9],
    ]);
    expect(concat([x, tensor([[7], [8]])], 1).toArray()).toEqual([
      [0, 1, 2, 7],
      [3, 4, 5, 8],
    ]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(split(arange(5), 2).map((p) => p.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(x.split([1, 2], 1).map((p) => p.toArray())).toEqual([
      [[0], [3]],
      [
        [1, 2],
        [4, 5],
      ],
    ]);
  });
});

describe("indexing", () => {
  const x = arange(12).reshape([3, 4]);
  test("slice like Python's x[:, 1:3] and x[::2]", () => {
    expect(x.slice(1, 1, 3).toArray()).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(x.slice(0, 0, undefined, 2).toArray()).toEqual([
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    expect(x.slice(1, -1).toArray()).toEqual([[3], [7], [11]]);
  });
  test("index like x[i][j]", () => {
    expect(index(x, 1).toArray()).toEqual([4, 5, 6, 7]);
    expect(x.index(-1, 2).item()).toBe(10);
  });
  test("gather picks each row's label", () => {
    expect(gather(x, 1, tensor([[3], [0], [1]], { dtype: "int32" })).toArray()).toEqual([[3], [4], [9]]);
  });
  test("indexSelect with repeats", () => {
    expect(indexSelect(x, 0, [2, 0, 2]).toArray()).toEqual([
      [8, 9, 10, 11],
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    expect(x.indexSelect(1, tensor([3, 0], { dtype: "int32" })).toArray()).toEqual([
      [3, 0],
      [7, 4],
      [11, 8],
    ]);
  });
  test("oneHot", () => {
    expect(oneHot(tensor([0, 2, 1], { dtype: "int32" }), 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(tensor([1], { dtype: "int32" }).oneHot().toArray()).toEqual([[0, 1]]);
  });
});

describe("error messages name the op and the shapes", () => {
  test("matmul inner sizes", () => {
    expect(() => zeros([32, 4]).matmul(zeros([10, 4]))).toThrow("matmul: [32,4] @ [10,4]: inner sizes 4 and 10 differ");
    expect(() => zeros([2, 3, 4]).matmul(zeros([5, 4, 1]))).toThrow(
      "matmul: [2,3,4] @ [5,4,1]: batch dimensions [2] and [5] cannot broadcast",
    );
  });
  test("broadcasting", () => {
    expect(() => zeros([3, 2]).add(zeros([4]))).toThrow("add: shapes [3,2] and [4] cannot broadcast");
    expect(() => zeros([3, 2]).mul(zeros([3]))).toThrow("mul: shapes [3,2] and [3] cannot broadcast");
  });
  test("wrong argument types (cells may run without type checking)", () => {
    expect(() => tensor([1]).add([1, 2] as never)).toThrow(
      "add: expected a Tensor or a number, got an array (wrap it: tensor([...]))",
    );
    expect(() => tensor([1]).matmul(2 as never)).toThrow(
      "matmul: both arguments must be tensors (use mul to scale by a number)",
    );
    expect(() => tensor([1]).lt(undefined as never)).toThrow("lt: expected a Tensor or a number, got undefined");
  });
  test("reshape, axes, indices", () => {
    expect(() => zeros([2, 3]).reshape([4, 2])).toThrow("reshape: cannot reshape [2,3] (6 elements) to [4,2]");
    expect(() => zeros([2, 3]).sum(2)).toThrow("sum: axis 2 is out of range for a tensor with 2 dimensions");
    expect(() => zeros([3]).indexSelect(0, [3])).toThrow("indexSelect: index 3 is out of range for axis 0 of size 3");
    expect(() => zeros([2]).item()).toThrow("item(): a tensor of shape [2] has 2 elements; item() needs exactly 1");
    expect(() => concat([zeros([2, 3]), zeros([2, 4])], 0)).toThrow(
      "concat: shapes [2,3] and [2,4] differ outside axis 0",
    );
    expect(() => zeros([3]).maskedFill(zeros([2, 3]), 1)).toThrow(
      "maskedFill: mask of shape [2,3] is bigger than the tensor [3]",
    );
  });
});
