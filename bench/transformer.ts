// One training step of a GPT-2-style Transformer block (d 64, 4 heads, seq 32, batch 16, causal,
// MLP ratio 4, exact GELU; MSE to a random target, Adam) as a student writes it with
// nn.TransformerBlock, next to the same block written by hand in TF.js (WebAssembly backend on
// one thread, and the pure-JS CPU backend) and in PyTorch eager (one thread and its default
// threads), all timed round by round in this run. The TF.js block starts from our parameters
// and its first loss must match ours, so both sides compute the same function.
import { execFileSync } from "node:child_process";
import type * as TF from "@tensorflow/tfjs-core";
import { manualSeed, nn, optim, randn, type Tensor } from "../engine/index.js";
import { kernels } from "../engine/kernels/index.js";
import type { BenchRow, BenchTable } from "./engine.js";
import { type PythonTimer, startPythonTimer } from "./support/python-timer.js";
import { loadTensorFlowWasm, useBackend } from "./support/tfjs-wasm.js";
import { median } from "./support/timing.js";

const BATCH = 16;
const SEQ = 32;
const DIM = 64;
const HEADS = 4;
const MLP_RATIO = 4; // the MLP's hidden size, as a multiple of DIM, on every side
const ROUNDS = 5;
const WARMUP_SECONDS = 1;

interface Workload {
  block: nn.TransformerBlock;
  x: Tensor;
  y: Tensor;
}

function workload(): Workload {
  manualSeed(0);
  const x = randn([BATCH, SEQ, DIM]);
  const y = randn([BATCH, SEQ, DIM]);
  return { block: new nn.TransformerBlock(DIM, HEADS, { causal: true, mlpRatio: MLP_RATIO }), x, y };
}

function ourStep({ block, x, y }: Workload): () => number {
  const criterion = new nn.MSELoss();
  const optimizer = new optim.Adam(block.parameters(), { lr: 1e-3 });
  return () => {
    const loss = criterion.forward(block.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    return loss.item();
  };
}

/** A float32 copy of `t` (TF.js may keep the array it is given; ours are updated in place). */
const copy = (t: Tensor): Float32Array => Float32Array.from(t.data);

/**
 * The same block in TF.js ops on `backend`, with our initial parameters (Linear weights stored
 * [in, out] as TF.js code usually keeps them, so copied transposed); tf.train.adam + minimize.
 */
async function tfStep(tf: typeof TF, backend: "cpu" | "wasm", w: Workload): Promise<() => number> {
  await useBackend(tf, backend);
  const b = w.block;
  const att = b.attention;
  const vector = (t: Tensor): TF.Variable => tf.variable(tf.tensor1d(copy(t)));
  const weight = (lin: nn.Linear): TF.Variable => {
    const [out, inF] = lin.weight.shape as [number, number];
    return tf.variable(tf.transpose(tf.tensor2d(copy(lin.weight), [out, inF])));
  };
  const fc1 = b.mlp.at(0) as nn.Linear;
  const fc2 = b.mlp.at(2) as nn.Linear;
  const p = {
    g1: vector(b.norm1.weight!),
    b1: vector(b.norm1.bias!),
    wq: weight(att.query),
    bq: vector(att.query.bias!),
    wk: weight(att.key),
    bk: vector(att.key.bias!),
    wv: weight(att.value),
    bv: vector(att.value.bias!),
    wo: weight(att.out),
    bo: vector(att.out.bias!),
    g2: vector(b.norm2.weight!),
    b2: vector(b.norm2.bias!),
    w1: weight(fc1),
    c1: vector(fc1.bias!),
    w2: weight(fc2),
    c2: vector(fc2.bias!),
  };
  const x = tf.tensor2d(copy(w.x), [BATCH * SEQ, DIM]);
  const target = tf.tensor2d(copy(w.y), [BATCH * SEQ, DIM]);
  const causal = new Float32Array(SEQ * SEQ);
  for (let i = 0; i < SEQ; i++) for (let j = i + 1; j < SEQ; j++) causal[i * SEQ + j] = -Infinity;
  const mask = tf.tensor2d(causal, [SEQ, SEQ]);
  const headDim = DIM / HEADS;

  const layerNorm = (h: TF.Tensor, g: TF.Variable, beta: TF.Variable): TF.Tensor => {
    const { mean, variance } = tf.moments(h, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), beta);
  };
  const dense = (h: TF.Tensor, wt: TF.Variable, bias: TF.Variable): TF.Tensor => tf.add(tf.matMul(h, wt), bias);
  const heads = (h: TF.Tensor): TF.Tensor => tf.transpose(tf.reshape(h, [BATCH, SEQ, HEADS, headDim]), [0, 2, 1, 3]);
  const forward = (): TF.Scalar => {
    const n1 = layerNorm(x, p.g1, p.b1);
    const q = heads(dense(n1, p.wq, p.bq));
    const k = heads(dense(n1, p.wk, p.bk));
    const v = heads(dense(n1, p.wv, p.bv));
    const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(headDim)), mask);
    const attended = tf.matMul(tf.softmax(scores), v);
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [BATCH * SEQ, DIM]);
    const h = tf.add(x, dense(merged, p.wo, p.bo));
    const u = dense(layerNorm(h, p.g2, p.b2), p.w1, p.c1);
    const gelu = tf.mul(tf.mul(u, 0.5), tf.add(tf.erf(tf.mul(u, Math.SQRT1_2)), 1));
    const out = tf.add(h, dense(gelu, p.w2, p.c2));
    return tf.mean(tf.squaredDifference(out, target));
  };
  const optimizer = tf.train.adam(1e-3);
  return () => {
    const cost = optimizer.minimize(forward, true)!;
    const value = cost.dataSync()[0]!;
    cost.dispose();
    return value;
  };
}

