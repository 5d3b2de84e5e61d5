// Our matmul as a percentage of OpenBLAS on one thread (NumPy float32, OPENBLAS_NUM_THREADS=1),
// measured in this run: a Python child times its blocks between ours, round by round. Skipped
// (an empty table saying why) where Python, NumPy or an OpenBLAS-backed NumPy is missing.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { BenchRow, BenchTable } from "./engine.js";
import { median } from "./timing.js";
import { kernels } from "../engine/kernels/index.js";

const SIZES = [256, 512, 1024];
const ROUNDS = 5;

// Reads "n transA transB reps" lines, answers seconds per product (or "error …").
const TIMER = `
import sys, time
import numpy as np
rng = np.random.default_rng(0)
print("ready", flush=True)
for line in sys.stdin:
    n, ta, tb, reps = (int(v) for v in line.split())
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    x = a.T if ta else a
    y = b.T if tb else b
    x @ y
    t = time.perf_counter()
    for _ in range(reps): x @ y
    print((time.perf_counter() - t) / reps, flush=True)
`;

interface Timer { time(n: number, transA: boolean, transB: boolean, reps: number): Promise<number>; close(): void }

async function startTimer(): Promise<Timer | string> {
  const child = spawn("/usr/bin/python3", ["-c", TIMER], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error(stderr.trim().split("\n").pop() ?? "python exited");
    return r.value;
  };
  try {
    if ((await next()) !== "ready") return "the Python timer did not start";
  } catch (error) {
    return `Python/NumPy unavailable (${(error as Error).message})`;
  }
  return {
    async time(n, transA, transB, reps) {
      child.stdin.write(`${n} ${+transA} ${+transB} ${reps}\n`);
      return Number(await next());
    },
    close: () => child.stdin.end(),
  };
}

/** Runs the OpenBLAS comparison. */
export async function bench(): Promise<BenchTable> {
  const title = `matmul vs OpenBLAS (NumPy, 1 thread); tsgrad kernels: ${kernels.name}`;
  const timer = await startTimer();
  if (typeof timer === "string") return { title: `${title}: skipped, ${timer}`, referenceName: "OpenBLAS", rows: [] };
  const rows: BenchRow[] = [];
  for (const n of SIZES) {
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const out = new Float32Array(n * n);
    const reps = Math.max(1, Math.round(2e8 / n ** 3));
    for (const [label, transA, transB] of [["AB", false, false], ["AᵀB", true, false], ["ABᵀ", false, true]] as const) {
      const ours: number[] = [];
      const theirs: number[] = [];
      kernels.matmul(a, 0, b, 0, out, 0, n, n, n, transA, transB);
      for (let r = 0; r < ROUNDS; r++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < reps; i++) kernels.matmul(a, 0, b, 0, out, 0, n, n, n, transA, transB);
        ours.push(Number(process.hrtime.bigint() - start) / 1e9 / reps);
        theirs.push(await timer.time(n, transA, transB, reps));
      }
      const gflops = (s: number): number => (2 * n ** 3) / s / 1e9;
      const o = gflops(median(ours));
      const t = gflops(median(theirs));
      rows.push({ name: `matmul ${n} ${label} (ratio = share of OpenBLAS)`, unit: "GFLOPS", tsgrad: o, reference: t, ratio: o / t });
    }
  }
  timer.close();
  return { title, referenceName: "OpenBLAS", rows };
}
