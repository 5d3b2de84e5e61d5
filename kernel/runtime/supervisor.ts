// The parent's side of the runtime: an Interpreter that forwards every request to the
// runtime child (child/main.ts) and routes the child's output back to the right execute's events,
// late output included. When the child dies (out of memory, a native crash, an exit that got
// through) it reports that on the running cell, starts a fresh child, and carries on.
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { type RuntimeLimits, readCgroupLimits, runtimeLimits } from "../limits.js";
import type {
  CompletenessResult,
  CompletionResult,
  ExecuteEvents,
  ExecuteOptions,
  ExecuteOutcome,
  InspectionResult,
  Interpreter,
} from "./interpreter.js";
import { IDLE_TERMINATE_AFTER_MS, InterruptEscalation } from "./interrupt-escalation.js";
import {
  type FromChild,
  PROMPT_FD,
  type PromptReply,
  type PromptRequest,
  RUNTIME_MEMORY_ENV,
  type ToChild,
  watchdogInterrupt,
  watchdogTerminate,
} from "./ipc.js";

/**
 * glibc hands allocations above 128 KB out as fresh mmap'd pages and returns them on free, so
 * every large tensor's storage page-faults in anew: a 1M-element `a.add(b)` took 9.3 ms, 2.1 ms
 * with big blocks kept in malloc's heap (same peak RSS). And glibc gives every thread that
 * mallocs an arena of its own (up to 8 per core): the runtime's threads (the language service,
 * the pool, V8's helpers) held ~35 MiB of mostly empty arenas at idle; two arenas cut the
 * kernel's idle RSS from 299 to 265 MiB (PSS 219 → 181; bench/kernel_memory.py). Ignored by other C libraries; a value already in the environment wins.
 */
const GLIBC_MALLOC_TUNING = {
  MALLOC_MMAP_THRESHOLD_: String(32 << 20),
  MALLOC_TRIM_THRESHOLD_: String(64 << 20),
  MALLOC_ARENA_MAX: "2",
};

/**
 * The runtime's young generation, per semi-space. V8 grows it to 16 MiB (32 MiB resident with
 * both halves) once a cell renders a chart, and keeps it: at 4 MiB notebook 04's peak fell
 * 271 → 252 MiB (the runtime alone) with training steps as fast (their data lives outside the
 * heap; the objects a step makes die young either way).
 */
const SEMI_SPACE_MB = 4;

export interface RuntimeOptions {
  /** The kernel's own log (the parent's stderr), one line at a time. */
  log: (line: string) => void;
  /** The notebook's folder; imports and relative paths resolve from here. */
  cwd?: string;
  /**
   * The child's V8 heap limit in MiB: past it the child dies and is replaced, not the kernel.
   * Default: from limits.ts: `TSGRAD_RUNTIME_HEAP_MB`, else sized within the container's memory
   * limit, else a quarter of RAM (1–8 GiB).
   */
  maxHeapMb?: number;
}

/**
 * complete, inspect and is_complete always answer: the child's own analyses give up sooner (its
 * language worker after 5 s), so this only fires when the child's main thread is stuck.
 */
const REQUEST_TIMEOUT_MS = 8000;
const RECENT_EXECUTES = 16;
/** A dead child's stderr may close late (a process it started holds it open): wait this long at most. */
const STDERR_DRAIN_MS = 200;
/** Children dying this many times in a row before they report ready: stop restarting. */
const MAX_FAILED_STARTS = 3;

/** Where the runtime child is in its life. `enter()` is the one place that changes it. */
type Phase =
  /** Forked, not yet ready; `failedStarts` children before it died without becoming ready. */
  | { name: "starting"; child: ChildProcess; failedStarts: number }
  | { name: "ready"; child: ChildProcess }
  /** Killed on purpose (its cell was told why): its exit is not news, and starts the next child. */
  | { name: "replacing"; child: ChildProcess }
  /** Children kept dying before they were ready: every execute says so. */
  | { name: "unavailable" }
  | { name: "shutting-down" };

