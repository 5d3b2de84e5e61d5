// Losses against values known on paper, their gradients, their reductions and their errors.
import { describe, expect, it } from "vitest";
import { gradcheck, manualSeed, nn, randn, type Tensor, tensor, zeros } from "../../engine/index.js";

const F = nn.functional;
const labels = (...values: number[]): Tensor => tensor(values, { dtype: "int32" });

describe("cross-entropy", () => {
  it("of uniform logits is log C, whatever the labels", () => {
    expect(F.crossEntropy(zeros([4, 3]), labels(0, 1, 2, 1)).item()).toBeCloseTo(Math.log(3), 6);
    expect(new nn.CrossEntropyLoss().forward(zeros([2, 10]), labels(9, 0)).item()).toBeCloseTo(Math.log(10), 6);
  });

  it("matches −log softmax by hand", () => {
    // logits [2, 1, 0], label 0: −log(e²/(e² + e + 1)) = log(1 + e⁻¹ + e⁻²) = 0.4076059
    expect(F.crossEntropy(tensor([[2, 1, 0]]), labels(0)).item()).toBeCloseTo(0.4076059, 6);
    // label 2: 0.4076059 + 2
    expect(F.crossEntropy(tensor([[2, 1, 0]]), labels(2)).item()).toBeCloseTo(2.4076059, 6);
  });

  it("stays finite for huge logits (log-sum-exp)", () => {
    expect(F.crossEntropy(tensor([[1000, 0]]), labels(1)).item()).toBeCloseTo(1000, 3);
    expect(F.crossEntropy(tensor([[1000, 0]]), labels(0)).item()).toBe(0);
  });

  it("has gradient (softmax − onehot)/N", () => {
    const logits = zeros([2, 3], { requiresGrad: true });
    F.crossEntropy(logits, labels(0, 2)).backward();
    const third = 1 / 3 / 2;
    expect(logits.grad!.toArray()).toEqual([
      [expect.closeTo(third - 0.5, 6), expect.closeTo(third, 6), expect.closeTo(third, 6)],
      [expect.closeTo(third, 6), expect.closeTo(third, 6), expect.closeTo(third - 0.5, 6)],
    ]);
    manualSeed(0);
    expect(gradcheck((z) => F.crossEntropy(z, labels(1, 0, 3)), [randn([3, 4])])).toBeLessThan(1e-6);
  });

  it("reduces by mean, sum or not at all", () => {
    const z = tensor([
      [2, 1, 0],
      [0, 0, 0],
    ]);
    const y = labels(0, 1);
    const each = [0.4076059, Math.log(3)];
    expect(Array.from(F.crossEntropy(z, y, { reduction: "none" }).data)).toEqual(each.map((v) => expect.closeTo(v, 6)));
    expect(F.crossEntropy(z, y, { reduction: "sum" }).item()).toBeCloseTo(each[0]! + each[1]!, 6);
    expect(F.crossEntropy(z, y).item()).toBeCloseTo((each[0]! + each[1]!) / 2, 6);
  });

  it("accepts class probabilities; one-hot probabilities give the index loss", () => {
    const z = tensor([
      [2, 1, 0],
      [0.5, -1, 3],
    ]);
    const indexLoss = F.crossEntropy(z, labels(0, 2)).item();
    expect(
      F.crossEntropy(
        z,
        tensor([
          [1, 0, 0],
          [0, 0, 1],
        ]),
      ).item(),
    ).toBeCloseTo(indexLoss, 6);
    // uniform target on uniform logits: log 3
    expect(F.crossEntropy(zeros([1, 3]), tensor([[1 / 3, 1 / 3, 1 / 3]])).item()).toBeCloseTo(Math.log(3), 6);
  });

  it("ignoreIndex skips rows (and leaves them out of the mean); labelSmoothing mixes in the uniform target", () => {
    const z = tensor([
      [2, 1, 0],
      [0, 0, 9],
    ]);
    expect(F.crossEntropy(z, labels(0, -100)).item()).toBeCloseTo(0.4076059, 6);
    // smoothing 0.3 on [2,1,0] with label 0: 0.7·0.4076059 + 0.3·mean(−log p) = 0.7·0.4076059 + 0.3·1.4076059
    expect(F.crossEntropy(tensor([[2, 1, 0]]), labels(0), { labelSmoothing: 0.3 }).item()).toBeCloseTo(
      0.7 * 0.4076059 + 0.3 * 1.4076059,
      6,
    );
  });

  it("unbatched logits [C] with a scalar label", () => {
    expect(F.crossEntropy(tensor([2, 1, 0]), tensor(0, { dtype: "int32" })).item()).toBeCloseTo(0.4076059, 6);
  });

  it("explains wrong labels and shapes", () => {
    expect(() => F.crossEntropy(zeros([2, 3]), labels(0, 3))).toThrow(
      "target 3 is out of range for 3 classes (targets must be 0..2)",
    );
    expect(() => F.crossEntropy(zeros([2, 3]), tensor([0, 1]))).toThrow(
      "targets must be int32 class indices (use labels.int())",
    );
    expect(() => F.crossEntropy(zeros([2, 5, 3]), labels(0, 1))).toThrow(
      "for sequences use input.reshape([-1, 3]) and targets.reshape([-1])",
    );
    expect(() => F.crossEntropy(zeros([2, 3]), labels(0, 1, 2))).toThrow(
      "input [2,3] needs targets of shape [2], got [3]",
    );
    expect(() => F.crossEntropy(zeros([2, 3]), labels(0, 1).reshape([2, 1]))).toThrow(
      "got [2,1] (use targets.reshape([-1]))",
    );
  });
});

