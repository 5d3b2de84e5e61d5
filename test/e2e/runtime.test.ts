// End-to-end through the Interpreter itself (startRuntime → the built runtime child), for the
// contract the server relies on: event order, late events after execute() resolved, a child
// that dies being replaced, shutdown releasing the child.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRuntime } from "../../kernel/runtime/index.js";
import type {
  DisplayEvent,
  ExecuteEvents,
  ExecuteOptions,
  ExecuteOutcome,
  Interpreter,
} from "../../kernel/runtime/interpreter.js";
import { REPO_ROOT } from "./client.js";

const OPTIONS: ExecuteOptions = { silent: false, storeHistory: true, allowStdin: false, userExpressions: {} };

type Event =
  | { kind: "stream"; name: string; text: string }
  | { kind: "display"; event: DisplayEvent }
  | { kind: "clear"; wait: boolean };

function recorder(): { events: Event[]; callbacks: ExecuteEvents } {
  const events: Event[] = [];
  return {
    events,
    callbacks: {
      stream: (name, text) => events.push({ kind: "stream", name, text }),
      display: (event) => events.push({ kind: "display", event }),
      clearOutput: (wait) => events.push({ kind: "clear", wait }),
      input: async () => "",
    },
  };
}

async function waitUntil(predicate: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("the runtime Interpreter", () => {
  let runtime: Interpreter;
  const log: string[] = [];
  beforeAll(async () => {
    runtime = startRuntime({ log: (line) => log.push(line) });
    // The first cell waits for the runtime to load the compiler: slow on a busy machine.
    await runtime.execute("0", OPTIONS, recorder().callbacks);
  }, 150_000);
  afterAll(async () => {
    await runtime.shutdown();
  });

  async function run(code: string): Promise<{ outcome: ExecuteOutcome; events: Event[] }> {
    const { events, callbacks } = recorder();
    const outcome = await runtime.execute(code, OPTIONS, callbacks);
    return { outcome, events };
  }

  it("delivers streams and displays in the order the cell made them, before the outcome", async () => {
    const { outcome, events } = await run(
      'console.log("one")\ndisplay(2)\nconsole.error("three")\nconsole.log("four")\nclearOutput()',
    );
    expect(outcome.status).toBe("ok");
    expect(events.map((e) => (e.kind === "stream" ? `${e.name}:${e.text}` : e.kind))).toEqual([
      "stdout:one\n",
      "display",
      "stderr:three\n",
      "stdout:four\n",
      "clear",
    ]);
  });

  it("calls the events of an execute that already resolved when its timers print later", async () => {
    const { outcome, events } = await run(
      'void setTimeout(() => { console.log("late"); display.markdown("*late*") }, 50)',
    );
    expect(outcome).toEqual({ status: "ok", userExpressions: {} });
    await waitUntil(() => events.length === 2, 5000);
    expect(events[0]).toEqual({ kind: "stream", name: "stdout", text: "late\n" });
    expect(events[1]).toMatchObject({ kind: "display", event: { data: { "text/markdown": "*late*" }, update: false } });
  });

  it("sends a timer's output to the cell that started the timer, even while another cell runs", async () => {
    const first = recorder();
    await runtime.execute('const ticker = setInterval(() => console.log("tick"), 20)', OPTIONS, first.callbacks);
    const second = recorder();
    const outcome = await runtime.execute(
      'await new Promise((r) => setTimeout(r, 300))\nclearInterval(ticker)\nconsole.log("second")',
      OPTIONS,
      second.callbacks,
    );
    expect(outcome.status).toBe("ok");
    const text = (events: Event[]) => events.map((e) => (e.kind === "stream" ? e.text : "")).join("");
    expect(text(first.events)).toMatch(/^(tick\n)+$/);
    expect(text(second.events)).toBe("second\n");
  });

  it("restarts the child when an interrupted cell cannot stop (blocked in native code), and says so once", async () => {
    const { events, callbacks } = recorder();
    const running = runtime.execute(
      'import { execSync } from "node:child_process"\nconsole.log("blocking")\nexecSync("sleep 20")',
      OPTIONS,
      callbacks,
    );
    // The line printed just before the blocking call arrives: a quiet stream flushes at once.
    await waitUntil(() => events.length > 0, 60_000);
    const started = Date.now();
    runtime.interrupt();
    const outcome = await running;
    expect(Date.now() - started).toBeLessThan(10_000); // restarted after 5 s (supervisor.ts)
    expect(outcome).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect((outcome as { evalue: string }).evalue).toMatch(/restarted.*variable/);
    const { outcome: after } = await run("6 * 7");
    expect(after, JSON.stringify(after)).toMatchObject({ status: "ok", result: { data: { "text/plain": "42" } } });
    expect(events).toEqual([{ kind: "stream", name: "stdout", text: "blocking\n" }]); // no second report of the restart
  });

  it("interrupts a loop of matrix products split over worker threads; variables survive and the next products are right", async () => {
    // 512³ multiply-adds a product: each runs on the worker pool (from 256³ on).
    const setup = await run(
      "const big = randn([512, 512]); const eye512 = eye(512); const bigSum = big.sum().item(); let products = 0; 0",
    );
    expect(setup.outcome.status).toBe("ok");
    // The cell marks its start in a file (its output could wait in a buffer behind the loop).
    const started = join(mkdtempSync(join(tmpdir(), "tsgrad-loop-")), "started");
    let ended: ExecuteOutcome | undefined;
    const running = runtime.execute(
      `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(started)}, "");\nfor (;;) { big.matmul(big); products++; }`,
      OPTIONS,
      recorder().callbacks,
    );
    void running.then((outcome) => (ended = outcome));
    await waitUntil(() => existsSync(started) || ended !== undefined, 60_000);
    expect(ended).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 300)); // mid-way through some product
    runtime.interrupt();
    const outcome = await running;
    expect(outcome).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect((outcome as { evalue: string }).evalue).not.toMatch(/restarted/);
    // A·I = A exactly (every term is a product with 0 or 1): shared memory left as an interrupted
    // product left it, or a worker still writing, would show. Several products, both layouts.
    const { outcome: after } = await run(`
      const checks: number[] = [];
      for (let i = 0; i < 5; i++) {
        checks.push(big.matmul(eye512).sub(big).abs().max().item(), eye512.matmul(big.t()).sub(big.t()).abs().max().item());
      }
      [products > 0, big.sum().item() === bigSum, Math.max(...checks)]`);
    expect(after, JSON.stringify(after) + log.join("\n")).toMatchObject({
      status: "ok",
      result: { data: { "text/plain": "[ true, true, 0 ]" } },
    });
  }, 120_000);

  it("reports a child killed from outside on the running cell, then runs cells in a fresh one", async () => {
    const { outcome: pidOutcome } = await run("process.pid");
    const pid = Number((pidOutcome as { result: { data: Record<string, string> } }).result.data["text/plain"]);
    const running = run("await new Promise((r) => setTimeout(r, 60_000))");
    await new Promise((r) => setTimeout(r, 200));
    process.kill(pid, "SIGKILL");
    const { outcome } = await running;
    expect(outcome).toMatchObject({ status: "error", ename: "RuntimeRestarted" });
    expect((outcome as { evalue: string }).evalue).toMatch(/died \(killed by SIGKILL\).*restarted.*variable/);
    const { outcome: after } = await run(`process.pid === ${pid}`);
    expect(after).toMatchObject({ status: "ok", result: { data: { "text/plain": "false" } } });
    expect(log.join("\n")).toContain("starting a new one");
  });

  it("names the cell count in tracebacks like the server's execution_count, silent cells aside", async () => {
    const counted = await run("throw new Error('counted')");
    const silent = await runtime.execute(
      "throw new Error('silent')",
      { ...OPTIONS, silent: true },
      recorder().callbacks,
    );
    expect((counted.outcome as { traceback: string[] }).traceback.join("\n")).toMatch(/at cell\[\d+\]:1:7/);
    expect((silent as { traceback: string[] }).traceback.join("\n")).toContain("at cell[*]:1:7");
  });

  it("imports packages installed in the tsgrad project from a notebook folder outside it", async () => {
    const folder = mkdtempSync(join(tmpdir(), "tsgrad-notebook-"));
    const own = startRuntime({ log: () => {}, cwd: folder });
    try {
      const { callbacks } = recorder();
      const imported = await own.execute(
        'import { TraceMap } from "@jridgewell/trace-mapping"\ntypeof TraceMap',
        OPTIONS,
        callbacks,
      );
      expect(imported, JSON.stringify(imported)).toMatchObject({
        status: "ok",
        result: { data: { "text/plain": "'function'" } },
      });
      const required = await own.execute('typeof require("@jridgewell/trace-mapping").TraceMap', OPTIONS, callbacks);
      expect(required).toMatchObject({ status: "ok", result: { data: { "text/plain": "'function'" } } });
      const cwd = await own.execute("process.cwd()", OPTIONS, callbacks);
      expect(cwd).toMatchObject({ status: "ok", result: { data: { "text/plain": `'${folder}'` } } });
    } finally {
      await own.shutdown();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("does not leave the child spinning when the kernel process is killed during a busy cell", async () => {
    const script = `
      import { startRuntime } from ${JSON.stringify(join(REPO_ROOT, "dist/kernel/runtime/index.js"))};
      const runtime = startRuntime({ log: () => {} });
      const events = { stream() {}, display() {}, clearOutput() {}, input: async () => "" };
      const options = { silent: false, storeHistory: true, allowStdin: false, userExpressions: {} };
      const pid = await runtime.execute("process.pid", options, events);
      console.log(pid.result.data["text/plain"]);
      void runtime.execute("await null\\nwhile (true) {}", options, events);`;
    const kernel = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const childPid = await new Promise<number>((resolvePid) =>
      kernel.stdout.once("data", (chunk: Buffer) => resolvePid(Number(chunk.toString().trim()))),
    );
    expect(childPid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    kernel.kill("SIGKILL");
    await waitUntil(() => {
      try {
        process.kill(childPid, 0);
        return false;
      } catch {
        return true;
      }
    }, 10_000);
  });

  it("cancels a cell that waits for the runtime to start when interrupted", async () => {
    const own = startRuntime({ log: () => {} });
    try {
      const waiting = own.execute("'ran'", OPTIONS, recorder().callbacks);
      own.interrupt();
      expect(await waiting).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
      expect(await own.execute("'next'", OPTIONS, recorder().callbacks)).toMatchObject({
        status: "ok",
        result: { data: { "text/plain": "'next'" } },
      });
    } finally {
      await own.shutdown();
    }
  }, 150_000);

  it("lets shutdown() end the child so the process can exit", async () => {
    const own = startRuntime({ log: () => {} });
    const { callbacks } = recorder();
    const pidOutcome = await own.execute("process.pid", OPTIONS, callbacks);
    const pid = Number((pidOutcome as { result: { data: Record<string, string> } }).result.data["text/plain"]);
    await own.shutdown();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
