// trainTestSplit: hold out part of the data to measure generalisation, as scikit-learn's
// train_test_split: shuffled (seeded) by default, and stratified on request so every class
// keeps its share in both parts.

import { randomGenerator } from "../random.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { takeRows } from "./dataset.js";

/** Options of `trainTestSplit`. */
export interface SplitOptions {
  /** The test part: a fraction in (0, 1) or a number of rows. Default 0.25. */
  testSize?: number;
  /** Shuffle before splitting (default true; seeded by manualSeed). */
  shuffle?: boolean;
  /** int32 labels [n]: split each class in the same proportion. */
  stratify?: Tensor;
}

/**
 * Splits tensors with the same rows into train and test parts: [aTrain, aTest, bTrain, bTest, …].
 * Example: `const [xTrain, xTest, yTrain, yTest] = data.trainTestSplit(x, y, { testSize: 0.2 })`
 */
export function trainTestSplit(...args: [Tensor[], SplitOptions?] | [Tensor, ...(Tensor | SplitOptions)[]]): Tensor[] {
  const [tensors, options] = splitArguments(args);
  const { testSize = 0.25, shuffle = true, stratify } = options;
  if (tensors.length === 0) throw new Error("trainTestSplit: give at least one tensor, e.g. trainTestSplit([x, y])");
  const n = tensors[0]!.shape[0] ?? 0;
  if (tensors.some((t) => t.shape[0] !== n)) {
    throw new Error(
      `trainTestSplit: all tensors need the same number of rows; got shapes ${tensors.map((t) => formatShape(t.shape)).join(", ")}`,
    );
  }
  const nTest = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!(Number.isInteger(nTest) && nTest > 0 && nTest < n)) {
    throw new RangeError(`trainTestSplit: testSize ${testSize} leaves no rows on one side of ${n}`);
  }
  const gen = randomGenerator();
  const order = shuffle ? gen.permutation(n) : Array.from({ length: n }, (_, i) => i);
  let testRows: number[];
  let trainRows: number[];
  if (stratify === undefined) {
    trainRows = order.slice(0, n - nTest);
    testRows = order.slice(n - nTest);
  } else {
    [trainRows, testRows] = stratifiedRows(order, stratify, nTest / n);
  }
  return tensors.flatMap((t) => [takeRows(t, trainRows), takeRows(t, testRows)]);
}

/** Accepts `([x, y], options)` as well as `(x, y, options)`, scikit-learn's form. */
function splitArguments(args: readonly (Tensor | Tensor[] | SplitOptions | undefined)[]): [Tensor[], SplitOptions] {
  if (Array.isArray(args[0])) return [args[0], (args[1] as SplitOptions | undefined) ?? {}];
  const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
  const options = args.find((a) => a !== undefined && !(a instanceof Tensor)) as SplitOptions | undefined;
  return [tensors, options ?? {}];
}

/** Per class, the last round(share·count) rows of `order` go to test. */
function stratifiedRows(order: number[], labels: Tensor, share: number): [number[], number[]] {
  if (labels.numel() !== order.length)
    throw new Error(
      `trainTestSplit: stratify needs one label per row (${order.length}), got shape ${formatShape(labels.shape)}`,
    );
  const byClass = new Map<number, number[]>();
  for (const row of order) {
    const label = labels.data[row]!;
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(row);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r)) {
    const k = Math.round(share * rows.length);
    train.push(...rows.slice(0, rows.length - k));
    test.push(...rows.slice(rows.length - k));
  }
  return [train, test];
}