// The block in PyTorch as its users write it; parameters from torch's own seed (timing only).
const TORCH_WORKLOAD = `
import math
import torch
import torch.nn.functional as F
torch.manual_seed(0)

class Block(torch.nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = torch.nn.LayerNorm(d)
        self.q = torch.nn.Linear(d, d)
        self.k = torch.nn.Linear(d, d)
        self.v = torch.nn.Linear(d, d)
        self.o = torch.nn.Linear(d, d)
        self.norm2 = torch.nn.LayerNorm(d)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(d, ${MLP_RATIO} * d), torch.nn.GELU(), torch.nn.Linear(${MLP_RATIO} * d, d))

    def forward(self, x):
        b, t, d = x.shape
        split = lambda h: h.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        n = self.norm1(x)
        q, k, v = split(self.q(n)), split(self.k(n)), split(self.v(n))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        heads = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        h = x + self.o(heads.transpose(1, 2).reshape(b, t, d))
        return h + self.mlp(self.norm2(h))

def transformer_step():
    x = torch.randn(${BATCH}, ${SEQ}, ${DIM})
    y = torch.randn(${BATCH}, ${SEQ}, ${DIM})
    model = Block(${DIM}, ${HEADS})
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = torch.nn.MSELoss()
    def step():
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step

WORKLOADS = {"transformer_step": transformer_step}
`;

/**
 * The BLAS library torch runs its products on (file names mapped after one product): Debian's
 * python3-torch uses whichever libblas.so.3 alternative is selected, and the reference (netlib)
 * BLAS makes its products several times slower than OpenBLAS would.
 */
function torchBlas(): string {
  try {
    return (
      execFileSync(
        "/usr/bin/python3",
        [
          "-c",
          `import torch
torch.ones(64, 64) @ torch.ones(64, 64)
print(" ".join(sorted({l.split()[-1].split("/")[-1] for l in open("/proc/self/maps") if "blas" in l})))`,
        ],
        { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
      ).trim() || "unknown BLAS"
    );
  } catch {
    return "unknown BLAS";
  }
}

interface Contestant {
  name: string;
  label: string;
  reps: number;
  time: (reps: number) => Promise<number>;
}

/** Seconds per call of `run`, over `reps` calls. */
function timeSync(run: () => unknown, reps: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) run();
  return Number(process.hrtime.bigint() - start) / 1e9 / reps;
}

