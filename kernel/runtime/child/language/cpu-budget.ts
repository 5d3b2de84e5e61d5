// What the language worker is doing and how much CPU it has spent on it, in shared memory, so the
// cell thread can see it while the worker is stuck (a checker deep in one instantiation of a
// recursive type polls nothing and answers nothing).
//
// Budgets count the worker thread's CPU time, not wall time: on a loaded two-core machine a check
// that needs 0.2 s of CPU can take seconds of wall time and must keep its check, while a recursive
// type that needs a minute of CPU is given up after a second or two on any machine. Time a request
// spends waiting in the worker's queue (behind the warm-up, which loads the compiler and the
// declarations) is not counted: only the request's own work is.
import { readFileSync, realpathSync } from "node:fs";

/** What a request is doing: compiling the cell (needed to run it) or analysing it (optional). */
export const PHASE = { idle: 0, compile: 1, analyse: 2 } as const;
export type Phase = (typeof PHASE)[keyof typeof PHASE];

/** Where the worker is, as the cell thread reads it. */
export interface WorkerProgress {
  requestId: number;
  phase: Phase;
  /** CPU milliseconds the worker thread has spent in this phase; undefined where unmeasurable. */
  cpuMs: number | undefined;
}

const TID = 0;
const REQUEST = 1;
const PHASE_SLOT = 2;

/** Shared between the cell thread (which reads it) and the language worker (which writes it). */
export class RequestProgress {
  private readonly ints: Int32Array;
  private readonly started: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(24)) {
    this.ints = new Int32Array(buffer, 0, 4);
    this.started = new Float64Array(buffer, 16, 1);
  }

  /** Worker: records which kernel thread it runs on (Linux; elsewhere budgets count wall time only). */
  registerThisThread(): void {
    try {
      const tid = Number(/\/task\/(\d+)$/.exec(realpathSync("/proc/thread-self"))?.[1]);
      if (Number.isInteger(tid) && threadCpuMs(tid) !== undefined) Atomics.store(this.ints, TID, tid);
    } catch {
      // no /proc: nothing to measure with
    }
  }

  /** Worker: request `requestId` enters `phase` now. */
  enter(requestId: number, phase: Phase): void {
    const tid = Atomics.load(this.ints, TID);
    this.started[0] = tid ? (threadCpuMs(tid) ?? Number.NaN) : Number.NaN;
    Atomics.store(this.ints, PHASE_SLOT, phase);
    Atomics.store(this.ints, REQUEST, requestId);
  }

  /** Worker: the request is answered. */
  leave(): void {
    Atomics.store(this.ints, REQUEST, 0);
    Atomics.store(this.ints, PHASE_SLOT, PHASE.idle);
  }

  /** Cell thread: the request the worker is working on, if any. */
  read(): WorkerProgress | undefined {
    const requestId = Atomics.load(this.ints, REQUEST);
    if (requestId === 0) return undefined;
    const phase = Atomics.load(this.ints, PHASE_SLOT) as Phase;
    const tid = Atomics.load(this.ints, TID);
    const now = tid ? threadCpuMs(tid) : undefined;
    const started = this.started[0]!;
    const cpuMs = now === undefined || Number.isNaN(started) ? undefined : Math.max(0, now - started);
    // The worker may have moved on between the reads: trust only a consistent view.
    if (Atomics.load(this.ints, REQUEST) !== requestId) return undefined;
    return { requestId, phase, cpuMs };
  }
}

/**
 * CPU time of thread `tid` of this process, in ms: schedstat's nanoseconds on the CPU, else
 * stat's user + system clock ticks (1/100 s).
 */
export function threadCpuMs(tid: number): number | undefined {
  try {
    const schedstat = readFileSync(`/proc/self/task/${tid}/schedstat`, "latin1");
    const ns = Number(schedstat.split(" ")[0]);
    if (Number.isFinite(ns)) return ns / 1e6;
  } catch {
    // no schedstat (a kernel without CONFIG_SCHED_INFO): try stat
  }
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "latin1");
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}
