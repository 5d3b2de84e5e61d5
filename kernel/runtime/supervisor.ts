// The parent's side of the runtime: an Interpreter that forwards every request to the
// runtime child (child/main.ts) and routes the child's output back to the right execute's events,
// late output included. When the child dies (out of memory, a native crash, an exit that got
// through) it reports that on the running cell, starts a fresh child, and carries on.
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
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
import { type FromChild, type ToChild, WATCHDOG_INTERRUPT, WATCHDOG_TERMINATE } from "./ipc.js";

/**
 * glibc hands allocations above 128 KB out as fresh mmap'd pages and returns them on free, so
 * every large tensor's storage page-faults in anew: a 1M-element `a.add(b)` took 9.3 ms, 2.1 ms
 * with big blocks kept in malloc's heap (same peak RSS). Ignored by other C libraries; a value
 * already in the environment wins.
 */
const GLIBC_MALLOC_TUNING = { MALLOC_MMAP_THRESHOLD_: String(32 << 20), MALLOC_TRIM_THRESHOLD_: String(64 << 20) };

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

/** How long an interrupt may take before escalating (terminate JS, then restart the child). */
const TERMINATE_AFTER_MS = 250;
const RESTART_AFTER_MS = 1500;
const RECENT_EXECUTES = 16;
/** Children dying this many times in a row before they report ready: stop restarting. */
const MAX_FAILED_STARTS = 3;

interface RunningExecute {
  execId: number;
  resolve: (outcome: ExecuteOutcome) => void;
  interruptTimers: NodeJS.Timeout[];
}

export class RuntimeSupervisor implements Interpreter {
  private child: ChildProcess | undefined;
  private ready: Promise<void> = Promise.resolve();
  private running: RunningExecute | undefined;
  /**
   * Events of recent executes: timers and promises may print after the reply. The child
   * attributes such output to the latest cell, so only the last few ids are ever used.
   */
  private readonly eventsByExec = new Map<number, ExecuteEvents>();
  private lastExecId = 0;
  private childReady = false;
  /** A child we killed ourselves (its cell already says so): its death is not news. */
  private killedOnPurpose: ChildProcess | undefined;
  /** Set from killing a child until its successor is ready: new requests wait for it. */
  private restarted: { promise: Promise<void>; done: () => void } | undefined;
  /** Executes waiting for a child to be ready, and whether an interrupt cancelled them. */
  private waitingExecutes = 0;
  private interruptedWhileWaiting = false;
  private readonly pendingRequests = new Map<number, (result: unknown) => void>();
  private nextId = 0;
  private executionCount = 0;
  private failedStarts = 0;
  private stderrTail = "";
  private shuttingDown = false;
  private readonly childPath = findChildScript();
  private limitsFound: RuntimeLimits | undefined;

  constructor(private readonly options: RuntimeOptions) {
    this.start();
  }

