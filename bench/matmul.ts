// Matrix-product throughput, every transpose variant (the backward pass needs AᵀB and ABᵀ),
// N = 64…1024: our active kernels (WebAssembly SIMD unless TSGRAD_KERNELS=js) next to TF.js's
// WebAssembly backend (XNNPACK, one thread) and, up to N = 256, its pure-JS CPU backend, all
// measured interleaved in this run. Kernel rows call `kernels.matmul` and `tf.matMul` with the
// transpose flags; the "tensor API" rows add what a cell pays through `a.matmul(b)`. The last
// rows time tiny products on both of our kernels (the crossover).
import type * as TF from "@tensorflow/tfjs-core";
import type { BenchRow, BenchTable } from "./engine.js";
import { loadTensorFlowWasm, useBackend } from "./tfjs-wasm.js";
import { timeInterleaved, type Contestant } from "./timing.js";
import { jsKernels, kernels } from "../engine/kernels/index.js";
import { wasmMatmul } from "../engine/kernels/simd.js";
import { manualSeed, randn } from "../engine/index.js";

const SIZES = [64, 128, 256, 512, 1024];
const CPU_MAX_N = 256; // TF.js CPU runs ~0.4 GFLOPS: one 1024 product takes seconds
const VARIANTS: [string, boolean, boolean][] = [["AB", false, false], ["AᵀB", true, false], ["ABᵀ", false, true], ["AᵀBᵀ", true, true]];

function planFor(n: number): { reps: number; rounds: number; warmup: number } {
  return { reps: Math.max(1, Math.round(3e7 / n ** 3)), rounds: n >= 512 ? 5 : 7, warmup: 2 };
}

async function sizeRows(tf: typeof TF, n: number): Promise<BenchRow[]> {
  manualSeed(n);
  const a = randn([n, n]);
  const b = randn([n, n]);
  const out = new Float32Array(n * n);
  const tfTensors: Partial<Record<"cpu" | "wasm", [TF.Tensor2D, TF.Tensor2D]>> = {};
  const backends: ("cpu" | "wasm")[] = n <= CPU_MAX_N ? ["wasm", "cpu"] : ["wasm"];
  for (const backend of backends) {
    await useBackend(tf, backend);
    tfTensors[backend] = [tf.tensor2d(a.data as Float32Array, [n, n]), tf.tensor2d(b.data as Float32Array, [n, n])];
  }
  const gflops = (seconds: number): number => (2 * n ** 3) / seconds / 1e9;
  const rows: BenchRow[] = [];
  const compare = async (label: string, ours: () => void, transA: boolean, transB: boolean): Promise<void> => {
    const contestants: Contestant[] = [{ name: "ours", run: ours }];
    for (const backend of backends) {
      const [ta, tb] = tfTensors[backend]!;
      contestants.push({
        name: backend,
        before: () => useBackend(tf, backend),
        run: () => { const c = tf.matMul(ta, tb, transA, transB); c.dataSync(); c.dispose(); },
      });
    }
    const times = await timeInterleaved(contestants, planFor(n));
    for (const backend of backends) {
      const ourRate = gflops(times.get("ours")!);
      const theirRate = gflops(times.get(backend)!);
      rows.push({ name: `${label} vs tfjs-${backend}`, unit: "GFLOPS", tsgrad: ourRate, reference: theirRate, ratio: ourRate / theirRate });
    }
  };
  for (const [label, transA, transB] of VARIANTS) {
    await compare(`matmul ${n} ${label}`, () => kernels.matmul(a.data, 0, b.data, 0, out, 0, n, n, n, transA, transB), transA, transB);
  }
  await compare(`matmul ${n} AB, tensor API`, () => { a.matmul(b); }, false, false);
  for (const backend of backends) tf.dispose(tfTensors[backend]!);
  return rows;
}

/**
 * Small products, where the copies into module memory and the call may cost more than SIMD
 * saves: the data behind `MATMUL_MIN_WORK` (wasm forced here, whatever the threshold says).
 */
async function crossoverRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [m, k, n] of [[4, 4, 4], [8, 8, 8], [32, 10, 1], [32, 4, 10], [16, 16, 16], [32, 32, 32]] as const) {
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
    const out = new Float32Array(m * n);
    const times = await timeInterleaved([
      { name: "wasm", run: () => { wasmMatmul(a, 0, b, 0, out, 0, m, k, n, false, false); } },
      { name: "js", run: () => jsKernels.matmul(a, 0, b, 0, out, 0, m, k, n, false, false) },
    ], { reps: 2000, rounds: 7, warmup: 5000 }); // thousands of calls reach the optimising tier
    const us = (name: string): number => times.get(name)! * 1e6;
    rows.push({ name: `matmul ${m}×${k}×${n} kernel: wasm vs js`, unit: "µs", tsgrad: us("wasm"), reference: us("js"), ratio: us("js") / us("wasm") });
  }
  return rows;
}

/** Runs the matmul benchmarks. */
export async function bench(): Promise<BenchTable> {
  const tf = await loadTensorFlowWasm();
  const rows: BenchRow[] = [];
  for (const n of SIZES) rows.push(...(await sizeRows(tf, n)));
  rows.push(...(await crossoverRows()));
  await useBackend(tf, "cpu");
  return { title: `matmul (tsgrad kernels: ${kernels.name}; TF.js wasm on 1 thread)`, referenceName: "TF.js / js kernels", rows };
}
