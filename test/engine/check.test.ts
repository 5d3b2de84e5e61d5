// The exercise checks: what passes, what fails and what a failure says (expected, got, hint),
// numpy's tolerance rule, tensors against numbers and arrays, NaN, and a stub left untouched.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CheckError, check, type Tensor, tensor } from "../../engine/index.js";
import { connectNotebook } from "../../engine/train/sink.js";

// Passed checks go to the notebook's display sink; here it collects them.
let shown: Record<string, string>[] = [];
beforeEach(() => {
  shown = [];
  connectNotebook((output) => {
    shown.push(output.data as Record<string, string>);
    return { update() {} };
  });
});
afterEach(() => {
  connectNotebook(undefined);
});

/** The CheckError `fn` throws (failing the test if it throws nothing or something else). */
function failure(fn: () => void): CheckError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CheckError);
    return error as CheckError;
  }
  throw new Error("the check passed");
}

const stub = (): never => {
  throw new Error("not implemented yet");
};

describe("check.close", () => {
  test("a pass shows one line, as HTML and text, with a ✓ and what was checked", () => {
    check.close(0.17000001, 0.17, { label: "mse(p, t)" });
    expect(shown).toHaveLength(1);
    expect(Object.keys(shown[0]!).sort()).toEqual(["text/html", "text/plain"]);
    expect(shown[0]!["text/plain"]).toBe("✓ mse(p, t) = 0.17 ≈ 0.17 (atol 1e-7, rtol 1e-7)");
    expect(shown[0]!["text/plain"]).not.toContain("\n");
    expect(shown[0]!["text/html"]).toContain("✓");
  });

  test("the tolerance is |a − b| ≤ atol + rtol·|b| (numpy's assert_allclose), on both sides of the bound", () => {
    check.close(101, 100, { atol: 0, rtol: 0.01 }); // |1| ≤ 0.01·100
    failure(() => check.close(101.01, 100, { atol: 0, rtol: 0.01 }));
    check.close(100, 101, { atol: 0, rtol: 0.01 }); // relative to expected: 1 ≤ 1.01
    check.close(0.5, 0, { atol: 0.5, rtol: 0 });
    failure(() => check.close(0.5001, 0, { atol: 0.5, rtol: 0 }));
    check.close(1.5, 1, { atol: 0.25, rtol: 0.25 }); // 0.5 ≤ 0.25 + 0.25·1
    failure(() => check.close(1.51, 1, { atol: 0.25, rtol: 0.25 }));
  });

  test("a failure says what was expected, what came, the tolerance and the hint", () => {
    const error = failure(() =>
      check.close(0.51, 0.17, { label: "mse(p, t)", hint: "square the errors before averaging" }),
    );
    expect(error.name).toBe("CheckError");
    expect(error.message).toBe(
      "mse(p, t) is not close to what was expected: got 0.51, expected 0.17 (|difference| 0.34 > tolerance 1.17e-7)\nHint: square the errors before averaging",
    );
  });

  test("arrays: the failing elements are counted and the first and worst are named by index", () => {
    const error = failure(() =>
      check.close(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 2.5],
          [3, 9],
        ],
        { label: "W" },
      ),
    );
    expect(error.message).toContain("W is not close to what was expected: 2 of 4 elements differ (shape [2,2])");
    expect(error.message).toContain("got:      [[1, 2], [3, 4]]");
    expect(error.message).toContain("expected: [[1, 2.5], [3, 9]]");
    expect(error.message).toContain("first at [0, 1]: got 2, expected 2.5");
    expect(error.message).toContain("worst at [1, 1]: got 4, expected 9");
  });

  test("tensors compare with numbers, arrays and typed arrays alike", () => {
    check.close(tensor([1, 2, 3]), [1, 2, 3]);
    check.close([1, 2, 3], tensor([1, 2, 3]));
    check.close(tensor([[1, 2]]), [[1, 2]]);
    check.close(tensor([0.25]), 0.25);
    check.close(tensor(0.25), [0.25]);
    check.close(tensor([2, 2, 2]), 2); // a number stands for every element
    check.close(new Float32Array([0.1, 0.2]), [0.1, 0.2]);
    expect(shown).toHaveLength(7);
    failure(() => check.close(tensor([1, 2, 3]), [1, 2, 4]));
  });

  test("float32 tensors get float32's default tolerance, plain numbers float64's", () => {
    check.close(tensor([0.1]).add(tensor([0.2])), 0.3); // 0.3 in float32 is off by ~1e-8
    check.close(tensor([1000]), 1000.001); // 0.001 ≤ 1e-5 + 1.3e-6·1000
    failure(() => check.close(1000, 1000.001)); // plain numbers: 1e-7 + 1e-7·1000 = 1e-4
  });

  test("shapes must agree: a [3, 1] column is not a [3] vector", () => {
    const error = failure(() =>
      check.close(tensor([[1], [2], [3]]), [1, 2, 3], { label: "y", hint: "keep the batch as rows" }),
    );
    expect(error.message).toMatch(/^y has shape \[3,1\], expected shape \[3\]/);
    expect(error.message).toMatch(/Hint: keep the batch as rows$/);
  });

  test("NaN never equals NaN unless equalNan is set", () => {
    const error = failure(() => check.close(NaN, NaN));
    expect(error.message).toContain("got NaN, expected NaN");
    failure(() => check.close([1, NaN], [1, 2]));
    failure(() => check.close(tensor([NaN]), [NaN]));
    check.close([1, NaN], [1, NaN], { equalNan: true });
    check.close(tensor([NaN, 2]), [NaN, 2], { equalNan: true });
  });

  test("equal infinities are close; opposite ones are not", () => {
    check.close([Infinity, -Infinity], [Infinity, -Infinity]);
    failure(() => check.close(Infinity, -Infinity));
    failure(() => check.close(1e308, Infinity));
  });

  test("a value that is not numbers says what it is", () => {
    expect(failure(() => check.close(undefined, 1, { label: "mse" })).message).toBe(
      "mse is undefined, not a number, an array or a tensor (does the function return its result?)",
    );
    expect(failure(() => check.close("0.17", 0.17)).message).toMatch(/the string "0\.17", not a number/);
    expect(
      failure(() =>
        check.close(
          [[1, 2], [3]],
          [
            [1, 2],
            [3, 4],
          ],
        ),
      ).message,
    ).toMatch(/ragged array/);
  });

  test("negative tolerances are refused", () => {
    expect(() => check.close(1, 1, { atol: -1 })).toThrow(RangeError);
  });
});

