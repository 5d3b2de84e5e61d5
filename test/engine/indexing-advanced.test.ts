// x.index(...) as PyTorch users write x[...]: element access, slice strings, index tensors of
// any shape (an embedding lookup), masks, several index tensors (yHat[range(n), y]), and the
// errors for keys that do not fit. Gradients are checked in gradcheck-more.test.ts.
import { describe, expect, test } from "vitest";
import { arange, nn, randn, tensor } from "../../engine/index.js";

const ints = (values: number[] | number[][]) => tensor(values, { dtype: "int32" });
const m = arange(12).reshape(3, 4); // [[0,1,2,3],[4,5,6,7],[8,9,10,11]]

describe("basic keys", () => {
  test("at(i, j) is the 0-d element; at(i) a row; negatives count from the end", () => {
    expect(m.at(1, 2).shape).toEqual([]);
    expect(m.at(1, 2).item()).toBe(6);
    expect(m.at(-1).toArray()).toEqual([8, 9, 10, 11]);
    expect(m.at(-1, -1).item()).toBe(11);
  });

  test('x[:, 0] is index(":", 0), or the whole bracket as one string', () => {
    expect(m.index(":", 0).toArray()).toEqual([0, 4, 8]);
    expect(m.index(":, 0").toArray()).toEqual([0, 4, 8]);
    expect(m.index("1:3, ::2").toArray()).toEqual([
      [4, 6],
      [8, 10],
    ]);
    expect(m.index("-1:", "1:-1").toArray()).toEqual([[9, 10]]);
    expect(m.index("...", 1).toArray()).toEqual([1, 5, 9]);
    expect(m.index(null, 0).shape).toEqual([1, 4]);
  });
});

describe("advanced keys", () => {
  test("C[X]: an embedding lookup with a 2-D index tensor (makemore)", () => {
    const C = randn(27, 2);
    const X = ints([
      [0, 5, 13],
      [5, 13, 13],
    ]);
    const emb = C.index(X);
    expect(emb.shape).toEqual([2, 3, 2]);
    expect(emb.at(1, 2).toArray()).toEqual(C.at(13).toArray());
    expect(nn.functional.embedding(X, C).toArray()).toEqual(emb.toArray());
  });

  test("yHat[range(n), y]: one element per row", () => {
    const probs = tensor([
      [0.1, 0.9],
      [0.8, 0.2],
      [0.3, 0.7],
    ]);
    const picked = probs.index(arange(3, { dtype: "int32" }), ints([1, 0, 1]));
    expect(picked.toArray()).toEqual([0.9, 0.8, 0.7].map(Math.fround));
    expect(probs.index([0, 2], [1, 1]).toArray()).toEqual([0.9, 0.7].map(Math.fround));
  });

  test("index arrays, repeats, and keys that place dimensions like NumPy", () => {
    const x = arange(24).reshape(2, 3, 4);
    expect(x.index([1, 1, 0]).shape).toEqual([3, 3, 4]);
    expect(x.index(":", [2, 0]).shape).toEqual([2, 2, 4]); // adjacent: stays in place
    expect(x.index(":", [2, 0], 1).toArray()).toEqual([
      [9, 1],
      [21, 13],
    ]);
    expect(x.index([0, 1], ":", [0, 3]).shape).toEqual([2, 3]); // split: batch first
    expect(x.index(ints([[0], [1]]), ints([0, 2])).shape).toEqual([2, 2, 4]); // broadcast [2,1] with [2]
  });

  test("masks: x[x > 5] and boolean arrays", () => {
    expect(m.index(m.gt(5)).toArray()).toEqual([6, 7, 8, 9, 10, 11]);
    expect(m.index([true, false, true]).shape).toEqual([2, 4]);
    expect(m.index(":", tensor([1, 0, 0, 1])).toArray()).toEqual([
      [0, 3],
      [4, 7],
      [8, 11],
    ]);
  });
});

describe("errors say what to write", () => {
  test("out of range, too many keys, bad strings", () => {
    expect(() => m.at(3, 0)).toThrow("index: index 3 is out of range for dimension 0 of size 3 (shape [3,4])");
    expect(() => m.index(ints([0, 4]))).toThrow("index: index 4 is out of range for dimension 0 of size 3");
    expect(() => m.index(0, 0, 0)).toThrow("index: too many indices for a tensor of shape [3,4]: 3 given");
    expect(() => m.index("a:b")).toThrow(/"a:b" is not a slice of integers/);
    expect(() => m.index("1:2:3:4")).toThrow(/too many colons/);
    expect(() => m.index("...", "...")).toThrow(/single ellipsis/);
  });

  test("a float tensor that is not a 0/1 mask: pass int32 indices", () => {
    expect(() => m.index(tensor([0, 2]))).toThrow(
      /a float32 tensor is read as a mask, but it holds 2; to pick positions pass int32 indices/,
    );
    expect(() => m.index(tensor([1, 0]))).toThrow(
      /the mask of shape \[2\] does not match dimensions 0\.\. of the tensor \[3,4\]/,
    );
  });

  test("at() takes numbers only", () => {
    expect(() => m.at(":" as unknown as number)).toThrow(/at: positions must be numbers.*use index\(\)/);
  });
});
