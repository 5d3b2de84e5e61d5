// One memory limit for the whole runtime: V8's heap limit covers JavaScript objects only, and a
// tensor's typed array or the WebAssembly kernels' memory lives outside it (a loop of 1 GiB
// Float32Arrays passed 12 GiB in 15 s). So the watchdog thread, which runs while a cell spins,
// samples the process's resident set and ends the runtime past the limit, after a line on fd 2
// that the parent turns into the cell's message ("used more than its memory limit of N MiB").
import { writeSync } from "node:fs";
import { RUNTIME_MEMORY_ENV } from "../ipc.js";

/** Often enough that a cell allocating 1 GiB/s overshoots by tens of MiB, not gigabytes. */
const SAMPLE_EVERY_MS = 20;
const MIB = 2 ** 20;

/** The limit the parent set, in MiB, or undefined (none: the guard does not run). */
export function memoryLimitMb(env: NodeJS.ProcessEnv): number | undefined {
  const limit = Number(env[RUNTIME_MEMORY_ENV]);
  return Number.isFinite(limit) && limit > 0 ? limit : undefined;
}

/** Samples the resident set every SAMPLE_EVERY_MS; past `limitMb`, calls `onExceeded` once. */
export function guardMemory(limitMb: number, onExceeded: (usedMb: number) => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    const usedMb = process.memoryUsage.rss() / MIB;
    if (usedMb <= limitMb) return;
    clearInterval(timer);
    onExceeded(Math.round(usedMb));
  }, SAMPLE_EVERY_MS);
  return timer;
}

/** What the watchdog does past the limit: say why on fd 2 (the kernel's log), then end the runtime. */
export function endRuntimeOverLimit(limitMb: number): (usedMb: number) => void {
  return (usedMb) => {
    writeSync(2, `runtime: the runtime used ${usedMb} MiB, over its memory limit of ${limitMb} MiB; ending it\n`);
    process.kill(process.pid, "SIGKILL");
  };
}