/** Runs the Transformer-block benchmark. */
export async function bench(): Promise<BenchTable> {
  const title = `Transformer block step (d ${DIM}, ${HEADS} heads, seq ${SEQ}, batch ${BATCH}, causal, MSE, Adam); tsgrad kernels: ${kernels.name}`;
  const tf = await loadTensorFlowWasm();
  const ours = ourStep(workload());
  const tfWasm = await tfStep(tf, "wasm", workload());
  const tfCpu = await tfStep(tf, "cpu", workload());

  // Same function: from the same parameters, the first losses agree to float32 rounding.
  const first = ours();
  await useBackend(tf, "wasm");
  const firstWasm = tfWasm();
  await useBackend(tf, "cpu");
  const firstCpu = tfCpu();
  for (const [name, value] of [
    ["TF.js wasm", firstWasm],
    ["TF.js cpu", firstCpu],
  ] as const) {
    if (Math.abs(value - first) > 1e-4 * Math.abs(first)) {
      throw new Error(
        `bench/transformer: the ${name} block computes another function (first loss ${value}, ours ${first})`,
      );
    }
  }

  const contestants: Contestant[] = [
    { name: "tsgrad", label: "tsgrad", reps: 30, time: async (reps) => timeSync(ours, reps) },
    {
      name: "tf-wasm",
      label: "TF.js WASM (XNNPACK, 1 thread)",
      reps: 2,
      time: async (reps) => {
        await useBackend(tf, "wasm");
        return timeSync(tfWasm, reps);
      },
    },
    {
      name: "tf-cpu",
      label: "TF.js CPU (pure JS)",
      reps: 1,
      time: async (reps) => {
        await useBackend(tf, "cpu");
        return timeSync(tfCpu, reps);
      },
    },
  ];
  const timers: PythonTimer[] = [];
  let torchSkipped = "";
  for (const threads of ["1", "default"] as const) {
    const one = threads === "1";
    const timer = await startPythonTimer(
      `${TORCH_WORKLOAD}\n${one ? "torch.set_num_threads(1)\n" : ""}`,
      one ? { OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" } : {},
    );
    if (typeof timer === "string") {
      torchSkipped = timer;
      break;
    }
    timers.push(timer);
    contestants.push({
      name: `torch-${threads}`,
      label: `PyTorch eager, ${one ? "1 thread" : "its default threads"}`,
      reps: 10,
      time: (reps) => timer.time("transformer_step", reps),
    });
  }

  const samples = new Map<string, number[]>(contestants.map((c) => [c.name, []]));
  // Warm-up, about a second each: V8's optimising tier (a step is hundreds of calls; after one
  // step, ours still ran at half speed), TF.js's kernels, torch's first calls and allocator.
  for (const c of contestants) {
    for (let spent = 0, calls = 0; spent < WARMUP_SECONDS || calls < 2; calls++) spent += await c.time(1);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of contestants) samples.get(c.name)!.push(await c.time(c.reps));
  }
  for (const t of timers) t.close();
  await useBackend(tf, "cpu");

  const ms = (name: string): number => median(samples.get(name)!) * 1e3;
  const rows: BenchRow[] = contestants.slice(1).map((c) => ({
    name: `Transformer block step, tsgrad vs ${c.label}`,
    unit: "ms/step",
    tsgrad: ms("tsgrad"),
    reference: ms(c.name),
    ratio: ms(c.name) / ms("tsgrad"),
  }));
  const note = torchSkipped ? ` (PyTorch skipped: ${torchSkipped})` : ` (PyTorch on ${torchBlas()})`;
  return { title: `${title}${note}`, referenceName: "reference", rows };
}
