// Convolutional networks: a LeNet-style training step (batch 64, 1×28×28, two conv + max-pool
// layers, two linear layers, softmax cross-entropy, Adam) on our kernels, on TF.js's WebAssembly
// backend (XNNPACK, one thread) and, where `scripts/setup --bench` installed it, PyTorch eager on
// one thread; and Conv2d forward + backward (dx and dW) alone at three sizes in GFLOPS, next to
// TF.js WASM doing the same and to our matmul kernel running the forward's product
// W [outC, C·k·k] @ cols [C·k·k, N·L] by itself (how much of the kernel's speed im2col keeps).
// Everything interleaved in this run; medians.
import type * as TF from "@tensorflow/tfjs-core";
import { conv2d, manualSeed, nn, optim, randint, randn, type Tensor } from "../engine/index.js";
import { kernels } from "../engine/kernels/index.js";
import type { BenchRow, BenchTable } from "./engine.js";
import { type PythonTimer, startPythonTimer } from "./support/python-timer.js";
import { trainableConv2d } from "./support/tfjs-conv.js";
import { median, timeInterleaved } from "./support/timing.js";

const BATCH = 64;

/** The LeNet step as a student writes it. */
function ourLenet(x: Tensor, labels: Tensor): () => void {
  manualSeed(1);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16 * 4 * 4, 120),
    new nn.ReLU(),
    new nn.Linear(120, 10),
  );
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  return () => {
    optimizer.zeroGrad();
    criterion.forward(model.forward(x), labels).backward();
    optimizer.step();
  };
}

/**
 * The same network in TF.js (its native NHWC layout), tf.train.adam minimising softmax CE; its
 * convolutions' weight gradients as support/tfjs-conv.ts computes them (the backend has no kernel).
 */
function tfLenet(tf: typeof TF, x: Tensor, labels: Tensor): () => void {
  const images = tf.tensor4d(Float32Array.from(x.data), [BATCH, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(labels.data), "int32"), 10);
  const v = (shape: number[], fanIn: number): TF.Variable =>
    tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
  const [w1, b1, w2, b2] = [v([5, 5, 1, 6], 25), v([6], 25), v([5, 5, 6, 16], 150), v([16], 150)];
  const [f1, c1, f2, c2] = [v([256, 120], 256), v([120], 256), v([120, 10], 120), v([10], 120)];
  const optimizer = tf.train.adam(1e-3);
  const conv = trainableConv2d(tf, 0);
  return () => {
    const cost = optimizer.minimize(() => {
      let h: TF.Tensor = tf.maxPool(tf.relu(tf.add(conv(images, w1 as TF.Tensor4D), b1)), 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.add(conv(h as TF.Tensor4D, w2 as TF.Tensor4D), b2)), 2, 2, "valid");
      const flat = tf.reshape(h, [BATCH, 256]);
      const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, f1), c1)), f2), c2);
      return tf.losses.softmaxCrossEntropy(y, logits) as TF.Scalar;
    }, true);
    cost!.dataSync();
    cost!.dispose();
  };
}

const TORCH_LENET = `
import torch
torch.set_num_threads(1)
torch.manual_seed(0)
def lenet():
    x = torch.randn(${BATCH}, 1, 28, 28)
    labels = torch.randint(0, 10, (${BATCH},))
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(256, 120), torch.nn.ReLU(), torch.nn.Linear(120, 10))
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    def step():
        optimizer.zero_grad()
        criterion(model(x), labels).backward()
        optimizer.step()
    return step
WORKLOADS = {"lenet": lenet}
INFO = "torch " + torch.__version__
`;

interface ConvSize {
  label: string;
  n: number;
  c: number;
  o: number;
  hw: number;
  k: number;
  pad: number;
}

const SIZES: ConvSize[] = [
  { label: "small: LeNet's conv2, 6→16 ch, 12×12, 5×5, batch 64", n: 64, c: 6, o: 16, hw: 12, k: 5, pad: 0 },
  { label: "medium: 32→64 ch, 16×16, 3×3 pad 1, batch 32", n: 32, c: 32, o: 64, hw: 16, k: 3, pad: 1 },
  { label: "large: 128→128 ch, 16×16, 3×3 pad 1, batch 8", n: 8, c: 128, o: 128, hw: 16, k: 3, pad: 1 },
];

/** Multiply-adds ×2 of the forward, dx and dW products together. */
function convFlops(s: ConvSize): number {
  const out = s.hw + 2 * s.pad - s.k + 1;
  return 3 * 2 * s.n * s.o * out * out * s.c * s.k * s.k;
}

function ourConv(s: ConvSize): () => void {
  manualSeed(2);
  const x = randn([s.n, s.c, s.hw, s.hw]);
  const w = randn([s.o, s.c, s.k, s.k]).mul(0.1);
  x.requiresGrad = true;
  w.requiresGrad = true;
  const out = s.hw + 2 * s.pad - s.k + 1;
  const g = randn([s.n, s.o, out, out]);
  return () => {
    conv2d(x, w, null, { padding: s.pad }).backward(g);
    x.grad = null;
    w.grad = null;
  };
}

