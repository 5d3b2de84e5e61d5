// Data parallelism on this machine's cores: `spawn` runs one function on several worker threads
// (ranks), each with its own copy of the engine, as torch.multiprocessing.spawn does with
// processes. The function travels as source text, like the matmul pool's worker (pool-worker.ts),
// so it sees the engine's names and its arguments and nothing else of the code that wrote it: the
// classes and helpers it calls are named in `uses` and travel with it. Arguments are copied to
// each rank (structured clone) except SharedArrayBuffers, which every rank sees: that is where
// ranks exchange gradients.
import { Worker } from "node:worker_threads";
import { interruptFlag, KeyboardInterrupt } from "../interrupt.js";

/** A function or class a rank's code calls, declared in each worker under its own name. */
export type Shipped = ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown);

/** What `spawn` needs besides the function. */
export interface SpawnOptions<A> {
  /** How many ranks (worker threads) to start. */
  worldSize: number;
  /** Passed to every rank as the third argument: numbers, arrays, typed arrays, SharedArrayBuffers. */
  args?: A;
  /** Named functions and classes the rank function calls, declared in each worker in this order. */
  uses?: readonly Shipped[];
  /** Threads each rank's large matrix products may use (default 1: the ranks already share the cores). */
  threadsPerRank?: number;
}

type RankMessage<R> = { ok: true; value: R } | { ok: false; name: string; message: string; stack: string };

/**
 * Runs `fn(rank, worldSize, args)` on `worldSize` worker threads, each with the engine's names in
 * scope, and resolves to every rank's return value in rank order; the first rank to throw stops
 * them all. Return plain data (numbers, arrays, typed arrays): tensors do not cross threads.
 * Example: `await distributed.spawn((rank, size) => rank * 10, { worldSize: 2 }) // [0, 10]`
 */
export async function spawn<A, R>(
  fn: (rank: number, worldSize: number, args: A) => R | Promise<R>,
  options: SpawnOptions<A>,
): Promise<Awaited<R>[]> {
  const { worldSize, args, uses = [], threadsPerRank = 1 } = options;
  if (typeof fn !== "function") throw new TypeError("spawn: the first argument must be the function each rank runs");
  if (!Number.isInteger(worldSize) || worldSize < 1) {
    throw new RangeError(`spawn: worldSize must be a whole number ≥ 1, got ${worldSize}`);
  }
  if (!Number.isInteger(threadsPerRank) || threadsPerRank < 1) {
    throw new RangeError(`spawn: threadsPerRank must be a whole number ≥ 1, got ${threadsPerRank}`);
  }
  const source = workerSource(fn, uses);
  // Ranks share the interrupt flag when it is in shared memory (as in the kernel), so
  // interrupting the cell stops their tensor ops too.
  const flag = interruptFlag();
  const interrupt = flag.buffer instanceof SharedArrayBuffer ? flag : undefined;
  const workers: Worker[] = [];
  const results: Promise<Awaited<R>>[] = [];
  try {
    for (let rank = 0; rank < worldSize; rank++) {
      const worker = new Worker(source, {
        eval: true,
        workerData: { rank, worldSize, args, interrupt },
        env: { ...process.env, TSGRAD_THREADS: String(threadsPerRank) },
      });
      workers.push(worker);
      const result = rankResult<Awaited<R>>(worker, rank);
      result.catch(() => {}); // Promise.all reports the first failure; the rest follow from it
      results.push(result);
    }
    return await Promise.all(results);
  } finally {
    // Ranks still running (asleep at a barrier, waiting for one that threw) end here.
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function rankResult<R>(worker: Worker, rank: number): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    worker.once("message", (message: RankMessage<R>) => {
      if (message.ok) return resolve(message.value);
      const error =
        message.name === "KeyboardInterrupt" ? new KeyboardInterrupt() : new Error(`rank ${rank}: ${message.message}`);
      error.stack = `${error.name}: ${error.message}\n${message.stack.split("\n").slice(1).join("\n")}`;
      reject(error);
    });
    worker.once("error", (error) => reject(new Error(`rank ${rank}: ${String(error)}`)));
    worker.once("exit", (code) => reject(new Error(`rank ${rank} ended (exit code ${code}) without a result`)));
  });
}

/** The worker's program: load the engine, declare `uses`, run the function, post its value back. */
function workerSource(fn: (...args: never[]) => unknown, uses: readonly Shipped[]): string {
  const declarations = uses.map((use) => {
    if (typeof use !== "function" || !use.name) {
      throw new TypeError("spawn: every entry of `uses` must be a named function or class");
    }
    return `const ${use.name} = (${use.toString()});`;
  });
  const engine = new URL("../index.js", import.meta.url).href;
  const interrupt = new URL("../interrupt.js", import.meta.url).href;
  return `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  const engine = await import(${JSON.stringify(engine)});
  if (workerData.interrupt) (await import(${JSON.stringify(interrupt)})).useInterruptFlag(workerData.interrupt);
  Object.assign(globalThis, engine);
  ${declarations.join("\n  ")}
  const fn = (${fn.toString()});
  return fn(workerData.rank, workerData.worldSize, workerData.args);
})().then(
  (value) => parentPort.postMessage({ ok: true, value }),
  (error) => parentPort.postMessage({
    ok: false,
    name: String(error?.name ?? "Error"),
    message: String(error?.message ?? error),
    stack: String(error?.stack ?? ""),
  }),
);`;
}
