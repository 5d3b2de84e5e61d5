// Large float32 products on every core: the calling thread and a few worker threads run the
// WebAssembly matmul kernel over one shared WebAssembly memory. The caller copies A and B in
// and packs B once into panels every thread reads; C's rows are then handed out in blocks by an
// atomic counter, so on a busy machine a worker that wakes late takes fewer blocks (or none)
// instead of making the caller wait for its fixed half. Each thread packs A into its own scratch.
// Each finished block is flagged; when the counter runs out, the caller waits about one block's
// time for the workers' last blocks and then computes any still held itself (a worker the OS
// switched out mid-block would otherwise stall the product for milliseconds: a Transformer step
// ran 13 ms instead of 8 while another process kept the second core busy).
//
// Waking is Atomics.wait/notify on a control block of Int32s (pool-worker.ts): the caller writes
// the product's fields, sets each worker's slot to JOB and notifies; a worker takes the job
// (JOB→RUNNING), waits for B's pack, takes blocks until none is left and sets IDLE. When the
// caller runs out of blocks it cancels a job no worker took (JOB→IDLE) and waits for the running
// ones. A product is still one synchronous call, so ops, autograd and interrupts (checked between
// calls) see no difference. What can go wrong, and what happens then:
// - The caller is unwound mid-product (the kernel's watchdog ends a runaway cell with V8's
//   terminateExecution, which runs no finally blocks): the next call first stops the counter,
//   releases a worker still waiting for B's pack, and waits for the rest before touching memory.
// - A worker throws: it posts the reason on its port and sets FAILED; a worker dies or hangs:
//   the caller stops waiting at a deadline (seconds, far beyond any product's time). Either way the
//   pool shuts down for good, the product is recomputed on the calling thread, and `onFailure`
//   hears why once (the engine's pool emits a process warning).
// - The process exits normally when idle: workers are unref'd and blocked in Atomics.wait.
// Small products never come here (the wake-up and the slower copies into shared memory would
// cost more than the other cores save): see POOL_MIN_WORK.
import type { MessagePort, Worker } from "node:worker_threads";
import {
  AREA_INTS, DONE_FLAGS, JOB, POOL_WORKER_SOURCE, SLOT, SPIN_MS, STATE, TRACKED_BLOCKS, type MemoryMessage, type PoolWorkerData,
} from "./pool-worker.js";
import { simdKernelBytes } from "./wasm-binary.js";

// The slice of the WebAssembly JS API used here (this project's lib setting declares none of it).
declare namespace WebAssembly {
  class Module { constructor(bytes: Uint8Array); }
  class Instance { constructor(module: Module, imports: object); readonly exports: object; }
  class Memory {
    constructor(descriptor: { initial: number; maximum: number; shared: boolean });
    readonly buffer: ArrayBufferLike;
    grow(pages: number): number;
  }
}

interface SharedKernels {
  heapBase(): number;
  packABytes(): number;
  packBBytes(n: number): number;
  packedBBytes(k: number, n: number): number;
  packAllB(b: number, bK: number, bCol: number, k: number, n: number, dst: number): void;
  matmulPacked(a: number, aRow: number, aK: number, packedB: number, c: number,
    m: number, k: number, n: number, packA: number, tile: number): void;
}

/**
 * Products with fewer multiply-adds (m·k·n) stay on the calling thread. Alone, back to back,
 * products from 2M multiply-adds gain (quiet 2-core VM: 128³ 1.3×, 512×64×256 1.4×, 256³ 1.7×),
 * but inside a training step the workers have gone to sleep between products and the operands are
 * copied into shared memory at half memcpy speed: a Transformer block's step (products of 2M and
 * 8M) ran 8.5–9.8 ms pooled from 2M and 7.7 ms from 16M (one thread: 7.6). An MLP's 25M-product
 * step gains ~20% either way.
 */
export const POOL_MIN_WORK = 1 << 24;

/** The most threads one product is split over, the calling one included. */
export const MAX_THREADS = 4;

/** Shared memory kept between calls; a bigger product's memory is dropped after it. */
export const POOL_KEEP_MEMORY_BYTES = 64 << 20;