/** A request waiting for a ready child: undefined when none will come, "interrupted" for a cancelled execute. */
interface Waiter {
  execute: boolean;
  resolve: (child: ChildProcess | undefined | "interrupted") => void;
}

interface RunningExecute {
  execId: number;
  resolve: (outcome: ExecuteOutcome) => void;
}

interface PendingRequest {
  answer: (result: unknown) => void;
  timer: NodeJS.Timeout;
}

export class RuntimeSupervisor implements Interpreter {
  private phase: Phase = { name: "unavailable" };
  private readonly waiters = new Set<Waiter>();
  private running: RunningExecute | undefined;
  /**
   * Events of recent executes: timers and promises may print after the reply. The child
   * attributes such output to the latest cell, so only the last few ids are ever used.
   */
  private readonly eventsByExec = new Map<number, ExecuteEvents>();
  private lastExecId = 0;
  private readonly pendingRequests = new Map<number, PendingRequest>();
  private nextId = 0;
  private executionCount = 0;
  private stderrTail = "";
  private readonly childPath = findChildScript();
  private limitsFound: RuntimeLimits | undefined;
  private readonly escalation = new InterruptEscalation({
    terminate: (execId) => this.running?.execId === execId && this.writeWatchdog(watchdogTerminate(execId)),
    restart: (execId) => this.restartInterrupted(execId),
  });

  constructor(private readonly options: RuntimeOptions) {
    this.enter({ name: "starting", child: this.spawn(), failedStarts: 0 });
  }

  async execute(code: string, options: ExecuteOptions, events: ExecuteEvents): Promise<ExecuteOutcome> {
    // Mirrors the server's execution_count (spec: only `!silent && store_history` counts).
    const countsInHistory = !options.silent && options.storeHistory;
    const fileName = countsInHistory ? `cell[${++this.executionCount}]` : "cell[*]";
    const child = await this.whenReady(true);
    if (child === "interrupted") return runtimeError("KeyboardInterrupt", "the cell was interrupted before it started");
    if (!child)
      return runtimeError("RuntimeUnavailable", "the runtime process could not be started; see the kernel log");
    const execId = ++this.nextId;
    this.eventsByExec.set(execId, events);
    this.lastExecId = execId;
    for (const id of this.eventsByExec.keys())
      if (this.eventsByExec.size > RECENT_EXECUTES) this.eventsByExec.delete(id);
    return new Promise<ExecuteOutcome>((resolveOutcome) => {
      this.running = { execId, resolve: resolveOutcome };
      this.send({ type: "execute", execId, code, fileName, options });
    });
  }

  complete(code: string, cursorPos: number): Promise<CompletionResult> {
    return this.request(
      { type: "complete", code, cursorPos },
      { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos, metadata: {} },
    );
  }

  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectionResult> {
    return this.request({ type: "inspect", code, cursorPos, detailLevel }, { found: false, data: {}, metadata: {} });
  }

  isComplete(code: string): Promise<CompletenessResult> {
    return this.request({ type: "isComplete", code }, { status: "unknown" });
  }

  /**
   * The watchdog sets the engine's flag at once (the next tensor op throws); an "interrupt"
   * message naming the execute stops its asynchronous part (or its wait for the type check) as
   * soon as the child's main thread is free; if the cell still runs, the watchdog terminates the
   * JavaScript on that thread; past that the child is replaced. No SIGINT: Node's breakOnSigint,
   * which a signal needs, left windows where one ended the runtime (child/executor.ts).
   */
  interrupt(): void {
    const phase = this.phase;
    // Before it is ready the child reads neither its watchdog pipe nor messages: a cell waiting
    // for it is cancelled instead.
    if (phase.name !== "ready") {
      for (const waiter of this.waiters) {
        if (!waiter.execute) continue;
        this.waiters.delete(waiter);
        waiter.resolve("interrupted");
      }
      return;
    }
    const running = this.running;
    this.writeWatchdog(watchdogInterrupt(running?.execId));
    this.send({ type: "interrupt", execId: running?.execId ?? null });
    // While idle, a cell's timer callback may spin (`setInterval(() => { for (;;) {} })`): the
    // watchdog stops it, and only it (not a cell that started meanwhile).
    if (running) this.escalation.begin(running.execId);
    else setTimeout(() => this.writeWatchdog(watchdogTerminate(undefined)), IDLE_TERMINATE_AFTER_MS);
  }

