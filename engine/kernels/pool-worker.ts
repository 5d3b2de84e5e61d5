// The program of a matmul pool worker (see pool.ts) and the control block both sides share.
//
// The worker runs from source text (`new Worker(source, { eval: true })`), not from a file: the
// engine runs from TypeScript sources under vitest and from dist/ in the kernel and in scripts,
// and only a program that travels as text starts the same way in all of them. So `poolWorkerMain`
// must not refer to anything outside its own body (imports, helpers, the constants below): it
// receives the layout of the control block through workerData.

/** Int32 fields of the product being computed, written by the calling thread before it posts jobs. */
export const JOB = {
  generation: 0, // which shared memory the pointers refer to
  // pointers are byte addresses, read back with >>> 0 (memory may reach 4 GB)
  a: 1,
  aRow: 2,
  aK: 3,
  packedB: 4,
  c: 5,
  m: 6,
  k: 7,
  n: 8,
  blocks: 9, // C's rows are split into this many blocks (their first rows at BLOCK_STARTS)…
  next: 10, // …handed out by Atomics.add on this counter, so a thread that starts late simply takes fewer
  // 0 while the calling thread copies the operands in and packs B; then how many of op(A)'s rows
  // are in shared memory (it copies the rest while the workers start on the first blocks); −1:
  // the job was abandoned
  ready: 11,
  stamp: 12, // this job's number: a thread that finishes block b writes it at DONE_FLAGS + b
} as const;

/**
 * The most blocks one product is split into. Where the per-block completion flags start in the
 * control block (after the job's area and the slots of up to MAX_THREADS threads): the calling
 * thread reads them to copy finished blocks out early and to find blocks a descheduled worker
 * still holds (it computes those itself). Then the blocks' first rows, MAX_BLOCKS + 1 of them.
 */
export const MAX_BLOCKS = 256;
export const DONE_FLAGS = 16 * 4; // AREA_INTS × engine-pool.ts's MAX_THREADS
export const BLOCK_STARTS = DONE_FLAGS + MAX_BLOCKS;
export const CONTROL_INTS = BLOCK_STARTS + MAX_BLOCKS + 1;

/** Int32 fields of one worker's slot. */
export const SLOT = {
  state: 0,
  packA: 1,
  tile: 2, // byte addresses of this worker's scratch
  // What the worker is (about to be) blocked on in Atomics.wait, so the caller notifies only
  // that: 0 nothing, WAITS_FOR_JOB its state, WAITS_FOR_ROWS the job's ready rows
  sleeping: 3,
} as const;

/** Values of SLOT.sleeping. */
export const WAITS_FOR_JOB = 1;
export const WAITS_FOR_ROWS = 2;

/** Int32s per area of the control block (64 bytes: the job and each slot own a cache line). */
export const AREA_INTS = 16;

/**
 * After a job the worker polls its slot this long before it sleeps in Atomics.wait: the products
 * of a training step come back to back, and a sleeping worker takes ~25 µs to wake (a 200³
 * product takes ~200 µs on two cores). It polls as long for rows of A before it sleeps on them,
 * and the caller as long for a running worker when it must wait for one (dropping memory).
 */
export const SPIN_MS = 0.2;

/** Values of SLOT.state. The calling thread writes JOB, DROP and JOB→IDLE (a cancel); the worker the rest. */
export const STATE = {
  booting: 0, // instantiating; no job may be posted yet
  idle: 1,
  job: 2, // posted, not yet taken
  running: 3, // taken (JOB→RUNNING by compare-exchange, so the caller can cancel an untaken job)
  drop: 4, // forget the current memory (it was outsized) and go back to idle
  failed: 5, // the worker threw; its reason was posted on its port, and the thread has ended
} as const;

/** What the calling thread sends with the worker: its slot, the compiled module, the port for memories. */
export interface PoolWorkerData {
  control: Int32Array;
  slot: number;
  module: object;
  port: unknown;
  job: typeof JOB;
  field: typeof SLOT;
  state: typeof STATE;
  spinMs: number;
  doneFlags: number;
  blockStarts: number;
  waitsForJob: number;
  waitsForRows: number;
}

