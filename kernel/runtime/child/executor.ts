// Runs compiled cells in the runtime child: one `vm.Script` per cell in this realm (so
// `instanceof Tensor` and typed arrays work across cells and the engine), `breakOnSigint`
// for synchronous loops, a race against the interrupt for asynchronous ones.
import vm from "node:vm";
import { type FormattedValue, format } from "../../display/format.js";
import type { ExecuteOptions, ExecuteOutcome, UserExpressionResult } from "../interpreter.js";
import { type CellRun, startRun } from "./cell-context.js";
import { DisplayHandle } from "./display-api.js";
import { CellSourceMaps, describeError } from "./traceback.js";
import type { TranspileResult } from "./transpile.js";

/** Thrown by `process.exit()` inside a cell: the runtime must outlive the cell. */
export class ProcessExitError extends Error {
  constructor(code: unknown) {
    super(
      `process.exit(${code === undefined ? "" : String(code)}) was called in a cell; the kernel keeps running and keeps every variable (restart the kernel to start afresh)`,
    );
    this.name = "ProcessExitError";
  }
}

export class KeyboardInterruptError extends Error {
  constructor() {
    super("the cell was interrupted");
    this.name = "KeyboardInterrupt";
  }
}

/** The outcome of a cell interrupted before or while it ran. */
export function interruptedOutcome(): ExecuteOutcome {
  const { name, message } = new KeyboardInterruptError();
  return { status: "error", ename: name, evalue: message, traceback: [`${name}: ${message}`], userExpressions: {} };
}

export interface ExecutorHooks {
  /** TypeScript → the script to run (the language worker does it: the compiler lives there). */
  compile(code: string, fileName: string): Promise<TranspileResult>;
  /** Called before each cell: the engine forgets a stale interrupt request. */
  beforeCell(): void;
  /** Called when the cell (and its user expressions) ended, however it ended. */
  afterCell(): void;
  /**
   * Called with true right before code runs under `breakOnSigint` (a cell's synchronous part),
   * with false right after: meanwhile SIGINT stops it, and nothing else may (see watchdog.ts).
   */
  breakOnSigint(active: boolean): void;
}

const USER_EXPRESSION = "user_expression";

export class Executor {
  readonly sourceMaps = new CellSourceMaps();
  private interruptRunning: ((error: Error) => void) | undefined;
  private runningExecId: number | undefined;

  constructor(private readonly hooks: ExecutorHooks) {}

  /** The execute in progress, if any. */
  get running(): number | undefined {
    return this.runningExecId;
  }

  /** Runs `code`, compiled already (`compiled`) or compiled now. */
  async execute(
    execId: number,
    code: string,
    fileName: string,
    options: ExecuteOptions,
    compiled?: TranspileResult,
  ): Promise<ExecuteOutcome> {
    const run: CellRun = { execId, allowStdin: options.allowStdin };
    this.hooks.beforeCell();
    this.runningExecId = execId;
    try {
      const result = await this.runCode(run, code, fileName, compiled);
      // As ipykernel: user expressions are evaluated only after code that succeeded.
      if (result.status === "error") return { ...result, userExpressions: {} };
      const userExpressions = await this.evaluateUserExpressions(run, options.userExpressions);
      return result.value === undefined
        ? { status: "ok", userExpressions }
        : { status: "ok", result: result.value, userExpressions };
    } finally {
      this.runningExecId = undefined;
      this.interruptRunning = undefined;
      this.hooks.afterCell();
    }
  }

  /** Ends the running cell now with a KeyboardInterrupt (its pending work is abandoned). */
  interrupt(): boolean {
    if (!this.interruptRunning) return false;
    this.interruptRunning(new KeyboardInterruptError());
    return true;
  }

  private async runCode(
    run: CellRun,
    code: string,
    fileName: string,
    precompiled?: TranspileResult,
  ): Promise<
    { status: "ok"; value?: FormattedValue } | { status: "error"; ename: string; evalue: string; traceback: string[] }
  > {
    const compiled = precompiled ?? (await this.hooks.compile(code, fileName));
    if (!compiled.ok) {
      const { message, line, column } = compiled.error;
      return {
        status: "error",
        ename: "SyntaxError",
        evalue: message,
        traceback: [`SyntaxError: ${message}`, `    at ${fileName}:${line}:${column}`],
      };
    }
    this.sourceMaps.add(fileName, compiled.cell.sourceMap, compiled.cell.js.trimEnd().split("\n").length);
    const interrupted = new Promise<never>((_, reject) => (this.interruptRunning = reject));
    interrupted.catch(() => {}); // only observed through the race below
    try {
      startRun(run);
      const script = new vm.Script(compiled.cell.js, { filename: fileName });
      let promise: Promise<{ value: unknown } | undefined>;
      this.hooks.breakOnSigint(true);
      try {
        promise = script.runInThisContext({ breakOnSigint: true, displayErrors: false }) as Promise<
          { value: unknown } | undefined
        >;
      } finally {
        this.hooks.breakOnSigint(false);
      }
      const completion = await Promise.race([promise, interrupted]);
      const value = completion?.value;
      // `display(x)` as the last line has shown x already; its handle is not a result.
      if (value === undefined || value instanceof DisplayHandle) return { status: "ok" };
      return { status: "ok", value: format(value) };
    } catch (error) {
      const described = describeError(isSigintError(error) ? new KeyboardInterruptError() : error, this.sourceMaps);
      return { status: "error", ...described };
    }
  }

  // Spec: each expression is evaluated after the code; a failure affects only its own key.
  private async evaluateUserExpressions(
    run: CellRun,
    expressions: Record<string, string>,
  ): Promise<Record<string, UserExpressionResult>> {
    const results: Record<string, UserExpressionResult> = {};
    for (const [name, source] of Object.entries(expressions ?? {})) {
      const outcome = await this.runCode(run, `(${source}\n)`, USER_EXPRESSION);
      if (outcome.status === "error") results[name] = outcome;
      else results[name] = { status: "ok", ...(outcome.value ?? format(undefined)) };
    }
    return results;
  }
}

function isSigintError(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}
