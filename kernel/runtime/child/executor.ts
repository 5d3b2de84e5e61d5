// Runs compiled cells in the runtime child: one `vm.Script` per cell in this realm (so
// `instanceof Tensor` and typed arrays work across cells and the engine), and a race against the
// interrupt for the asynchronous part. What stops a synchronous loop is the watchdog thread
// (watchdog.ts): the engine's interrupt flag, then V8's termination, which unwinds this
// executor's own frames too; `suspended` and `abandon()` let main.ts report such a cell.
import vm from "node:vm";
import { type FormattedValue, format } from "../../display/format.js";
import type { ExecuteOptions, ExecuteOutcome, UserExpressionResult } from "../interpreter.js";
import { type CellRun, startRun } from "./cell-context.js";
import { disableCompilationCache } from "./compilation-cache.js";
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
  /**
   * Called with the execId before the runtime compiles a user expression, then with `userCode`
   * true right before code runs. The watchdog may terminate only user code: unwound
   * mid-transpile, the TypeScript compiler kept broken state, and the next large cell never
   * finished compiling.
   */
  stage(execId: number, userCode: boolean): void;
  /** Called when the cell (and its user expressions) ended, however it ended. */
  afterCell(): void;
  /**
   * True when execute `execId` was interrupted (the watchdog records it as the interrupt comes):
   * checked right before the synchronous part, for an interrupt that came while the cell was
   * type-checked or compiled (beforeCell cleared the engine's flag).
   */
  interruptRequested(execId: number): boolean;
}

const USER_EXPRESSION = "user_expression";

export class Executor {
  readonly sourceMaps = new CellSourceMaps();
  private interruptRunning: ((error: Error) => void) | undefined;
  private runningExecId: number | undefined;
  private suspendedCell = false;

  constructor(private readonly hooks: ExecutorHooks) {
    disableCompilationCache(); // cells are compiled once each (compilation-cache.ts)
  }

  /** The execute in progress, if any. */
  get running(): number | undefined {
    return this.runningExecId;
  }

  /**
   * True while the executor waits, off the stack, for a cell's asynchronous part (or for a user
   * expression's compilation). Seen from the event loop, a running execute that is not suspended
   * had its own code (a synchronous part, the formatting of a value) unwound by the watchdog's
   * termination: see `abandon()`.
   */
  get suspended(): boolean {
    return this.suspendedCell;
  }

  /**
   * Forgets the running execute whose code the watchdog's termination unwound: its promise will
   * never settle and its `finally` never ran, so the caller reports it as interrupted.
   */
  abandon(): void {
    if (this.runningExecId === undefined) return;
    this.runningExecId = undefined;
    this.interruptRunning = undefined;
    this.suspendedCell = false;
    this.hooks.afterCell();
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
    this.runningExecId = execId;
    this.hooks.beforeCell();
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
    this.hooks.stage(run.execId, false);
    const compiled = precompiled ?? (await this.offStack(this.hooks.compile(code, fileName)));
    if (!compiled.ok) {
      const { message, line, column } = compiled.error;
      return {
        status: "error",
        ename: "SyntaxError",
        evalue: message,
        traceback: [`SyntaxError: ${message}`, `    at ${fileName}:${line}:${column}`],
      };
    }
    const { js, sourceMap, plainPrologueLines } = compiled.cell;
    this.sourceMaps.add(fileName, sourceMap, sourceMap ? js.trimEnd().split("\n").length : 0);
    const interrupted = new Promise<never>((_, reject) => (this.interruptRunning = reject));
    interrupted.catch(() => {}); // only observed through the race below
    try {
      startRun(run);
      // A plain script keeps the cell's positions after its prologue: V8 reports them as they are.
      const script = new vm.Script(js, { filename: fileName, lineOffset: -(plainPrologueLines ?? 0) });
      this.hooks.stage(run.execId, true);
      if (this.hooks.interruptRequested(run.execId)) throw new KeyboardInterruptError();
      // Not breakOnSigint: Node takes the process's SIGINT listeners off while it guards a script
      // and puts them back after, and a SIGINT in between ended the runtime (twice in under 100
      // interrupts); one that came as a script ended could interrupt the next cell.
      const ran = script.runInThisContext({ displayErrors: false });
      const promise =
        plainPrologueLines === undefined
          ? (ran as Promise<{ value: unknown } | undefined>)
          : Promise.resolve({ value: ran as unknown });
      const completion = await this.offStack(Promise.race([promise, interrupted]));
      const value = completion?.value;
      // `display(x)` as the last line has shown x already; its handle is not a result.
      if (value === undefined || value instanceof DisplayHandle) return { status: "ok" };
      return { status: "ok", value: format(value) };
    } catch (error) {
      return { status: "error", ...describeError(error, this.sourceMaps) };
    }
  }

  /** Awaits `promise` marked as suspended (see `suspended`). */
  private async offStack<T>(promise: Promise<T>): Promise<T> {
    this.suspendedCell = true;
    try {
      return await promise;
    } finally {
      this.suspendedCell = false;
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
