// Our matmul as a percentage of OpenBLAS on one thread (NumPy float32, OPENBLAS_NUM_THREADS=1),
// measured in this run, for our kernel on one thread and on every core (the pool): a Python child
// times its blocks between ours, round by round. The title names the BLAS library NumPy actually
// loaded (Debian's NumPy runs on whichever libblas.so.3 is selected: the reference BLAS unless
// libopenblas0 is installed; without switching the system's BLAS, run the bench with
// LD_LIBRARY_PATH naming the openblas-pthread directory of an unpacked libopenblas0-pthread
// package: the Python child inherits it). Skipped (an empty table saying why) where Python or
// NumPy is missing.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { BenchRow, BenchTable } from "./engine.js";
import { median } from "./timing.js";
import { kernels } from "../engine/kernels/index.js";
import { matmulPool } from "../engine/kernels/pool.js";
import { wasmMatmul } from "../engine/kernels/simd.js";

const SIZES = [256, 512, 1024];
const ROUNDS = 5;

// Reads "n transA transB reps" lines, answers seconds per product (or "error …").
const TIMER = `
import sys, time
import numpy as np
rng = np.random.default_rng(0)
np.ones((64, 64), dtype=np.float32) @ np.ones((64, 64), dtype=np.float32)
blas = sorted({l.split()[-1].split("/")[-1] for l in open("/proc/self/maps") if "blas" in l})
print("ready", " ".join(blas) or "unknown", flush=True)
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

interface Timer {
  /** The BLAS shared objects NumPy mapped (e.g. "libopenblas.so.0", or "libblas.so.3" for the reference BLAS). */
  blas: string;
  time(n: number, transA: boolean, transB: boolean, reps: number): Promise<number>;
  close(): void;
}

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
  let blas: string;
  try {
    const [word, ...libraries] = (await next()).split(" ");
    if (word !== "ready") return "the Python timer did not start";
    blas = libraries.join(" ");
  } catch (error) {
    return `Python/NumPy unavailable (${(error as Error).message})`;
  }
  return {
    blas,
    async time(n, transA, transB, reps) {
      child.stdin.write(`${n} ${+transA} ${+transB} ${reps}\n`);
      return Number(await next());
    },
    close: () => child.stdin.end(),
  };
}

/** Runs the OpenBLAS comparison. */
export async function bench(): Promise<BenchTable> {
  const pool = matmulPool();
  const threads = pool && (await pool.whenReady()) ? pool.threads : 1;
  const title = `matmul vs NumPy's BLAS on 1 thread; tsgrad kernels: ${kernels.name}, on 1 and ${threads} threads`;
  const timer = await startTimer();
  if (typeof timer === "string") return { title: `${title}: skipped, ${timer}`, referenceName: "NumPy BLAS", rows: [] };
  const blasName = timer.blas.includes("openblas") ? "OpenBLAS" : `NumPy's BLAS (${timer.blas}, not OpenBLAS)`;
  const rows: BenchRow[] = [];
  for (const n of SIZES) {
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const out = new Float32Array(n * n);
    const reps = Math.max(1, Math.round(2e8 / n ** 3));
    for (const [label, transA, transB] of [["AB", false, false], ["AᵀB", true, false], ["ABᵀ", false, true]] as const) {
      const ours: Record<"one" | "all", number[]> = { one: [], all: [] };
      const theirs: number[] = [];
      const contestants = {
        one: () => { wasmMatmul(a, 0, b, 0, out, 0, n, n, n, transA, transB); },
        all: () => kernels.matmul(a, 0, b, 0, out, 0, n, n, n, transA, transB),
      };
      contestants.one();
      contestants.all();
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, run] of Object.entries(contestants) as ["one" | "all", () => void][]) {
          const start = process.hrtime.bigint();
          for (let i = 0; i < reps; i++) run();
          ours[name].push(Number(process.hrtime.bigint() - start) / 1e9 / reps);
        }
        theirs.push(await timer.time(n, transA, transB, reps));
      }
      const gflops = (s: number): number => (2 * n ** 3) / s / 1e9;
      const one = gflops(median(ours.one));
      const all = gflops(median(ours.all));
      const t = gflops(median(theirs));
      rows.push({ name: `matmul ${n} ${label}, ${threads} threads (1 thread: ${one.toFixed(1)} GFLOPS = ${(100 * one / t).toFixed(0)}%)`,
        unit: "GFLOPS", tsgrad: all, reference: t, ratio: all / t });
    }
  }
  timer.close();
  return { title: `${title} (NumPy runs ${blasName}; ratio = our share of it)`, referenceName: blasName.startsWith("OpenBLAS") ? "OpenBLAS" : "NumPy BLAS", rows };
}
