// Faults of processes and clients against one kernel: interrupts of every kind of running cell,
// a runtime killed or aborting, clients that vanish mid-execute, a thousand connections, and
// last the kernel process SIGKILLed. After each the kernel serves on, and an interrupt keeps
// every variable. Cells are not type-checked here (TSGRAD_TYPECHECK=0), so an interrupt can land
// while a long cell compiles, just before its synchronous part starts.
import { readFileSync } from "node:fs";
import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { createMessage } from "../../kernel/protocol/messages.js";
import { decode, encode } from "../../kernel/protocol/wire.js";
import { type KernelClient, startKernel } from "../e2e/client.js";
import { RUNAWAY_CELLS } from "./runaway-cells.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A function of 4,000 statements: its cell takes a while to compile before anything runs. */
const SLOW_TO_COMPILE = `function big(): number {\n${Array.from({ length: 4000 }, (_, i) => `  let v${i}: number = ${i} * 2;`).join("\n")}\n  return 1;\n}\n`;

/** Alive and not a zombie (Linux /proc). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

function textOf(outputs: { content: Record<string, unknown> }[]): string {
  return JSON.stringify(outputs.map((m) => m.content));
}

describe("faults of processes and clients", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await startKernel({ ownProcessGroup: true, env: { TSGRAD_TYPECHECK: "0" } });
    await kernel.execute("const kept: number = 41", { timeoutMs: 120_000 });
  }, 150_000);
  afterAll(async () => {
    await kernel.close();
  });

  // A fresh runtime takes seconds to start on a busy machine: executes after a restart wait long.
  async function runtimePid(client = kernel): Promise<number> {
    const { outputs } = await client.execute("process.pid", { timeoutMs: 90_000 });
    return Number(/"text\/plain":"(\d+)"/.exec(textOf(outputs))?.[1]);
  }

  async function keptStill(client = kernel): Promise<void> {
    const { reply, outputs } = await client.execute("kept + 1");
    expect(reply.content.status).toBe("ok");
    expect(textOf(outputs)).toContain('"42"');
  }

  it("interrupts each kind of runaway cell, and one still compiling, keeping every variable", async () => {
    for (const code of [...RUNAWAY_CELLS, `${SLOW_TO_COMPILE}for (;;) {}`]) {
      const running = kernel.startExecute(code, { stop_on_error: false });
      await kernel.waitFor(() => kernel.childrenOf(running).some((m) => m.header.msg_type === "execute_input"), 20_000);
      // The slow cell is interrupted while it compiles; the others once they run.
      if (!code.startsWith(SLOW_TO_COMPILE)) await sleep(150);
      await kernel.request("control", "interrupt_request");
      const { reply } = await kernel.collect(running, 30_000);
      expect(reply.content, code).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
      expect(String(reply.content.evalue), code).not.toMatch(/restarted/);
      await keptStill();
    }
    expect(kernel.log).not.toMatch(/restarting the runtime|runtime process died/);
  }, 120_000);

  it("waits for a section that must not be unwound (a library loading) before ending a loop", async () => {
    // The engine's own module instance: the kernel imports the same file from dist.
    const guardModule = new URL("../../dist/engine/interrupt.js", import.meta.url).href;
    await kernel.execute(`const { withoutUnwinding } = await import(${JSON.stringify(guardModule)})`);
    // The section starts as the cell does, and spins past the 250 ms after which a cell is ended.
    const code = `withoutUnwinding(() => { const end = Date.now() + 1500; while (Date.now() < end); (globalThis as any).sectionDone = true; });
for (;;) {}`;
    const running = kernel.startExecute(code, { stop_on_error: false });
    await kernel.waitFor(() => kernel.childrenOf(running).some((m) => m.header.msg_type === "execute_input"), 20_000);
    await sleep(300);
    await kernel.request("control", "interrupt_request");
    const { reply } = await kernel.collect(running, 30_000);
    expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    // Terminated at 250 ms, the busy wait would have been unwound before it set the flag.
    const { outputs } = await kernel.execute("(globalThis as any).sectionDone === true");
    expect(textOf(outputs)).toContain('"true"');
    await keptStill();
  }, 60_000);

  it("reports a runtime SIGKILLed mid-cell, and runs the next cell in a fresh one", async () => {
    const pid = await runtimePid();
    const running = kernel.startExecute("await new Promise((r) => setTimeout(r, 60_000))");
    await kernel.waitFor(() => kernel.childrenOf(running).some((m) => m.header.msg_type === "execute_input"), 20_000);
    process.kill(pid, "SIGKILL");
    const { reply } = await kernel.collect(running, 30_000);
    expect(reply.content).toMatchObject({ status: "error", ename: "RuntimeRestarted" });
    expect(reply.content.evalue).toMatch(/killed by SIGKILL.*restarted/);
    const fresh = await runtimePid();
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).not.toBe(pid);
    await kernel.execute("const kept: number = 41", { timeoutMs: 90_000 });
  }, 240_000);

  it("reports a cell that aborts the runtime, and serves on", async () => {
    const { reply } = await kernel.execute("process.abort()", { timeoutMs: 90_000 });
    expect(reply.content).toMatchObject({ status: "error", ename: "RuntimeRestarted" });
    expect(reply.content.evalue).toMatch(/SIGABRT/);
    await kernel.execute("const kept: number = 41", { timeoutMs: 90_000 });
    await keptStill();
  }, 240_000);

  it("serves the next client after one vanishes mid-execute, or while its cell waits for input", async () => {
    const printing = await kernel.attach();
    const request = printing.startExecute(
      "for (let i = 0; i < 20; i++) { console.log(i); await new Promise((r) => setTimeout(r, 25)) }",
    );
    await printing.waitFor(() => printing.childrenOf(request).some((m) => m.header.msg_type === "stream"), 20_000);
    printing.vanish();
    const next = await kernel.attach();
    await keptStill(next);
    // A cell of a vanished client waiting for input waits forever, as in ipykernel; the next
    // client's interrupt ends it.
    const asking = await kernel.attach();
    const waiting = asking.startExecute("await input('name?')", { allow_stdin: true, stop_on_error: false });
    await asking.waitFor(() => asking.childrenOf(waiting).some((m) => m.header.msg_type === "execute_input"), 20_000);
    asking.vanish();
    const queued = next.startExecute("kept + 1");
    await sleep(300);
    await next.request("control", "interrupt_request");
    const { reply, outputs } = await next.collect(queued, 30_000);
    expect(reply.content.status).toBe("ok");
    expect(textOf(outputs)).toContain('"42"');
    next.vanish();
  }, 90_000);

  it("answers every one of a thousand connected clients, and serves on", async () => {
    const { connection } = kernel;
    const ports = [connection.shell_port, connection.control_port, connection.stdin_port, connection.hb_port];
    // Half speak ZeroMQ and ask kernel_info on shell; half connect and say nothing.
    const silent = await Promise.all(
      Array.from(
        { length: 500 },
        (_, i) =>
          new Promise<Socket>((done) => {
            const socket = new Socket();
            socket.on("error", () => done(socket));
            socket.connect(ports[i % ports.length]!, "127.0.0.1", () => done(socket));
          }),
      ),
    );
    const clients = Array.from({ length: 500 }, () => new zmq.Dealer({ linger: 0 }));
    try {
      const replies = await Promise.all(
        clients.map(async (client) => {
          client.connect(`tcp://127.0.0.1:${connection.shell_port}`);
          const request = createMessage(kernel.origin, "kernel_info_request", {});
          await client.send(encode(request, kernel.signer));
          const decoded = decode(await client.receive(), kernel.signer);
          return decoded.ok ? decoded.message.content.status : "bad reply";
        }),
      );
      expect(replies.filter((status) => status === "ok")).toHaveLength(500);
      await keptStill();
    } finally {
      for (const client of clients) client.close();
      for (const socket of silent) socket.destroy();
    }
    await kernel.heartbeat();
    await keptStill();
  }, 90_000);

  // Last: it ends the kernel.
  it("leaves no runtime behind when the kernel process is SIGKILLed while a cell spins", async () => {
    const pid = await runtimePid();
    const spinning = kernel.startExecute("for (;;) {}");
    await kernel.waitFor(() => kernel.childrenOf(spinning).some((m) => m.header.msg_type === "execute_input"), 20_000);
    await sleep(200);
    kernel.process.kill("SIGKILL");
    await kernel.exited;
    // The spinning runtime cannot notice its IPC channel closing; its watchdog thread ends it.
    for (let waited = 0; isRunning(pid) && waited < 10_000; waited += 100) await sleep(100);
    const orphaned = isRunning(pid);
    if (orphaned) process.kill(pid, "SIGKILL"); // no spinning orphan if it failed
    expect(orphaned).toBe(false);
  }, 60_000);
});
