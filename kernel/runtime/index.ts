// The cell runtime as the server sees it: one Interpreter, backed by a child process that
// holds the cells' state (see supervisor.ts for the parent side, child/main.ts for the child).
import type { Interpreter } from "./interpreter.js";
import { type RuntimeOptions, RuntimeSupervisor } from "./supervisor.js";

export type { RuntimeOptions } from "./supervisor.js";

/** Starts the cell runtime (a child process) and returns the Interpreter the server talks to. */
export function startRuntime(options: RuntimeOptions): Interpreter {
  return new RuntimeSupervisor(options);
}
