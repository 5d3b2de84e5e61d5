// Matrix-product throughput, every transpose variant (the backward pass needs AᵀB and ABᵀ),
// N = 64…1024: our WebAssembly SIMD kernel on one thread and on every core (the pool in
// engine/kernels/pool.ts) next to TF.js's WebAssembly backend (XNNPACK, one thread) and, for AB
// up to N = 128, its pure-JS CPU backend, all measured interleaved in this run. One row per size
// and variant: the all-cores figure, with the one-thread figure and ratio in its name. The
// "tensor API" rows add what a cell pays through `a.matmul(b)`. The last rows time small
// products: where the pool starts paying (POOL_MIN_WORK) and where WebAssembly does
// (MATMUL_MIN_WORK).
import type * as TF from "@tensorflow/tfjs-core";
import { manualSeed, randn } from "../engine/index.js";
import { matmulPool, POOL_MIN_WORK } from "../engine/kernels/engine-pool.js";
import { jsKernels, kernels, usesFma } from "../engine/kernels/index.js";
import { wasmMatmul } from "../engine/kernels/simd.js";
import type { BenchRow, BenchTable } from "./engine.js";
import { loadTensorFlowWasm, useBackend } from "./support/tfjs-wasm.js";
import { type Contestant, type TimingPlan, timeInterleaved } from "./support/timing.js";

const SIZES = [64, 128, 256, 512, 1024];
const CPU_MAX_N = 128; // TF.js CPU runs ~0.4 GFLOPS: one 1024 product takes seconds
const VARIANTS: [string, boolean, boolean][] = [
  ["AB", false, false],
  ["AᵀB", true, false],
  ["ABᵀ", false, true],
  ["AᵀBᵀ", true, true],
];

/**
 * Timing blocks of ~20 ms (at least one product), sized from 0.1 s of warm-up: blocks of one or
 * two products measured the wake-up of pool threads that slept while the other contestants ran,
 * and blocks sized from two warm-up calls (the first product of a size also instantiates the
 * workers' memory) came out a few products long.
 */
function planFor(n: number): TimingPlan {
  return { reps: 1, rounds: n >= 512 ? 5 : 7, warmup: 2, warmupSeconds: 0.1, blockSeconds: 0.02 };
}

const fixed = (x: number): string => x.toFixed(x >= 10 ? 1 : 2);

/** Threads the pool splits a product over, once it is up (1: none). */
async function poolThreads(): Promise<number> {
  const pool = matmulPool();
  return pool && (await pool.whenReady()) ? pool.threads : 1;
}

async function sizeRows(tf: typeof TF, n: number, threads: number): Promise<BenchRow[]> {
  manualSeed(n);
  const a = randn([n, n]);
  const b = randn([n, n]);
  const ad = a.data as Float32Array;
  const bd = b.data as Float32Array;
  const out = new Float32Array(n * n);
  const tfTensors: Partial<Record<"cpu" | "wasm", [TF.Tensor2D, TF.Tensor2D]>> = {};
  const backends: ("cpu" | "wasm")[] = n <= CPU_MAX_N ? ["wasm", "cpu"] : ["wasm"];
  for (const backend of backends) {
    await useBackend(tf, backend);
    tfTensors[backend] = [tf.tensor2d(ad, [n, n]), tf.tensor2d(bd, [n, n])];
  }
  const gflops = (seconds: number): number => (2 * n ** 3) / seconds / 1e9;
  const tfContestant = (backend: "cpu" | "wasm", transA: boolean, transB: boolean): Contestant => {
    const [ta, tb] = tfTensors[backend]!;
    return {
      name: backend,
      before: () => useBackend(tf, backend),
      run: () => {
        const c = tf.matMul(ta, tb, transA, transB);
        c.dataSync();
        c.dispose();
      },
    };
  };
  const rows: BenchRow[] = [];
  const all = `${threads} thread${threads > 1 ? "s" : ""}`;
  for (const [label, transA, transB] of VARIANTS) {
    const withCpu = backends.includes("cpu") && !transA && !transB;
    const times = await timeInterleaved(
      [
        {
          name: "one",
          run: () => {
            wasmMatmul(ad, 0, bd, 0, out, 0, n, n, n, transA, transB);
          },
        },
        { name: "all", run: () => kernels.matmul(ad, 0, bd, 0, out, 0, n, n, n, transA, transB) },
        tfContestant("wasm", transA, transB),
        ...(withCpu ? [tfContestant("cpu", false, false)] : []),
      ],
      planFor(n),
    );
    const one = gflops(times.get("one")!);
    const ours = gflops(times.get("all")!);
    const theirs = gflops(times.get("wasm")!);
    rows.push({
      name: `matmul ${n} ${label}, ${all} (1 thread: ${fixed(one)} GFLOPS, ${fixed(one / theirs)}×) vs tfjs-wasm`,
      unit: "GFLOPS",
      tsgrad: ours,
      reference: theirs,
      ratio: ours / theirs,
    });
    if (withCpu) {
      const cpu = gflops(times.get("cpu")!);
      rows.push({
        name: `matmul ${n} ${label}, ${all} vs tfjs-cpu`,
        unit: "GFLOPS",
        tsgrad: ours,
        reference: cpu,
        ratio: ours / cpu,
      });
    }
  }
  const times = await timeInterleaved(
    [
      {
        name: "ours",
        run: () => {
          a.matmul(b);
        },
      },
      tfContestant("wasm", false, false),
    ],
    planFor(n),
  );
  const ours = gflops(times.get("ours")!);
  const theirs = gflops(times.get("wasm")!);
  rows.push({
    name: `matmul ${n} AB, tensor API vs tfjs-wasm`,
    unit: "GFLOPS",
    tsgrad: ours,
    reference: theirs,
    ratio: ours / theirs,
  });
  for (const backend of backends) tf.dispose(tfTensors[backend]!);
  return rows;
}