const MR = 4; // rows of the kernel's micro-tile: blocks are multiples of it
const MC = 96; // rows of A the kernel packs at once: no block needs more
const BLOCKS_PER_THREAD = 8; // enough for a late or slowed thread to even out (8 and 32 measured alike at 128–512)
const NO_MORE_BLOCKS = 1 << 30; // a counter value past any product's last block
const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GB, WebAssembly's limit; V8 reserves a shared memory's maximum up front
const TILE_BYTES = 4 * 8 * 4; // the kernel's edge-tile scratch
const align16 = (bytes: number): number => (bytes + 15) & ~15;

export interface PoolOptions {
  /** Threads per product, the calling one included (so threads − 1 workers); at least 2. */
  threads: number;
  /** The workers' program (tests pass a failing one); default: pool-worker.ts. */
  workerSource?: string;
  /** How long a worker may take beyond its band's time at 1 GFLOPS before it counts as dead. */
  graceMs?: number;
  /** Called once, with the reason, when the pool shuts down after a worker's failure. */
  onFailure?: (reason: string) => void;
}

interface WorkerHandle {
  worker: Worker;
  port: MessagePort;
  slot: number; // index of its first Int32 in the control block
}

/** A product laid out in shared memory, B packed, workers going: where C is and the caller's scratch. */
export interface StartedProduct {
  c: number;
  size: number;
  packA: number;
  tile: number;
  /** Room for one block of C's rows: where the caller computes a block a worker still holds. */
  redo: number;
}

export type PoolStatus = "booting" | "ready" | "failed" | "stopped";

/** The calling thread plus `threads − 1` workers sharing one WebAssembly memory. */
export class MatmulPool {
  readonly threads: number;
  private readonly threadsModule: typeof import("node:worker_threads");
  private readonly control: Int32Array;
  private readonly workers: WorkerHandle[] = [];
  private readonly module: WebAssembly.Module;
  private readonly graceMs: number;
  private readonly onFailure: (reason: string) => void;
  private memory: WebAssembly.Memory | null = null;
  private kernels: SharedKernels | null = null;
  private heap: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private generation = 0;
  private pendingFlops = 0; // of the product the workers may still be running
  private failure: string | null = null;
  private stopped = false;
  private completed = 0;
  private jobs = 0; // products posted, numbering their blocks' done flags
  /** Blocks the calling thread computed because a worker still held them (tests, diagnostics). */
  stragglerBlocks = 0;