  /** The interrupted cell still runs after the watchdog's termination: replace the runtime. */
  private restartInterrupted(execId: number): void {
    const phase = this.phase;
    if (this.running?.execId !== execId || phase.name !== "ready") return;
    this.options.log("runtime: the interrupted cell did not stop; restarting the runtime");
    this.finishRunning(
      runtimeError(
        "KeyboardInterrupt",
        "the cell did not stop when interrupted, so the runtime was restarted: every variable is lost; run the notebook's cells again",
      ),
    );
    this.enter({ name: "replacing", child: phase.child });
    phase.child.kill("SIGKILL");
  }

  async shutdown(): Promise<void> {
    const phase = this.phase;
    this.enter({ name: "shutting-down" });
    if (!("child" in phase)) return;
    const { child } = phase;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.disconnect?.();
    const forced = setTimeout(() => child.kill("SIGKILL"), 1000);
    await exited;
    clearTimeout(forced);
  }

  /** The one place the phase changes; requests waiting for a child learn the news here. */
  private enter(next: Phase): void {
    this.phase = next;
    if (next.name === "starting" || next.name === "replacing") return;
    const child = next.name === "ready" ? next.child : undefined;
    for (const waiter of this.waiters) waiter.resolve(child);
    this.waiters.clear();
  }

