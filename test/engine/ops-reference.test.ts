// Forward values against an independent implementation: TensorFlow.js's CPU backend (a dev
// dependency, also the benchmark reference), over random shapes with broadcasting.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, test } from "vitest";
import { concat, manualSeed, RandomGenerator, randn, stack, type Tensor, where } from "../../engine/index.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const toTf = (t: Tensor): tf.Tensor =>
  tf.tensor(Float32Array.from(t.data), t.shape, t.dtype === "int32" ? "int32" : "float32");

function expectSame(ours: Tensor, theirs: tf.Tensor): void {
  expect(ours.shape).toEqual(theirs.shape);
  const expected = theirs.dataSync();
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = ours.data[i]!;
    if (Number.isNaN(e)) expect(a).toBeNaN();
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e)));
  }
  theirs.dispose();
}

/** Two shapes that broadcast: random rank ≤ 4, some sizes replaced by 1, some leading dims dropped. */
function broadcastPair(gen: RandomGenerator, maxRank = 4): [number[], number[]] {
  const rank = gen.int(1, maxRank + 1);
  const full = Array.from({ length: rank }, () => gen.int(1, 5));
  const thin = (s: number[]): number[] => s.map((d) => (gen.random() < 0.3 ? 1 : d)).slice(gen.int(0, rank));
  return [thin(full), thin(full)];
}

const gen = new RandomGenerator(2024);
const TRIALS = 25;

describe("broadcasting binary ops match tfjs", () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ["add", (a, b) => a.add(b), tf.add],
    ["sub", (a, b) => a.sub(b), tf.sub],
    ["mul", (a, b) => a.mul(b), tf.mul],
    ["div", (a, b) => a.div(b), tf.div],
    ["maximum", (a, b) => a.maximum(b), tf.maximum],
    ["minimum", (a, b) => a.minimum(b), tf.minimum],
    ["pow (positive base)", (a, b) => a.abs().add(0.1).pow(b), (a, b) => tf.pow(tf.add(tf.abs(a), 0.1), b)],
  ];
  test.each(ops)("%s", (_name, ours, theirs) => {
    manualSeed(1);
    for (let trial = 0; trial < TRIALS; trial++) {
      const [sa, sb] = broadcastPair(gen);
      const a = randn(sa);
      const b = randn(sb);
      expectSame(ours(a, b), theirs(toTf(a), toTf(b)));
    }
  });
  test("where with a broadcast condition", () => {
    manualSeed(2);
    for (let trial = 0; trial < TRIALS; trial++) {
      const [sa, sb] = broadcastPair(gen);
      const a = randn(sa);
      const b = randn(sb);
      const shape = tf.broadcastTo(
        toTf(a),
        tf.broadcastArgs(tf.tensor1d(sa, "int32"), tf.tensor1d(sb, "int32")).arraySync() as number[],
      ).shape;
      const cond = randn(shape).gt(0);
      const expected = tf.where(
        tf.cast(toTf(cond), "bool"),
        tf.broadcastTo(toTf(a), shape),
        tf.broadcastTo(toTf(b), shape),
      );
      expectSame(where(cond, a, b), expected);
    }
  });
});

describe("unary ops match tfjs", () => {
  const ops: [string, (a: Tensor) => Tensor, (a: tf.Tensor) => tf.Tensor][] = [
    ["exp", (a) => a.exp(), tf.exp],
    ["log of |x|", (a) => a.abs().log(), (a) => tf.log(tf.abs(a))],
    ["sqrt of |x|", (a) => a.abs().sqrt(), (a) => tf.sqrt(tf.abs(a))],
    ["tanh", (a) => a.tanh(), tf.tanh],
    ["sigmoid", (a) => a.mul(10).sigmoid(), (a) => tf.sigmoid(tf.mul(a, 10))],
    ["relu", (a) => a.relu(), tf.relu],
    ["leakyRelu", (a) => a.leakyRelu(0.2), (a) => tf.leakyRelu(a, 0.2)],
    ["clamp", (a) => a.clamp(-0.5, 0.7), (a) => tf.clipByValue(a, -0.5, 0.7)],
    ["softmax (last axis)", (a) => a.softmax(-1), (a) => tf.softmax(a)],
    ["logSoftmax (last axis)", (a) => a.mul(20).logSoftmax(-1), (a) => tf.logSoftmax(tf.mul(a, 20))],
  ];
  test.each(ops)("%s", (_name, ours, theirs) => {
    manualSeed(3);
    for (let trial = 0; trial < TRIALS; trial++) {
      const a = randn(broadcastPair(gen)[0]);
      expectSame(ours(a), theirs(toTf(a)));
    }
  });
});

