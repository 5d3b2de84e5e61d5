// The runtime child's side of the language worker (worker.ts): compiles and type-checks a cell
// before it runs, answers is_complete, and answers complete/inspect from the language service,
// falling back to the live objects (../completion.ts, ../inspection.ts) where types say nothing
// (`any`) or the worker is not available. Checking can be switched off with TSGRAD_TYPECHECK=0.
//
// The compiler is loaded on this thread only when the worker cannot answer (it failed for good, or
// is stuck): it costs ~50 MiB of the runtime's memory, which the worker already holds.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CompletenessResult, CompletionResult, InspectionResult } from "../../interpreter.js";
import { complete as completeLive } from "../completion.js";
import { releaseFreeMemory } from "../free-memory.js";
import { inspectAt as inspectLive } from "../inspection.js";
import type { TranspileResult } from "../transpile.js";
import { PHASE, RequestProgress } from "./cpu-budget.js";
import type { TypeInspection } from "./inspection.js";
import type { LanguageSetup } from "./service.js";
import type { LanguageReply, LanguageRequest, PreparedCell, WorkerSetup } from "./worker.js";

// Wall-clock limits are a backstop only (the CPU budgets below decide): a check waits long (a
// cell must not run unchecked because the machine is busy); completion does not (the live answer
// is better than none).
const CHECK_TIMEOUT_MS = 60_000;
const COMPLETE_TIMEOUT_MS = 5_000;
// is_complete must answer within a second or two whatever the worker is doing (jupyter console
// asks on every Enter); past this it is answered on this thread.
const IS_COMPLETE_TIMEOUT_MS = 2_000;

/**
 * CPU the worker may spend analysing one request (a type check, a completion, an inspection)
 * before it is stopped and restarted. The 200 cells of the tutorials need at most 0.14 s to check
 * and 0.06 s to complete, the first cell importing Node's declarations ~0.3 s; a recursive type can
 * need minutes, or more memory than the worker has (and thrash its collector first).
 */
const ANALYSIS_CPU_BUDGET_MS = 1_000;
/** CPU to compile a cell, which it needs to run at all: linear in its size (1 MB: ~1 s as a plain script, ~4 s emitted). */
const COMPILE_CPU_BUDGET_MS = 20_000;
/** How often the worker's CPU time is read while a request is pending. */
const BUDGET_POLL_MS = 100;

/** Kinds whose live value is worth showing next to the type. */
const VALUE_KINDS = new Set(["const", "let", "var", "local var", "property", "parameter"]);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface CellLanguageOptions extends LanguageSetup {
  /** false: cells run without a type check (completion and inspection still use types). */
  checkBeforeRun: boolean;
  /** Milliseconds without a request after which the worker is released (0: never); see releaseWhenIdle. */
  releaseAfterMs: number;
  /** Whether a cell is running: the worker is kept for the cell after it, however long this one runs. */
  cellRunning: () => boolean;
  log: (line: string) => void;
}

/**
 * How long the language worker is kept without a request (TSGRAD_LANGUAGE_IDLE_S seconds; 0 keeps
 * it for good). It holds ~65 MiB of the runtime's ~180 at idle (the compiler, the declarations'
 * syntax trees), and the next request starts it again at the cost of a first check (~0.7 s quiet,
 * seconds on a busy machine). On a hub, where memory per student decides how many fit and
 * kernels spend most of their life idle, it goes after two minutes; on one's own machine, never.
 */
export function languageIdleReleaseMs(env: NodeJS.ProcessEnv): number {
  const fallback = env.JUPYTERHUB_USER ? 120_000 : 0;
  const set = env.TSGRAD_LANGUAGE_IDLE_S?.trim();
  if (!set) return fallback;
  const seconds = Number(set);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : fallback;
}

/** Whether TSGRAD_TYPECHECK asks for the check before each cell (on unless 0/false/off). */
export function typeCheckWanted(env: NodeJS.ProcessEnv): boolean {
  return !/^(0|false|off|no)$/i.test(env.TSGRAD_TYPECHECK ?? "");
}

/**
 * The worker's old-generation limit. Every check after a new cell builds a new program (tens of
 * MiB of garbage), and left unbounded V8 grew the worker's heap with the churn: the runtime's
 * resident memory rose ~200 MiB per 1,000 cells while the live heap stayed ~50 MiB. Bounded, it
 * collects sooner (300 cells: +26 MiB resident instead of +150). A worker that runs out anyway is
 * restarted with the notebook's cells replayed.
 */