  async execute(code: string, options: ExecuteOptions, events: ExecuteEvents): Promise<ExecuteOutcome> {
    // Mirrors the server's execution_count (spec: only `!silent && store_history` counts).
    const countsInHistory = !options.silent && options.storeHistory;
    const fileName = countsInHistory ? `cell[${++this.executionCount}]` : "cell[*]";
    this.waitingExecutes++;
    await this.settled();
    this.waitingExecutes--;
    if (this.interruptedWhileWaiting) {
      this.interruptedWhileWaiting = this.waitingExecutes > 0;
      return runtimeError("KeyboardInterrupt", "the cell was interrupted before it started");
    }
    if (!this.child)
      return runtimeError("RuntimeUnavailable", "the runtime process could not be started; see the kernel log");
    const execId = ++this.nextId;
    this.eventsByExec.set(execId, events);
    this.lastExecId = execId;
    for (const id of this.eventsByExec.keys())
      if (this.eventsByExec.size > RECENT_EXECUTES) this.eventsByExec.delete(id);
    return new Promise<ExecuteOutcome>((resolveOutcome) => {
      this.running = { execId, resolve: resolveOutcome, interruptTimers: [] };
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
   * SIGINT stops a cell's synchronous part (breakOnSigint); an "interrupt" message naming the
   * execute stops an asynchronous one (and one waiting for its type check); the watchdog sets the
   * engine's flag at once (the next tensor op throws) and, if the cell still runs, terminates the
   * JavaScript on the child's main thread; past that the child is replaced.
   */
  interrupt(): void {
    const child = this.child;
    // Before it is ready the child has no SIGINT handler yet: the signal would kill it. A cell
    // waiting for it is cancelled instead.
    if (!child || child.exitCode !== null || !this.childReady) {
      if (this.waitingExecutes > 0) this.interruptedWhileWaiting = true;
      return;
    }
    this.writeWatchdog(WATCHDOG_INTERRUPT);
    child.kill("SIGINT");
    const running = this.running;
    this.send({ type: "interrupt", execId: running?.execId ?? null });
    if (!running || running.interruptTimers.length > 0) return;
    running.interruptTimers.push(
      setTimeout(() => this.running === running && this.writeWatchdog(WATCHDOG_TERMINATE), TERMINATE_AFTER_MS),
      setTimeout(() => {
        if (this.running !== running) return;
        this.options.log("runtime: the interrupted cell did not stop; restarting the runtime");
        this.finishRunning(
          runtimeError(
            "KeyboardInterrupt",
            "the cell did not stop when interrupted, so the runtime was restarted: every variable is lost; run the notebook's cells again",
          ),
        );
        this.killedOnPurpose = child;
        this.holdUntilRestarted();
        child.kill("SIGKILL");
      }, RESTART_AFTER_MS),
    );
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.disconnect?.();
    const forced = setTimeout(() => child.kill("SIGKILL"), 1000);
    await exited;
    clearTimeout(forced);
  }

  /** Resolves once a child is ready (or none can be started). */
  private async settled(): Promise<void> {
    await this.restarted?.promise;
    await this.ready;
  }

  private holdUntilRestarted(): void {
    let done: () => void = () => {};
    const promise = new Promise<void>((resolveHold) => (done = resolveHold));
    this.restarted = { promise, done };
  }

  private releaseHold(): void {
    this.restarted?.done();
    this.restarted = undefined;
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

  private start(): void {
    const limits = this.limits();
    const heapMb = this.options.maxHeapMb ?? limits.heapMb;
    // The engine's pool reads TSGRAD_THREADS: in a container, as many threads as its CPU limit.
    const threads = limits.threads === undefined ? {} : { TSGRAD_THREADS: String(limits.threads) };
    const child = fork(this.childPath, [], {
      cwd: this.options.cwd ?? process.cwd(),
      execArgv: [`--max-old-space-size=${heapMb}`, "--no-warnings"],
      env: { ...GLIBC_MALLOC_TUNING, ...process.env, ...threads, NODE_NO_WARNINGS: "1" },
      // stdout/stderr are the child's own (never a cell's: cells write through IPC); fd 4 is
      // the watchdog pipe.
      stdio: ["ignore", "pipe", "pipe", "ipc", "pipe"],
      serialization: "advanced",
      // A process group of its own: jupyter_client signals the kernel's whole group (killpg)
      // for interrupt_mode "signal", and interrupt() forwards SIGINT here, so in the kernel's
      // group a cell would be interrupted twice, and a child still starting (no SIGINT handler
      // yet) would be killed. It still ends with the kernel, however that dies: on the IPC
      // channel's disconnect, or through the watchdog pipe's EOF while a cell keeps it busy.
      detached: true,
    });
    this.child = child;
    this.childReady = false;
    this.stderrTail = "";
    let markReady: () => void = () => {};
    this.ready = new Promise<void>((done) => (markReady = done));
    const forwardLog = (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrTail = (this.stderrTail + text).slice(-4096);
      for (const line of text.split("\n"))
        if (line.trim()) this.options.log(line.startsWith("runtime:") ? line : `runtime: ${line}`);
    };
    child.stdout?.on("data", forwardLog);
    child.stderr?.on("data", forwardLog);
    child.stdio[4]?.on("error", () => {}); // closes with the child
    child.on("message", (message: FromChild) => {
      if (message.type === "ready") {
        this.failedStarts = 0;
        this.childReady = true;
        this.releaseHold();
        markReady();
      } else this.route(message);
    });
    child.on("error", (error) => this.options.log(`runtime: ${error.message}`));
    child.on("exit", (code, signal) => {
      markReady();
      if (this.child === child) this.child = undefined;
      this.onChildExit(child, code, signal);
    });
  }

  private onChildExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    for (const answer of this.pendingRequests.values()) answer(undefined);
    this.pendingRequests.clear();
    if (this.shuttingDown) return this.releaseHold();
    const why = this.deathReason(code, signal);
    const evalue = `the runtime process died (${why}) and was restarted: every variable is lost; run the notebook's cells again`;
    this.options.log(`runtime: the runtime process died (${why}); starting a new one`);
    if (this.running) this.finishRunning(runtimeError("RuntimeRestarted", evalue));
    // Died between cells (a timer's allocation, say): tell the latest cell, as late output.
    else if (this.killedOnPurpose !== child)
      this.eventsByExec.get(this.lastExecId)?.stream("stderr", `RuntimeRestarted: ${evalue}\n`);
    if (++this.failedStarts > MAX_FAILED_STARTS) {
      this.options.log("runtime: it keeps dying before it is ready; giving up");
      this.releaseHold();
      return;
    }
    this.start();
  }

  private deathReason(code: number | null, signal: NodeJS.Signals | null): string {
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderrTail)) return "it ran out of memory";
    if (signal) return `killed by ${signal}`;
    return `exit code ${code}`;
  }

  private route(message: Exclude<FromChild, { type: "ready" }>): void {
    if (message.type === "reply") {
      this.pendingRequests.get(message.requestId)?.(message.result);
      this.pendingRequests.delete(message.requestId);
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
  ): Promise<void> {
    let value = "";
    try {
      value = events ? await events.input(prompt, password) : "";
    } catch (error) {
      this.options.log(`runtime: input request failed: ${String(error)}`);
    }
    this.send({ type: "inputReply", requestId, value });
  }

  private finishRunning(outcome: ExecuteOutcome): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    for (const timer of running.interruptTimers) clearTimeout(timer);
    running.resolve(outcome);
  }

  private async request<T>(message: DistributiveOmit<ToChild, "requestId">, fallback: T): Promise<T> {
    await this.settled();
    if (!this.child) return fallback;
    const requestId = ++this.nextId;
    const answer = new Promise<T>((done) =>
      this.pendingRequests.set(requestId, (result) => done((result as T | undefined) ?? fallback)),
    );
    this.send({ ...message, requestId } as ToChild);
    return answer;
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
