// Datasets, loaders, splitting and scaling, and the built-in data.
import { describe, expect, it } from "vitest";
import { arange, data, manualSeed, type Tensor, tensor } from "../../engine/index.js";

/** A dataset whose row i holds [i, 10·i] and label i, so a batch shows which rows it took. */
function numbered(n: number): data.TensorDataset<[Tensor, Tensor]> {
  const x = tensor(Array.from({ length: n }, (_, i) => [i, 10 * i]));
  return new data.TensorDataset(x, arange(n, { dtype: "int32" }));
}

describe("DataLoader", () => {
  it("visits every sample exactly once per epoch, shuffled, rows kept together", () => {
    manualSeed(0);
    const loader = new data.DataLoader(numbered(10), { batchSize: 3, shuffle: true });
    expect(loader.length).toBe(4);
    const epochs: number[][] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen: number[] = [];
      const sizes: number[] = [];
      for (const [features, labels] of loader) {
        sizes.push(labels.shape[0]!);
        expect(features.shape).toEqual([labels.shape[0], 2]);
        const f = features.toArray() as number[][];
        Array.from(labels.data).forEach((label, r) => expect(f[r]).toEqual([label, 10 * label]));
        seen.push(...Array.from(labels.data));
      }
      expect(sizes).toEqual([3, 3, 3, 1]);
      expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      epochs.push(seen);
    }
    expect(epochs[1]).not.toEqual(epochs[0]); // a new order each epoch
    expect(epochs[0]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("repeats the same order under the same seed", () => {
    const order = (): number[] => {
      manualSeed(42);
      return [...new data.DataLoader(numbered(20), { batchSize: 4, shuffle: true })].flatMap(([, y]) =>
        Array.from(y.data),
      );
    };
    expect(order()).toEqual(order());
  });

  it("keeps order without shuffle and drops a short last batch with dropLast", () => {
    const loader = new data.DataLoader(numbered(7), { batchSize: 3, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map(([, y]) => Array.from(y.data))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it("batches any dataset with length and get(i)", () => {
    const squares: data.Dataset<[Tensor, Tensor]> = {
      length: 5,
      get: (i) => [tensor([i]), tensor([i * i])],
    };
    const batches = [...new data.DataLoader(squares, { batchSize: 2 })];
    expect(batches.map(([x, y]) => [x.shape, Array.from(y.data)])).toEqual([
      [
        [2, 1],
        [0, 1],
      ],
      [
        [2, 1],
        [4, 9],
      ],
      [[1, 1], [16]],
    ]);
  });

  it("validates its inputs", () => {
    expect(() => new data.TensorDataset(tensor([[1], [2]]), tensor([1, 2, 3]))).toThrow(
      "all tensors need the same number of rows; got shapes [2,1], [3]",
    );
    expect(() => new data.DataLoader(numbered(3), { batchSize: 0 })).toThrow("batchSize must be a positive integer");
    const [x0, y0] = numbered(3).get(2);
    expect([Array.from(x0.data), y0.item()]).toEqual([[2, 20], 2]);
  });
});

describe("trainTestSplit and standardize", () => {
  it("splits rows into disjoint parts that cover the data", () => {
    manualSeed(0);
    const ds = numbered(10);
    const [xTrain, xTest, yTrain, yTest] = data.trainTestSplit(ds.tensors, { testSize: 0.2 });
    expect([xTrain!.shape, xTest!.shape, yTrain!.shape, yTest!.shape]).toEqual([[8, 2], [2, 2], [8], [2]]);
    const all = [...Array.from(yTrain!.data), ...Array.from(yTest!.data)].sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((xTest!.toArray() as number[][]).map((r) => r[0])).toEqual(Array.from(yTest!.data));
  });

  it("stratified splits keep each class's share", () => {
    manualSeed(0);
    const { x, y } = data.iris();
    const [, , yTrain, yTest] = data.trainTestSplit([x, y], { testSize: 0.2, stratify: y });
    const count = (t: Tensor, c: number): number => Array.from(t.data).filter((v) => v === c).length;
    expect([0, 1, 2].map((c) => count(yTest!, c))).toEqual([10, 10, 10]);
    expect([0, 1, 2].map((c) => count(yTrain!, c))).toEqual([40, 40, 40]);
  });

  it("standardize gives columns mean 0 and (population) std 1; the fitted scaler reuses train statistics", () => {
    const x = tensor([
      [1, 10],
      [2, 10],
      [3, 10],
    ]);
    const scaler = data.fitStandardizer(x);
    expect(Array.from(scaler.mean.data)).toEqual([2, 10]);
    expect(scaler.std.data[0]).toBeCloseTo(Math.sqrt(2 / 3), 6);
    expect(scaler.std.data[1]).toBe(1); // a constant column is left at 0, not divided by 0
    const s = data.standardize(x).toArray() as number[][];
    expect(s.map((r) => r[0])).toEqual([expect.closeTo(-1.224745, 5), 0, expect.closeTo(1.224745, 5)]);
    expect(s.map((r) => r[1])).toEqual([0, 0, 0]);
    expect(Array.from(scaler.transform(tensor([[4, 10]])).data)).toEqual([expect.closeTo(2.44949, 5), 0]);
    expect(Array.from(scaler.inverse(scaler.transform(tensor([[4, 12]]))).data)).toEqual([
      expect.closeTo(4, 5),
      expect.closeTo(12, 5),
    ]);
  });
});

describe("built-in datasets", () => {
  it("Iris is Fisher's data: 150×4, 50 per species, the known column means", () => {
    const { x, y, classNames, featureNames } = data.iris();
    expect(x.shape).toEqual([150, 4]);
    expect(classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(featureNames[2]).toBe("petal length (cm)");
    expect([0, 1, 2].map((c) => Array.from(y.data).filter((v) => v === c).length)).toEqual([50, 50, 50]);
    // Column means of Fisher's data (R: colMeans(iris[,1:4])): 5.843333 3.057333 3.758000 1.199333
    expect(Array.from(x.double().mean(0).data)).toEqual(
      [5.843333, 3.057333, 3.758, 1.199333].map((v) => expect.closeTo(v, 5)),
    );
    // Per-species means (R: aggregate(. ~ Species, iris, mean)), e.g. setosa 5.006 3.428 1.462 0.246
    const rows = x.toArray() as number[][];
    const speciesMean = (c: number): number[] =>
      [0, 1, 2, 3].map((j) => rows.slice(50 * c, 50 * c + 50).reduce((s, r) => s + r[j]!, 0) / 50);
    expect(speciesMean(0)).toEqual([5.006, 3.428, 1.462, 0.246].map((v) => expect.closeTo(v, 5)));
    expect(speciesMean(1)).toEqual([5.936, 2.77, 4.26, 1.326].map((v) => expect.closeTo(v, 5)));
    expect(speciesMean(2)).toEqual([6.588, 2.974, 5.552, 2.026].map((v) => expect.closeTo(v, 5)));
    // Sample standard deviations (R: sapply(iris[,1:4], sd)): 0.8280661 0.4358663 1.7652982 0.7622377
    expect(Array.from(x.double().std(0).data)).toEqual(
      [0.8280661, 0.4358663, 1.7652982, 0.7622377].map((v) => expect.closeTo(v, 5)),
    );
  });

  it("moons: two half circles, balanced, shuffled, seeded", () => {
    manualSeed(0);
    const a = data.moons({ n: 100, noise: 0 });
    expect(a.x.shape).toEqual([100, 2]);
    expect(Array.from(a.y.data).filter((v) => v === 1).length).toBe(50);
    const pts = a.x.toArray() as number[][];
    Array.from(a.y.data).forEach((label, i) => {
      const [u, v] = pts[i]!;
      // upper moon on the unit circle around (0,0); lower moon on the unit circle around (1, 0.5)
      const r = label === 0 ? Math.hypot(u!, v!) : Math.hypot(u! - 1, v! - 0.5);
      expect(r).toBeCloseTo(1, 5);
    });
    manualSeed(0);
    expect(data.moons({ n: 100, noise: 0 }).x.toArray()).toEqual(a.x.toArray());
  });

  it("spirals, XOR and regression generators", () => {
    manualSeed(0);
    const s = data.spirals({ n: 50, classes: 3 });
    expect([s.x.shape, s.y.shape, new Set(s.y.data).size]).toEqual([[150, 2], [150], 3]);
    const xor = data.xor();
    expect([xor.x.toArray(), xor.y.toArray()]).toEqual([
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      [[0], [1], [1], [0]],
    ]);
    expect(data.xor({ n: 64 }).x.shape).toEqual([64, 2]);
    const lin = data.linearRegression({ n: 20, weights: [2, -3], bias: 1, noise: 0 });
    (lin.x.toArray() as number[][]).forEach(([a, b], i) => expect(lin.y.data[i]).toBeCloseTo(2 * a! - 3 * b! + 1, 5));
    const poly = data.polynomialRegression({ n: 20, coefficients: [1, 0, -2], noise: 0, range: [-2, 2] });
    Array.from(poly.x.data).forEach((v, i) => {
      expect(Math.abs(v)).toBeLessThanOrEqual(2);
      expect(poly.y.data[i]).toBeCloseTo(1 - 2 * v * v, 5);
    });
  });

  it("the sonnets corpus, its character vocabulary and next-character windows", () => {
    const text = data.sonnets();
    expect(text.startsWith("From fairest creatures we desire increase,")).toBe(true);
    expect(text.length).toBeGreaterThan(6000);
    const vocab = new data.CharVocab(text);
    expect(vocab.decode(vocab.encode("Shall I compare thee to a summer's day?"))).toBe(
      "Shall I compare thee to a summer's day?",
    );
    expect(vocab.chars).toContain("\n");
    // "abcdef" in windows of 2: ab→bc, bc→cd, cd→de, de→ef
    const ds = data.nextCharDataset(vocab.encode("abcdef"), 2);
    expect(ds.length).toBe(4);
    const [input, target] = ds.get(1);
    expect([vocab.decode(input), vocab.decode(target)]).toEqual(["bc", "cd"]);
  });
});

describe("trainTestSplit's scikit-learn form", () => {
  it("takes (x, y, options) as well as ([x, y], options)", () => {
    const ds = numbered(10);
    manualSeed(3);
    const a = data.trainTestSplit(ds.tensors[0], ds.tensors[1], { testSize: 3 });
    manualSeed(3);
    const b = data.trainTestSplit([ds.tensors[0], ds.tensors[1]], { testSize: 3 });
    expect(a.map((t) => t.shape)).toEqual([[7, 2], [3, 2], [7], [3]]);
    expect(a.map((t) => t.toArray())).toEqual(b.map((t) => t.toArray()));
  });
});

describe("printing datasets and loaders", () => {
  it("describes them in one line instead of dumping tensors", () => {
    const ds = numbered(10);
    expect(String(ds)).toBe("TensorDataset(10 samples: [10,2] float32, [10] int32)");
    expect(String(new data.DataLoader(ds, { batchSize: 4, shuffle: true }))).toBe(
      "DataLoader(10 samples in 3 batches of 4, shuffled)",
    );
  });
});