  /** The ready child, once there is one; undefined when none will come. */
  private whenReady(execute: boolean): Promise<ChildProcess | undefined | "interrupted"> {
    const phase = this.phase;
    if (phase.name === "ready") return Promise.resolve(phase.child);
    if (phase.name === "unavailable" || phase.name === "shutting-down") return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.add({ execute, resolve }));
  }

  /** The cgroup and the knobs, read once per kernel (a restarted child gets the same limits). */
  private limits(): RuntimeLimits {
    if (!this.limitsFound) {
      this.limitsFound = runtimeLimits({
        env: process.env,
        cgroup: readCgroupLimits(),
        totalMemoryBytes: totalmem(),
        cores: availableParallelism(),
      });
      for (const warning of this.limitsFound.warnings) this.options.log(`runtime: ${warning}`);
    }
    return this.limitsFound;
  }

  private spawn(): ChildProcess {
    const limits = this.limits();
    const heapMb = this.options.maxHeapMb ?? limits.heapMb;
    // The engine's pool reads TSGRAD_THREADS: in a container, as many threads as its CPU limit.
    const threads = limits.threads === undefined ? {} : { TSGRAD_THREADS: String(limits.threads) };
    const child = fork(this.childPath, [], {
      cwd: this.options.cwd ?? process.cwd(),
      execArgv: [`--max-old-space-size=${heapMb}`, `--max-semi-space-size=${SEMI_SPACE_MB}`, "--no-warnings"],
      env: {
        ...GLIBC_MALLOC_TUNING,
        ...process.env,
        ...threads,
        [RUNTIME_MEMORY_ENV]: String(Math.max(limits.runtimeMemoryMb, heapMb)),
        NODE_NO_WARNINGS: "1",
      },
      // stdout/stderr are the child's own (never a cell's: cells write through IPC); fd 4 is
      // the watchdog pipe, fd 5 prompt()'s (ipc.ts PROMPT_FD).
      stdio: ["ignore", "pipe", "pipe", "ipc", "pipe", "pipe"],
      serialization: "advanced",
      // A process group of its own: jupyter_client signals the kernel's whole group (killpg)
      // for interrupt_mode "signal"; the kernel turns that into interrupt(), and a child still
      // starting (no SIGINT handler yet) would be killed by the signal. It still ends with the
      // kernel, however that dies: on the IPC channel's disconnect, or through the watchdog
      // pipe's EOF while a cell keeps it busy.
      detached: true,
    });
    this.stderrTail = "";
    const forwardLog = (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrTail = (this.stderrTail + text).slice(-4096);
      for (const line of text.split("\n"))
        if (line.trim()) this.options.log(line.startsWith("runtime:") ? line : `runtime: ${line}`);
    };
    child.stdout?.on("data", forwardLog);
    child.stderr?.on("data", forwardLog);
    child.stdio[4]?.on("error", () => {}); // closes with the child
    // The watchdog's only answer: "w<execId>;" while it compiles the cell it was asked to stop.
    child.stdio[4]?.on("data", (bytes: Buffer) => {
      for (const [, execId] of bytes.toString("latin1").matchAll(/w(\d+);/g))
        this.escalation.stillCompiling(Number(execId));
    });
    this.answerPrompts(child);
    child.on("message", (message: FromChild) => {
      if (message.type !== "ready") return this.route(message);
      if (this.phase.name === "starting" && this.phase.child === child) this.enter({ name: "ready", child });
    });
    child.on("error", (error) => this.options.log(`runtime: ${error.message}`));
    child.on("exit", (code, signal) => {
      // Its last words on stderr (why it ended) may still be in the pipe: read them first.
      const stderr = child.stderr;
      const drained = new Promise<void>((done) => (!stderr || stderr.closed ? done() : stderr.once("close", done)));
      const enough = new Promise<void>((done) => setTimeout(done, STDERR_DRAIN_MS));
      void Promise.race([drained, enough]).then(() => this.onChildExit(child, code, signal));
    });
    return child;
  }

  private onChildExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    for (const pending of this.pendingRequests.values()) pending.answer(undefined);
    this.pendingRequests.clear();
    const phase = this.phase;
    if (!("child" in phase) || phase.child !== child) return; // shutting down, or a child already replaced
    if (phase.name !== "replacing") {
      const why = this.deathReason(code, signal);
      const evalue = `the runtime process died (${why}) and was restarted: every variable is lost; run the notebook's cells again`;
      this.options.log(`runtime: the runtime process died (${why}); starting a new one`);
      if (this.running) this.finishRunning(runtimeError("RuntimeRestarted", evalue));
      // Died between cells (a timer's allocation, say): tell the latest cell, as late output.
      else this.eventsByExec.get(this.lastExecId)?.stream("stderr", `RuntimeRestarted: ${evalue}\n`);
    }
    const failedStarts = phase.name === "starting" ? phase.failedStarts + 1 : phase.name === "ready" ? 1 : 0;
    if (failedStarts > MAX_FAILED_STARTS) {
      this.options.log("runtime: it keeps dying before it is ready; giving up");
      return this.enter({ name: "unavailable" });
    }
    this.enter({ name: "starting", child: this.spawn(), failedStarts });
  }

  private deathReason(code: number | null, signal: NodeJS.Signals | null): string {
    const overLimit = /over its memory limit of (\d+) MiB/.exec(this.stderrTail);
    if (overLimit) {
      return `it used more than its memory limit of ${overLimit[1]} MiB, heap, typed arrays and WebAssembly memory together`;
    }
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderrTail)) return "it ran out of memory";
    if (signal) return `killed by ${signal}`;
    return `exit code ${code}`;
  }

  private route(message: Exclude<FromChild, { type: "ready" }>): void {
    if (message.type === "reply") {
      const pending = this.pendingRequests.get(message.requestId);
      this.pendingRequests.delete(message.requestId);
      if ("error" in message) this.options.log(`runtime: a request failed: ${message.error}`);
      pending?.answer("error" in message ? undefined : message.result);
      return;
    }
    const events = this.eventsByExec.get(message.execId);
    switch (message.type) {
      case "stream":
        events?.stream(message.name, message.text);
        return;
      case "display":
        events?.display(message.event);
        return;
      case "clearOutput":
        events?.clearOutput(message.wait);
        return;
      case "input":
        void this.answerInput(events, message.requestId, message.prompt, message.password);
        return;
      case "outcome":
        if (this.running?.execId === message.execId) this.finishRunning(message.outcome);
        return;
    }
  }

  private async answerInput(
    events: ExecuteEvents | undefined,
    requestId: number,
    prompt: string,
    password: boolean,
    reply: (value: string) => void = (value) => this.send({ type: "inputReply", requestId, value }),
  ): Promise<void> {
    let value = "";
    try {
      value = events ? await events.input(prompt, password) : "";
    } catch (error) {
      this.options.log(`runtime: input request failed: ${String(error)}`);
    }
    reply(value);
  }

  /** prompt()'s requests, one JSON line each on the child's fd 5, answered on the same socket. */
  private answerPrompts(child: ChildProcess): void {
    const socket = (child.stdio as unknown as (Duplex | null | undefined)[])[PROMPT_FD];
    if (!socket) return;
    socket.on("error", () => {}); // closes with the child
    let buffered = "";
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        let request: PromptRequest;
        try {
          request = JSON.parse(line) as PromptRequest;
        } catch {
          this.options.log("runtime: unreadable prompt request");
          continue;
        }
        const reply = (value: string) => {
          const answer: PromptReply = { requestId: request.requestId, value };
          if (!socket.destroyed) socket.write(`${JSON.stringify(answer)}\n`);
        };
        const events = this.eventsByExec.get(request.execId);
        void this.answerInput(events, request.requestId, request.prompt, request.password, reply);
      }
    });
  }

  private finishRunning(outcome: ExecuteOutcome): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    this.escalation.cancel();
    running.resolve(outcome);
  }

  /** Asks the child; the fallback answers when it fails, dies, or does not answer in time. */
  private async request<T>(message: DistributiveOmit<ToChild, "requestId">, fallback: T): Promise<T> {
    const child = await this.whenReady(false);
    if (!child || child === "interrupted") return fallback;
    const requestId = ++this.nextId;
    const answer = new Promise<T>((done) => {
      const timer = setTimeout(() => {
        this.pendingRequests.delete(requestId);
        this.options.log(`runtime: no answer to ${message.type} within ${REQUEST_TIMEOUT_MS} ms`);
        done(fallback);
      }, REQUEST_TIMEOUT_MS);
      const answer = (result: unknown) => {
        clearTimeout(timer);
        done((result as T | undefined) ?? fallback);
      };
      this.pendingRequests.set(requestId, { answer, timer });
    });
    this.send({ ...message, requestId } as ToChild);
    return answer;
  }

  private get child(): ChildProcess | undefined {
    return "child" in this.phase ? this.phase.child : undefined;
  }

  private send(message: ToChild): void {
    try {
      this.child?.send(message);
    } catch (error) {
      this.options.log(`runtime: cannot reach the runtime process: ${String(error)}`);
    }
  }

  private writeWatchdog(command: string): void {
    const pipe = this.child?.stdio[4];
    if (pipe && "write" in pipe && typeof pipe.write === "function") pipe.write(command);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function runtimeError(ename: string, evalue: string): ExecuteOutcome {
  return { status: "error", ename, evalue, traceback: [`${ename}: ${evalue}`], userExpressions: {} };
}

/** dist/kernel/runtime/child/main.js, whether this module runs from dist/ or (in tests) from source. */
function findChildScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const besideMe = join(here, "child", "main.js");
  if (existsSync(besideMe)) return besideMe;
  return resolve(here, "../../dist/kernel/runtime/child/main.js");
}