describe("checks take a function: stubs and errors in the student's code", () => {
  test("an untouched stub fails with 'not implemented yet' and the hint, not a TypeError", () => {
    const error = failure(() =>
      check.close(() => stub(), 0.17, { label: "mse(p, t)", hint: "average the squared errors" }),
    );
    expect(error.message).toMatch(/^mse\(p, t\): not implemented yet/);
    expect(error.message).toMatch(/Hint: average the squared errors$/);
    for (const run of [
      () => check.equal(stub, 1),
      () => check.shape(stub, [1]),
      () => check.true(stub),
      () => check.decreases(stub),
      () => check.less(stub, 1),
      () => check.greater(stub, 1),
      () =>
        check.grad(
          (x) => x.sum(),
          [tensor([1])],
          () => stub(),
        ),
    ]) {
      expect(failure(run).message).toContain("not implemented yet");
    }
  });

  test("another error from the student's code keeps its type and frames, with the check and hint added", () => {
    let thrown: unknown;
    try {
      check.close(() => (undefined as unknown as Tensor).add(1), 1, { label: "forward(x)", hint: "return the tensor" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(/\(raised while checking forward\(x\)\)\nHint: return the tensor$/);
  });

  test("the function's value is what is checked", () => {
    check.close(() => tensor([1, 2]).mul(2), [2, 4]);
    expect(shown).toHaveLength(1);
  });
});

describe("check.equal", () => {
  test("numbers, arrays and tensors exactly, element by element", () => {
    check.equal(tensor([2, 0, 1], { dtype: "int32" }), [2, 0, 1]);
    check.equal(3, 3);
    const error = failure(() => check.equal([1, 2, 3], [1, 2, 3.0000001], { label: "ids", hint: "exact" }));
    expect(error.message).toContain("ids is not equal to what was expected: 1 of 3 elements differ");
    expect(error.message).toMatch(/Hint: exact$/);
    failure(() => check.equal(NaN, NaN));
    check.equal([NaN], [NaN], { equalNan: true });
  });

  test("strings, booleans and objects structurally", () => {
    check.equal("abc", "abc");
    check.equal({ a: [1, "x"], b: true }, { a: [1, "x"], b: true });
    expect(failure(() => check.equal("hello", "help", { label: "decode(ids)" })).message).toBe(
      'decode(ids) is not equal to what was expected\n  got:      "hello"\n  expected: "help"',
    );
    failure(() => check.equal({ a: 1 }, { a: 1, b: 2 }));
  });
});

describe("check.shape", () => {
  test("tensors and nested arrays; null matches any size", () => {
    check.shape(tensor([[1], [2], [3], [4]]), [4, 1]);
    check.shape([[1, 2, 3]], [1, 3]);
    check.shape(tensor([[1, 2, 3]]), [null, 3]);
    expect(shown[0]!["text/plain"]).toBe("✓ the tensor has shape [4,1]");
    const error = failure(() =>
      check.shape(tensor([1, 2, 3, 4]), [4, 1], { label: "layer(x)", hint: "nn.Linear keeps the batch dimension" }),
    );
    expect(error.message).toBe("layer(x) has shape [4], expected [4,1]\nHint: nn.Linear keeps the batch dimension");
    expect(failure(() => check.shape(tensor([[1, 2]]), [null, 3])).message).toContain("expected [any,3]");
  });
});

describe("check.true, check.less, check.greater", () => {
  test("a condition must be exactly true", () => {
    check.true(true, { label: "probabilities sum to 1" });
    expect(shown[0]!["text/plain"]).toBe("✓ probabilities sum to 1");
    expect(failure(() => check.true(false, { label: "rows sum to 1", hint: "softmax over axis 1" })).message).toBe(
      "rows sum to 1 is false\nHint: softmax over axis 1",
    );
    expect(failure(() => check.true(1)).message).toContain("is number 1, not true");
  });

  test("bounds are strict and accept one-element tensors", () => {
    check.less(0.1, 0.2, { label: "validation loss" });
    check.greater(tensor([0.95]), 0.9, { label: "accuracy" });
    expect(shown[1]!["text/plain"]).toBe("✓ accuracy = 0.95, above 0.9");
    expect(failure(() => check.less(0.2, 0.2, { label: "loss" })).message).toBe(
      "loss is 0.2, expected a number below 0.2",
    );
    expect(failure(() => check.greater([1, 2], 0)).message).toContain("2 numbers");
  });
});

describe("check.decreases", () => {
  test("losses that fall pass; the line says by how much", () => {
    check.decreases([4, 3, 2, 1], { label: "training loss" });
    expect(shown[0]!["text/plain"]).toBe("✓ training loss fell 4× over 4 steps (first 4 → last 1)");
    check.decreases(tensor([10, 5, 6, 1]));
  });

  test("noise is allowed, a rise of the trend is not; `by` and `strict` ask for more", () => {
    const noisy = Array.from({ length: 100 }, (_, i) => 1 / (i + 1) + (i % 2) * 0.01);
    check.decreases(noisy);
    failure(() => check.decreases(noisy, { strict: true }));
    expect(failure(() => check.decreases([1, 2, 3, 4])).message).toBe("the losses did not fall: first 1 → last 4");
    expect(failure(() => check.decreases([4, 3, 2], { by: 10 })).message).toBe(
      "the losses fell 2×, expected at least 10×: first 4 → last 2",
    );
    expect(failure(() => check.decreases([3, 2, 2.5, 1], { strict: true })).message).toBe(
      "the losses rose at step 2: 2 → 2.5",
    );
  });

  test("NaN or infinity means the training diverged", () => {
    const error = failure(() => check.decreases([1, 0.5, NaN, NaN], { hint: "try a smaller learning rate" }));
    expect(error.message).toBe(
      "the losses became NaN at step 2 (of 4): the training diverged (is the learning rate too large?)\nHint: try a smaller learning rate",
    );
    failure(() => check.decreases([1, Infinity]));
  });

  test("too few values or not a list", () => {
    expect(failure(() => check.decreases([1])).message).toContain("at least 2 steps");
    expect(failure(() => check.decreases([[1, 2]])).message).toContain("one per step");
  });
});

describe("check.grad", () => {
  const w = tensor([0.5, -1, 2]);
  const x = tensor([1, 2, 3]);
  const loss = (w: Tensor) => w.mul(x).sum().pow(2); // (w·x)², gradient 2(w·x)·x

  test("a correct hand-written gradient matches autograd, as a list or a function of the inputs", () => {
    const s = 0.5 - 2 + 6;
    check.grad(loss, [w], [[2 * s, 4 * s, 6 * s]], { names: ["w"] });
    check.grad(loss, [w], (w) => [x.mul(w.mul(x).sum().mul(2))], { names: ["w"] });
    check.grad(
      (a, b) => a.mul(b).sum(),
      [tensor([1, 2]), tensor([3, 4])],
      (a, b) => [b, a],
    );
    expect(shown).toHaveLength(3);
    expect(shown[0]!["text/plain"]).toMatch(/^✓ the gradient: the hand-written gradients for w match autograd/);
  });

  test("a wrong one names the input, autograd's value and the hint", () => {
    const error = failure(() =>
      check.grad(loss, [w], (w) => [x.mul(w.mul(x).sum())], { names: ["w"], hint: "the square's derivative has a 2" }),
    );
    expect(error.message).toMatch(/^∂f\/∂w by hand is not close to autograd's ∂f\/∂w: 3 of 3 elements differ/);
    expect(error.message).toContain("autograd: [9, 18, 27]");
    expect(error.message).toMatch(/Hint: the square's derivative has a 2$/);
  });

  test("a gradient of the wrong shape, or a missing one, is named", () => {
    expect(failure(() => check.grad(loss, [w], [[1, 2]], { names: ["w"] })).message).toContain(
      "∂f/∂w by hand has shape [2], but ∂f/∂w has the shape of the input, [3]",
    );
    expect(failure(() => check.grad((a, b) => a.mul(b).sum(), [w, x], [w])).message).toContain(
      "one gradient per input (x0, x1)",
    );
  });

  test("the caller's tensors are left alone", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    check.grad(
      (p) => p.pow(2).sum(),
      [p],
      (p) => [p.mul(2)],
    );
    expect(p.grad).toBeNull();
  });

  test("without a hand-written gradient, autograd is checked against finite differences", () => {
    check.grad((a) => a.tanh().sum(), [tensor([0.1, -0.3])]);
    expect(shown[0]!["text/plain"]).toMatch(/autograd matches finite differences/);
  });
});

describe("plain Node", () => {
  test("without a notebook, a pass is a line on stdout", () => {
    connectNotebook(undefined);
    const lines: unknown[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    try {
      check.equal(1, 1, { label: "one" });
    } finally {
      console.log = original;
    }
    expect(lines).toEqual(["✓ one equals 1"]);
  });
});

describe("lists of tensors of different shapes (a model's parameters)", () => {
  test("compared one by one, the failing one named by its place", () => {
    const expected = [
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([5]),
    ];
    check.close(
      [
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([5]),
      ],
      expected,
      { label: "weights" },
    );
    expect(shown).toHaveLength(1);
    expect(shown[0]!["text/plain"]).toBe("✓ weights: all 2 tensors ([2,2] [1]) match");
    expect(
      failure(() =>
        check.close(
          [
            tensor([
              [1, 2],
              [3, 4],
            ]),
            tensor([6]),
          ],
          expected,
          { label: "weights" },
        ),
      ).message,
    ).toMatch(/^weights, item 1 = |^weights, item 1 is not close/);
    expect(
      failure(() =>
        check.equal(
          [
            tensor([
              [1, 2],
              [3, 4],
            ]),
          ],
          expected,
          { label: "weights" },
        ),
      ).message,
    ).toContain("should be a list of 2 tensors");
  });
});
