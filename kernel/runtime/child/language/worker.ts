// The language worker: a thread of the runtime child that owns the TypeScript compiler, so
// loading it and the engine's declarations (seconds, at start) and checking or completing a cell
// never block the thread that runs cells. It is the only thread that loads the compiler (9 MB of
// JavaScript, ~50 MiB resident once loaded): cells are transpiled here too, and is_complete's
// parse runs here. It warms up as soon as it starts; requests that arrive meanwhile wait in its
// queue. Messages: see LanguageRequest.
import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import type { CompletenessResult } from "../../interpreter.js";
import { isComplete, MAX_NESTING, scanBrackets } from "../completeness.js";
import { IdleCollector } from "../idle-gc.js";
import { parseScript } from "../plain-script.js";
import { PLAIN_SCRIPT_CHARS, type TranspileResult, transpileCell } from "../transpile.js";
import { saveCompilerCodeCache } from "../typescript.js";
import { unanalysable, uncompilable } from "./analysis-limits.js";
import { PHASE, RequestProgress } from "./cpu-budget.js";
import type { TypeErrorReport } from "./diagnostics.js";
import { type LanguageSetup, NotebookLanguageService } from "./service.js";

/** Main thread → worker. `commit` gets no reply. */
export type LanguageRequest =
  | { id: number; type: "prepare"; code: string; cellName: string; check: boolean }
  | { id: number; type: "compile"; code: string; fileName: string }
  | { id: number; type: "isComplete"; code: string }
  // `untyped`: the names of a cell too large or deep to analyse, typed `any` for later cells;
  // `anyVariables`: a cell whose check was given up, its variables typed `any` (given-up-cell.ts).
  | { id: number; type: "commit"; code: string; untyped?: string[]; anyVariables?: boolean }
  | { id: number; type: "complete"; code: string; cursor: number }
  | { id: number; type: "inspect"; code: string; cursor: number; detailLevel: 0 | 1 };

/**
 * What `prepare` answers: the cell refused before any analysis (brackets nested too deep), its
 * type errors, or the JavaScript to run (`unchecked`: why it was not type-checked, when it was not).
 */
export type PreparedCell =
  | { refused: string }
  | { typeErrors: TypeErrorReport }
  | { compiled: TranspileResult; unchecked?: string; untyped?: boolean };

/**
 * Worker → main thread: the answer to request `id`, or why there is none. `compiled` comes first,
 * before a `prepare`'s check: a cell whose check is given up runs with it.
 */
export type LanguageReply =
  | { id: number; result: unknown }
  | { id: number; error: string }
  | { id: number; compiled: TranspileResult };

/** What the cell thread gives the worker: the notebook, and the memory it watches the worker through. */
export interface WorkerSetup extends LanguageSetup {
  progress: SharedArrayBuffer;
}

const port = parentPort!;
const { progress: progressBuffer, ...setup } = workerData as WorkerSetup;
const progress = new RequestProgress(progressBuffer);
progress.registerThisThread();
const service = new NotebookLanguageService(setup);
// Each check leaves a program's worth of garbage: collected once requests pause (idle-gc.ts).
const collector = new IdleCollector(500);

function answer(request: LanguageRequest): unknown {
  switch (request.type) {
    case "prepare":
      return prepare(request.id, request.code, request.cellName, request.check);
    case "compile":
      return transpileCell(request.code, request.fileName);
    case "isComplete":
      return isComplete(request.code) satisfies CompletenessResult;
    case "commit":
      return request.untyped
        ? service.commitUntyped(request.untyped)
        : service.commit(request.code, request.anyVariables);
    // Nesting or size past the limits: no typed answer (the cell thread answers from live values).
    case "complete":
      return unanalysable(request.code) || service.leavesCompletionToLiveValues(request.code, request.cursor)
        ? undefined
        : service.complete(request.code, request.cursor);
    case "inspect":
      return unanalysable(request.code)
        ? undefined
        : service.inspect(request.code, request.cursor, request.detailLevel);
  }
}

function prepare(id: number, code: string, cellName: string, check: boolean): PreparedCell {
  // Refused before any analysis, as Python refuses "too many nested parentheses": the checker
  // would take minutes, the compiler and V8 overflow their stacks.
  const { deepest } = scanBrackets(code);
  if (deepest > MAX_NESTING)
    return { refused: `brackets nested ${deepest} deep; at most ${MAX_NESTING} levels are accepted` };
  // A large cell is parsed once, for the depth of its tree and its compile (plain-script.ts).
  const parsed = code.length > PLAIN_SCRIPT_CHARS ? parseScript(code) : undefined;
  const tooDeep = uncompilable(code, parsed);
  if (tooDeep) return { refused: tooDeep };
  // Compiled first and sent at once: if the check is given up (the cell thread stops this worker
  // when it needs too much CPU), the cell runs unchecked with this.
  const compiled = transpileCell(code, cellName, parsed);
  if (!check || !compiled.ok) return { compiled }; // a syntax error is the transpiler's to report
  const refusal = unanalysable(code);
  if (refusal) return { compiled, unchecked: refusal, untyped: true };
  port.postMessage({ id, compiled } satisfies LanguageReply);
  progress.enter(id, PHASE.analyse);
  try {
    const typeErrors = service.check(code, cellName);
    return typeErrors ? { typeErrors } : { compiled };
  } catch (error) {
    // The checker's own limits (its stack, on expressions thousands of terms long).
    return {
      compiled,
      unchecked: `the type checker failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

let answered = 0;

port.on("message", (request: LanguageRequest) => {
  // The checker's warm-up (seconds on a busy machine) is not the request's own work: done before
  // its budget starts.
  if ((request.type === "prepare" && request.check) || request.type === "complete" || request.type === "inspect")
    warmUpChecker();
  answered++;
  collector.busy();
  progress.enter(request.id, request.type === "complete" || request.type === "inspect" ? PHASE.analyse : PHASE.compile);
  let reply: LanguageReply;
  try {
    reply = { id: request.id, result: answer(request) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  progress.leave();
  if (request.type !== "commit" || "error" in reply) port.postMessage(reply);
  collector.worked();
});

// The check's warm-up first (the first cell waits for it), but after the requests already waiting
// that need no checker: a worker restarted after a check was given up answers is_complete without
// waiting for it (jupyter console waits 1 s). Completion's warm-up comes after, and only if nothing
// has exercised it yet.
const compilerLoaded = performance.now();
let checkerWarm = false;
setImmediate(warmUpChecker);

/** Loads every declaration and checks a sample cell, once. */
function warmUpChecker(): void {
  if (checkerWarm) return;
  checkerWarm = true;
  warmUp(() => {
    service.warmUpCheck();
    transpileCell("const warmUp: number = 1\nwarmUp", "cell[warm-up]");
  });
  // A lifecycle line for the kernel's log (the child's fd 2), only when debugging, as the kernel's own.
  if (process.env.TSGRAD_DEBUG)
    writeSync(
      2,
      `runtime: language service ready in ${Math.round(performance.now())} ms (compiler loaded in ${Math.round(compilerLoaded)} ms)\n`,
    );
}
setTimeout(() => answered === 0 && warmUp(() => service.warmUpAssistance()), 100);

function warmUp(step: () => void): void {
  try {
    step();
    saveCompilerCodeCache();
    collector.worked();
  } catch (error) {
    port.postMessage({
      id: 0,
      error: `warm-up failed: ${error instanceof Error ? error.stack : String(error)}`,
    } satisfies LanguageReply);
  }
}
