// Our matmul as a percentage of OpenBLAS on one thread (NumPy float32, OPENBLAS_NUM_THREADS=1),
// measured in this run, for our kernel on one thread and on every core (the pool): a Python child
// times its blocks between ours, round by round. The title names the BLAS library NumPy actually
// loaded (Debian's NumPy runs on whichever libblas.so.3 is selected: the reference BLAS unless
// libopenblas0 is installed; without switching the system's BLAS, run the bench with
// LD_LIBRARY_PATH naming the openblas-pthread directory of an unpacked libopenblas0-pthread
// package: the Python child inherits it). Skipped (an empty table saying why) where Python or
// NumPy is missing.

import { matmulPool } from "../engine/kernels/engine-pool.js";
import { kernels } from "../engine/kernels/index.js";
import { wasmMatmul } from "../engine/kernels/simd.js";
import type { BenchRow, BenchTable } from "./engine.js";
import { startPythonTimer } from "./support/python-timer.js";
import { median } from "./support/timing.js";

const SIZES = [256, 512, 1024];
const ROUNDS = 5;

// One workload per product, named "n transA transB"; INFO names the BLAS NumPy mapped (e.g.
// "libopenblas.so.0", or "libblas.so.3" for the reference BLAS).
const NUMPY_WORKLOADS = `
import numpy as np
rng = np.random.default_rng(0)
np.ones((64, 64), dtype=np.float32) @ np.ones((64, 64), dtype=np.float32)
INFO = " ".join(sorted({l.split()[-1].split("/")[-1] for l in open("/proc/self/maps") if "blas" in l})) or "unknown"

def product(n, ta, tb):
    def setup():
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        x = a.T if ta else a
        y = b.T if tb else b
        return lambda: x @ y
    return setup

WORKLOADS = {f"{n}_{ta}_{tb}": product(n, ta, tb) for n in (${SIZES.join(", ")}) for ta in (0, 1) for tb in (0, 1)}
`;

/** Runs the OpenBLAS comparison. */
export async function bench(): Promise<BenchTable> {
  const pool = matmulPool();
  const threads = pool && (await pool.whenReady()) ? pool.threads : 1;
  const title = `matmul vs NumPy's BLAS on 1 thread; tsgrad kernels: ${kernels.name}, on 1 and ${threads} threads`;
  const timer = await startPythonTimer(NUMPY_WORKLOADS, { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" });
  if (typeof timer === "string") return { title: `${title}: skipped, ${timer}`, referenceName: "NumPy BLAS", rows: [] };
  const blasName = timer.info.includes("openblas") ? "OpenBLAS" : `NumPy's BLAS (${timer.info}, not OpenBLAS)`;
  const rows: BenchRow[] = [];
  for (const n of SIZES) {
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const out = new Float32Array(n * n);
    const reps = Math.max(1, Math.round(2e8 / n ** 3));
    for (const [label, transA, transB] of [
      ["AB", false, false],
      ["AᵀB", true, false],
      ["ABᵀ", false, true],
    ] as const) {
      const ours: Record<"one" | "all", number[]> = { one: [], all: [] };
      const theirs: number[] = [];
      const contestants = {
        one: () => {
          wasmMatmul(a, 0, b, 0, out, 0, n, n, n, transA, transB);
        },
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
        theirs.push(await timer.time(`${n}_${+transA}_${+transB}`, reps));
      }
      const gflops = (s: number): number => (2 * n ** 3) / s / 1e9;
      const one = gflops(median(ours.one));
      const all = gflops(median(ours.all));
      const t = gflops(median(theirs));
      rows.push({
        name: `matmul ${n} ${label}, ${threads} threads (1 thread: ${one.toFixed(1)} GFLOPS = ${((100 * one) / t).toFixed(0)}%)`,
        unit: "GFLOPS",
        tsgrad: all,
        reference: t,
        ratio: all / t,
      });
    }
  }
  timer.close();
  return {
    title: `${title} (NumPy runs ${blasName}; ratio = our share of it)`,
    referenceName: blasName.startsWith("OpenBLAS") ? "OpenBLAS" : "NumPy BLAS",
    rows,
  };
}