/** A message on the worker's port: a new shared memory, with the generation that names it. */
export interface MemoryMessage {
  generation: number;
  memory: object;
}

/** The worker's whole program: wait for a job, take blocks of C's rows until none is left, report. */
export function poolWorkerMain(): void {
  // An eval'd worker is a CommonJS script: require, not import.
  const { workerData, receiveMessageOnPort } = require("node:worker_threads");
  const { control, slot, module, port, job, field, state, spinMs, doneFlags, blockStarts, waitsForJob, waitsForRows } =
    workerData as PoolWorkerData;
  const own = slot + field.state;
  // The kernels' exports all take and return numbers (pointers, sizes).
  type WasmExport = (...args: number[]) => number;
  const wasm = (
    globalThis as unknown as {
      WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, WasmExport> } };
    }
  ).WebAssembly;
  let kernels: Record<string, WasmExport> | null = null;
  let generation = -1;
  const signal = (value: number): void => {
    Atomics.store(control, own, value);
    Atomics.notify(control, own);
  };
  try {
    signal(state.idle);
    for (;;) {
      const until = performance.now() + spinMs;
      while (Atomics.load(control, own) === state.idle && performance.now() < until);
      // Set before waiting, cleared after: a caller that reads 0 after posting knows this
      // thread will see the new state without a notify (Atomics.wait checks it atomically).
      Atomics.store(control, slot + field.sleeping, waitsForJob);
      Atomics.wait(control, own, state.idle);
      Atomics.store(control, slot + field.sleeping, 0);
      const command = Atomics.load(control, own);
      if (command === state.drop) {
        kernels = null;
        generation = -1;
        signal(state.idle);
        continue;
      }
      if (command !== state.job || Atomics.compareExchange(control, own, state.job, state.running) !== state.job)
        continue;
      const wanted = control[job.generation]!;
      while (generation !== wanted) {
        // The calling thread posts a new memory before the first job that uses it.
        const received = receiveMessageOnPort(port);
        if (!received) throw new Error(`pool worker: no shared memory for generation ${wanted}`);
        const message = received.message as MemoryMessage;
        if (message.generation !== wanted) continue; // superseded before any job used it
        generation = wanted;
        kernels = new wasm.Instance(module, { env: { memory: message.memory } }).exports;
      }
      const a = control[job.a]! >>> 0,
        aRow = control[job.aRow]!,
        aK = control[job.aK]!;
      const packedB = control[job.packedB]! >>> 0,
        c = control[job.c]! >>> 0;
      const k = control[job.k]!,
        n = control[job.n]!,
        blocks = control[job.blocks]!;
      const packA = control[slot + field.packA]! >>> 0,
        tile = control[slot + field.tile]! >>> 0;
      const stamp = control[job.stamp]!;
      for (let block = Atomics.add(control, job.next, 1); block < blocks; block = Atomics.add(control, job.next, 1)) {
        const first = control[blockStarts + block]!,
          end = control[blockStarts + block + 1]!;
        // The caller is still copying A's rows in (µs per block), or it left the job (−1).
        const waiting = performance.now() + spinMs;
        let ready: number;
        while ((ready = Atomics.load(control, job.ready)) >= 0 && ready < end) {
          if (performance.now() < waiting) continue;
          Atomics.store(control, slot + field.sleeping, waitsForRows);
          Atomics.wait(control, job.ready, ready);
          Atomics.store(control, slot + field.sleeping, 0);
        }
        if (ready < 0) break;
        kernels!.matmulPacked!(
          a + first * aRow * 4,
          aRow,
          aK,
          packedB,
          c + first * n * 4,
          end - first,
          k,
          n,
          packA,
          tile,
        );
        Atomics.store(control, doneFlags + block, stamp); // after its rows: they are visible
      }
      signal(state.idle);
    }
  } catch (error) {
    (port as { postMessage(value: unknown): void }).postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    signal(state.failed);
  }
}

/** The worker's program as source text for `new Worker(…, { eval: true })`. */
export const POOL_WORKER_SOURCE = `(${poolWorkerMain.toString()})();\n`;
