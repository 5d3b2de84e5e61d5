// A worker thread that stops the runtime's main thread when a cell's loop keeps it busy: the
// main thread cannot read the parent's "interrupt" message until the loop ends. The parent
// writes commands on fd 4 (see ipc.ts):
//   "i<execId>;" → record that execute as interrupted (the main thread checks it before a cell's
//                  synchronous part, for an interrupt that came while the cell was compiled) and
//                  set the engine's shared interrupt flag: the next tensor op throws
//                  KeyboardInterrupt, and the cell's own `finally` blocks run.
//   "t<execId>;" → if that cell still runs, `Runtime.terminateExecution` over the inspector: V8
//                  unwinds whatever JavaScript is running (a plain `for (;;) {}`), then the main
//                  thread carries on; this thread tells it when the unwinding is over
//                  ("terminated"), so it can report a cell whose own code was unwound with it
//                  (main.ts). Only for the execute it names (see terminateFor).
// It also keeps the runtime within its memory limit (memory-guard.ts).
import { writeSync } from "node:fs";
import { Session } from "node:inspector";
import { Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { WATCHDOG_FD, watchdogStillCompiling } from "../ipc.js";
import { endRuntimeOverLimit, guardMemory, memoryLimitMb } from "./memory-guard.js";

const { flag, runningExec, callbackRunning, interruptedExec, unwindGuard } = workerData as {
  flag: Int32Array;
  runningExec: Int32Array;
  callbackRunning: Int32Array;
  interruptedExec: Int32Array;
  /** Above 0 while the engine loads what must not be left half-made (engine/interrupt.ts). */
  unwindGuard: Int32Array;
};

// Connected only while terminating: an open session makes the process wait for the
// "debugger" to disconnect when it exits. The callback comes once V8 has unwound the main
// thread's JavaScript and cancelled the termination.
function terminateMainThread(): void {
  const session = new Session();
  session.connectToMainThread();
  session.post("Runtime.terminateExecution", (error) => {
    session.disconnect();
    if (error) writeSync(2, `runtime: the watchdog could not stop the main thread: ${error.message}\n`);
    parentPort?.postMessage("terminated");
  });
}

function interrupt(execId: number): void {
  if (execId > 0) Atomics.store(interruptedExec, 0, execId);
  // Set whatever runs: a stale flag is cleared before the next cell begins.
  Atomics.store(flag, 0, 1);
}

/**
 * Only while execute `execId`'s own code runs (0: none, after an interrupt while idle), or, with
 * no cell running, whatever holds the main thread up (a cell's timer callback, an earlier
 * cell's promise loop): never another cell, nor the compiler (the parent is told to ask again).
 */
function terminateFor(execId: number): void {
  const running = Atomics.load(runningExec, 0);
  if (running === execId && execId > 0) {
    // Compiling, or loading a library: the parent asks again later.
    if (Atomics.load(runningExec, 1) === 1 || Atomics.load(unwindGuard, 0) > 0)
      pipe.write(watchdogStillCompiling(execId));
    else terminateMainThread();
  } else if (running === 0 && Atomics.load(runningExec, 1) === 0 && Atomics.load(unwindGuard, 0) === 0) {
    if (Atomics.load(callbackRunning, 0) === 1) terminateMainThread();
    // Something else holds the main thread (an earlier cell's promise loop), or nothing does
    // (the cell is just ending): only a main thread that does not answer is stopped, so a
    // termination never waits for the next cell.
    else void whenUnresponsive().then((busy) => busy && terminateMainThread());
  }
}

let probes = 0;

/**
 * True when the main thread does not answer a message within PROBE_MS: it is running something.
 * Each probe has a number: the answer to an earlier probe may come late, and must not count.
 */
function whenUnresponsive(): Promise<boolean> {
  const probe = ++probes;
  return new Promise((resolveProbe) => {
    const timer = setTimeout(() => {
      parentPort?.off("message", answered);
      resolveProbe(true);
    }, PROBE_MS);
    const answered = (message: unknown) => {
      if (message !== probe) return;
      clearTimeout(timer);
      parentPort?.off("message", answered);
      resolveProbe(false);
    };
    parentPort?.on("message", answered);
    parentPort?.postMessage({ probe });
  });
}

const PROBE_MS = 100;

let buffered = "";
const pipe = new Socket({ fd: WATCHDOG_FD, readable: true, writable: true });
pipe.on("data", (bytes: Buffer) => {
  buffered += bytes.toString("latin1");
  const commands = buffered.split(";");
  buffered = commands.pop() ?? "";
  for (const command of commands) {
    if (command.startsWith("i")) interrupt(Number(command.slice(1)) || 0);
    else if (command.startsWith("t")) terminateFor(Number(command.slice(1)) || 0);
  }
});
// The pipe closes when the parent dies. The main thread would notice its IPC channel closing,
// unless a cell keeps it busy: then this thread ends the runtime, so no orphan spins a core.
const endRuntime = () => process.kill(process.pid, "SIGKILL");
pipe.on("end", endRuntime);
pipe.on("error", endRuntime);

const limitMb = memoryLimitMb(process.env);
if (limitMb !== undefined) guardMemory(limitMb, endRuntimeOverLimit(limitMb)).unref();
