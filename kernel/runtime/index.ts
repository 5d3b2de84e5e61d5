// First cut: the real runtime (a forked child process) replaces this body; the signature stays.
import vm from "node:vm";
import { inspect } from "node:util";
import type { Interpreter, ExecuteOutcome } from "./interpreter.js";

export interface RuntimeOptions {
  /** The kernel's own log (the parent's stderr), one line at a time. */
  log: (line: string) => void;
  /** The notebook's folder; imports and relative paths resolve from here. */
  cwd?: string;
}

/** Starts the cell runtime and returns the Interpreter the server talks to. */
export function startRuntime(options: RuntimeOptions): Interpreter {
  options.log("runtime: in-process first cut (JavaScript only)");
  return {
    async execute(code, _options, events): Promise<ExecuteOutcome> {
      try {
        const value: unknown = vm.runInThisContext(code, { filename: "cell" });
        const result = value === undefined ? undefined : { data: { "text/plain": inspect(value) }, metadata: {} };
        void events;
        return { status: "ok", result, userExpressions: {} };
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        return { status: "error", ename: e.name, evalue: e.message, traceback: [String(e.stack)], userExpressions: {} };
      }
    },
    async complete(_code, cursorPos) {
      return { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos, metadata: {} };
    },
    async inspect() {
      return { found: false, data: {}, metadata: {} };
    },
    async isComplete() {
      return { status: "unknown" };
    },
    interrupt() {},
    async shutdown() {},
  };
}