/** Products around POOL_MIN_WORK: every core (the pool, forced) against one thread. */
async function poolCrossoverRows(): Promise<BenchRow[]> {
  const pool = matmulPool();
  if (!pool || pool.status !== "ready") return [];
  const rows: BenchRow[] = [];
  for (const n of [128, 200, 256, 320]) {
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const out = new Float32Array(n * n);
    const declinedBefore = pool.declinedProducts;
    const times = await timeInterleaved(
      [
        // Declined while a worker is still busy with an earlier product: then one thread does it, as in `kernels.matmul`.
        {
          name: "pool",
          run: () => {
            if (!pool.run(a, 0, b, 0, out, 0, n, n, n, false, false))
              wasmMatmul(a, 0, b, 0, out, 0, n, n, n, false, false);
          },
        },
        {
          name: "one",
          run: () => {
            wasmMatmul(a, 0, b, 0, out, 0, n, n, n, false, false);
          },
        },
      ],
      { reps: Math.round(2e7 / n ** 3), rounds: 9, warmup: 20 },
    );
    const us = (name: string): number => times.get(name)! * 1e6;
    const declined = pool.declinedProducts - declinedBefore;
    rows.push({
      name: `matmul ${n}³ (${n ** 3 >= POOL_MIN_WORK ? "pooled" : "1 thread"} by default; ${declined} declined): ${pool.threads} threads vs 1`,
      unit: "µs",
      tsgrad: us("pool"),
      reference: us("one"),
      ratio: us("one") / us("pool"),
    });
  }
  return rows;
}

/**
 * Small products, where the copies into module memory and the call may cost more than SIMD
 * saves: the data behind `MATMUL_MIN_WORK` (wasm forced here, whatever the threshold says).
 */
async function crossoverRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [m, k, n] of [
    [4, 4, 4],
    [8, 8, 8],
    [32, 10, 1],
    [32, 4, 10],
    [16, 16, 16],
    [32, 32, 32],
  ] as const) {
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
    const out = new Float32Array(m * n);
    const times = await timeInterleaved(
      [
        {
          name: "wasm",
          run: () => {
            wasmMatmul(a, 0, b, 0, out, 0, m, k, n, false, false);
          },
        },
        { name: "js", run: () => jsKernels.matmul(a, 0, b, 0, out, 0, m, k, n, false, false) },
      ],
      { reps: 2000, rounds: 7, warmup: 5000 },
    ); // thousands of calls reach the optimising tier
    const us = (name: string): number => times.get(name)! * 1e6;
    rows.push({
      name: `matmul ${m}×${k}×${n} kernel: wasm vs js`,
      unit: "µs",
      tsgrad: us("wasm"),
      reference: us("js"),
      ratio: us("js") / us("wasm"),
    });
  }
  return rows;
}

/** Runs the matmul benchmarks. */
export async function bench(): Promise<BenchTable> {
  const tf = await loadTensorFlowWasm();
  const threads = await poolThreads();
  const rows: BenchRow[] = [];
  for (const n of SIZES) rows.push(...(await sizeRows(tf, n, threads)));
  rows.push(...(await poolCrossoverRows()));
  rows.push(...(await crossoverRows()));
  await useBackend(tf, "cpu");
  const build = kernels.name === "wasm" ? (usesFma() ? " with relaxed-SIMD FMA" : " without FMA") : "";
  return {
    title: `matmul (tsgrad kernels: ${kernels.name}${build}, ${threads} thread${threads > 1 ? "s" : ""}; TF.js wasm on 1 thread)`,
    referenceName: "TF.js / 1 thread / js kernels",
    rows,
  };
}
