// The engine's matmul pool: how many threads a product is split over (TSGRAD_THREADS, or the
// cores), from which size products go to the pool, and the one pool every op shares, started on
// first use. The pool itself, and how it runs a product, is pool.ts.
import { MatmulPool } from "./pool.js";

/**
 * Products with fewer multiply-adds (m·k·n) stay on the calling thread. Alone, back to back,
 * products from 2M multiply-adds gain (quiet 2-core VM: 128³ 1.2–1.3×, 256³ 1.5–1.7×). Inside a
 * Transformer block's step (products of 2M–8M, other ops between them), pooling from 4M made the
 * step 9% faster on a quiet machine (5.73 ms against 6.33) and cost nothing with a busy process on
 * the other core (6.37 against 6.39: late products pause the pool); from 2M it was 3% slower there.
 */
export const POOL_MIN_WORK = 1 << 22;

/** The most threads one product is split over, the calling one included. */
export const MAX_THREADS = 4;

/** Threads per large product: TSGRAD_THREADS if set (1 = the calling thread only), else the cores, at most MAX_THREADS. */
export function configuredThreads(): number {
  const requested = typeof process === "object" ? process.env.TSGRAD_THREADS : undefined;
  if (requested !== undefined && requested !== "") {
    const threads = Number(requested);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`TSGRAD_THREADS must be a whole number ≥ 1 (1 = no worker threads), got "${requested}"`);
    }
    return Math.min(threads, MAX_THREADS);
  }
  const os = typeof process === "object" ? process.getBuiltinModule?.("node:os") : undefined;
  return Math.min(os ? os.availableParallelism() : 1, MAX_THREADS);
}

let enginePool: MatmulPool | null | undefined;

/**
 * The engine's pool, started (without waiting for it) on first use: null where one thread is
 * configured, or worker threads, shared memory or Atomics.wait on this thread are missing.
 */
export function matmulPool(): MatmulPool | null {
  if (enginePool !== undefined) return enginePool;
  const threads = configuredThreads(); // throws on a malformed TSGRAD_THREADS, at every large product
  enginePool = null;
  const threadsModule = typeof process === "object" ? process.getBuiltinModule?.("node:worker_threads") : undefined;
  if (threads < 2 || !threadsModule || typeof SharedArrayBuffer !== "function") return null;
  enginePool = new MatmulPool(threadsModule, {
    threads,
    onFailure: (reason) =>
      process.emitWarning(`matrix products continue on one thread: ${reason}`, { code: "TSGRAD_MATMUL_POOL" }),
  });
  return enginePool;
}

/** Threads the engine's pool splits a product over right now: 1 until it is started and ready. */
export function poolThreadsReady(): number {
  return enginePool && enginePool.status === "ready" ? enginePool.threads : 1;
}