describe("reductions over random axes match tfjs", () => {
  test("sum, mean, max, min, argmax, var (biased), keepDim", () => {
    manualSeed(4);
    for (let trial = 0; trial < TRIALS; trial++) {
      const shape = Array.from({ length: gen.int(1, 5) }, () => gen.int(1, 5));
      const x = randn(shape);
      const axis = gen.int(-shape.length, shape.length);
      const keep = gen.random() < 0.5;
      const tx = toTf(x);
      expectSame(x.sum(axis, keep), tf.sum(tx, axis, keep));
      expectSame(x.mean(axis, keep), tf.mean(tx, axis, keep));
      expectSame(x.max(axis, keep), tf.max(tx, axis, keep));
      expectSame(x.min(axis, keep), tf.min(tx, axis, keep));
      expectSame(x.argmax(axis), tf.argMax(tx, axis));
      expectSame(x.var(axis, keep, false), tf.moments(tx, axis, keep).variance);
      expectSame(x.sum(), tf.sum(tx));
    }
  });
});

describe("matmul and layout ops match tfjs", () => {
  test("batched matmul with broadcast batch dims", () => {
    manualSeed(5);
    for (let trial = 0; trial < TRIALS; trial++) {
      const [m, k, n] = [gen.int(1, 6), gen.int(1, 6), gen.int(1, 6)];
      const [ba, bb] = broadcastPair(gen, 2);
      const a = randn([...ba!, m, k]);
      const b = randn([...bb!, k, n]);
      // tfjs's batchMatMul mis-broadcasts [2,1,…] against [1,3,…], so both sides are
      // materialised at the full batch shape (tf.broadcastTo) before its matMul.
      const batch = tf
        .broadcastArgs(tf.tensor1d(ba!.length ? ba! : [1], "int32"), tf.tensor1d(bb!.length ? bb! : [1], "int32"))
        .arraySync() as number[];
      const full = (t: Tensor, rows: number, cols: number): tf.Tensor =>
        tf.broadcastTo(toTf(t), [...batch, rows, cols]);
      const expected = tf.matMul(full(a, m, k), full(b, k, n));
      const ours = a.matmul(b);
      expectSame(ours.reshape(expected.shape), expected);
      expect(ours.shape.slice(-2)).toEqual([m, n]);
    }
  });
  test("permute, concat, stack, indexSelect, slice", () => {
    manualSeed(6);
    for (let trial = 0; trial < TRIALS; trial++) {
      const shape = Array.from({ length: gen.int(1, 5) }, () => gen.int(1, 5));
      const x = randn(shape);
      const tx = toTf(x);
      const perm = gen.permutation(shape.length);
      expectSame(x.permute(perm), tf.transpose(tx, perm));
      const axis = gen.int(0, shape.length);
      const y = randn(shape);
      expectSame(concat([x, y], axis), tf.concat([tx, toTf(y)], axis));
      expectSame(stack([x, y], axis), tf.stack([tx, toTf(y)], axis));
      const picks = Array.from({ length: 3 }, () => gen.int(0, shape[axis]!));
      expectSame(x.indexSelect(axis, picks), tf.gather(tx, tf.tensor1d(picks, "int32"), axis));
      const start = gen.int(0, shape[axis]!);
      const end = gen.int(start, shape[axis]! + 1);
      const begin = shape.map((_, i) => (i === axis ? start : 0));
      const size = shape.map((d, i) => (i === axis ? end - start : d));
      expectSame(x.slice(axis, start, end), tf.slice(tx, begin, size));
    }
  });
});
