// Large float32 products on every core: the calling thread and a few worker threads run the
// WebAssembly matmul kernel over one shared WebAssembly memory (pool-memory.ts). The caller packs
// B once, copies A in a block of rows at a time, and hands out C's rows in blocks by an atomic
// counter (pool-schedule.ts), so a worker that wakes late takes fewer blocks instead of making
// the caller wait; finished blocks are copied out between the caller's own, and blocks a worker
// still holds at the end the caller computes itself. Waking is Atomics.wait/notify on a control
// block (pool-worker.ts). A product is one synchronous call, so ops, autograd and interrupts see
// no difference. ARCHITECTURE.md ("The matmul pool") tells the protocol, the failure cases (an
// unwound caller, a failed or hung worker) and the measurements behind each choice.
import type { MessagePort, Worker } from "node:worker_threads";
import { POOL_KEEP_MEMORY_BYTES, productLayout, SharedHeap, type StartedProduct } from "./pool-memory.js";
import { writeSchedule } from "./pool-schedule.js";
import {
  AREA_INTS,
  BLOCK_STARTS,
  CONTROL_INTS,
  DONE_FLAGS,
  JOB,
  MAX_BLOCKS,
  POOL_WORKER_SOURCE,
  type PoolWorkerData,
  SLOT,
  SPIN_MS,
  STATE,
  WAITS_FOR_JOB,
  WAITS_FOR_ROWS,
} from "./pool-worker.js";

/**
 * How long a product waits for a worker still running the last one: a worker that finished its
 * blocks goes idle within a µs or two; one the OS switched out mid-block may hold it for
 * milliseconds, and then this product runs on the calling thread instead (`run` returns false).
 * Longer waits cost more than they won: with another process on the second core and products
 * of 2M–8M multiply-adds, 50 µs a declined product made a Transformer step 15% slower.
 */
const START_PATIENCE_MS = 0.005;
/** A pooled product this many times as long as one thread would take counts as slow (see run). */
const SLOW_PRODUCT = 1.25;
const MIN_PAUSE_MS = 1; // how long a late worker pauses the pool, at first (see workerWasLate)…
const MAX_PAUSE_MS = 1000; // …and at most
const NO_MORE_BLOCKS = 1 << 30; // a counter value past any product's last block

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

export { POOL_KEEP_MEMORY_BYTES };

export type PoolStatus = "booting" | "ready" | "failed" | "stopped";

/** The calling thread plus `threads − 1` workers sharing one WebAssembly memory. */
export class MatmulPool {
  readonly threads: number;
  private readonly threadsModule: typeof import("node:worker_threads");
  private readonly control: Int32Array;
  private readonly workers: WorkerHandle[] = [];
  private readonly graceMs: number;
  private readonly onFailure: (reason: string) => void;
  private readonly shared: SharedHeap;
  private jobPosted = 0;
  private jobDeadline = Infinity; // when a worker still running the last job counts as dead
  private failure: string | null = null;
  private stopped = false;
  private completed = 0;
  private jobs = 0; // products posted, numbering their blocks' done flags
  private readonly copied = new Uint8Array(MAX_BLOCKS); // the current product's blocks already in `out`
  /** Blocks the calling thread computed because a worker still held them (tests, diagnostics). */
  stragglerBlocks = 0;
  /** Products left to the calling thread because a worker was busy or lately slow (tests, diagnostics). */
  declinedProducts = 0;
  private pausedUntil = 0; // products until then are left to the calling thread (performance.now() ms)
  private pauseMs = 0; // how long the next late worker pauses the pool: doubles on each, halves on a prompt one

