// The runtime child process: holds every cell's state and the engine; its language worker holds
// the TypeScript compiler.
// Started by startRuntime() (../index.ts) with an IPC channel; it never writes to the cell's
// streams on its own behalf: its log goes to fd 2, which the parent forwards to the kernel log.
import { writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type * as EngineSink from "../../../engine/train/sink.js";
import type { ExecuteOutcome } from "../interpreter.js";
import type { FromChild, ToChild } from "../ipc.js";
import { installCellConsole } from "./cell-console.js";
import { currentRun, forgetCallbackOwner } from "./cell-context.js";
import { createDisplayApi, type DisplayFunction } from "./display-api.js";
import { Executor, interruptedOutcome, ProcessExitError } from "./executor.js";
import { releaseFreeMemory } from "./free-memory.js";
import { IdleCollector } from "./idle-gc.js";
import { createCellRequire, defaultExport, importModule, interop, registerCellLoader } from "./importer.js";
import { CellLanguage, languageIdleReleaseMs, typeCheckWanted } from "./language/client.js";
import { OutputChannel } from "./output.js";
import { NOT_PRELOADED } from "./preloaded-names.js";
import { PromptChannel } from "./prompt-channel.js";
import { RUNTIME_GLOBAL } from "./runtime-global.js";
import { createInput, createPrompt } from "./stdin.js";
import { cancelCellTimers, runtimeSetTimeout, trackCellTimers } from "./timers.js";
import { describeError } from "./traceback.js";

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const PROJECT = dirname(DIST);
const NOTEBOOK_DIR = process.cwd();

const exitRuntime = process.exit.bind(process);

function log(line: string): void {
  writeSync(2, `runtime: ${line}\n`);
}

// Captured: a cell may assign the global `process`; the runtime must still reach its parent.
const runtimeProcess = process;

function send(message: FromChild): void {
  runtimeProcess.send?.(message);
}

interface EngineInterrupt {
  requestInterrupt(): void;
  clearInterrupt(): void;
  useInterruptFlag?(flag: Int32Array): void;
  useUnwindGuard?(guard: Int32Array): void;
}

const output = new OutputChannel(send, (flush, ms) => runtimeSetTimeout(flush, ms));
const interruptFlag = new Int32Array(new SharedArrayBuffer(4));
const promptChannel = new PromptChannel(() => Atomics.load(interruptFlag, 0) === 1);
/**
 * The running cell for the watchdog: [execId (0: none), 1 while the runtime prepares or
 * compiles its code]. It terminates the cell's own code only, never the compiler.
 */
const runningExec = new Int32Array(new SharedArrayBuffer(8));
/** 1 while a cell's timer callback runs (timers.ts): the watchdog may stop it too. */
const callbackRunning = new Int32Array(new SharedArrayBuffer(4));
/** The execId the parent last interrupted, written by the watchdog as the interrupt comes. */
const interruptedExec = new Int32Array(new SharedArrayBuffer(4));
/** Above 0 while the engine must not be unwound (engine/interrupt.ts withoutUnwinding). */
const unwindGuard = new Int32Array(new SharedArrayBuffer(4));
let engineInterrupt: EngineInterrupt | undefined;
// The engine's live-output sink (engine/train/sink.ts): live charts and progress bars display
// through it, and it flushes their final state before each reply.
let engineSink: typeof EngineSink | undefined;

const executor = new Executor({
  beforeCell: () => engineInterrupt?.clearInterrupt(),
  stage: (execId, userCode) => markCell(execId, !userCode),
  afterCell: () => markCell(0, false),
  interruptRequested: (execId) => Atomics.load(interruptedExec, 0) === execId,
  compile: (code, fileName) => language.compile(code, fileName),
});

// Compiling, type checks, completion and inspection: a worker thread, warming up from now on.
const language = new CellLanguage({
  notebookDir: NOTEBOOK_DIR,
  projectDir: PROJECT,
  checkBeforeRun: typeCheckWanted(process.env),
  releaseAfterMs: languageIdleReleaseMs(process.env),
  cellRunning: () => currentExecute !== undefined,
  log,
});

// A cell's garbage is collected once the runtime has been idle a second (idle-gc.ts), and the C
// heap's free pages go back to the system (free-memory.ts).
const collector = new IdleCollector(1000, releaseFreeMemory);

/** Set while an execute waits for its type check: an interrupt then cancels it. */
let cancelWaitingExecute: (() => void) | undefined;
/** The execute being handled (waiting for its type check, running, or being reported). */
let currentExecute: { execId: number; code: string } | undefined;

// Input requests wait here for the parent's inputReply.
let nextInputId = 0;
const pendingInputs = new Map<number, (value: string) => void>();

async function main(): Promise<void> {
  installCellConsole(output, log);
  trackCellTimers((running) => Atomics.store(callbackRunning, 0, running ? 1 : 0));
  registerCellLoader(NOTEBOOK_DIR, PROJECT);
  process.setSourceMapsEnabled(true);
  guardProcess();
  const display = installGlobals();
  await loadEngine(display);
  startWatchdog();
  process.on("message", (message: ToChild) => void handle(message));
  process.on("disconnect", () => exitRuntime(0)); // the kernel is gone
  send({ type: "ready" });
}

function installGlobals(): DisplayFunction {
  const { display, clearOutput } = createDisplayApi({
    display: (event) => output.message({ type: "display", execId: currentRun()?.execId ?? 0, event }),
    clearOutput: (wait) => output.message({ type: "clearOutput", execId: currentRun()?.execId ?? 0, wait }),
  });
  const input = createInput((execId, prompt, password) => {
    const requestId = ++nextInputId;
    return new Promise<string>((resolveInput) => {
      pendingInputs.set(requestId, resolveInput);
      output.message({ type: "input", execId, requestId, prompt, password });
    });
  });
  const globals: Record<string, unknown> = {
    display,
    clearOutput,
    input,
    prompt: createPrompt((execId, prompt, password) => promptChannel.ask(execId, prompt, password)),
    require: createCellRequire(NOTEBOOK_DIR, PROJECT),
  };
  for (const [name, value] of Object.entries(globals)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
  Object.defineProperty(globalThis, RUNTIME_GLOBAL, {
    value: Object.freeze({ importModule, interop, defaultExport }),
    enumerable: false,
  });
  return display;
}

// Set when the engine could not be imported: every cell then says so, instead of failing later
// with a puzzling "tensor is not defined".
let engineLoadError: string | undefined;

/** The engine's exports become globals, as if every cell began with `import * from "tsgrad"`. */
async function loadEngine(display: DisplayFunction): Promise<void> {
  try {
    const engine = (await import(pathToFileURL(join(DIST, "engine/index.js")).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(engine)) {
      if (NOT_PRELOADED.has(name)) continue;
      const existing = Object.getOwnPropertyDescriptor(globalThis, name);
      if (existing && !existing.configurable && !existing.writable) continue;
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
  } catch (error) {
    log(`engine not loaded: ${String(error)}`);
    engineLoadError = String(error);
  }
  try {
    const interruptModule = join(DIST, "engine/interrupt.js");
    engineInterrupt = (await import(pathToFileURL(interruptModule).href)) as EngineInterrupt;
    engineInterrupt.useInterruptFlag?.(interruptFlag);
    engineInterrupt.useUnwindGuard?.(unwindGuard);
  } catch (error) {
    log(`engine interrupt flag unavailable: ${String(error)}`);
  }
  try {
    // The same module instance as the engine's own imports: the same file in DIST.
    engineSink = (await import(pathToFileURL(join(DIST, "engine/train/sink.js")).href)) as typeof EngineSink;
    engineSink.connectNotebook((first) => {
      const handle = display(first.data, { raw: true, metadata: first.metadata });
      return { update: (next) => handle.update(next.data, { raw: true, metadata: next.metadata }) };
    });
  } catch (error) {
    log(`engine display sink unavailable: ${String(error)}`);
  }
}

function startWatchdog(): void {
  try {
    const worker = new Worker(new URL("./watchdog.js", import.meta.url), {
      workerData: { flag: interruptFlag, runningExec, callbackRunning, interruptedExec, unwindGuard },
    });
    worker.on("message", (message: "terminated" | { probe: number }) => {
      if (message === "terminated") settleUnwoundExecute();
      else worker.postMessage(message.probe); // the watchdog asks whether this thread is free
    });
    worker.on("error", (error) => log(`watchdog stopped: ${String(error)}`));
    worker.unref();
  } catch (error) {
    log(`watchdog unavailable: ${String(error)}`);
  }
}

/** Cells must not end the runtime, and nothing they leave behind may crash it. */
function guardProcess(): void {
  process.exit = ((code?: unknown) => {
    throw new ProcessExitError(code);
  }) as typeof process.exit;
  // Late errors (a timer's callback throws, a promise nobody awaited rejects) are reported
  // as stderr of the latest cell: the runtime lives on.
  const reportLate = (error: unknown) => {
    const run = currentRun();
    const { traceback } = describeError(error, executor.sourceMaps);
    const text = `Uncaught ${traceback.join("\n")}\n`;
    if (run) output.stream(run.execId, "stderr", text);
    else log(text);
  };
  process.on("uncaughtException", reportLate);
  process.on("unhandledRejection", reportLate);
  // Interrupts come from the parent as a watchdog command and a message naming their execute,
  // never as a signal (a signal cannot say which cell it meant). A stray SIGINT (a `kill -INT`
  // by hand) must not end the runtime.
  process.on("SIGINT", () => {});
}

/** Tells the watchdog which cell runs (0: none) and whether the runtime is compiling it. */
function markCell(execId: number, compiling: boolean): void {
  // A termination that raced into a guarded section skipped its `finally`: no count survives a cell.
  Atomics.store(unwindGuard, 0, 0);
  Atomics.store(runningExec, 1, compiling ? 1 : 0);
  Atomics.store(runningExec, 0, execId);
}

/**
 * Called once the watchdog's termination has unwound the main thread's JavaScript (and before
 * an interrupt is handled). Seen from the event loop, an execute in progress is alive only while
 * it waits for its type check or for its cell's asynchronous part; otherwise the termination
 * unwound its own code with the cell's (a synchronous part, the formatting of a value): nothing
 * would ever report it, so it ends here as interrupted, every variable kept.
 */
function settleUnwoundExecute(): void {
  // Nothing of a cell's runs while the event loop calls this: a timer callback still marked as
  // running was unwound.
  Atomics.store(callbackRunning, 0, 0);
  forgetCallbackOwner();
  const execute = currentExecute;
  if (!execute || cancelWaitingExecute || executor.suspended) return;
  executor.abandon();
  cancelCellTimers();
  language.ran(execute.code);
  finishExecute(execute.execId, interruptedOutcome());
}

/**
 * Stops the execute `execId` if it is the one waiting or running (an interrupt that came too late
 * for its cell is dropped); null, sent while the kernel is idle, stops finished cells' timers.
 */
function interruptExecute(execId: number | null): void {
  if (execId === null) {
    if (currentExecute === undefined) cancelCellTimers();
    return;
  }
  if (execId !== currentExecute?.execId) return;
  settleUnwoundExecute();
  if (currentExecute === undefined) return;
  // A cell's own `process.on("SIGINT")` listeners hear of the interrupt, as from a terminal.
  try {
    runtimeProcess.emit("SIGINT", "SIGINT");
  } catch (error) {
    output.stream(execId, "stderr", `Uncaught ${describeError(error, executor.sourceMaps).traceback.join("\n")}\n`);
  }
  engineInterrupt?.requestInterrupt();
  cancelCellTimers();
  executor.interrupt();
  cancelWaitingExecute?.();
}

/** Live charts and progress bars send their final state before the cell's reply (engine/train/sink.ts). */
function flushLiveOutputs(): void {
  try {
    engineSink?.flushPendingOutputs();
  } catch (error) {
    log(`live output flush failed: ${String(error)}`);
  }
}

function engineNotLoadedOutcome(reason: string): ExecuteOutcome {
  return errorOutcome(
    "EngineNotLoaded",
    `the tsgrad engine failed to load, so no cell can run (${reason}); rebuild with \`npm run build\` and restart the kernel`,
  );
}

function errorOutcome(ename: string, evalue: string): ExecuteOutcome {
  return { status: "error", ename, evalue, traceback: [`${ename}: ${evalue}`], userExpressions: {} };
}

async function handle(message: ToChild): Promise<void> {
  switch (message.type) {
    case "execute":
      return runExecute(message);
    case "interrupt":
      interruptExecute(message.execId);
      return;
    case "inputReply":
      pendingInputs.get(message.requestId)?.(message.value);
      pendingInputs.delete(message.requestId);
      return;
    default:
      return answer(message);
  }
}

/** Runs one execute; whatever goes wrong in here, its outcome is sent (the parent waits for it). */
async function runExecute(message: Extract<ToChild, { type: "execute" }>): Promise<void> {
  currentExecute = { execId: message.execId, code: message.code };
  // The language worker prepares it (or, if that fails, the compiler on this thread).
  markCell(message.execId, true);
  collector.busy();
  let outcome: ExecuteOutcome;
  try {
    outcome = await checkAndRun(message);
  } catch (error) {
    log(`execute failed: ${error instanceof Error ? error.stack : String(error)}`);
    outcome = errorOutcome("InternalError", `the runtime could not run this cell: ${String(error)}`);
  }
  finishExecute(message.execId, outcome);
}

/** Sends the outcome of the execute in progress, once. */
function finishExecute(execId: number, outcome: ExecuteOutcome): void {
  if (currentExecute?.execId !== execId) return;
  markCell(0, false);
  flushLiveOutputs();
  output.message({ type: "outcome", execId, outcome });
  currentExecute = undefined;
  collector.worked();
}

async function checkAndRun(message: Extract<ToChild, { type: "execute" }>): Promise<ExecuteOutcome> {
  // An interrupt during the type check ends the execute before anything runs.
  const interrupted = new Promise<"interrupted">(
    (resolveWait) => (cancelWaitingExecute = () => resolveWait("interrupted")),
  );
  let prepared: Awaited<ReturnType<CellLanguage["prepare"]>>;
  try {
    const answer = await Promise.race([language.prepare(message.code, message.fileName), interrupted]);
    if (answer === "interrupted") return interruptedOutcome();
    // Refused before any analysis (brackets nested too deep), as Python refuses "too many
    // nested parentheses".
    if ("refused" in answer) return errorOutcome("SyntaxError", answer.refused);
    if (engineLoadError !== undefined) return engineNotLoadedOutcome(engineLoadError);
    if ("typeErrors" in answer) return { status: "error", ...answer.typeErrors, userExpressions: {} };
    // One line saying why, before the cell's own output (the check was given up, not failed).
    if (answer.unchecked)
      output.stream(message.execId, "stderr", `Type check given up: ${answer.unchecked}; the cell runs unchecked.\n`);
    prepared = answer;
  } finally {
    cancelWaitingExecute = undefined;
  }
  const { execId, code, fileName, options } = message;
  const outcome = await executor.execute(execId, code, fileName, options, prepared.compiled);
  language.ran(message.code);
  return outcome;
}

/** complete, inspect, is_complete: always answered, with an error when the analysis throws. */
async function answer(message: Extract<ToChild, { requestId: number; code: string }>): Promise<void> {
  const { requestId } = message;
  try {
    switch (message.type) {
      case "complete":
        return send({ type: "reply", requestId, result: await language.complete(message.code, message.cursorPos) });
      case "inspect": {
        const result = await language.inspect(message.code, message.cursorPos, message.detailLevel);
        return send({ type: "reply", requestId, result });
      }
      case "isComplete":
        return send({ type: "reply", requestId, result: await language.isComplete(message.code) });
    }
  } catch (error) {
    log(`${message.type} failed: ${error instanceof Error ? error.stack : String(error)}`);
    send({ type: "reply", requestId, error: String(error) });
  }
}

main().catch((error) => {
  log(`failed to start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
  process.disconnect?.();
});