describe("NLLLoss", () => {
  it("picks −logProbs at the label", () => {
    const logProbs = tensor([
      [-0.1, -2, -3],
      [-1, -0.5, -4],
    ]);
    expect(new nn.NLLLoss().forward(logProbs, labels(0, 1)).item()).toBeCloseTo((0.1 + 0.5) / 2, 6);
    expect(new nn.NLLLoss({ reduction: "sum" }).forward(logProbs, labels(2, 2)).item()).toBeCloseTo(7, 6);
  });

  it("NLL of logSoftmax equals cross-entropy", () => {
    manualSeed(1);
    const z = randn([5, 4]);
    const y = labels(0, 1, 2, 3, 0);
    expect(F.nllLoss(z.logSoftmax(1), y).item()).toBeCloseTo(F.crossEntropy(z, y).item(), 6);
  });
});

describe("regression losses", () => {
  it("MSE and L1 by hand", () => {
    const yHat = tensor([1, 2, 3]);
    const y = tensor([1, 1, 1]);
    expect(new nn.MSELoss().forward(yHat, y).item()).toBeCloseTo(5 / 3, 6); // (0 + 1 + 4)/3
    expect(new nn.MSELoss({ reduction: "sum" }).forward(yHat, y).item()).toBe(5);
    expect(Array.from(new nn.MSELoss({ reduction: "none" }).forward(yHat, y).data)).toEqual([0, 1, 4]);
    expect(new nn.L1Loss().forward(yHat, y).item()).toBe(1); // (0 + 1 + 2)/3
  });

  it("MSE gradient is 2(ŷ − y)/N", () => {
    const yHat = tensor([1, 2, 3], { requiresGrad: true });
    F.mseLoss(yHat, tensor([1, 1, 1])).backward();
    expect(Array.from(yHat.grad!.data)).toEqual([0, expect.closeTo(2 / 3, 6), expect.closeTo(4 / 3, 6)]);
  });

  it("refuses [N,1] against [N] instead of broadcasting to [N,N]", () => {
    expect(() => new nn.MSELoss().forward(zeros([32, 1]), zeros([32]))).toThrow(
      "mseLoss: input [32,1] and target [32] must have the same shape",
    );
    expect(() => F.mseLoss(zeros([3]), zeros([3]), { reduction: "avg" as "mean" })).toThrow(
      'reduction must be "mean", "sum" or "none"',
    );
  });
});

describe("binary cross-entropy", () => {
  it("with logits by hand", () => {
    // x = 0, y = 1: −log σ(0) = log 2; x = 2, y = 0: −log(1 − σ(2)) = log(1 + e²) = 2.1269280
    expect(new nn.BCEWithLogitsLoss().forward(tensor([0]), tensor([1])).item()).toBeCloseTo(Math.LN2, 6);
    expect(F.binaryCrossEntropyWithLogits(tensor([2]), tensor([0])).item()).toBeCloseTo(2.126928, 6);
    expect(
      F.binaryCrossEntropyWithLogits(tensor([100, -100]), tensor([0, 1]), { reduction: "sum" }).item(),
    ).toBeCloseTo(200, 3);
    expect(new nn.BCEWithLogitsLoss({ posWeight: 2 }).forward(tensor([0]), tensor([1])).item()).toBeCloseTo(
      2 * Math.LN2,
      6,
    );
  });

  it("has gradient σ(x) − y, also at x = 0", () => {
    const x = tensor([0, 0, 3], { requiresGrad: true });
    F.binaryCrossEntropyWithLogits(x, tensor([1, 0, 1]), { reduction: "sum" }).backward();
    const s3 = 1 / (1 + Math.exp(-3));
    expect(Array.from(x.grad!.data)).toEqual([
      expect.closeTo(-0.5, 6),
      expect.closeTo(0.5, 6),
      expect.closeTo(s3 - 1, 6),
    ]);
    manualSeed(2);
    expect(
      gradcheck((z) => F.binaryCrossEntropyWithLogits(z, tensor([[1], [0], [0.3]])), [randn([3, 1])]),
    ).toBeLessThan(1e-6);
  });

  it("on probabilities matches the logits version", () => {
    const x = tensor([-1.5, 0.2, 2]);
    const y = tensor([0, 1, 1]);
    expect(new nn.BCELoss().forward(x.sigmoid(), y).item()).toBeCloseTo(F.binaryCrossEntropyWithLogits(x, y).item(), 5);
  });
});