const WORKER_HEAP_MB = 256;
/**
 * The worker's young generation. V8's default let it keep 26 MiB of semi-spaces committed at idle
 * for a heap whose objects are mostly long-lived (the compiler, the declarations' syntax trees); at
 * 6 MiB the runtime's idle resident memory fell 190 → 176 MiB and the first check took as long.
 */
const WORKER_YOUNG_MB = 6;
/** Restarts in a row without one answer in between: past this, cells run with live completion only. */
const MAX_RESTARTS = 3;

/** A request on its way to the worker, kept so a restarted worker can be asked again. */
interface Pending {
  message: LanguageRequest;
  resolve: (result: unknown) => void;
  timer: NodeJS.Timeout;
  /** A `prepare`'s compiled cell, sent before its check. */
  compiled?: TranspileResult;
}

export class CellLanguage {
  private worker: Worker | undefined;
  private progress = new RequestProgress();
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** Every cell that ran, in order: a restarted worker learns the notebook from them. */
  private readonly committed: { code: string; untyped?: string[]; anyVariables?: boolean }[] = [];
  /** The latest cell prepared without a check, and how to record it if it runs (see `ran`). */
  private uncheckedCell: { code: string; untyped?: string[] } | undefined;
  private restartsInARow = 0;
  /** Why the worker is being stopped, and which request it gives up. */
  private givingUp: { id: number; why: string } | undefined;
  private lastError: Error | undefined;
  private monitor: NodeJS.Timeout | undefined;
  /** Set while the worker is released for idleness: the next request starts it again. */
  private released = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CellLanguageOptions) {
    this.startWorker();
  }

  private startWorker(): void {
    try {
      const {
        checkBeforeRun: _check,
        log: _log,
        releaseAfterMs: _release,
        cellRunning: _running,
        ...setup
      } = this.options;
      this.progress = new RequestProgress();
      const workerData: WorkerSetup = { ...setup, progress: this.progress.buffer };
      const worker = new Worker(workerScript(), {
        workerData,
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      });
      this.worker = worker;
      this.givingUp = undefined;
      this.lastError = undefined;
      worker.unref(); // the child exits when its parent goes, whatever the worker does
      worker.on("message", (reply: LanguageReply) => this.settle(reply));
      worker.on("error", (error) => {
        this.lastError = error;
        this.options.log(`language worker failed: ${error.stack ?? error.message}`);
      });
      worker.on("exit", (code) => this.workerExited(worker, code));
      for (const cell of this.committed) this.post({ id: ++this.nextId, type: "commit", ...cell });
      // Requests that waited behind the one given up are asked again.
      for (const { message } of this.pending.values()) this.post(message);
      this.releaseWhenIdle();
    } catch (error) {
      this.stop(`language worker unavailable: ${String(error)}`);
    }
  }

  /** Ends the worker after releaseAfterMs without requests; its memory goes back to the system. */
  private releaseWhenIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.options.releaseAfterMs <= 0) return;
    this.idleTimer = setTimeout(() => {
      const worker = this.worker;
      if (!worker || this.pending.size > 0) return;
      if (this.options.cellRunning()) return this.releaseWhenIdle();
      this.worker = undefined; // workerExited ignores it: not a failure
      this.released = true;
      // What the worker's thread held in the C heap is free once it has ended: give it back.
      worker.terminate().then(releaseFreeMemory, releaseFreeMemory);
    }, this.options.releaseAfterMs);
    this.idleTimer.unref();
  }

  /**
   * A worker that died (out of memory, stopped because stuck or over its budget) is replaced. The
   * request it was working on is given up (its cell runs unchecked); the others are asked again. A
   * worker that dies with no request in progress (at its start) is replaced a few times in a row
   * at most.
   */
  private workerExited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    const current = this.givingUp ?? this.inProgress(code);
    this.worker = undefined;
    this.options.log(`language worker exited (${code})${current ? `: ${current.why}` : ""}`);
    const entry = current && this.pending.get(current.id);
    if (current && entry) this.resolve(current.id, givenUpAnswer(entry, current.why));
    else if (++this.restartsInARow > MAX_RESTARTS) {
      this.stop("language worker: it keeps failing; cells run with live completion only");
      return;
    }
    this.startWorker();
  }

  /** The request the worker was working on when it exited, and why it stopped. */
  private inProgress(code: number): { id: number; why: string } | undefined {
    const now = this.progress.read();
    if (!now) return undefined;
    const outOfMemory = (this.lastError as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
    // Compiling needs memory in proportion to the cell (~40 MiB of syntax tree per MB of text).
    const whatRanOut = now.phase === PHASE.compile ? "compiling the cell" : "the type checker";
    return {
      id: now.requestId,
      why: outOfMemory ? `${whatRanOut} ran out of memory` : `the language worker stopped (exit code ${code})`,
    };
  }

  /** Stops the worker because request `id` is over a budget; it is answered once the worker exits. */
  private giveUp(id: number, why: string): void {
    if (!this.worker || this.givingUp) return;
    this.givingUp = { id, why };
    void this.worker.terminate();
  }

  /** Gives up the request in progress once it has used more CPU than its phase allows. */
  private enforceBudget(): void {
    const now = this.progress.read();
    const entry = now && this.pending.get(now.requestId);
    if (!now || !entry || now.cpuMs === undefined) return;
    const budget = now.phase === PHASE.analyse ? ANALYSIS_CPU_BUDGET_MS : COMPILE_CPU_BUDGET_MS;
    if (now.cpuMs > budget) this.giveUp(now.requestId, `it needed more than ${budget / 1000} s of CPU`);
  }

  /**
   * `code` refused, its type errors, or its JavaScript (with `unchecked` saying why when its check
   * was given up). Without the worker the cell is compiled on this thread and runs unchecked.
   */
  async prepare(code: string, cellName: string): Promise<PreparedCell> {
    const check = this.options.checkBeforeRun;
    const prepared = (await this.request({ type: "prepare", code, cellName, check }, CHECK_TIMEOUT_MS)) as
      | PreparedCell
      | undefined;
    // Only the latest: a cell runs right after it is prepared (or never).
    this.uncheckedCell = undefined;
    if (prepared && "compiled" in prepared && prepared.unchecked && prepared.compiled.ok) {
      const names = prepared.compiled.cell.declaredNames;
      this.uncheckedCell = prepared.untyped ? { code, untyped: names } : { code };
    }
    if (prepared) return prepared;
    const local = await localCompiler();
    const { deepest } = local.scanBrackets(code);
    if (deepest > local.MAX_NESTING)
      return { refused: `brackets nested ${deepest} deep; at most ${local.MAX_NESTING} levels are accepted` };
    return { compiled: local.transpileCell(code, cellName) };
  }

  /** TypeScript → JavaScript to run (user expressions; cells come through `prepare`). */
  async compile(code: string, fileName: string): Promise<TranspileResult> {
    const compiled = (await this.request({ type: "compile", code, fileName }, CHECK_TIMEOUT_MS)) as
      | TranspileResult
      | undefined;
    return compiled ?? (await localCompiler()).transpileCell(code, fileName);
  }

  async isComplete(code: string): Promise<CompletenessResult> {
    const result = (await this.request({ type: "isComplete", code }, IS_COMPLETE_TIMEOUT_MS)) as
      | CompletenessResult
      | undefined;
    if (result) return result;
    // A worker still warming up (after a start, a release or a restart) answers next time; the
    // compiler on this thread would cost ~50 MiB for the rest of the session. "unknown": the
    // console runs it.
    if (this.worker) return { status: "unknown" };
    return (await localCompiler()).isComplete(code);
  }

  /** A cell ran (even if it threw: its declarations are globals now). */
  ran(code: string): void {
    // A cell too large or deep to analyse is remembered by its names only, typed `any`; one whose
    // check was given up with its variables typed `any`.
    const unchecked = this.uncheckedCell?.code === code ? this.uncheckedCell : undefined;
    this.uncheckedCell = undefined;
    const cell = unchecked?.untyped
      ? { code: "", untyped: unchecked.untyped }
      : unchecked
        ? { code, anyVariables: true }
        : { code };
    this.committed.push(cell);
    this.post({ id: ++this.nextId, type: "commit", ...cell });
    if (this.pending.size === 0) this.releaseWhenIdle();
  }

  async complete(code: string, cursor: number): Promise<CompletionResult> {
    const typed = (await this.request({ type: "complete", code, cursor }, COMPLETE_TIMEOUT_MS)) as
      | CompletionResult
      | undefined;
    if (typed && typed.matches.length > 0) return typed;
    const live = completeLive(code, cursor);
    return live.matches.length > 0 || !typed ? live : typed;
  }

  async inspect(code: string, cursor: number, detailLevel: 0 | 1): Promise<InspectionResult> {
    const typed = (await this.request({ type: "inspect", code, cursor, detailLevel }, COMPLETE_TIMEOUT_MS)) as
      | TypeInspection
      | undefined;
    const live = inspectLive(code, cursor, detailLevel);
    if (!typed?.found || typed.untyped) return live.found || !typed ? live : plain(typed);
    if (!live.found || !VALUE_KINDS.has(typed.kind ?? "")) return plain(typed);
    // A variable: its type and docs, then its value now.
    const value = String(live.data["text/plain"]);
    return {
      found: true,
      data: {
        "text/plain": `${typed.data["text/plain"]}\n\n${value}`,
        "text/markdown": `${typed.data["text/markdown"]}\n\n\`\`\`\n${value}\n\`\`\``,
      },
      metadata: {},
    };
  }

  private request(message: DistributiveOmit<LanguageRequest, "id">, timeoutMs: number): Promise<unknown> {
    if (this.released) {
      this.released = false;
      this.startWorker();
    }
    if (!this.worker) return Promise.resolve(undefined);
    const id = ++this.nextId;
    const request = { ...message, id } as LanguageRequest;
    return new Promise((resolveReply) => {
      const timer = setTimeout(() => this.timedOut(id, timeoutMs), timeoutMs);
      this.pending.set(id, { message: request, resolve: resolveReply, timer });
      this.monitor ??= setInterval(() => this.enforceBudget(), BUDGET_POLL_MS).unref();
      this.post(request);
    });
  }

  private timedOut(id: number, timeoutMs: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    const why = `no answer within ${timeoutMs / 1000} s`;
    this.options.log(`language worker: ${why} to ${entry.message.type}`);
    // A check this late means the worker is stuck: every later request would wait behind it.
    // (Completion's shorter wait can just be the warm-up.)
    if (entry.message.type === "prepare" && this.progress.read()?.requestId === id) return this.giveUp(id, why);
    this.resolve(id, undefined);
  }

  private post(message: LanguageRequest): void {
    try {
      this.worker?.postMessage(message);
    } catch (error) {
      this.stop(`language worker unreachable: ${String(error)}`);
    }
  }

  private settle(reply: LanguageReply): void {
    if ("compiled" in reply) {
      const entry = this.pending.get(reply.id);
      if (entry) entry.compiled = reply.compiled;
      return;
    }
    this.restartsInARow = 0;
    if ("error" in reply) this.options.log(`language worker: ${reply.error}`);
    this.resolve(reply.id, "error" in reply ? undefined : reply.result);
  }

  private resolve(id: number, result: unknown): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(result);
    if (this.pending.size === 0) {
      clearInterval(this.monitor);
      this.monitor = undefined;
      this.releaseWhenIdle();
    }
  }

  private stop(why: string): void {
    this.options.log(why);
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) this.resolve(id, undefined);
  }
}

/**
 * The answer to a request whose worker was stopped: a prepared cell runs unchecked (it was
 * compiled before its check) or is refused (it could not even be compiled); a user expression
 * fails to compile; completion and inspection fall back to the live values.
 */
function givenUpAnswer(entry: Pending, why: string): unknown {
  switch (entry.message.type) {
    case "prepare":
      return entry.compiled
        ? { compiled: entry.compiled, unchecked: why }
        : { refused: `the cell could not be compiled: ${why}` };
    case "compile":
      return { ok: false, error: { message: `could not be compiled: ${why}`, line: 1, column: 1 } };
    default:
      return undefined;
  }
}

function plain(result: TypeInspection): InspectionResult {
  return { found: result.found, data: result.data, metadata: result.metadata };
}

/** The compiler on this thread: only when the worker cannot answer. */
async function localCompiler() {
  const [transpile, completeness] = await Promise.all([import("../transpile.js"), import("../completeness.js")]);
  return { transpileCell: transpile.transpileCell, ...completeness };
}

/** worker.js beside this module when built; dist's when this runs from source (tests). */
function workerScript(): URL {
  const beside = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL("../../../../dist/kernel/runtime/child/language/worker.js", import.meta.url);
}
