// A worker thread that can stop the runtime's main thread when it cannot stop itself: a
// synchronous loop that started after an `await` runs outside `breakOnSigint`, so SIGINT
// never reaches it. The parent writes one byte on fd 4 (see ipc.ts):
//   "i" → set the engine's shared interrupt flag (the next tensor op throws KeyboardInterrupt)
//   "t" → `Runtime.terminateExecution` over the inspector: V8 unwinds whatever JavaScript is
//         running, then the main thread carries on (the pending "interrupt" message ends the cell).
// It also keeps the runtime within its memory limit (memory-guard.ts).
import { Session } from "node:inspector";
import { Socket } from "node:net";
import { workerData } from "node:worker_threads";
import { WATCHDOG_FD, WATCHDOG_INTERRUPT, WATCHDOG_TERMINATE } from "../ipc.js";
import { endRuntimeOverLimit, guardMemory, memoryLimitMb } from "./memory-guard.js";

const { flag, cellRunning, inBreakOnSigint } = workerData as {
  flag: Int32Array;
  cellRunning: Int32Array;
  inBreakOnSigint: Int32Array;
};

// Connected only while terminating: an open session makes the process wait for the
// "debugger" to disconnect when it exits.
function terminateMainThread(): void {
  const session = new Session();
  session.connectToMainThread();
  session.post("Runtime.terminateExecution", () => session.disconnect());
}

const pipe = new Socket({ fd: WATCHDOG_FD, readable: true, writable: false });
pipe.on("data", (bytes: Buffer) => {
  const commands = bytes.toString("latin1");
  // Not while a cell's synchronous part runs under breakOnSigint: the SIGINT sent with this
  // byte stops it. Had the flag stopped it first, that SIGINT would come as the part ended, and
  // Node's SIGINT watchdog can then keep the signal for the next script it guards: the next
  // cell was interrupted before it began.
  if (commands.includes(WATCHDOG_INTERRUPT) && Atomics.load(inBreakOnSigint, 0) === 0) Atomics.store(flag, 0, 1);
  // Only while a cell runs: a termination requested while the main thread is idle would hit
  // whatever JavaScript it runs next (the next request's handler).
  if (commands.includes(WATCHDOG_TERMINATE) && Atomics.load(cellRunning, 0) === 1) terminateMainThread();
});
// The pipe closes when the parent dies. The main thread would notice its IPC channel closing,
// unless a cell keeps it busy: then this thread ends the runtime, so no orphan spins a core.
const endRuntime = () => process.kill(process.pid, "SIGKILL");
pipe.on("end", endRuntime);
pipe.on("error", endRuntime);

const limitMb = memoryLimitMb(process.env);
if (limitMb !== undefined) guardMemory(limitMb, endRuntimeOverLimit(limitMb)).unref();
