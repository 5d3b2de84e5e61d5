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
import { type TranspileResult, transpileCell } from "../transpile.js";
import { saveCompilerCodeCache } from "../typescript.js";
import type { TypeErrorReport } from "./diagnostics.js";
import { type LanguageSetup, NotebookLanguageService } from "./service.js";

/** Main thread → worker. `commit` gets no reply. */
export type LanguageRequest =
  | { id: number; type: "prepare"; code: string; cellName: string; check: boolean }
  | { id: number; type: "compile"; code: string; fileName: string }
  | { id: number; type: "isComplete"; code: string }
  | { id: number; type: "commit"; code: string }
  | { id: number; type: "complete"; code: string; cursor: number }
  | { id: number; type: "inspect"; code: string; cursor: number; detailLevel: 0 | 1 };

/**
 * What `prepare` answers: the cell refused before any analysis (brackets nested too deep), its
 * type errors, or the JavaScript to run.
 */
export type PreparedCell = { refused: string } | { typeErrors: TypeErrorReport } | { compiled: TranspileResult };

/** Worker → main thread: the answer to request `id`, or why there is none. */
export type LanguageReply = { id: number; result: unknown } | { id: number; error: string };

const port = parentPort!;
const service = new NotebookLanguageService(workerData as LanguageSetup);
// Each check leaves a program's worth of garbage: collected once requests pause (idle-gc.ts).
const collector = new IdleCollector(500);

function answer(request: LanguageRequest): unknown {
  switch (request.type) {
    case "prepare":
      return prepare(request.code, request.cellName, request.check);
    case "compile":
      return transpileCell(request.code, request.fileName);
    case "isComplete":
      return isComplete(request.code) satisfies CompletenessResult;
    case "commit":
      return service.commit(request.code);
    case "complete":
      return service.complete(request.code, request.cursor);
    case "inspect":
      return service.inspect(request.code, request.cursor, request.detailLevel);
  }
}

function prepare(code: string, cellName: string, check: boolean): PreparedCell {
  // Refused before any analysis, as Python refuses "too many nested parentheses": the checker
  // would take minutes, the compiler and V8 overflow their stacks.
  const { deepest } = scanBrackets(code);
  if (deepest > MAX_NESTING)
    return { refused: `brackets nested ${deepest} deep; at most ${MAX_NESTING} levels are accepted` };
  const typeErrors = check ? service.check(code, cellName) : undefined;
  return typeErrors ? { typeErrors } : { compiled: transpileCell(code, cellName) };
}

let answered = 0;

port.on("message", (request: LanguageRequest) => {
  answered++;
  collector.busy();
  let reply: LanguageReply;
  try {
    reply = { id: request.id, result: answer(request) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  if (request.type !== "commit" || "error" in reply) port.postMessage(reply);
  collector.worked();
});

// The check first: the first cell waits for it. Completion's warm-up comes after the requests
// already waiting, and only if nothing has exercised it yet.
const compilerLoaded = performance.now();
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
