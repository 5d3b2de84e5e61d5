// The matmul pool (engine/kernels/pool.ts): products split over worker threads equal the
// TypeScript kernel within float32 rounding; a job left behind by an unwound caller, a worker
// that throws and a worker that dies are survived; small products stay on the calling thread.
import { afterAll, describe, expect, test } from "vitest";
import { configuredThreads, MAX_THREADS, matmulPool, POOL_MIN_WORK } from "../../engine/kernels/engine-pool.js";
import { jsKernels } from "../../engine/kernels/index.js";
import { MatmulPool, POOL_KEEP_MEMORY_BYTES } from "../../engine/kernels/pool.js";
import { POOL_WORKER_SOURCE, STATE } from "../../engine/kernels/pool-worker.js";
import { hasWasmSimd, simdKernels } from "../../engine/kernels/simd.js";
import { RandomGenerator } from "../../engine/random.js";

const threads = process.getBuiltinModule("node:worker_threads");
const gen = new RandomGenerator(11);
const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => gen.uniform(-1, 1));
const EPS32 = 2 ** -24;

/** |pooled − js| within the float32 error bound of a k-term dot product, element by element. */
function expectSameProduct(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  got: Float32Array,
  go: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): void {
  const want = new Float32Array(m * n);
  jsKernels.matmul(a, ao, b, bo, want, 0, m, k, n, transA, transB);
  const absA = a.map(Math.abs),
    absB = b.map(Math.abs);
  const scale = new Float32Array(m * n);
  jsKernels.matmul(absA, ao, absB, bo, scale, 0, m, k, n, transA, transB);
  let worst = 0;
  for (let i = 0; i < m * n; i++) {
    worst = Math.max(worst, Math.abs(got[go + i]! - want[i]!) / (2 * (k + 2) * EPS32 * scale[i]! + 1e-30));
  }
  expect(worst).toBeLessThanOrEqual(1);
}

/**
 * `pool.run`, retried while the pool declines the product (a worker still busy with an earlier
 * one, or backing off after a late one; `out` must then be untouched): whether it took it.
 */
async function runPooled(pool: MatmulPool, ...args: Parameters<MatmulPool["run"]>): Promise<boolean> {
  const out = args[4];
  const before = Float32Array.from(out);
  for (let attempt = 0; attempt < 300; attempt++) {
    if (pool.run(...args)) return true;
    expect(out).toEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return false;
}

const pools: MatmulPool[] = [];
function newPool(options: ConstructorParameters<typeof MatmulPool>[1]): MatmulPool {
  const pool = new MatmulPool(threads, options);
  pools.push(pool);
  return pool;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.stop()));
});

