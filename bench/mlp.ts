// One training step of the MNIST-sized MLP 784→256→10 (batch 128, softmax cross-entropy, Adam)
// as a student writes it (nn.Sequential, nn.CrossEntropyLoss, optim.Adam), on our WebAssembly
// kernels and on the TypeScript ones, next to the same step in TF.js on its WebAssembly (XNNPACK,
// one thread) and pure-JS CPU backends, all interleaved in this run.
// TF.js is imported only when a TF.js step is built, so bench/memory.ts can measure our step in
// a process that never loaded it.
import type * as TF from "@tensorflow/tfjs-core";
import { manualSeed, nn, optim, randint, randn, type Tensor } from "../engine/index.js";
import { jsKernels, type Kernels, kernels, setKernels, simdKernels } from "../engine/kernels/index.js";
import type { BenchRow, BenchTable } from "./engine.js";
import { type Contestant, timeInterleaved } from "./support/timing.js";

const BATCH = 128;
const IN = 784;
const HIDDEN = 256;
const CLASSES = 10;

/** The batch every contestant trains on: X [128, 784] and int32 labels [128]. */
export function mlpBatch(): { X: Tensor; labels: Tensor } {
  manualSeed(0);
  return { X: randn([BATCH, IN]), labels: randint(0, CLASSES, [BATCH], { dtype: "int32" }) };
}

/** Our step as a student writes it: nn.Sequential, nn.CrossEntropyLoss, optim.Adam. */
export function ourStep(X: Tensor, labels: Tensor): () => void {
  manualSeed(1);
  const model = new nn.Sequential(new nn.Linear(IN, HIDDEN), new nn.ReLU(), new nn.Linear(HIDDEN, CLASSES));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  return () => {
    const loss = criterion.forward(model.forward(X), labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  };
}

/** TF.js with its CPU and single-threaded WebAssembly backends (loaded on first use). */
export async function loadTensorFlow(): Promise<typeof TF> {
  return (await import("./support/tfjs-wasm.js")).loadTensorFlowWasm();
}

async function useBackend(tf: typeof TF, backend: "cpu" | "wasm"): Promise<void> {
  await (await import("./support/tfjs-wasm.js")).useBackend(tf, backend);
}

/** The same step in TF.js on `backend` (variables made there): tf.train.adam minimising softmax CE. */
export async function tfStep(tf: typeof TF, backend: "cpu" | "wasm", X: Tensor, labels: Tensor): Promise<() => void> {
  await useBackend(tf, backend);
  const x = tf.tensor2d(Float32Array.from(X.data), [BATCH, IN]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(labels.data), "int32"), CLASSES);
  const w1 = tf.variable(tf.randomNormal([IN, HIDDEN], 0, Math.sqrt(1 / IN)));
  const b1 = tf.variable(tf.zeros([HIDDEN]));
  const w2 = tf.variable(tf.randomNormal([HIDDEN, CLASSES], 0, Math.sqrt(1 / HIDDEN)));
  const b2 = tf.variable(tf.zeros([CLASSES]));
  const optimizer = tf.train.adam(1e-3);
  return () => {
    const cost = optimizer.minimize(() => {
      const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
      return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h, w2), b2)) as TF.Scalar;
    }, true);
    cost!.dataSync();
    cost!.dispose();
  };
}

const withKernels = (k: Kernels) => async (): Promise<void> => {
  setKernels(k);
};

/** Runs the MLP benchmark. */
export async function bench(): Promise<BenchTable> {
  const tf = await loadTensorFlow();
  const active = kernels;
  const { X, labels } = mlpBatch();
  const contestants: Contestant[] = [
    { name: "wasm", before: withKernels(simdKernels), run: ourStep(X, labels) },
    { name: "js", before: withKernels(jsKernels), run: ourStep(X, labels) },
    { name: "tf-wasm", before: () => useBackend(tf, "wasm"), run: await tfStep(tf, "wasm", X, labels) },
    { name: "tf-cpu", before: () => useBackend(tf, "cpu"), run: await tfStep(tf, "cpu", X, labels) },
  ];
  // A second of warm-up each and ~0.1 s timing blocks: with two warm-up steps and one timed step
  // per round, ours was timed in V8's lower tiers, right after TF.js CPU's 0.3 s step.
  const times = await timeInterleaved(contestants, {
    reps: 1,
    rounds: 7,
    warmup: 2,
    warmupSeconds: 1,
    blockSeconds: 0.1,
  });
  setKernels(active);
  await useBackend(tf, "cpu");
  const ms = (name: string): number => times.get(name)! * 1e3;
  const rows: BenchRow[] = [];
  for (const ours of ["wasm", "js"]) {
    for (const theirs of ["tf-wasm", "tf-cpu"]) {
      rows.push({
        name: `MLP 784→256→10 step, ${ours} kernels vs ${theirs.replace("tf-", "tfjs-")}`,
        unit: "ms/step",
        tsgrad: ms(ours),
        reference: ms(theirs),
        ratio: ms(theirs) / ms(ours),
      });
    }
  }
  return { title: "MLP training step (batch 128, softmax CE, Adam)", referenceName: "TF.js", rows };
}