  constructor(threadsModule: typeof import("node:worker_threads"), options: PoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 2) {
      throw new RangeError(`MatmulPool: threads must be a whole number ≥ 2, got ${options.threads}`);
    }
    this.threads = options.threads;
    this.threadsModule = threadsModule;
    this.graceMs = options.graceMs ?? 2000;
    this.onFailure = options.onFailure ?? (() => {});
    this.shared = new SharedHeap();
    this.control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_INTS));
    for (let i = 0; i < this.threads - 1; i++) {
      const slot = (i + 1) * AREA_INTS;
      const { port1, port2 } = new threadsModule.MessageChannel();
      const data: PoolWorkerData = {
        control: this.control,
        slot,
        module: this.shared.module,
        port: port2,
        job: JOB,
        field: SLOT,
        state: STATE,
        spinMs: SPIN_MS,
        doneFlags: DONE_FLAGS,
        blockStarts: BLOCK_STARTS,
        waitsForJob: WAITS_FOR_JOB,
        waitsForRows: WAITS_FOR_ROWS,
      };
      const worker = new threadsModule.Worker(options.workerSource ?? POOL_WORKER_SOURCE, {
        eval: true,
        workerData: data,
        transferList: [port2],
        name: `tsgrad matmul ${i + 1}`,
        // The source is a CommonJS script: an inherited `--input-type=module` (node -e with ESM)
        // would evaluate it as a module, where `require` does not exist.
        execArgv: [],
      });
      const handle: WorkerHandle = { worker, port: port1, slot };
      // Seen only when the event loop runs (between cells, or awaiting); `settle`'s deadline
      // covers a death while the caller is blocked.
      worker.on("error", (error) =>
        this.fail(`worker ${i + 1} failed: ${error instanceof Error ? error.message : String(error)}`),
      );
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
    return this.shared.byteLength;
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
  run(
    a: Float32Array,
    ao: number,
    b: Float32Array,
    bo: number,
    out: Float32Array,
    oo: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
  ): boolean {
    const called = performance.now();
    const started = this.start(a, ao, b, bo, m, k, n, transA, transB);
    if (!started) return false;
    this.copyRestOfA(started);
    const c = this.control;
    const kernels = this.shared.kernels!;
    const heap = this.shared.heap;
    const aPtr = c[JOB.a]! >>> 0,
      aRow = c[JOB.aRow]!,
      aK = c[JOB.aK]!,
      packedB = c[JOB.packedB]! >>> 0;
    const blocks = c[JOB.blocks]!,
      stamp = c[JOB.stamp]!;
    const copied = this.copied.fill(0, 0, blocks);
    /** Copies a block's rows of C out, from the float index where its first row was computed. */
    const copyOut = (block: number, from: number): void => {
      const first = c[BLOCK_STARTS + block]!,
        end = c[BLOCK_STARTS + block + 1]!;
      out.set(heap.subarray(from, from + (end - first) * n), oo + first * n);
      copied[block] = 1;
    };
    const inC = (block: number): number => (started.c >>> 2) + c[BLOCK_STARTS + block]! * n;
    const finished = (from: number): boolean => {
      for (let i = from; i < blocks; i++) if (copied[i] === 0) return false;
      return true;
    };
    const begun = performance.now();
    let ownRows = 0;
    let scan = 0; // blocks before this one are copied out
    for (let block = Atomics.add(c, JOB.next, 1); block < blocks; block = Atomics.add(c, JOB.next, 1)) {
      const first = c[BLOCK_STARTS + block]!,
        rows = c[BLOCK_STARTS + block + 1]! - first;
      kernels.matmulPacked(
        aPtr + first * aRow * 4,
        aRow,
        aK,
        packedB,
        started.c + first * n * 4,
        rows,
        k,
        n,
        started.packA,
        started.tile,
      );
      Atomics.store(c, DONE_FLAGS + block, stamp);
      copyOut(block, inC(block));
      ownRows += rows;
      // The workers' finished blocks go out now rather than at the end, where only this thread works.
      for (; scan < blocks && (copied[scan] === 1 || Atomics.load(c, DONE_FLAGS + scan) === stamp); scan++) {
        if (copied[scan] === 0) copyOut(scan, inC(scan));
      }
    }
    // Every block is taken now. A worker still holding one is usually about to finish it (a worker
    // that has just woken runs slower than this thread at first); one descheduled by a busy
    // machine may hold it for milliseconds. So wait up to twice that block's time at this thread's
    // speed, then compute what is left here instead (its late writes land in rows nobody reads;
    // products run on this thread alone until it is done).
    const msPerRow = ownRows > 0 ? (performance.now() - begun) / ownRows : (2 * k * n) / 30e6; // else as at 30 GFLOPS
    let until = -1;
    for (;;) {
      let biggestLeft = 0;
      for (let block = scan; block < blocks; block++) {
        if (copied[block] === 1) continue;
        if (Atomics.load(c, DONE_FLAGS + block) === stamp) copyOut(block, inC(block));
        else biggestLeft = Math.max(biggestLeft, c[BLOCK_STARTS + block + 1]! - c[BLOCK_STARTS + block]!);
      }
      if (biggestLeft === 0) break;
      const now = performance.now();
      if (until < 0) until = now + 2 * msPerRow * biggestLeft + 0.02;
      else if (now > until) break;
    }
    this.cancelUntakenJobs();
    // Late: a block had to be taken back, or the whole product took clearly longer than this
    // thread computes it alone (a worker switched out for part of it, on a busy machine).
    this.workerWasLate(!finished(scan) || performance.now() - called > SLOW_PRODUCT * msPerRow * m);
    for (let block = scan; block < blocks; block++) {
      if (copied[block] === 1) continue;
      const first = c[BLOCK_STARTS + block]!,
        rows = c[BLOCK_STARTS + block + 1]! - first;
      kernels.matmulPacked(
        aPtr + first * aRow * 4,
        aRow,
        aK,
        packedB,
        started.redo,
        rows,
        k,
        n,
        started.packA,
        started.tile,
      );
      copyOut(block, started.redo >>> 2);
      this.stragglerBlocks++;
    }
    this.completed++;
    this.releaseIfLarge();
    return true;
  }

  /**
   * The first part of `run`: posts the job, copies B into shared memory and packs it, copies the
   * first block's rows of A (all of A when it is transposed) and lets the workers take blocks;
   * null when the pool cannot take the product. A caller unwound after this leaves the job to the
   * workers, which wait for rows of A that never come; the next call releases them, and products
   * run on the calling thread until they are idle again.
   */
  start(
    a: Float32Array,
    ao: number,
    b: Float32Array,
    bo: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
  ): StartedProduct | null {
    if (k === 0 || this.status !== "ready") return null;
    if (this.pausedUntil > 0) {
      if (performance.now() < this.pausedUntil) {
        this.declinedProducts++;
        return null;
      }
      this.pausedUntil = 0;
    }
    if (!this.settle(START_PATIENCE_MS)) {
      if (this.failure === null) this.declinedProducts++;
      return null;
    }
    const c = this.control;
    const blocks = writeSchedule(c, m, this.threads);
    if (blocks < 2) return null;
    const biggestBlock = c[BLOCK_STARTS + 1]!; // blocks never grow along the schedule
    const kernels =
      this.shared.kernels ??
      this.shared.instantiate(m * k + 2 * k * n + m * n, (message) => {
        for (const w of this.workers) w.port.postMessage(message);
      });
    if (!kernels) return null;
    const { aPtr, bPtr, cPtr, packedB, tileOffset, scratch, scratchStart, redo } = productLayout(
      kernels,
      m,
      k,
      n,
      this.threads,
    );
    const heap = this.shared.reserve(redo + biggestBlock * n * 4);
    if (!heap) return null;
    // A(i,p) at i·aRow + p·aK, B(p,j) at p·bK + j·bCol: the transposes are strides, not copies.
    c[JOB.generation] = this.shared.generation;
    c[JOB.a] = aPtr;
    c[JOB.aRow] = transA ? 1 : k;
    c[JOB.aK] = transA ? m : 1;
    c[JOB.packedB] = packedB;
    c[JOB.c] = cPtr;
    c[JOB.m] = m;
    c[JOB.k] = k;
    c[JOB.n] = n;
    c[JOB.blocks] = blocks;
    c[JOB.stamp] = ++this.jobs;
    Atomics.store(c, JOB.next, 0);
    Atomics.store(c, JOB.ready, 0);
    this.jobPosted = performance.now();
    this.jobDeadline = this.jobPosted + this.graceMs + (2 * m * k * n) / 1e6; // at 1 GFLOPS = 1e6 flops/ms
    this.workers.forEach((w, i) => {
      c[w.slot + SLOT.packA] = scratchStart + (i + 1) * scratch;
      c[w.slot + SLOT.tile] = scratchStart + (i + 1) * scratch + tileOffset;
      Atomics.store(c, w.slot + SLOT.state, STATE.job); // publishes the fields above
      if (Atomics.load(c, w.slot + SLOT.sleeping) === WAITS_FOR_JOB) Atomics.notify(c, w.slot + SLOT.state);
    });
    // Sleeping workers wake (~25 µs) while B is copied in and packed.
    heap.set(b.subarray(bo, bo + k * n), bPtr >>> 2);
    kernels.packAllB(bPtr, transB ? 1 : n, transB ? k : 1, k, n, packedB);
    // A block's rows of a transposed A are strided across all of it.
    const rows = transA ? m : c[BLOCK_STARTS + 1]!;
    heap.set(a.subarray(ao, ao + rows * k), aPtr >>> 2);
    this.publishRows(rows);
    return {
      c: cPtr,
      packA: scratchStart,
      tile: scratchStart + tileOffset,
      redo,
      a,
      ao,
      aPtr,
      rows,
      m,
      k,
    };
  }

  /** Ends the workers (tests; the engine's pool lives as long as the process). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.shared.drop();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  /** Copies the rest of A in, a block's rows at a time, each released to the workers at once. */
  private copyRestOfA(started: StartedProduct): void {
    const { a, ao, aPtr, m, k } = started;
    let rows = started.rows;
    for (let block = 1; rows < m; block++) {
      const end = this.control[BLOCK_STARTS + block + 1]!;
      this.shared.heap.set(a.subarray(ao + rows * k, ao + end * k), (aPtr >>> 2) + rows * k);
      this.publishRows((rows = end));
    }
  }

  /**
   * Backs off after a product whose worker was late (holding a block the caller had to compute,
   * or slow enough that the product took longer than one thread would):
   * on a machine where another process keeps the other core busy, pooled products paid for waits
   * and duplicated blocks, and ran slower than on one thread. So a late worker pauses the pool
   * (products run on the calling thread) for 1 ms, doubling with each late one up to a second,
   * and each prompt product halves the next pause: a rare hiccup costs a millisecond of one thread.
   */
  private workerWasLate(late: boolean): void {
    if (late) {
      this.pauseMs = Math.min(MAX_PAUSE_MS, Math.max(MIN_PAUSE_MS, 2 * this.pauseMs));
      this.pausedUntil = performance.now() + this.pauseMs;
    } else {
      this.pauseMs /= 2;
    }
  }

  /** Tells the workers how many rows of op(A) they can use. */
  private publishRows(rows: number): void {
    const c = this.control;
    Atomics.store(c, JOB.ready, rows);
    if (this.workers.some((w) => Atomics.load(c, w.slot + SLOT.sleeping) === WAITS_FOR_ROWS))
      Atomics.notify(c, JOB.ready);
  }

  /** Takes back jobs no worker has started (they would find no block left anyway). */
  private cancelUntakenJobs(): void {
    const c = this.control;
    for (const w of this.workers) Atomics.compareExchange(c, w.slot + SLOT.state, STATE.job, STATE.idle);
  }

  /**
   * Makes sure no worker runs a job (its own caller's, or one an unwound caller left behind):
   * stops handing out blocks, releases a worker waiting for rows of A, cancels jobs not yet taken
   * and waits up to `patienceMs` for the running ones. False when one still runs then (the OS
   * switched it out holding a block the caller computed meanwhile), or failed, or is past its
   * product's deadline (the pool then shuts down).
   */
  private settle(patienceMs: number): boolean {
    if (this.failure !== null) return false;
    const c = this.control;
    Atomics.store(c, JOB.next, NO_MORE_BLOCKS);
    this.publishRows(-1);
    const now = performance.now();
    const until = now + patienceMs;
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
        const now = performance.now();
        if (now > this.jobDeadline) {
          this.fail(
            `worker ${i + 1} did not finish its rows within ${Math.round(this.jobDeadline - this.jobPosted)} ms`,
          );
          return false;
        }
        if (now > until) return false;
        if (state !== STATE.job && now > spinUntil) Atomics.wait(c, at, state, Math.min(until, this.jobDeadline) - now);
      }
    }
    return true;
  }

  /** Drops an outsized shared memory (memories never shrink), and has the workers drop theirs. */
  private releaseIfLarge(): void {
    if (this.shared.byteLength > POOL_KEEP_MEMORY_BYTES) {
      if (!this.settle(Infinity)) return; // a worker may still run a block the caller also computed
      this.shared.drop();
      for (const w of this.workers) {
        Atomics.store(this.control, w.slot + SLOT.state, STATE.drop);
        Atomics.notify(this.control, w.slot + SLOT.state);
      }
    }
  }

  /** The error a worker posted before it set FAILED, if any. */
  private reportedError(w: WorkerHandle): string | null {
    const received = this.threadsModule.receiveMessageOnPort(w.port) as { message?: { error?: string } } | undefined;
    return received?.message?.error ?? null;
  }

  private fail(reason: string): void {
    if (this.failure !== null || this.stopped) return;
    this.failure = reason;
    this.shared.drop();
    for (const w of this.workers) void w.worker.terminate();
    this.onFailure(reason);
  }
}