function tfConv(tf: typeof TF, s: ConvSize): () => void {
  const out = s.hw + 2 * s.pad - s.k + 1;
  const x = tf.randomNormal([s.n, s.hw, s.hw, s.c]) as TF.Tensor4D;
  const w = tf.randomNormal([s.k, s.k, s.c, s.o]) as TF.Tensor4D;
  const dy = tf.randomNormal([s.n, out, out, s.o]) as TF.Tensor4D;
  const conv = trainableConv2d(tf, s.pad);
  const grads = tf.grads((a: TF.Tensor, b: TF.Tensor) => conv(a as TF.Tensor4D, b as TF.Tensor4D));
  return () => {
    const [dx, dw] = grads([x, w], dy);
    dx!.dataSync();
    dw!.dataSync();
    dx!.dispose();
    dw!.dispose();
  };
}

/** The forward's product on the matmul kernel alone, inputs already laid out. */
function ourMatmul(s: ConvSize): () => void {
  const out = s.hw + 2 * s.pad - s.k + 1;
  const [m, k, n] = [s.o, s.c * s.k * s.k, s.n * out * out];
  const a = randn([m, k]).data;
  const b = randn([k, n]).data;
  const c = new Float32Array(m * n);
  return () => kernels.matmul(a, 0, b, 0, c, 0, m, k, n, false, false);
}

/** Runs the convolution benchmarks. */
export async function bench(): Promise<BenchTable> {
  const { loadTensorFlowWasm, useBackend } = await import("./support/tfjs-wasm.js");
  const tf = await loadTensorFlowWasm();
  await useBackend(tf, "wasm");
  manualSeed(0);
  const x = randn([BATCH, 1, 28, 28]);
  const labels = randint(0, 10, [BATCH], { dtype: "int32" });
  const rows: BenchRow[] = [];
  const plan = { reps: 1, rounds: 7, warmup: 3, warmupSeconds: 1, blockSeconds: 0.2 };
  const lenet = await timeInterleaved(
    [
      { name: "ours", run: ourLenet(x, labels) },
      { name: "tf", run: tfLenet(tf, x, labels) },
    ],
    plan,
  );
  const ms = (name: string): number => lenet.get(name)! * 1e3;
  rows.push({
    name: "LeNet step (batch 64, 28×28, Adam) vs tfjs-wasm",
    unit: "ms/step",
    tsgrad: ms("ours"),
    reference: ms("tf"),
    ratio: ms("tf") / ms("ours"),
  });
  const timer: PythonTimer | string = await startPythonTimer(TORCH_LENET, {
    OMP_NUM_THREADS: "1",
    MKL_NUM_THREADS: "1",
  });
  if (typeof timer === "string") {
    rows.push({
      name: `LeNet step vs PyTorch 1 thread: skipped (${timer})`,
      unit: "ms/step",
      tsgrad: ms("ours"),
      reference: Number.NaN,
      ratio: Number.NaN,
    });
  } else {
    const step = ourLenet(x, labels);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < 20; i++) step();
    for (let r = 0; r < 7; r++) {
      const start = performance.now();
      for (let i = 0; i < 20; i++) step();
      ours.push((performance.now() - start) / 20);
      theirs.push((await timer.time("lenet", 20)) * 1e3);
    }
    rows.push({
      name: `LeNet step vs PyTorch eager 1 thread (${timer.info})`,
      unit: "ms/step",
      tsgrad: median(ours),
      reference: median(theirs),
      ratio: median(theirs) / median(ours),
    });
    timer.close();
  }
  for (const s of SIZES) {
    const times = await timeInterleaved(
      [
        { name: "ours", run: ourConv(s) },
        { name: "tf", run: tfConv(tf, s) },
        { name: "matmul", run: ourMatmul(s) },
      ],
      plan,
    );
    const gflops = (name: string, flops: number): number => flops / times.get(name)! / 1e9;
    const ours = gflops("ours", convFlops(s));
    rows.push({
      name: `Conv2d fwd+bwd ${s.label} vs tfjs-wasm`,
      unit: "GFLOPS",
      tsgrad: ours,
      reference: gflops("tf", convFlops(s)),
      ratio: ours / gflops("tf", convFlops(s)),
    });
    const product = gflops("matmul", convFlops(s) / 3);
    rows.push({
      name: `Conv2d fwd+bwd ${s.label} vs the matmul kernel on its forward product`,
      unit: "GFLOPS",
      tsgrad: ours,
      reference: product,
      ratio: ours / product,
    });
  }
  return {
    title: `Convolutional networks (tsgrad kernels: ${kernels.name}; references in the same run)`,
    referenceName: "reference",
    rows,
  };
}