  constructor(threadsModule: typeof import("node:worker_threads"), options: PoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 2) {
      throw new RangeError(`MatmulPool: threads must be a whole number ≥ 2, got ${options.threads}`);
    }
    this.threads = options.threads;
    this.threadsModule = threadsModule;
    this.graceMs = options.graceMs ?? 2000;
    this.onFailure = options.onFailure ?? (() => {});
    this.module = new WebAssembly.Module(simdKernelBytes(true));
    this.control = new Int32Array(new SharedArrayBuffer(4 * (DONE_FLAGS + TRACKED_BLOCKS)));
    for (let i = 0; i < this.threads - 1; i++) {
      const slot = (i + 1) * AREA_INTS;
      const { port1, port2 } = new threadsModule.MessageChannel();
      const data: PoolWorkerData = { control: this.control, slot, module: this.module, port: port2, job: JOB, field: SLOT, state: STATE, spinMs: SPIN_MS, doneFlags: DONE_FLAGS, trackedBlocks: TRACKED_BLOCKS };
      const worker = new threadsModule.Worker(options.workerSource ?? POOL_WORKER_SOURCE, {
        eval: true, workerData: data, transferList: [port2], name: `tsgrad matmul ${i + 1}`,
        // The source is a CommonJS script: an inherited `--input-type=module` (node -e with ESM)
        // would evaluate it as a module, where `require` does not exist.
        execArgv: [],
      });
      const handle: WorkerHandle = { worker, port: port1, slot };
      // Seen only when the event loop runs (between cells, or awaiting); `settle`'s deadline
      // covers a death while the caller is blocked.
      worker.on("error", (error) => this.fail(`worker ${i + 1} failed: ${error instanceof Error ? error.message : String(error)}`));
      worker.on("exit", (code) => this.fail(this.reportedError(handle) ?? `worker ${i + 1} exited (code ${code})`));
      worker.unref();
      port1.unref();
      this.workers.push(handle);
    }
  }

  /** booting (workers still instantiating), ready, failed (see `failureReason`), or stopped. */
  get status(): PoolStatus {
    if (this.stopped) return "stopped";
    if (this.failure !== null) return "failed";
    for (const w of this.workers) {
      const state = Atomics.load(this.control, w.slot + SLOT.state);
      if (state === STATE.failed) {
        this.fail(this.reportedError(w) ?? "a worker failed");
        return "failed";
      }
      if (state === STATE.booting) return "booting";
    }
    return "ready";
  }

  /** Products this pool has computed (tests check which products it took). */
  get productsRun(): number {
    return this.completed;
  }

  /** Bytes of shared memory the pool holds now (0 before first use or after an outsized product). */
  get memoryBytes(): number {
    return this.memory ? this.memory.buffer.byteLength : 0;
  }

  /** Why the pool shut down, or null. */
  get failureReason(): string | null {
    return this.failure;
  }

  /** Resolves true once every worker can take jobs, false if the pool fails or `timeoutMs` passes. */
  async whenReady(timeoutMs = 10_000): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const status = this.status;
      if (status === "ready") return true;
      if (status !== "booting" || performance.now() > end) return false;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * C = op(A)·op(B) on every thread, like `wasmMatmul`; false, with `out` untouched, when the
   * pool is not ready, the shared memory cannot grow, or a worker failed (the caller then runs
   * the product on one thread). Example: `pool.run(a, 0, b, 0, out, 0, 512, 512, 512, false, false)`
   */
  run(a: Float32Array, ao: number, b: Float32Array, bo: number, out: Float32Array, oo: number,
    m: number, k: number, n: number, transA: boolean, transB: boolean): boolean {
    const started = this.start(a, ao, b, bo, m, k, n, transA, transB);
    if (!started) return false;
    const c = this.control;
    const kernels = this.kernels!;
    const aPtr = c[JOB.a]! >>> 0, aRow = c[JOB.aRow]!, aK = c[JOB.aK]!, packedB = c[JOB.packedB]! >>> 0;
    const blockRows = c[JOB.blockRows]!, blocks = c[JOB.blocks]!;
    const stamp = c[JOB.stamp]!;
    const begun = performance.now();
    let own = 0;
    for (let block = Atomics.add(c, JOB.next, 1); block < blocks; block = Atomics.add(c, JOB.next, 1)) {
      const first = block * blockRows;
      kernels.matmulPacked(aPtr + first * aRow * 4, aRow, aK, packedB, started.c + first * n * 4,
        Math.min(blockRows, m - first), k, n, started.packA, started.tile);
      if (block < TRACKED_BLOCKS) Atomics.store(c, DONE_FLAGS + block, stamp);
      own++;
    }
    // A worker still holding a block is usually about to finish it; one descheduled by a busy
    // machine may hold it for milliseconds. So wait about one block's time, then compute what is
    // left here instead (its late writes land in rows nobody reads: the next product waits for it).
    const pending = blocks <= TRACKED_BLOCKS ? this.awaitBlocks(blocks, stamp, own > 0 ? (performance.now() - begun) / own : SPIN_MS) : null;
    if (pending === null) {
      if (!this.settle()) return false;
      out.set(this.heap.subarray(started.c >> 2, (started.c >> 2) + started.size), oo);
    } else {
      this.cancelUntakenJobs();
      out.set(this.heap.subarray(started.c >> 2, (started.c >> 2) + started.size), oo);
      for (const block of pending) {
        const first = block * blockRows;
        const rows = Math.min(blockRows, m - first);
        kernels.matmulPacked(aPtr + first * aRow * 4, aRow, aK, packedB, started.redo, rows, k, n, started.packA, started.tile);
        out.set(this.heap.subarray(started.redo >> 2, (started.redo >> 2) + rows * n), oo + first * n);
        this.stragglerBlocks++;
      }
    }
    this.completed++;
    this.releaseIfLarge();
    return true;
  }

  /**
   * The first half of `run`: posts the job, copies A and B into shared memory, packs B and lets
   * the workers take blocks; null when the pool cannot take the product. A caller unwound after
   * this leaves the job to the workers; the next call waits for them.
   */
  start(a: Float32Array, ao: number, b: Float32Array, bo: number,
    m: number, k: number, n: number, transA: boolean, transB: boolean): StartedProduct | null {
    const blockRows = Math.min(MC, Math.ceil(m / (BLOCKS_PER_THREAD * this.threads * MR)) * MR);
    const blocks = Math.ceil(m / blockRows);
    if (blocks < 2 || k === 0 || this.status !== "ready" || !this.settle()) return null;
    const kernels = this.kernels ?? this.instantiate(m * k + 2 * k * n + m * n);
    if (!kernels) return null;
    const aPtr = kernels.heapBase();
    const bPtr = align16(aPtr + m * k * 4);
    const cPtr = align16(bPtr + k * n * 4);
    const packedB = align16(cPtr + m * n * 4);
    const scratch = align16(kernels.packABytes()) + TILE_BYTES;
    const scratchStart = align16(packedB + kernels.packedBBytes(k, n));
    const redo = scratchStart + this.threads * scratch;
    const heap = this.reserve(redo + blockRows * n * 4);
    if (!heap) return null;
    const c = this.control;
    // A(i,p) at i·aRow + p·aK, B(p,j) at p·bK + j·bCol: the transposes are strides, not copies.
    c[JOB.generation] = this.generation;
    c[JOB.a] = aPtr; c[JOB.aRow] = transA ? 1 : k; c[JOB.aK] = transA ? m : 1;
    c[JOB.packedB] = packedB; c[JOB.c] = cPtr; c[JOB.m] = m; c[JOB.k] = k; c[JOB.n] = n;
    c[JOB.blockRows] = blockRows; c[JOB.blocks] = blocks; c[JOB.stamp] = ++this.jobs;
    Atomics.store(c, JOB.next, 0);
    Atomics.store(c, JOB.packed, 0);
    this.pendingFlops = 2 * m * k * n;
    this.workers.forEach((w, i) => {
      c[w.slot + SLOT.packA] = scratchStart + (i + 1) * scratch;
      c[w.slot + SLOT.tile] = scratchStart + (i + 1) * scratch + align16(kernels.packABytes());
      Atomics.store(c, w.slot + SLOT.state, STATE.job); // publishes the fields above
      if (Atomics.load(c, w.slot + SLOT.sleeping) === 1) Atomics.notify(c, w.slot + SLOT.state);
    });
    // Sleeping workers wake (~25 µs) while the operands are copied in and B is packed.
    heap.set(a.subarray(ao, ao + m * k), aPtr >> 2);
    heap.set(b.subarray(bo, bo + k * n), bPtr >> 2);
    kernels.packAllB(bPtr, transB ? 1 : n, transB ? k : 1, k, n, packedB);
    Atomics.store(c, JOB.packed, 1);
    if (this.workers.some((w) => Atomics.load(c, w.slot + SLOT.sleeping) === 1)) Atomics.notify(c, JOB.packed);
    return { c: cPtr, size: m * n, packA: scratchStart, tile: scratchStart + align16(kernels.packABytes()), redo };
  }

  /** Ends the workers (tests; the engine's pool lives as long as the process). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.dropMemory();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  /**
   * Waits up to `patienceMs` for every block of the job `stamp` to be done; returns those still
   * held by a worker then (none: all done).
   */
  private awaitBlocks(blocks: number, stamp: number, patienceMs: number): number[] {
    const c = this.control;
    const until = performance.now() + patienceMs;
    let next = 0; // blocks before this one are done
    for (;;) {
      while (next < blocks && Atomics.load(c, DONE_FLAGS + next) === stamp) next++;
      if (next === blocks || performance.now() > until) break;
    }
    const pending: number[] = [];
    for (let block = next; block < blocks; block++) if (Atomics.load(c, DONE_FLAGS + block) !== stamp) pending.push(block);
    return pending;
  }

  /** Takes back jobs no worker has started (they would find no block left anyway). */
  private cancelUntakenJobs(): void {
    const c = this.control;
    for (const w of this.workers) Atomics.compareExchange(c, w.slot + SLOT.state, STATE.job, STATE.idle);
  }

  /**
   * Makes sure no worker runs a job (its own caller's, or one an unwound caller left behind):
   * stops handing out blocks, cancels jobs not yet taken, releases a worker waiting for a pack
   * that will never come, and waits for the rest. False, with the pool shut down, when a worker
   * failed or missed the deadline.
   */
  private settle(): boolean {
    if (this.failure !== null) return false;
    const c = this.control;
    Atomics.store(c, JOB.next, NO_MORE_BLOCKS);
    if (Atomics.compareExchange(c, JOB.packed, 0, -1) === 0) Atomics.notify(c, JOB.packed);
    const limit = this.graceMs + this.pendingFlops / 1e6; // at 1 GFLOPS = 1e6 flops/ms
    const now = performance.now();
    const deadline = now + limit;
    const spinUntil = now + SPIN_MS; // a worker holds one block at most: often done within µs
    for (let i = 0; i < this.workers.length; i++) {
      const at = this.workers[i]!.slot + SLOT.state;
      for (;;) {
        const state = Atomics.load(c, at);
        if (state === STATE.idle) break;
        if (state === STATE.job && Atomics.compareExchange(c, at, STATE.job, STATE.idle) === STATE.job) break;
        if (state === STATE.failed) {
          this.fail(this.reportedError(this.workers[i]!) ?? `worker ${i + 1} failed`);
          return false;
        }
        const left = deadline - performance.now();
        if (left <= 0) {
          this.fail(`worker ${i + 1} did not finish its rows within ${Math.round(limit)} ms`);
          return false;
        }
        if (state !== STATE.job && performance.now() > spinUntil) Atomics.wait(c, at, state, left);
      }
    }
    return true;
  }

  /** A new shared memory of at least `floats` floats, announced to every worker, with the caller's instance. */
  private instantiate(floats: number): SharedKernels | null {
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: Math.min(MAX_PAGES, Math.ceil((floats * 4 + (1 << 20)) / PAGE)), maximum: MAX_PAGES, shared: true });
    } catch {
      return null;
    }
    // Numbered before it is announced: a caller unwound in between never reuses the number, so a
    // worker can tell this memory from a later one (it skips announcements older than its job's).
    const generation = ++this.generation;
    const message: MemoryMessage = { generation, memory };
    for (const w of this.workers) w.port.postMessage(message);
    this.memory = memory;
    this.kernels = new WebAssembly.Instance(this.module, { env: { memory } }).exports as unknown as SharedKernels;
    return this.kernels;
  }

  /** A float32 view of the shared memory with at least `bytes` bytes, or null when it cannot grow. */
  private reserve(bytes: number): Float32Array<ArrayBufferLike> | null {
    const memory = this.memory!;
    const have = memory.buffer.byteLength;
    if (have < bytes) {
      try {
        memory.grow(Math.ceil((bytes - have) / PAGE));
      } catch {
        return null;
      }
    }
    // A shared memory's buffer is not detached by growth, but only a fresh read sees the new length.
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }

  /** Drops an outsized shared memory (memories never shrink), and has the workers drop theirs. */
  private releaseIfLarge(): void {
    if (this.memory && this.memory.buffer.byteLength > POOL_KEEP_MEMORY_BYTES) {
      if (!this.settle()) return; // a worker may still run a block the caller also computed
      this.dropMemory();
      for (const w of this.workers) {
        Atomics.store(this.control, w.slot + SLOT.state, STATE.drop);
        Atomics.notify(this.control, w.slot + SLOT.state);
      }
    }
  }

  private dropMemory(): void {
    this.memory = null;
    this.kernels = null;
    this.heap = new Float32Array(0);
  }

  /** The error a worker posted before it set FAILED, if any. */
  private reportedError(w: WorkerHandle): string | null {
    const received = this.threadsModule.receiveMessageOnPort(w.port) as { message?: { error?: string } } | undefined;
    return received?.message?.error ?? null;
  }

  private fail(reason: string): void {
    if (this.failure !== null || this.stopped) return;
    this.failure = reason;
    this.dropMemory();
    for (const w of this.workers) void w.worker.terminate();
    this.onFailure(reason);
  }
}

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
    onFailure: (reason) => process.emitWarning(`matrix products continue on one thread: ${reason}`, { code: "TSGRAD_MATMUL_POOL" }),
  });
  return enginePool;
}

/** Threads the engine's pool splits a product over right now: 1 until it is started and ready. */
export function poolThreadsReady(): number {
  return enginePool && enginePool.status === "ready" ? enginePool.threads : 1;
}