describe.runIf(hasWasmSimd())("matmul pool", () => {
  test.each([
    [2, 67, 129, 93],
    [3, 67, 129, 93],
    [2, 9, 300, 1030],
    [3, 203, 257, 17],
    [2, 100, 0, 7],
    [2, 40_001, 7, 5], // more rows than MAX_BLOCKS blocks of the usual size cover
  ])("%i threads, %i×%i @ %i-wide, all transpose variants, at offsets, equal the JS kernel", async (t, m, k, n) => {
    const pool = newPool({ threads: t });
    expect(await pool.whenReady()).toBe(true);
    let pooled = 0;
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = randomF32(m * k + 3);
        const b = randomF32(k * n + 5);
        const out = new Float32Array(m * n + 4).fill(7);
        if (k === 0) {
          // not the pool's to do
          expect(pool.run(a, 3, b, 5, out, 2, m, k, n, transA, transB)).toBe(false);
          continue;
        }
        if (await runPooled(pool, a, 3, b, 5, out, 2, m, k, n, transA, transB)) pooled++;
        expectSameProduct(a, 3, b, 5, out, 2, m, k, n, transA, transB);
        expect([out[0], out[1], out[m * n + 2], out[m * n + 3]]).toEqual([7, 7, 7, 7]);
      }
    }
    expect(pooled).toBe(k === 0 ? 0 : 4);
  });

  test("random shapes and layouts, back to back on 2 and 3 threads, equal the JS kernel", async () => {
    // Shapes from one row to a few hundred, so schedules range from 2 blocks to dozens and the
    // progressive copies of A end anywhere; products come back to back, as in a training step.
    for (const t of [2, 3]) {
      const pool = newPool({ threads: t });
      expect(await pool.whenReady()).toBe(true);
      let pooled = 0;
      for (let product = 0; product < 60; product++) {
        const [m, k, n] = [1 + gen.int(0, 300), 1 + gen.int(0, 200), 1 + gen.int(0, 200)];
        const transA = gen.int(0, 2) === 1,
          transB = gen.int(0, 2) === 1;
        const a = randomF32(m * k + 1);
        const b = randomF32(k * n + 2);
        const out = new Float32Array(m * n + 3).fill(7);
        if (!pool.run(a, 1, b, 2, out, 1, m, k, n, transA, transB)) {
          expect(out.every((v) => v === 7)).toBe(true); // declined: untouched, for the caller to compute
          continue;
        }
        pooled++;
        expectSameProduct(a, 1, b, 2, out, 1, m, k, n, transA, transB);
        expect([out[0], out[m * n + 1], out[m * n + 2]]).toEqual([7, 7, 7]);
      }
      expect(pooled).toBeGreaterThan(0);
    }
  });

  test("after a job whose caller was unwound mid-way, products run on one thread until the worker is done, then pooled and right", async () => {
    const pool = newPool({ threads: 2 });
    expect(await pool.whenReady()).toBe(true);
    const [m, k, n] = [601, 283, 577];
    const abandonedA = randomF32(m * k);
    const abandonedB = randomF32(k * n);
    const a = randomF32(m * k);
    const b = randomF32(k * n);
    const out = new Float32Array(m * n).fill(3);
    // As if V8 unwound the caller right after posting: only the first block's rows of A are in,
    // and the worker holds (or waits for) a block.
    expect(pool.start(abandonedA, 0, abandonedB, 0, m, k, n, false, true)).not.toBeNull();
    const end = performance.now() + 5000;
    let declined = 0;
    while (!pool.run(a, 0, b, 0, out, 0, m, k, n, true, false)) {
      declined++;
      expect(out.every((v) => v === 3)).toBe(true); // not the pool's: the caller computes it alone
      expect(performance.now()).toBeLessThan(end);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expectSameProduct(a, 0, b, 0, out, 0, m, k, n, true, false);
    expect(pool.status).toBe("ready");
    expect(declined).toBeLessThan(1000);
  });

  test("an outsized product's shared memory is dropped, by the workers too, and the next product is right", async () => {
    const pool = newPool({ threads: 2 });
    expect(await pool.whenReady()).toBe(true);
    const [m, n] = [8, 8];
    const k = Math.ceil(POOL_KEEP_MEMORY_BYTES / 4 / (m + 2 * n)) + 1000;
    const a = randomF32(m * k);
    const b = randomF32(k * n);
    const out = new Float32Array(m * n);
    expect(await runPooled(pool, a, 0, b, 0, out, 0, m, k, n, false, false)).toBe(true);
    expect(pool.memoryBytes).toBe(0);
    expectSameProduct(a, 0, b, 0, out, 0, m, k, n, false, false);
    const small = randomF32(64 * 64);
    const out2 = new Float32Array(64 * 64);
    expect(await runPooled(pool, small, 0, small, 0, out2, 0, 64, 64, 64, false, true)).toBe(true);
    expectSameProduct(small, 0, small, 0, out2, 0, 64, 64, 64, false, true);
    expect(pool.memoryBytes).toBeGreaterThan(0);
  });

  test("a worker that throws shuts the pool down once, with its reason; the caller is told to go on alone", async () => {
    // Reports ready, then fails the first job the way pool-worker.ts reports an exception.
    const failing = `
      const { workerData } = require("node:worker_threads");
      const { control, slot, port, field, state, waitsForJob } = workerData;
      Atomics.store(control, slot + field.state, state.idle);
      Atomics.store(control, slot + field.sleeping, waitsForJob);
      Atomics.wait(control, slot + field.state, state.idle);
      port.postMessage({ error: "Error: simulated kernel failure" });
      Atomics.store(control, slot + field.state, state.failed);
      Atomics.notify(control, slot + field.state);`;
    const reasons: string[] = [];
    const pool = newPool({ threads: 2, workerSource: failing, onFailure: (r) => reasons.push(r) });
    expect(await pool.whenReady()).toBe(true);
    const a = randomF32(256 * 256);
    const out = new Float32Array(256 * 256).fill(5);
    // The caller may finish every block before the worker wakes (and cancel its job): then the
    // product is right, and the failure shows at the next call.
    let calls = 0;
    while (calls < 20 && pool.run(a, 0, a, 0, out, 0, 256, 256, 256, false, false)) {
      calls++;
      expectSameProduct(a, 0, a, 0, out, 0, 256, 256, 256, false, false);
      out.fill(5);
    }
    expect(calls).toBeLessThan(20);
    expect(out.every((v) => v === 5)).toBe(true);
    expect(pool.status).toBe("failed");
    expect(pool.failureReason).toContain("simulated kernel failure");
    expect(pool.run(a, 0, a, 0, out, 0, 256, 256, 256, false, false)).toBe(false);
    expect(reasons).toHaveLength(1);
  });

  test("a worker that dies holding a job is given up at the deadline; meanwhile products run on one thread", async () => {
    // Takes a job, then its thread ends without a word (a job cancelled before it woke is not taken).
    const dying = `
      const { workerData } = require("node:worker_threads");
      const { control, slot, field, state, waitsForJob } = workerData;
      Atomics.store(control, slot + field.state, state.idle);
      for (;;) {
        Atomics.store(control, slot + field.sleeping, waitsForJob);
        Atomics.wait(control, slot + field.state, state.idle);
        if (Atomics.compareExchange(control, slot + field.state, state.job, state.running) === state.job) process.exit(0);
      }`;
    const pool = newPool({ threads: 2, workerSource: dying, graceMs: 300 });
    expect(await pool.whenReady()).toBe(true);
    const [m, k, n] = [384, 384, 384];
    const a = randomF32(m * k);
    const out = new Float32Array(m * n);
    // Synchronous calls, as in a cell's loop: the worker's exit event cannot be seen, only its
    // silence. Until the worker wakes before the caller has finished every block (at once on a
    // quiet machine; a loaded one may let the caller finish alone many times first), products
    // are pooled; then they are declined (the caller runs them alone) until the deadline.
    const began = performance.now();
    while (pool.status === "ready" && performance.now() - began < 10_000)
      pool.run(a, 0, a, 0, out, 0, m, k, n, false, false);
    expect(pool.failureReason).toMatch(/did not finish/);
    expect(pool.status).toBe("failed");
    expect(pool.run(a, 0, a, 0, out, 0, m, k, n, false, false)).toBe(false);
  });

  test("a block a descheduled worker still holds is computed by the caller, and products run on one thread until that worker is done", async () => {
    // The real worker, stalled for 300 ms before each of its blocks (as if the OS had switched it out).
    const stalling = POOL_WORKER_SOURCE.replace(
      "kernels.matmulPacked(",
      "(Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300), kernels.matmulPacked)(",
    );
    expect(stalling).not.toBe(POOL_WORKER_SOURCE);
    const pool = newPool({ threads: 2, workerSource: stalling });
    expect(await pool.whenReady()).toBe(true);
    const [m, k, n] = [256, 300, 96]; // k past one 256-deep panel: a block is written in two passes
    // Until the worker took a block (at once on a quiet machine; a loaded one may wake it late).
    for (let product = 0; product < 3 || (pool.stragglerBlocks === 0 && product < 30); product++) {
      const a = randomF32(m * k);
      const b = randomF32(k * n);
      const out = new Float32Array(m * n);
      // Declined (the caller computes it alone) while the worker stalls on a block from before.
      if (pool.run(a, 0, b, 0, out, 0, m, k, n, product === 1, false))
        expectSameProduct(a, 0, b, 0, out, 0, m, k, n, product === 1, false);
    }
    expect(pool.stragglerBlocks).toBeGreaterThan(0);
    expect(pool.status).toBe("ready");
    // The worker is still in the 300 ms stall of the block the caller computed instead.
    const b = randomF32(k * n);
    const untouched = new Float32Array(m * n).fill(9);
    expect(pool.run(randomF32(m * k), 0, b, 0, untouched, 0, m, k, n, false, false)).toBe(false);
    expect(untouched.every((v) => v === 9)).toBe(true);
    expect(pool.declinedProducts).toBeGreaterThan(0);
    // Once the worker has finished its stale block (and the pool's back-off after a late worker
    // has run out), the pool takes products again.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const a = randomF32(m * k);
    const out = new Float32Array(m * m);
    expect(await runPooled(pool, a, 0, a, 0, out, 0, m, k, m, false, true)).toBe(true);
    expectSameProduct(a, 0, a, 0, out, 0, m, k, m, false, true);
  });

  test("a worker whose program cannot start makes the pool fail instead of staying in boot", async () => {
    const pool = newPool({ threads: 2, workerSource: "throw new Error('no such kernel')" });
    expect(await pool.whenReady()).toBe(false);
    expect(pool.status).toBe("failed");
    expect(pool.failureReason).toContain("no such kernel");
    expect(STATE.booting).toBe(0); // a slot nobody wrote reads as booting
  });
});

