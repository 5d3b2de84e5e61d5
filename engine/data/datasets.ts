// Small datasets that ship with the engine (no downloads): Fisher's Iris, and generators for
// two moons, spirals, XOR and noisy regression. Generators draw from the engine's seeded
// generator, so `manualSeed(0)` makes them repeat. Class labels are int32 (for crossEntropy);
// features are float32 [n, features].

import { randomGenerator } from "../random.js";
import { Tensor } from "../tensor.js";
import { IRIS_CLASS_NAMES, IRIS_FEATURE_NAMES, IRIS_ROWS } from "./iris-data.js";

/** A labelled dataset: features x [n, d], targets y, and names for charts and tables. */
export interface LabelledData {
  x: Tensor;
  y: Tensor;
  featureNames: string[];
  classNames?: string[];
}

/**
 * Fisher's Iris flowers: x [150, 4] (sepal length, sepal width, petal length, petal width in cm),
 * y [150] int32 species 0 setosa, 1 versicolor, 2 virginica.
 * Example: `const { x, y, classNames } = data.iris()`
 */
export function iris(): LabelledData {
  const x = Tensor.zeros([IRIS_ROWS.length, 4]);
  IRIS_ROWS.forEach((row, i) => x.data.set(row, i * 4));
  const y = Tensor.zeros([IRIS_ROWS.length], "int32");
  for (let i = 0; i < IRIS_ROWS.length; i++) y.data[i] = Math.floor(i / 50);
  return { x, y, featureNames: [...IRIS_FEATURE_NAMES], classNames: [...IRIS_CLASS_NAMES] };
}

/**
 * Two interleaving half circles (scikit-learn's make_moons), shuffled: x [n, 2], y [n] int32 0/1.
 * Example: `const { x, y } = data.moons({ n: 200, noise: 0.1 })`
 */
export function moons({ n = 100, noise = 0.1 }: { n?: number; noise?: number } = {}): LabelledData {
  checkCount("moons", n);
  const outer = Math.floor(n / 2);
  const inner = n - outer;
  const points: [number, number, number][] = [];
  for (let i = 0; i < outer; i++) {
    const t = outer === 1 ? 0 : (Math.PI * i) / (outer - 1);
    points.push([Math.cos(t), Math.sin(t), 0]);
  }
  for (let i = 0; i < inner; i++) {
    const t = inner === 1 ? 0 : (Math.PI * i) / (inner - 1);
    points.push([1 - Math.cos(t), 0.5 - Math.sin(t), 1]);
  }
  return shuffledPoints(points, noise, ["x1", "x2"], ["upper moon", "lower moon"]);
}

/**
 * Interleaved spiral arms, one class per arm (CS231n's example of data no linear model separates):
 * x [n·classes, 2], y int32. Example: `const { x, y } = data.spirals({ n: 100, classes: 3 })`
 */
export function spirals({
  n = 100,
  classes = 3,
  noise = 0.2,
}: {
  n?: number;
  classes?: number;
  noise?: number;
} = {}): LabelledData {
  checkCount("spirals", n);
  checkCount("spirals", classes);
  const gen = randomGenerator();
  const points: [number, number, number][] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < n; i++) {
      const r = n === 1 ? 0 : i / (n - 1);
      const theta = c * 4 + (4 * i) / Math.max(n - 1, 1) + gen.normal(0, noise);
      points.push([r * Math.sin(theta), r * Math.cos(theta), c]);
    }
  }
  return shuffledPoints(
    points,
    0,
    ["x1", "x2"],
    Array.from({ length: classes }, (_, c) => `arm ${c}`),
  );
}

/**
 * XOR. With no options, the four corners of the truth table: x [[0,0],[0,1],[1,0],[1,1]], y
 * [[0],[1],[1],[0]] (float32, for MSE or BCE). With `n`, that many noisy points around the
 * corners. Example: `const { x, y } = data.xor()`
 */
export function xor({ n, noise = 0.1 }: { n?: number; noise?: number } = {}): LabelledData {
  const corners: [number, number][] = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const gen = randomGenerator();
  const count = n ?? 4;
  checkCount("xor", count);
  const x = Tensor.zeros([count, 2]);
  const y = Tensor.zeros([count, 1]);
  for (let i = 0; i < count; i++) {
    const [a, b] = n === undefined ? corners[i]! : corners[gen.int(0, 4)]!;
    x.data[2 * i] = n === undefined ? a : a + gen.normal(0, noise);
    x.data[2 * i + 1] = n === undefined ? b : b + gen.normal(0, noise);
    y.data[i] = a ^ b;
  }
  return { x, y, featureNames: ["a", "b"], classNames: ["0", "1"] };
}

/**
 * Noisy linear data y = x·w + b + ε with x ~ N(0, 1): x [n, w.length], y [n, 1].
 * Example: `const { x, y } = data.linearRegression({ n: 100, weights: [2, -3], bias: 1, noise: 0.1 })`
 */
export function linearRegression({
  n = 100,
  weights = [2],
  bias = 0,
  noise = 0.1,
}: {
  n?: number;
  weights?: number[];
  bias?: number;
  noise?: number;
} = {}): LabelledData {
  checkCount("linearRegression", n);
  const d = weights.length;
  const gen = randomGenerator();
  const x = Tensor.zeros([n, d]);
  const y = Tensor.zeros([n, 1]);
  for (let i = 0; i < n; i++) {
    let target = bias;
    for (let j = 0; j < d; j++) {
      const v = gen.normal();
      x.data[i * d + j] = v;
      target += weights[j]! * v;
    }
    y.data[i] = target + gen.normal(0, noise);
  }
  return { x, y, featureNames: weights.map((_, j) => `x${j + 1}`) };
}

/**
 * Noisy polynomial data y = c₀ + c₁x + c₂x² + … + ε, x uniform in `range`: x [n, 1], y [n, 1].
 * Example: `const { x, y } = data.polynomialRegression({ coefficients: [1, 0, -2], noise: 0.05 })`
 */
export function polynomialRegression({
  n = 100,
  coefficients = [0, 1, 1],
  noise = 0.1,
  range = [-1, 1],
}: {
  n?: number;
  coefficients?: number[];
  noise?: number;
  range?: [number, number];
} = {}): LabelledData {
  checkCount("polynomialRegression", n);
  const gen = randomGenerator();
  const x = Tensor.zeros([n, 1]);
  const y = Tensor.zeros([n, 1]);
  for (let i = 0; i < n; i++) {
    const v = gen.uniform(range[0], range[1]);
    let target = 0;
    for (let k = coefficients.length - 1; k >= 0; k--) target = target * v + coefficients[k]!; // Horner
    x.data[i] = v;
    y.data[i] = target + gen.normal(0, noise);
  }
  return { x, y, featureNames: ["x"] };
}

/** Points [a, b, label] → a shuffled LabelledData, with Gaussian noise on the coordinates. */
function shuffledPoints(
  points: [number, number, number][],
  noise: number,
  featureNames: string[],
  classNames: string[],
): LabelledData {
  const gen = randomGenerator();
  const order = gen.permutation(points.length);
  const x = Tensor.zeros([points.length, 2]);
  const y = Tensor.zeros([points.length], "int32");
  order.forEach((from, i) => {
    const [a, b, label] = points[from]!;
    x.data[2 * i] = noise > 0 ? a + gen.normal(0, noise) : a;
    x.data[2 * i + 1] = noise > 0 ? b + gen.normal(0, noise) : b;
    y.data[i] = label;
  });
  return { x, y, featureNames, classNames };
}

function checkCount(name: string, n: number): void {
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`${name}: counts must be positive integers, got ${n}`);
}
