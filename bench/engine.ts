// Engine speed next to TensorFlow.js's pure-JS CPU backend, doing the same work in the same
// process: 256×256 matmul GFLOPS, the seed's 4→10→1 MLP training step (batch 32, MSE, Adam),
// one tiny broadcast add and one recorded add of two 1-element tensors (per-op overhead).
// Rounds are interleaved, medians reported.
import type * as TF from "@tensorflow/tfjs-core";
import { manualSeed, nn, noGrad, optim, randn, type Tensor, tensor, zeros } from "../engine/index.js";
import { kernels } from "../engine/kernels/index.js";
import { loadTensorFlow } from "./support/tfjs-reference.js";

export interface BenchRow {
  name: string;
  unit: string;
  tsgrad: number;
  reference: number;
  /** How many times better tsgrad is (>1: tsgrad faster). */
  ratio: number;
}

export interface BenchTable {
  title: string;
  referenceName: string;
  rows: BenchRow[];
}

const ROUNDS = 9;
let tf: typeof TF;

/** Median seconds per call of `fn`, timing `reps` calls per sample. */
function timeOnce(fn: () => void, reps: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9 / reps;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Times two implementations of the same work alternately (noise hits both alike). */
function interleaved(ours: () => void, theirs: () => void, reps: number): [number, number] {
  // Warm up both JITs to their optimised tiers (tiny ops take a few thousand calls).
  for (let i = 0; i < Math.max(3, reps * 10); i++) {
    ours();
    theirs();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(timeOnce(ours, reps));
    b.push(timeOnce(theirs, reps));
  }
  return [median(a), median(b)];
}

function matmulRow(): BenchRow {
  const n = 256;
  manualSeed(0);
  const a = randn([n, n]);
  const b = randn([n, n]);
  const ta = tf.tensor2d(a.data as Float32Array, [n, n]);
  const tb = tf.tensor2d(b.data as Float32Array, [n, n]);
  const [ours, theirs] = interleaved(
    () => {
      a.matmul(b);
    },
    () => {
      const c = tf.matMul(ta, tb);
      c.dataSync();
      c.dispose();
    },
    5,
  );
  ta.dispose();
  tb.dispose();
  const gflops = (t: number): number => (2 * n * n * n) / t / 1e9;
  return {
    name: "matmul 256×256",
    unit: "GFLOPS",
    tsgrad: gflops(ours),
    reference: gflops(theirs),
    ratio: theirs / ours,
  };
}

/** Adam on raw arrays, as optim.Adam computes it (lr 0.01, β 0.9/0.999, ε 1e-8). */
function adamStepper(params: Tensor[], lr = 0.01) {
  const m = params.map((p) => new Float32Array(p.numel()));
  const v = params.map((p) => new Float32Array(p.numel()));
  let t = 0;
  return () => {
    t++;
    const c1 = 1 - 0.9 ** t;
    const c2 = Math.sqrt(1 - 0.999 ** t);
    params.forEach((p, k) => {
      const g = p.grad!.data;
      const mk = m[k]!;
      const vk = v[k]!;
      for (let i = 0; i < p.numel(); i++) {
        mk[i] = 0.9 * mk[i]! + 0.1 * g[i]!;
        vk[i] = 0.999 * vk[i]! + 0.001 * g[i]! * g[i]!;
        p.data[i] = p.data[i]! - (lr * mk[i]!) / c1 / (Math.sqrt(vk[i]!) / c2 + 1e-8);
      }
    });
  };
}

/** The same step in TF.js: variables, tf.train.adam, minimize (TF's own gradients). */
function tfMlpStep(X: Tensor, y: Tensor, w1: Tensor, w2: Tensor): { step: () => void; dispose: () => void } {
  // Copies: TF may keep a typed array it is given, and our optimiser updates ours in place.
  const copy = (t: Tensor): Float32Array => Float32Array.from(t.data);
  const tX = tf.tensor2d(copy(X), [32, 4]);
  const tY = tf.tensor2d(copy(y), [32, 1]);
  const tw1 = tf.variable(tf.tensor2d(copy(w1), [4, 10]));
  const tb1 = tf.variable(tf.zeros([10]));
  const tw2 = tf.variable(tf.tensor2d(copy(w2), [10, 1]));
  const tb2 = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.adam(0.01);
  const step = (): void => {
    const cost = optimizer.minimize(() => {
      const h = tf.relu(tf.add(tf.matMul(tX, tw1), tb1));
      const out = tf.add(tf.matMul(h, tw2), tb2);
      return tf.mean(tf.square(tf.sub(out, tY))) as TF.Scalar;
    }, true);
    cost!.dataSync();
    cost!.dispose();
  };
  return {
    step,
    dispose: () => {
      tf.dispose([tX, tY, tw1, tb1, tw2, tb2]);
      optimizer.dispose();
    },
  };
}

/** The seed model as a student writes it: nn.Sequential, nn.MSELoss, optim.Adam. */
function seedModelRow(): BenchRow {
  manualSeed(0);
  const X = randn([32, 4]);
  const y = X.matmul(tensor([[1], [-2], [3], [0.5]])).add(0.1);
  const model = new nn.Sequential(new nn.Linear(4, 10), new nn.ReLU(), new nn.Linear(10, 1));
  const criterion = new nn.MSELoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const ourStep = (): void => {
    const loss = criterion.forward(model.forward(X), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  };
  const reference = tfMlpStep(X, y, randn([4, 10]), randn([10, 1]));
  const [ours, theirs] = interleaved(ourStep, reference.step, 200);
  reference.dispose();
  return {
    name: "  same via nn.Sequential + nn.MSELoss + optim.Adam",
    unit: "µs/step",
    tsgrad: ours * 1e6,
    reference: theirs * 1e6,
    ratio: theirs / ours,
  };
}

function mlpRow(): BenchRow {
  manualSeed(0);
  const X = randn([32, 4]);
  const y = X.matmul(tensor([[1], [-2], [3], [0.5]])).add(0.1);
  const w1 = randn([4, 10]).mul(0.5);
  const b1 = zeros([10]);
  const w2 = randn([10, 1]).mul(0.3);
  const b2 = zeros([1]);
  const params = [w1, b1, w2, b2];
  params.forEach((p) => {
    p.requiresGrad = true;
  });
  const adam = adamStepper(params);
  const ourStep = (): void => {
    const loss = X.matmul(w1).add(b1).relu().matmul(w2).add(b2).sub(y).pow(2).mean();
    params.forEach((p) => p.zeroGrad());
    loss.backward();
    noGrad(adam);
  };

  const reference = tfMlpStep(X, y, w1, w2);
  const [ours, theirs] = interleaved(ourStep, reference.step, 200);
  reference.dispose();
  return {
    name: "MLP 4→10→1 step (batch 32, MSE, Adam; ops)",
    unit: "µs/step",
    tsgrad: ours * 1e6,
    reference: theirs * 1e6,
    ratio: theirs / ours,
  };
}

function tinyOpRow(): BenchRow {
  manualSeed(0);
  const a = randn([32, 10]);
  const b = randn([10]);
  const ta = tf.tensor2d(a.data as Float32Array, [32, 10]);
  const tb = tf.tensor1d(b.data as Float32Array);
  const [ours, theirs] = interleaved(
    () => {
      a.add(b);
    },
    () => {
      tf.add(ta, tb).dispose();
    },
    2000,
  );
  tf.dispose([ta, tb]);
  return {
    name: "add [32,10] + [10] (per-op overhead)",
    unit: "µs/op",
    tsgrad: ours * 1e6,
    reference: theirs * 1e6,
    ratio: theirs / ours,
  };
}

/**
 * The per-op row: one add of two 1-element tensors, ours recorded for autograd (a needs
 * a gradient, so the output carries its graph node). TF.js records only inside a gradient tape,
 * so its side is the plain `tf.add` a student would call, disposed.
 */
function scalarAddRow(): BenchRow {
  manualSeed(0);
  const a = randn([1]);
  const b = randn([1]);
  a.requiresGrad = true;
  const ta = tf.tensor1d(a.data as Float32Array);
  const tb = tf.tensor1d(b.data as Float32Array);
  const [ours, theirs] = interleaved(
    () => {
      a.add(b);
    },
    () => {
      tf.add(ta, tb).dispose();
    },
    20000,
  );
  tf.dispose([ta, tb]);
  return {
    name: "add of two 1-element tensors, with autograd recording",
    unit: "µs/op",
    tsgrad: ours * 1e6,
    reference: theirs * 1e6,
    ratio: theirs / ours,
  };
}

/** Runs the engine benchmarks. */
export async function bench(): Promise<BenchTable> {
  tf = await loadTensorFlow();
  return {
    title: `engine (tensors, autograd; kernels: ${kernels.name})`,
    referenceName: "tfjs-cpu",
    rows: [matmulRow(), mlpRow(), seedModelRow(), tinyOpRow(), scalarAddRow()],
  };
}
