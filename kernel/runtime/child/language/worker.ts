// The language worker: a thread of the runtime child that owns the language service, so
// loading the compiler and the engine's declarations (seconds, at start) and checking or
// completing a cell never block the thread that runs cells. It warms up as soon as it starts;
// requests that arrive meanwhile wait in its queue. Messages: see LanguageRequest.
import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { saveCompilerCodeCache } from "../typescript.js";
import { type LanguageSetup, NotebookLanguageService } from "./service.js";

/** Main thread → worker. `commit` gets no reply. */
export type LanguageRequest =
  | { id: number; type: "check"; code: string; cellName: string }
  | { id: number; type: "commit"; code: string }
  | { id: number; type: "complete"; code: string; cursor: number }
  | { id: number; type: "inspect"; code: string; cursor: number; detailLevel: 0 | 1 };

/** Worker → main thread: the answer to request `id`, or why there is none. */
export type LanguageReply = { id: number; result: unknown } | { id: number; error: string };

const port = parentPort!;
const service = new NotebookLanguageService(workerData as LanguageSetup);

function answer(request: LanguageRequest): unknown {
  switch (request.type) {
    case "check":
      return service.check(request.code, request.cellName);
    case "commit":
      return service.commit(request.code);
    case "complete":
      return service.complete(request.code, request.cursor);
    case "inspect":
      return service.inspect(request.code, request.cursor, request.detailLevel);
  }
}

let answered = 0;

port.on("message", (request: LanguageRequest) => {
  answered++;
  let reply: LanguageReply;
  try {
    reply = { id: request.id, result: answer(request) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  if (request.type !== "commit" || "error" in reply) port.postMessage(reply);
});

// The check first: the first cell waits for it. Completion's warm-up comes after the requests
// already waiting, and only if nothing has exercised it yet.
const compilerLoaded = performance.now();
warmUp(() => service.warmUpCheck());
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
  } catch (error) {
    port.postMessage({
      id: 0,
      error: `warm-up failed: ${error instanceof Error ? error.stack : String(error)}`,
    } satisfies LanguageReply);
  }
}