test("TSGRAD_THREADS sets the threads per product (1: no workers), capped; anything but a whole number ≥ 1 is an error", () => {
  const saved = process.env.TSGRAD_THREADS;
  try {
    const cores = process.getBuiltinModule("node:os").availableParallelism();
    delete process.env.TSGRAD_THREADS;
    expect(configuredThreads()).toBe(Math.min(cores, MAX_THREADS));
    for (const [value, threads] of [
      ["1", 1],
      ["3", 3],
      [String(MAX_THREADS + 5), MAX_THREADS],
    ] as const) {
      process.env.TSGRAD_THREADS = value;
      expect(configuredThreads()).toBe(threads);
    }
    for (const bad of ["0", "-2", "1.5", "two"]) {
      process.env.TSGRAD_THREADS = bad;
      expect(() => configuredThreads()).toThrow(
        `TSGRAD_THREADS must be a whole number ≥ 1 (1 = no worker threads), got "${bad}"`,
      );
    }
  } finally {
    if (saved === undefined) delete process.env.TSGRAD_THREADS;
    else process.env.TSGRAD_THREADS = saved;
  }
});

describe.runIf(hasWasmSimd() && configuredThreads() > 1)("the engine's pool", () => {
  test("takes float32 products from POOL_MIN_WORK multiply-adds on, and no smaller ones", async () => {
    const pool = matmulPool()!;
    expect(pool).not.toBeNull();
    expect(await pool.whenReady()).toBe(true);
    const before = pool.productsRun;
    const side = Math.ceil(Math.cbrt(POOL_MIN_WORK));
    const small = side - 8;
    const a = randomF32(side * side);
    const out = new Float32Array(side * side);
    simdKernels.matmul(a, 0, a, 0, out, 0, small, small, small, false, false);
    expect(pool.productsRun).toBe(before);
    expectSameProduct(a, 0, a, 0, out, 0, small, small, small, false, false);
    simdKernels.matmul(a, 0, a, 0, out, 0, side, side, side, true, true);
    expect(pool.productsRun).toBe(before + 1);
    expectSameProduct(a, 0, a, 0, out, 0, side, side, side, true, true);
  });
});

test.runIf(configuredThreads() === 1)(
  "with one thread configured (TSGRAD_THREADS=1 or one core) the engine starts no pool",
  () => {
    expect(matmulPool()).toBeNull();
    const a = randomF32(200 * 200);
    const out = new Float32Array(200 * 200);
    simdKernels.matmul(a, 0, a, 0, out, 0, 200, 200, 200, false, false);
    expectSameProduct(a, 0, a, 0, out, 0, 200, 200, 200, false, false);
  },
);
